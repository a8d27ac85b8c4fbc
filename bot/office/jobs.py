"""The office process's background work: sending e-mail and staff notices, periodic jobs.

``welcome office`` calls :func:`start_background_jobs` once before serving
and :meth:`OfficeJobs.stop` on shutdown. Everything runs in one daemon
thread with its own asyncio loop, beside the WSGI server's threads:

* a :class:`~bot.outbox.DeliveryWorker` for channel ``email`` (SMTP; only
  when ``WELCOME_SMTP_HOST`` is set, else e-mails wait in the outbox);
* one for ``staff_telegram`` (the staff group's own bot; only when its token
  and chat id are set);
* periodic jobs (:meth:`OfficeJobs.every`): the unclaimed alert every minute,
  and whatever the app registers (the e-mail fallback, retention, …).

A job that fails is logged with its name and the error's type (never a
text) and runs again at its next turn; nothing stops the loop but
:meth:`OfficeJobs.stop`. The Rasa server delivers the newcomers' Telegram
messages; the office never sends on that channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.casework.notify import STAFF_TELEGRAM, StaffNotifier
from bot.outbox.delivery import DeliveryWorker, Sender
from bot.outbox.email import CHANNEL as EMAIL
from bot.outbox.email import make_sender
from bot.outbox.store import Outbox
from bot.settings import Settings

logger = logging.getLogger(__name__)

#: How often requests are checked for the unclaimed alert.
UNCLAIMED_CHECK_SECONDS = 60.0
#: How long :meth:`OfficeJobs.stop` waits for the thread (a send in progress may finish).
STOP_TIMEOUT_SECONDS = 15.0
#: Telegram allows about 20 messages a minute into one group.
STAFF_GROUP_RATE = 0.3

#: A job: a plain function (run in a worker thread, so database calls never
#: hold up sending) or a coroutine function (awaited in the loop).
Job = Callable[[], Any]


@dataclass
class PeriodicJob:
    name: str
    seconds: float
    run: Job
    runs: int = 0
    failures: int = 0


class OfficeJobs:
    """Delivery workers and periodic jobs in a daemon thread (see the module's docstring).

    ``worker_options`` go to every :class:`DeliveryWorker` (tests make retries fast).
    """

    def __init__(self, settings: Settings, **worker_options: Any) -> None:
        self.settings = settings
        self.outbox = Outbox(settings.database_url)
        self.notifier = StaffNotifier(settings)
        self.jobs: dict[str, PeriodicJob] = {}
        self.workers: dict[str, DeliveryWorker] = {}
        self._worker_options = worker_options
        self._bots: list[Any] = []
        self._draining: list[_Draining] = []
        self._tasks: dict[str, asyncio.Task] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.every(UNCLAIMED_CHECK_SECONDS, "unclaimed-alert", self.notifier.alert_unclaimed)

    # -- jobs -------------------------------------------------------------------------

    def every(self, seconds: float, name: str, run: Job) -> None:
        """Run ``run()`` now and then every ``seconds`` (before or after :meth:`start`).

        A name registered again replaces the earlier job.
        """
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        job = PeriodicJob(name, float(seconds), run)
        with self._lock:
            self.jobs[name] = job
            loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._start_job, job)

    def wake(self, channel: str = EMAIL) -> None:
        """Rows of ``channel`` were just written: send now instead of at the next poll.

        Safe from any thread (a Flask request that queued an e-mail).
        """
        worker, loop = self.workers.get(channel), self._loop
        if worker is not None and loop is not None:
            loop.call_soon_threadsafe(worker.wake)

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> OfficeJobs:
        """Start the thread; returns once the workers and jobs are running."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._ready.clear()
        self._thread = threading.Thread(target=self._thread_main, name="office-jobs", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=STOP_TIMEOUT_SECONDS)
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stop the workers and jobs and wait for the thread (a send in progress finishes)."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop ended already
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("Office background jobs did not stop within %.0f s", timeout)
            return
        self._thread = None
        self.outbox.close()
        self.notifier.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> OfficeJobs:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- in the thread ----------------------------------------------------------------

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:  # the thread must say why it ended
            logger.exception("Office background jobs ended")
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        for channel, send in self._senders().items():
            guarded = _Draining(send)
            self._draining.append(guarded)
            worker = DeliveryWorker(self.outbox, channel, guarded, **self._options(channel))
            self.workers[channel] = worker
            worker.start()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            jobs = list(self.jobs.values())
        for job in jobs:
            self._start_job(job)
        logger.info(
            "Office background jobs started (delivery: %s; jobs: %s)",
            ", ".join(self.workers) or "none",
            ", ".join(job.name for job in jobs),
        )
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            with self._lock:
                self._loop = None
            await self._finish_sends()
            for task in self._tasks.values():
                task.cancel()
            for task in self._tasks.values():
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._tasks.clear()
            for worker in self.workers.values():
                await worker.stop()
            self.workers.clear()
            await self._close_bots()

    def _senders(self) -> dict[str, Sender]:
        senders: dict[str, Sender] = {}
        email = make_sender(self.settings)  # None: logged once, the e-mails wait
        if email is not None:
            senders[EMAIL] = email
        token = self.settings.staff_telegram_bot_token
        if token and self.settings.staff_telegram_chat_id:
            # python-telegram-bot is imported only when the staff group is configured.
            from bot.outbox.telegram import TelegramSender, make_bot

            bot = make_bot(token, self.settings.staff_telegram_api_base_url, pool_size=2)
            self._bots.append(bot)
            senders[STAFF_TELEGRAM] = TelegramSender(bot)
        return senders

    def _options(self, channel: str) -> dict[str, Any]:
        options: dict[str, Any] = {"concurrency": 2}
        if channel == STAFF_TELEGRAM:
            options.update(per_recipient_rate=STAFF_GROUP_RATE, per_recipient_burst=5)
        else:
            # A mail server takes a few a second; each message is its own connection.
            options.update(per_recipient_rate=1.0, global_rate=5.0)
        options.update(self._worker_options)
        return options

    async def _finish_sends(self) -> None:
        """Let messages on their way arrive and be marked sent, so a restart never repeats them."""
        for guarded in self._draining:
            guarded.closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_TIMEOUT_SECONDS - 5
        while any(guarded.in_flight for guarded in self._draining) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        self._draining.clear()

    async def _close_bots(self) -> None:
        from bot.outbox.telegram import close_bot

        while self._bots:
            bot = self._bots.pop()
            with contextlib.suppress(Exception):
                await close_bot(bot)

    def _start_job(self, job: PeriodicJob) -> None:
        previous = self._tasks.pop(job.name, None)
        if previous is not None:
            previous.cancel()
        self._tasks[job.name] = asyncio.get_running_loop().create_task(
            self._repeat(job), name=f"office-job-{job.name}"
        )

    async def _repeat(self, job: PeriodicJob) -> None:
        while True:
            await self._run_once(job)
            await asyncio.sleep(job.seconds)

    async def _run_once(self, job: PeriodicJob) -> None:
        try:
            if inspect.iscoroutinefunction(job.run):
                await job.run()
            else:
                await asyncio.to_thread(job.run)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one job's failure never stops the others
            job.failures += 1
            # The type only: an error's text may quote what a newcomer wrote.
            logger.warning("Office job %s failed (%s)", job.name, type(exc).__name__)
        else:
            # What the job queued (staff notices, fallback e-mails) goes out at once.
            for worker in self.workers.values():
                worker.wake()
        finally:
            job.runs += 1


class _Draining:
    """A sender that, once ``closing``, starts nothing new and counts what is on its way."""

    def __init__(self, send: Sender) -> None:
        self._send = send
        self.closing = False
        self.in_flight = 0

    async def __call__(self, recipient: str, payload: dict[str, Any]) -> None:
        if self.closing:
            # Wait for the worker's cancellation: the row stays as it is, due at once.
            await asyncio.Event().wait()
        self.in_flight += 1
        try:
            await self._send(recipient, payload)
        finally:
            self.in_flight -= 1


def start_background_jobs(settings: Settings, **worker_options: Any) -> OfficeJobs:
    """Start the office's delivery workers and periodic jobs; call ``.stop()`` on shutdown.

    Register further jobs on the result: ``jobs.every(60, "email-fallback", fallback)``.
    """
    return OfficeJobs(settings, **worker_options).start()


#: How often replies the chat could not deliver are looked at for the e-mail fallback.
EMAIL_FALLBACK_SECONDS = 60
#: Retention runs at the office's start and then daily.
RETENTION_SECONDS = 24 * 3600
#: Unanswered questions in other languages get their German translation this often.
UNANSWERED_TRANSLATION_SECONDS = 300


def start_office_jobs(settings: Settings) -> OfficeJobs:
    """Everything `welcome office` runs besides its pages.

    Delivery of e-mails and staff notices, the unclaimed-request reminder,
    the e-mail fallback for replies the chat could not deliver, and the daily
    retention run (:func:`bot.privacy.run_retention`), and the German translations of
    unanswered questions (:func:`bot.chatfigures.unanswered.translate_unanswered`).
    """
    from bot import privacy
    from bot.casework.fallback import email_fallback
    from bot.chatfigures.unanswered import translate_unanswered

    jobs = start_background_jobs(settings)

    def fallback() -> None:
        if email_fallback(settings.database_url, settings):
            jobs.wake(EMAIL)

    jobs.every(EMAIL_FALLBACK_SECONDS, "email-fallback", fallback)
    jobs.every(RETENTION_SECONDS, "retention", lambda: privacy.run_retention(settings))
    jobs.every(
        UNANSWERED_TRANSLATION_SECONDS,
        "unanswered-translation",
        lambda: translate_unanswered(settings.database_url),
    )
    return jobs
