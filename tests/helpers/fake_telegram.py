"""A fake Telegram Bot API server on 127.0.0.1 for tests.

A real HTTP server in a thread, so python-telegram-bot's real HTTP path runs
(``base_url`` pointed at :attr:`FakeTelegram.base_url`). It records every
call and can, on demand, answer 429 with ``retry_after``, answer 5xx or 400
or 403, or be "down" (close connections without an answer).

Implemented: getMe, setWebhook, deleteWebhook, getWebhookInfo, sendMessage,
answerCallbackQuery, getUpdates (long polling on :meth:`push_update`'s
queue); any other method answers ``true``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")

TOKEN = "123456:TEST-fake-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Willkommenslotse",
    "username": "willkommenslotse_test_bot",
}

# PTB sends form fields; these carry JSON (the rest are plain strings, e.g. ``text``).
_JSON_FIELDS = {
    "chat_id",
    "reply_markup",
    "allowed_updates",
    "offset",
    "limit",
    "timeout",
    "drop_pending_updates",
    "max_connections",
    "show_alert",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int  # 0: the connection was dropped ("down")
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str


class FakeTelegram:
    """The fake server. Use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.down = False
        self.blocked: set[int] = set()
        self.webhook: dict[str, Any] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._message_id = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                fake._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """For ``TELEGRAM_API_BASE_URL`` (PTB appends the token)."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- steering ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 500,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (429: with ``retry_after``)."""
        text = description or {
            400: "Bad Request: chat not found",
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
        }.get(status, "Internal Server Error")
        with self._lock:
            self._failures.setdefault(method, []).extend(
                _Failure(status, retry_after, text) for _ in range(times)
            )

    def push_update(self, update: dict[str, Any]) -> None:
        """An update for ``getUpdates``."""
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self.down = False
            self.blocked.clear()

    # -- reading ----------------------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Accepted ``sendMessage`` calls (to ``chat_id``), in the order they arrived."""
        return [
            call.params
            for call in self.calls_of("sendMessage")
            if call.status == 200 and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [params["text"] for params in self.sent(chat_id)]

    def wait_for(
        self, condition: Callable[[], T], timeout: float = 30.0, what: str = "condition"
    ) -> T:
        """Wait until ``condition()`` is truthy and return it (a wait, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                methods = [(call.method, call.status) for call in self.calls[-20:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {methods}")
            time.sleep(0.05)

    # -- the server -------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        prefix = f"/bot{self.token}/"
        path = urllib.parse.urlparse(request.path).path
        method = path[len(prefix) :] if path.startswith(prefix) else ""
        params = _parse(body, request.headers.get("Content-Type") or "")
        if self.down:
            self._record(method, params, 0)
            request.close_connection = True
            return  # no answer at all: the client sees a dropped connection
        if not method:
            self._answer(request, method, params, 401, {"description": "Unauthorized"})
            return
        failure = self._next_failure(method)
        if failure is not None:
            extra: dict[str, Any] = {"description": failure.description}
            if failure.retry_after is not None:
                extra["parameters"] = {"retry_after": failure.retry_after}
            self._answer(request, method, params, failure.status, extra)
            return
        if method == "sendMessage" and params.get("chat_id") in self.blocked:
            extra = {"description": "Forbidden: bot was blocked by the user"}
            self._answer(request, method, params, 403, extra)
            return
        result = self._result(method, params)
        self._answer(request, method, params, 200, {"result": result})

    def _next_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            return queue.pop(0) if queue else None

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status))

    def _answer(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        params: dict[str, Any],
        status: int,
        extra: dict[str, Any],
    ) -> None:
        self._record(method, params, status)
        body = {"ok": status == 200, **extra}
        if status != 200:
            body["error_code"] = status
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "setWebhook":
            with self._lock:
                self.webhook = dict(params)
            return True
        if method == "deleteWebhook":
            with self._lock:
                self.webhook = {}
            return True
        if method == "getWebhookInfo":
            with self._lock:
                return {
                    "url": self.webhook.get("url", ""),
                    "has_custom_certificate": False,
                    "pending_update_count": len(self._updates),
                }
        if method == "sendMessage":
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            return self._get_updates(params)
        return True

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        # Long polling, kept short so that stopping a poller is quick.
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        with self._lock:
            # Updates before the offset are confirmed: Telegram forgets them.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._lock.wait(timeout=max(deadline - time.monotonic(), 0.01))
            return list(self._updates[: int(params.get("limit") or 100)])


def _parse(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        return json.loads(body)
    params: dict[str, Any] = {}
    for key, values in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
        value: Any = values[-1]
        if key in _JSON_FIELDS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


# -- realistic updates --------------------------------------------------------------------

_next_update_id = 100_000
_id_lock = threading.Lock()


def next_update_id() -> int:
    global _next_update_id
    with _id_lock:
        _next_update_id += 1
        return _next_update_id


def user(chat_id: int, language_code: str | None = "de") -> dict[str, Any]:
    data: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Amal"}
    if language_code:
        data["language_code"] = language_code
    return data


def private_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "first_name": "Amal", "type": "private"}


def message(chat_id: int, language_code: str | None = "de", **content: Any) -> dict[str, Any]:
    """A message as Telegram sends it, with ``content`` such as ``text=...`` or ``photo=[...]``."""
    data = {
        "message_id": next_update_id(),
        "from": user(chat_id, language_code),
        "chat": private_chat(chat_id),
        "date": int(time.time()),
        **content,
    }
    if isinstance(data.get("text"), str) and data["text"].startswith("/"):
        command = data["text"].split()[0]
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return data


def text_update(chat_id: int, text: str, language_code: str | None = "de") -> dict[str, Any]:
    return {"update_id": next_update_id(), "message": message(chat_id, language_code, text=text)}


def callback_update(chat_id: int, data: str, language_code: str | None = "de") -> dict[str, Any]:
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": str(next_update_id()),
            "from": user(chat_id, language_code),
            "chat_instance": "-1234567890",
            "data": data,
            "message": {
                "message_id": next_update_id(),
                "from": BOT_USER,
                "chat": private_chat(chat_id),
                "date": int(time.time()),
                "text": "…",
            },
        },
    }
