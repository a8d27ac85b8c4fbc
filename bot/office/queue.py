"""The queue of requests, a request's page, and working on it (coordinators and admins).

Every page here is a view over :class:`bot.casework.store.Casework`; the
changes are its methods, called from plain POST forms (CSRF token, redirect
with a German message). Errors the coordinator can act on (someone else
claimed it, the request is closed) come back as :class:`CaseError` and are
shown as a message, never as a server error. Viewing a request and every
change are written to the audit log.

The queue refreshes itself every few seconds (``queue.js`` fetches
:func:`results`); without JavaScript it is a GET form with filters.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from bot.casework.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    ENTRY_LABELS,
    FIELD_LABELS,
    HOLDER_LABELS,
    STATUS_LABELS,
)
from bot.casework.preview import ReplyPreview, preview_reply
from bot.casework.store import (
    MAX_TEXT,
    STATUSES,
    Case,
    CaseError,
    Casework,
    NotFound,
    QueueFilter,
    Staff,
)
from bot.casework.templates import ReplyTemplates
from bot.handoff import GERMAN_SUFFIX
from bot.language_names import display_name, is_language_code
from bot.office import audit
from bot.office.audit import ACTION_LABELS
from bot.office.presence import Presence
from bot.office.services import Office
from bot.office.web import ADMIN, COORDINATOR, NavItem, office, role_required
from bot.texts import choice_label
from bot.translation.engine import Translator, translator_from_settings

blueprint = Blueprint("queue", __name__, url_prefix="/anfragen")
NAV = [NavItem("Anfragen", "queue.index", {COORDINATOR}, order=10)]

#: Audit actions of this module, as the audit page names them.
AUDIT_LABELS = {
    "view": "Anfrage angesehen",
    "claim": "Anfrage übernommen",
    "release": "Anfrage zurückgegeben",
    "assign": "Anfrage zugewiesen",
    "status": "Status geändert",
    "reply": "Antwort gesendet",
    "note": "Notiz geschrieben",
}
#: The time zone of the office (the stored times are UTC).
OFFICE_TIME_ZONE = ZoneInfo("Europe/Berlin")
#: The status a closed request gets when it is opened again.
REOPENED_STATUS = "in_progress"


def init_app(app: Flask) -> None:
    """Template filters and the audit labels of this module."""
    for action, label in AUDIT_LABELS.items():
        ACTION_LABELS.setdefault(action, label)
    app.add_template_filter(age, "age")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(language_name, "language_name")


@blueprint.before_request
@role_required(COORDINATOR, ADMIN)
def _coordinators_only() -> None:
    """Requests carry personal data: coordinators and admins only (editors get 403)."""


# -- services of the running app ---------------------------------------------------------


def casework() -> Casework:
    return office().service(
        "casework", lambda owner: Casework(owner.database_url, engine=owner.engine)
    )


def reply_templates() -> ReplyTemplates:
    return office().service(
        "reply_templates",
        lambda owner: ReplyTemplates(owner.database_url, engine=owner.engine),
    )


def presence() -> Presence:
    return office().service("presence", lambda owner: Presence(clock=owner.now))


def translator() -> Translator:
    """The installed translation models (loaded on first use, then kept)."""

    def make(owner: Office) -> Translator:
        from bot.translation.cache import TranslationCache

        settings = current_app.extensions["welcome_settings"]
        cache = TranslationCache(
            owner.database_url,
            max_age_days=settings.translation_cache_days,
            engine=owner.engine,
        )
        return translator_from_settings(settings, cache)

    return office().service("translator", make)


def _staff() -> Staff:
    return Staff(current_user.id, current_user.display_name)


# -- template filters ---------------------------------------------------------------------


def age(moment: datetime | None) -> str:
    """How long ago, as the queue shows it: "vor 3 Std."."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = max(0, int((office().now() - moment).total_seconds()))
    if seconds < 60:
        return "gerade eben"
    if seconds < 3600:
        return f"vor {seconds // 60} Min."
    if seconds < 86400:
        return f"vor {seconds // 3600} Std."
    days = seconds // 86400
    return "vor 1 Tag" if days == 1 else f"vor {days} Tagen"


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(OFFICE_TIME_ZONE).strftime("%d.%m.%Y %H:%M")


