"""The office process's background jobs, started and stopped as ``welcome office`` does:
e-mail through a real SMTP server, staff notices to the fake Telegram Bot API, periodic jobs."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from bot.casework.notify import STAFF_TELEGRAM, notify_new_request
from bot.office.jobs import OfficeJobs, start_background_jobs
from bot.outbox import PENDING, SENT, Outbox
from bot.outbox.email import CHANNEL as EMAIL
from bot.outbox.email import email_payload
from bot.settings import Settings
from bot.store import RequestStore
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.smtp import SmtpServer
from tests.office.conftest import office_settings

STAFF_CHAT = -100777
STAFF_TOKEN = "777777:STAFF-fake-token"
AMAL = "amal@example.org"
FAST = {"retry_base_seconds": 0.05, "retry_max_seconds": 0.5, "poll_seconds": 0.2}


def wait_for(condition, timeout: float = 20.0, what: str = "condition"):
    """Wait until ``condition()`` holds (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(STAFF_TOKEN) as server:
        yield server


@pytest.fixture
def outbox(database_url: str) -> Iterator[Outbox]:
    box = Outbox(database_url)
    yield box
    box.close()


def mail_settings(tmp_path, database_url: str, smtp: SmtpServer, **environ: str) -> Settings:
    return office_settings(
        tmp_path,
        database_url,
        WELCOME_SMTP_HOST="127.0.0.1",
        WELCOME_SMTP_PORT=str(smtp.port),
        WELCOME_SMTP_FROM="Koordinierungsstelle <integration@lrabb.example>",
        WELCOME_SMTP_STARTTLS="off",
        **environ,
    )


def test_started_jobs_deliver_a_queued_email_and_stop(tmp_path, database_url, smtp, outbox):
    outbox.enqueue(EMAIL, AMAL, [email_payload("Antwort zu WL-ABC123", "مرحبا أمل")])

    jobs = start_background_jobs(mail_settings(tmp_path, database_url, smtp), **FAST)
    try:
        [received] = smtp.wait_for(lambda: smtp.to(AMAL), what="the e-mail")
    finally:
        jobs.stop()

    assert received.message["Subject"] == "Antwort zu WL-ABC123"
    assert received.body.strip() == "مرحبا أمل"
    assert not jobs.running
    assert not [t for t in threading.enumerate() if t.name == "office-jobs"]
    assert outbox.counts(EMAIL)[SENT] == 1


def test_an_email_written_while_running_goes_out_when_woken(
    tmp_path, database_url, smtp, outbox
) -> None:
    # A long poll: only the wake makes it go out quickly.
    with OfficeJobs(mail_settings(tmp_path, database_url, smtp), poll_seconds=300) as jobs:
        wait_for(lambda: jobs.jobs["unclaimed-alert"].runs >= 1, what="the first round")
        outbox.enqueue(EMAIL, AMAL, [email_payload("Antwort", "Hallo")])
        jobs.wake(EMAIL)
        smtp.wait_for(lambda: smtp.to(AMAL), what="the e-mail")


def test_without_smtp_host_emails_wait_in_the_outbox(tmp_path, database_url, outbox) -> None:
    outbox.enqueue(EMAIL, AMAL, [email_payload("Antwort", "Hallo")])

    with OfficeJobs(office_settings(tmp_path, database_url), **FAST) as jobs:
        assert EMAIL not in jobs.workers and STAFF_TELEGRAM not in jobs.workers
        wait_for(lambda: jobs.jobs["unclaimed-alert"].runs >= 1, what="the first round")

    assert [row["status"] for row in outbox.items(EMAIL)] == [PENDING]


def test_staff_notices_reach_the_staff_group(tmp_path, database_url, fake) -> None:
    settings = office_settings(
        tmp_path,
        database_url,
        WELCOME_STAFF_TELEGRAM_BOT_TOKEN=STAFF_TOKEN,
        WELCOME_STAFF_TELEGRAM_CHAT_ID=str(STAFF_CHAT),
        TELEGRAM_API_BASE_URL=fake.base_url,
        WELCOME_UNCLAIMED_ALERT_MINUTES="1",
    )
    with RequestStore(database_url) as store:
        request = store.save_request(
            sender_id="telegram:4242",
            channel="telegram",
            category="internship",
            language="tr",
            fields={"contact": "0151 2345678"},
            excerpt=[{"role": "user", "text": "Staj arıyorum"}],
        )
    notify_new_request(request.reference, request.category, settings)

    with OfficeJobs(settings, **FAST) as jobs:
        [text] = fake.wait_for(lambda: fake.texts(STAFF_CHAT), what="the staff notice")
        # The alert job with an injected time: the request waits longer than a minute.
        later = request.created_at + dt.timedelta(minutes=2)
        jobs.every(3600, "unclaimed-alert", lambda: jobs.notifier.alert_unclaimed(later))
        texts = fake.wait_for(lambda: fake.texts(STAFF_CHAT)[1:], what="the unclaimed alert")

    assert text.startswith(f"Neue Anfrage {request.reference} – Praktikum")
    assert texts == [
        f"Anfrage {request.reference} – Praktikum hat seit über einer Minute niemand "
        f"übernommen.\nZur Anfrage in der Koordinierungsstelle: "
        f"{settings.office_url}/anfragen/{request.reference}"
    ]
    for sent in [text, *texts]:
        assert "0151" not in sent and "Staj" not in sent and "4242" not in sent


def test_a_failing_job_is_logged_and_runs_again_while_others_go_on(
    tmp_path, database_url, caplog
) -> None:
    calls = {"broken": 0, "healthy": 0}

    def broken() -> None:
        calls["broken"] += 1
        raise ValueError("Amal Haddad, 0151 2345678")  # an error quoting a newcomer

    async def healthy() -> None:
        calls["healthy"] += 1

    caplog.set_level(logging.INFO, logger="bot.office.jobs")
    jobs = OfficeJobs(office_settings(tmp_path, database_url), **FAST)
    jobs.every(0.05, "broken", broken)
    jobs.every(0.05, "healthy", healthy)
    with jobs:
        wait_for(lambda: calls["broken"] >= 3 and calls["healthy"] >= 3, what="three rounds")

    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert failures and all(m == "Office job broken failed (ValueError)" for m in failures)
    assert "Amal" not in caplog.text
    assert jobs.jobs["broken"].failures >= 3
