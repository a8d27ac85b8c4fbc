"""Tables owned by the assistant (managed by the Alembic migrations next to this module).

Rasa's ``events`` table lives in the same database but belongs to Rasa's
tracker store; :func:`include_name` keeps it (and anything else that is not
declared here) out of Alembic's autogenerate.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)

#: Portable JSON: text on SQLite, ``json`` on PostgreSQL. Not ``jsonb``: that would
#: reorder the keys, and the form fields should read in the order they were asked.
JSONType = sa.JSON()


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    SQLite has no time zones: values are stored as naive UTC and come back
    as aware UTC datetimes, like PostgreSQL's ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware datetime (UTC)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class HandoffRequest(Base):
    """A request handed over to the coordination office (Koordinierungsstelle Integration)."""

    __tablename__ = "handoff_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(32), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime(), nullable=False, index=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=False)
    category = sa.Column(sa.String(64), nullable=False)
    language = sa.Column(sa.String(16), nullable=False)
    fields = sa.Column(JSONType, nullable=False)
    excerpt = sa.Column(JSONType, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, index=True, server_default="new")
    consent_at = sa.Column(UTCDateTime(), nullable=True)
    # The office's work on it (migration 0004).
    town = sa.Column(sa.String(120), nullable=True, index=True)
    assignee_id = sa.Column(
        sa.Integer, sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    claimed_at = sa.Column(UTCDateTime(), nullable=True)
    first_reply_at = sa.Column(UTCDateTime(), nullable=True)
    closed_at = sa.Column(UTCDateTime(), nullable=True)
    updated_at = sa.Column(UTCDateTime(), nullable=True, index=True)
    #: A coordinator holds the conversation: the newcomer's messages go to the office.
    held = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    #: When the newcomer was told (once per hold) that their message was passed on.
    relay_noticed_at = sa.Column(UTCDateTime(), nullable=True)
    unclaimed_notified_at = sa.Column(UTCDateTime(), nullable=True)


class StaffUser(Base):
    """A member of staff who signs in to the office app (coordinator, editor or admin)."""

    __tablename__ = "staff_users"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    display_name = sa.Column(sa.String(120), nullable=False)
    email = sa.Column(sa.String(254), nullable=True)
    role = sa.Column(sa.String(16), nullable=False)
    password_hash = sa.Column(sa.String(255), nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    failed_logins = sa.Column(sa.Integer, nullable=False, server_default="0")
    locked_until = sa.Column(UTCDateTime(), nullable=True)
    #: Bumped when the password changes or the account is disabled: old sessions end.
    session_version = sa.Column(sa.Integer, nullable=False, server_default="0")
    created_at = sa.Column(UTCDateTime(), nullable=False)
    password_changed_at = sa.Column(UTCDateTime(), nullable=True)
    last_login_at = sa.Column(UTCDateTime(), nullable=True)


class CaseEntry(Base):
    """One line of a request's history: a message either way, a note, a change.

    ``kind``: created, claimed, released, assigned, status, reply (office ->
    newcomer), newcomer (newcomer -> office), note (internal), interpreter_assigned,
    interpreter_cancelled, email. For a reply ``text`` is the German original and
    ``text_translated`` what the newcomer reads; for a newcomer's message ``text``
    is what they wrote and ``text_translated`` its German machine translation.
    """

    __tablename__ = "case_entries"

    id = sa.Column(sa.Integer, primary_key=True)
    request_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("handoff_requests.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    created_at = sa.Column(UTCDateTime(), nullable=False)
    kind = sa.Column(sa.String(32), nullable=False)
    staff_id = sa.Column(
        sa.Integer, sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    #: The author's name as it was (kept when the account is removed).
    staff_name = sa.Column(sa.String(120), nullable=True)
    text = sa.Column(sa.Text, nullable=True)
    text_translated = sa.Column(sa.Text, nullable=True)
    language = sa.Column(sa.String(16), nullable=True)
    machine_translated = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    #: Messages to the newcomer: pending, sent, seen (web chat), failed, emailed.
    delivery = sa.Column(sa.String(16), nullable=True, index=True)
    delivered_at = sa.Column(UTCDateTime(), nullable=True)
    outbox_id = sa.Column(sa.Integer, nullable=True)
    data = sa.Column(JSONType, nullable=True)


class AuditEntry(Base):
    """Who viewed, changed, exported or deleted what, when and from where.

    No foreign keys: the record outlives the staff account and the request.
    """

    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime(), nullable=False, index=True)
    staff_id = sa.Column(sa.Integer, nullable=True)
    username = sa.Column(sa.String(64), nullable=False)
    action = sa.Column(sa.String(32), nullable=False)
    reference = sa.Column(sa.String(32), nullable=True, index=True)
    address = sa.Column(sa.String(64), nullable=True)
    detail = sa.Column(sa.String(255), nullable=True)


class Interpreter(Base):
    """A member of the county's interpreter pool (Dolmetscher-Pool, recommendation 6).

    ``languages``: ``[{"language": "prs", "dialect": "Herati"}, ...]`` (ISO codes,
    including languages without machine translation); ``towns``: the towns served
    (empty: the whole county); ``modes``: on_site, phone, video; ``weekdays``:
    mon..sun on which they are usually available.
    """

    __tablename__ = "interpreters"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(120), nullable=False)
    email = sa.Column(sa.String(254), nullable=True)
    phone = sa.Column(sa.String(40), nullable=True)
    languages = sa.Column(JSONType, nullable=False)
    towns = sa.Column(JSONType, nullable=False)
    modes = sa.Column(JSONType, nullable=False)
    weekdays = sa.Column(JSONType, nullable=False)
    availability_note = sa.Column(sa.String(255), nullable=True)
    trained_on = sa.Column(sa.Date, nullable=True)
    listing_consent = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    active = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    notes = sa.Column(sa.Text, nullable=True)
    created_at = sa.Column(UTCDateTime(), nullable=False)
    updated_at = sa.Column(UTCDateTime(), nullable=True)


class InterpreterAssignment(Base):
    """An interpreter booked for a request's appointment (deleted with the request)."""

    __tablename__ = "interpreter_assignments"

    id = sa.Column(sa.Integer, primary_key=True)
    request_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("handoff_requests.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    interpreter_id = sa.Column(
        sa.Integer, sa.ForeignKey("interpreters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    language = sa.Column(sa.String(16), nullable=False)
    mode = sa.Column(sa.String(16), nullable=False)
    appointment_date = sa.Column(sa.String(40), nullable=True)
    appointment_time = sa.Column(sa.String(40), nullable=True)
    place = sa.Column(sa.String(255), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, server_default="active")
    created_at = sa.Column(UTCDateTime(), nullable=False, index=True)
    cancelled_at = sa.Column(UTCDateTime(), nullable=True)
    staff_id = sa.Column(
        sa.Integer, sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )


class ReplyTemplate(Base):
    """A reply text the office reuses, for one category (or all, ``category`` empty)."""

    __tablename__ = "reply_templates"

    id = sa.Column(sa.Integer, primary_key=True)
    category = sa.Column(sa.String(64), nullable=False, server_default="")
    title = sa.Column(sa.String(120), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime(), nullable=False)
    updated_at = sa.Column(UTCDateTime(), nullable=True)


class RequestFigures(Base):
    """What the county's reports need of a request, without anything about the person.

    Written when a request is deleted or anonymised (retention, erasure), so the
    figures survive the person's data. No reference, no sender, no texts.
    """

    __tablename__ = "request_figures"

    id = sa.Column(sa.Integer, primary_key=True)
    month = sa.Column(sa.String(7), nullable=False, index=True)
    category = sa.Column(sa.String(64), nullable=False)
    language = sa.Column(sa.String(16), nullable=False)
    town = sa.Column(sa.String(120), nullable=True)
    channel = sa.Column(sa.String(64), nullable=False)
    first_reply_seconds = sa.Column(sa.Integer, nullable=True)
    close_seconds = sa.Column(sa.Integer, nullable=True)
    interpreter_languages = sa.Column(JSONType, nullable=True)


class ContentFile(Base):
    """The working copy (draft) of one content file, as staff edit it in the office."""

    __tablename__ = "content_files"

    name = sa.Column(sa.String(64), primary_key=True)
    #: The YAML text exactly as written (export writes it back byte for byte).
    text = sa.Column(sa.Text, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    updated_at = sa.Column(UTCDateTime(), nullable=False)
    updated_by = sa.Column(sa.String(120), nullable=False)


class ContentPublication(Base):
    """A published version of all content files: what the assistant serves (the latest one).

    ``snapshot``: file name -> YAML text; ``changed_files``: the names that differ
    from the version before; ``needs_training``: the towns' spellings changed.
    """

    __tablename__ = "content_publications"

    version = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    published_at = sa.Column(UTCDateTime(), nullable=False)
    published_by = sa.Column(sa.String(120), nullable=False)
    snapshot = sa.Column(JSONType, nullable=False)
    changed_files = sa.Column(JSONType, nullable=False)
    needs_training = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    note = sa.Column(sa.Text, nullable=True)


class ContentTextSource(Base):
    """Which German text a translation of one content text was made from (for its status).

    ``source_hash``: SHA-256 of the German text (whitespace collapsed) when the
    translation was written or reviewed; ``origin``: curated (staff) or machine.
    """

    __tablename__ = "content_text_sources"

    file = sa.Column(sa.String(64), primary_key=True)
    entry = sa.Column(sa.String(120), primary_key=True)
    field = sa.Column(sa.String(255), primary_key=True)
    language = sa.Column(sa.String(16), primary_key=True)
    source_hash = sa.Column(sa.String(64), nullable=False)
    origin = sa.Column(sa.String(16), nullable=False, server_default="curated")
    reviewed_by = sa.Column(sa.String(120), nullable=True)
    reviewed_at = sa.Column(UTCDateTime(), nullable=True)
    updated_at = sa.Column(UTCDateTime(), nullable=False)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: only the tables declared in :data:`metadata` are compared."""
    if type_ == "table":
        return name in metadata.tables
    return True
