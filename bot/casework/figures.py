"""The county's figures: requests per month by category, language, town and channel,
how long the first reply and the closing took, interpreters booked by language.

Counted from the live requests (``handoff_requests`` with their active
``interpreter_assignments``) together with the figures of requests already
deleted or anonymised (``request_figures``, written by :mod:`bot.privacy`
before a request is forgotten). An anonymised request counts only from its
figures row. Nothing here reads or returns a reference, a sender or a text:
the figures are for reports that leave the office.

Months are calendar months in German time (:func:`bot.store.figures.month_of`).
Medians are computed in Python from the durations (a few thousand requests a
year; no database's median function needed).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bot.casework.labels import CATEGORY_LABELS, CHANNEL_LABELS
from bot.store.db import LazyDatabase
from bot.store.figures import (
    ANONYMISED_SENDER,
    REPORT_TIMEZONE,
    month_of,
    seconds_between,
)
from bot.store.models import HandoffRequest, InterpreterAssignment, RequestFigures

NO_TOWN = "ohne Angabe"
MONTH_NAMES = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
#: The longest range the page computes (ten years of months).
MAX_MONTHS = 120


@dataclass(frozen=True)
class Record:
    """One request as the figures see it (live or archived)."""

    month: str
    category: str
    language: str
    town: str | None
    channel: str
    first_reply_seconds: int | None
    close_seconds: int | None
    interpreter_languages: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """One figure: a table (and the chart drawn from it).

    ``rows``: one per month (or per language), ``columns``: the series. ``kind``
    says how the chart shows it: ``stacked`` bars of counts, ``lines`` of hours,
    ``bars`` of counts per label.
    """

    name: str
    title: str
    description: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float | int | None, ...]], ...]
    kind: str
    unit: str = "Anfragen"

    @property
    def empty(self) -> bool:
        return not any(value for _, values in self.rows for value in values if value)


@dataclass(frozen=True)
class MonthRange:
    start: str  # "YYYY-MM"
    end: str

    @classmethod
    def last_months(cls, count: int = 12, today: dt.date | None = None) -> MonthRange:
        today = today or dt.datetime.now(REPORT_TIMEZONE).date()
        end = f"{today.year:04d}-{today.month:02d}"
        return cls(_shift(end, -(count - 1)), end)

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: dt.date | None = None) -> MonthRange:
        """From the page's form; odd values fall back to the last twelve months."""
        default = cls.last_months(today=today)
        start = start if _is_month(start) else default.start
        end = end if _is_month(end) else default.end
        if start > end:
            start, end = end, start
        if len(months_between(start, end)) > MAX_MONTHS:
            start = _shift(end, -(MAX_MONTHS - 1))
        return cls(start, end)

    @property
    def months(self) -> list[str]:
        return months_between(self.start, self.end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """UTC instants of the first moment of ``start`` and of the month after ``end``."""
        return _month_start(self.start), _month_start(_shift(self.end, 1))


def _is_month(value: str | None) -> bool:
    if not value or len(value) != 7 or value[4] != "-":
        return False
    year, month = value[:4], value[5:]
    return (
        year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12
    )


def _shift(month: str, by: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_start(month: str) -> dt.datetime:
    local = dt.datetime(int(month[:4]), int(month[5:]), 1, tzinfo=REPORT_TIMEZONE)
    return local.astimezone(dt.timezone.utc)


def months_between(start: str, end: str) -> list[str]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = _shift(month, 1)
    return months


def month_label(month: str) -> str:
    """ "2024-03" as "Mär 2024"."""
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def median_hours(seconds: Iterable[int | None]) -> float | None:
    values = [value for value in seconds if value is not None]
    if not values:
        return None
    return round(statistics.median(values) / 3600, 1)


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code)


def language_label(code: str) -> str:
    from bot.language_names import display_name

    name = display_name(code, "de")
    return f"{name} ({code})" if name and name != code else code


class Figures(LazyDatabase):
    """Reads the figures of the database at ``database_url``."""

    def records(self, months: MonthRange) -> list[Record]:
        """Every request created in ``months``: live ones and those already forgotten."""
        start, end = months.bounds()
        r = HandoffRequest.__table__
        a = InterpreterAssignment.__table__
        f = RequestFigures.__table__
        with self._get_engine().connect() as connection:
            live = connection.execute(
                sa.select(
                    r.c.id, r.c.created_at, r.c.category, r.c.language, r.c.town, r.c.channel,
                    r.c.first_reply_at, r.c.closed_at,
                ).where(
                    r.c.created_at >= start, r.c.created_at < end,
                    r.c.sender_id != ANONYMISED_SENDER,
                )
            ).all()  # fmt: skip
            booked: dict[int, list[str]] = {}
            if live:
                query = (
                    sa.select(a.c.request_id, a.c.language)
                    .join(r, r.c.id == a.c.request_id)
                    .where(
                        a.c.status == "active",
                        r.c.created_at >= start,
                        r.c.created_at < end,
                        r.c.sender_id != ANONYMISED_SENDER,
                    )
                    .order_by(a.c.id)
                )
                for request_id, language in connection.execute(query):
                    booked.setdefault(request_id, []).append(language)
            archived = connection.execute(
                sa.select(
                    f.c.month, f.c.category, f.c.language, f.c.town, f.c.channel,
                    f.c.first_reply_seconds, f.c.close_seconds, f.c.interpreter_languages,
                ).where(f.c.month >= months.start, f.c.month <= months.end)
            ).all()  # fmt: skip
        records = [
            Record(
                month=month_of(row.created_at),
                category=row.category,
                language=row.language,
                town=row.town,
                channel=row.channel,
                first_reply_seconds=seconds_between(row.created_at, row.first_reply_at),
                close_seconds=seconds_between(row.created_at, row.closed_at),
                interpreter_languages=tuple(booked.get(row.id, ())),
            )
            for row in live
        ]
        records += [
            Record(
                month=row.month,
                category=row.category,
                language=row.language,
                town=row.town,
                channel=row.channel,
                first_reply_seconds=row.first_reply_seconds,
                close_seconds=row.close_seconds,
                interpreter_languages=tuple(row.interpreter_languages or ()),
            )
            for row in archived
        ]
        return records

    def report(self, months: MonthRange) -> list[Figure]:
        return build_figures(self.records(months), months.months)


def _by_month(
    name: str,
    title: str,
    description: str,
    records: Sequence[Record],
    months: Sequence[str],
    key,
    label,
) -> Figure:
    values = sorted({key(record) for record in records}, key=lambda value: label(value).lower())
    counts = Counter((record.month, key(record)) for record in records)
    rows = tuple(
        (month_label(month), tuple(counts[(month, value)] for value in values)) for month in months
    )
    total = ("Summe", tuple(sum(counts[(m, value)] for m in months) for value in values))
    return Figure(
        name=name,
        title=title,
        description=description,
        row_header="Monat",
        columns=tuple(label(value) for value in values),
        rows=(*rows, total),
        kind="stacked",
    )


#: The figures, in the order the page shows them: URL name -> title.
FIGURE_NAMES = {
    "kategorien": "Anfragen nach Anliegen",
    "sprachen": "Anfragen nach Sprache",
    "orte": "Anfragen nach Wohnort",
    "kanaele": "Anfragen nach Kanal",
    "bearbeitungszeiten": "Bearbeitungszeiten (Median)",
    "dolmetschen": "Dolmetscheinsätze nach Sprache",
}


def build_figures(records: Sequence[Record], months: Sequence[str]) -> list[Figure]:
    """The page's figures from ``records`` (pure: tested with hand-computed values)."""
    figures = [
        _by_month(
            "kategorien", FIGURE_NAMES["kategorien"], "Neue Anfragen je Monat nach Anliegen.",
            records, months, lambda record: record.category, category_label,
        ),
        _by_month(
            "sprachen", FIGURE_NAMES["sprachen"],
            "Neue Anfragen je Monat nach der Sprache, in der geschrieben wurde.",
            records, months, lambda record: record.language, language_label,
        ),
        _by_month(
            "orte", FIGURE_NAMES["orte"], "Neue Anfragen je Monat nach Stadt oder Gemeinde.",
            records, months, lambda record: record.town or NO_TOWN, str,
        ),
        _by_month(
            "kanaele", FIGURE_NAMES["kanaele"],
            "Neue Anfragen je Monat nach dem Weg, auf dem sie kamen.",
            records, months, lambda record: record.channel, channel_label,
        ),
    ]  # fmt: skip
    timing_rows = []
    for month in months:
        in_month = [record for record in records if record.month == month]
        timing_rows.append(
            (
                month_label(month),
                (
                    median_hours(record.first_reply_seconds for record in in_month),
                    median_hours(record.close_seconds for record in in_month),
                ),
            )
        )
    timing_rows.append(
        (
            "Gesamter Zeitraum",
            (
                median_hours(record.first_reply_seconds for record in records),
                median_hours(record.close_seconds for record in records),
            ),
        )
    )
    figures.append(
        Figure(
            name="bearbeitungszeiten",
            title=FIGURE_NAMES["bearbeitungszeiten"],
            description=(
                "Median der Stunden vom Eingang bis zur ersten Antwort und bis zum Abschluss, "
                "nach Eingangsmonat (nur beantwortete bzw. abgeschlossene Anfragen)."
            ),
            row_header="Monat",
            columns=("Erste Antwort (Std.)", "Abschluss (Std.)"),
            rows=tuple(timing_rows),
            kind="lines",
            unit="Stunden",
        )
    )
    booked = Counter(language for record in records for language in record.interpreter_languages)
    languages = sorted(booked, key=lambda code: (-booked[code], language_label(code).lower()))
    figures.append(
        Figure(
            name="dolmetschen",
            title=FIGURE_NAMES["dolmetschen"],
            description=(
                "Gebuchte (nicht abgesagte) Dolmetscheinsätze für Anfragen des Zeitraums, "
                "nach Sprache."
            ),
            row_header="Sprache",
            columns=("Einsätze",),
            rows=tuple((language_label(code), (booked[code],)) for code in languages),
            kind="bars",
            unit="Einsätze",
        )
    )
    return figures
