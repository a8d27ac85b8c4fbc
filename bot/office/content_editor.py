"""Editing the assistant's content (``/inhalte``): drafts, preview, review, publishing.

Editors (and admins) change offers, internships, the Welcome Center and
mentoring texts, contacts, towns and the FAQ in the browser. Every form is
derived from the content schema (:mod:`bot.office.content_forms`); a save
writes the file's YAML text with the change into the working copy of the
content store, which validates it like ``welcome content check``: a refused
save shows each problem next to the field it names and keeps what the editor
typed. Nothing reaches newcomers before "Veröffentlichen".
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from bot.content.models import Contact, ContentError, ContentIssue
from bot.languages import get_languages
from bot.office import audit
from bot.office.audit import ACTION_LABELS
from bot.office.content_forms import (
    ALL,
    TOPIC_LABELS,
    TOPICS,
    ContentFile,
    Section,
    YamlDocument,
    YamlError,
    content_file,
    content_files,
    editor_languages,
    entry_values,
    field_id,
    form_fields,
    record_from_form,
)
from bot.office.content_messages import german_issue, german_message
from bot.office.content_preview import preview_text
from bot.office.model_training import (
    STATE_LABELS,
    STEP_LABELS,
    TrainingNeed,
    has_previous_model,
    trainer,
    training_examples,
    training_need,
)
from bot.office.web import EDITOR, NavItem, office, role_required
from bot.training import RollbackError, TrainingBusy, TrainingStatus

logger = logging.getLogger(__name__)

blueprint = Blueprint("content_editor", __name__, url_prefix="/inhalte")
NAV = [NavItem("Inhalte", "content_editor.index", {EDITOR}, order=40)]

AUDIT_LABELS = {
    "content_saved": "Inhalt geändert (Entwurf)",
    "content_added": "Inhalt angelegt (Entwurf)",
    "content_deleted": "Inhalt gelöscht (Entwurf)",
    "content_published": "Inhalte veröffentlicht",
    "content_republished": "Frühere Veröffentlichung zurückgeholt",
    "content_reviewed": "Sprache geprüft",
    "content_translated": "Text maschinell übersetzt",
    "training_started": "Training gestartet",
    "training_rolled_back": "Vorheriges Modell zurückgeholt",
}

#: German labels of the per-language states (bot.content.status).
STATUS_LABELS = {
    "up_to_date": "aktuell",
    "outdated": "veraltet",
    "machine_translated": "maschinell übersetzt",
    "awaiting_review": "wartet auf Prüfung",
    "missing": "fehlt",
}

DEFAULT_MIN_FLESCH = 60.0
NEW = "neu"


def init_app(app) -> None:
    for action, label in AUDIT_LABELS.items():
        ACTION_LABELS.setdefault(action, label)


@blueprint.before_request
@role_required(EDITOR)
def _editors_only() -> None:
    """Content is the editors' tool (admins pass every role check)."""


# --------------------------------------------------------------------------- services


def content_store():
    """The content store on the office's database (one per app)."""
    from bot.content.store import ContentStore

    return office().service("content_store", lambda services: ContentStore(services.engine))


def _settings():
    return current_app.extensions["welcome_settings"]


def _author() -> str:
    return current_user.username


def min_flesch() -> float:
    return float(getattr(_settings(), "readability_min_flesch", DEFAULT_MIN_FLESCH))


def readability(text: str | None):
    """The score of a German text (``bot.readability``), or None without it or without text."""
    if not text or not text.strip() or importlib.util.find_spec("bot.readability") is None:
        return None
    from bot.readability import score

    try:
        return score(text)
    except Exception:  # noqa: BLE001 - a scoring problem must not block editing
        logger.exception("Scoring readability failed")
        return None


def _status_module():
    if importlib.util.find_spec("bot.content.status") is None:
        return None
    import bot.content.status as status

    return status


def text_statuses(store) -> dict[tuple[str, str, str, str], str]:
    """(file, entry, field, language) -> state of every translated text of the drafts."""
    status = _status_module()
    if status is None:
        return {}
    from bot.prepared import get_prepared

    prepared = get_prepared()
    try:
        texts = store.draft_texts()
        records = store.source_records()
        key = (
            tuple(sorted(texts.items())),
            frozenset(records.items()),
            _prepared_state(prepared.directory),
        )
        return _statuses_cached(key, status, prepared)
    except Exception:  # noqa: BLE001 - the status is advice; editing must still work
        logger.exception("Computing the language status failed")
        return {}


