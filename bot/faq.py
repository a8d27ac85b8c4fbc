"""The FAQ's names shared by the NLU (bot.nlu.faq) and the action that answers.

The NLU marks a message as an FAQ with the intent ``faq`` and the entity
``faq_id``; the action reads the id back from the parse data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FAQ_INTENT = "faq"
FAQ_ENTITY = "faq_id"


def faq_id_of(parse_data: Mapping[str, Any] | None) -> str | None:
    """The FAQ id the NLU found in a message (its last ``faq_id`` entity), if any."""
    entities = (parse_data or {}).get("entities") or []
    ids = [e.get("value") for e in entities if e.get("entity") == FAQ_ENTITY and e.get("value")]
    return str(ids[-1]) if ids else None
