"""The delivery worker: sends the outbox's messages until the channel accepts them.

Rules (the same for every channel; the channel's sender says what an error means):

* Messages of one recipient go out in the order they were written: only the
  oldest waiting message of a recipient is ever tried.
* :class:`RetryLater` (a network error, a 5xx, Telegram's 429): the message
  is tried again, after the time the channel asked for or with exponential
  backoff (``retry_base_seconds`` doubling up to ``retry_max_seconds``).
  Nothing is given up because of an outage, however long.
* :class:`PermanentFailure` (e.g. Telegram's 400): the message is marked
  failed and the recipient's next message goes on.
* :class:`RecipientGone` (the user blocked the bot): everything waiting for
  the recipient is marked failed; retrying could never succeed.
* Pacing: at most ``per_recipient_burst`` messages at once to a recipient,
  then ``per_recipient_rate`` per second; ``global_rate`` per second overall
  (Telegram: about one message per second per chat, 30 per second in total).

The worker keeps no state of its own that matters: after a restart it
starts with whatever the table holds. One worker per channel and database
is assumed (the Rasa server runs one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.outbox.store import Outbox, OutboxItem, utcnow

logger = logging.getLogger(__name__)

#: ``send(recipient, payload)``: delivers one message or raises a :class:`DeliveryError`.
Sender = Callable[[str, dict[str, Any]], Awaitable[None]]

#: Never retry sooner than this, whatever the settings (no busy loop).
MIN_RETRY_SECONDS = 0.05


class DeliveryError(Exception):
    """A message could not be delivered now. The text never contains the message."""


class RetryLater(DeliveryError):
    """Try again: after ``after`` seconds if given, else with backoff.

    ``pause_all``: the channel asked to slow down as a whole (Telegram's 429),
    so no message at all is sent before ``after`` has passed.
    """

    def __init__(self, reason: str, after: float | None = None, *, pause_all: bool = False):
        super().__init__(reason)
        self.after = after
        self.pause_all = pause_all


class PermanentFailure(DeliveryError):
    """This message will never be accepted (e.g. a bad request)."""


class RecipientGone(PermanentFailure):
    """No message will ever reach this recipient again (e.g. the user blocked the bot)."""


class Pacer:
    """Rate limits per recipient and overall (generic cell rate algorithm, no background task).

    A sender first waits for its recipient's slot, then for a slot overall;
    each ``reserve_*`` takes the slot at once and returns how long to wait
    for it, so concurrent senders queue up behind each other.
    """

    def __init__(
        self,
        per_key_rate: float,
        per_key_burst: int,
        global_rate: float,
        global_burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key_interval = 1.0 / per_key_rate
        self._key_slack = (max(per_key_burst, 1) - 1) * self._key_interval
        self._global_interval = 1.0 / global_rate
        burst = global_burst if global_burst is not None else max(int(global_rate), 1)
        self._global_slack = (burst - 1) * self._global_interval
        self._clock = clock
        self._global_tat = 0.0
        self._key_tat: dict[str, float] = {}

    def reserve_key(self, key: str) -> float:
        now = self._clock()
        tat = self._key_tat.get(key, now)
        start = max(now, tat - self._key_slack)
        self._key_tat[key] = max(tat, start) + self._key_interval
        if len(self._key_tat) > 10_000:
            # Forget recipients whose slots lie in the past: they start fresh anyway.
            self._key_tat = {k: t for k, t in self._key_tat.items() if t > now}
        return start - now

    def reserve_global(self) -> float:
        now = self._clock()
        start = max(now, self._global_tat - self._global_slack)
        self._global_tat = max(self._global_tat, start) + self._global_interval
        return start - now

    async def wait(self, key: str) -> None:
        delay = self.reserve_key(key)
        if delay > 0:
            await asyncio.sleep(delay)
        delay = self.reserve_global()
        if delay > 0:
            await asyncio.sleep(delay)


class DeliveryWorker:
    """Delivers ``channel``'s waiting messages with ``send``.

    Call :meth:`start` in the event loop (it runs until :meth:`stop`),
    :meth:`wake` after writing new messages, or :meth:`deliver_pending` to
    send what is due now without the background task.
    """

    def __init__(
        self,
        outbox: Outbox,
        channel: str,
        send: Sender,
        *,
        retry_base_seconds: float = 2.0,
        retry_max_seconds: float = 300.0,
        poll_seconds: float = 5.0,
        per_recipient_rate: float = 1.0,
        per_recipient_burst: int = 5,
        global_rate: float = 30.0,
        concurrency: int = 8,
        batch: int = 500,
        retention_days: float = 7.0,
    ) -> None:
        self.outbox = outbox
        self.channel = channel
        self._send = send
        self._retry_base = max(retry_base_seconds, MIN_RETRY_SECONDS)
        self._retry_max = max(retry_max_seconds, self._retry_base)
        self._poll = poll_seconds
        self._pacer = Pacer(per_recipient_rate, per_recipient_burst, global_rate)
        self._concurrency = concurrency
        self._batch = batch
        self._retention = dt.timedelta(days=retention_days)
        self._paused_until = 0.0  # time.monotonic()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._last_purge = 0.0

    # -- control ----------------------------------------------------------------------

    def start(self) -> asyncio.Task:
        """Run in the current event loop; pending messages from before a restart go first."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self.run(), name=f"outbox-{self.channel}"
            )
        return self._task

    def wake(self) -> None:
        """New messages were written: look at the table now instead of at the next poll."""
        if self._wake is not None:
            self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        if self._wake is None:
            self._wake = asyncio.Event()
        while True:
            self._wake.clear()
            try:
                await self.deliver_pending()
                self._purge_now_and_then()
                delay = self._next_delay()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again at the next poll
                logger.warning("Outbox %s: cannot deliver now (%s)", self.channel, _describe(exc))
                delay = self._poll
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(delay, MIN_RETRY_SECONDS))

    # -- delivering -------------------------------------------------------------------

    async def deliver_pending(self) -> int:
        """Send every message that is due now (and those that become due meanwhile).

        Each recipient's messages go one after the other in their own task, so
        a turn's second message follows its first at once instead of waiting
        for every other chat's first message.
        """
        sent = 0
        semaphore = asyncio.Semaphore(self._concurrency)
        while not self._paused():
            queues = self.outbox.due_queues(self.channel, utcnow(), self._batch)
            if not queues:
                break
            results = await asyncio.gather(*(self._deliver(queue, semaphore) for queue in queues))
            sent += sum(results)
        return sent

    async def _deliver(self, queue: list[OutboxItem], semaphore: asyncio.Semaphore) -> int:
        """Send one recipient's messages in order; stop at the first that is not accepted."""
        sent = 0
        for item in queue:
            if self._paused():
                break
            # Waiting for the pace holds no slot: other chats' messages go meanwhile.
            await self._pacer.wait(item.recipient)
            async with semaphore:
                if self._paused() or not await self._deliver_one(item):
                    break
            sent += 1
        return sent

    async def _deliver_one(self, item: OutboxItem) -> bool:
        try:
            await self._send(item.recipient, item.payload)
        except RecipientGone as exc:
            self.outbox.mark_failed(item.id, str(exc))
            dropped = self.outbox.fail_recipient(self.channel, item.recipient, str(exc))
            logger.info(
                "Outbox %s: recipient unreachable for good (%s); %d waiting message(s) dropped",
                self.channel,
                exc,
                dropped + 1,
            )
        except PermanentFailure as exc:
            self.outbox.mark_failed(item.id, str(exc))
            logger.warning("Outbox %s: message %d refused (%s)", self.channel, item.id, exc)
        except RetryLater as exc:
            self._retry(item, str(exc), exc.after, pause_all=exc.pause_all)
        except Exception as exc:  # a bug or an unknown error: keep the message, retry later
            self._retry(item, _describe(exc), None)
        else:
            self.outbox.mark_sent(item.id)
            return True
        return False

    def _retry(self, item: OutboxItem, error: str, after: float | None, *, pause_all=False) -> None:
        if after is None:
            after = min(self._retry_base * 2**item.attempts, self._retry_max)
        after = max(after, MIN_RETRY_SECONDS)
        if pause_all:
            self._paused_until = max(self._paused_until, time.monotonic() + after)
        self.outbox.mark_retry(item.id, utcnow() + dt.timedelta(seconds=after), error)
        # One failure is routine (a blip, a 429); the third in a row means an outage.
        level = logging.WARNING if item.attempts + 1 == 3 else logging.INFO
        logger.log(
            level,
            "Outbox %s: message %d not delivered (attempt %d: %s); next try in %.1f s",
            self.channel,
            item.id,
            item.attempts + 1,
            error,
            after,
        )

    # -- timing -----------------------------------------------------------------------

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _next_delay(self) -> float:
        delay = self._poll
        if self._paused():
            delay = min(delay, self._paused_until - time.monotonic())
        due = self.outbox.next_attempt_at(self.channel)
        if due is not None:
            delay = min(delay, (due - utcnow()).total_seconds())
        return delay

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_purge < 3600:
            return
        self._last_purge = now
        removed = self.outbox.purge_finished(utcnow() - self._retention)
        if removed:
            logger.info("Outbox %s: %d delivered or failed row(s) removed", self.channel, removed)


def _describe(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