def _prepared_state(directory) -> tuple:
    """What the prepared translations are now (their files' names and times)."""
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.json")))
    except OSError:
        return ()


_STATUS_CACHE: dict[tuple, dict] = {}
_CONTENT_CACHE: dict[tuple, Any] = {}
_CACHE_SIZE = 4


_CACHE_LOCK = threading.Lock()


def _remember(cache: dict, key: tuple, value: Any) -> Any:
    """Keep the last few results: parsing every file on each page view takes seconds."""
    with _CACHE_LOCK:
        cache[key] = value
        while len(cache) > _CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return value


def _statuses_cached(key: tuple, status, prepared) -> dict:
    if key in _STATUS_CACHE:
        return _STATUS_CACHE[key]
    texts = dict(key[0])
    records = dict(key[1])
    result = status.text_statuses(texts, records, prepared=prepared)
    return _remember(
        _STATUS_CACHE,
        key,
        {(item.file, item.entry, item.field, item.language): item.status for item in result},
    )


def content_from_texts(texts: Mapping[str, str]):
    """The validated content of ``texts`` (remembered for the same texts)."""
    from bot.content.loader import load_content_from_texts

    key = tuple(sorted(texts.items()))
    if key not in _CONTENT_CACHE:
        return _remember(_CONTENT_CACHE, key, load_content_from_texts(dict(texts)))
    return _CONTENT_CACHE[key]


# --------------------------------------------------------------------------- pages


@dataclass
class EntryRow:
    id: str
    title: str
    section: Section
    counts: dict[str, dict[str, int]]
    hard_to_read: list[tuple[str, float]]


def _title(values: Mapping[str, Any], section: Section, entry_id: str) -> str:
    for key in ("title", "question", "name", "label", "explanation"):
        value = values.get(key)
        if isinstance(value, Mapping) and value.get("de"):
            return str(value["de"])[:120]
        if isinstance(value, str) and value:
            return value
    return section.label if not section.many else entry_id


def _german_texts(values: Mapping[str, Any], section: Section) -> list[tuple[str, str]]:
    """(field path, German text) of the entry's localized fields.

    Listed entries count too (``services[0].text``, the form's path): their
    short texts are often the hardest to read.
    """
    result = []
    for field in form_fields(section.cls, section.exclude):
        value = values.get(field.key)
        if field.check == "localized":
            if isinstance(value, Mapping) and value.get("de"):
                result.append((field.key, str(value["de"])))
        elif field.check == "entries" and isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, Mapping):
                    continue
                for sub in form_fields(field.of):
                    text = item.get(sub.key)
                    if sub.check == "localized" and isinstance(text, Mapping) and text.get("de"):
                        result.append((f"{field.key}[{index}].{sub.key}", str(text["de"])))
    return result


@blueprint.get("/")
@blueprint.get("")
def index() -> str:
    store = content_store()
    texts = store.draft_texts()
    statuses = text_statuses(store)
    threshold = min_flesch()
    files = []
    for file in content_files():
        rows: list[EntryRow] = []
        problem = None
        try:
            document = YamlDocument.read(texts.get(file.name, ""))
        except YamlError as error:
            document, problem = None, str(error)
        for section in file.sections if document else ():
            for entry_id, node in document.entries(section):
                values = entry_values(node)
                counts: dict[str, dict[str, int]] = {}
                for (name, entry, _field, language), state in statuses.items():
                    if name == file.name and entry == entry_id:
                        counts.setdefault(language, {}).setdefault(state, 0)
                        counts[language][state] += 1
                hard = []
                for key, text in _german_texts(values, section):
                    scored = readability(text)
                    if scored is not None and scored.flesch_amstad < threshold:
                        hard.append((key, scored.flesch_amstad))
                rows.append(
                    EntryRow(entry_id, _title(values, section, entry_id), section, counts, hard)
                )
        files.append({"file": file, "rows": rows, "problem": problem})
    publications = list(store.publications())
    training_status, need = _training_state(publications)
    return render_template(
        "content/index.html",
        files=files,
        languages=editor_languages(),
        language_names=_language_names(),
        status_labels=STATUS_LABELS,
        publications=publications,
        unpublished=_unpublished(store, texts, publications),
        need=need,
        training_status=training_status,
        step_labels=STEP_LABELS,
        state_labels=STATE_LABELS,
        can_roll_back=has_previous_model(_settings()),
        threshold=threshold,
    )


