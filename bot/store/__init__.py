"""The assistant's database: handoff requests (and, in :mod:`bot.store.tracker_store`, Rasa's
conversation history).

``from bot.store import RequestStore, StoredRequest`` does not import Rasa and
does not connect to anything; the engine is created on first use.
"""

from bot.store.repository import (
    CATEGORIES,
    STATUSES,
    RequestStore,
    StoredRequest,
    StoreError,
    StoreNotInitialised,
)

__all__ = [
    "CATEGORIES",
    "STATUSES",
    "RequestStore",
    "StoreError",
    "StoreNotInitialised",
    "StoredRequest",
]
