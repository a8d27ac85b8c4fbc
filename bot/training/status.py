"""The training's progress, kept in a small JSON file next to the models.

Written atomically (a new file renamed over the old one), so a reader never
sees half a status, and it survives an office restart: a training that was
running when the office stopped reads as ``interrupted``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

STATUS_FILE = "training-status.json"

# States: nothing yet, a job runs, it ended (with the new model served), it
# failed (the old model serves), or the office stopped while it ran.
IDLE, RUNNING, DONE, FAILED, INTERRUPTED = "idle", "running", "done", "failed", "interrupted"
# Steps of a job, in order.
PREPARING, TRAINING, TESTING, SWAPPING = "preparing", "training", "testing", "swapping"


@dataclass(frozen=True)
class TrainingStatus:
    """What the office shows about the latest training (``message`` in German, for staff)."""

    state: str = IDLE
    step: str = ""
    progress: int = 0
    message: str = "Noch kein Training in diesem Büro."
    started_at: str | None = None
    finished_at: str | None = None
    model_version: str | None = None
    job_id: str | None = None
    reason: str = ""
    author: str = ""
    #: How long the last successful `rasa train` took (estimates the next one's progress).
    training_seconds: float | None = None
    #: When the training data of the model now served were assembled (its job's start):
    #: office examples added later are not in it yet. None: not trained by the office.
    data_at: str | None = None
    #: The same for the previous model (what a rollback serves again).
    previous_data_at: str | None = None

    @property
    def running(self) -> bool:
        return self.state == RUNNING

    def but(self, **changes) -> TrainingStatus:
        return replace(self, **changes)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def read_status(model_dir: Path) -> TrainingStatus:
    path = model_dir / STATUS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TrainingStatus()
    except (OSError, ValueError):
        return TrainingStatus(message="Der gespeicherte Trainingsstand ist unlesbar.")
    known = {field.name for field in fields(TrainingStatus)}
    return TrainingStatus(**{key: value for key, value in data.items() if key in known})


def write_status(model_dir: Path, status: TrainingStatus) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=model_dir, prefix=".training-status-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(asdict(status), file, ensure_ascii=False, indent=1)
        os.replace(temporary, model_dir / STATUS_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
