"""Pages of the interpreter pool (Dolmetscher-Pool).

Admins keep the registry (``/dolmetscher``); coordinators and admins book an
interpreter for an interpreter request (``/anfragen/<reference>/dolmetschen``).
The work is done by :class:`bot.casework.pool.Pool`; every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from bot.casework.pool import (
    MODE_LABELS,
    MODES,
    WEEKDAY_LABELS,
    WEEKDAYS,
    InterpreterData,
    InterpreterRecord,
    LanguageSkill,
    Pool,
    PoolError,
    PoolFilter,
)
from bot.casework.store import CaseError, NotFound, Staff
from bot.language_names import display_name, is_language_code, language_code_from_text
from bot.office import audit
from bot.office.forms import ActionForm
from bot.office.web import ADMIN, COORDINATOR, NavItem, office, role_required
from bot.texts import choice_label
from bot.vocabulary import ALL_MUNICIPALITIES, TO_CLARIFY

blueprint = Blueprint("pool", __name__)
NAV = [NavItem("Dolmetscher-Pool", "pool.index", {ADMIN}, order=60)]

#: Audit actions of this module, named on the audit page.
ACTION_LABELS = {
    "interpreter_added": "Dolmetscher/in aufgenommen",
    "interpreter_changed": "Dolmetscher/in geändert",
    "interpreter_deactivated": "Dolmetscher/in deaktiviert",
    "interpreter_deleted": "Dolmetscher/in gelöscht",
    "interpreter_viewed": "Dolmetsch-Anfrage angesehen",
    "interpreter_assigned": "Dolmetscher/in gebucht",
    "interpreter_cancelled": "Dolmetsch-Buchung abgesagt",
}

REQUIRED = "Bitte ausfüllen."
LANGUAGE_HINT = (
    "Eine Sprache pro Zeile: Name oder ISO-Code, optional Dialekt nach einem Doppelpunkt, "
    "z. B. „Dari: Herati“, „Tigrinya“ oder „kmr“."
)


def init_app(app: Flask) -> None:
    audit.ACTION_LABELS.update(ACTION_LABELS)
    app.add_template_filter(_language_name, "language_name")


def pool() -> Pool:
    return office().service(
        "pool", lambda services: Pool(services.database_url, engine=services.engine)
    )


def _language_name(code: str | None) -> str:
    return display_name(code, "de") if code and is_language_code(code) else (code or "")


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InterpreterForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = StringField("E-Mail", validators=[Optional(), Length(max=254)])
    phone = StringField("Telefon", validators=[Optional(), Length(max=40)])
    languages = TextAreaField("Sprachen", description=LANGUAGE_HINT, render_kw={"rows": 3})
    towns = CheckboxesField(
        "Einsatzorte", description="Keine Auswahl: der ganze Landkreis.", choices=[]
    )
    modes = CheckboxesField("Einsatzarten", choices=[(m, MODE_LABELS[m]) for m in MODES])
    weekdays = CheckboxesField(
        "Meist verfügbar an", choices=[(d, WEEKDAY_LABELS[d]) for d in WEEKDAYS]
    )
    availability_note = StringField(
        "Hinweis zur Verfügbarkeit", validators=[Optional(), Length(max=255)],
        description="z. B. „vormittags“, „nicht in den Schulferien“",
    )  # fmt: skip
    trained_on = DateField(
        "Schulung zu den Leitlinien besucht am", validators=[Optional()],
        description="Erst nach der Schulung wird die Person vorgeschlagen.",
    )  # fmt: skip
    listing_consent = BooleanField("Einwilligung in die Aufnahme in den Pool liegt vor")
    active = BooleanField("Aktiv (wird vorgeschlagen und kann gebucht werden)", default=True)
    notes = TextAreaField("Interne Notizen", validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Speichern")


class AssignForm(FlaskForm):
    # The service refuses anyone who cannot be booked, with a German reason.
    interpreter_id = SelectField("Dolmetscher/in", coerce=int, choices=[], validate_choice=False)
    mode = SelectField("Einsatzart", choices=[(m, MODE_LABELS[m]) for m in MODES])
    date = StringField("Datum", render_kw={"type": "date"})
    time = StringField("Uhrzeit", render_kw={"type": "time"})
    place = StringField("Ort", validators=[Optional(), Length(max=255)])
    submit = SubmitField("Buchen und beide informieren")


# -- registry (admins) ----------------------------------------------------------------


@blueprint.get("/dolmetscher")
@role_required(ADMIN)
def index() -> str:
    active = {"ja": True, "nein": False}.get(request.args.get("aktiv", ""))
    language = (request.args.get("sprache") or "").strip().lower() or None
    town = (request.args.get("ort") or "").strip() or None
    people = pool().interpreters(PoolFilter(language=language, town=town, active=active))
    return render_template(
        "pool/list.html",
        people=people,
        languages=pool().languages_in_use(),
        towns=pool().towns,
        selected={
            "sprache": language or "",
            "ort": town or "",
            "aktiv": request.args.get("aktiv", ""),
        },
        mode_labels=MODE_LABELS,
        weekday_labels=WEEKDAY_LABELS,
        action_form=ActionForm(),
    )


@blueprint.route("/dolmetscher/neu", methods=["GET", "POST"])
@role_required(ADMIN)
def new() -> str | Response:
    form = _interpreter_form()
    if form.validate_on_submit():
        data = _data(form)
        if data is not None:
            try:
                person = pool().add(data)
            except PoolError as error:
                _attach(form, error)
            else:
                audit.record("interpreter_added", detail=f"dolmetscher={person.id}")
                flash(f"{person.name} ist jetzt im Dolmetscher-Pool.", "success")
                return redirect(url_for("pool.index"))
    return render_template("pool/form.html", form=form, person=None)


@blueprint.route("/dolmetscher/<int:interpreter_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def edit(interpreter_id: int) -> str | Response:
    person = _person(interpreter_id)
    form = _interpreter_form(person if request.method == "GET" else None)
    if form.validate_on_submit():
        data = _data(form)
        if data is not None:
            try:
                person = pool().update(interpreter_id, data)
            except PoolError as error:
                _attach(form, error)
            else:
                audit.record("interpreter_changed", detail=f"dolmetscher={person.id}")
                flash(f"Die Angaben zu {person.name} sind gespeichert.", "success")
                return redirect(url_for("pool.index"))
    return render_template("pool/form.html", form=form, person=person)


@blueprint.post("/dolmetscher/<int:interpreter_id>/deaktivieren")
@role_required(ADMIN)
def deactivate(interpreter_id: int) -> Response:
    person = _person(interpreter_id)
    pool().deactivate(person.id)
    audit.record("interpreter_deactivated", detail=f"dolmetscher={person.id}")
    flash(f"{person.name} ist deaktiviert und wird nicht mehr vorgeschlagen.", "success")
    return redirect(url_for("pool.index"))


@blueprint.post("/dolmetscher/<int:interpreter_id>/loeschen")
@role_required(ADMIN)
def delete(interpreter_id: int) -> Response:
    person = _person(interpreter_id)
    try:
        pool().delete(person.id)
    except CaseError as error:
        flash(str(error), "error")
    else:
        audit.record("interpreter_deleted", detail=f"dolmetscher={person.id}")
        flash(f"{person.name} ist aus dem Pool gelöscht.", "success")
    return redirect(url_for("pool.index"))


def _person(interpreter_id: int) -> InterpreterRecord:
    try:
        return pool().interpreter(interpreter_id)
    except NotFound:
        abort(404)


def _interpreter_form(person: InterpreterRecord | None = None) -> InterpreterForm:
    if person is None:
        form = InterpreterForm()
    else:
        form = InterpreterForm(
            data={
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "languages": "\n".join(
                    f"{_language_name(s.language)}: {s.dialect}"
                    if s.dialect
                    else _language_name(s.language)
                    for s in person.languages
                ),
                "towns": list(person.towns),
                "modes": list(person.modes),
                "weekdays": list(person.weekdays),
                "availability_note": person.availability_note,
                "trained_on": person.trained_on,
                "listing_consent": person.listing_consent,
                "active": person.active,
                "notes": person.notes,
            }
        )
    form.towns.choices = [(town, town) for town in pool().towns]
    return form


def _data(form: InterpreterForm) -> InterpreterData | None:
    """The form as the service's input; ``None`` with errors on the form when a line is unclear."""
    skills = []
    for line in (form.languages.data or "").splitlines():
        name, _, dialect = line.partition(":")
        name = name.strip()
        if not name:
            continue
        code = name.lower() if is_language_code(name.lower()) else language_code_from_text(name)
        if code is None:
            form.languages.errors = [
                f"Sprachen: „{name}“ kennen wir nicht; bitte den ISO-639-Code angeben."
            ]
            return None
        skills.append(LanguageSkill(code, dialect.strip() or None))
    return InterpreterData(
        name=form.name.data or "",
        email=form.email.data,
        phone=form.phone.data,
        languages=tuple(skills),
        towns=tuple(form.towns.data or ()),
        modes=tuple(form.modes.data or ()),
        weekdays=tuple(form.weekdays.data or ()),
        availability_note=form.availability_note.data,
        trained_on=form.trained_on.data,
        listing_consent=bool(form.listing_consent.data),
        active=bool(form.active.data),
        notes=form.notes.data,
    )


