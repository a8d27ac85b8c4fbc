"""The queue, a request's page and working on it, through the office's real forms."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bot.store import RequestStore
from bot.store.models import AuditEntry
from tests.helpers.office import csrf_token, text

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def store(database_url: str):
    request_store = RequestStore(database_url)
    yield request_store
    request_store.close()


@pytest.fixture
def save(store: RequestStore) -> Callable[..., str]:
    """Save a request as the assistant does; returns its reference."""

    def save_request(
        category: str = "interpreter",
        language: str = "ar",
        sender: str = "tg-4242",
        town: str | None = "Sindelfingen",
        fields: dict | None = None,
        excerpt: list | None = None,
    ) -> str:
        channel = {"tg": "telegram", "web": "webchat"}.get(sender.split("-")[0], "rest")
        values = {"contact": "+4915123456789", **(fields or {})}
        if town:
            values["municipality"] = town
        stored = store.save_request(
            sender_id=sender,
            channel=channel,
            category=category,
            language=language,
            fields=values,
            excerpt=excerpt
            or [
                {"role": "user", "text": "أحتاج مترجما", "text_de": "Ich brauche einen Dolmetscher"}
            ],
        )
        return stored.reference

    return save_request


@pytest.fixture
def coordinator(signed_in) -> FlaskClient:
    return signed_in("coordinator", "anna")


def references(page) -> list[str]:
    return re.findall(r'href="/anfragen/([A-Z0-9-]+)"', text(page))


def post_on_page(client: FlaskClient, reference: str, path: str, data: dict) -> str:
    """Post a form of the request's page (token read from the page), follow the redirect."""
    token = csrf_token(client.get(f"/anfragen/{reference}"))
    response = client.post(
        f"/anfragen/{reference}/{path}", data={**data, "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    return text(response)


def entries(database_url: str, reference: str) -> list[tuple]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "SELECT e.kind, e.staff_name, e.text, e.text_translated, e.language,"
                        " e.delivery FROM case_entries e JOIN handoff_requests r"
                        " ON r.id = e.request_id WHERE r.reference = :ref ORDER BY e.id"
                    ),
                    {"ref": reference},
                )
            )
    finally:
        engine.dispose()


def outbox(database_url: str) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT channel, recipient, payload FROM outbox ORDER BY id")
            )
            return [
                (channel, recipient, (json.loads(p) if isinstance(p, str) else p)["text"])
                for channel, recipient, p in rows
            ]
    finally:
        engine.dispose()


# -- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_every_request_with_german_labels(coordinator, save):
    first = save("interpreter", "ar", town="Sindelfingen")
    second = save("internship", "uk", sender="web-" + "a" * 32, town="Böblingen")

    page = coordinator.get("/anfragen")
    html = text(page)

    assert page.status_code == 200
    assert references(page) == [second, first]  # newest first
    for label in ("Dolmetschen", "Praktikum", "Eingegangen", "Arabisch", "Ukrainisch"):
        assert label in html
    assert "Telegram" in html and "Web-Chat" in html
    assert "nicht übernommen" in html


def test_signing_in_leads_to_the_queue(app: Flask, make_user, save):
    from tests.helpers.office import login

    reference = save()
    make_user("coordinator", "ben")
    page = login(app.test_client(), "ben", "Kaffee im Landratsamt 7")
    assert reference in text(page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=internship", ["internship"]),
        ("town=Böblingen", ["internship"]),
        ("language=uk", ["internship"]),
        ("channel=webchat", ["internship"]),
        ("channel=telegram", ["interpreter", "human"]),
        ("status=new", ["interpreter", "internship"]),
        ("status=in_progress", ["human"]),
        ("status=open", ["interpreter", "internship", "human"]),
        ("status=done", []),
        ("holder=mine", ["human"]),
        ("holder=unclaimed", ["interpreter", "internship"]),
        ("holder=others", []),
    ],
)
def test_the_queue_filters(coordinator, save, query, expected):
    made = {
        "interpreter": save("interpreter", "ar", town="Sindelfingen"),
        "internship": save("internship", "uk", sender="web-" + "b" * 32, town="Böblingen"),
        "human": save("human", "tr", sender="tg-77", town="Leonberg"),
    }
    post_on_page(coordinator, made["human"], "uebernehmen", {})

    listed = references(coordinator.get(f"/anfragen?{query}"))

    assert sorted(listed) == sorted(made[name] for name in expected)


def test_others_holder_and_reference_search(signed_in, save):
    anna = signed_in("coordinator", "anna")
    ben = signed_in("coordinator", "ben")
    annas = save("human", "tr", sender="tg-1")
    free = save("human", "tr", sender="tg-2")
    post_on_page(anna, annas, "uebernehmen", {})

    assert references(ben.get("/anfragen?holder=others")) == [annas]
    assert references(anna.get("/anfragen?holder=others")) == []
    assert references(ben.get(f"/anfragen?reference={free[-4:].lower()}")) == [free]


