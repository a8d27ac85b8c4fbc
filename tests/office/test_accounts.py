"""Staff accounts: password rules, the first admin, the admin's account pages."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from bot.office.accounts import AccountError, password_problems
from bot.office.services import Office
from tests.helpers.office import login, submit, text
from tests.office.conftest import PASSWORD


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kurz123", "Das Passwort ist zu kurz: Es muss mindestens 12 Zeichen lang sein (jetzt 7)."),
        ("x" * 129, "Das Passwort ist zu lang"),
        ("maria.k ist mein Name", "Das Passwort darf den Benutzernamen nicht enthalten."),
        ("Passwort1234!", "Das Passwort ist zu bekannt und leicht zu erraten."),
        ("Willkommenslotse2026", "Das Passwort ist zu bekannt"),
        ("aaaaaaaaaaaaaaa", "nur aus einem einzigen, wiederholten Zeichen"),
        ("1234567890123", "einfache Zeichenfolge"),
    ],
)
def test_weak_passwords_are_refused_with_a_german_reason(password, problem):
    problems = password_problems(password, "maria.k")
    assert any(problem in text for text in problems), problems


def test_a_long_passphrase_is_enough_without_digits_or_symbols():
    assert password_problems("kaffee und kuchen im garten", "maria.k") == []


def test_the_admin_sees_why_a_new_account_is_refused(signed_in, office):
    admin = signed_in("admin")
    form = {
        "username": "m.mueller",
        "display_name": "Maria Müller",
        "role": "coordinator",
        "new_password": "zu kurz",
        "repeat": "zu kurz",
    }
    page = submit(admin, "/accounts/new", form)
    assert "Das Passwort ist zu kurz" in text(page)
    page = submit(admin, "/accounts/new", {**form, "new_password": PASSWORD, "repeat": "anders"})
    assert "Die beiden Passwörter stimmen nicht überein." in text(page)
    page = submit(admin, "/accounts/new", {**form, "username": "Ma ria", "new_password": PASSWORD,
                                           "repeat": PASSWORD})  # fmt: skip
    assert "Der Benutzername muss" in text(page)
    assert office.accounts.by_username("m.mueller") is None
    page = submit(admin, "/accounts/new", {**form, "new_password": PASSWORD, "repeat": PASSWORD})
    assert page.status_code == 302
    listing = text(admin.get("/accounts"))
    assert "m.mueller" in listing and "Maria Müller" in listing and "Koordination" in listing
    page = submit(admin, "/accounts/new", {**form, "new_password": PASSWORD, "repeat": PASSWORD})
    assert "Den Benutzernamen &#39;m.mueller&#39; gibt es schon." in text(page)


def test_a_new_account_can_sign_in_with_its_role(signed_in, app):
    admin = signed_in("admin")
    form = {"username": "r.redaktion", "display_name": "Rita Redaktion", "role": "editor",
            "new_password": PASSWORD, "repeat": PASSWORD}  # fmt: skip
    submit(admin, "/accounts/new", form)
    browser = app.test_client()
    page = login(browser, "r.redaktion", PASSWORD)
    assert "Rita Redaktion" in text(page) and "Redaktion" in text(page)
    assert browser.get("/accounts").status_code == 403


def test_an_admin_disables_and_enables_an_account(signed_in, office, make_user, app):
    admin = signed_in("admin")
    make_user("coordinator")
    submit(admin, "/accounts", {}, action="/accounts/coordinator/disable")
    assert "deaktiviert" in text(admin.get("/accounts"))
    assert not office.accounts.by_username("coordinator").active
    submit(admin, "/accounts", {}, action="/accounts/coordinator/enable")
    assert office.accounts.by_username("coordinator").active
    assert "Abmelden" in text(login(app.test_client(), "coordinator", PASSWORD))


def test_the_last_admin_and_ones_own_account_stay_active(signed_in, office):
    admin = signed_in("admin")
    page = submit(admin, "/accounts", {}, action="/accounts/admin/disable")
    assert "eigenes Konto nicht deaktivieren" in text(admin.get(page.headers["Location"]))
    with pytest.raises(AccountError, match="letzte aktive Admin-Konto"):
        office.accounts.disable("admin")
    assert office.accounts.by_username("admin").active


def test_ensure_admin_creates_admin_with_the_password_from_the_environment(office, client):
    assert office.accounts.ensure_admin("Startpasswort der Verwaltung") is None
    admin = office.accounts.by_username("admin")
    assert admin.role == "admin" and admin.active
    assert "Abmelden" in text(login(client, "admin", "Startpasswort der Verwaltung"))


def test_ensure_admin_generates_a_password_when_none_is_set(office, client):
    generated = office.accounts.ensure_admin(None)
    assert generated and len(generated) >= 16
    assert "Abmelden" in text(login(client, "admin", generated))


def test_ensure_admin_does_nothing_when_there_is_an_admin(office, make_user):
    make_user("admin", "chefin")
    assert office.accounts.ensure_admin(None) is None
    assert office.accounts.by_username("admin") is None


def test_ensure_admin_refuses_a_weak_password_from_the_environment(office):
    with pytest.raises(AccountError, match="WELCOME_OFFICE_ADMIN_PASSWORD: Das Passwort ist zu"):
        office.accounts.ensure_admin("admin")
    assert office.accounts.by_username("admin") is None


def test_an_old_hash_is_upgraded_at_the_next_login(database_url):
    weak = Office(database_url, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    strong = Office(database_url)
    try:
        weak.accounts.add("editor", "Eva", "editor", PASSWORD)
        old_hash = weak.accounts.by_username("editor").password_hash
        assert strong.accounts.hasher.check_needs_rehash(old_hash)
        assert strong.accounts.authenticate("editor", PASSWORD).username == "editor"
        new_hash = strong.accounts.by_username("editor").password_hash
        assert new_hash != old_hash and not strong.accounts.hasher.check_needs_rehash(new_hash)
        assert strong.accounts.authenticate("editor", PASSWORD).username == "editor"
    finally:
        weak.close()
        strong.close()
