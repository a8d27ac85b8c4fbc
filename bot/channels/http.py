"""Reading the JSON requests of the web chat and REST channels (no Rasa here)."""

from __future__ import annotations

import json
import re
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


class BadRequest(ValueError):
    """A request the client got wrong; the message says how."""


def error(status: int, message: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)


def json_body(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request's JSON object; bodies above ``max_bytes`` are refused before parsing."""
    if len(request.body or b"") > max_bytes:
        raise BadRequest(f"The request is too large (at most {max_bytes} bytes).")
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body must be JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def parse_metadata(body: dict[str, Any]) -> dict[str, Any]:
    """Only the keys the assistant uses; anything else is dropped, not stored."""
    metadata = body.get("metadata")
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object.')
    hint = metadata.get("language_hint")
    if hint is None or hint == "":
        return {}
    if not isinstance(hint, str) or not _LANGUAGE_TAG.match(hint):
        raise BadRequest('"metadata.language_hint" must be a language tag such as "ar" or "fa-AF".')
    return {"language_hint": hint}
