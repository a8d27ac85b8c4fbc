"""Settings shared by all tests: offline, quiet Rasa; NLU scores in the summary."""

from __future__ import annotations

import os

# Rasa reads these at import time; set before any test module imports it.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

# argostranslate must never write to ~/.local or var/ during tests, and models a
# developer installed under var/ must not change what the tests see.
from tests.helpers.argos_home import ARGOS_HOME  # noqa: E402

os.environ.setdefault("WELCOME_TRANSLATION_DIR", str(ARGOS_HOME / "translation"))

NLU_REPORT_KEY = "welcome_nlu_report"


def pytest_configure(config):
    config.stash_nlu_report = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # `make test` prints the held-out accuracy per language (tests/nlu/test_understanding.py).
    for title, table in getattr(config, "stash_nlu_report", []):
        terminalreporter.section(title)
        terminalreporter.write_line(table)
