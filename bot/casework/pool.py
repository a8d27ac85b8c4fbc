"""The county's interpreter pool (Dolmetscher-Pool, recommendation 6 of the integration plan).

Three things live here, none of them knows Flask:

* the registry (``interpreters``): who interprets which languages and dialects,
  where, how and on which weekdays; listed only with their consent;
* suggestions for an interpreter request: a pure ranking (:func:`rank`) that
  says why each person is suggested, in German, for the coordinator;
* booking and cancelling (``interpreter_assignments``): one transaction writes
  the booking, the request's history, the e-mail to the interpreter (outbox
  channel ``email``) and the message to the newcomer in their language.

What each side learns follows the pool's guidelines (neutral role,
confidentiality; the office remains everybody's contact):

* the interpreter gets what they need to attend: reference, language and
  dialect, date, time, place, mode and kind of appointment. Not the
  newcomer's contact, not their description of the matter (it may hold health
  or legal details the interpreter hears at the appointment anyway);
* the newcomer gets date, time, place, mode, what an interpreter does and does
  not do, and the interpreter's first name only: enough to notice that it is
  someone they know privately (the guidelines then ask for another person),
  nothing to reach them outside the office.

Nothing here logs names, contacts or texts; ids and references only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from bot.answers import strip_accents
from bot.casework import newcomer
from bot.casework.store import CaseError, NotFound, Staff, entries_table, requests_table
from bot.language_names import display_name, is_language_code, language_code_from_text
from bot.outbox.store import EMAIL_CHANNEL, enqueue_in
from bot.store.db import LazyDatabase
from bot.store.models import Interpreter, InterpreterAssignment
from bot.texts import choice_label, label, render_marked
from bot.texts import text as catalogue_text
from bot.vocabulary import ALL_MUNICIPALITIES, TO_CLARIFY

logger = logging.getLogger(__name__)

interpreters_table = Interpreter.__table__
assignments_table = InterpreterAssignment.__table__

#: How an interpreter can work, in the order the office prefers them.
MODES = ("on_site", "phone", "video")
MODE_LABELS = {"on_site": "vor Ort", "phone": "am Telefon", "video": "per Video"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": "Montag",
    "tue": "Dienstag",
    "wed": "Mittwoch",
    "thu": "Donnerstag",
    "fri": "Freitag",
    "sat": "Samstag",
    "sun": "Sonntag",
}
#: Assignments counted for "fewest assignments lately".
RECENT_DAYS = 30
#: A request for "Kurdish" is served by speakers of its varieties (the coordinator
#: then checks which one); a request for a variety needs that variety.
VARIETIES = {"ku": ("kmr", "ckb")}

MAX_NAME = 120
MAX_NOTE = 255
MAX_NOTES = 4000
MAX_DIALECT = 100
MAX_PLACE = 255


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class PoolError(CaseError):
    """Input the pool cannot take; ``errors`` maps each field to a German message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class LanguageSkill:
    language: str
    dialect: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"language": self.language, "dialect": self.dialect}


@dataclass(frozen=True)
class InterpreterData:
    """An interpreter as an admin enters them (validated by :func:`validate`)."""

    name: str
    email: str | None = None
    phone: str | None = None
    languages: tuple[LanguageSkill, ...] = ()
    towns: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()
    availability_note: str | None = None
    trained_on: dt.date | None = None
    listing_consent: bool = False
    active: bool = True
    notes: str | None = None


@dataclass(frozen=True)
class InterpreterRecord(InterpreterData):
    id: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(skill.language for skill in self.languages)

    def listable(self, today: dt.date) -> bool:
        """Active, consented and trained on the guidelines: may be suggested and booked."""
        return (
            self.active
            and self.listing_consent
            and self.trained_on is not None
            and self.trained_on <= today
        )


