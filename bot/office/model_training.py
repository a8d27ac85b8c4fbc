"""What the office shows and does about training the assistant (the box on ``/inhalte``).

A training is needed when something the model must learn changed since the
served model's training data were assembled (``TrainingStatus.data_at``):
a publication whose town spellings changed (``Publication.needs_training``),
or intent examples staff added (from ``/unbeantwortet``). The trainer
(:class:`bot.training.Trainer`) runs one job at a time in this process; it
is an office service, so it reads the app's settings (model folder, swap token).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from bot.training import Trainer, TrainingStatus
from bot.training.examples import TrainingExample, TrainingExamples
from bot.training.job import PREVIOUS_FILE

#: German names of the job's steps (bot.training.status).
STEP_LABELS = {
    "preparing": "Trainingsdaten zusammenstellen",
    "training": "Trainieren",
    "testing": "Gesprächstests",
    "swapping": "Neues Modell einsetzen",
    "done": "Fertig",
}
STATE_LABELS = {
    "idle": "noch kein Training",
    "running": "läuft",
    "done": "fertig",
    "failed": "fehlgeschlagen",
    "interrupted": "unterbrochen",
}


def trainer(office, settings: Settings) -> Trainer:
    """The office process's trainer (one per app: one job at a time)."""
    return office.service("trainer", lambda _office: Trainer(settings))


def training_examples(office) -> TrainingExamples:
    """The intent examples staff added, on the office's database."""
    return office.service(
        "training_examples",
        lambda services: TrainingExamples(services.database_url, engine=services.engine),
    )


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class TrainingNeed:
    """What the served model does not know yet."""

    new_examples: int
    publication: bool

    @property
    def needed(self) -> bool:
        return bool(self.new_examples) or self.publication

    @property
    def summary(self) -> str:
        """ "Training nötig: 1 neues Beispiel" (German, for the page and the job's reason)."""
        parts = []
        if self.new_examples:
            parts.append(
                "1 neues Beispiel"
                if self.new_examples == 1
                else f"{self.new_examples} neue Beispiele"
            )
        if self.publication:
            parts.append("neue Ortsnamen veröffentlicht")
        return "Training nötig: " + ", ".join(parts) if parts else ""


def training_need(
    status: TrainingStatus, examples: Sequence[TrainingExample], publications: Sequence
) -> TrainingNeed:
    """What changed since the served model's training data were assembled."""
    since = _moment(status.data_at)
    new = [e for e in examples if since is None or _aware(e.added_at) > since]
    if since is None:
        # Never trained by the office: the latest publication decides (as before).
        publication = bool(publications) and publications[0].needs_training
    else:
        publication = any(p.needs_training and _aware(p.published_at) > since for p in publications)
    return TrainingNeed(len(new), bool(publication))


def has_previous_model(settings: Settings) -> bool:
    """Whether a rollback is possible (the model served before the last swap is kept)."""
    return (Path(settings.model_dir) / PREVIOUS_FILE).exists()
