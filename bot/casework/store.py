"""A request's life in the office: claim, hand back, assign, note, reply, status.

Every change is one transaction that also writes the request's history
(``case_entries``); what the newcomer is told is queued in the same
transaction (:mod:`bot.casework.newcomer`), so nothing is promised that is
not stored. Claiming is one conditional ``UPDATE``: however many
coordinators click at once, exactly one gets the request.

Nothing here logs texts; references, categories and counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.casework import newcomer
from bot.store.db import LazyDatabase
from bot.store.models import CaseEntry, HandoffRequest, StaffUser
from bot.vocabulary import HANDOFF_CATEGORIES

logger = logging.getLogger(__name__)

#: received, in progress, waiting for the newcomer, done.
STATUSES = ("new", "in_progress", "waiting", "done")
OPEN_STATUSES = ("new", "in_progress", "waiting")
#: German names of the statuses, as the office and the history show them.
STATUS_LABELS = {
    "new": "Eingegangen",
    "in_progress": "In Bearbeitung",
    "waiting": "Wartet auf Antwort",
    "done": "Erledigt",
}
CHANNELS = ("telegram", "webchat", "rest")
HOLDERS = ("mine", "unclaimed", "others")
PAGE_SIZE = 50
MAX_TEXT = 4000

requests_table = HandoffRequest.__table__
entries_table = CaseEntry.__table__
staff_table = StaffUser.__table__


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class CaseError(ValueError):
    """A change that cannot be made; the message is German, for the coordinator."""


class NotFound(CaseError):
    pass


@dataclass(frozen=True)
class Staff:
    """Who acts (the signed-in coordinator)."""

    id: int
    name: str


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; unknown values are ignored (a URL may carry anything)."""

    category: str | None = None
    status: str | None = None
    town: str | None = None
    language: str | None = None
    channel: str | None = None
    holder: str | None = None
    reference: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> QueueFilter:
        """From a query string (``request.args``); odd values become "no filter"."""

        def pick(name: str, allowed: Sequence[str] | None = None) -> str | None:
            value = (args.get(name) or "").strip()
            if not value or len(value) > 120:
                return None
            return value if allowed is None or value in allowed else None

        try:
            page = max(1, min(int(args.get("page") or 1), 10_000))
        except (TypeError, ValueError):
            page = 1
        status = (args.get("status") or "").strip()
        return cls(
            category=pick("category", HANDOFF_CATEGORIES),
            status=status if status in (*STATUSES, "open") else None,
            town=pick("town"),
            language=pick("language"),
            channel=pick("channel", CHANNELS),
            holder=pick("holder", HOLDERS),
            reference=pick("reference"),
            page=page,
        )


@dataclass(frozen=True)
class QueueRow:
    reference: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    category: str
    status: str
    town: str | None
    language: str
    channel: str
    assignee_id: int | None
    assignee_name: str | None
    held: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Entry:
    """One line of a request's history."""

    id: int
    created_at: dt.datetime
    kind: str
    staff_name: str | None
    text: str | None
    text_translated: str | None
    language: str | None
    machine_translated: bool
    delivery: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Case:
    """A request with everything the detail page shows."""

    id: int
    reference: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    category: str
    language: str
    channel: str
    sender_id: str
    town: str | None
    status: str
    fields: dict[str, Any]
    excerpt: list[dict[str, str]]
    assignee_id: int | None
    assignee_name: str | None
    claimed_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    closed_at: dt.datetime | None
    held: bool
    entries: list[Entry] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "done"


