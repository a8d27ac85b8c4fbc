"""The office's queue and request page in a real browser: the parts that are JavaScript.

The office app runs on 127.0.0.1 (SQLite, no translation model installed);
refresh intervals are one second instead of 10-15 so the test waits little.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from bot.casework.templates import ReplyTemplates
from bot.office.app import create_app
from bot.settings import load_settings
from bot.store import RequestStore

PASSWORD = "Kaffee im Landratsamt 7"


@dataclass
class RunningOffice:
    url: str
    database_url: str

    def save_request(self, category: str = "interpreter", sender: str = "tg-4242") -> str:
        with RequestStore(self.database_url) as store:
            return store.save_request(
                sender_id=sender,
                channel="telegram",
                category=category,
                language="ar",
                fields={"municipality": "Sindelfingen", "contact": "+4915123456789"},
                excerpt=[{"role": "user", "text": "أحتاج مترجما", "text_de": "Ich brauche Hilfe"}],
            ).reference


@pytest.fixture
def office_server(tmp_path) -> Iterator[RunningOffice]:
    database_url = f"sqlite:///{tmp_path / 'welcome.db'}"
    with RequestStore(database_url) as store:
        store.migrate()
    settings = load_settings(
        {
            "WELCOME_VAR_DIR": str(tmp_path / "var"),
            "WELCOME_DATABASE_URL": database_url,
            "WELCOME_OFFICE_SECURE_COOKIES": "off",
        }
    )
    app = create_app(settings, testing=True)
    app.config.update(QUEUE_REFRESH_SECONDS=1, PRESENCE_REFRESH_SECONDS=1)
    accounts = app.extensions["welcome"].accounts
    accounts.add("anna", "Anna Muster", "coordinator", PASSWORD)
    accounts.add("ben", "Ben Muster", "coordinator", PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningOffice(f"http://127.0.0.1:{server.server_port}", database_url)
    finally:
        server.shutdown()
        thread.join()
        app.extensions["welcome"].close()


def sign_in(page, office: RunningOffice, username: str) -> None:
    page.goto(f"{office.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Anfragen')")


def test_the_queue_shows_new_requests_without_a_reload(page, office_server, shot):
    first = office_server.save_request()
    sign_in(page, office_server, "anna")
    page.wait_for_selector(f"a:has-text('{first}')")

    page.evaluate("window.notReloaded = true")
    second = office_server.save_request("internship", "tg-77")
    page.wait_for_selector(f"a:has-text('{second}')")

    assert page.evaluate("window.notReloaded") is True
    shot("refreshed")


def test_a_template_fills_the_reply_and_the_preview_says_german_goes_out(page, office_server, shot):
    reference = office_server.save_request()
    templates = ReplyTemplates(office_server.database_url)
    template = templates.add("interpreter", "Termin", "Ihr Termin ist am Montag.")
    templates.close()
    sign_in(page, office_server, "anna")
    page.goto(f"{office_server.url}/anfragen/{reference}")

    page.select_option("#template", str(template.id))
    assert page.input_value("#reply-text") == "Ihr Termin ist am Montag."

    page.click("#preview-button")
    page.wait_for_selector("#reply-preview:has-text('kein Übersetzungsmodell installiert')")
    assert "Ihr Termin ist am Montag." in page.inner_text("#reply-preview")
    assert page.url.endswith(f"/anfragen/{reference}")  # no form submission
    shot("preview")


def test_a_colleague_who_opens_the_request_is_named(context, page, office_server, shot):
    reference = office_server.save_request()
    sign_in(page, office_server, "anna")
    page.goto(f"{office_server.url}/anfragen/{reference}")

    colleague = context.browser.new_context()
    try:
        other = colleague.new_page()
        sign_in(other, office_server, "ben")
        other.goto(f"{office_server.url}/anfragen/{reference}")
        page.wait_for_selector("#presence:has-text('Ebenfalls geöffnet von: Ben Muster')")
        shot("presence")
    finally:
        colleague.close()
