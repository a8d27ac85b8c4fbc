"""The REST channel, closed by default: for ``welcome chat``, the tests and the load benchmark.

Registered in ``config/credentials.yml`` as ``bot.channels.rest.RestInput:`` instead
of Rasa's ``rest:``. Rasa's channel takes any ``sender``; on the port that also
serves the web chat and the Telegram webhook, anyone could continue another
person's conversation with it (see a request's summary, book or delete in
their name). This one:

- is off unless ``WELCOME_REST_CHANNEL`` is on (404 otherwise);
- when on, lets a request in only if it carries ``Authorization: Bearer
  <WELCOME_REST_TOKEN>``, when a token is set (wherever it comes from, loopback
  included); without a token, only a program on this machine: a direct
  loopback connection without proxy headers (``Forwarded``, ``X-Forwarded-*``,
  ``X-Real-IP``, ``Via``) and without a browser's ``Origin`` (a web page the
  user has open must not drive it). A reverse proxy on this host that adds no
  such header makes every request look local: set a token there;
- accepts only conversation ids of its own namespace (:mod:`bot.senders`):
  ``tg-…`` and ``web-…`` belong to Telegram and the web chat and are refused;
- records every message as coming from ``rest`` (Rasa's lets the body name any
  ``input_channel``) and keeps only ``metadata.language_hint``.

Routes (under ``/webhooks/rest``): ``GET /`` health, ``POST /webhook``
``{"sender", "message", "metadata": {"language_hint"}}`` -> the bot's messages
(``?stream=true`` streams them as Rasa's channel does).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import senders
from bot.channels.http import BadRequest, error, json_body, parse_metadata
from bot.channels.relay_gate import handled_by_office
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

#: Headers a proxy adds: a request carrying one did not come from a program on this machine.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto")
PROXY_HEADERS += ("x-real-ip", "via")
#: Longer ids are refused; the characters keep ids readable in logs and tables.
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
#: The tests send 10,000-character messages on purpose; nothing needs more than this.
MAX_BODY_BYTES = 64 * 1024

OFF = "The REST channel is off (WELCOME_REST_CHANNEL)."


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def refusal(token: str | None, peer: str, headers: Mapping[str, str]) -> tuple[int, str] | None:
    """Why a request may not use the channel (HTTP status and message); ``None``: it may.

    ``headers`` must be case-insensitive (Sanic's are).
    """
    if token:
        given = headers.get("authorization") or ""
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode("utf-8"), token.encode("utf-8")
        ):
            return 401, "The REST channel needs its token (Authorization: Bearer …)."
        return None
    if not is_loopback(peer):
        return 403, "Without WELCOME_REST_TOKEN the REST channel answers only this machine."
    if any(headers.get(name) for name in PROXY_HEADERS):
        return 403, "Requests through a proxy need WELCOME_REST_TOKEN."
    if headers.get("origin"):
        return 403, "Web pages may not use the REST channel."
    return None


def parse_sender(body: dict[str, Any]) -> str:
    sender = body.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise BadRequest(
            '"sender" must be 1-128 letters, digits and _ . : @ - (first a letter or digit).'
        )
    return sender


def parse_message(body: dict[str, Any]) -> str:
    # Unlike the web chat, empty and very long texts pass: the tests check the answers to them.
    message = body.get("message", "")
    if not isinstance(message, str):
        raise BadRequest('"message" must be a text.')
    return message


class RestInput(RasaRestInput):
    """Rasa's REST channel behind the rules of the module docstring."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls(get_settings())

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.enabled = settings.rest_channel
        self.token = settings.rest_token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("welcome_rest", __name__)

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            if not self.enabled:
                return error(404, OFF)
            refused = refusal(self.token, request.ip, request.headers)
            if refused is not None:
                status, message = refused
                logger.warning("REST channel: request from %s refused (%d)", request.ip, status)
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return error(status, message, headers)
            try:
                body = json_body(request, MAX_BODY_BYTES)
                sender = parse_sender(body)
                text = parse_message(body)
                metadata = parse_metadata(body)
            except BadRequest as bad:
                return error(400, str(bad))
            channel = senders.channel_of(sender)
            if channel != senders.REST:
                logger.warning("REST channel: refused a message for a %s conversation", channel)
                return error(403, f'"sender" is a {channel} conversation; REST may not use it.')
            collector = CollectingOutputChannel()
            if await handled_by_office(sender, text, collector):
                # A coordinator holds the conversation: the office has the message.
                return response.json(collector.messages)
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, sender, self.name(), metadata),
                    content_type="text/event-stream",
                )
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
            except asyncio.CancelledError:
                logger.error("REST channel: no answer in time for a message (%d chars)", len(text))
            except Exception:  # noqa: BLE001 - the client gets what was collected
                logger.exception("REST channel: handling a message failed")
            return response.json(collector.messages)

        return rest
