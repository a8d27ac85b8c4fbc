"""Signing in and out, and changing one's own password.

Sessions are signed cookies; what makes them revocable is the account's
``session_version`` in the session id (see :class:`bot.office.web.StaffMember`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from bot.office import audit
from bot.office.accounts import LOCK_MINUTES, LOGIN_LOCKED, AccountError, LoginFailure
from bot.office.forms import ChangePasswordForm, LoginForm
from bot.office.web import StaffMember, office

blueprint = Blueprint("auth", __name__)

#: Session keys: when the member of staff signed in and was last active (POSIX seconds).
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"

INVALID_LOGIN = "Benutzername oder Passwort ist falsch."
LOCKED_LOGIN = (
    "Zu viele fehlgeschlagene Anmeldeversuche: Die Anmeldung ist vorübergehend gesperrt. "
    f"Bitte warten Sie {LOCK_MINUTES} Minuten und versuchen Sie es dann erneut."
)


def init_app(app: Flask) -> None:
    """Flask-Login for ``app``: who is signed in, and where to sign in."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Bitte melden Sie sich an."
    manager.login_message_category = "info"
    manager.user_loader(load_user)


def load_user(user_id: str) -> StaffMember | None:
    """The member of staff of a session; ``None`` ends it (disabled, password changed, …)."""
    try:
        id_text, version_text = user_id.split(":")
        staff_id, version = int(id_text), int(version_text)
    except (ValueError, AttributeError):
        return None
    user = office().accounts.get(staff_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return StaffMember.of(user)


def start_session(member: StaffMember) -> None:
    """Sign ``member`` in with a fresh session (nothing from before the login is kept)."""
    now = office().now().timestamp()
    session.clear()
    login_user(member)
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no open redirect to another host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = office().accounts.authenticate(
            form.username.data, form.password.data, request.remote_addr
        )
        if isinstance(result, LoginFailure):
            error = LOCKED_LOGIN if result.reason == LOGIN_LOCKED else INVALID_LOGIN
        else:
            start_session(StaffMember.of(result))
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
    form.password.data = ""
    return render_template("login.html", form=form, error=error)


@blueprint.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        audit.record("logout")
        # A copied cookie would stay valid until it times out: end the account's
        # sessions for real (this also signs out the member's other devices).
        office().accounts.end_sessions(current_user.username)
    logout_user()
    session.clear()
    flash("Sie sind abgemeldet.", "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        accounts = office().accounts
        if not accounts.verify_password(current_user.username, form.current_password.data):
            form.current_password.errors.append("Das bisherige Passwort stimmt nicht.")
        else:
            try:
                user = accounts.set_password(current_user.username, form.new_password.data)
            except AccountError as error:
                form.new_password.errors.append(str(error))
            else:
                audit.record("password_changed", detail=f"konto={user.username}")
                # Every other session of the account has ended; this one goes on.
                seen = session.get(LAST_SEEN)
                start_session(StaffMember.of(user))
                session[LAST_SEEN] = seen or session[LAST_SEEN]
                flash("Ihr Passwort wurde geändert.", "success")
                return redirect(url_for("index"))
    return render_template("password.html", form=form)