def language_name(code: str | None) -> str:
    return display_name(code, "de") if code else ""


# -- the queue ----------------------------------------------------------------------------


def _queue_context() -> dict[str, Any]:
    filters = QueueFilter.from_args(request.args)
    page = casework().queue(filters, current_user.id)
    query = {
        name: value
        for name, value in (
            ("category", filters.category),
            ("status", filters.status),
            ("town", filters.town),
            ("language", filters.language),
            ("channel", filters.channel),
            ("holder", filters.holder),
            ("reference", filters.reference),
        )
        if value
    }
    return {
        "filters": filters,
        "page": page,
        "refresh_url": url_for("queue.results", **query, page=page.page),
        "previous_url": url_for("queue.index", **query, page=page.page - 1),
        "next_url": url_for("queue.index", **query, page=page.page + 1),
        "categories": CATEGORY_LABELS,
        "statuses": STATUS_LABELS,
        "channels": CHANNEL_LABELS,
        "holders": HOLDER_LABELS,
    }


@blueprint.get("/")
@blueprint.get("")
def index() -> str:
    return render_template("queue/index.html", facets=casework().facets(), **_queue_context())


@blueprint.get("/liste")
def results() -> str:
    """The queue's table alone (same filters), for the page's refresh."""
    return render_template("queue/_results.html", **_queue_context())


# -- a request ----------------------------------------------------------------------------


def _case_or_404(reference: str) -> Case:
    try:
        return casework().case(reference)
    except NotFound:
        abort(404)


