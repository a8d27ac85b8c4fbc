"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

``with SmtpServer() as server:`` starts it on a free port (or on ``SmtpServer(port)``);
``server.messages`` holds the parsed e-mails (``email.message.EmailMessage``) with the envelope
(``mail_from``, ``rcpt_tos``). ``refuse(address)`` makes it answer
``550`` to that recipient, ``defer(address)`` answers ``451`` (greylisting).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.tls import Certificate

T = TypeVar("T")


def free_port() -> int:
    """A port nobody listens on right now (also: a server that refuses connections)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802, ANN001
        if address in self.server.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.server.deferred:
            return f"451 4.7.1 <{address}>: Recipient address rejected: greylisted"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802, ANN001
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        with self.server.lock:
            self.server.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(
        self,
        port: int = 0,
        *,
        certificate: Certificate | None = None,
        implicit_tls: bool = False,
        login: tuple[str, str] | None = None,
    ) -> None:
        """``certificate``: offer STARTTLS (and require it), or with ``implicit_tls`` speak
        TLS from the first byte; ``login``: require AUTH with this user and password."""
        self.certificate = certificate
        self.implicit_tls = implicit_tls
        self.login = login
        self.logins: list[str] = []
        self.messages: list[Received] = []
        self.refused: set[str] = set()
        self.deferred: set[str] = set()
        self.lock = threading.Lock()
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.port = self.port or free_port()
        options: dict[str, Any] = {}
        if self.certificate is not None and self.implicit_tls:
            options["ssl_context"] = self.certificate.server_context()
        elif self.certificate is not None:
            options["tls_context"] = self.certificate.server_context()
            options["require_starttls"] = True
        if self.login is not None:
            options["authenticator"] = self._authenticate
            options["auth_required"] = True
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **options
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
        accepted = (
            isinstance(auth_data, LoginPassword)
            and (
                user,
                auth_data.password.decode(),
            )
            == self.login
        )
        if accepted:
            self.logins.append(user)
        return AuthResult(success=accepted, handled=False)

    def refuse(self, address: str) -> None:
        self.refused.add(address)

    def defer(self, address: str) -> None:
        self.deferred.add(address)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [received for received in self.messages if address in received.rcpt_tos]

    def wait_for(
        self, condition: Callable[[], T], timeout: float = 20.0, what: str = "condition"
    ) -> T:
        """Wait until ``condition()`` is truthy and return it (a wait, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while not (value := condition()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)
        return value