def _unpublished(store, texts: Mapping[str, str], publications: list) -> list[str]:
    """The files whose draft differs from what newcomers get now."""
    from bot.content.store import read_dir

    served = store.published_texts() if publications else read_dir(_settings().content_dir)
    return [name for name, text in texts.items() if served.get(name) != text]


def _trainer():
    return trainer(office(), _settings())


def _training_state(publications: list) -> tuple[TrainingStatus, TrainingNeed]:
    """The latest training and what the served model does not know yet."""
    status = _trainer().status()
    need = training_need(status, training_examples(office()).all(), publications)
    return status, need


def _publish(store):
    """Publish, then prepare the machine translations of the new texts.

    Returns the publication and, when no translation ran, why (German).
    """
    from bot.publishing import publish_and_prepare

    result = publish_and_prepare(store, _settings(), _author())
    return result.publication, result.translation_note


@blueprint.post("/veroeffentlichen")
def publish() -> Response:
    store = content_store()
    if not _unpublished(store, store.draft_texts(), store.publications(limit=1)):
        flash("Es gibt keine Änderungen zum Veröffentlichen.", "info")
        return redirect(url_for("content_editor.index"))
    try:
        publication, translation_note = _publish(store)
    except ContentError as error:
        for issue in error.issues:
            flash(f"Nicht veröffentlicht: {german_issue(issue)}", "error")
        return redirect(url_for("content_editor.index"))
    audit.record(
        "content_published",
        detail=f"version={publication.version} dateien={','.join(publication.changed_files)}",
    )
    message = f"Version {publication.version} ist veröffentlicht."
    if publication.needs_training:
        message += " Diese Änderung braucht ein neues Training des Assistenten."
    flash(message, "success")
    if translation_note:
        flash(translation_note, "info")
    return redirect(url_for("content_editor.index"))


@blueprint.post("/zurueckholen/<int:version>")
def republish(version: int) -> Response:
    store = content_store()
    try:
        publication = store.republish(version, _author())
    except ContentError as error:
        problems = "; ".join(german_issue(issue) for issue in error.issues)
        flash(f"Version {version} konnte nicht zurückgeholt werden: {problems}", "error")
        return redirect(url_for("content_editor.index"))
    except LookupError:
        flash(f"Version {version} gibt es nicht.", "error")
        return redirect(url_for("content_editor.index"))
    except ValueError as error:
        flash(f"Version {version} konnte nicht zurückgeholt werden: {error}", "error")
        return redirect(url_for("content_editor.index"))
    audit.record("content_republished", detail=f"version={version} neu={publication.version}")
    flash(
        f"Der Stand von Version {version} ist wieder veröffentlicht "
        f"(als Version {publication.version}).",
        "success",
    )
    return redirect(url_for("content_editor.index"))


@blueprint.post("/training")
def start_training() -> Response:
    _status, need = _training_state(list(content_store().publications()))
    reason = need.summary or "Neues Training auf Wunsch"
    try:
        job = _trainer().start(reason, _author())
    except TrainingBusy as busy:
        flash(f"Das Training wurde nicht gestartet: {busy}", "error")
        return redirect(url_for("content_editor.index"))
    audit.record("training_started", detail=f"job={job} grund={reason}")
    flash("Das Training läuft. Der Fortschritt steht unter „Veröffentlichen“.", "success")
    return redirect(url_for("content_editor.index", _anchor="training"))


@blueprint.get("/training/zuruecksetzen")
def confirm_rollback() -> str:
    status = _trainer().status()
    return render_template(
        "content/rollback.html",
        training_status=status,
        can_roll_back=has_previous_model(_settings()) and not status.running,
    )


@blueprint.post("/training/zuruecksetzen")
def rollback() -> Response:
    try:
        status = _trainer().rollback(_author())
    except (TrainingBusy, RollbackError) as refused:
        flash(f"Nicht zurückgesetzt: {refused}", "error")
        return redirect(url_for("content_editor.index", _anchor="training"))
    audit.record("training_rolled_back", detail=f"modell={status.model_version or '?'}")
    flash("Das vorherige Modell antwortet wieder.", "success")
    return redirect(url_for("content_editor.index", _anchor="training"))


# --------------------------------------------------------------------------- the entry editor


def _file_or_404(slug: str) -> ContentFile:
    file = content_file(slug)
    if file is None:
        abort(404)
    return file


