"""E-mail through the outbox: the delivery worker and the SMTP sender against a real
SMTP server on 127.0.0.1 (aiosmtpd, tests/helpers/smtp.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

import bot.outbox.email as email_module
from bot.outbox import FAILED, PENDING, SENT, DeliveryWorker, Outbox
from bot.outbox.email import CHANNEL, SmtpSender, email_payload, make_sender
from bot.outbox.store import utcnow
from bot.settings import load_settings
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database
from tests.helpers.smtp import SmtpServer, free_port
from tests.helpers.tls import Certificate, self_signed

FROM = "Koordinierungsstelle Integration <integration@lrabb.example>"
AMAL = "amal@example.org"
ARABIC = "مرحبا أمل، موعدك مع المترجمة يوم الثلاثاء الساعة العاشرة."


@pytest.fixture(params=database_backends())
def outbox(request: pytest.FixtureRequest, tmp_path) -> Iterator[Outbox]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        box = Outbox(url)
        box.migrate()
        yield box
        box.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def sender(port: int) -> SmtpSender:
    return SmtpSender("127.0.0.1", port, sender=FROM, starttls=False, timeout=5.0)


def worker(outbox: Outbox, port: int) -> DeliveryWorker:
    return DeliveryWorker(
        outbox, CHANNEL, sender(port), retry_base_seconds=0.05, retry_max_seconds=0.5
    )


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Our log records (the test SMTP server logs every address it sees)."""
    return [record for record in caplog.records if record.name.startswith("bot.")]


def statuses(outbox: Outbox, recipient: str) -> list[str]:
    return [row["status"] for row in outbox.items(CHANNEL, recipient)]


async def test_a_queued_email_arrives_with_subject_sender_and_utf8_body(outbox, smtp) -> None:
    outbox.enqueue(
        CHANNEL,
        AMAL,
        [email_payload("Antwort zu WL-ABC123 – Dolmetschen", ARABIC, "team@lrabb.example")],
    )

    sent = await worker(outbox, smtp.port).deliver_pending()

    assert sent == 1
    [received] = smtp.to(AMAL)
    assert received.rcpt_tos == [AMAL]
    assert received.mail_from == "integration@lrabb.example"
    assert received.message["From"] == FROM
    assert received.message["To"] == AMAL
    assert received.message["Subject"] == "Antwort zu WL-ABC123 – Dolmetschen"
    assert received.message["Reply-To"] == "team@lrabb.example"
    assert received.message.get_content_charset() == "utf-8"
    assert received.body.strip() == ARABIC
    assert statuses(outbox, AMAL) == [SENT]
    # A sent row keeps no text.
    assert outbox.items(CHANNEL, AMAL)[0]["payload"] == {}


async def test_a_refused_connection_keeps_the_email_for_later(outbox, caplog) -> None:
    outbox.enqueue(CHANNEL, AMAL, [email_payload("Betreff geheim", ARABIC)])
    caplog.set_level(logging.INFO)

    sent = await worker(outbox, free_port()).deliver_pending()

    assert sent == 0
    [row] = outbox.items(CHANNEL, AMAL)
    assert row["status"] == PENDING
    assert row["attempts"] == 1
    assert row["payload"]["body"] == ARABIC  # still there for the next try
    assert "Connection" in row["last_error"]
    logged = " ".join(record.getMessage() for record in ours(caplog))
    assert "geheim" not in logged and ARABIC not in logged


async def test_the_email_goes_out_once_the_server_is_back(outbox) -> None:
    port = free_port()
    outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])
    box_worker = worker(outbox, port)
    await box_worker.deliver_pending()
    assert statuses(outbox, AMAL) == [PENDING]

    with SmtpServer(port) as server:
        outbox.mark_retry(outbox.items(CHANNEL, AMAL)[0]["id"], utcnow(), "test: due now")
        assert await box_worker.deliver_pending() == 1
    assert [received.body.strip() for received in server.to(AMAL)] == ["Hallo"]
    assert statuses(outbox, AMAL) == [SENT]


async def test_a_refused_recipient_fails_and_the_next_email_goes_on(outbox, smtp, caplog) -> None:
    gone = "niemand@example.org"
    smtp.refuse(gone)
    outbox.enqueue(CHANNEL, gone, [email_payload("Erste", "eins"), email_payload("Zweite", "zwei")])
    outbox.enqueue(CHANNEL, AMAL, [email_payload("Für Amal", "drei")])
    caplog.set_level(logging.INFO)

    await worker(outbox, smtp.port).deliver_pending()

    rows = outbox.items(CHANNEL, gone)
    assert [row["status"] for row in rows] == [FAILED, FAILED]
    assert rows[0]["last_error"] == "550 recipient refused"
    assert rows[0]["payload"] == {}
    assert statuses(outbox, AMAL) == [SENT]
    # The server's reply quotes the address; our log does not.
    assert not [record for record in ours(caplog) if gone in record.getMessage()]


async def test_a_greylisted_recipient_is_tried_again(outbox, smtp) -> None:
    smtp.defer(AMAL)
    outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])
    box_worker = worker(outbox, smtp.port)

    await box_worker.deliver_pending()
    [row] = outbox.items(CHANNEL, AMAL)
    assert (row["status"], row["last_error"]) == (PENDING, "451 recipient refused")

    smtp.deferred.clear()
    outbox.mark_retry(row["id"], utcnow(), "test: due now")
    assert await box_worker.deliver_pending() == 1
    assert len(smtp.to(AMAL)) == 1


