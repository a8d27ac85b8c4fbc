"""Fixtures of the training and model swap tests: an assistant with a model folder of its own."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT
from tests.helpers.model_variant import model_with_response
from tests.helpers.services import RunningAssistant, running_assistant, test_settings

TRAINED_MODEL = PROJECT_ROOT / "models" / "welcome.tar.gz"
#: What the variant model greets with; the trained model never says it.
VARIANT_GREETING = "Grüß Gott vom neuen Modell!"
VARIANT_FILE = "variant.tar.gz"


@pytest.fixture(scope="session")
def variant_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the trained model and a variant greeting with VARIANT_GREETING."""
    if not TRAINED_MODEL.exists():
        pytest.skip(f"no trained model at {TRAINED_MODEL}; run `make train`")
    folder = tmp_path_factory.mktemp("variant-models")
    model_with_response(TRAINED_MODEL, folder / VARIANT_FILE, "utter_greet", VARIANT_GREETING)
    return folder


@pytest.fixture
def model_dir(variant_models: Path, tmp_path: Path) -> Path:
    """A model folder serving a copy of the trained model, the variant next to it."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(TRAINED_MODEL, folder / "welcome.tar.gz")
    shutil.copy(variant_models / VARIANT_FILE, folder / VARIANT_FILE)
    return folder


@pytest.fixture
def assistant(tmp_path: Path, model_dir: Path) -> Iterator[RunningAssistant]:
    """The real action and Rasa servers, serving ``model_dir``'s welcome.tar.gz."""
    settings = dataclasses.replace(test_settings(tmp_path / "var"), model_dir=model_dir)
    (tmp_path / "var").mkdir(exist_ok=True)
    assert model_path(settings).exists()
    with running_assistant(settings, tmp_path / "services.log") as running:
        yield running
