"""Settings of the unanswered questions: defaults, and a wrong value named clearly."""

from __future__ import annotations

import pytest

from bot.settings import load_settings


def test_defaults_and_values() -> None:
    assert (load_settings({}).unanswered_days, load_settings({}).low_confidence) == (90, 0.45)
    settings = load_settings({"WELCOME_UNANSWERED_DAYS": "30", "WELCOME_LOW_CONFIDENCE": "0,6"})
    assert (settings.unanswered_days, settings.low_confidence) == (30, 0.6)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WELCOME_UNANSWERED_DAYS", "drei"),
        ("WELCOME_UNANSWERED_DAYS", "0"),
        ("WELCOME_LOW_CONFIDENCE", "hoch"),
        ("WELCOME_LOW_CONFIDENCE", "45"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name) as error:
        load_settings({name: value})
    assert repr(value) in str(error.value)
