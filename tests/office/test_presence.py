"""Who else has a request open (the detail page's "also open by")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.office.presence import Presence


def test_colleagues_count_for_a_minute_after_their_last_report():
    now = [datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)]
    presence = Presence(clock=lambda: now[0])

    presence.seen("WL-A", "Anna")
    presence.seen("WL-A", "Ben")
    presence.seen("WL-B", "Cem")
    assert presence.others("WL-A", "Anna") == ["Ben"]
    assert presence.others("WL-A", "Dora") == ["Anna", "Ben"]

    now[0] += timedelta(seconds=45)
    presence.seen("WL-A", "Ben")
    now[0] += timedelta(seconds=30)
    # Anna closed her tab 75 s ago; Ben reported 30 s ago.
    assert presence.others("WL-A", "Dora") == ["Ben"]
    assert presence.others("WL-B", "Dora") == []
