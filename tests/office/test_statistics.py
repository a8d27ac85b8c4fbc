"""The chat's statistics (/statistik) and unanswered questions (/unbeantwortet).

Conversations are stored through the real tracker store (Rasa events, real
sender ids and a phone number in a message); the numbers below are counted
by hand from them.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote_plus

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.chatfigures.feedback import Offer, record_vote
from bot.store.chat_figures import unanswered_table
from bot.store.db import make_engine
from bot.store.models import AuditEntry
from bot.store.tracker_store import WelcomeTrackerStore
from bot.training.examples import TrainingExamples
from tests.helpers.office import csrf_token, text

SENDERS = ("tg-70001", "web-" + "c" * 32, "tg-70003")
PHONE = "+49 151 2345 6789"
DOMAIN = Domain.from_yaml(
    'version: "3.1"\nslots:\n  language:\n    type: text\n    mappings:\n      - type: custom\n'
)
#: 2 and 3 December 2026, mornings in Germany; the office's clock is on 3 December.
DEC2 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc).timestamp()
DEC3 = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.timezone.utc).timestamp()


def turn(text: str, intent: str, confidence: float, language: str, at: float, faq=None) -> list:
    entities = [{"entity": "faq_id", "value": faq}] if faq else []
    response = "utter_handoff_confirmed" if intent == "affirm" else "utter_greet"
    return [
        UserUttered(
            text, {"name": intent, "confidence": confidence}, entities,
            {"language": {"code": language}}, timestamp=at,
        ),
        SlotSet("language", language, timestamp=at),
        BotUttered("…", metadata={"utter_action": response}, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]  # fmt: skip


def conversation(sender: str, at: float, *turns: list) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at)]
    events += [ActionExecuted("action_listen", timestamp=at)]
    for events_of_turn in turns:
        events += events_of_turn
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


@pytest.fixture
def chats(database_url: str) -> Iterator[None]:
    """A: Arabic, greeting and an FAQ (2 Dec). B: German, a button, an interpreter request
    handed to the office (2 Dec). C: German, a fallback with a phone number and a
    low-confidence question (3 Dec). Votes: offer:kita 1 up 3 down, faq:wohnsitz 3 up,
    mentoring 1 up."""
    import asyncio

    store = WelcomeTrackerStore(domain=DOMAIN, url=database_url, startup_retries=0)
    a = conversation(
        SENDERS[0], DEC2, turn("مرحبا", "greet", 0.99, "ar", DEC2),
        turn("أين أسجل عنواني؟", "faq", 0.9, "ar", DEC2 + 60, faq="wohnsitz"),
    )  # fmt: skip
    b = conversation(
        SENDERS[1], DEC2, turn("/greet", "greet", 1.0, "de", DEC2),
        turn("Ich brauche einen Dolmetscher", "request_interpreter", 0.95, "de", DEC2 + 10),
        turn("ja", "affirm", 0.99, "de", DEC2 + 20),
    )  # fmt: skip
    c = conversation(
        SENDERS[2], DEC3, turn(f"Ruf mich an unter {PHONE} wegen Wohngeld", "nlu_fallback", 0.3,
                               "de", DEC3),
        turn("Wohngeld beantragen wo?", "greet", 0.2, "de", DEC3 + 30),
    )  # fmt: skip
    for tracker in (a, b, c):
        asyncio.run(store.save(tracker))
    store.close()
    engine = make_engine(database_url)
    votes = [("offer:kita", True)] + [("offer:kita", False)] * 3 + [("faq:wohnsitz", True)] * 3
    for answer, helpful in [*votes, ("mentoring", True)]:
        record_vote(engine, Offer(answer, "20261201-abc"), "de", helpful, dt.date(2026, 12, 2))
    engine.dispose()
    yield


def rows_of(page: str, section: str) -> dict[str, tuple[str, ...]]:
    """The table of the figure ``section``: row label -> cells."""
    body = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    found = {}
    for label, cells in re.findall(r'<th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)+)', body):
        found[label] = tuple(re.findall(r"<td>([^<]*)</td>", cells))
    return found


def test_the_statistics_page_counts_from_the_chats_and_shows_nothing_personal(
    signed_in: Callable[[str], FlaskClient], chats
) -> None:
    page = text(signed_in("editor").get("/statistik"))  # default: the last 30 days

    assert "04.11.2026 bis 03.12.2026" in page
    days = rows_of(page, "gespraeche")
    assert days["02.12.2026"] == ("2", "5")
    assert days["03.12.2026"] == ("1", "2")
    assert days["01.12.2026"] == ("0", "0")
    assert days["Summe"] == ("3", "7")
    assert rows_of(page, "sprachen") == {"Deutsch (de)": ("2", "5"), "Arabisch (ar)": ("1", "2")}
    assert rows_of(page, "themen") == {
        "greet": ("3", "0", "1"),
        "FAQ wohnsitz": ("1", "0", "0"),
        "affirm": ("1", "0", "0"),
        "nlu_fallback": ("1", "1", "0"),
        "request_interpreter": ("1", "0", "0"),
    }
    rates = rows_of(page, "quoten")
    assert rates["02.12.2026"] == ("50,0", "0,0")  # 1 handoff in 2 conversations, 0 of 5
    assert rates["03.12.2026"] == ("0,0", "50,0")  # 1 of 2 messages not understood
    assert rates["01.12.2026"] == ("–", "–")
    assert rates["Zeitraum"] == ("33,3", "14,3")  # 1 of 3, 1 of 7
    assert rows_of(page, "rueckmeldungen") == {
        "offer:kita": ("1", "3", "25,0"),
        "FAQ wohnsitz": ("3", "0", "100,0"),
        "mentoring": ("1", "0", "100,0"),
    }
    assert list(rows_of(page, "schlechteste").items()) == [
        ("offer:kita", ("75,0", "4")),
        ("FAQ wohnsitz", ("0,0", "3")),
    ]
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) == 6
    svgs = [base64.b64decode(chart).decode("utf-8") for chart in charts]
    for secret in (*SENDERS, PHONE, "Wohngeld", "Dolmetscher"):
        assert secret not in page
        assert all(secret not in svg for svg in svgs)
    assert "<script>" not in page


def test_the_period_filter_and_a_wrong_period(signed_in, chats) -> None:
    browser = signed_in("editor")

    page = text(browser.get("/statistik?von=2026-12-03&bis=2026-12-03"))
    assert rows_of(page, "gespraeche") == {"03.12.2026": ("1", "2"), "Summe": ("1", "2")}

    page = text(browser.get("/statistik?von=2026-12-05&bis=2026-12-01"))
    assert "Das Startdatum liegt nach dem Enddatum." in page
    page = text(browser.get("/statistik?von=gestern"))
    assert "Bitte Daten im Format JJJJ-MM-TT angeben." in page


def test_csv_export_is_audited_and_holds_nothing_personal(signed_in, chats, office) -> None:
    browser = signed_in("editor")

    response = browser.get("/statistik/quoten.csv?von=2026-12-02&bis=2026-12-03")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "statistik-quoten-2026-12-02-2026-12-03.csv" in response.headers["Content-Disposition"]
    assert response.get_data().decode("utf-8")[1:].splitlines() == [
        "Tag;Weitergabequote %;Fallback-Quote %",
        "02.12.2026;50,0;0,0",
        "03.12.2026;0,0;50,0",
        "Zeitraum;33,3;14,3",
    ]
    for name in ("gespraeche", "sprachen", "themen", "rueckmeldungen", "schlechteste"):
        body = browser.get(f"/statistik/{name}.csv").get_data().decode("utf-8")
        assert all(secret not in body for secret in (*SENDERS, PHONE))
    with office.engine.connect() as connection:
        details = [
            entry.detail
            for entry in connection.execute(
                sa.select(AuditEntry).where(AuditEntry.action == "export")
            )
        ]
    assert "statistik=quoten zeitraum=2026-12-02..2026-12-03" in details
    assert len(details) == 6
    assert browser.get("/statistik/unbekannt.csv").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("editor", 200), ("admin", 200), ("coordinator", 403)]
)
def test_who_may_see_the_statistics_and_the_unanswered_questions(
    signed_in, chats, role: str, status: int
) -> None:
    browser = signed_in(role)
    assert browser.get("/statistik").status_code == status
    assert browser.get("/unbeantwortet").status_code == status


def test_unanswered_questions_masked_grouped_dismissed_and_used(signed_in, chats, office) -> None:
    browser = signed_in("editor")

    page = text(browser.get("/unbeantwortet"))

    assert "Ruf mich an unter [Telefon] wegen Wohngeld" in page
    assert "Wohngeld beantragen wo?" in page
    for secret in (*SENDERS, PHONE, "2345"):
        assert secret not in page
    # German questions need no translation; the link starts an FAQ entry with the question.
    assert "Übersetzung folgt" not in page
    assert "FAQ daraus erstellen" in page
    assert re.search(r'href="/inhalte/faq/neu\?frage=[^"]*Wohngeld', page)
    ids = sorted({int(value) for value in re.findall(r'name="id" value="(\d+)"', page)})
    assert ids

    token = csrf_token(page)
    with office.engine.connect() as connection:
        by_text = {
            row.text: row.id
            for row in connection.execute(sa.select(unanswered_table.c.text, unanswered_table.c.id))
        }
    with_phone = by_text["Ruf mich an unter [Telefon] wegen Wohngeld"]
    plain = by_text["Wohngeld beantragen wo?"]
    # Use them as examples of an intent: a made-up intent is refused by name.
    refused = browser.post(
        "/unbeantwortet/beispiel",
        data={"id": plain, "intent": "erfunden", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Bitte ein Anliegen (Intent) aus der Liste wählen." in text(refused)
    used = browser.post(
        "/unbeantwortet/beispiel",
        data={"id": [plain, with_phone], "intent": "ask_offers", "csrf_token": token},
        follow_redirects=True,
    )
    assert "1 Frage(n) als Trainingsbeispiel für „ask_offers“ übernommen." in text(used)
    # The masked phone number makes no example; the message names the field and why.
    assert (
        "„Ruf mich an unter [Telefon] wegen Wohngeld“ wurde nicht übernommen. "
        "Beispielsatz: Er enthält [Telefon]"
    ) in text(used)
    assert [
        (e.intent, e.language, e.text) for e in TrainingExamples("", engine=office.engine).all()
    ] == [("ask_offers", "de", "Wohngeld beantragen wo?")]
    # The content page says a training is needed and offers to start it.
    contents = text(browser.get("/inhalte/"))
    box = contents.split('id="training"')[1].split("Frühere Veröffentlichungen")[0]
    assert "Training nötig: 1 neues Beispiel." in box
    assert 'id="start-training"' in box
    first = plain
    rest = [value for value in ids if value != first]
    dismissed = browser.post(
        "/unbeantwortet/verwerfen",
        data={"id": rest, "csrf_token": token},
        follow_redirects=True,
    )
    assert f"{len(rest)} Frage(n) verworfen." in text(dismissed)
    assert "Keine Fragen mit diesem Status." in text(browser.get("/unbeantwortet"))
    assert "ask_offers" in text(browser.get("/unbeantwortet?status=used"))
    assert "Wohngeld" in text(browser.get("/unbeantwortet?status=dismissed"))
    with office.engine.connect() as connection:
        actions = [
            (entry.action, entry.detail)
            for entry in connection.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.action.like("unanswered%"))
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == [
        ("unanswered_used", "fragen=1 intent=ask_offers"),
        ("unanswered_dismissed", f"fragen={len(rest)}"),
    ]
    # Without a CSRF token nothing changes.
    assert browser.post("/unbeantwortet/verwerfen", data={"id": first}).status_code == 400


def test_the_faq_link_carries_the_groups_question(signed_in, chats) -> None:
    page = text(signed_in("editor").get("/unbeantwortet"))

    headings = re.findall(r'<h2 id="gruppe-\d+">([^<]+)</h2>', page)
    assert headings
    for heading in headings:
        assert f"/inhalte/faq/neu?frage={quote_plus(heading)}" in page