def _attach(form: FlaskForm, error: PoolError) -> None:
    for name, message in error.errors.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors or ()), message]
        else:
            form.form_errors.append(message)


# -- booking (coordinators and admins) ------------------------------------------------


@blueprint.route("/anfragen/<reference>/dolmetschen", methods=["GET", "POST"])
@role_required(COORDINATOR)
def assign_page(reference: str) -> str | Response | tuple[str, int]:
    try:
        view = pool().request(reference)
    except NotFound:
        abort(404)
    except CaseError as error:
        # A request of another category has no interpreter to book.
        return render_template(
            "error.html", code=400, title="Keine Dolmetsch-Anfrage", text=str(error)
        ), 400
    suggestions = pool().suggestions(view.reference)
    form = AssignForm()
    form.interpreter_id.choices = [(s.interpreter.id, s.interpreter.name) for s in suggestions]
    if request.method == "GET":
        fields = view.fields
        form.mode.data = view.need.mode
        form.date.data = view.need.date.isoformat() if view.need.date else ""
        form.time.data = str(fields.get("appointment_time") or "")
        place = fields.get("appointment_place")
        form.place.data = "" if place in (None, TO_CLARIFY) else str(place)
        audit.record("interpreter_viewed", reference=view.reference)
    elif form.validate_on_submit():
        try:
            booking = pool().assign(
                view.reference,
                form.interpreter_id.data,
                Staff(current_user.id, current_user.display_name),
                form.mode.data,
                form.date.data or "",
                form.time.data or "",
                form.place.data,
            )
        except PoolError as error:
            _attach(form, error)
        except CaseError as error:
            form.form_errors.append(str(error))
        else:
            audit.record(
                "interpreter_assigned",
                reference=view.reference,
                detail=f"dolmetscher={booking.interpreter_id} buchung={booking.id}",
            )
            note = "" if booking.interpreter_email else " Keine E-Mail-Adresse: bitte anrufen."
            flash(
                f"{booking.interpreter_name} ist gebucht; beide sind informiert.{note}", "success"
            )
            return redirect(url_for("pool.assign_page", reference=view.reference))
    return render_template(
        "pool/assign.html",
        view=view,
        appointment=_appointment_rows(view.fields),
        suggestions=suggestions,
        form=form,
        cancel_form=ActionForm(),
        mode_labels=MODE_LABELS,
    )


