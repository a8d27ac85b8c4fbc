"""Training in the background, smoke test, swap and rollback (bot/training), real servers."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT
from bot.training import RollbackError, Trainer, TrainingBusy
from bot.training.data import TRAINING_DATA
from bot.training.examples import TrainingExample
from bot.training.server import served_model
from tests.e2e.support import _responses
from tests.helpers.services import RunningAssistant

#: A word no training example has: only a model trained with it as a greeting greets back.
NEW_GREETING = "Zwiebelkuchenfest"


def greetings() -> set[str]:
    return {variation["text"] for variation in _responses()["utter_greet"]}


def copy_of_training_data(target: Path) -> Path:
    for relative in TRAINING_DATA:
        shutil.copytree(PROJECT_ROOT / relative, target / relative)
    return target


def test_a_failed_training_keeps_the_old_model_and_says_why(
    assistant: RunningAssistant, tmp_path: Path
) -> None:
    data = copy_of_training_data(tmp_path / "repo")
    broken = data / "data" / "nlu" / "de" / "basics.yml"
    broken.write_text(
        broken.read_text(encoding="utf-8") + '\n- intent: greet\n  examples: "- [unclosed\n',
        encoding="utf-8",
    )
    served = model_path(assistant.settings)
    before = served.read_bytes()
    trainer = Trainer(assistant.settings, data_root=data, examples=list, municipalities=list)

    trainer.start("Test: kaputte Beispiele", "editor1")
    with pytest.raises(TrainingBusy, match="bereits ein Training"):
        trainer.start("zweites Training", "editor2")
    status = trainer.wait(timeout=600)

    assert status.state == "failed"
    assert "fehlgeschlagen" in status.message and "bisherige Modell" in status.message
    assert "basics.yml" in status.message, status.message
    assert served.read_bytes() == before
    assert assistant.texts("training-failed", "Hallo")[0] in greetings()
    with pytest.raises(RollbackError, match="kein vorheriges Modell"):
        trainer.rollback("editor1")


def test_a_status_left_running_by_a_stopped_office_reads_as_interrupted(
    assistant: RunningAssistant,
) -> None:
    first = Trainer(assistant.settings, examples=list, municipalities=list)
    from bot.training.status import RUNNING, TrainingStatus, write_status

    write_status(assistant.settings.model_dir, TrainingStatus(state=RUNNING, step="training"))
    # A new office process: a trainer without a job.
    status = first.status()
    assert status.state == "interrupted"
    assert "neu gestartet" in status.message


@pytest.mark.model
def test_a_new_example_is_trained_tested_swapped_in_and_rolled_back(
    assistant: RunningAssistant,
) -> None:
    """The one real training of the tests (a few minutes)."""
    assert assistant.texts("before-training", NEW_GREETING)[0] not in greetings()
    examples = [
        TrainingExample("greet", "de", NEW_GREETING, "editor1", dt.datetime.now(dt.timezone.utc))
    ]
    trainer = Trainer(assistant.settings, examples=lambda: examples, municipalities=list)

    trainer.start("Neues Beispiel für Begrüßung", "editor1")
    status = trainer.wait(timeout=1800)

    assert status.state == "done", status.message
    assert assistant.texts("after-training", NEW_GREETING)[0] in greetings()
    assert served_model(assistant.settings)["model_id"] == status.model_version
    assert assistant.texts("after-training-de", "Hallo")[0] in greetings()

    rolled_back = trainer.rollback("admin")

    assert rolled_back.state == "done" and "Zurückgesetzt" in rolled_back.message
    assert assistant.texts("after-rollback", NEW_GREETING)[0] not in greetings()
    assert assistant.texts("after-rollback-de", "Hallo")[0] in greetings()
