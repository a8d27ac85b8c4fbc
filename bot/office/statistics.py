"""The chat's statistics (``/statistik``) and its unanswered questions (``/unbeantwortet``).

For editors (and admins): they maintain what the assistant knows. The
statistics come from the anonymous daily figures and feedback votes only
(:mod:`bot.chatfigures.statistics`); the unanswered questions are stored
masked and without sender (:mod:`bot.store.chat_figures`). Every CSV export
and every change to a question is audited.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from bot.chatfigures.statistics import (
    STATISTICS_NAMES,
    ChatStatistics,
    DayRange,
    DayRangeError,
    day_label,
)
from bot.chatfigures.unanswered import Question, UnansweredQuestions, known_intents
from bot.language_names import display_name
from bot.masking import EMAIL, NAME, PHONE, mask_personal_data
from bot.office import audit
from bot.office.charts import data_uri
from bot.office.figures import figure_csv, format_cell
from bot.office.model_training import training_examples
from bot.office.web import EDITOR, NavItem, office, role_required
from bot.store.chat_figures import DISMISSED, NEW, USED
from bot.store.figures import REPORT_TIMEZONE
from bot.training.examples import TRAINED_LANGUAGES, ExampleError

blueprint = Blueprint("statistics", __name__)
NAV = [
    NavItem("Statistik", "statistics.index", {EDITOR}, order=75),
    NavItem("Unbeantwortet", "statistics.unanswered", {EDITOR}, order=76),
]
#: Where an FAQ entry is created (the content editor's page).
FAQ_NEW_URL = "/inhalte/faq/neu"
STATUS_LABELS = {NEW: "offen", DISMISSED: "verworfen", USED: "als Trainingsbeispiel übernommen"}
#: The masking's placeholders: a question with one is no good training example.
PLACEHOLDERS = (PHONE, EMAIL, NAME)
#: At most this many questions per action (one group's worth and more).
MAX_IDS = 500


@blueprint.before_request
@role_required(EDITOR)
def _editors_and_admins() -> None:
    """Editors maintain what the assistant knows; admins may do everything."""


def _language_label(code: str) -> str:
    if not code or code == "und":
        return "unbekannt"
    return f"{display_name(code, 'de')} ({code})"


def _topic_label(topic: str) -> str:
    if not topic:
        return "(ohne Anliegen)"
    if topic.startswith("faq:"):
        return f"FAQ {topic[4:]}"
    return topic


def _statistics() -> ChatStatistics:
    return office().service(
        "chat_statistics",
        lambda services: ChatStatistics(services.engine, _language_label, _topic_label),
    )


def _questions() -> UnansweredQuestions:
    return office().service(
        "unanswered_questions", lambda services: UnansweredQuestions(services.engine)
    )


def _range() -> tuple[DayRange, str | None]:
    today = office().now().astimezone(REPORT_TIMEZONE).date()
    try:
        return DayRange.parse(request.args.get("von"), request.args.get("bis"), today), None
    except DayRangeError as error:
        return DayRange.parse(None, None, today), str(error)


#: How many of the hardest texts the statistics page lists.
LEAST_READABLE_SHOWN = 10


def least_readable_answers() -> list | None:
    """The hardest German texts of the content, hardest first; ``None`` without readability.

    Hook for the readability piece (``bot.content.readability`` on main, built
    in parallel): on a branch without it the page leaves the section out.
    Rows: (label, Flesch (Amstad), Wiener Sachtextformel, below the threshold).
    """
    try:
        from bot.content.readability import content_readability, hardest_first
    except ImportError:
        return None
    from bot.content import get_content

    results = hardest_first(content_readability(get_content()))[:LEAST_READABLE_SHOWN]
    return [
        (
            f"{result.file}: {result.entry} ({result.field})",
            result.readability.flesch_amstad,
            result.readability.wiener_sachtextformel,
            not result.readability.plain,
        )
        for result in results
    ]


@blueprint.get("/statistik", endpoint="index")
def index() -> str:
    days, problem = _range()
    if problem:
        flash(problem, "error")
    figures = _statistics().report(days)
    return render_template(
        "statistics/index.html",
        days=days,
        period=f"{day_label(days.start)} bis {day_label(days.end)}",
        figures=figures,
        charts={figure.name: data_uri(figure) for figure in figures},
        cell=format_cell,
        least_readable=least_readable_answers(),
    )


@blueprint.get("/statistik/<name>.csv", endpoint="export")
def export(name: str) -> Response:
    if name not in STATISTICS_NAMES:
        abort(404)
    days, problem = _range()
    if problem:
        abort(400, problem)
    [figure] = [figure for figure in _statistics().report(days) if figure.name == name]
    audit.record("export", detail=f"statistik={name} zeitraum={days.start}..{days.end}")
    return Response(
        figure_csv(figure),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="statistik-{name}-{days.start}-{days.end}.csv"'
            )
        },
    )


@blueprint.get("/unbeantwortet", endpoint="unanswered")
def unanswered() -> str:
    status = request.args.get("status", NEW)
    if status not in STATUS_LABELS:
        status = NEW
    groups = _questions().groups(status)
    return render_template(
        "statistics/unanswered.html",
        groups=groups,
        status=status,
        status_labels=STATUS_LABELS,
        intents=known_intents(),
        faq_link=lambda text: f"{FAQ_NEW_URL}?{urlencode({'frage': text})}",
        language_label=_language_label,
        day=day_label,
    )


def _ids() -> list[int]:
    values = request.form.getlist("id")
    try:
        ids = sorted({int(value) for value in values})
    except ValueError:
        abort(400, "Ungültige Auswahl.")
    if not ids or len(ids) > MAX_IDS:
        abort(400, "Keine oder zu viele Fragen ausgewählt.")
    return ids


@blueprint.post("/unbeantwortet/verwerfen", endpoint="dismiss")
def dismiss() -> Response:
    ids = _ids()
    changed = _questions().dismiss(ids)
    audit.record("unanswered_dismissed", detail=f"fragen={changed}")
    flash(f"{changed} Frage(n) verworfen.", "success")
    return redirect(url_for("statistics.unanswered"))


@blueprint.post("/unbeantwortet/beispiel", endpoint="use")
def use() -> Response:
    ids = _ids()
    intent = (request.form.get("intent") or "").strip()
    if intent not in known_intents():
        flash("Bitte ein Anliegen (Intent) aus der Liste wählen.", "error")
        return redirect(url_for("statistics.unanswered"))
    examples = training_examples(office())
    added: list[int] = []
    for question in _questions().by_ids(ids):
        if question.status != NEW:
            continue
        language, text = example_of(question)
        placeholders = [mark for mark in PLACEHOLDERS if mark in text]
        if placeholders:
            flash(
                f"„{text}“ wurde nicht übernommen. Beispielsatz: Er enthält "
                f"{', '.join(placeholders)} statt persönlicher Daten; bitte eine Frage ohne "
                "Platzhalter wählen oder sie als FAQ-Beispiel umformulieren.",
                "error",
            )
            continue
        try:
            examples.add(intent, language, text, current_user.username)
        except ExampleError as refused:
            flash(f"„{text}“ wurde nicht übernommen. {refused}", "error")
            continue
        added.append(question.id)
    changed = _questions().use_as_example(added, intent)
    audit.record("unanswered_used", detail=f"fragen={changed} intent={intent}")
    if changed:
        flash(
            f"{changed} Frage(n) als Trainingsbeispiel für „{intent}“ übernommen. "
            "Der Assistent lernt sie beim nächsten Training (Seite „Inhalte“).",
            "success",
        )
    return redirect(url_for("statistics.unanswered"))


def example_of(question: Question) -> tuple[str, str]:
    """(language, text) the question is trained as.

    The model is trained per language (data/nlu/<language>); a question in
    another language is trained through its German translation, as the chat
    understands it. Masked once more: the placeholders the examples check
    refuses tell staff that personal data was in it.
    """
    if question.language not in TRAINED_LANGUAGES and question.text_de:
        return "de", mask_personal_data(question.text_de, "de")
    return question.language, mask_personal_data(question.text, question.language)
