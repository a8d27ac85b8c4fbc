"""The test models translate the same on every CPU CTranslate2 can meet.

CTranslate2 runs the Argos models in int8, and its int8 GEMM differs between
backends: oneDNN (its default on AMD CPUs) and Intel MKL (its default on Intel
CPUs), and between instruction sets. A test model that translates right under
one and wrong under the other would make the tests pass or fail by the machine
CI happens to run on. Each combination this CPU can run is tried here in a
process of its own (CTranslate2 picks its backend when it is loaded), with the
production engine (``bot.translation.engine``, int8).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.helpers.argos_dictionary import build_dictionary_package

GERMAN_ENGLISH = {
    "ihr": "your",
    "termin": "appointment",
    "ist": "is",
    "am": "on",
    "bitte": "please",
    "kommen": "come",
    "sie": "you",
    "morgen": "tomorrow",
    "zum": "to the",
    "und": "and",
    "bringen": "bring",
    "pass": "passport",
    "mit": "along",
}
ENGLISH_ROMANIAN = {"your": "dumneavoastră", "appointment": "programarea", "please": "vă rog"}

# What a reader of the two dictionaries expects, word by word (unknown words are copied).
EXPECTED = {
    ("de", "en", "Ihr Termin ist am 12.01.2027 im Landratsamt Böblingen."): (
        "Your Appointment is on 12.01.2027 im Landratsamt Böblingen."
    ),
    ("de", "en", "Bitte kommen Sie morgen zum Termin, und bringen Sie Ihr Pass mit!"): (
        "Please come You tomorrow to the Appointment, and bring You Your Passport along!"
    ),
    ("de", "en", "Ihr Termin ist am Montag. Bitte kommen Sie!"): (
        "Your Appointment is on Montag. Please come You!"
    ),
    ("de", "ro", "Ihr Termin ist am Montag."): "Dumneavoastră Programarea is on Montag.",
}

_PROBE = """
import json, sys
from pathlib import Path
from bot.translation.engine import Translator, _compute_type
cases = json.loads(sys.argv[2])
translator = Translator(Path(sys.argv[1]), beam_size=2)
print(json.dumps({
    "compute_type": _compute_type(),
    "translations": [translator.translate(text, source, target) for source, target, text in cases],
}))
"""


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def _instruction_sets() -> list[str]:
    flags = _cpu_flags()
    wanted = (("GENERIC", None), ("AVX", "avx"), ("AVX2", "avx2"), ("AVX512", "avx512f"))
    return [isa for isa, flag in wanted if flag is None or flag in flags]


@pytest.fixture(scope="module")
def packages_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("backend-packages")
    build_dictionary_package(folder, "de", "en", GERMAN_ENGLISH)
    build_dictionary_package(folder, "en", "ro", ENGLISH_ROMANIAN)
    return folder


@pytest.mark.parametrize("isa", _instruction_sets())
@pytest.mark.parametrize("use_mkl", ["0", "1"], ids=["oneDNN", "MKL"])
def test_the_dictionary_models_translate_the_same_under_every_backend(
    packages_dir: Path, tmp_path: Path, use_mkl: str, isa: str
) -> None:
    cases = [list(case) for case in EXPECTED]
    env = {
        **os.environ,
        "CT2_USE_MKL": use_mkl,
        "CT2_FORCE_CPU_ISA": isa,
        "WELCOME_TRANSLATION_DIR": str(tmp_path / "translation"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(packages_dir), json.dumps(cases)],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = json.loads(result.stdout.strip().splitlines()[-1])
    assert output["compute_type"] == "int8"  # the production engine's path
    assert output["translations"] == list(EXPECTED.values())