def test_the_refresh_returns_the_rows_alone(coordinator, save):
    reference = save()
    page = coordinator.get("/anfragen")
    assert 'data-refresh-url="/anfragen/liste' in text(page)
    assert "queue.js" in text(page)

    newer = save("internship", "uk")
    fragment = coordinator.get("/anfragen/liste?category=internship")

    assert fragment.status_code == 200
    assert "<html" not in text(fragment)
    assert references(fragment) == [newer]
    assert reference in text(coordinator.get("/anfragen/liste"))


def test_odd_filter_values_are_harmless(coordinator, save):
    reference = save()
    for query in (
        "status=%3Cscript%3E&page=-1&town=%27",
        "page=abc&holder=everyone&channel=fax&category=%00",
        "reference=%25%27%22&language=" + "x" * 500,
    ):
        for path in ("/anfragen", "/anfragen/liste"):
            response = coordinator.get(f"{path}?{query}")
            assert response.status_code == 200
            assert "<script>" not in text(response)
    assert references(coordinator.get("/anfragen?status=nonsense&page=-1")) == [reference]


# -- a request's page -----------------------------------------------------------------------


def test_the_page_shows_fields_and_excerpt_next_to_their_german_translation(coordinator, save):
    reference = save(
        "human",
        "ar",
        fields={"handoff_note": "مشكلة مع السكن", "handoff_note_de": "Problem mit der Wohnung"},
        excerpt=[
            {"role": "bot", "text": "كيف يمكنني المساعدة؟"},
            {"role": "user", "text": "أحتاج مساعدة", "text_de": "Ich brauche Hilfe"},
        ],
    )

    html = text(coordinator.get(f"/anfragen/{reference}"))

    for shown in (
        "Anliegen",
        "مشكلة مع السكن",
        "Problem mit der Wohnung",
        "Kontakt",
        "+4915123456789",
        "Gemeinde",
        "أحتاج مساعدة",
        "Ich brauche Hilfe",
        "كيف يمكنني المساعدة؟",
        "maschinell übersetzt",
        "Persönliche Beratung",
    ):
        assert shown in html
    # The translation is shown beside the newcomer's words, never instead of them.
    assert html.index("أحتاج مساعدة") < html.index("Ich brauche Hilfe")


def test_a_newcomers_script_is_shown_as_text(coordinator, save):
    reference = save(
        "human",
        "de",
        fields={"handoff_note": SCRIPT, "handoff_note_de": SCRIPT},
        excerpt=[{"role": "user", "text": SCRIPT, "text_de": SCRIPT}],
    )

    html = text(coordinator.get(f"/anfragen/{reference}"))

    assert SCRIPT not in html
    assert "&lt;script&gt;alert(" in html


def test_an_unknown_request_is_not_found(coordinator):
    assert coordinator.get("/anfragen/WL-NOPE99").status_code == 404


def test_viewing_a_request_is_audited(coordinator, save, office):
    reference = save()
    coordinator.get(f"/anfragen/{reference}")

    with office.sessions() as session:
        views = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "view", AuditEntry.reference == reference
            )
        ).all()
    assert [view.username for view in views] == ["anna"]


def test_colleagues_who_have_the_request_open_are_named(signed_in, save, clock):
    reference = save()
    anna = signed_in("coordinator", "anna")
    ben = signed_in("coordinator", "ben")
    anna.get(f"/anfragen/{reference}")

    page = ben.get(f"/anfragen/{reference}")
    assert "Ebenfalls geöffnet von: Anna Muster" in text(page)

    # Anna's page keeps reporting; Ben's report answers who else is there.
    token = csrf_token(page)
    clock.advance(seconds=50)
    anna_page = anna.get(f"/anfragen/{reference}")
    answer = ben.post(
        f"/anfragen/{reference}/anwesend", headers={"X-CSRFToken": token}, data={}
    ).get_json()
    assert answer == {"others": ["Anna Muster"]}

    clock.advance(seconds=61)
    answer = anna.post(
        f"/anfragen/{reference}/anwesend",
        data={"csrf_token": csrf_token(anna_page)},
    ).get_json()
    assert answer == {"others": []}  # Ben's page stopped reporting over a minute ago


# -- working on a request ---------------------------------------------------------------------


