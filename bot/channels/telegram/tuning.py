"""The Telegram channel's numbers: flood limits, retry timing, pacing. Each default is here only.

``config/credentials.yml`` may override any of them under the channel's entry;
the load benchmark (``bench/load.py``) reads them from here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TelegramTuning:
    """Flood, retry and pacing settings of the Telegram channel."""

    #: Messages per chat within the window; the first one over the limit gets
    #: a notice, later ones are dropped until the window has passed.
    flood_limit: int = 12
    flood_window_seconds: float = 30.0
    #: Delivery retries: the first pause, and the longest (doubling in between).
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 300.0
    #: How often the delivery worker looks for messages written by other processes.
    poll_seconds: float = 5.0
    #: Telegram's limits for bots: about 30 messages per second in all, and one
    #: per second in a chat after a short burst. A bot Telegram allows more
    #: (e.g. with paid broadcasts) may raise them; the load benchmark does.
    messages_per_second: float = 30.0
    chat_messages_per_second: float = 1.0
    chat_burst: int = 5

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> TelegramTuning:
        """The defaults, overridden by the channel's entry in ``config/credentials.yml``.

        Raises:
            ValueError: an unknown option (a typo would otherwise go unnoticed)
                or a value that is not a number.
        """
        known = {field.name: type(field.default) for field in fields(cls)}
        given = {name: value for name, value in (options or {}).items() if value is not None}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ValueError(
                f"config/credentials.yml, Telegram channel: unknown option(s) "
                f"{', '.join(unknown)}; known: {', '.join(known)}"
            )
        try:
            return cls(**{name: known[name](value) for name, value in given.items()})
        except (TypeError, ValueError) as error:
            raise ValueError(f"config/credentials.yml, Telegram channel: {error}") from None

    def worker_options(self) -> dict[str, float]:
        """Keyword arguments of :class:`bot.outbox.DeliveryWorker`."""
        return {
            "retry_base_seconds": self.retry_base_seconds,
            "retry_max_seconds": self.retry_max_seconds,
            "poll_seconds": self.poll_seconds,
            "global_rate": self.messages_per_second,
            "per_recipient_rate": self.chat_messages_per_second,
            "per_recipient_burst": self.chat_burst,
        }
