"""Per-conversation flood protection, shared by the Telegram and web chat channels."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FloodGuard:
    """At most ``limit`` messages per ``window`` seconds per chat.

    :meth:`check` says ``"ok"``, ``"notify"`` (the first message over the
    limit: tell the user once) or ``"drop"`` (further ones, silently).
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._notified: dict[str, float] = {}

    def check(self, chat: str) -> str:
        now = self._clock()
        times = self._seen.setdefault(chat, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            if len(self._seen) > 10_000:
                self._forget_quiet_chats(now)
            return "ok"
        if now - self._notified.get(chat, -self.window) >= self.window:
            self._notified[chat] = now
            return "notify"
        return "drop"

    def _forget_quiet_chats(self, now: float) -> None:
        self._seen = {c: t for c, t in self._seen.items() if t and now - t[-1] < self.window}
        self._notified = {c: t for c, t in self._notified.items() if now - t < self.window}
