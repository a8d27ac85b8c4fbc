"""Who may open what: sign-in everywhere, CSRF on every form, roles, headers, cookies."""

from __future__ import annotations

import pytest
from flask import Flask

from bot.office.app import create_app
from tests.helpers.office import csrf_token, login, text
from tests.office.conftest import PASSWORD, office_settings

PUBLIC = {"auth.login", "static"}
ADMIN_PAGES = ["/accounts", "/accounts/new", "/audit", "/audit.csv", "/accounts/admin/password"]


def every_route(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route of the app, from its URL map."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {
                name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "x"
                for name in rule.arguments
            }
            if rule.endpoint == "static":
                values = {"filename": "office.css"}
            url = app.url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, url))
    return routes


def accounts_snapshot(office) -> list[tuple]:
    return [(u.username, u.active, u.session_version, u.role) for u in office.accounts.list()]


def test_every_page_sends_a_signed_out_visitor_to_the_login_page(app, client, office, make_user):
    make_user("admin")
    before = accounts_snapshot(office)
    routes = every_route(app)
    assert {"accounts.index", "accounts.disable", "audit.export", "auth.logout"} <= {
        endpoint for endpoint, _, _ in routes
    }
    for endpoint, method, url in routes:
        response = client.open(url, method=method)
        if endpoint in PUBLIC:
            expected = 400 if method == "POST" else 200  # POST without a CSRF token
            assert response.status_code == expected, (method, url)
            continue
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)
    assert accounts_snapshot(office) == before


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(signed_in, office, make_user):
    admin = signed_in("admin")
    make_user("coordinator")
    response = admin.post("/accounts/coordinator/disable")
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen oder ungültig" in text(response)
    assert office.accounts.by_username("coordinator").active
    response = admin.post("/accounts/coordinator/disable", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert office.accounts.by_username("coordinator").active


def test_the_login_form_itself_needs_its_csrf_token(client, make_user):
    make_user("coordinator")
    response = client.post("/login", data={"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 400
    assert "Abmelden" not in text(client.get("/", follow_redirects=True))


@pytest.mark.parametrize("role", ["coordinator", "editor"])
def test_coordinators_and_editors_cannot_open_the_admin_pages(signed_in, make_user, role):
    make_user("admin")
    browser = signed_in(role)
    for url in ADMIN_PAGES:
        response = browser.get(url)
        assert response.status_code == 403, url
        assert "Kein Zugriff" in text(response)
    token = csrf_token(browser.get("/account/password"))
    response = browser.post("/accounts/admin/disable", data={"csrf_token": token})
    assert response.status_code == 403
    assert "Konten" not in text(browser.get("/account/password"))  # no link in the navigation


def test_an_admin_opens_the_admin_pages(signed_in):
    admin = signed_in("admin")
    for url in ADMIN_PAGES:
        assert admin.get(url).status_code == 200, url
    page = text(admin.get("/accounts"))
    assert 'href="/audit"' in page and 'href="/accounts"' in page


def test_every_page_carries_the_security_headers(signed_in, client):
    admin = signed_in("admin")
    for response in (client.get("/login"), admin.get("/accounts"), admin.get("/nowhere")):
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/office.css").headers.get("Cache-Control", "")


def test_pages_have_no_inline_scripts_or_styles(signed_in):
    admin = signed_in("admin")
    for url in ("/accounts", "/accounts/new", "/audit", "/account/password"):
        page = text(admin.get(url))
        assert "<script>" not in page and "style=" not in page and "onclick" not in page
        assert '<html lang="de">' in page


def test_error_pages_are_german_and_show_no_internals(signed_in):
    admin = signed_in("admin")
    response = admin.get("/nowhere")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in text(response) and "Traceback" not in text(response)
    assert admin.get("/logout").status_code == 405


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(tmp_path, database_url):
    secure = create_app(
        office_settings(tmp_path, database_url, WELCOME_OFFICE_SECURE_COOKIES="on"), testing=True
    )
    plain = create_app(office_settings(tmp_path, database_url), testing=True)
    try:
        cookie = secure.test_client().get("/login").headers["Set-Cookie"]
        assert cookie.startswith("office_session=")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
        cookie = plain.test_client().get("/login").headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    finally:
        secure.extensions["welcome"].close()
        plain.extensions["welcome"].close()


def test_a_restart_keeps_sessions_with_the_generated_key_file(
    tmp_path, database_url, client, make_user, clock
):
    settings = office_settings(tmp_path, database_url)
    key_file = settings.var_dir / "office-secret-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    make_user("editor")
    login(client, "editor", PASSWORD)
    cookie = client.get_cookie("office_session").value
    restarted = create_app(settings, testing=True)
    restarted.extensions["welcome"].clock = clock
    try:
        browser = restarted.test_client()
        browser.set_cookie("office_session", cookie)
        response = browser.get("/account/password")
        assert response.status_code == 200 and "Abmelden" in text(response)
    finally:
        restarted.extensions["welcome"].close()
