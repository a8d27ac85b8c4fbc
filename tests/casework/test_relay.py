"""A held conversation: the newcomer's messages go to the office, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.casework import relay as relay_module
from bot.casework.conversation import OfficeMessages
from bot.casework.newcomer import BACK_TO_ASSISTANT
from bot.casework.relay import Relay
from bot.store import RequestStore
from bot.texts import text as catalogue_text

WEB = "web-" + "a" * 32


def request_of(store: RequestStore, sender: str = "tg-4242", language: str = "ar"):
    return store.save_request(
        sender_id=sender,
        channel=sender.split("-")[0] if "-" in sender else "rest",
        category="interpreter",
        language=language,
        fields={"municipality": "Sindelfingen", "contact": "amina@example.org"},
        excerpt=[{"role": "user", "text": "أحتاج مترجما"}],
    )


@pytest.fixture
def relay(database_url: str):
    gate = Relay(database_url)
    yield gate
    gate.close()


@pytest.fixture
def office_messages(database_url: str):
    reader = OfficeMessages(database_url)
    yield reader
    reader.close()


@pytest.fixture
def anna(add_staff):
    return add_staff("Anna Berger")


def test_nobody_holds_a_new_request_so_the_assistant_answers(store, relay) -> None:
    request_of(store)
    assert relay.receive("tg-4242", "مرحبا") is None
    assert relay.receive("tg-9999", "Hallo") is None  # nobody with a request at all


def test_a_held_conversation_goes_to_the_office_and_says_so_once(
    store, casework, relay, anna
) -> None:
    request = request_of(store)
    casework.claim(request.reference, anna)

    first = relay.receive("tg-4242", "  متى الموعد؟ ")
    second = relay.receive("tg-4242", "شكرا")

    assert first is not None and second is not None
    (notice,) = first.said
    assert notice.text == catalogue_text("relay.passed_on", "ar", reference=request.reference)
    assert notice.buttons == [
        {"title": catalogue_text("relay.back_button", "ar"), "payload": BACK_TO_ASSISTANT}
    ]
    assert second.said == [], "told once per hold"
    case = casework.case(request.reference)
    written = [entry for entry in case.entries if entry.kind == "newcomer"]
    assert [entry.text for entry in written] == ["متى الموعد؟", "شكرا"]
    # No Arabic model in the tests: stored without a German translation, not invented.
    assert all(e.text_translated is None and not e.machine_translated for e in written)
    assert {entry.language for entry in written} == {"ar"}


def test_the_office_replying_again_starts_a_new_hold_with_a_new_notice(
    store, casework, relay, anna
) -> None:
    request = request_of(store)
    casework.claim(request.reference, anna)
    assert relay.receive("tg-4242", "سؤال").said
    casework.reply(request.reference, anna, "Ja.", "نعم.", "ar", True)

    assert relay.receive("tg-4242", "سؤال آخر").said, "a reply resets the notice"


def test_a_message_while_waiting_puts_the_request_back_in_progress(
    store, casework, relay, anna
) -> None:
    request = request_of(store)
    casework.claim(request.reference, anna)
    casework.set_status(request.reference, anna, "waiting")
    before = casework.case(request.reference).updated_at

    relay.receive("tg-4242", "Hier ist die Antwort")

    case = casework.case(request.reference)
    assert case.status == "in_progress"
    assert case.updated_at >= before


def test_back_to_the_assistant_ends_the_hold(store, casework, relay, anna) -> None:
    request = request_of(store)
    casework.claim(request.reference, anna)

    back = relay.receive("tg-4242", BACK_TO_ASSISTANT)

    assert back is not None
    assert [said.text for said in back.said] == [
        catalogue_text("relay.back", "ar", reference=request.reference)
    ]
    case = casework.case(request.reference)
    assert not case.held and case.status == "in_progress"
    released = case.entries[-1]
    assert (released.kind, released.data) == ("released", {"by": "newcomer"})
    assert relay.receive("tg-4242", "مرحبا") is None, "the assistant answers again"
    # A second click is answered the same way, without another history entry.
    assert relay.receive("tg-4242", BACK_TO_ASSISTANT).said == back.said
    assert [e.kind for e in casework.case(request.reference).entries].count("released") == 1


def test_a_closed_request_is_not_relayed(store, casework, relay, anna) -> None:
    request = request_of(store)
    casework.claim(request.reference, anna)
    casework.set_status(request.reference, anna, "done")
    # Even if a hold were left behind, a closed request takes no messages.
    engine = sa.create_engine(casework._url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE handoff_requests SET held = :t"), {"t": True})
    engine.dispose()

    assert relay.receive("tg-4242", "Hallo") is None
    assert relay.receive("tg-4242", BACK_TO_ASSISTANT) is None


def test_the_most_recently_updated_held_request_gets_the_message(
    store, casework, relay, anna
) -> None:
    older = request_of(store)
    newer = request_of(store)
    casework.claim(older.reference, anna)
    casework.claim(newer.reference, anna)
    casework.note(older.reference, anna, "Rückruf morgen")  # updated last

    relayed = relay.receive("tg-4242", "Hallo")

    assert relayed.reference == older.reference
    assert [e.kind for e in casework.case(newer.reference).entries].count("newcomer") == 0


def test_a_german_translation_is_stored_next_to_the_original(
    store, casework, relay, anna, monkeypatch
) -> None:
    # The translation engine has its own tests; here only what the relay keeps of it.
    monkeypatch.setattr(relay_module, "to_german", lambda texts, language: ["Wann ist der Termin?"])
    request = request_of(store)
    casework.claim(request.reference, anna)

    relay.receive("tg-4242", "متى الموعد؟")

    entry = casework.case(request.reference).entries[-1]
    assert (entry.text, entry.text_translated, entry.machine_translated) == (
        "متى الموعد؟",
        "Wann ist der Termin?",
        True,
    )


def test_staff_hear_of_the_first_message_of_a_hold_and_a_failing_notice_breaks_nothing(
    store, casework, relay, anna, monkeypatch
) -> None:
    heard: list[tuple[str, str]] = []

    def notify(reference: str, category: str) -> None:
        heard.append((reference, category))
        raise RuntimeError("SMTP down")

    monkeypatch.setattr(relay_module.notify, "notify_newcomer_reply", notify)
    request = request_of(store)
    casework.claim(request.reference, anna)

    assert relay.receive("tg-4242", "Hallo") is not None
    assert relay.receive("tg-4242", "Noch etwas") is not None
    assert heard == [(request.reference, "interpreter")]
    assert [e.kind for e in casework.case(request.reference).entries][-2:] == [
        "newcomer",
        "newcomer",
    ]
    casework.reply(request.reference, anna, "Gern.", "Gern.", "de", False)
    relay.receive("tg-4242", "Danke")
    assert len(heard) == 2


def test_the_web_chat_fetches_an_office_reply_once_and_marks_it_sent(
    store, casework, anna, office_messages
) -> None:
    request = request_of(store, WEB, "en")
    casework.claim(request.reference, anna)  # "now being handled" notice
    casework.reply(request.reference, anna, "Ihr Termin ist am Montag.", "Monday.", "en", True)

    first = office_messages.updates(WEB, 0)
    again = office_messages.updates(WEB, first.last)

    assert len(first.messages) == 2
    assert "Monday." in first.messages[-1]["text"]
    assert first.last == first.messages[-1]["id"]
    assert again.messages == [] and again.last == first.last
    assert office_messages.updates("web-" + "b" * 32, 0).messages == [], "only their own"
    deliveries = {e.kind: e.delivery for e in casework.case(request.reference).entries}
    assert deliveries["reply"] == "sent" and deliveries["notice"] == "sent"


def test_the_web_chat_history_shows_the_office_part_of_the_conversation(
    store, casework, relay, anna, office_messages
) -> None:
    request = request_of(store, WEB, "en")
    casework.claim(request.reference, anna)
    relay.receive(WEB, "When is it?")
    casework.reply(request.reference, anna, "Am Montag.", "On Monday.", "en", True)
    relay.receive(WEB, BACK_TO_ASSISTANT)

    shown, last = office_messages.history(WEB)

    assert [(m["sender"], m["text"].split("\n\n")[-1]) for m in shown] == [
        ("bot", catalogue_text("office.status.in_progress", "en", reference=request.reference)),
        ("user", "When is it?"),
        ("bot", catalogue_text("relay.passed_on", "en", reference=request.reference)),
        ("bot", "On Monday."),
        ("user", catalogue_text("relay.back_button", "en")),
        ("bot", catalogue_text("relay.back", "en", reference=request.reference)),
    ]
    assert last == max(m["id"] for m in shown if "id" in m)
    # Shown now: nothing is left for the widget to fetch, or for an e-mail.
    assert office_messages.updates(WEB, last).messages == []
    assert all(e.delivery in (None, "sent") for e in casework.case(request.reference).entries)
