"""Training a new model in the background of the office and swapping it in without downtime.

The office calls :func:`start_training` when a published change needs
training (new intent examples, new town spellings), shows
:func:`training_status` as progress, and offers :func:`rollback`. The
trainer runs in the office process (a worker thread, ``rasa train`` as a
subprocess); the running Rasa server then loads the new model in a worker
thread of its own (:mod:`bot.channels.model_swap`). No Rasa is imported here.
"""

from __future__ import annotations

import threading

from bot.settings import get_settings
from bot.training.job import RollbackError, Trainer, TrainingBusy, TrainingFailed
from bot.training.status import TrainingStatus

_trainer: Trainer | None = None
_trainer_lock = threading.Lock()


def trainer() -> Trainer:
    """The office process's trainer (one, so that one job runs at a time)."""
    global _trainer
    with _trainer_lock:
        if _trainer is None:
            _trainer = Trainer(get_settings())
        return _trainer


def start_training(reason: str, author: str) -> str:
    """Start training in the background; the job's id. TrainingBusy while one runs."""
    return trainer().start(reason, author)


def training_status() -> TrainingStatus:
    return trainer().status()


def rollback(author: str) -> TrainingStatus:
    """Serve the previous model again. RollbackError / TrainingBusy say why not."""
    return trainer().rollback(author)


__all__ = [
    "RollbackError",
    "Trainer",
    "TrainingBusy",
    "TrainingFailed",
    "TrainingStatus",
    "rollback",
    "start_training",
    "training_status",
]
