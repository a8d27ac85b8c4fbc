"""German names of the request categories, as the office and its notifications show them."""

from __future__ import annotations

#: One per :data:`bot.vocabulary.HANDOFF_CATEGORIES` (tests/casework/test_notify.py checks).
CATEGORY_LABELS = {
    "interpreter": "Dolmetschen",
    "human": "Gespräch mit einer Person",
    "welcome_center_referral": "Welcome Center",
    "internship": "Praktikum",
    "mentoring_find": "Mentoring (sucht Begleitung)",
    "mentoring_become": "Mentoring (möchte begleiten)",
    "fallback": "Sonstiges",
}


def category_label(category: str) -> str:
    """The German name of ``category`` (an unknown one as it is)."""
    return CATEGORY_LABELS.get(category, category)