class Casework(LazyDatabase):
    """The office's operations on the requests in the database at ``database_url``."""

    # -- reading ----------------------------------------------------------------------

    def queue(self, filters: QueueFilter, staff_id: int | None) -> QueuePage:
        """One page of requests matching ``filters``, newest first."""
        r = requests_table
        conditions = []
        if filters.category:
            conditions.append(r.c.category == filters.category)
        if filters.status == "open":
            conditions.append(r.c.status.in_(OPEN_STATUSES))
        elif filters.status:
            conditions.append(r.c.status == filters.status)
        if filters.town:
            conditions.append(r.c.town == filters.town)
        if filters.language:
            conditions.append(r.c.language == filters.language)
        if filters.channel:
            conditions.append(r.c.channel == filters.channel)
        if filters.holder == "mine":
            conditions.append(r.c.assignee_id == (staff_id if staff_id is not None else -1))
        elif filters.holder == "unclaimed":
            conditions.append(r.c.assignee_id.is_(None))
        elif filters.holder == "others":
            conditions.append(r.c.assignee_id.is_not(None))
            if staff_id is not None:
                conditions.append(r.c.assignee_id != staff_id)
        if filters.reference:
            pattern = f"%{_escape_like(filters.reference.upper())}%"
            conditions.append(r.c.reference.like(pattern, escape="\\"))
        where = sa.and_(sa.true(), *conditions)
        columns = [
            r.c.reference,
            r.c.created_at,
            r.c.updated_at,
            r.c.category,
            r.c.status,
            r.c.town,
            r.c.language,
            r.c.channel,
            r.c.assignee_id,
            staff_table.c.display_name,
            r.c.held,
        ]
        with self._get_engine().connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).select_from(r).where(where))
            total = int(total.scalar_one())
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(filters.page, pages)
            rows = connection.execute(
                sa.select(*columns)
                .select_from(r.outerjoin(staff_table, staff_table.c.id == r.c.assignee_id))
                .where(where)
                .order_by(r.c.created_at.desc(), r.c.id.desc())
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
            return QueuePage([QueueRow(*row) for row in rows], total, page, pages)

    def facets(self) -> dict[str, list[str]]:
        """Towns and languages that occur, for the queue's filter menus."""
        r = requests_table
        with self._get_engine().connect() as connection:
            towns = connection.execute(
                sa.select(r.c.town).where(r.c.town.is_not(None)).distinct().order_by(r.c.town)
            )
            languages = connection.execute(
                sa.select(r.c.language).distinct().order_by(r.c.language)
            )
            return {
                "towns": [town for (town,) in towns],
                "languages": [language for (language,) in languages],
            }

    def case(self, reference: str) -> Case:
        """The request ``reference`` with its history (oldest first)."""
        r = requests_table
        reference = (reference or "").strip().upper()
        with self._get_engine().connect() as connection:
            row = connection.execute(
                sa.select(r, staff_table.c.display_name.label("assignee_name"))
                .select_from(r.outerjoin(staff_table, staff_table.c.id == r.c.assignee_id))
                .where(r.c.reference == reference)
            ).first()
            if row is None:
                raise NotFound(f"Die Anfrage {reference} gibt es nicht (mehr).")
            entries = connection.execute(
                sa.select(entries_table)
                .where(entries_table.c.request_id == row.id)
                .order_by(entries_table.c.created_at, entries_table.c.id)
            )
            history = [_entry(e) for e in entries]
        return Case(
            id=row.id,
            reference=row.reference,
            created_at=row.created_at,
            updated_at=row.updated_at,
            category=row.category,
            language=row.language,
            channel=row.channel,
            sender_id=row.sender_id,
            town=row.town,
            status=row.status,
            fields=dict(row.fields or {}),
            excerpt=[dict(turn) for turn in (row.excerpt or [])],
            assignee_id=row.assignee_id,
            assignee_name=row.assignee_name,
            claimed_at=row.claimed_at,
            first_reply_at=row.first_reply_at,
            closed_at=row.closed_at,
            held=bool(row.held),
            entries=history,
        )

    def staff_names(self) -> list[Staff]:
        """Active coordinators and admins, for "assign to a colleague"."""
        with self._get_engine().connect() as connection:
            rows = connection.execute(
                sa.select(staff_table.c.id, staff_table.c.display_name)
                .where(
                    staff_table.c.active.is_(True),
                    staff_table.c.role.in_(("coordinator", "admin")),
                )
                .order_by(staff_table.c.display_name)
            )
            return [Staff(id_, name) for id_, name in rows]

    # -- changing ---------------------------------------------------------------------

    def claim(self, reference: str, staff: Staff) -> bool:
        """Take the request; ``False`` when someone else has it (exactly one claim wins)."""
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            if row.status == "done":
                raise CaseError("Die Anfrage ist erledigt; öffnen Sie sie erst wieder.")
            won = connection.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id, requests_table.c.assignee_id.is_(None))
                .values(
                    assignee_id=staff.id,
                    claimed_at=now,
                    held=True,
                    relay_noticed_at=None,
                    updated_at=now,
                    status=sa.case(
                        (requests_table.c.status == "new", "in_progress"),
                        else_=requests_table.c.status,
                    ),
                )
            ).rowcount
            if won != 1:
                return False
            self._add(connection, row.id, "claimed", staff, now=now)
            if row.status == "new":
                self._tell(
                    connection,
                    row,
                    newcomer.status_message("in_progress", row.reference, row.language),
                    now,
                )
        logger.info("Request %s claimed", row.reference)
        return True

    def release(self, reference: str, staff: Staff) -> None:
        """Hand the request back to the queue (the assistant answers the newcomer again)."""
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            connection.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(assignee_id=None, held=False, updated_at=now)
            )
            self._add(connection, row.id, "released", staff, now=now)

    def assign(self, reference: str, staff: Staff, colleague_id: int) -> Staff:
        """Give the request to a colleague (who then holds it)."""
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            colleague = connection.execute(
                sa.select(staff_table.c.id, staff_table.c.display_name).where(
                    staff_table.c.id == colleague_id,
                    staff_table.c.active.is_(True),
                    staff_table.c.role.in_(("coordinator", "admin")),
                )
            ).first()
            if colleague is None:
                raise CaseError("Diese Kollegin oder diesen Kollegen gibt es nicht (mehr).")
            if row.status == "done":
                raise CaseError("Die Anfrage ist erledigt; öffnen Sie sie erst wieder.")
            connection.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(
                    assignee_id=colleague.id,
                    claimed_at=row.claimed_at or now,
                    held=True,
                    updated_at=now,
                    status="in_progress" if row.status == "new" else row.status,
                )
            )
            self._add(
                connection, row.id, "assigned", staff, now=now,
                data={"to": colleague.display_name},
            )  # fmt: skip
            if row.status == "new":
                self._tell(
                    connection,
                    row,
                    newcomer.status_message("in_progress", row.reference, row.language),
                    now,
                )
        return Staff(colleague.id, colleague.display_name)

    def note(self, reference: str, staff: Staff, text: str) -> None:
        """An internal note: the newcomer never sees it."""
        text = _text(text)
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            self._add(connection, row.id, "note", staff, now=now, text=text)
            connection.execute(
                requests_table.update().where(requests_table.c.id == row.id).values(updated_at=now)
            )

    def set_status(self, reference: str, staff: Staff, status: str) -> None:
        """Change the status; the newcomer is told in their language.

        Closing ends the coordinator's hold: the assistant answers again.
        """
        if status not in STATUSES:
            raise CaseError("Unbekannter Status.")
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            if row.status == status:
                return
            values: dict[str, Any] = {"status": status, "updated_at": now}
            if status == "done":
                values.update(closed_at=now, held=False)
            elif row.status == "done":
                values.update(closed_at=None)
            connection.execute(
                requests_table.update().where(requests_table.c.id == row.id).values(**values)
            )
            self._add(
                connection, row.id, "status", staff, now=now,
                data={"from": row.status, "to": status},
            )  # fmt: skip
            self._tell(
                connection, row, newcomer.status_message(status, row.reference, row.language), now
            )
        logger.info("Request %s is now %s", row.reference, status)

    def reply(
        self,
        reference: str,
        staff: Staff,
        german: str,
        translated: str,
        language: str,
        machine_translated: bool,
    ) -> Entry:
        """Send a reply: the German original and what the newcomer reads are both stored.

        ``translated`` is the newcomer's text (the German original again when
        no model could translate it: then ``language`` is ``de`` and the
        newcomer is told in their own language why).
        """
        german = _text(german)
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = self._row(connection, reference)
            if row.status == "done":
                raise CaseError("Die Anfrage ist erledigt; öffnen Sie sie erst wieder.")
            message = newcomer.reply_message(
                row.reference, translated, row.language, translated=language != "de"
            )
            delivery, outbox_id = newcomer.send(connection, row.sender_id, message)
            entry_id = self._add(
                connection, row.id, "reply", staff, now=now, text=german,
                text_translated=message, language=row.language,
                machine_translated=machine_translated, delivery=delivery, outbox_id=outbox_id,
            )  # fmt: skip
            connection.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(
                    updated_at=now,
                    held=True,
                    relay_noticed_at=None,
                    first_reply_at=sa.func.coalesce(requests_table.c.first_reply_at, now),
                    assignee_id=sa.func.coalesce(requests_table.c.assignee_id, staff.id),
                    claimed_at=sa.func.coalesce(requests_table.c.claimed_at, now),
                    status=sa.case(
                        (requests_table.c.status == "new", "in_progress"),
                        else_=requests_table.c.status,
                    ),
                )
            )
            entry = connection.execute(
                sa.select(entries_table).where(entries_table.c.id == entry_id)
            ).one()
        logger.info("Reply on request %s queued (%s)", row.reference, delivery)
        return _entry(entry)

    # -- plumbing ---------------------------------------------------------------------

    def _row(self, connection: sa.engine.Connection, reference: str) -> Any:
        reference = (reference or "").strip().upper()
        row = connection.execute(
            sa.select(requests_table).where(requests_table.c.reference == reference)
        ).first()
        if row is None:
            raise NotFound(f"Die Anfrage {reference} gibt es nicht (mehr).")
        return row

    def _tell(self, connection: sa.engine.Connection, row: Any, message: str, now) -> None:
        """Queue a message to the newcomer and record it in the history."""
        delivery, outbox_id = newcomer.send(connection, row.sender_id, message)
        self._add(
            connection, row.id, "notice", None, now=now, text_translated=message,
            language=row.language, delivery=delivery, outbox_id=outbox_id,
        )  # fmt: skip

    @staticmethod
    def _add(
        connection: sa.engine.Connection,
        request_id: int,
        kind: str,
        staff: Staff | None,
        *,
        now: dt.datetime,
        **values: Any,
    ) -> int:
        result = connection.execute(
            entries_table.insert().values(
                request_id=request_id,
                created_at=now,
                kind=kind,
                staff_id=staff.id if staff else None,
                staff_name=staff.name if staff else None,
                **values,
            )
        )
        return int(result.inserted_primary_key[0])


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        staff_name=row.staff_name,
        text=row.text,
        text_translated=row.text_translated,
        language=row.language,
        machine_translated=bool(row.machine_translated),
        delivery=row.delivery,
        data=dict(row.data or {}),
    )


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError("Der Text ist leer.")
    if len(text) > MAX_TEXT:
        raise CaseError(f"Der Text ist länger als {MAX_TEXT} Zeichen.")
    return text


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
