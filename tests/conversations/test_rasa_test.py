"""Conversation tests: every journey in German, English and Arabic, run with `rasa test`.

The stories in ``tests/stories/test_*.yml`` are end-to-end test stories: the
user's text (checked against the trained NLU: intent and entities) and the
bot's next actions (checked against the trained policies). One file per
journey, each with its stories in German, English and Arabic.

``rasa test core`` does not run custom actions (it only predicts them), so no
action server is needed; the ``slot_was_set`` steps in the stories stand for
what the actions and forms set in a real conversation (reply texts and the
reply language are checked by tests/e2e). Only files whose name starts with
``test_`` are conversation tests for Rasa (``--e2e``).

Rasa runs with ``--fail-on-prediction-errors``, as CI demands. That flag stops
at the first wrong prediction without writing ``failed_test_stories.yml``, so
when it fails the stories are run once more without it, only to show every
failing story with Rasa's ``# predicted: ...`` comments.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.commands.service import model_path, rasa_environment
from bot.settings import PROJECT_ROOT
from tests.helpers import services

STORIES_DIR = PROJECT_ROOT / "tests" / "stories"
LANGUAGES = ("German", "English", "Arabic")
# Each journey file holds its stories in every one of these languages.
JOURNEYS = (
    "offers",
    "internships",
    "welcome_center",
    "interpreter",
    "mentoring",
    "handoff",
    "privacy",
    "fallback",
    "basics",
    "language",
    "cancel",
)
RASA_TEST_TIMEOUT = 600
VALIDATE_TIMEOUT = 300


def story_files() -> list[Path]:
    return sorted(STORIES_DIR.glob("test_*.yml"))


def story_names(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [story["story"] for story in data.get("stories") or []]


def run(command: list[str], tmp_path: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=rasa_environment(services.test_settings(tmp_path)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


ANSI_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def failure_report(result: subprocess.CompletedProcess, out: Path) -> str:
    """The failed stories as Rasa writes them, with ``# predicted: ...`` comments."""
    failed = out / "failed_test_stories.yml"
    parts = [f"rasa test exited with {result.returncode}"]
    if failed.exists():
        parts.append(f"--- {failed.name} ---\n{failed.read_text(encoding='utf-8')}")
    else:
        output = ANSI_COLOURS.sub("", result.stdout + result.stderr)
        parts.append(f"--- rasa output (last lines) ---\n{output[-6000:]}")
    return "\n".join(parts)


def test_every_journey_has_stories_in_german_english_and_arabic() -> None:
    files = {path.name: path for path in story_files()}
    assert sorted(files) == sorted(f"test_{journey}.yml" for journey in JOURNEYS)
    for name, path in files.items():
        stories = story_names(path)
        assert len(stories) == len(set(stories)), f"duplicate story names in {name}"
        for language in LANGUAGES:
            assert any(story.endswith(f" in {language}") for story in stories), (
                f"{name} has no story in {language}"
            )


@pytest.mark.model
def test_conversations_go_as_the_stories_say(tmp_path: Path) -> None:
    model = model_path(services.test_settings(tmp_path))
    assert model.exists(), f"no trained model at {model}; `make test` trains it first"
    out = tmp_path / "results"
    command = [
        sys.executable, "-m", "rasa", "test", "core",
        "--stories", str(STORIES_DIR),
        "--model", str(model),
        "--endpoints", "config/endpoints.yml",
        "--e2e",
        "--no-plot",
        "--out", str(out),
    ]  # fmt: skip
    result = run([*command, "--fail-on-prediction-errors"], tmp_path, RASA_TEST_TIMEOUT)
    if result.returncode != 0:
        report = run(command, tmp_path, RASA_TEST_TIMEOUT)
        pytest.fail(failure_report(report, out) + "\n" + failure_report(result, out)[-3000:])

    report_file = out / "story_report.json"
    assert report_file.exists(), failure_report(result, out)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    conversations = report.get("conversation_accuracy", {"total": 0, "correct": 0})
    # A pass must mean that every story was tested, not that none was found.
    expected = sum(len(story_names(path)) for path in story_files())
    assert conversations["total"] == expected, (conversations, failure_report(result, out))
    assert conversations["correct"] == expected, failure_report(result, out)


def validate(tmp_path: Path, domain: str | Path = "config/domain"):
    """`rasa data validate` as `welcome train` runs it (bot/commands/rasa_cli.py)."""
    command = [
        sys.executable, "-m", "bot.commands.rasa_cli", "data", "validate",
        "--domain", str(domain),
        "--data", "data/nlu", "data/rules",
        "--config", "config/config.yml",
    ]  # fmt: skip
    return run(command, tmp_path, VALIDATE_TIMEOUT)


def test_training_data_is_consistent_with_the_domain_and_says_so_quietly(tmp_path: Path) -> None:
    result = validate(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # Responses sent by actions and forms are in use; libraries' deprecations are noise.
    assert "is not used in any story or rule" not in output, output[-6000:]
    assert "DeprecationWarning" not in output, output[-6000:]


def test_a_response_nothing_sends_is_still_reported(tmp_path: Path) -> None:
    domain = tmp_path / "domain"
    shutil.copytree(PROJECT_ROOT / "config" / "domain", domain)
    (domain / "unused.yml").write_text(
        'version: "3.1"\nresponses:\n  utter_nobody_sends_this:\n    - text: "Hallo"\n',
        encoding="utf-8",
    )
    result = validate(tmp_path, domain)
    assert "The utterance 'utter_nobody_sends_this' is not used" in result.stdout + result.stderr
