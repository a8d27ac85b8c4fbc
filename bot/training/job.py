"""Training a new model in the background and swapping it into the running assistant.

One job at a time, in a worker thread of the office process:

1. preparing: the training data in a folder of its own (:mod:`bot.training.data`);
2. training: ``rasa train`` as a subprocess (``welcome train``'s command);
3. testing: the conversation tests (``tests/stories``, ``rasa test core
   --fail-on-prediction-errors``) against the new model; a failing story stops here;
4. swapping: the served model is kept as ``welcome-previous.tar.gz`` (one-click
   rollback), the new one becomes ``welcome.tar.gz`` (a restart serves it too),
   and the running Rasa server loads it in a worker thread
   (:mod:`bot.channels.model_swap`).

Whatever fails, the old model keeps serving and the status says why, in German.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings
from bot.training import status as st
from bot.training.server import SwapError, request_swap

logger = logging.getLogger(__name__)

CANDIDATE_NAME = "candidate"
PREVIOUS_FILE = "welcome-previous.tar.gz"
STORIES_DIR = PROJECT_ROOT / "tests" / "stories"
#: Progress (percent) at the start of each step; training fills the span up to testing.
PROGRESS = {st.PREPARING: 2, st.TRAINING: 10, st.TESTING: 75, st.SWAPPING: 90}
#: The first training's estimate (2 cores, no cache); later ones use the last duration.
DEFAULT_TRAINING_SECONDS = 300.0
TRAINING_TIMEOUT_SECONDS = 3600
TEST_TIMEOUT_SECONDS = 900
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROBLEM_LINE = re.compile(r"(Error|Exception|error:|Fehler|failed|invalid)", re.IGNORECASE)


class TrainingBusy(RuntimeError):
    """A training is already running (German message for staff)."""


class TrainingFailed(RuntimeError):
    """A step failed; the message says why (German, for staff)."""


class RollbackError(RuntimeError):
    """No rollback was possible (German message for staff)."""


def model_file(settings: Settings) -> Path:
    from bot.processes import model_path

    return model_path(settings)


def _reason_from_output(output: str, limit: int = 800) -> str:
    """The lines of Rasa's output that say what went wrong (the last ones, without colours)."""
    lines = [line.rstrip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    problems = [line for line in lines if _PROBLEM_LINE.search(line)]
    chosen = problems[-6:] if problems else lines[-6:]
    text = "\n".join(chosen)
    return text[-limit:]


def _replace_file(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` atomically (a reader sees the old or the new file)."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Trainer:
    """Runs the training jobs of one office process and keeps their status."""

    def __init__(
        self,
        settings: Settings,
        *,
        data_root: Path = PROJECT_ROOT,
        stories_dir: Path = STORIES_DIR,
        examples: Callable[[], list] | None = None,
        municipalities: Callable[[], list] | None = None,
    ) -> None:
        self.settings = settings
        self.data_root = data_root
        self.stories_dir = stories_dir
        self._examples = examples
        self._municipalities = municipalities
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # --- status -------------------------------------------------------------

    def status(self) -> st.TrainingStatus:
        current = st.read_status(self.settings.model_dir)
        if current.running and not self.busy():
            current = current.but(
                state=st.INTERRUPTED,
                finished_at=st.now(),
                message="Unterbrochen: Das Büro wurde während des Trainings neu gestartet. "
                "Das bisherige Modell ist weiter aktiv. Bitte das Training neu starten.",
            )
            st.write_status(self.settings.model_dir, current)
        return current

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _update(self, **changes) -> st.TrainingStatus:
        current = st.read_status(self.settings.model_dir).but(**changes)
        st.write_status(self.settings.model_dir, current)
        return current

    # --- starting -----------------------------------------------------------

    def start(self, reason: str, author: str) -> str:
        """Start a job in a worker thread; its id. TrainingBusy while one runs."""
        with self._lock:
            if self.busy():
                raise TrainingBusy(
                    "Es läuft bereits ein Training. Bitte warten, bis es fertig ist."
                )
            job_id = uuid.uuid4().hex[:12]
            previous = st.read_status(self.settings.model_dir)
            st.write_status(
                self.settings.model_dir,
                st.TrainingStatus(
                    state=st.RUNNING,
                    step=st.PREPARING,
                    progress=PROGRESS[st.PREPARING],
                    message="Trainingsdaten werden zusammengestellt.",
                    started_at=st.now(),
                    model_version=previous.model_version,
                    job_id=job_id,
                    reason=reason,
                    author=author,
                    training_seconds=previous.training_seconds,
                    data_at=previous.data_at,
                    previous_data_at=previous.previous_data_at,
                ),
            )
            self._thread = threading.Thread(
                target=self._run, args=(job_id,), name=f"training-{job_id}", daemon=True
            )
            self._thread.start()
            logger.info("Training %s started by %s", job_id, author)
            return job_id

    def wait(self, timeout: float | None = None) -> st.TrainingStatus:
        """Wait for the running job (tests, benchmark); the status afterwards."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    # --- the job ------------------------------------------------------------

    def _run(self, job_id: str) -> None:
        work = Path(tempfile.mkdtemp(prefix=f"welcome-training-{job_id}-"))
        try:
            candidate = self._train(work, self._prepare(work))
            self._smoke_test(work, candidate)
            version = self._activate_and_swap(candidate)
            served = st.read_status(self.settings.model_dir)
            self._update(
                data_at=served.started_at,
                previous_data_at=served.data_at,
                state=st.DONE,
                step=st.DONE,
                progress=100,
                finished_at=st.now(),
                model_version=version,
                message="Fertig: Das neue Modell ist getestet und antwortet jetzt.",
            )
            logger.info("Training %s done; serving model %s", job_id, version)
        except TrainingFailed as failed:
            logger.warning("Training %s failed: %s", job_id, failed)
            self._update(state=st.FAILED, finished_at=st.now(), message=str(failed))
        except Exception as problem:  # noqa: BLE001 - staff must see that it ended
            logger.exception("Training %s failed unexpectedly", job_id)
            self._update(
                state=st.FAILED,
                finished_at=st.now(),
                message=f"Unerwarteter Fehler ({type(problem).__name__}: {problem}). "
                "Das bisherige Modell ist weiter aktiv.",
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _prepare(self, work: Path) -> list[Path]:
        from bot.training.data import assemble

        examples = self._examples() if self._examples else self._stored_examples()
        towns = self._municipalities() if self._municipalities else self._published_towns()
        return assemble(work, examples, towns, root=self.data_root)

    def _stored_examples(self) -> list:
        from bot.training.examples import TrainingExamples

        store = TrainingExamples(self.settings.database_url)
        try:
            return store.all()
        finally:
            store.close()

    @staticmethod
    def _published_towns() -> list:
        from bot.content import get_content

        return list(get_content().municipalities)

    def _train(self, work: Path, folders: list[Path]) -> Path:
        from bot.processes import rasa_environment

        self._update(
            step=st.TRAINING,
            progress=PROGRESS[st.TRAINING],
            message="Das Modell wird trainiert (einige Minuten).",
        )
        out = work / "model"
        command = [
            sys.executable, "-m", "bot.commands.rasa_cli", "train",
            "--config", "config/config.yml",
            "--domain", "config/domain",
            "--data", *map(str, folders),
            "--out", str(out),
            "--fixed-model-name", CANDIDATE_NAME,
        ]  # fmt: skip
        expected = (
            st.read_status(self.settings.model_dir).training_seconds or DEFAULT_TRAINING_SECONDS
        )
        started = time.monotonic()
        log_path = work / "train.log"
        with open(log_path, "wb") as log:
            # cwd: the project, so Rasa's training cache (.rasa/cache) is shared
            # with `welcome train` and unchanged parts are not trained again.
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=rasa_environment(self.settings),
                stdout=log,
                stderr=log,
            )
            while process.poll() is None:
                elapsed = time.monotonic() - started
                if elapsed > TRAINING_TIMEOUT_SECONDS:
                    process.kill()
                    process.wait()
                    raise TrainingFailed(
                        "Das Training hat zu lange gedauert und wurde abgebrochen. "
                        "Das bisherige Modell ist weiter aktiv."
                    )
                span = PROGRESS[st.TESTING] - PROGRESS[st.TRAINING] - 1
                self._update(
                    progress=PROGRESS[st.TRAINING] + int(span * min(1.0, elapsed / expected))
                )
                time.sleep(1)
        output = log_path.read_text(encoding="utf-8", errors="replace")
        model = out / f"{CANDIDATE_NAME}.tar.gz"
        if process.returncode != 0 or not model.exists():
            raise TrainingFailed(
                "Das Training ist fehlgeschlagen; das bisherige Modell ist weiter aktiv. "
                f"Grund (Meldung von Rasa):\n{_reason_from_output(output)}"
            )
        self._update(training_seconds=round(time.monotonic() - started, 1))
        return model

    def _smoke_test(self, work: Path, model: Path) -> None:
        from bot.processes import rasa_environment

        self._update(
            step=st.TESTING,
            progress=PROGRESS[st.TESTING],
            message="Das neue Modell wird mit den Gesprächstests geprüft.",
        )
        out = work / "test"
        command = [
            sys.executable, "-m", "rasa", "test", "core",
            "--stories", str(self.stories_dir),
            "--model", str(model),
            "--endpoints", "config/endpoints.yml",
            "--e2e", "--no-plot",
            "--out", str(out),
            "--fail-on-prediction-errors",
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                env=rasa_environment(self.settings),
                capture_output=True,
                text=True,
                timeout=TEST_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise TrainingFailed(
                "Die Gesprächstests haben zu lange gedauert. Das bisherige Modell ist weiter aktiv."
            ) from None
        if result.returncode != 0:
            raise TrainingFailed(
                "Das neue Modell hat die Gesprächstests nicht bestanden und wird nicht verwendet; "
                "das bisherige Modell ist weiter aktiv. Meldung:\n"
                + _reason_from_output(result.stdout + result.stderr)
            )

    def _activate_and_swap(self, candidate: Path) -> str | None:
        self._update(
            step=st.SWAPPING,
            progress=PROGRESS[st.SWAPPING],
            message="Das neue Modell wird in den laufenden Assistenten geladen.",
        )
        served = model_file(self.settings)
        previous = self.settings.model_dir / PREVIOUS_FILE
        backup = self.settings.model_dir / f".{PREVIOUS_FILE}.before"
        had_previous = previous.exists()
        if had_previous:
            os.replace(previous, backup)
        # The very first model of an installation has nothing to keep for a rollback.
        had_served = served.exists()
        if had_served:
            _replace_file(served, previous)
        _replace_file(candidate, served)
        try:
            answer = request_swap(self.settings, served.name)
        except SwapError as refused:
            # Back to the model the server still serves, so a restart serves it too.
            if had_served:
                _replace_file(previous, served)
            else:
                served.unlink(missing_ok=True)
            if had_previous:
                os.replace(backup, previous)
            raise TrainingFailed(f"{refused} Das bisherige Modell ist weiter aktiv.") from None
        backup.unlink(missing_ok=True)
        return answer.get("model_id")

    # --- rollback -----------------------------------------------------------

    def rollback(self, author: str) -> st.TrainingStatus:
        """Serve the previous model again (and keep the current one as "previous")."""
        with self._lock:
            if self.busy():
                raise TrainingBusy(
                    "Während eines Trainings ist kein Zurücksetzen möglich. Bitte warten."
                )
            served = model_file(self.settings)
            previous = self.settings.model_dir / PREVIOUS_FILE
            if not previous.exists():
                raise RollbackError(
                    "Es gibt kein vorheriges Modell, auf das zurückgesetzt werden kann."
                )
            swap_area = self.settings.model_dir / ".rollback.tar.gz"
            shutil.copyfile(served, swap_area)
            _replace_file(previous, served)
            try:
                answer = request_swap(self.settings, served.name)
            except SwapError as refused:
                os.replace(swap_area, served)
                raise RollbackError(f"{refused} Das bisherige Modell ist weiter aktiv.") from None
            os.replace(swap_area, previous)
            logger.info("Rollback by %s; serving model %s", author, answer.get("model_id"))
            before = st.read_status(self.settings.model_dir)
            return self._update(
                data_at=before.previous_data_at,
                previous_data_at=before.data_at,
                state=st.DONE,
                step=st.DONE,
                progress=100,
                finished_at=st.now(),
                model_version=answer.get("model_id"),
                author=author,
                reason="Zurücksetzen",
                message=f"Zurückgesetzt auf das vorherige Modell (durch {author}).",
            )
