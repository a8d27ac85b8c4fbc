"""Persistent outbox: outgoing chat messages are stored before they are sent.

``from bot.outbox import Outbox, DeliveryWorker`` imports neither Rasa nor
python-telegram-bot. Telegram's sender and message format live in
:mod:`bot.outbox.telegram`.
"""

from bot.outbox.delivery import (
    DeliveryError,
    DeliveryWorker,
    PermanentFailure,
    RecipientGone,
    RetryLater,
)
from bot.outbox.store import FAILED, PENDING, SENT, Outbox, OutboxItem

__all__ = [
    "FAILED",
    "PENDING",
    "SENT",
    "DeliveryError",
    "DeliveryWorker",
    "Outbox",
    "OutboxItem",
    "PermanentFailure",
    "RecipientGone",
    "RetryLater",
]