def test_claim_hand_back_assign_status_and_note_change_the_request(
    signed_in, save, database_url, office
):
    reference = save()
    anna = signed_in("coordinator", "anna")
    signed_in("coordinator", "ben")

    html = post_on_page(anna, reference, "uebernehmen", {})
    assert "Sie haben die Anfrage übernommen." in html
    assert "In Bearbeitung" in html

    html = post_on_page(anna, reference, "zurueckgeben", {})
    assert "zurück in der Warteschlange" in html

    ben_id = next(user.id for user in office.accounts.list() if user.username == "ben")
    html = post_on_page(anna, reference, "zuweisen", {"colleague": ben_id})
    assert "Die Anfrage ist jetzt bei Ben Muster." in html

    html = post_on_page(anna, reference, "status", {"status": "waiting"})
    assert "Status: Wartet auf Antwort." in html

    html = post_on_page(anna, reference, "notiz", {"text": "Rückruf morgen früh"})
    assert "Rückruf morgen früh" in html and "intern" in html

    html = post_on_page(anna, reference, "status", {"status": "done"})
    assert "Wieder öffnen" in html
    html = post_on_page(anna, reference, "status", {"status": "in_progress"})
    assert "Status: In Bearbeitung." in html

    kinds = [(kind, staff) for kind, staff, *_ in entries(database_url, reference)]
    assert [k for k in kinds if k[0] != "notice"] == [
        ("claimed", "Anna Muster"),
        ("released", "Anna Muster"),
        ("assigned", "Anna Muster"),
        ("status", "Anna Muster"),
        ("note", "Anna Muster"),
        ("status", "Anna Muster"),
        ("status", "Anna Muster"),
    ]
    with office.sessions() as session:
        actions = session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.reference == reference, AuditEntry.action != "view")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["claim", "release", "assign", "status", "note", "status", "status"]


def test_the_second_claim_is_told_who_has_the_request(signed_in, save):
    reference = save()
    anna = signed_in("coordinator", "anna")
    ben = signed_in("coordinator", "ben")
    # Both opened the page before anyone claimed it.
    anna_token = csrf_token(anna.get(f"/anfragen/{reference}"))
    ben_token = csrf_token(ben.get(f"/anfragen/{reference}"))

    anna.post(f"/anfragen/{reference}/uebernehmen", data={"csrf_token": anna_token})
    answer = ben.post(
        f"/anfragen/{reference}/uebernehmen",
        data={"csrf_token": ben_token},
        follow_redirects=True,
    )

    assert answer.status_code == 200
    assert "Bereits übernommen von Anna Muster." in text(answer)


def test_errors_are_messages_not_server_errors(coordinator, save):
    reference = save()
    html = post_on_page(coordinator, reference, "notiz", {"text": "   "})
    assert "Der Text ist leer." in html
    html = post_on_page(coordinator, reference, "status", {"status": "<script>"})
    assert "Unbekannter Status." in html
    html = post_on_page(coordinator, reference, "zuweisen", {"colleague": "999999"})
    assert "gibt es nicht (mehr)" in html
    post_on_page(coordinator, reference, "status", {"status": "done"})
    html = post_on_page(coordinator, reference, "antwort", {"text": "Hallo", "action": "send"})
    assert "erledigt" in html
    token = csrf_token(coordinator.get(f"/anfragen/{reference}"))
    gone = coordinator.post(
        "/anfragen/WL-NOPE99/notiz", data={"text": "x", "csrf_token": token}, follow_redirects=True
    )
    assert gone.status_code == 200 and "gibt es nicht (mehr)" in text(gone)


def test_forms_without_a_csrf_token_are_refused(coordinator, save, database_url):
    reference = save()
    response = coordinator.post(f"/anfragen/{reference}/uebernehmen")
    assert response.status_code == 400
    assert [kind for kind, *_ in entries(database_url, reference)] == []


# -- replies ------------------------------------------------------------------------------------


def test_without_a_model_the_preview_says_the_german_original_goes_out(coordinator, save):
    reference = save(language="ar")

    html = post_on_page(
        coordinator,
        reference,
        "antwort",
        {"text": "Ihr Termin ist am Montag.", "action": "preview"},
    )

    assert "kein Übersetzungsmodell installiert" in html
    assert "Ihr Termin ist am Montag." in html
    assert "Vorschau" in html


def test_the_preview_as_json(coordinator, save):
    reference = save(language="ar")
    token = csrf_token(coordinator.get(f"/anfragen/{reference}"))

    answer = coordinator.post(
        f"/anfragen/{reference}/vorschau", data={"text": "Guten Tag", "csrf_token": token}
    ).get_json()

    assert answer["untranslated"] is True and answer["machine_translated"] is False
    assert "Guten Tag" in answer["message"] and reference in answer["message"]
    assert answer["back_to_german"] is None