async def test_a_payload_that_cannot_be_an_email_fails_for_good(outbox, smtp) -> None:
    outbox.enqueue(CHANNEL, "not an address", [email_payload("Antwort", "Hallo")])
    outbox.enqueue(CHANNEL, AMAL, [{"text": "a Telegram payload by mistake"}])

    await worker(outbox, smtp.port).deliver_pending()

    assert statuses(outbox, "not an address") == [FAILED]
    assert statuses(outbox, AMAL) == [FAILED]
    assert smtp.messages == []


def test_without_smtp_host_email_is_off_and_said_once(caplog) -> None:
    settings = load_settings({"WELCOME_SMTP_HOST": ""})
    caplog.set_level(logging.WARNING, logger="bot.outbox.email")
    email_module._warned.clear()

    assert make_sender(settings) is None
    assert make_sender(settings) is None

    warnings = [record for record in caplog.records if "not configured" in record.getMessage()]
    assert len(warnings) == 1


def test_the_sender_follows_the_settings() -> None:
    settings = load_settings(
        {
            "WELCOME_SMTP_HOST": "smtp.lrabb.example",
            "WELCOME_SMTP_PORT": "2525",
            "WELCOME_SMTP_FROM": FROM,
            "WELCOME_SMTP_STARTTLS": "off",
        }
    )
    smtp_sender = make_sender(settings)
    assert smtp_sender is not None
    assert (smtp_sender.host, smtp_sender.port, smtp_sender.sender) == (
        "smtp.lrabb.example",
        2525,
        FROM,
    )
    assert not smtp_sender.implicit_tls
    port_465 = load_settings({"WELCOME_SMTP_HOST": "smtp.example", "WELCOME_SMTP_PORT": "465"})
    assert make_sender(port_465).implicit_tls


async def test_starttls_required_but_not_offered_keeps_the_email(outbox, smtp, caplog) -> None:
    outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])
    tls_sender = SmtpSender("127.0.0.1", smtp.port, sender=FROM, starttls=True, timeout=5.0)

    await DeliveryWorker(outbox, CHANNEL, tls_sender).deliver_pending()

    # Never sent in clear text when TLS was asked for; the operator is told why.
    assert smtp.messages == []
    assert statuses(outbox, AMAL) == [PENDING]
    assert any("STARTTLS" in record.getMessage() for record in ours(caplog))


# -- TLS and login, as with a real mail server ------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


async def test_starttls_and_login_before_sending(outbox, certificate) -> None:
    with SmtpServer(certificate=certificate, login=("lotse", "geheim 123")) as server:
        tls_sender = SmtpSender(
            "127.0.0.1",
            server.port,
            sender=FROM,
            user="lotse",
            password="geheim 123",
            starttls=True,
            timeout=5.0,
            ssl_context=certificate.client_context(),
        )
        outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", ARABIC)])

        assert await DeliveryWorker(outbox, CHANNEL, tls_sender).deliver_pending() == 1

    assert server.logins == ["lotse"]
    assert [received.body.strip() for received in server.to(AMAL)] == [ARABIC]


async def test_a_refused_login_keeps_the_email(outbox, certificate, caplog) -> None:
    with SmtpServer(certificate=certificate, login=("lotse", "richtig")) as server:
        tls_sender = SmtpSender(
            "127.0.0.1",
            server.port,
            sender=FROM,
            user="lotse",
            password="falsch",
            timeout=5.0,
            ssl_context=certificate.client_context(),
        )
        outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])

        await DeliveryWorker(outbox, CHANNEL, tls_sender).deliver_pending()

    assert statuses(outbox, AMAL) == [PENDING]
    assert outbox.items(CHANNEL, AMAL)[0]["last_error"] == "535 login refused"
    assert any("WELCOME_SMTP_USER" in record.getMessage() for record in ours(caplog))
    assert not any("falsch" in record.getMessage() for record in ours(caplog))


async def test_smtps_on_port_465_speaks_tls_from_the_start(outbox, certificate) -> None:
    with SmtpServer(certificate=certificate, implicit_tls=True) as server:
        smtps_sender = SmtpSender(
            "127.0.0.1",
            server.port,
            sender=FROM,
            implicit_tls=True,  # as on port 465
            timeout=5.0,
            ssl_context=certificate.client_context(),
        )
        outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])

        assert await DeliveryWorker(outbox, CHANNEL, smtps_sender).deliver_pending() == 1

    assert len(server.to(AMAL)) == 1


async def test_an_untrusted_certificate_is_never_sent_to(outbox, certificate) -> None:
    with SmtpServer(certificate=certificate) as server:
        # The system's trust store: the test's self-signed certificate is not in it.
        strict = SmtpSender("127.0.0.1", server.port, sender=FROM, timeout=5.0)
        outbox.enqueue(CHANNEL, AMAL, [email_payload("Antwort", "Hallo")])

        assert await DeliveryWorker(outbox, CHANNEL, strict).deliver_pending() == 0

    assert server.messages == []
    assert statuses(outbox, AMAL) == [PENDING]
