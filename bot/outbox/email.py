"""E-mail's side of the outbox: the payload and an SMTP sender for :class:`DeliveryWorker`.

Outbox rows of channel ``email`` carry ``{"subject", "body"}`` (plain text,
UTF-8; optionally ``reply_to``), the recipient is the address. The office
sends e-mail for staff notifications and for replies the chat cannot deliver.

SMTP is the standard library's :mod:`smtplib`, run in a worker thread so the
event loop keeps going while a server is slow. One connection per message:
the office sends a handful an hour, and a fresh connection never trips over
a server that closed an idle one.

Nothing here logs or stores a subject, a body or the server's reply text
(a refusal often quotes the address); errors say the SMTP code and what failed.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

from bot.outbox.delivery import PermanentFailure, RetryLater
from bot.outbox.store import EMAIL_CHANNEL
from bot.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = EMAIL_CHANNEL

#: Port of SMTP over TLS from the first byte (SMTPS); any other port speaks plain SMTP first.
IMPLICIT_TLS_PORT = 465
#: How long connecting and each SMTP command may take before the message is retried later.
TIMEOUT_SECONDS = 30.0


def email_payload(subject: str, body: str, reply_to: str | None = None) -> dict[str, Any]:
    """An outbox payload for one e-mail."""
    payload: dict[str, Any] = {"subject": subject, "body": body}
    if reply_to:
        payload["reply_to"] = reply_to
    return payload


def is_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


class SmtpSender:
    """Sends one outbox payload as an e-mail; says what a failure means for the outbox.

    ``RetryLater``: the server cannot be reached, times out, or answers 4xx
    (greylisting, a full queue), and mistakes of the operator (login refused,
    no STARTTLS): the message waits until they are fixed. ``PermanentFailure``:
    the server refuses the recipient or the message with 5xx, or the payload
    or address cannot be an e-mail at all.
    """

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        implicit_tls: bool | None = None,
        timeout: float = TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``implicit_tls``: TLS from the first byte (SMTPS); by default on port 465 only.
        ``ssl_context``: whom to trust (default: the system's certificate authorities)."""
        self.host = host
        self.port = port
        self.sender = sender
        self._user = user
        self._password = password
        self._starttls = starttls
        self.implicit_tls = port == IMPLICIT_TLS_PORT if implicit_tls is None else implicit_tls
        self._timeout = timeout
        self._ssl_context = ssl_context

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        if not settings.smtp_host:
            raise ValueError("WELCOME_SMTP_HOST is not set")
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    async def __call__(self, recipient: str, payload: dict[str, Any]) -> None:
        message = self.message(recipient, payload)
        await asyncio.to_thread(self._deliver, recipient, message)

    # -- the message ------------------------------------------------------------------

    def message(self, recipient: str, payload: dict[str, Any]) -> EmailMessage:
        """The e-mail for ``payload`` (raises :class:`PermanentFailure` if it cannot be one)."""
        subject, body = payload.get("subject"), payload.get("body")
        if not isinstance(subject, str) or not isinstance(body, str):
            raise PermanentFailure("payload without subject or body")
        if not _plausible_address(recipient):
            raise PermanentFailure("recipient is not an e-mail address")
        message = EmailMessage(policy=SMTP_POLICY)
        try:
            message["From"] = self.sender
            message["To"] = recipient
            message["Subject"] = " ".join(subject.split())
            message["Date"] = email.utils.formatdate(localtime=False)
            message["Message-ID"] = email.utils.make_msgid(domain=_domain(self.sender))
            reply_to = payload.get("reply_to")
            if reply_to:
                if not _plausible_address(str(reply_to)):
                    raise PermanentFailure("reply_to is not an e-mail address")
                message["Reply-To"] = str(reply_to)
            message.set_content(body, charset="utf-8")
        except (ValueError, TypeError) as exc:  # a header with a line break, …
            raise PermanentFailure(f"cannot build the e-mail ({type(exc).__name__})") from None
        return message

    # -- SMTP (in a worker thread) ----------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self._timeout, context=self._tls_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self._timeout)

    def _tls_context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _deliver(self, recipient: str, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self._starttls and not self.implicit_tls:
                    smtp.starttls(context=self._tls_context())
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(message, from_addr=_address(self.sender), to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            raise _by_code(codes[0] if codes else 0, "recipient refused") from None
        except smtplib.SMTPSenderRefused as exc:
            logger.error("The SMTP server refuses the sender address; check WELCOME_SMTP_FROM")
            raise RetryLater(f"{exc.smtp_code} sender refused") from None
        except smtplib.SMTPAuthenticationError as exc:
            logger.error("The SMTP server refuses the login; check WELCOME_SMTP_USER/PASSWORD")
            raise RetryLater(f"{exc.smtp_code} login refused") from None
        except smtplib.SMTPNotSupportedError:
            logger.error(
                "The SMTP server offers no STARTTLS (or no login); "
                "WELCOME_SMTP_STARTTLS=off only for a relay on the same host"
            )
            raise RetryLater("STARTTLS or AUTH not supported") from None
        except smtplib.SMTPDataError as exc:
            raise _by_code(exc.smtp_code, "message refused") from None
        except smtplib.SMTPServerDisconnected:
            raise RetryLater("connection closed by the SMTP server") from None
        except smtplib.SMTPResponseException as exc:  # HELO, MAIL, … answered with an error
            raise RetryLater(f"{exc.smtp_code} SMTP error") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            # Refused or dropped connections, timeouts, DNS, TLS handshakes.
            raise RetryLater(_describe_os_error(exc)) from None


def make_sender(settings: Settings) -> SmtpSender | None:
    """The SMTP sender, or ``None`` (logged once at WARNING) when e-mail is not configured."""
    if not is_configured(settings):
        _warn_once(
            "E-mail is not configured (WELCOME_SMTP_HOST is empty): "
            "e-mails wait in the outbox until it is"
        )
        return None
    return SmtpSender.from_settings(settings)


_warned: set[str] = set()


def _warn_once(text: str) -> None:
    if text not in _warned:
        _warned.add(text)
        logger.warning(text)


def _by_code(code: int, what: str) -> RetryLater | PermanentFailure:
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {what}")
    return RetryLater(f"{code} {what}")


def _describe_os_error(exc: BaseException) -> str:
    # OSError's text names errno and reason (never the message); others: the type is enough.
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


def _address(header_value: str) -> str:
    return email.utils.parseaddr(header_value)[1] or header_value


def _domain(header_value: str) -> str | None:
    address = _address(header_value)
    return address.rpartition("@")[2] or None


def _plausible_address(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(
        at and local and domain and not any(char.isspace() or char in "<>,;" for char in value)
    )