def test_a_reply_to_a_telegram_newcomer_goes_out_in_german_with_a_note(
    coordinator, save, database_url, office
):
    reference = save(language="ar", sender="tg-4242")

    html = post_on_page(
        coordinator,
        reference,
        "antwort",
        {"text": "Ihr Termin ist am Montag um 10 Uhr.", "action": "send"},
    )

    assert "auf Deutsch, mit einem Hinweis" in html
    reply = [e for e in entries(database_url, reference) if e[0] == "reply"]
    assert len(reply) == 1
    kind, staff, german, translated, language, delivery = reply[0]
    assert (staff, german, language, delivery) == (
        "Anna Muster",
        "Ihr Termin ist am Montag um 10 Uhr.",
        "ar",
        "pending",
    )
    assert german in translated and translated != german  # heading and note in Arabic
    telegram = [row for row in outbox(database_url) if row[0] == "telegram"]
    assert telegram[-1][1] == "4242" and telegram[-1][2] == translated
    # The history shows what was written and what the newcomer reads.
    assert "Geschrieben (Deutsch)" in html and "wartet auf Zustellung" in html
    with office.sessions() as session:
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "reply", AuditEntry.reference == reference)
            )
            == 1
        )


# -- who may ----------------------------------------------------------------------------------


def test_editors_may_open_no_queue_page(signed_in, save):
    reference = save()
    editor = signed_in("editor")
    for path in (
        "/anfragen",
        "/anfragen/liste",
        f"/anfragen/{reference}",
        "/vorlagen",
    ):
        assert editor.get(path).status_code == 403, path
    # A valid token (from the editor's own password page): the role decides, not the token.
    token = csrf_token(editor.get("/account/password"))
    for path in (
        "uebernehmen",
        "zurueckgeben",
        "zuweisen",
        "status",
        "notiz",
        "antwort",
        "vorschau",
        "anwesend",
    ):
        response = editor.post(f"/anfragen/{reference}/{path}", data={"csrf_token": token})
        assert response.status_code == 403, path
    assert editor.post("/vorlagen", data={"csrf_token": token}).status_code == 403


def test_admins_may_work_the_queue(signed_in, save):
    reference = save()
    admin = signed_in("admin")
    assert admin.get(f"/anfragen/{reference}").status_code == 200


def test_signed_out_visitors_are_sent_to_the_login(client, save):
    reference = save()
    response = client.get(f"/anfragen/{reference}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_with_a_model_the_newcomer_reads_the_translation_and_the_office_a_check(
    app, coordinator, save, database_url, tmp_path
):
    from tests.helpers.argos_dictionary import build_dictionary_package

    # The app's packages folder (WELCOME_VAR_DIR/translation/packages), word by word.
    packages = app.extensions["welcome_settings"].packages_dir
    packages.mkdir(parents=True, exist_ok=True)
    build_dictionary_package(packages, "de", "en", {"ihr": "your", "termin": "appointment"})
    build_dictionary_package(packages, "en", "de", {"your": "ihr", "appointment": "termin"})
    reference = save(language="en", sender="tg-31")

    preview = post_on_page(
        coordinator, reference, "antwort", {"text": "Ihr Termin.", "action": "preview"}
    )
    assert "Your Appointment." in preview
    assert "Rückübersetzung ins Deutsche" in preview and "Ihr Termin." in preview
    assert "kein Übersetzungsmodell" not in preview

    post_on_page(coordinator, reference, "antwort", {"text": "Ihr Termin.", "action": "send"})
    (reply,) = [e for e in entries(database_url, reference) if e[0] == "reply"]
    assert reply[2] == "Ihr Termin." and "Your Appointment." in reply[3]
    assert outbox(database_url)[-1][2] == reply[3]


def test_the_queue_pages_and_keeps_its_filters(coordinator, save, monkeypatch):
    monkeypatch.setattr("bot.casework.store.PAGE_SIZE", 2)
    made = [save("human", "tr", sender=f"tg-{n}") for n in range(3)]
    save("internship", "uk")

    first = coordinator.get("/anfragen?category=human")
    assert references(first) == [made[2], made[1]]
    assert "Seite 1 von 2" in text(first)
    assert 'href="/anfragen?category=human&amp;page=2"' in text(first)

    second = coordinator.get("/anfragen?category=human&page=2")
    assert references(second) == [made[0]]
    # A page past the end shows the last one.
    assert references(coordinator.get("/anfragen?category=human&page=99")) == [made[0]]


def test_the_collected_codes_read_as_german_words(save, coordinator) -> None:
    reference = save(
        fields={
            "interpreter_language": "prs",
            "appointment_kind": "health",
            "interpreter_mode": "on_site",
            "appointment_date": "2027-01-17",
        }
    )
    page = text(coordinator.get(f"/anfragen/{reference}"))
    assert "Dari (prs)" in page
    assert "17.01.2027" in page and "2027-01-17" not in page
    assert ">health<" not in page and ">on_site<" not in page
