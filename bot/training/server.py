"""Asking the running Rasa server to serve another model (its door: bot/channels/model_swap.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from bot.settings import Settings

#: Loading this project's model takes 10-20 s on 2 cores; a slow machine gets more.
SWAP_TIMEOUT_SECONDS = 300


class SwapError(RuntimeError):
    """The Rasa server did not swap; the message says why (German, for staff)."""


def _url(settings: Settings, route: str) -> str:
    host = settings.rasa_interface
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.rasa_port}/webhooks/model/{route}"


def _call(settings: Settings, route: str, body: dict | None, timeout: float) -> dict[str, Any]:
    if not settings.model_swap_token:
        raise SwapError(
            "Kein WELCOME_MODEL_SWAP_TOKEN: Der laufende Assistent kann nicht umschalten."
        )
    request = urllib.request.Request(
        _url(settings, route),
        data=None if body is None else json.dumps(body).encode("utf-8"),
        headers={
            "Authorization": f"Bearer {settings.model_swap_token}",
            "Content-Type": "application/json",
        },
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as refused:
        try:
            reason = json.loads(refused.read().decode("utf-8"))["error"]
        except (ValueError, KeyError, TypeError, OSError):
            reason = f"HTTP {refused.code}"
        raise SwapError(f"Der Rasa-Server hat das Umschalten abgelehnt: {reason}") from None
    except (urllib.error.URLError, OSError) as problem:
        raise SwapError(f"Der Rasa-Server ist nicht erreichbar ({problem}).") from None


def request_swap(
    settings: Settings, model_file: str, timeout: float = SWAP_TIMEOUT_SECONDS
) -> dict:
    """Have the running server load ``model_file`` (in the model folder) and serve it."""
    return _call(settings, "swap", {"model": model_file}, timeout)


def served_model(settings: Settings, timeout: float = 10) -> dict:
    """The running server's model file and id, and its last swap."""
    return _call(settings, "status", None, timeout)