def _document(file: ContentFile) -> YamlDocument:
    text = content_store().draft_texts().get(file.name, "")
    try:
        return YamlDocument(text)
    except YamlError as error:
        flash(f"{file.name}: {error}", "error")
        abort(409)


def _language_names() -> dict[str, str]:
    return {code: info.german_name for code, info in get_languages().items()}


def _field_errors(issues: list[ContentIssue], file: ContentFile, entry_id: str | None, values):
    """Issues of this entry by form field id, and the others (other entries, the file)."""
    by_field: dict[str, list[str]] = {}
    other: list[str] = []
    labels = _nested_labels(values)
    for issue in issues:
        if issue.file != file.name or issue.entry != entry_id or not issue.field:
            if issue.file == file.name and issue.entry == entry_id:
                other.append(german_message(issue))
            else:
                other.append(german_issue(issue))
            continue
        path = issue.field
        for label, index_path in labels.items():
            path = path.replace(label, index_path)
        by_field.setdefault(field_id(path), []).append(german_message(issue))
    return by_field, other


def _nested_labels(values: Mapping[str, Any] | None) -> dict[str, str]:
    """``services[arbeit]`` -> ``services[0]``: the loader names listed entries by id."""
    result = {}
    for key, value in (values or {}).items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    label = item.get("id") or f"#{index + 1}"
                    result[f"{key}[{label}]"] = f"{key}[{index}]"
    return result