def validate(data: InterpreterData, towns: Sequence[str], today: dt.date) -> InterpreterData:
    """``data`` cleaned (e-mail and phone normalised, towns canonical), or :class:`PoolError`.

    ``towns`` are the county's towns (an interpreter serving none of them
    explicitly serves the whole county).
    """
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = "Name: bitte angeben."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Name: höchstens {MAX_NAME} Zeichen."

    email = (data.email or "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = f"E-Mail: „{email}“ ist keine gültige E-Mail-Adresse."
    phone = (data.phone or "").strip() or None
    if phone:
        phone = _phone(phone)
        if phone is None:
            errors["phone"] = f"Telefon: „{data.phone}“ ist keine gültige Telefonnummer."
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = "E-Mail oder Telefon: bitte mindestens eins angeben."

    languages: list[LanguageSkill] = []
    for skill in data.languages:
        code = (skill.language or "").strip().lower()
        dialect = " ".join((skill.dialect or "").split()) or None
        if not is_language_code(code):
            errors["languages"] = f"Sprachen: „{skill.language}“ ist kein bekannter Sprachcode."
            break
        if dialect and len(dialect) > MAX_DIALECT:
            errors["languages"] = f"Sprachen: Dialekt höchstens {MAX_DIALECT} Zeichen."
            break
        if LanguageSkill(code, dialect) not in languages:
            languages.append(LanguageSkill(code, dialect))
    if not languages and "languages" not in errors:
        errors["languages"] = "Sprachen: mindestens eine Sprache angeben."

    canonical = {strip_accents(town): town for town in towns}
    served: list[str] = []
    for town in data.towns:
        known = canonical.get(strip_accents(town.strip()))
        if known is None:
            errors["towns"] = f"Einsatzorte: „{town}“ ist keine Gemeinde im Landkreis."
            break
        if known not in served:
            served.append(known)

    modes = [mode for mode in MODES if mode in data.modes]
    if set(data.modes) - set(MODES):
        errors["modes"] = "Einsatzarten: nur vor Ort, Telefon oder Video."
    elif not modes:
        errors["modes"] = "Einsatzarten: mindestens eine angeben."
    weekdays = [day for day in WEEKDAYS if day in data.weekdays]
    if set(data.weekdays) - set(WEEKDAYS):
        errors["weekdays"] = "Wochentage: unbekannter Wochentag."

    note = (data.availability_note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        errors["availability_note"] = f"Verfügbarkeit: höchstens {MAX_NOTE} Zeichen."
    notes = (data.notes or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = f"Notizen: höchstens {MAX_NOTES} Zeichen."
    if data.trained_on is not None and data.trained_on > today:
        errors["trained_on"] = (
            "Schulung: das Datum liegt in der Zukunft (erst nach der Schulung eintragen)."
        )
    if data.active and not data.listing_consent:
        errors["listing_consent"] = (
            "Einwilligung: ohne Einwilligung in die Aufnahme in den Pool "
            "kann die Person nicht aktiv geführt werden."
        )
    if errors:
        raise PoolError(errors)
    return InterpreterData(
        name=name,
        email=email,
        phone=phone,
        languages=tuple(languages),
        towns=tuple(served),
        modes=tuple(modes),
        weekdays=tuple(weekdays),
        availability_note=note,
        trained_on=data.trained_on,
        listing_consent=bool(data.listing_consent),
        active=bool(data.active),
        notes=notes,
    )


def _phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, "DE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Need:
    """What an interpreter request asks for, read from its fields."""

    language: str
    dialect: str | None = None
    town: str | None = None
    mode: str = "on_site"
    #: Whether the request said how (else on site is assumed, the guidelines' default).
    mode_asked: bool = False
    date: dt.date | None = None

    @classmethod
    def from_request(cls, fields: Mapping[str, Any], town: str | None, chat_language: str) -> Need:
        """The need of a request: its ``fields``, ``town`` column and chat language.

        The language is stored as a code when the assistant knew the name,
        else as typed ("Wolof"); a missing one is the language of the chat.
        """
        typed = str(fields.get("interpreter_language") or "").strip()
        language = typed if is_language_code(typed) else language_code_from_text(typed)
        if not language:
            language = typed.lower() if typed else chat_language
        dialect = str(fields.get("interpreter_dialect") or "").strip() or None
        if dialect == TO_CLARIFY:
            dialect = None
        place = town or fields.get("municipality")
        if place in (None, "", ALL_MUNICIPALITIES, TO_CLARIFY):
            place = None
        mode = str(fields.get("interpreter_mode") or "")
        return cls(
            language=language,
            dialect=dialect,
            town=str(place) if place else None,
            mode=mode if mode in MODES else "on_site",
            mode_asked=mode in MODES,
            date=parse_date(fields.get("appointment_date")),
        )


PLUS, MINUS, NEUTRAL = "plus", "minus", "neutral"


@dataclass(frozen=True)
class Reason:
    """Why a person is (or is less) suited, for the coordinator."""

    text: str
    effect: str = NEUTRAL


@dataclass(frozen=True)
class Suggestion:
    interpreter: InterpreterRecord
    score: int
    reasons: tuple[Reason, ...]
    recent_assignments: int
    #: The pool language that serves the request ("kmr" for a "ku" request).
    language: str


#: Points per criterion; a mismatch costs as much as a match earns. Town and mode
#: decide whether someone can attend at all, so they weigh most; the dialect is
#: a bonus; the usual weekday a hint. Ties go to whoever had fewest assignments.
WEIGHTS = {"town": 4, "mode": 4, "dialect": 2, "weekday": 1}


def rank(
    need: Need,
    interpreters: Iterable[InterpreterRecord],
    recent: Mapping[int, int],
    today: dt.date,
    dialect_hints: Sequence[str] = (),
) -> list[Suggestion]:
    """Who could interpret for ``need``, best first, each with German reasons.

    Only active people with consent and a completed training who speak the
    language are suggested. ``recent`` counts each interpreter's assignments
    of the last :data:`RECENT_DAYS` days; ``dialect_hints`` are other spellings
    of the requested dialect (its German translation).
    """
    wanted = {need.language, *VARIETIES.get(need.language, ())}
    suggestions = []
    for person in interpreters:
        if not person.listable(today):
            continue
        skills = [skill for skill in person.languages if skill.language in wanted]
        if not skills:
            continue
        reasons: list[Reason] = []
        score = 0
        skill = _best_skill(skills, need, dialect_hints)
        language_name = display_name(skill.language, "de")
        if skill.language == need.language:
            reasons.append(Reason(f"Spricht {language_name}", PLUS))
        else:
            reasons.append(
                Reason(
                    f"Spricht {language_name} ({display_name(need.language, 'de')} angefragt: "
                    "Variante klären)",
                    NEUTRAL,
                )
            )

        # Dialect: a bonus, never a reason to leave someone out.
        requested = [d for d in (need.dialect, *dialect_hints) if d]
        if requested:
            if skill.dialect and _same_dialect(skill.dialect, requested):
                score += WEIGHTS["dialect"]
                reasons.append(Reason(f"Dialekt passt ({skill.dialect})", PLUS))
            elif skill.dialect:
                reasons.append(
                    Reason(f"Anderer Dialekt ({skill.dialect}; angefragt: {need.dialect})")
                )
            else:
                reasons.append(Reason(f"Dialekt {need.dialect} nicht angegeben"))

        # Town: only where the interpreter has to travel.
        if need.mode == "on_site":
            if not person.towns:
                score += WEIGHTS["town"]
                reasons.append(Reason("Einsatz im ganzen Landkreis", PLUS))
            elif need.town is None:
                reasons.append(Reason("Ort des Termins unbekannt"))
            elif need.town in person.towns:
                score += WEIGHTS["town"]
                reasons.append(Reason(f"Einsatz in {need.town}", PLUS))
            else:
                score -= WEIGHTS["town"]
                reasons.append(Reason(f"{need.town} gehört nicht zu den Einsatzorten", MINUS))

        mode_words = MODE_LABELS[need.mode]
        if need.mode in person.modes:
            score += WEIGHTS["mode"]
            asked = "angefragt" if need.mode_asked else "bevorzugt"
            reasons.append(Reason(f"Einsatz {mode_words} ({asked})", PLUS))
        else:
            score -= WEIGHTS["mode"]
            offered = ", ".join(MODE_LABELS[m] for m in person.modes)
            reasons.append(Reason(f"Nicht {mode_words}, nur {offered}", MINUS))

        if need.date is not None and person.weekdays:
            day = WEEKDAYS[need.date.weekday()]
            if day in person.weekdays:
                score += WEIGHTS["weekday"]
                reasons.append(Reason(f"Meist verfügbar am {WEEKDAY_LABELS[day]}", PLUS))
            else:
                score -= WEIGHTS["weekday"]
                reasons.append(Reason(f"Am {WEEKDAY_LABELS[day]} meist nicht verfügbar", MINUS))
        elif need.date is not None:
            reasons.append(Reason("Wochentage nicht angegeben"))
        if person.availability_note:
            reasons.append(Reason(f"Verfügbarkeit: {person.availability_note}"))

        count = int(recent.get(person.id, 0))
        reasons.append(Reason(_assignments_words(count)))
        suggestions.append(Suggestion(person, score, tuple(reasons), count, skill.language))
    suggestions.sort(key=lambda s: (-s.score, s.recent_assignments, s.interpreter.name.casefold()))
    return suggestions


def _best_skill(
    skills: list[LanguageSkill], need: Need, dialect_hints: Sequence[str]
) -> LanguageSkill:
    requested = [d for d in (need.dialect, *dialect_hints) if d]
    for skill in skills:
        exact = skill.language == need.language
        if exact and skill.dialect and _same_dialect(skill.dialect, requested):
            return skill
    exact = [skill for skill in skills if skill.language == need.language]
    return (exact or skills)[0]


def _same_dialect(dialect: str, requested: Sequence[str]) -> bool:
    """Loosely the same: "Herati" in "Herati-Dialekt", case and accents aside."""
    mine = _words(dialect)
    return any(mine & _words(other) for other in requested)


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[\W_]+", strip_accents(text)) if len(word) >= 3}


def _assignments_words(count: int) -> str:
    if count == 0:
        return f"Keine Einsätze in den letzten {RECENT_DAYS} Tagen"
    if count == 1:
        return f"1 Einsatz in den letzten {RECENT_DAYS} Tagen"
    return f"{count} Einsätze in den letzten {RECENT_DAYS} Tagen"


def parse_date(value: Any) -> dt.date | None:
    """A stored appointment date (ISO, as the form stores it, or ``15.12.2026``)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


def parse_time(value: Any) -> dt.time | None:
    text = str(value or "").strip().replace(".", ":")
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return None


def german_date(date: dt.date) -> str:
    return f"{WEEKDAY_LABELS[WEEKDAYS[date.weekday()]]}, {date.strftime('%d.%m.%Y')}"


# --------------------------------------------------------------------------- bookings


@dataclass(frozen=True)
class Assignment:
    id: int
    reference: str
    interpreter_id: int
    interpreter_name: str
    interpreter_email: str | None
    language: str
    mode: str
    appointment_date: str | None
    appointment_time: str | None
    place: str | None
    status: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class RequestView:
    """An interpreter request as the pool page shows it."""

    reference: str
    category: str
    status: str
    language: str
    town: str | None
    fields: dict[str, Any]
    need: Need
    assignments: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True)
class PoolFilter:
    language: str | None = None
    town: str | None = None
    active: bool | None = None


class Pool(LazyDatabase):
    """The interpreter pool in the database at ``database_url``.

    ``towns`` are the county's towns; by default those of the content
    (``data/content/municipalities.yml``). ``engine``: the office app's, shared.
    """

    def __init__(
        self,
        database_url: str,
        towns: Sequence[str] | None = None,
        *,
        engine: sa.engine.Engine | None = None,
    ) -> None:
        super().__init__(database_url, engine=engine)
        self._towns = tuple(towns) if towns is not None else None

    @property
    def towns(self) -> tuple[str, ...]:
        if self._towns is None:
            from bot.content import get_content

            self._towns = tuple(get_content().municipality_names)
        return self._towns

    # -- registry ---------------------------------------------------------------------

    def interpreters(self, filters: PoolFilter = PoolFilter()) -> list[InterpreterRecord]:
        """The registry, by name; filtered by language, town served and active."""
        with self._get_engine().connect() as connection:
            query = sa.select(interpreters_table).order_by(
                interpreters_table.c.name, interpreters_table.c.id
            )
            if filters.active is not None:
                query = query.where(interpreters_table.c.active.is_(filters.active))
            people = [_record(row) for row in connection.execute(query)]
        if filters.language:
            people = [p for p in people if filters.language in p.language_codes]
        if filters.town:
            people = [p for p in people if not p.towns or filters.town in p.towns]
        return people

    def interpreter(self, interpreter_id: int) -> InterpreterRecord:
        with self._get_engine().connect() as connection:
            row = connection.execute(
                sa.select(interpreters_table).where(interpreters_table.c.id == interpreter_id)
            ).first()
        if row is None:
            raise NotFound("Diese Person gibt es im Pool nicht (mehr).")
        return _record(row)

    def add(self, data: InterpreterData) -> InterpreterRecord:
        clean = validate(data, self.towns, dt.date.today())
        now = utcnow()
        with self._get_engine().begin() as connection:
            result = connection.execute(
                interpreters_table.insert().values(**_values(clean), created_at=now)
            )
            new_id = int(result.inserted_primary_key[0])
        logger.info("Interpreter %s added to the pool", new_id)
        return self.interpreter(new_id)

    def update(self, interpreter_id: int, data: InterpreterData) -> InterpreterRecord:
        clean = validate(data, self.towns, dt.date.today())
        with self._get_engine().begin() as connection:
            changed = connection.execute(
                interpreters_table.update()
                .where(interpreters_table.c.id == interpreter_id)
                .values(**_values(clean), updated_at=utcnow())
            ).rowcount
        if changed != 1:
            raise NotFound("Diese Person gibt es im Pool nicht (mehr).")
        return self.interpreter(interpreter_id)

    def deactivate(self, interpreter_id: int) -> None:
        """No more suggestions or bookings; bookings already made stay."""
        with self._get_engine().begin() as connection:
            changed = connection.execute(
                interpreters_table.update()
                .where(interpreters_table.c.id == interpreter_id)
                .values(active=False, updated_at=utcnow())
            ).rowcount
        if changed != 1:
            raise NotFound("Diese Person gibt es im Pool nicht (mehr).")

    def delete(self, interpreter_id: int) -> None:
        """Remove a person and their past bookings (their data goes, the history keeps the name).

        Refused while they are booked for an appointment that is still ahead
        (or has no date): cancel it first, so the newcomer hears of it.
        """
        today = dt.date.today()
        with self._get_engine().begin() as connection:
            self._interpreter_row(connection, interpreter_id)
            ahead = [
                row
                for row in connection.execute(
                    sa.select(assignments_table.c.appointment_date).where(
                        assignments_table.c.interpreter_id == interpreter_id,
                        assignments_table.c.status == "active",
                    )
                )
                if (parse_date(row.appointment_date) or today) >= today
            ]
            if ahead:
                raise CaseError(
                    f"Die Person ist noch für {len(ahead)} Termin(e) gebucht. "
                    "Sagen Sie die Buchungen erst ab (die Anfragenden werden informiert) "
                    "oder deaktivieren Sie die Person."
                )
            # Past bookings go with the person (ON DELETE CASCADE).
            connection.execute(
                interpreters_table.delete().where(interpreters_table.c.id == interpreter_id)
            )
        logger.info("Interpreter %s removed from the pool", interpreter_id)

    def languages_in_use(self) -> list[str]:
        codes = {code for person in self.interpreters() for code in person.language_codes}
        return sorted(codes)

    # -- suggestions ------------------------------------------------------------------

    def request(self, reference: str) -> RequestView:
        """An interpreter request with its bookings (:class:`CaseError` for other categories)."""
        with self._get_engine().connect() as connection:
            row = _request_row(connection, reference)
            assignments = _assignments(connection, row)
        fields = dict(row.fields or {})
        return RequestView(
            reference=row.reference,
            category=row.category,
            status=row.status,
            language=row.language,
            town=row.town,
            fields=fields,
            need=Need.from_request(fields, row.town, row.language),
            assignments=assignments,
        )

    def suggestions(self, reference: str) -> list[Suggestion]:
        view = self.request(reference)
        since = utcnow() - dt.timedelta(days=RECENT_DAYS)
        with self._get_engine().connect() as connection:
            counts = dict(
                connection.execute(
                    sa.select(assignments_table.c.interpreter_id, sa.func.count())
                    .where(
                        assignments_table.c.created_at >= since,
                        assignments_table.c.status != "cancelled",
                    )
                    .group_by(assignments_table.c.interpreter_id)
                ).all()
            )
        hints = [str(view.fields.get("interpreter_dialect_de") or "")]
        return rank(
            view.need,
            self.interpreters(PoolFilter(active=True)),
            counts,
            dt.date.today(),
            dialect_hints=[hint for hint in hints if hint],
        )

    # -- bookings ---------------------------------------------------------------------

    def assign(
        self,
        reference: str,
        interpreter_id: int,
        staff: Staff,
        mode: str,
        date: str,
        time: str,
        place: str | None,
    ) -> Assignment:
        """Book an interpreter for the request's appointment, and tell both sides.

        One transaction: the booking, the history entry, the e-mail to the
        interpreter (outbox channel ``email``; none when the pool has no
        address: the history says to call) and the message to the newcomer.
        """
        today = dt.date.today()
        appointment = _appointment(mode, date, time, place, today)
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = _request_row(connection, reference)
            if row.status == "done":
                raise CaseError("Die Anfrage ist erledigt; öffnen Sie sie erst wieder.")
            person = _record(self._interpreter_row(connection, interpreter_id))
            if not person.active:
                raise CaseError(
                    f"{person.name} ist im Pool nicht aktiv und kann nicht gebucht werden."
                )
            if not person.listing_consent:
                raise CaseError(f"{person.name} hat der Aufnahme in den Pool nicht zugestimmt.")
            if person.trained_on is None or person.trained_on > today:
                raise CaseError(
                    f"{person.name} hat die Schulung zu den Leitlinien des Pools "
                    "noch nicht besucht."
                )
            need = Need.from_request(dict(row.fields or {}), row.town, row.language)
            wanted = {need.language, *VARIETIES.get(need.language, ())}
            skill = next((s for s in person.languages if s.language in wanted), None)
            if skill is None:
                raise CaseError(
                    f"{person.name} dolmetscht laut Pool nicht {display_name(need.language, 'de')}."
                )
            if appointment["mode"] not in person.modes:
                raise CaseError(
                    f"{person.name} dolmetscht nicht {MODE_LABELS[appointment['mode']]}."
                )
            already = connection.execute(
                sa.select(assignments_table.c.id).where(
                    assignments_table.c.request_id == row.id,
                    assignments_table.c.interpreter_id == person.id,
                    assignments_table.c.status == "active",
                )
            ).first()
            if already is not None:
                raise CaseError(f"{person.name} ist für diese Anfrage schon gebucht.")

            assignment_id = int(
                connection.execute(
                    assignments_table.insert().values(
                        request_id=row.id,
                        interpreter_id=person.id,
                        language=skill.language,
                        mode=appointment["mode"],
                        appointment_date=appointment["date"],
                        appointment_time=appointment["time"],
                        place=appointment["place"],
                        status="active",
                        created_at=now,
                        staff_id=staff.id,
                    )
                ).inserted_primary_key[0]
            )
            outbox_id = None
            if person.email:
                subject, body = assignment_email(row, person, skill, appointment)
                outbox_id = enqueue_in(
                    connection, EMAIL_CHANNEL, person.email, [{"subject": subject, "body": body}]
                )[0]
            _add_entry(
                connection, row.id, "interpreter_assigned", staff, now,
                outbox_id=outbox_id,
                data={
                    "interpreter": person.name, "interpreter_id": person.id,
                    "assignment_id": assignment_id, "language": skill.language,
                    "dialect": skill.dialect, "mode": appointment["mode"],
                    "date": appointment["date"], "time": appointment["time"],
                    "place": appointment["place"], "emailed": person.email is not None,
                },
            )  # fmt: skip
            message = confirmation_message(row.reference, row.language, person, appointment)
            _tell(connection, row, message, now)
            connection.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(
                    updated_at=now,
                    assignee_id=sa.func.coalesce(requests_table.c.assignee_id, staff.id),
                    claimed_at=sa.func.coalesce(requests_table.c.claimed_at, now),
                    status=sa.case(
                        (requests_table.c.status == "new", "in_progress"),
                        else_=requests_table.c.status,
                    ),
                )
            )
            booked = _assignments(connection, row, assignment_id)[0]
        logger.info("Interpreter %s booked for request %s", person.id, row.reference)
        return booked

    def cancel(self, reference: str, assignment_id: int, staff: Staff) -> Assignment:
        """Cancel a booking: the interpreter gets an e-mail, the newcomer a message."""
        now = utcnow()
        with self._get_engine().begin() as connection:
            row = _request_row(connection, reference)
            found = _assignments(connection, row, assignment_id)
            if not found:
                raise NotFound("Diese Buchung gibt es nicht (mehr).")
            booking = found[0]
            if not booking.is_active:
                raise CaseError("Diese Buchung ist schon abgesagt.")
            changed = connection.execute(
                assignments_table.update()
                .where(assignments_table.c.id == booking.id, assignments_table.c.status == "active")
                .values(status="cancelled", cancelled_at=now)
            ).rowcount
            if changed != 1:
                raise CaseError("Diese Buchung ist schon abgesagt.")
            outbox_id = None
            if booking.interpreter_email:
                subject, body = cancellation_email(row.reference, booking)
                outbox_id = enqueue_in(
                    connection,
                    EMAIL_CHANNEL,
                    booking.interpreter_email,
                    [{"subject": subject, "body": body}],
                )[0]
            _add_entry(
                connection, row.id, "interpreter_cancelled", staff, now, outbox_id=outbox_id,
                data={
                    "interpreter": booking.interpreter_name,
                    "interpreter_id": booking.interpreter_id, "assignment_id": booking.id,
                    "mode": booking.mode, "date": booking.appointment_date,
                    "time": booking.appointment_time,
                    "emailed": booking.interpreter_email is not None,
                },
            )  # fmt: skip
            _tell(connection, row, cancellation_message(row.reference, row.language, booking), now)
            connection.execute(
                requests_table.update().where(requests_table.c.id == row.id).values(updated_at=now)
            )
            cancelled = _assignments(connection, row, booking.id)[0]
        logger.info("Interpreter booking %s on request %s cancelled", booking.id, row.reference)
        return cancelled

    def _interpreter_row(self, connection: sa.engine.Connection, interpreter_id: int) -> Any:
        row = connection.execute(
            sa.select(interpreters_table).where(interpreters_table.c.id == interpreter_id)
        ).first()
        if row is None:
            raise NotFound("Diese Person gibt es im Pool nicht (mehr).")
        return row


# --------------------------------------------------------------------------- messages


def assignment_email(
    request: Any, person: InterpreterRecord, skill: LanguageSkill, appointment: Mapping[str, Any]
) -> tuple[str, str]:
    """Subject and body (German) of the booking e-mail to the interpreter.

    What they need to attend, no more: no contact of the newcomer and not
    their description of the matter; the office stays the contact.
    """
    fields = dict(request.fields or {})
    date = parse_date(appointment["date"])
    language = display_name(skill.language, "de")
    if skill.dialect:
        language += f" ({skill.dialect})"
    kind = fields.get("appointment_kind")
    lines = [
        f"Guten Tag {person.name},",
        "",
        "die Koordinierungsstelle Integration des Landkreises Böblingen bucht Sie "
        "aus dem Dolmetscher-Pool für diesen Termin:",
        "",
        f"Anfrage: {request.reference}",
        f"Sprache: {language}",
        f"Datum: {german_date(date) if date else appointment['date']}",
        f"Uhrzeit: {appointment['time']} Uhr",
        f"Art: {MODE_LABELS[appointment['mode']]}",
    ]
    if appointment["place"]:
        lines.append(f"Ort: {appointment['place']}")
    if kind:
        lines.append(f"Termin: {choice_label('appointment_kind', str(kind), 'de')}")
    requested_dialect = fields.get("interpreter_dialect_de") or fields.get("interpreter_dialect")
    if requested_dialect and requested_dialect != TO_CLARIFY:
        lines.append(f"Gewünschter Dialekt: {requested_dialect}")
    lines += [
        "",
        "Bitte nennen Sie beim Termin die Anfragenummer. Kontaktdaten der Person "
        "geben wir nicht weiter: Wenn Sie etwas klären müssen oder nicht kommen "
        "können, antworten Sie bitte auf diese E-Mail, wir kümmern uns.",
        "",
        "Es gelten die Leitlinien des Pools: Sie übersetzen alles vollständig und "
        "neutral, geben keinen Rat und behandeln alles vertraulich. Kennen Sie die "
        "Person privat oder sind Sie mit ihr verwandt, sagen Sie uns bitte Bescheid, "
        "dann übernimmt jemand anderes.",
        "",
        "Vielen Dank!",
        "Koordinierungsstelle Integration, Landratsamt Böblingen",
    ]
    subject = f"Dolmetsch-Einsatz {request.reference}: {language}, " + (
        date.strftime("%d.%m.%Y") if date else str(appointment["date"])
    )
    return subject, "\n".join(lines)


def cancellation_email(reference: str, booking: Assignment) -> tuple[str, str]:
    date = parse_date(booking.appointment_date)
    when = german_date(date) if date else (booking.appointment_date or "")
    subject = f"Abgesagt: Dolmetsch-Einsatz {reference}, " + (
        date.strftime("%d.%m.%Y") if date else (booking.appointment_date or "")
    )
    body = "\n".join(
        [
            f"Guten Tag {booking.interpreter_name},",
            "",
            f"der Dolmetsch-Einsatz zu Anfrage {reference} am {when} um "
            f"{booking.appointment_time} Uhr ({MODE_LABELS.get(booking.mode, booking.mode)}) "
            "ist abgesagt. Sie müssen nichts weiter tun.",
            "",
            "Vielen Dank!",
            "Koordinierungsstelle Integration, Landratsamt Böblingen",
        ]
    )
    return subject, body


def confirmation_message(
    reference: str, language: str, person: InterpreterRecord, appointment: Mapping[str, Any]
) -> str:
    """What the newcomer reads about the booking, in their language (marked if machine-made)."""

    def compose() -> str:
        date = parse_date(appointment["date"])
        details = [
            f"• {label('appointment_date', language)}: "
            f"{date.strftime('%d.%m.%Y') if date else appointment['date']}",
            f"• {label('appointment_time', language)}: {appointment['time']}",
        ]
        if appointment["place"]:
            details.append(f"• {label('appointment_place', language)}: {appointment['place']}")
        details.append(
            f"• {label('interpreter_mode', language)}: "
            f"{catalogue_text('office.mode.' + appointment['mode'], language)}"
        )
        return "\n\n".join(
            [
                catalogue_text("office.interpreter.confirmed", language, reference=reference),
                "\n".join(details),
                catalogue_text("office.interpreter.first_name", language, name=person.first_name),
                catalogue_text("office.interpreter.expectations", language),
            ]
        )

    return render_marked(language, compose)


def cancellation_message(reference: str, language: str, booking: Assignment) -> str:
    date = parse_date(booking.appointment_date)
    return render_marked(
        language,
        catalogue_text,
        "office.interpreter.cancelled",
        language,
        reference=reference,
        date=date.strftime("%d.%m.%Y") if date else (booking.appointment_date or ""),
        time=booking.appointment_time or "",
    )


# --------------------------------------------------------------------------- plumbing


def _appointment(
    mode: str, date: str, time: str, place: str | None, today: dt.date
) -> dict[str, Any]:
    errors = {}
    if mode not in MODES:
        errors["mode"] = "Einsatzart: vor Ort, Telefon oder Video wählen."
    day = parse_date(date)
    if day is None:
        errors["date"] = "Datum: bitte als TT.MM.JJJJ angeben."
    elif day < today:
        errors["date"] = "Datum: der Termin liegt in der Vergangenheit."
    clock = parse_time(time)
    if clock is None:
        errors["time"] = "Uhrzeit: bitte als HH:MM angeben."
    place = " ".join((place or "").split()) or None
    if mode == "on_site" and not place:
        errors["place"] = "Ort: für einen Einsatz vor Ort bitte angeben."
    elif place and len(place) > MAX_PLACE:
        errors["place"] = f"Ort: höchstens {MAX_PLACE} Zeichen."
    if errors:
        raise PoolError(errors)
    return {
        "mode": mode,
        "date": day.isoformat(),
        "time": clock.strftime("%H:%M"),
        "place": place,
    }


def _request_row(connection: sa.engine.Connection, reference: str) -> Any:
    reference = (reference or "").strip().upper()
    row = connection.execute(
        sa.select(requests_table).where(requests_table.c.reference == reference)
    ).first()
    if row is None:
        raise NotFound(f"Die Anfrage {reference} gibt es nicht (mehr).")
    if row.category != "interpreter":
        raise CaseError(f"Die Anfrage {reference} ist keine Dolmetsch-Anfrage.")
    return row


def _assignments(
    connection: sa.engine.Connection, request: Any, assignment_id: int | None = None
) -> list[Assignment]:
    a, i = assignments_table, interpreters_table
    query = (
        sa.select(a, i.c.name, i.c.email)
        .select_from(a.join(i, i.c.id == a.c.interpreter_id))
        .where(a.c.request_id == request.id)
        .order_by(a.c.created_at, a.c.id)
    )
    if assignment_id is not None:
        query = query.where(a.c.id == assignment_id)
    return [
        Assignment(
            id=row.id,
            reference=request.reference,
            interpreter_id=row.interpreter_id,
            interpreter_name=row.name,
            interpreter_email=row.email,
            language=row.language,
            mode=row.mode,
            appointment_date=row.appointment_date,
            appointment_time=row.appointment_time,
            place=row.place,
            status=row.status,
            created_at=row.created_at,
            cancelled_at=row.cancelled_at,
        )
        for row in connection.execute(query)
    ]


def _tell(connection: sa.engine.Connection, row: Any, message: str, now: dt.datetime) -> None:
    delivery, outbox_id = newcomer.send(connection, row.sender_id, message)
    _add_entry(
        connection, row.id, "notice", None, now, text_translated=message,
        language=row.language, delivery=delivery, outbox_id=outbox_id,
    )  # fmt: skip


def _add_entry(
    connection: sa.engine.Connection,
    request_id: int,
    kind: str,
    staff: Staff | None,
    now: dt.datetime,
    **values: Any,
) -> None:
    connection.execute(
        entries_table.insert().values(
            request_id=request_id,
            created_at=now,
            kind=kind,
            staff_id=staff.id if staff else None,
            staff_name=staff.name if staff else None,
            **values,
        )
    )


def _values(data: InterpreterData) -> dict[str, Any]:
    return {
        "name": data.name,
        "email": data.email,
        "phone": data.phone,
        "languages": [skill.as_json() for skill in data.languages],
        "towns": list(data.towns),
        "modes": list(data.modes),
        "weekdays": list(data.weekdays),
        "availability_note": data.availability_note,
        "trained_on": data.trained_on,
        "listing_consent": data.listing_consent,
        "active": data.active,
        "notes": data.notes,
    }


def _record(row: Any) -> InterpreterRecord:
    return InterpreterRecord(
        id=row.id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        languages=tuple(
            LanguageSkill(str(item.get("language")), item.get("dialect"))
            for item in (row.languages or [])
        ),
        towns=tuple(row.towns or ()),
        modes=tuple(row.modes or ()),
        weekdays=tuple(row.weekdays or ()),
        availability_note=row.availability_note,
        trained_on=row.trained_on,
        listing_consent=bool(row.listing_consent),
        active=bool(row.active),
        notes=row.notes,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
