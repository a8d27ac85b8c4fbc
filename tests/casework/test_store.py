"""The office's operations on a request, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from bot.casework.store import CaseError, Casework, QueueFilter
from bot.store import RequestStore


def interpreter_request(store: RequestStore, sender: str = "tg-4242", language: str = "ar"):
    return store.save_request(
        sender_id=sender,
        channel=sender.split("-")[0] if "-" in sender else "rest",
        category="interpreter",
        language=language,
        fields={"municipality": "Sindelfingen", "contact": "+4915123456789"},
        excerpt=[
            {"role": "user", "text": "أحتاج مترجما", "text_de": "Ich brauche einen Dolmetscher"}
        ],
    )


def outbox_texts(url: str, recipient: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT payload FROM outbox WHERE recipient = :r ORDER BY id"),
                {"r": recipient},
            )
            import json

            return [(json.loads(p) if isinstance(p, str) else p)["text"] for (p,) in rows]
    finally:
        engine.dispose()


def test_many_parallel_claims_leave_exactly_one_owner(store, casework, add_staff, database_url):
    request = interpreter_request(store)
    staff = [add_staff(f"Koordinatorin {n}") for n in range(12)]
    barrier = threading.Barrier(len(staff))
    results: dict[int, bool] = {}

    def claim(member) -> None:
        work = Casework(database_url)
        try:
            barrier.wait()
            results[member.id] = work.claim(request.reference, member)
        finally:
            work.close()

    threads = [threading.Thread(target=claim, args=(member,)) for member in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [member_id for member_id, won in results.items() if won]
    assert len(results) == len(staff)
    assert len(winners) == 1
    case = casework.case(request.reference)
    assert case.assignee_id == winners[0]
    assert case.status == "in_progress"
    assert [entry.kind for entry in case.entries].count("claimed") == 1
    # The newcomer hears once that someone works on it, in Arabic.
    assert len(outbox_texts(database_url, "4242")) == 1


def test_reply_is_stored_in_both_languages_and_queued_for_telegram(
    store, casework, add_staff, database_url
):
    request = interpreter_request(store)
    anna = add_staff("Anna Berger")
    casework.claim(request.reference, anna)

    entry = casework.reply(
        request.reference, anna, "Ihr Termin ist bestätigt.", "موعدك مؤكد.", "ar", True
    )

    assert entry.text == "Ihr Termin ist bestätigt."
    assert "موعدك مؤكد." in entry.text_translated
    assert entry.delivery == "pending"
    texts = outbox_texts(database_url, "4242")
    assert "موعدك مؤكد." in texts[-1] and request.reference in texts[-1]
    case = casework.case(request.reference)
    assert case.first_reply_at is not None and case.held


def test_a_reply_without_translation_says_so_in_the_newcomers_language(
    store, casework, add_staff, database_url
):
    request = interpreter_request(store, language="uk")
    anna = add_staff("Anna Berger")

    casework.reply(
        request.reference, anna, "Bitte rufen Sie uns an.", "Bitte rufen Sie uns an.", "de", False
    )

    sent = outbox_texts(database_url, "4242")[-1]
    assert "Bitte rufen Sie uns an." in sent
    assert "німецькою" in sent  # "(... in German, because it could not be translated)"


def test_notes_never_reach_the_newcomer(store, casework, add_staff, database_url):
    request = interpreter_request(store)
    anna = add_staff("Anna Berger")
    casework.note(request.reference, anna, "Rückruf am Montag, Familie kennt Frau K.")
    assert outbox_texts(database_url, "4242") == []
    assert casework.case(request.reference).entries[-1].kind == "note"


def test_closing_tells_the_newcomer_and_ends_the_hold(store, casework, add_staff, database_url):
    request = interpreter_request(store)
    anna = add_staff("Anna Berger")
    casework.claim(request.reference, anna)
    casework.set_status(request.reference, anna, "done")
    case = casework.case(request.reference)
    assert case.status == "done" and not case.held and case.closed_at is not None
    assert request.reference in outbox_texts(database_url, "4242")[-1]
    with pytest.raises(CaseError):
        casework.reply(request.reference, anna, "Noch etwas", "x", "ar", True)


def test_queue_filters_and_odd_values(store, casework, add_staff):
    first = interpreter_request(store)
    interpreter_request(store, sender="web-" + "a" * 32, language="uk")
    anna = add_staff("Anna Berger")
    casework.claim(first.reference, anna)

    mine = casework.queue(QueueFilter(holder="mine"), anna.id)
    assert [row.reference for row in mine.rows] == [first.reference]
    unclaimed = casework.queue(QueueFilter(holder="unclaimed"), anna.id)
    assert len(unclaimed.rows) == 1 and unclaimed.rows[0].language == "uk"
    odd = QueueFilter.from_args(
        {"status": "'; DROP TABLE handoff_requests; --", "page": "x", "reference": "%_"}
    )
    assert odd.status is None and odd.page == 1
    assert casework.queue(odd, anna.id).total == 0
    assert casework.queue(QueueFilter(town="Sindelfingen"), None).total == 2
