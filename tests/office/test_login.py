"""Signing in and out: wrong passwords, lockout, sessions that end when they must."""

from __future__ import annotations

from datetime import timedelta

from bot.office.accounts import LOCK_MINUTES, MAX_FAILED_LOGINS
from tests.helpers.office import csrf_token, login, submit, text
from tests.office.conftest import PASSWORD

WRONG = "Benutzername oder Passwort ist falsch."
LOCKED = "Bitte warten Sie 15 Minuten"


def signed_in_page(browser) -> bool:
    return "Abmelden" in text(browser.get("/account/password", follow_redirects=True))


def test_staff_sign_in_and_land_on_their_start_page(client, make_user):
    make_user("editor", "e.schmidt")
    page = login(client, "E.Schmidt ", PASSWORD)
    assert "E.Schmidt Muster" in text(page)
    assert signed_in_page(client)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, make_user):
    make_user("coordinator")
    wrong_password = login(client, "coordinator", "falsches Passwort 123")
    unknown_user = login(client, "niemand", PASSWORD)
    assert WRONG in text(wrong_password) and WRONG in text(unknown_user)
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert not signed_in_page(client)


def test_a_disabled_account_cannot_sign_in_and_is_not_told_why(client, office, make_user):
    make_user("admin")
    make_user("coordinator")
    office.accounts.disable("coordinator")
    page = login(client, "coordinator", PASSWORD)
    assert WRONG in text(page) and not signed_in_page(client)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, clock, make_user):
    make_user("coordinator")
    for attempt in range(1, MAX_FAILED_LOGINS + 1):
        page = login(client, "coordinator", f"falsch falsch {attempt}")
    assert LOCKED in text(page)
    page = login(client, "coordinator", PASSWORD)
    assert LOCKED in text(page) and not signed_in_page(client)
    clock.advance(minutes=LOCK_MINUTES - 1)
    assert LOCKED in text(login(client, "coordinator", PASSWORD))
    clock.advance(minutes=1, seconds=1)
    login(client, "coordinator", PASSWORD)
    assert signed_in_page(client)


def test_a_successful_login_resets_the_count_of_failures(client, make_user):
    make_user("coordinator")
    for _ in range(MAX_FAILED_LOGINS - 1):
        login(client, "coordinator", "falsch falsch falsch")
    login(client, "coordinator", PASSWORD)
    submit(client, "/account/password", {}, action="/logout")
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert WRONG in text(login(client, "coordinator", "falsch falsch falsch"))
    login(client, "coordinator", PASSWORD)
    assert signed_in_page(client)


def test_unknown_usernames_lock_like_real_ones(client):
    for _ in range(MAX_FAILED_LOGINS):
        page = login(client, "gibt.es.nicht", "irgendein Passwort")
    assert LOCKED in text(page)


def test_a_lock_set_in_the_database_ends_at_its_time(client, office, clock, make_user):
    make_user("editor")
    from bot.store.models import StaffUser

    with office.sessions() as session:
        user = session.query(StaffUser).filter_by(username="editor").one()
        user.locked_until = clock.now + timedelta(minutes=3)
        session.commit()
    assert LOCKED in text(login(client, "editor", PASSWORD))
    clock.advance(minutes=4)
    login(client, "editor", PASSWORD)
    assert signed_in_page(client)


def test_disabling_an_account_ends_its_open_session(signed_in, app):
    coordinator = signed_in("coordinator")
    admin = signed_in("admin")
    assert signed_in_page(coordinator)
    page = submit(admin, "/accounts", {}, action="/accounts/coordinator/disable")
    assert page.status_code == 302
    response = coordinator.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_password_reset_by_an_admin_ends_the_accounts_sessions(signed_in):
    editor = signed_in("editor")
    admin = signed_in("admin")
    new = "Neues Passwort für die Redaktion"
    submit(admin, "/accounts/editor/password", {"new_password": new, "repeat": new})
    assert not signed_in_page(editor)
    login(editor, "editor", new)
    assert signed_in_page(editor)


def test_changing_ones_password_ends_other_sessions_but_keeps_this_one(app, signed_in):
    laptop = signed_in("coordinator")
    tablet = app.test_client()
    login(tablet, "coordinator", PASSWORD)
    new = "Drei Tassen Tee am Morgen"
    page = submit(
        laptop,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "repeat": new},
    )
    assert page.status_code == 302
    assert "Ihr Passwort wurde geändert" in text(
        laptop.get(page.headers["Location"], follow_redirects=True)
    )
    assert signed_in_page(laptop)
    assert not signed_in_page(tablet)


def test_changing_ones_password_needs_the_current_one(signed_in):
    browser = signed_in("coordinator")
    new = "Drei Tassen Tee am Morgen"
    page = submit(
        browser,
        "/account/password",
        {"current_password": "nicht das Passwort", "new_password": new, "repeat": new},
    )
    assert "Das bisherige Passwort stimmt nicht." in text(page)
    page = submit(
        browser,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "kurz", "repeat": "kurz"},
    )
    assert "Das Passwort ist zu kurz" in text(page)


def test_an_idle_session_ends_after_the_configured_minutes(signed_in, clock):
    browser = signed_in("coordinator")
    clock.advance(minutes=29)
    assert signed_in_page(browser)  # activity restarts the idle time
    clock.advance(minutes=29)
    assert signed_in_page(browser)
    clock.advance(minutes=31)
    page = browser.get("/account/password", follow_redirects=True)
    assert "nach 30 Minuten ohne Aktivität abgemeldet" in text(page)
    assert not signed_in_page(browser)


def test_logging_out_ends_the_session_even_for_a_copied_cookie(signed_in, app):
    browser = signed_in("editor")
    copied = browser.get_cookie("office_session").value
    page = submit(browser, "/account/password", {}, action="/logout")
    assert page.headers["Location"] == "/login"
    assert not signed_in_page(browser)
    thief = app.test_client()
    thief.set_cookie("office_session", copied)
    assert not signed_in_page(thief)


def test_after_login_staff_return_to_the_page_they_asked_for_but_never_elsewhere(client, make_user):
    make_user("admin")
    response = client.get("/audit")
    assert response.headers["Location"] == "/login?next=%2Faudit"
    token = csrf_token(client.get("/login?next=%2Faudit"))
    data = {"username": "admin", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=%2Faudit", data=data).headers["Location"] == "/audit"
    submit(client, "/audit", {}, action="/logout")
    token = csrf_token(client.get("/login"))
    data["csrf_token"] = token
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/login", query_string={"next": target}, data=data)
        assert response.headers["Location"] == "/", target
        submit(client, "/audit", {}, action="/logout")
        data["csrf_token"] = csrf_token(client.get("/login"))


def test_even_an_active_session_ends_after_twelve_hours(signed_in, clock):
    browser = signed_in("coordinator")
    for _ in range(12 * 2):
        clock.advance(minutes=29)
        assert signed_in_page(browser)
    clock.advance(minutes=29)
    page = browser.get("/account/password", follow_redirects=True)
    assert "nach 12 Stunden Anmeldung abgemeldet" in text(page)
