"""Erasure of a person on the office's order (``/anfragen/<reference>/loeschen``, admins).

A newcomer asks the county by letter, phone or at the counter to delete
their data (Art. 17 GDPR). An admin opens this page from the request (or
types the address), confirms by typing the reference, and everything of the
person goes: all their requests, the conversation, translations, messages
(:func:`bot.privacy.erase_request_person`). Only the anonymous figures stay.
The audit log records who ordered it and the reference.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

from bot import privacy
from bot.casework.store import STATUS_LABELS
from bot.office.web import ADMIN, office, role_required
from bot.store.figures import ANONYMISED_SENDER
from bot.store.models import HandoffRequest

blueprint = Blueprint("erasure", __name__)


class ErasureForm(FlaskForm):
    confirm_reference = StringField(
        "Zur Bestätigung das Aktenzeichen eingeben",
        validators=[DataRequired("Bitte das Aktenzeichen eingeben.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField("Endgültig löschen")


@blueprint.before_request
@role_required(ADMIN)
def _admins_only() -> None:
    """Erasing a person is for admins only."""


def _request_summary(reference: str) -> dict:
    """What the confirmation page shows: no personal data, and how many requests go."""
    r = HandoffRequest.__table__
    with office().engine.connect() as connection:
        row = connection.execute(
            sa.select(r.c.reference, r.c.created_at, r.c.status, r.c.sender_id).where(
                r.c.reference == reference
            )
        ).first()
        if row is None:
            abort(404)
        together = connection.execute(
            sa.select(sa.func.count()).where(r.c.sender_id == row.sender_id)
        ).scalar_one()
    return {
        "reference": row.reference,
        "created_at": row.created_at,
        "status": STATUS_LABELS.get(row.status, row.status),
        "anonymised": row.sender_id == ANONYMISED_SENDER,
        "requests": together,
    }


@blueprint.route("/anfragen/<reference>/loeschen", methods=["GET", "POST"], endpoint="confirm")
def confirm(reference: str) -> str | Response:
    reference = reference.strip().upper()
    summary = _request_summary(reference)
    form = ErasureForm()
    if not summary["anonymised"] and form.validate_on_submit():
        if form.confirm_reference.data.strip().upper() != reference:
            form.confirm_reference.errors.append("Das Aktenzeichen stimmt nicht überein.")
        else:
            try:
                forgotten = privacy.erase_request_person(
                    reference,
                    username=current_user.username,
                    staff_id=current_user.id,
                    address=request.remote_addr,
                    database_url=office().database_url,
                )
            except privacy.ErasureError as error:
                flash(str(error), "error")
            except privacy.PrivacyError:
                flash(
                    "Die Löschung ist nicht vollständig gelungen. Bitte noch einmal versuchen; "
                    "wenn der Fehler bleibt, die IT verständigen.",
                    "error",
                )
            else:
                flash(
                    f"Die Daten der Person zu {reference} sind gelöscht "
                    f"({forgotten.requests} Anfrage(n), {forgotten.events} Chat-Ereignisse). "
                    "Die anonymen Zahlen bleiben erhalten.",
                    "success",
                )
                return redirect(url_for("index"))
    return render_template("erasure/confirm.html", summary=summary, form=form)