def _choices(texts: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """The options of checkbox lists: towns, topics, internship fields (from the drafts)."""
    towns: list[tuple[str, str]] = []
    fields: list[tuple[str, str]] = []
    try:
        for _id, node in YamlDocument.read(texts.get("municipalities.yml", "")).entries(
            content_file("municipalities").sections[0]
        ):
            towns.append((str(node.get("name")), str(node.get("name"))))
        internships = content_file("internships")
        for field_id_, node in YamlDocument.read(texts.get("internships.yml", "")).entries(
            internships.sections[1]
        ):
            label = node.get("label") or {}
            fields.append((field_id_, str(label.get("de", field_id_))))
    except YamlError:
        pass
    return {
        "municipalities": [(ALL, "Ganzer Landkreis"), *towns],
        "field_refs": [(ALL, "Alle Berufsfelder"), *fields],
        "topics": [(topic, TOPIC_LABELS.get(topic, topic)) for topic in TOPICS],
    }


def _subfields(field):
    """The fields of a nested record (contact) or of listed entries."""
    return form_fields(Contact if field.check == "contact" else field.of)


def _section_for_new(file: ContentFile) -> Section:
    key = request.values.get("bereich")
    sections = [section for section in file.sections if section.many]
    if not sections:
        abort(404)
    return next((s for s in sections if s.key == key), sections[0])


def _render_editor(
    file: ContentFile,
    section: Section,
    entry_id: str | None,
    values: Mapping[str, Any],
    *,
    texts: Mapping[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    other_errors: list[str] | None = None,
    preview: dict | None = None,
    confirm_translation: dict | None = None,
    origins: Mapping[str, str] | None = None,
    status: int = 200,
):
    texts = texts if texts is not None else content_store().draft_texts()
    statuses = text_statuses(content_store()) if entry_id else {}
    entry_status = {
        (field, language): state
        for (name, entry, field, language), state in statuses.items()
        if name == file.name and entry == entry_id
    }
    scores = {key: readability(text) for key, text in _german_texts(values, section)}
    page = render_template(
        "content/edit.html",
        file=file,
        section=section,
        entry_id=entry_id,
        values=values,
        fields=form_fields(section.cls, section.exclude),
        languages=editor_languages(),
        language_names=_language_names(),
        preview_languages=list(get_languages()),
        choices=_choices(texts),
        field_id=field_id,
        errors=errors or {},
        other_errors=other_errors or [],
        status=entry_status,
        status_labels=STATUS_LABELS,
        scores=scores,
        threshold=min_flesch(),
        preview=preview,
        confirm_translation=confirm_translation,
        origins=origins or {},
        status_available=_status_module() is not None,
        fields_of=_subfields,
    )
    return page, status


@blueprint.get("/<file_slug>/neu")
def new(file_slug: str):
    file = _file_or_404(file_slug)
    section = _section_for_new(file)
    values: dict[str, Any] = {"verified": False}
    question = request.args.get("frage", "").strip()
    if question and section.key == "faq":
        values["examples"] = {"de": [question]}
        values["question"] = {"de": question}
    return _render_editor(file, section, None, values)


@blueprint.post("/<file_slug>/neu")
def create(file_slug: str):
    file = _file_or_404(file_slug)
    section = _section_for_new(file)
    return _submitted(file, section, None, None)


def _entry_or_404(file: ContentFile, entry_id: str, *, listed: bool = False):
    """The file's draft document, the entry's section and node; 404 if there is none.

    ``listed``: only an entry of a list (a single entry such as the Welcome Center
    cannot be deleted).
    """
    document = _document(file)
    found = document.find(file, entry_id)
    if found is None or (listed and not found[0].many):
        abort(404)
    section, node = found
    return document, section, node


@blueprint.get("/<file_slug>/<entry_id>")
def edit(file_slug: str, entry_id: str):
    file = _file_or_404(file_slug)
    _, section, node = _entry_or_404(file, entry_id)
    values = entry_values(node)
    language = request.args.get("vorschau")
    preview = None
    if language:
        preview = _preview(file, section, entry_id, content_store().draft_texts(), language)
    return _render_editor(file, section, entry_id, values, preview=preview)


@blueprint.post("/<file_slug>/<entry_id>")
def update(file_slug: str, entry_id: str):
    file = _file_or_404(file_slug)
    document, section, _node = _entry_or_404(file, entry_id)
    return _submitted(file, section, entry_id, document)


def _submitted(file: ContentFile, section: Section, entry_id: str | None, document):
    """Save, preview or translate what the editor submitted (the form is never lost)."""
    form = request.form.to_dict(flat=False)
    values = record_from_form(section.cls, form, exclude=section.exclude)
    action = request.form.get("action", "save")
    origins = {
        name.removeprefix("origin."): value
        for name, value in request.form.items()
        if name.startswith("origin.") and value
    }
    store = content_store()
    texts = store.draft_texts()
    document = document or _document(file)
    new_text, new_id = _apply(document, file, section, entry_id, values)
    candidate = {**texts, file.name: new_text}

    if action.startswith("translate"):
        return _translate(file, section, entry_id, values, origins, texts, action)
    if action == "preview":
        language = request.form.get("preview_language") or "de"
        preview = _preview(file, section, new_id, candidate, language)
        return _render_editor(
            file, section, entry_id, values, texts=texts, preview=preview, origins=origins
        )

    try:
        store.save_draft(file.name, new_text, _author())
    except ContentError as error:
        by_field, other = _field_errors(error.issues, file, new_id, values)
        return _render_editor(
            file, section, entry_id, values, texts=texts, errors=by_field,
            other_errors=other, origins=origins, status=422,
        )  # fmt: skip
    _record_origins(file, new_id, origins)
    audit.record(
        "content_added" if entry_id is None else "content_saved",
        detail=f"datei={file.name} eintrag={new_id}",
    )
    flash("Gespeichert (Entwurf). Newcomer sehen es nach „Veröffentlichen“.", "success")
    return redirect(url_for("content_editor.edit", file_slug=file.slug, entry_id=new_id))


def _apply(document: YamlDocument, file, section, entry_id, values) -> tuple[str, str]:
    """The file's text with the entry changed (or added), and the entry's id."""
    if entry_id is None:
        document.add(section, values)
        new_id = (
            str(values.get(section.id_key) or "").strip() or f"#{len(document.entries(section))}"
        )
    else:
        found = document.find(file, entry_id)
        assert found is not None
        document.update(section, found[1], values)
        if section.many:
            new_id = str(values.get(section.id_key) or "").strip() or entry_id
        else:
            new_id = entry_id if not values.get("id") else str(values["id"]).strip()
    return document.text(), new_id


def _record_origins(file: ContentFile, entry_id: str, origins: Mapping[str, str]) -> None:
    """Tell the store which saved texts are machine translations (when it can record that)."""
    record = getattr(content_store(), "mark_origin", None)
    if record is None:
        return
    for name, origin in origins.items():
        field, _, language = name.rpartition(".")
        try:
            record(file.name, entry_id, field, language, origin, _author())
        except Exception:  # noqa: BLE001 - the text is saved; only the badge may be off
            logger.exception("Recording a text's origin failed")


# --------------------------------------------------------------------------- translation


def _translate(file, section, entry_id, values, origins, texts, action):
    """Machine translate the German text of a field into one language, into the form."""
    parts = action.split(":")
    if len(parts) != 3:
        abort(400)
    kind, key, language = parts
    german = (values.get(key) or {}).get("de", "") if isinstance(values.get(key), Mapping) else ""
    names = _language_names()
    if not german.strip():
        flash("Es gibt noch keinen deutschen Text zum Übersetzen.", "error")
        return _render_editor(file, section, entry_id, values, texts=texts, origins=origins)
    scored = readability(german)
    if kind == "translate" and scored is not None and scored.flesch_amstad < min_flesch():
        return _render_editor(
            file, section, entry_id, values, texts=texts, origins=origins,
            confirm_translation={
                "key": key, "language": language, "flesch": round(scored.flesch_amstad),
                "language_name": names.get(language, language),
            },
        )  # fmt: skip
    from bot.translation.runtime import from_german

    reply = from_german(german, language)
    if not reply.machine_translated:
        flash(
            f"Für {names.get(language, language)} ist kein Übersetzungsmodell installiert "
            "(oder die Übersetzung ist fehlgeschlagen). Der Text ist unverändert.",
            "error",
        )
        return _render_editor(file, section, entry_id, values, texts=texts, origins=origins)
    localized = dict(values.get(key) or {})
    localized[language] = reply.text
    values = {**values, key: localized}
    origins = {**origins, f"{key}.{language}": "machine"}
    audit.record(
        "content_translated",
        detail=f"datei={file.name} eintrag={entry_id or NEW} feld={key} sprache={language}",
    )
    flash(
        f"Maschinell übersetzt ({names.get(language, language)}). Bitte prüfen und speichern.",
        "success",
    )
    return _render_editor(file, section, entry_id, values, texts=texts, origins=origins)


# --------------------------------------------------------------------------- review, delete


@blueprint.post("/<file_slug>/<entry_id>/geprueft/<language>")
def reviewed(file_slug: str, entry_id: str, language: str) -> Response:
    file = _file_or_404(file_slug)
    if language not in editor_languages():
        abort(404)
    marked = content_store().mark_reviewed(file.name, entry_id, language, _author())
    if not marked:
        flash("Dieser Eintrag hat in dieser Sprache keinen Text zum Prüfen.", "error")
        return redirect(url_for("content_editor.edit", file_slug=file.slug, entry_id=entry_id))
    audit.record(
        "content_reviewed", detail=f"datei={file.name} eintrag={entry_id} sprache={language}"
    )
    flash(f"{_language_names().get(language, language)} ist als geprüft vermerkt.", "success")
    return redirect(url_for("content_editor.edit", file_slug=file.slug, entry_id=entry_id))


@blueprint.get("/<file_slug>/<entry_id>/loeschen")
def confirm_delete(file_slug: str, entry_id: str) -> str:
    file = _file_or_404(file_slug)
    _, section, node = _entry_or_404(file, entry_id, listed=True)
    values = entry_values(node)
    return render_template(
        "content/delete.html", file=file, entry_id=entry_id, title=_title(values, section, entry_id)
    )


@blueprint.post("/<file_slug>/<entry_id>/loeschen")
def delete(file_slug: str, entry_id: str):
    file = _file_or_404(file_slug)
    document, section, node = _entry_or_404(file, entry_id, listed=True)
    document.remove(section, node)
    try:
        content_store().save_draft(file.name, document.text(), _author())
    except ContentError as error:
        # E.g. an internship still refers to a field that would be gone.
        for issue in error.issues:
            flash(f"Nicht gelöscht: {german_issue(issue)}", "error")
        return redirect(url_for("content_editor.edit", file_slug=file.slug, entry_id=entry_id))
    audit.record("content_deleted", detail=f"datei={file.name} eintrag={entry_id}")
    flash(f"„{entry_id}“ ist gelöscht (Entwurf).", "success")
    return redirect(url_for("content_editor.index"))


# --------------------------------------------------------------------------- preview


def _preview(file, section, entry_id, texts, language) -> dict:
    """The chat answer of the entry in ``language``, from ``texts`` (drafts or the form)."""
    if language not in get_languages():
        language = "de"
    info = get_languages()[language]
    result = {"language": language, "language_name": info.german_name, "rtl": info.rtl}
    try:
        content = content_from_texts(texts)
    except ContentError as error:
        result["problems"] = [german_issue(issue) for issue in error.issues]
        return result
    result["text"] = preview_text(content, section.key, entry_id, language)
    return result