@blueprint.post("/anfragen/<reference>/dolmetschen/<int:assignment_id>/absagen")
@role_required(COORDINATOR)
def cancel(reference: str, assignment_id: int) -> Response:
    reference = reference.strip().upper()
    try:
        booking = pool().cancel(
            reference, assignment_id, Staff(current_user.id, current_user.display_name)
        )
    except NotFound:
        abort(404)
    except CaseError as error:
        flash(str(error), "error")
    else:
        audit.record(
            "interpreter_cancelled",
            reference=reference,
            detail=f"dolmetscher={booking.interpreter_id} buchung={booking.id}",
        )
        flash(
            f"Die Buchung von {booking.interpreter_name} ist abgesagt; beide sind informiert.",
            "success",
        )
    return redirect(url_for("pool.assign_page", reference=reference))


def _appointment_rows(fields: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(label, value as stored, German translation) of the appointment's fields."""
    rows = []

    def add(label: str, name: str, value: Any = None) -> None:
        raw = fields.get(name) if value is None else value
        shown = "noch zu klären" if raw == TO_CLARIFY else ("–" if raw in (None, "") else str(raw))
        rows.append((label, shown, fields.get(f"{name}_de")))

    language = fields.get("interpreter_language")
    add("Sprache", "interpreter_language", _language_name(str(language)) if language else None)
    add("Dialekt", "interpreter_dialect")
    date = fields.get("appointment_date")
    try:
        shown_date = dt.date.fromisoformat(str(date)).strftime("%d.%m.%Y") if date else None
    except ValueError:
        shown_date = None
    add("Datum", "appointment_date", shown_date)
    add("Uhrzeit", "appointment_time")
    kind = fields.get("appointment_kind")
    add(
        "Art des Termins",
        "appointment_kind",
        choice_label("appointment_kind", kind, "de") if kind else None,
    )
    add("Ort des Termins", "appointment_place")
    town = fields.get("municipality")
    add("Gemeinde", "municipality", "ganzer Landkreis" if town == ALL_MUNICIPALITIES else None)
    mode = fields.get("interpreter_mode")
    add("Gewünschte Einsatzart", "interpreter_mode", MODE_LABELS.get(str(mode)) if mode else None)
    return rows
