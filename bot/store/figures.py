"""The county's figures of a request, written before the request is forgotten.

A request's ``request_figures`` row holds what the reports need (month,
category, language, town, channel, how long the first reply and the closing
took, the interpreters' languages) and nothing about the person: no
reference, no sender, no text. It is written in the same transaction that
deletes or anonymises the request (:mod:`bot.privacy`), so the figures
survive and are never counted twice: live requests count from
``handoff_requests``, forgotten ones from ``request_figures``, and an
anonymised row (sender :data:`ANONYMISED_SENDER`) counts only from its
figures row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.store.db import chunks
from bot.store.models import HandoffRequest, InterpreterAssignment, RequestFigures

#: The sender id an anonymised request keeps (the column may not be empty).
ANONYMISED_SENDER = "anonymised"
#: The county reports by its own calendar months.
REPORT_TIMEZONE = ZoneInfo("Europe/Berlin")

requests_table = HandoffRequest.__table__
assignments_table = InterpreterAssignment.__table__
figures_table = RequestFigures.__table__


def month_of(moment: dt.datetime) -> str:
    """The report month ("YYYY-MM", German time) of an aware datetime."""
    return moment.astimezone(REPORT_TIMEZONE).strftime("%Y-%m")


def seconds_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(int((end - start).total_seconds()), 0)


def archive_figures(connection: sa.engine.Connection, request_ids: Sequence[int]) -> int:
    """Write the figures row of each request (inside the caller's transaction).

    Requests already anonymised have theirs; they are skipped. Returns the
    number of rows written.
    """
    r = requests_table
    written = 0
    for chunk in chunks(list(request_ids)):
        rows = connection.execute(
            sa.select(
                r.c.id, r.c.created_at, r.c.category, r.c.language, r.c.town, r.c.channel,
                r.c.first_reply_at, r.c.closed_at,
            ).where(r.c.id.in_(chunk), r.c.sender_id != ANONYMISED_SENDER)
        ).all()  # fmt: skip
        if not rows:
            continue
        languages: dict[int, list[str]] = {}
        a = assignments_table
        for request_id, language in connection.execute(
            sa.select(a.c.request_id, a.c.language)
            .where(a.c.request_id.in_([row.id for row in rows]), a.c.status == "active")
            .order_by(a.c.id)
        ):
            languages.setdefault(request_id, []).append(language)
        connection.execute(
            figures_table.insert(),
            [
                {
                    "month": month_of(row.created_at),
                    "category": row.category,
                    "language": row.language,
                    "town": row.town,
                    "channel": row.channel,
                    "first_reply_seconds": seconds_between(row.created_at, row.first_reply_at),
                    "close_seconds": seconds_between(row.created_at, row.closed_at),
                    "interpreter_languages": languages.get(row.id, []),
                }
                for row in rows
            ],
        )
        written += len(rows)
    return written