def _field_rows(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields in a fixed order with German names; a free text next to its German version."""
    names = [name for name in FIELD_LABELS if name in fields]
    names += sorted(
        name for name in fields if name not in FIELD_LABELS and not name.endswith(GERMAN_SUFFIX)
    )
    return [
        {
            "label": FIELD_LABELS.get(name, name),
            "value": _shown_value(name, fields[name]),
            "german": fields.get(name + GERMAN_SUFFIX),
        }
        for name in names
    ]


#: Fields stored as a code of a button's choice (``choice.<field>.<code>`` in data/texts.yml).
CHOICE_FIELDS = ("appointment_kind", "interpreter_mode")


def _shown_value(name: str, value: Any) -> Any:
    """A stored code as the office reads it: "Arzt oder Krankenhaus", "Arabisch", 17.01.2027."""
    if not isinstance(value, str):
        return value
    if name in CHOICE_FIELDS:
        return choice_label(name, value, "de")
    if name == "interpreter_language" and is_language_code(value):
        return f"{display_name(value, 'de')} ({value})"
    if name == "appointment_date":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return value


def _render_detail(case: Case, *, reply_text: str = "", preview: ReplyPreview | None = None) -> str:
    templates = reply_templates().find(case.category)
    return render_template(
        "queue/detail.html",
        case=case,
        fields=_field_rows(case.fields),
        templates=templates,
        reply_text=reply_text,
        preview=preview,
        staff=casework().staff_names(),
        others=presence().others(case.reference, current_user.display_name),
        categories=CATEGORY_LABELS,
        statuses=STATUS_LABELS,
        channels=CHANNEL_LABELS,
        entry_labels=ENTRY_LABELS,
        delivery_labels=DELIVERY_LABELS,
        max_text=MAX_TEXT,
    )


@blueprint.get("/<reference>")
def detail(reference: str) -> str:
    case = _case_or_404(reference)
    audit.record("view", case.reference)
    presence().seen(case.reference, current_user.display_name)
    reply_text = ""
    template_id = request.args.get("template", type=int)
    if template_id is not None:
        try:
            reply_text = reply_templates().get(template_id).body
        except NotFound:
            flash("Diese Vorlage gibt es nicht (mehr).", "warning")
    return _render_detail(case, reply_text=reply_text)


@blueprint.post("/<reference>/anwesend")
def still_open(reference: str) -> Response:
    """The detail page reports that it is still open; answers who else has it open."""
    case = _case_or_404(reference)
    presence().seen(case.reference, current_user.display_name)
    return jsonify(others=presence().others(case.reference, current_user.display_name))


def _back(reference: str) -> Response:
    return redirect(url_for("queue.detail", reference=reference))


def _change(reference: str, action: str, change, success: str | None = None) -> Response:
    """Run ``change()``; record it and say how it went (errors as a message)."""
    try:
        message = change()
    except NotFound as error:
        flash(str(error), "error")
        return redirect(url_for("queue.index"))
    except CaseError as error:
        flash(str(error), "error")
        return _back(reference)
    audit.record(action, reference.strip().upper())
    flash(message or success or "Gespeichert.", "success")
    return _back(reference)


@blueprint.post("/<reference>/uebernehmen")
def claim(reference: str) -> Response:
    def change() -> str | None:
        if casework().claim(reference, _staff()):
            return "Sie haben die Anfrage übernommen."
        holder = casework().case(reference).assignee_name or "jemand anderem"
        raise CaseError(f"Bereits übernommen von {holder}.")

    return _change(reference, "claim", change)


@blueprint.post("/<reference>/zurueckgeben")
def release(reference: str) -> Response:
    return _change(
        reference,
        "release",
        lambda: casework().release(reference, _staff()),
        "Die Anfrage ist zurück in der Warteschlange.",
    )


@blueprint.post("/<reference>/zuweisen")
def assign(reference: str) -> Response:
    colleague_id = request.form.get("colleague", type=int)

    def change() -> str:
        if colleague_id is None:
            raise CaseError("Bitte wählen Sie eine Kollegin oder einen Kollegen.")
        colleague = casework().assign(reference, _staff(), colleague_id)
        return f"Die Anfrage ist jetzt bei {colleague.name}."

    return _change(reference, "assign", change)


@blueprint.post("/<reference>/status")
def status(reference: str) -> Response:
    new_status = request.form.get("status", "")

    def change() -> str:
        if new_status not in STATUSES:
            raise CaseError("Unbekannter Status.")
        casework().set_status(reference, _staff(), new_status)
        return f"Status: {STATUS_LABELS[new_status]}."

    return _change(reference, "status", change)


@blueprint.post("/<reference>/notiz")
def note(reference: str) -> Response:
    return _change(
        reference,
        "note",
        lambda: casework().note(reference, _staff(), request.form.get("text", "")),
        "Die Notiz ist gespeichert (nur intern sichtbar).",
    )


@blueprint.post("/<reference>/antwort")
def reply(reference: str) -> Response | str:
    """Send a reply in German, or (button "Vorschau") show what the newcomer would read."""
    german = (request.form.get("text") or "").strip()
    if request.form.get("action") == "preview":
        case = _case_or_404(reference)
        if not german:
            flash("Der Text ist leer.", "error")
            return _back(case.reference)
        preview = preview_reply(case.reference, german, case.language, translator())
        return _render_detail(case, reply_text=german, preview=preview)

    def change() -> str:
        case = casework().case(reference)
        if not german:
            raise CaseError("Der Text ist leer.")
        # Never blocks: without a model the German original goes out (with a note).
        preview = preview_reply(case.reference, german, case.language, translator())
        translated = preview.reply
        casework().reply(
            reference,
            _staff(),
            german,
            translated.text,
            translated.language,
            translated.machine_translated,
        )
        if preview.untranslated:
            return (
                "Die Antwort ist unterwegs – auf Deutsch, mit einem Hinweis in der Sprache "
                "der Person (kein Übersetzungsmodell installiert)."
            )
        return "Die Antwort ist unterwegs."

    return _change(reference, "reply", change)


@blueprint.post("/<reference>/vorschau")
def preview(reference: str) -> Response:
    """The reply preview as JSON, for the detail page's script."""
    case = _case_or_404(reference)
    german = (request.form.get("text") or "").strip()
    if not german:
        return jsonify(error="Der Text ist leer."), 400  # type: ignore[return-value]
    result = preview_reply(case.reference, german, case.language, translator())
    return jsonify(
        message=result.message,
        language=language_name(case.language),
        machine_translated=result.reply.machine_translated,
        untranslated=result.untranslated,
        back_to_german=result.back_to_german,
    )
