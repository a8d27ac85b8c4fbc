"""The audit log: account changes are recorded, outlive the account, export is itself audited."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from bot.office.app import create_app
from bot.store.models import AuditEntry, StaffUser
from tests.helpers.office import login, submit, text
from tests.office.conftest import PASSWORD, office_settings


def entries(office) -> list[tuple[str, str, str | None]]:
    with office.sessions() as session:
        rows = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
        return [(row.username, row.action, row.detail) for row in rows]


def test_account_changes_are_recorded_with_who_did_them(signed_in, office, make_user):
    admin = signed_in("admin")
    make_user("editor")
    new = "Ein ganz neues Passwort"
    submit(admin, "/accounts/new", {"username": "k.neu", "display_name": "Karl Neu",
           "role": "coordinator", "new_password": PASSWORD, "repeat": PASSWORD})  # fmt: skip
    submit(admin, "/accounts", {}, action="/accounts/editor/disable")
    submit(admin, "/accounts", {}, action="/accounts/editor/enable")
    submit(admin, "/accounts/editor/password", {"new_password": new, "repeat": new})
    log = entries(office)
    assert ("admin", "login", None) in log
    assert ("admin", "account_added", "konto=k.neu rolle=coordinator") in log
    assert ("admin", "account_disabled", "konto=editor") in log
    assert ("admin", "account_enabled", "konto=editor") in log
    assert ("admin", "password_reset", "konto=editor") in log
    assert all(PASSWORD not in str(entry) and new not in str(entry) for entry in log)
    with office.sessions() as session:
        addresses = set(session.scalars(sa.select(AuditEntry.address)))
    assert addresses == {"127.0.0.1"}


def test_failed_logins_are_recorded_without_the_typed_name_of_unknown_accounts(
    client, office, make_user
):
    make_user("editor")
    login(client, "editor", "falsch falsch falsch")
    login(client, "Kaffee im Landratsamt 7", "oops")  # a password typed into the name field
    log = entries(office)
    assert ("editor", "login_failed", None) in log
    assert ("(unbekannt)", "login_failed", None) in log
    assert all("Kaffee" not in str(entry) for entry in log)


def test_the_log_outlives_a_disabled_and_a_removed_account(signed_in, office):
    editor = signed_in("editor")
    submit(editor, "/account/password", {}, action="/logout")
    admin = signed_in("admin")
    submit(admin, "/accounts", {}, action="/accounts/editor/disable")
    with office.sessions() as session:
        session.execute(sa.delete(StaffUser).where(StaffUser.username == "editor"))
        session.commit()
    page = text(admin.get("/audit", query_string={"username": "editor"}))
    assert "Anmeldung" in page and "Abmeldung" in page
    assert ("editor", "logout", None) in entries(office)


def test_the_audit_page_filters_and_pages(signed_in, office):
    admin = signed_in("admin")
    for number in range(60):
        office.audit.add("view", username="k.neu", reference=f"WL-{number:06d}")
    page = text(admin.get("/audit", query_string={"reference": "wl-000007"}))
    assert "1 Einträge" in page and "WL-000007" in page and "WL-000008" not in page
    page = text(admin.get("/audit", query_string={"username": "k.neu"}))
    assert "60 Einträge, Seite 1 von 2" in page and "WL-000059" in page
    page = text(admin.get("/audit", query_string={"username": "k.neu", "page": "2"}))
    assert "WL-000000" in page and "WL-000059" not in page
    page = text(admin.get("/audit", query_string={"action": "login"}))
    assert "1 Einträge" in page


def test_the_csv_export_holds_the_entries_and_is_itself_audited(signed_in, office):
    admin = signed_in("admin")
    office.audit.add("view", username="k.neu", reference="WL-ABC234", detail="=HYPERLINK(1)")
    response = admin.get("/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    content = response.get_data(as_text=True)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Zeit (UTC)", "Benutzer", "Aktion"]
    assert rows[-2][1:4] == ["k.neu", "view", "WL-ABC234"]
    assert rows[-2][5] == "'=HYPERLINK(1)"  # no formula when opened in a spreadsheet
    assert rows[-1][1:3] == ["admin", "export"]  # the export is in the log it exports
    filtered = admin.get("/audit.csv", query_string={"reference": "WL-ABC234"})
    assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True))))) == 2


def test_a_forwarded_address_is_believed_only_behind_a_configured_proxy(
    tmp_path, database_url, app, office, make_user
):
    make_user("editor")
    proxied = create_app(
        office_settings(tmp_path, database_url, WELCOME_OFFICE_TRUSTED_PROXIES="1"), testing=True
    )
    try:
        for application in (app, proxied):
            browser = application.test_client()
            browser.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
            login(browser, "editor", PASSWORD)
    finally:
        proxied.extensions["welcome"].close()
    with office.sessions() as session:
        query = sa.select(AuditEntry.address).where(AuditEntry.action == "login")
        addresses = list(session.scalars(query.order_by(AuditEntry.id)))
    assert addresses == ["127.0.0.1", "203.0.113.9"]
