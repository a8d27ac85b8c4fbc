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
    def __init__(self, port: int = 0) -> None:
        self.messages: list[Received] = []
        self.refused: set[str] = set()
        self.deferred: set[str] = set()
        self.lock = threading.Lock()
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.port = self.port or free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
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
