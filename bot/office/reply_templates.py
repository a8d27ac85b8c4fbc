"""Reply templates (``/vorlagen``): texts the office reuses, per category or for all.

Coordinators and admins list, add, change and delete them; the request's
page offers those for its category (:mod:`bot.office.queue`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.casework.labels import CATEGORY_LABELS
from bot.casework.store import CaseError, NotFound
from bot.casework.templates import BODY_LENGTH, TITLE_LENGTH
from bot.office import audit
from bot.office.audit import ACTION_LABELS
from bot.office.queue import reply_templates
from bot.office.web import ADMIN, COORDINATOR, NavItem, role_required

blueprint = Blueprint("reply_templates", __name__, url_prefix="/vorlagen")
NAV = [NavItem("Antwortvorlagen", "reply_templates.index", {COORDINATOR}, order=20)]

AUDIT_LABELS = {
    "template_added": "Antwortvorlage angelegt",
    "template_changed": "Antwortvorlage geändert",
    "template_deleted": "Antwortvorlage gelöscht",
}


def init_app(app) -> None:
    for action, label in AUDIT_LABELS.items():
        ACTION_LABELS.setdefault(action, label)


@blueprint.before_request
@role_required(COORDINATOR, ADMIN)
def _coordinators_only() -> None:
    """Templates are the coordinators' tool."""


def _form() -> tuple[str, str, str]:
    return (
        request.form.get("category", ""),
        request.form.get("title", ""),
        request.form.get("body", ""),
    )


def _page(template=None, values: dict | None = None) -> str:
    return render_template(
        "queue/templates.html",
        templates=reply_templates().find(),
        template=template,
        values=values or {},
        categories=CATEGORY_LABELS,
        title_length=TITLE_LENGTH,
        body_length=BODY_LENGTH,
    )


@blueprint.get("/")
@blueprint.get("")
def index() -> str:
    return _page()


@blueprint.post("/")
@blueprint.post("")
def add() -> Response | str:
    category, title, body = _form()
    try:
        template = reply_templates().add(category, title, body)
    except CaseError as error:
        flash(str(error), "error")
        return _page(values={"category": category, "title": title, "body": body})
    audit.record("template_added", detail=f"vorlage={template.id}")
    flash(f"Die Vorlage „{template.title}“ ist angelegt.", "success")
    return redirect(url_for("reply_templates.index"))


@blueprint.route("/<int:template_id>", methods=["GET", "POST"])
def edit(template_id: int) -> Response | str:
    try:
        template = reply_templates().get(template_id)
    except NotFound:
        abort(404)
    if request.method == "GET":
        return _page(template, {"category": template.category, "title": template.title,
                                "body": template.body})  # fmt: skip
    category, title, body = _form()
    try:
        reply_templates().update(template_id, category, title, body)
    except CaseError as error:
        flash(str(error), "error")
        return _page(template, {"category": category, "title": title, "body": body})
    audit.record("template_changed", detail=f"vorlage={template_id}")
    flash("Die Vorlage ist geändert.", "success")
    return redirect(url_for("reply_templates.index"))


@blueprint.post("/<int:template_id>/loeschen")
def delete(template_id: int) -> Response:
    try:
        reply_templates().delete(template_id)
    except NotFound as error:
        flash(str(error), "error")
    else:
        audit.record("template_deleted", detail=f"vorlage={template_id}")
        flash("Die Vorlage ist gelöscht.", "success")
    return redirect(url_for("reply_templates.index"))
