"""Admin pages: staff accounts (``/accounts``) and the audit log (``/audit``).

Every change is written to the audit log with the admin's name and address.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from bot.office import audit
from bot.office.accounts import ADMIN, LOCK_MINUTES, ROLE_LABELS, AccountError
from bot.office.audit import ACTION_LABELS, PAGE_SIZE, AuditFilter
from bot.office.forms import ActionForm, NewAccountForm, ResetPasswordForm
from bot.office.web import NavItem, office, role_required

blueprint = Blueprint("accounts", __name__)
audit_blueprint = Blueprint("audit", __name__)
NAV = [
    NavItem("Konten", "accounts.index", {ADMIN}, order=80),
    NavItem("Protokoll", "audit.index", {ADMIN}, order=90),
]

#: Characters that make a spreadsheet treat a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@blueprint.before_request
@role_required(ADMIN)
def _admins_only() -> None:
    """Every page of this blueprint is for admins only."""


@audit_blueprint.before_request
@role_required(ADMIN)
def _audit_admins_only() -> None:
    """The audit log is for admins only."""


# -- accounts ------------------------------------------------------------------------


@blueprint.get("/accounts")
def index() -> str:
    return render_template(
        "accounts/list.html",
        users=office().accounts.list(),
        roles=ROLE_LABELS,
        now=office().now(),
        action_form=ActionForm(),
        lock_minutes=LOCK_MINUTES,
    )


@blueprint.route("/accounts/new", methods=["GET", "POST"])
def new() -> str | Response:
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = office().accounts.add(
                form.username.data,
                form.display_name.data,
                form.role.data,
                form.new_password.data,
                email=form.email.data,
            )
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            audit.record("account_added", detail=f"konto={user.username} rolle={user.role}")
            flash(f"Das Konto '{user.username}' wurde angelegt.", "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/new.html", form=form)


@blueprint.post("/accounts/<username>/disable")
def disable(username: str) -> Response:
    if username == current_user.username:
        flash("Sie können Ihr eigenes Konto nicht deaktivieren.", "error")
        return redirect(url_for("accounts.index"))
    return _change(username, "account_disabled", "deaktiviert", office().accounts.disable)


@blueprint.post("/accounts/<username>/enable")
def enable(username: str) -> Response:
    return _change(username, "account_enabled", "aktiviert", office().accounts.enable)


def _change(username: str, action: str, done: str, change) -> Response:
    try:
        user = change(username)
    except AccountError as error:
        flash(str(error), "error")
    else:
        audit.record(action, detail=f"konto={user.username}")
        flash(f"Das Konto '{user.username}' wurde {done}.", "success")
    return redirect(url_for("accounts.index"))


@blueprint.route("/accounts/<username>/password", methods=["GET", "POST"])
def reset_password(username: str) -> str | Response:
    user = office().accounts.by_username(username)
    if user is None:
        abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            office().accounts.set_password(user.username, form.new_password.data)
        except AccountError as error:
            form.new_password.errors.append(str(error))
        else:
            audit.record("password_reset", detail=f"konto={user.username}")
            flash(
                f"Das Passwort von '{user.username}' wurde neu gesetzt; "
                "angemeldete Sitzungen des Kontos sind beendet.",
                "success",
            )
            return redirect(url_for("accounts.index"))
    return render_template("accounts/password.html", form=form, user=user)


# -- audit log -----------------------------------------------------------------------


def _filters() -> AuditFilter:
    return AuditFilter(
        reference=request.args.get("reference") or None,
        username=request.args.get("username") or None,
        action=request.args.get("action") or None,
    )


@audit_blueprint.get("/audit", endpoint="index")
def audit_index() -> str:
    filters = _filters()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and int(page) > 0 else 1
    entries, total = office().audit.search(filters, page=page_number)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "audit/list.html",
        entries=entries,
        total=total,
        page=page_number,
        pages=pages,
        filters=filters,
        actions=ACTION_LABELS,
        query={k: v for k, v in vars(filters).items() if v},
    )


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@audit_blueprint.get("/audit.csv")
def export() -> Response:
    filters = _filters()
    audit.record("export", detail="audit_log " + " ".join(f"{k}={v}" for k, v in
                                                          vars(filters).items() if v))  # fmt: skip
    entries = office().audit.iter_all(filters)

    def rows() -> Iterator[str]:
        # Semicolons and a byte order mark: what a German spreadsheet program opens as is.
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["Zeit (UTC)", "Benutzer", "Aktion", "Aktenzeichen", "Adresse", "Details"])
        for entry in entries:
            writer.writerow(
                _csv_cell(value)
                for value in (
                    entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.username,
                    entry.action,
                    entry.reference,
                    entry.address,
                    entry.detail,
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    filename = f"protokoll-{office().now():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
