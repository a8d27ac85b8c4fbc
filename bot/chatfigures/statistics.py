"""What the office's statistics page shows, from the anonymous tables only.

Every number comes from ``chat_figures`` (turns, fallbacks, conversations,
handoffs per day, language and topic) and ``answer_feedback`` (votes); no
table with a sender or a text is read, so nothing on the page or in its CSV
files can name a person. The figures reuse :class:`bot.casework.figures.Figure`,
so the office draws them and exports them like the county's request figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bot.casework.figures import Figure
from bot.store.chat_figures import chat_figures_table, feedback_table
from bot.store.figures import REPORT_TIMEZONE

#: Names of the figures (the CSV routes accept only these).
STATISTICS_NAMES = (
    "gespraeche", "sprachen", "themen", "quoten", "rueckmeldungen", "schlechteste",
)  # fmt: skip
#: An answer needs this many votes to be among the worst rated (one vote says little).
MIN_VOTES_FOR_RANKING = 3
#: How many answers the worst-rated list shows.
WORST_SHOWN = 10
#: The default period: the last 30 days.
DEFAULT_DAYS = 30
#: At most this long a period (a row per day).
MAX_DAYS = 366
TOTAL = "Summe"


class DayRangeError(ValueError):
    """The period asked for is not valid (German message for the page)."""


@dataclass(frozen=True)
class DayRange:
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: dt.date | None = None) -> DayRange:
        """From the page's ``von``/``bis`` (YYYY-MM-DD); the last 30 days when empty."""
        today = today or dt.datetime.now(REPORT_TIMEZONE).date()
        try:
            last = dt.date.fromisoformat(end) if end else today
            first = (
                dt.date.fromisoformat(start)
                if start
                else last - dt.timedelta(days=DEFAULT_DAYS - 1)
            )
        except ValueError:
            raise DayRangeError("Bitte Daten im Format JJJJ-MM-TT angeben.") from None
        if first > last:
            raise DayRangeError("Das Startdatum liegt nach dem Enddatum.")
        if (last - first).days >= MAX_DAYS:
            raise DayRangeError(f"Höchstens {MAX_DAYS} Tage auf einmal.")
        return cls(first, last)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def day_label(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


class ChatStatistics:
    """The statistics of a period, read from the anonymous tables of ``engine``."""

    def __init__(
        self,
        engine: sa.engine.Engine,
        language_label: Callable[[str], str] = lambda code: code or "unbekannt",
        topic_label: Callable[[str], str] = lambda topic: topic or "(ohne Absicht)",
    ) -> None:
        self.engine = engine
        self.language_label = language_label
        self.topic_label = topic_label

    def _figure_rows(self, days: DayRange) -> list:
        t = chat_figures_table
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(
                    t.c.day, t.c.language, t.c.topic, t.c.turns, t.c.fallbacks,
                    t.c.low_confidence, t.c.conversations, t.c.handoffs,
                ).where(t.c.day >= days.start, t.c.day <= days.end)
            ).all()  # fmt: skip

    def _votes(self, days: DayRange) -> list:
        t = feedback_table
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(t.c.answer_id, t.c.helpful, sa.func.count())
                .where(t.c.day >= days.start, t.c.day <= days.end)
                .group_by(t.c.answer_id, t.c.helpful)
            ).all()

    def report(self, days: DayRange) -> list[Figure]:
        rows = self._figure_rows(days)
        votes = self._votes(days)
        return [
            self.conversations_per_day(days, rows),
            self.by_language(rows),
            self.by_topic(rows),
            self.rates_per_day(days, rows),
            self.feedback_per_answer(votes),
            self.worst_rated(votes),
        ]

    def conversations_per_day(self, days: DayRange, rows: list) -> Figure:
        per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            per_day[row.day][0] += row.conversations
            per_day[row.day][1] += row.turns
        table = [(day_label(day), tuple(per_day[day])) for day in days.days()]
        total = (sum(v[0] for _, v in table), sum(v[1] for _, v in table))
        return Figure(
            name="gespraeche",
            title="Gespräche und Nachrichten pro Tag",
            description="Begonnene Gespräche (auch ein neuer Anlauf nach langer Pause zählt "
            "als neues Gespräch) und Nachrichten der Nutzerinnen und Nutzer.",
            row_header="Tag",
            columns=("Gespräche", "Nachrichten"),
            rows=(*table, (TOTAL, total)),
            kind="lines",
            unit="Anzahl",
        )

    def by_language(self, rows: list) -> Figure:
        per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            per_language[row.language][0] += row.conversations
            per_language[row.language][1] += row.turns
        ordered = sorted(per_language.items(), key=lambda item: (-item[1][1], item[0]))
        return Figure(
            name="sprachen",
            title="Nach Sprache",
            description="Gespräche und Nachrichten nach der Sprache, in der der "
            "Willkommenslotse geantwortet hat.",
            row_header="Sprache",
            columns=("Gespräche", "Nachrichten"),
            rows=tuple((self.language_label(code), tuple(v)) for code, v in ordered),
            kind="bars",
            unit="Gespräche",
        )

    def by_topic(self, rows: list) -> Figure:
        per_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for row in rows:
            counts = per_topic[row.topic]
            counts[0] += row.turns
            counts[1] += row.fallbacks
            counts[2] += row.low_confidence
        ordered = sorted(per_topic.items(), key=lambda item: (-item[1][0], item[0]))
        return Figure(
            name="themen",
            title="Nach Anliegen und FAQ",
            description="Nachrichten nach dem erkannten Anliegen (Intent) oder der "
            "FAQ-Frage; „nlu_fallback“: nicht verstanden. Unsicher: mit geringer "
            "Sicherheit erkannt.",
            row_header="Anliegen",
            columns=("Nachrichten", "nicht verstanden", "unsicher"),
            rows=tuple((self.topic_label(topic), tuple(v)) for topic, v in ordered),
            kind="bars",
            unit="Nachrichten",
        )

    def rates_per_day(self, days: DayRange, rows: list) -> Figure:
        per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for row in rows:
            counts = per_day[row.day]
            counts[0] += row.handoffs
            counts[1] += row.conversations
            counts[2] += row.fallbacks
            counts[3] += row.turns

        def rates(counts: list[int]) -> tuple[float | None, float | None]:
            return percent(counts[0], counts[1]), percent(counts[2], counts[3])

        table = [(day_label(day), rates(per_day[day])) for day in days.days()]
        whole = [sum(per_day[day][i] for day in days.days()) for i in range(4)]
        return Figure(
            name="quoten",
            title="Weitergabe- und Fallback-Quote",
            description="Weitergabequote: an die Koordinierungsstelle weitergegebene Anliegen "
            "je 100 Gespräche. Fallback-Quote: nicht verstandene Nachrichten je 100 "
            "Nachrichten. Letzte Zeile: der ganze Zeitraum.",
            row_header="Tag",
            columns=("Weitergabequote %", "Fallback-Quote %"),
            rows=(*table, ("Zeitraum", rates(whole))),
            kind="lines",
            unit="%",
        )

    @staticmethod
    def _vote_counts(votes: list) -> dict[str, list[int]]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for answer_id, helpful, number in votes:
            counts[answer_id][0 if helpful else 1] += number
        return counts

    def feedback_per_answer(self, votes: list) -> Figure:
        counts = self._vote_counts(votes)
        ordered = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
        return Figure(
            name="rueckmeldungen",
            title="Rückmeldungen je Antwort",
            description="Wie oft eine Antwort als hilfreich oder nicht hilfreich bewertet wurde.",
            row_header="Antwort",
            columns=("hilfreich", "nicht hilfreich", "Anteil hilfreich %"),
            rows=tuple(
                (self.topic_label(answer), (up, down, percent(up, up + down)))
                for answer, (up, down) in ordered
            ),
            kind="bars",
            unit="Bewertungen „hilfreich“",
        )

    def worst_rated(self, votes: list) -> Figure:
        counts = self._vote_counts(votes)
        ranked = [
            (answer, up, down)
            for answer, (up, down) in counts.items()
            if up + down >= MIN_VOTES_FOR_RANKING
        ]
        ranked.sort(key=lambda item: (-(item[2] / (item[1] + item[2])), -item[2], item[0]))
        return Figure(
            name="schlechteste",
            title="Am schlechtesten bewertete Antworten",
            description=f"Antworten mit mindestens {MIN_VOTES_FOR_RANKING} Bewertungen, "
            "nach dem Anteil „nicht hilfreich“.",
            row_header="Antwort",
            columns=("Anteil nicht hilfreich %", "Bewertungen"),
            rows=tuple(
                (self.topic_label(answer), (percent(down, up + down), up + down))
                for answer, up, down in ranked[:WORST_SHOWN]
            ),
            kind="bars",
            unit="% nicht hilfreich",
        )
