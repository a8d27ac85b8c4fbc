"""The coordination office's web app (Koordinierungsstelle Integration).

``create_app`` wires the pieces: one database engine and the services
(:class:`bot.office.services.Office` in ``app.extensions["welcome"]``), the
blueprints listed in :data:`BLUEPRINTS`, sign-in, CSRF protection on every
form, the idle timeout and the security headers.

Safe by default for new pages: every endpoint needs a signed-in member of
staff unless it is in :data:`PUBLIC_ENDPOINTS` (checked before any view runs),
and every POST needs a CSRF token.
"""

from __future__ import annotations

import importlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from bot.office import audit, auth
from bot.office.accounts import ROLE_LABELS
from bot.office.forms import ActionForm
from bot.office.services import Office
from bot.office.web import NAV_KEY, NavItem, nav_for, office, register_nav
from bot.settings import Settings, get_settings

#: Blueprints of the app as ``"module:attribute"``. A module may also define
#: ``NAV`` (a list of :class:`bot.office.web.NavItem`) and ``init_app(app)``
#: (to add its services with ``office().service(...)``, template filters, …).
BLUEPRINTS: list[str] = [
    "bot.office.auth:blueprint",
    "bot.office.admin:blueprint",
    "bot.office.admin:audit_blueprint",
    "bot.office.queue:blueprint",
    "bot.office.reply_templates:blueprint",
    "bot.office.pool:blueprint",
    "bot.office.figures:blueprint",
    "bot.office.erasure:blueprint",
    "bot.office.content_editor:blueprint",
]

#: Endpoints reachable without signing in. Blueprint static files (``*.static``) too.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})

SESSION_COOKIE_NAME = "office_session"
SECRET_KEY_FILE = "office-secret-key"
#: However active, a session ends this long after signing in.
MAX_SESSION_HOURS = 12

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

ERRORS = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Kein Zugriff", "Für diese Seite fehlt Ihrem Konto die Berechtigung."),
    404: ("Seite nicht gefunden", "Diese Seite gibt es nicht (mehr)."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf diesem Weg nicht möglich."),
    500: (
        "Interner Fehler",
        "Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal; wenn der Fehler "
        "bleibt, wenden Sie sich an die IT.",
    ),
}


def load_secret_key(settings: Settings) -> str:
    """``WELCOME_OFFICE_SECRET_KEY``, else a key generated once into ``<var>/office-secret-key``.

    Kept in a file so that a restart does not sign everybody out.
    """
    if settings.office_secret_key:
        return settings.office_secret_key
    path = Path(settings.var_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads it).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty; delete it to have a new key generated") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def create_app(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    testing: bool = False,
) -> Flask:
    """The office app on ``database_url`` (default: the settings' database, already migrated).

    ``testing``: Flask's test mode and a fast (weak) password hash, so tests
    can create many accounts; CSRF protection and everything else stay on.
    """
    settings = settings or get_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=load_secret_key(settings),
        TESTING=testing,
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.office_secure_cookies,
        # The signed cookie itself expires too (Flask checks it on every request).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=MAX_SESSION_HOURS),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.office_secure_cookies,
        # The session's own timeouts limit a form's life; the token's default
        # hour would make a long reply fail to send.
        WTF_CSRF_TIME_LIMIT=None,
        IDLE_MINUTES=settings.office_idle_minutes,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    if settings.office_trusted_proxies > 0:
        # Only behind a proxy that sets them: otherwise anybody could forge the
        # address written to the audit log.
        hops = settings.office_trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if testing else None
    app.extensions["welcome"] = Office(database_url or settings.database_url, hasher=hasher)
    app.extensions["welcome_settings"] = settings
    app.extensions.setdefault(NAV_KEY, [])

    auth.init_app(app)
    # Before CSRFProtect: a signed-out visitor is sent to the login page first.
    app.before_request(_require_login)
    CSRFProtect(app)

    for target in BLUEPRINTS:
        _register(app, target)

    app.add_url_rule("/", "index", _index)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _register(app: Flask, target: str) -> None:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    app.register_blueprint(getattr(module, attribute or "blueprint"))
    # NAV and init_app belong to the module: apply them once even if it has two blueprints.
    done = app.extensions.setdefault("welcome_modules", set())
    if module_name in done:
        return
    done.add(module_name)
    for item in getattr(module, "NAV", ()):
        item = item if isinstance(item, NavItem) else NavItem(*item)
        register_nav(app, item.label, item.endpoint, item.roles, order=item.order)
    init = getattr(module, "init_app", None)
    if init is not None and module is not auth:
        init(app)


def _is_public(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint in PUBLIC_ENDPOINTS or endpoint.endswith(".static"))


def _require_login() -> Response | None:
    """Sign-in for every endpoint that is not public, and the session's time limits."""
    if _is_public(request.endpoint) and request.endpoint != "auth.login":
        return None
    if current_user.is_authenticated:
        now = office().now().timestamp()
        idle_minutes = current_app.config["IDLE_MINUTES"]
        seen = session.get(auth.LAST_SEEN, 0)
        signed_in = session.get(auth.SIGNED_IN_AT, 0)
        if now - seen > idle_minutes * 60:
            notice = f"Sie wurden nach {idle_minutes} Minuten ohne Aktivität abgemeldet."
        elif now - signed_in > MAX_SESSION_HOURS * 3600:
            notice = f"Sie wurden nach {MAX_SESSION_HOURS} Stunden Anmeldung abgemeldet."
        else:
            session[auth.LAST_SEEN] = now
            return None
        audit.record("timeout")
        logout_user()
        session.clear()
        flash(f"{notice} Bitte melden Sie sich erneut an.", "info")
        return redirect(url_for("auth.login"))
    if request.endpoint == "auth.login":
        return None
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]


def _index() -> Response | str:
    """The start page: the first section the member of staff may open."""
    links = [link for link in nav_for(current_user) if link["endpoint"] != "index"]
    if links:
        return redirect(links[0]["url"])
    return render_template("index.html")


def _template_globals() -> dict:
    return {
        "nav": nav_for(current_user),
        "role_labels": ROLE_LABELS,
        "logout_form": ActionForm() if current_user.is_authenticated else None,
    }


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not _is_public(request.endpoint) or request.endpoint == "auth.login":
        # Pages show personal data: no copy in the browser's or a proxy's cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _error_page(code: int, text: str | None = None) -> tuple[str, int]:
    title, default = ERRORS.get(code, (f"Fehler {code}", "Die Anfrage ist fehlgeschlagen."))
    return render_template("error.html", code=code, title=title, text=text or default), code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return _error_page(
        400,
        "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu "
        "und versuchen Sie es noch einmal.",
    )


def _http_error(error: HTTPException) -> Response | tuple[str, int]:
    if error.code is None or error.code < 400:
        return error  # type: ignore[return-value]
    return _error_page(error.code)


def _unexpected_error(error: Exception) -> tuple[str, int]:
    if current_app.testing:
        raise error
    current_app.logger.exception("unexpected error in %s", request.endpoint)
    return _error_page(500)
