"""The training box of ``/inhalte``: what needs training, start, progress, failure, rollback.

The trainer (bot.training) runs for real where it matters (a start that fails
on broken training data, a second start refused while it runs); the other
states come from the status file the trainer keeps in the model folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bot.office.services import Office
from bot.settings import PROJECT_ROOT
from bot.store.models import AuditEntry
from bot.training import Trainer
from bot.training.data import TRAINING_DATA
from bot.training.examples import TrainingExamples
from bot.training.job import PREVIOUS_FILE
from bot.training.status import TrainingStatus, write_status
from tests.helpers.html_forms import filled
from tests.helpers.office import csrf_token
from tests.office.test_content_editor import entry_form, page, post_button, submit

NOW = dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def training_box(client) -> str:
    shown = page(client.get("/inhalte/"))
    if 'id="training"' not in shown:
        return ""
    return shown.split('id="training"', 1)[1].split("Frühere Veröffentlichungen", 1)[0]


def model_dir(app: Flask) -> Path:
    return app.extensions["welcome_settings"].model_dir


def add_examples(office: Office, *texts: str) -> None:
    examples = TrainingExamples("", engine=office.engine)
    for text in texts:
        examples.add("greet", "de", text, "editor")


def audit_actions(office: Office) -> list[tuple[str, str]]:
    with office.engine.connect() as connection:
        return [
            (entry.action, entry.detail)
            for entry in connection.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.action.like("training%"))
                .order_by(AuditEntry.id)
            )
        ]


def test_nothing_to_train_shows_no_box(editor):
    assert training_box(editor) == ""


def test_new_examples_need_training_until_a_training_assembled_them(editor, office, app):
    add_examples(office, "Servus miteinander", "Moin zusammen")

    box = training_box(editor)

    assert "Training nötig: 2 neue Beispiele." in box
    assert 'id="start-training"' in box
    # A training that started after the examples were added knows them.
    later = iso(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2))
    write_status(
        model_dir(app),
        TrainingStatus(state="done", step="done", progress=100, message="Fertig.", data_at=later),
    )
    box = training_box(editor)
    assert "Training nötig" not in box and 'id="start-training"' not in box
    assert "Letztes Training: Fertig." in box


def test_a_publication_with_new_town_spellings_offers_the_training(editor, store):
    url = "/inhalte/municipalities/Ehningen"
    form = entry_form(editor, url)
    aliases = [alias for alias in form.get("aliases", "").split(",") if alias.strip()]
    submit(editor, url, filled(form, aliases=", ".join([*aliases, "Ehninga"])))
    post_button(editor, "/inhalte/veroeffentlichen")

    box = training_box(editor)

    assert "Training nötig: neue Ortsnamen veröffentlicht." in box
    assert 'id="start-training"' in box


def test_a_failed_training_says_why_in_german_and_offers_a_new_start(editor, app):
    reason = (
        "Das Training ist fehlgeschlagen; das bisherige Modell ist weiter aktiv. "
        "Grund (Meldung von Rasa):\nbasics.yml: invalid YAML"
    )
    write_status(
        model_dir(app),
        TrainingStatus(state="failed", step="training", progress=40, message=reason,
                       started_at=iso(NOW), finished_at=iso(NOW)),
    )  # fmt: skip

    box = training_box(editor)

    assert "Das letzte Training ist fehlgeschlagen" in box
    assert "das bisherige Modell ist weiter aktiv" in box and "basics.yml" in box
    assert 'id="start-training"' in box


def test_a_training_left_running_by_a_stopped_office_reads_as_interrupted(editor, app):
    write_status(model_dir(app), TrainingStatus(state="running", step="training", progress=30))

    box = training_box(editor)

    assert "Das letzte Training ist unterbrochen" in box
    assert "neu gestartet" in box
    assert 'http-equiv="refresh"' not in page(editor.get("/inhalte/"))


@pytest.mark.model
# The job does not touch the database's kind: one real training (SQLite) is enough.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_start_progress_refusal_while_running_and_failure(store, signed_in, app, office, tmp_path):
    """A real job with broken example data: Rasa refuses it, the old model stays."""
    data = tmp_path / "repo"
    for relative in TRAINING_DATA:
        shutil.copytree(PROJECT_ROOT / relative, data / relative)
    broken = data / "data" / "nlu" / "de" / "basics.yml"
    broken.write_text('version: "3.1"\nnlu: [ {intent: greet, examples: \n', encoding="utf-8")
    settings = app.extensions["welcome_settings"]
    # Registered before anyone signs in: the first page that shows the training box
    # would otherwise make the office's own trainer (repository data and stories).
    trainer = office.service(
        "trainer",
        lambda _office: Trainer(settings, data_root=data, examples=list),
    )
    assert trainer.data_root == data
    editor = signed_in("editor")
    add_examples(office, "Servus miteinander")

    started = post_button(editor, "/inhalte/training")

    assert started.status_code == 302
    shown = page(editor.get("/inhalte/"))
    assert '<meta http-equiv="refresh" content="5">' in shown
    box = shown.split('id="training"', 1)[1]
    assert "Training läuft:" in box and " %." in box
    assert 'id="start-training"' not in box
    # A second start (another editor, an old page) is refused while the first one runs.
    again = editor.post(
        "/inhalte/training", data={"csrf_token": csrf_token(shown)}, follow_redirects=True
    )
    assert "Das Training wurde nicht gestartet: Es läuft bereits ein Training." in page(again)

    status = trainer.wait(timeout=600)

    assert status.state == "failed"
    box = training_box(editor)
    assert "Das letzte Training ist fehlgeschlagen" in box
    assert "das bisherige Modell ist weiter aktiv" in box
    # The example is still waiting for a training that succeeds.
    assert "Training nötig: 1 neues Beispiel." in box
    assert not (model_dir(app) / PREVIOUS_FILE).exists()
    assert audit_actions(office) == [
        ("training_started", f"job={status.job_id} grund=Training nötig: 1 neues Beispiel")
    ]


def test_rollback_asks_first_and_says_why_it_could_not(editor, app, office):
    folder = model_dir(app)
    assert "Vorheriges Modell zurückholen" not in training_box(editor)
    assert "kein vorheriges Modell" in page(editor.get("/inhalte/training/zuruecksetzen"))

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "welcome.tar.gz").write_bytes(b"served model")
    (folder / PREVIOUS_FILE).write_bytes(b"previous model")

    assert 'id="rollback-model"' in training_box(editor)
    confirm = page(editor.get("/inhalte/training/zuruecksetzen"))
    assert "Vorheriges Modell zurückholen?" in confirm and 'id="confirm-rollback"' in confirm

    # No Rasa server to switch (no swap token here): nothing changes, and the page says why.
    refused = editor.post(
        "/inhalte/training/zuruecksetzen",
        data={"csrf_token": csrf_token(confirm)},
        follow_redirects=True,
    )

    assert "Nicht zurückgesetzt: Kein WELCOME_MODEL_SWAP_TOKEN" in page(refused)
    assert (folder / "welcome.tar.gz").read_bytes() == b"served model"
    assert (folder / PREVIOUS_FILE).read_bytes() == b"previous model"
    assert audit_actions(office) == []


@pytest.mark.parametrize("role", ["coordinator"])
def test_only_editors_start_or_roll_back_a_training(role, store, signed_in):
    browser = signed_in(role)
    assert browser.get("/inhalte/training/zuruecksetzen").status_code == 403
    assert browser.post("/inhalte/training").status_code in (400, 403)
