"""Who else has a request open: a small registry in the office process's memory.

The detail page's script reports every few seconds that its member of staff
still looks at the request; whoever reported in the last minute counts as
"has it open". Nothing is stored: a restart forgets it, and after a minute
of silence a closed tab is gone too. One office process is assumed (waitress
with threads); several processes would each see their own visitors only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

#: How long a colleague counts as looking at a request after their last report.
SEEN_WITHIN = timedelta(seconds=60)


class Presence:
    """reference -> {staff name: last seen}, thread-safe."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self._clock = clock
        self._seen: dict[str, dict[str, datetime]] = {}
        self._lock = threading.Lock()

    def seen(self, reference: str, name: str) -> None:
        """``name`` has ``reference`` open now."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            self._seen.setdefault(reference, {})[name] = now

    def others(self, reference: str, name: str) -> list[str]:
        """Who else looked at ``reference`` within :data:`SEEN_WITHIN`, by name."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            return sorted(other for other in self._seen.get(reference, {}) if other != name)

    def _forget_old(self, now: datetime) -> None:
        for reference in list(self._seen):
            visitors = {
                name: at for name, at in self._seen[reference].items() if now - at <= SEEN_WITHIN
            }
            if visitors:
                self._seen[reference] = visitors
            else:
                del self._seen[reference]
