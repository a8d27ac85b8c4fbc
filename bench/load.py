"""Load benchmark: simulated users chatting through the channels, on loopback.

N users (default 50) hold scripted conversations at the same time (greeting,
an offers search with a town or the "other town" button, the first questions
of the interpreter form, help, thanks) through each channel of the real
assistant: the REST channel, the web chat (``bot/channels/webchat.py``) and the
Telegram webhook (``bot/channels/telegram/``, replies through its outbox to
a fake Bot API server), with the SQLite store and with PostgreSQL. The outbox
normally keeps to Telegram's limits for bots (by default 30 messages/s), which
alone cap a bot at ~15 turns/s; the Telegram run held to the targets lifts that
pacing, and a second run ("ours, Telegram's pace") shows the default.

    .venv/bin/python bench/load.py                    # everything (~15 min)
    .venv/bin/python bench/load.py --quick            # 20 users, 15 s per run
    .venv/bin/python bench/load.py --only rest,webchat --stores sqlite
    .venv/bin/python bench/load.py --json             # also write results/load-bench.json
    .venv/bin/python bench/load.py --train-stock      # train the stock model first (~15 min)

Two kinds of run:

- paced (every channel x store): each user starts a turn every
  ``users / rate`` seconds (default rate 50 turns/s, the issue's target), or
  right away when the last turn took longer. If the assistant keeps up, the
  achieved rate is the offered one and the latency is what a user waits; if
  not, the rate falls short and the latency grows.
- saturated (REST only, ours and stock): no pause between turns, so the
  throughput is the most the server does; ours/stock is the ratio of these.

A turn is complete when all the bot's messages for it have arrived: for REST
and the web chat, the HTTP response; for Telegram, the ``sendMessage`` calls
received by the fake Bot API server for that chat. How many messages a turn
brings is learned first, one conversation of each script at a time; in the
load run fewer messages (or none within ``--timeout``) count as lost, an HTTP
error, an exception or a leaked "Traceback" as an error.

The load generator and the fake Bot API server run in their own process (this
script with ``--worker``), asyncio + aiohttp; the assistant runs in its own
processes (Rasa server, action server). On a 2-core machine they all share
the same two cores: the generator's CPU time is printed with the figures.

Stock comparison: stock Rasa (``rasa run``, REST channel, Rasa's own SQL
tracker store and response generator, no channel of ours) with the stock
``rasa init`` pipeline (DIET/TED) trained on our data by ``bench/nlu.py``, on
the same conversations and with the same action server. Training that model
takes ~15 minutes, so it is not done by default: ``--stock-model PATH``, a
model found under ``results/stock-model/`` (``--train-stock`` puts one there)
or in a work folder kept by ``bench/nlu.py --keep``; otherwise the stock part
is skipped with a message saying how to get the model.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.util
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python bench/load.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.channels.telegram.tuning import TelegramTuning  # noqa: E402 - needs the path above

DEFAULT_JSON = PROJECT_ROOT / "results" / "load-bench.json"
STOCK_MODEL_DIR = PROJECT_ROOT / "results" / "stock-model"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

CHANNELS = ("rest", "webchat", "telegram")
STORES = ("sqlite", "postgres")
REST_CHANNEL_CLASS = "bot.channels.rest.RestInput"
CHANNEL_CLASSES = {
    "webchat": ("bot.channels.webchat", "WebChatInput"),
    "telegram": ("bot.channels.telegram.channel", "TelegramInput"),
}

# Targets of issue 4 (on 2 cores).
TARGET_RATE = 50.0  # turns/s sustained
TARGET_P95_MS = 300.0

# Fake Telegram credentials: only the fake Bot API server ever sees them.
TELEGRAM_TOKEN = "123456789:bench-load-token"
TELEGRAM_SECRET = "bench-load-secret"
TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Willkommenslotse",
    "username": "welcome_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# The outbox paces Telegram messages as Telegram asks of bots (by default 30
# messages/s in all, 1/s per chat after a burst of 5: TELEGRAM_PACE, the
# channel's own defaults). At about two messages per turn that caps a bot at
# ~15 turns/s whatever the server does, so the Telegram run held to the
# targets lifts the pacing (as a bot with paid broadcasts may) and a second
# run, "ours, Telegram's pace", shows the default.
TELEGRAM_PACE = TelegramTuning()
LIFTED_TELEGRAM_PACING = {
    "messages_per_second": 1000,
    "chat_messages_per_second": 100,
    "chat_burst": 100,
}
TelegramTuning.from_options(LIFTED_TELEGRAM_PACING)  # the channel knows these options
TELEGRAM_PACE_LABEL = "ours, Telegram's pace"

# Words that must never reach a user (as in tests/e2e/support.py).
LEAK_MARKERS = ("Traceback", "Exception")

# Telegram calibration: a turn is over when no message came for this long
# (longer than the outbox's pause between two messages to one chat).
QUIET_S = 1.5 / TELEGRAM_PACE.chat_messages_per_second


def use_repo_tests_package() -> None:
    """Make ``tests`` the repository's folder, not site-packages' unrelated package."""
    folder = str(PROJECT_ROOT / "tests")
    known = sys.modules.get("tests")
    if known is not None and folder in list(getattr(known, "__path__", [])):
        return
    package = ModuleType("tests")
    package.__path__ = [folder]
    sys.modules["tests"] = package


# ---------------------------------------------------------------- conversations


@dataclass(frozen=True)
class Turn:
    """What the user does: type ``text``, or click the button whose payload contains ``click``."""

    text: str | None = None
    click: str | None = None

    @property
    def label(self) -> str:
        return self.text if self.text is not None else f"[button {self.click}]"


@dataclass(frozen=True)
class Script:
    name: str
    language: str
    turns: tuple[Turn, ...]


def scripts() -> list[Script]:
    """The conversations, taken from tests/e2e (same texts, same buttons)."""
    use_repo_tests_package()
    from tests.e2e.support import interpreter_answers

    de, en = interpreter_answers("de"), interpreter_answers("en")

    def form(answers: dict[str, str], upto: int) -> list[Turn]:
        keys = ["start", "interpreter_language", "interpreter_dialect", "appointment_date"]
        keys += ["appointment_time", "appointment_kind"]
        return [Turn(answers[key]) for key in keys[:upto]]

    anywhere = '"municipality": "all"'
    return [
        Script(
            "offers-de-town",
            "de",
            (
                Turn("Hallo"),
                Turn("Ich suche einen Deutschkurs"),
                Turn("Sindelfingen"),
                Turn("mehr"),
                Turn("danke"),
            ),
        ),
        Script(
            "offers-en-button",
            "en",
            (
                Turn("Hello"),
                Turn("I am looking for a German language course for adults"),
                Turn(click=anywhere),
                Turn("more"),
                Turn("help"),
                Turn("thank you"),
            ),
        ),
        Script("interpreter-en", "en", (Turn("Hi"), *form(en, 6), Turn("help"))),
        Script(
            "offers-ar-button",
            "ar",
            (
                Turn("مرحبا"),
                Turn("أبحث عن دورة لغة ألمانية"),
                Turn(click=anywhere),
                Turn("المزيد"),
                Turn("شكرا"),
            ),
        ),
        Script("interpreter-de", "de", (Turn("Guten Tag"), *form(de, 5), Turn("danke"))),
    ]


def script_table(chosen: list[Script]) -> dict[str, dict]:
    return {s.name: {"language": s.language, "turns": [asdict(t) for t in s.turns]} for s in chosen}


# ================================================================ worker process
#
# Everything below up to the orchestrator runs in the load generator process
# (`bench/load.py --worker`): one asyncio loop with the aiohttp client and the
# fake Telegram Bot API server. Commands come as JSON lines on stdin, results
# go back as JSON lines on stdout.


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


@dataclass
class Reply:
    """One bot message, the same shape for every channel."""

    text: str
    buttons: list[dict[str, str]]  # {"title", "payload"}; Telegram: payload = callback_data
    message_id: int | None = None


def replies_from_rasa(messages: Any) -> list[Reply]:
    if not isinstance(messages, list):
        raise ValueError(f"expected a JSON list, got {str(messages)[:120]!r}")
    return [
        Reply(
            str(m.get("text") or ""),
            [
                {"title": str(b.get("title")), "payload": str(b.get("payload"))}
                for b in m.get("buttons") or []
            ],
        )
        for m in messages
        if isinstance(m, dict)
    ]


class FakeBotApi:
    """A Telegram Bot API server on 127.0.0.1: records sendMessage, answers the rest.

    Lives in the load generator's event loop, so the arrival of each message
    is timed without polling.
    """

    def __init__(self) -> None:
        self.received: dict[int, list[tuple[float, Reply]]] = defaultdict(list)
        self.arrived: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.calls: dict[str, int] = defaultdict(int)
        self.next_message_id = 1
        self.chats = 0
        self.update_id = 0
        self.port = 0
        self._runner = None

    async def start(self) -> int:
        from aiohttp import web

        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    async def parameters(request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json()
            return body if isinstance(body, dict) else {}
        params: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            params.update(await request.post())
        params.update(request.query)
        for key, value in list(params.items()):
            # python-telegram-bot sends form fields; nested values as JSON text.
            if isinstance(value, str) and value[:1] in "{[":
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    async def handle(self, request):
        from aiohttp import web

        method = request.match_info["method"]
        self.calls[method] += 1
        params = await self.parameters(request)
        result: Any = True
        lower = method.lower()
        if lower == "getme":
            result = BOT_USER
        elif lower == "getwebhookinfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        elif lower == "getupdates":
            result = []
        elif lower in ("sendmessage", "editmessagetext"):
            result = self.record(params)
        return web.json_response({"ok": True, "result": result})

    def record(self, params: dict[str, Any]) -> dict[str, Any]:
        arrived = time.perf_counter()
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            chat_id = 0
        message_id = self.next_message_id
        self.next_message_id += 1
        markup = params.get("reply_markup") or {}
        buttons = []
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard") or []:
                for button in row:
                    buttons.append(
                        {
                            "title": str(button.get("text")),
                            "payload": str(button.get("callback_data")),
                        }
                    )
        text = str(params.get("text") or "")
        self.received[chat_id].append((arrived, Reply(text, buttons, message_id)))
        self.arrived[chat_id].set()
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Bench"},
            "from": BOT_USER,
            "text": text,
        }

    async def wait_for(
        self, chat_id: int, count: int, deadline: float, quiet: float | None = None
    ) -> list[tuple[float, Reply]]:
        """Messages of ``chat_id`` once there are ``count`` (or at the deadline).

        With ``quiet``: also wait until no further message came for that long
        (the calibration does not know ``count`` yet).
        """
        event = self.arrived[chat_id]
        while True:
            got = len(self.received[chat_id])
            now = time.perf_counter()
            if got >= count and quiet is None:
                break
            if now >= deadline:
                break
            if got >= count:
                last = self.received[chat_id][-1][0] if got else now
                wait = last + quiet - now
                if wait <= 0:
                    break
            else:
                wait = deadline - now
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=max(wait, 0.001))
        return self.received[chat_id]


@dataclass
class Conversation:
    sender: str
    chat_id: int
    language: str
    last: list[Reply] = field(default_factory=list)
    seen: int = 0  # Telegram: messages of this chat already assigned to a turn


@dataclass
class TurnOutcome:
    latency: float
    replies: list[Reply]
    error: str | None = None
    lost: int = 0
    extra: int = 0
    fallback: bool = False  # the button was not offered; its payload was typed instead
    first: float | None = None  # until the first bot message (Telegram; else = latency)
    accepted: float | None = None  # Telegram: until the webhook answered


class Channel:
    """How one channel sends a user's turn and collects the bot's messages."""

    name = "?"

    def __init__(self, session, base_url: str, timeout: float) -> None:
        self.session = session
        self.base_url = base_url
        self.timeout = timeout

    def new_conversation(self, number: int, language: str) -> Conversation:
        return Conversation(f"load-{uuid.uuid4().hex[:16]}", 0, language)

    async def turn(
        self, conv: Conversation, turn: Turn, reference: dict, expected: int | None
    ) -> TurnOutcome:
        raise NotImplementedError

    def unassigned(self) -> int:
        """Messages that arrived but belong to no turn (late after a timeout, or extra)."""
        return 0

    @staticmethod
    def pick_button(conv: Conversation, turn: Turn, reference: dict) -> dict[str, str] | None:
        """The button to click among the last replies: by payload, else by the reference title."""
        offered = [b for r in conv.last for b in r.buttons]
        for button in offered:
            if turn.click in button["payload"]:
                return button
        title = reference.get("title")
        for button in offered:
            if title and button["title"] == title:
                return button
        return None


class HttpChannel(Channel):
    """REST and web chat: one POST per turn, the replies in the response."""

    path = "/webhooks/rest/webhook"

    headers: dict[str, str] = {}

    def body(self, conv: Conversation, text: str) -> dict[str, Any]:
        return {"sender": conv.sender, "message": text}

    async def turn(
        self, conv: Conversation, turn: Turn, reference: dict, expected: int | None
    ) -> TurnOutcome:
        import aiohttp

        fallback = False
        text = turn.text
        if text is None:
            button = self.pick_button(conv, turn, reference)
            fallback = button is None
            text = button["payload"] if button else reference.get("payload", "")
        started = time.perf_counter()
        try:
            async with self.session.post(
                self.base_url + self.path,
                json=self.body(conv, text),
                headers=self.headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                raw = await response.read()
                latency = time.perf_counter() - started
                if response.status != 200:
                    return TurnOutcome(latency, [], f"HTTP {response.status}: {raw[:120]!r}")
                replies = replies_from_rasa(json.loads(raw))
        except asyncio.TimeoutError:
            return TurnOutcome(time.perf_counter() - started, [], "timeout", lost=expected or 0)
        except Exception as error:  # noqa: BLE001 - every failure is a figure
            return TurnOutcome(
                time.perf_counter() - started, [], f"{type(error).__name__}: {error}"
            )
        outcome = TurnOutcome(latency, replies, fallback=fallback)
        if expected is not None:
            outcome.lost = max(0, expected - len(replies))
            outcome.extra = max(0, len(replies) - expected)
        return outcome


class RestChannel(HttpChannel):
    name = "rest"

    def __init__(self, session, base_url: str, timeout: float, token: str | None) -> None:
        super().__init__(session, base_url, timeout)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}


class WebChatChannel(HttpChannel):
    name = "webchat"
    path = "/webhooks/webchat/webhook"

    def new_conversation(self, number: int, language: str) -> Conversation:
        return Conversation(f"web-{uuid.uuid4().hex}", 0, language)

    def body(self, conv: Conversation, text: str) -> dict[str, Any]:
        return {
            "sender": conv.sender,
            "message": text,
            "metadata": {"language_hint": conv.language},
        }


class TelegramChannel(Channel):
    """Updates posted to the webhook; the replies are the fake server's sendMessage calls."""

    name = "telegram"

    def __init__(self, session, base_url: str, timeout: float, api: FakeBotApi) -> None:
        super().__init__(session, base_url, timeout)
        self.api = api
        self.assigned = 0
        self.received_before = self.total_received()

    def total_received(self) -> int:
        return sum(len(messages) for messages in self.api.received.values())

    def unassigned(self) -> int:
        return max(0, self.total_received() - self.received_before - self.assigned)

    def new_conversation(self, number: int, language: str) -> Conversation:
        # A new chat for every conversation, across all runs of this process.
        self.api.chats += 1
        chat_id = 700_000_000 + self.api.chats
        return Conversation(f"tg-{chat_id}", chat_id, language)

    def user(self, conv: Conversation) -> dict[str, Any]:
        return {
            "id": conv.chat_id,
            "is_bot": False,
            "first_name": "Bench",
            "language_code": conv.language,
        }

    def update(self, conv: Conversation, turn: Turn, reference: dict) -> tuple[dict, bool]:
        # Telegram's update ids only grow; the channel drops an id it has seen as a resend.
        self.api.update_id += 1
        update_id = self.api.update_id
        chat = {"id": conv.chat_id, "type": "private", "first_name": "Bench"}
        now = int(time.time())
        if turn.text is None:
            button = self.pick_button(conv, turn, reference)
            carrier = next((r for r in conv.last if button and button in r.buttons), None)
            if button is not None and carrier is not None:
                return {
                    "update_id": update_id,
                    "callback_query": {
                        "id": uuid.uuid4().hex[:16],
                        "from": self.user(conv),
                        "chat_instance": str(conv.chat_id),
                        "data": button["payload"],
                        "message": {
                            "message_id": carrier.message_id,
                            "date": now,
                            "chat": chat,
                            "from": BOT_USER,
                            "text": carrier.text,
                        },
                    },
                }, False
            text, fallback = reference.get("payload", ""), True
        else:
            text, fallback = turn.text, False
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": now,
                "chat": chat,
                "from": self.user(conv),
                "text": text,
            },
        }, fallback

    async def turn(
        self, conv: Conversation, turn: Turn, reference: dict, expected: int | None
    ) -> TurnOutcome:
        import aiohttp

        update, fallback = self.update(conv, turn, reference)
        before = conv.seen
        started = time.perf_counter()
        deadline = started + self.timeout
        try:
            async with self.session.post(
                self.base_url + TELEGRAM_WEBHOOK_PATH,
                json=update,
                headers={SECRET_HEADER: TELEGRAM_SECRET},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                raw = await response.read()
                accepted = time.perf_counter() - started
                if response.status != 200:
                    return TurnOutcome(accepted, [], f"HTTP {response.status}: {raw[:120]!r}")
        except asyncio.TimeoutError:
            return TurnOutcome(
                time.perf_counter() - started, [], "webhook timeout", lost=expected or 0
            )
        except Exception as error:  # noqa: BLE001
            return TurnOutcome(
                time.perf_counter() - started, [], f"{type(error).__name__}: {error}"
            )
        if expected is None:
            # Calibration: whatever arrives until it is quiet. Not REST's count: the
            # channel may join or split messages (the interpreter guidelines are one).
            received = await self.api.wait_for(conv.chat_id, before + 1, deadline, quiet=QUIET_S)
        else:
            received = await self.api.wait_for(conv.chat_id, before + expected, deadline)
        mine = received[before:] if expected is None else received[before : before + expected]
        conv.seen = before + len(mine)
        self.assigned += len(mine)
        latency = (mine[-1][0] if mine else time.perf_counter()) - started
        outcome = TurnOutcome(latency, [reply for _, reply in mine], fallback=fallback)
        outcome.first = mine[0][0] - started if mine else None
        outcome.accepted = accepted
        if expected is not None:
            outcome.lost = max(0, expected - len(mine))
        return outcome


def leaked(replies: list[Reply]) -> str | None:
    for reply in replies:
        for marker in LEAK_MARKERS:
            if marker in reply.text:
                return f"{marker!r} in a reply"
    return None


async def calibrate(channel: Channel, chosen: list[dict], reference: dict) -> dict:
    """One conversation per script, one at a time: messages per turn, the buttons clicked."""
    counts: dict[str, list[int]] = {}
    clicked: dict[str, dict[str, dict]] = {}
    problems: list[str] = []
    transcripts: dict[str, list] = {}
    for number, script in enumerate(chosen):
        conv = channel.new_conversation(number, script["language"])
        counts[script["name"]] = []
        clicked[script["name"]] = {}
        transcripts[script["name"]] = transcript = []
        for index, raw in enumerate(script["turns"]):
            turn = Turn(**raw)
            ref = reference.get(script["name"], {}).get(str(index), {})
            if turn.click is not None:
                button = channel.pick_button(conv, turn, ref)
                if button is not None:
                    clicked[script["name"]][str(index)] = button
            outcome = await channel.turn(conv, turn, ref, None)
            problem = outcome.error or leaked(outcome.replies)
            if outcome.fallback:
                problem = problem or f"button {turn.click} not offered"
            if not outcome.replies:
                problem = problem or "no reply"
            if problem:
                problems.append(f"{script['name']} turn {index + 1} ({turn.label[:40]}): {problem}")
            counts[script["name"]].append(len(outcome.replies))
            # For the JSON file: a reader can check that the conversations went as meant.
            transcript.append([turn.label, [reply.text[:70] for reply in outcome.replies]])
            conv.last = outcome.replies
    return {"counts": counts, "clicked": clicked, "problems": problems, "transcripts": transcripts}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # turns started in the window
    ended_in_window: int = 0
    firsts: list[float] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)
    turns_all: int = 0
    errors: int = 0
    lost: int = 0
    extra: int = 0
    fallbacks: int = 0
    conversations: int = 0
    error_samples: list[str] = field(default_factory=list)


async def load(
    channel: Channel,
    chosen: list[dict],
    reference: dict,
    counts: dict[str, list[int]],
    users: int,
    rate: float,
    warmup: float,
    duration: float,
) -> dict:
    """``users`` users chatting for warm-up + duration seconds; figures of the window."""
    tally = Tally()
    interval = users / rate if rate > 0 else 0.0
    begin = time.perf_counter() + 0.2
    window_start = begin + warmup
    window_end = window_start + duration

    async def user(number: int) -> None:
        # Spread the first turns evenly over one interval: no thundering herd.
        await asyncio.sleep(max(0.0, begin + (number * interval / users) - time.perf_counter()))
        iteration = 0
        next_start = time.perf_counter()
        while time.perf_counter() < window_end:
            script = chosen[(number + iteration) % len(chosen)]
            iteration += 1
            conv = channel.new_conversation(number, script["language"])
            tally.conversations += 1
            for index, raw in enumerate(script["turns"]):
                now = time.perf_counter()
                if now >= window_end:
                    return
                if next_start > now:
                    await asyncio.sleep(next_start - now)
                next_start = max(next_start + interval, time.perf_counter()) if interval else 0
                turn = Turn(**raw)
                ref = reference.get(script["name"], {}).get(str(index), {})
                expected = counts[script["name"]][index]
                begun = time.perf_counter()
                outcome = await channel.turn(conv, turn, ref, expected)
                ended = time.perf_counter()
                tally.turns_all += 1
                problem = outcome.error or leaked(outcome.replies)
                tally.lost += outcome.lost
                tally.extra += outcome.extra
                tally.fallbacks += outcome.fallback
                if problem:
                    tally.errors += 1
                    if len(tally.error_samples) < 5:
                        tally.error_samples.append(f"{script['name']} turn {index + 1}: {problem}")
                tally.ended_in_window += window_start <= ended <= window_end
                # A turn counts for the window it was sent in: at a paced rate
                # the users send the offered rate exactly as long as the
                # assistant keeps up, and fewer as soon as it falls behind.
                if window_start <= begun < window_end:
                    tally.latencies.append(outcome.latency)
                    first = outcome.first if outcome.first is not None else outcome.latency
                    tally.firsts.append(first)
                    if outcome.accepted is not None:
                        tally.accepted.append(outcome.accepted)
                conv.last = outcome.replies
                if problem or outcome.lost:
                    break  # the conversation is out of step; a new one starts

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(user(n) for n in range(users)))
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    if isinstance(channel, TelegramChannel):
        await asyncio.sleep(2.0)  # messages still on their way count as late, not lost
    late = channel.unassigned()
    latencies = tally.latencies
    return {
        "turns": len(latencies),
        "turns_all": tally.turns_all,
        "conversations": tally.conversations,
        "per_s": len(latencies) / duration,
        "ended_per_s": tally.ended_in_window / duration,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "max_ms": 1000 * max(latencies, default=0.0),
        "p95_first_ms": 1000 * percentile(tally.firsts, 0.95),
        "p95_accepted_ms": 1000 * percentile(tally.accepted, 0.95) if tally.accepted else None,
        "errors": tally.errors,
        "lost": tally.lost,
        "extra": tally.extra + late,
        "button_fallbacks": tally.fallbacks,
        "error_samples": tally.error_samples,
        "generator_cpu_s": (cpu_after.ru_utime + cpu_after.ru_stime)
        - (cpu_before.ru_utime + cpu_before.ru_stime),
    }


async def worker_main() -> None:
    import aiohttp

    api = FakeBotApi()
    port = await api.start()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    session = aiohttp.ClientSession(connector=connector)
    loop = asyncio.get_running_loop()

    def reply(data: dict) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    reply({"ready": True, "telegram_port": port})
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            command = json.loads(line)
            if command["op"] == "quit":
                break
            kind = command["channel"]
            if kind == "telegram":
                channel: Channel = TelegramChannel(session, command["url"], command["timeout"], api)
            elif kind == "webchat":
                channel = WebChatChannel(session, command["url"], command["timeout"])
            else:
                channel = RestChannel(
                    session, command["url"], command["timeout"], command.get("token")
                )
            chosen = command["scripts"]
            reference = command.get("reference") or {}
            try:
                if command["op"] == "calibrate":
                    reply(await calibrate(channel, chosen, reference))
                    continue
                sent_before = sum(len(v) for v in api.received.values())
                result = await load(
                    channel,
                    chosen,
                    reference,
                    command["counts"],
                    command["users"],
                    command["rate"],
                    command["warmup"],
                    command["duration"],
                )
                if kind == "telegram":
                    received = sum(len(v) for v in api.received.values()) - sent_before
                    result["telegram_messages"] = received
                result["fake_api_calls"] = dict(api.calls)
                reply(result)
            except Exception as error:  # noqa: BLE001 - the orchestrator reports it
                import traceback

                reply(
                    {"failed": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
                )
    finally:
        await session.close()
        await api.stop()


# ================================================================ orchestrator


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Worker:
    """The load generator process (this script with --worker), driven by JSON lines."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=PROJECT_ROOT,
                text=True,
            )
        self.telegram_port = self._read()["telegram_port"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator stopped:\n{tail(self.log_path)}")
        return json.loads(line)

    def ask(self, **command: Any) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        if "failed" in answer:
            raise RuntimeError(f"load generator: {answer['failed']}\n{answer.get('trace', '')}")
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.flush()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def channel_problems(wanted: list[str]) -> dict[str, str]:
    """Channels that cannot be measured, and why (file missing, import failing)."""
    problems = {}
    for name in wanted:
        if name not in CHANNEL_CLASSES:
            continue
        module, class_name = CHANNEL_CLASSES[name]
        path = PROJECT_ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            problems[name] = f"{path.relative_to(PROJECT_ROOT)} does not exist (yet)"
            continue
        check = "import importlib, sys; getattr(importlib.import_module(sys.argv[1]), sys.argv[2])"
        done = subprocess.run(
            [sys.executable, "-c", check, module, class_name],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            problems[name] = f"{module}.{class_name} does not import: {last}"
    return problems


def database_problem(store: str, postgres_url: str) -> str | None:
    if store != "postgres":
        return None
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(postgres_url, future=True)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - reported, the rest is measured
        return f"cannot connect to {postgres_url}: {str(error).splitlines()[0]}"
    return None


def stock_tracker_store(database_url: str) -> dict[str, Any]:
    """Rasa's own SQLTrackerStore on the same kind of database as ours."""
    import sqlalchemy as sa

    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",  # Rasa passes `url` on as the host
        "port": url.port or 5432,
        "db": url.database,
        "username": url.username,
        "password": url.password,
    }
    if url.query:
        config["query"] = dict(url.query)
    return config


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    token: str | None = None  # WELCOME_REST_TOKEN (ours; stock Rasa's REST ignores it)


def start_rasa(
    settings, model: Path, endpoints: Path, credentials: Path, extra_env: dict, log_path: Path
) -> Server:
    from bot.commands.service import rasa_environment, stop_services

    env = rasa_environment(settings)
    for key in [k for k in env if k.startswith("TELEGRAM_")]:
        del env[key]
    env.update(extra_env)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run",
             "--model", str(model),
             "--endpoints", str(endpoints),
             "--credentials", str(credentials),
             "--port", str(settings.rasa_port),
             "--interface", "127.0.0.1"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{settings.rasa_port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2):
                return Server(process, base_url, settings.rest_token)
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop_services([process])
    raise RuntimeError(f"the Rasa server did not start:\n{tail(log_path)}")


def stop(process: subprocess.Popen) -> None:
    from bot.commands.service import stop_services

    stop_services([process])


@dataclass
class Options:
    users: int
    rate: float
    warmup: float
    duration: float
    timeout: float


def measure(
    worker: Worker,
    channel: str,
    base_url: str,
    chosen: list[dict],
    reference: dict,
    calibration: dict,
    options: Options,
    rate: float,
    pids: dict[str, int],
    token: str | None = None,
) -> dict:
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    load_before = load_average()
    mode = f"paced {rate:g}/s" if rate else "saturated"
    print(
        f"    {channel:<9} {mode:<12} {options.users} users, {options.duration:g} s …", flush=True
    )
    result = worker.ask(
        op="load",
        channel=channel,
        url=base_url,
        token=token,
        timeout=options.timeout,
        scripts=chosen,
        reference=reference,
        counts=calibration["counts"],
        users=options.users,
        rate=rate,
        warmup=options.warmup,
        duration=options.duration,
    )
    turns = max(result["turns_all"], 1)
    for name, pid in pids.items():
        result[f"{name}_cpu_ms_per_turn"] = 1000 * (cpu_seconds(pid) - cpu_before[name]) / turns
    result["generator_cpu_ms_per_turn"] = 1000 * result["generator_cpu_s"] / turns
    result.update(mode=mode, rate=rate, users=options.users, load=[load_before, load_average()])
    print(
        f"      {result['per_s']:.1f} turns/s, p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, errors {result['errors']}, lost {result['lost']}",
        flush=True,
    )
    return result


def reference_from(calibration: dict) -> dict:
    """Our REST conversations, per turn: the button clicked and the number of messages.

    The other runs fall back on the button (by its title when a channel codes
    payloads, as Telegram's does); the counts are for comparing in the JSON file.
    """
    reference: dict[str, dict[str, dict]] = {}
    for script, counts in calibration["counts"].items():
        clicks = calibration["clicked"].get(script, {})
        reference[script] = {
            str(index): {**clicks.get(str(index), {}), "count": count}
            for index, count in enumerate(counts)
        }
    return reference


def write_credentials(
    path: Path,
    channels: list[str],
    telegram_pacing: dict[str, float] | None = None,
    *,
    stock: bool = False,
) -> Path:
    """Credentials for these channels; Telegram's pacing lifted unless ``telegram_pacing``.

    REST is always there: our guarded channel, or Rasa's own for ``stock`` Rasa.
    """
    entries: dict[str, dict | None] = {"rest" if stock else REST_CHANNEL_CLASS: None}
    for name, (module, class_name) in CHANNEL_CLASSES.items():
        if name in channels:
            options = None
            if name == "telegram":
                options = LIFTED_TELEGRAM_PACING if telegram_pacing is None else telegram_pacing
            entries[f"{module}.{class_name}"] = options or None
    path.write_text(yaml.safe_dump(entries))
    return path


def run_store(
    store: str,
    channels: list[str],
    stock: tuple[Path, str] | None,
    worker: Worker,
    chosen: list[dict],
    options: Options,
    args: argparse.Namespace,
    workdir: Path,
    notes: list[str],
) -> list[dict]:
    """Every run on one store: ours (each channel), then stock Rasa; one action server."""
    use_repo_tests_package()
    from bot.commands.service import model_path, start_action_server
    from bot.store import RequestStore
    from tests.helpers.databases import empty_database
    from tests.helpers.services import free_port, test_settings

    rows: list[dict] = []
    folder = workdir / store
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "services.log"

    def run(assistant: str, channel: str, server: Server, calibration: dict, rate: float) -> None:
        row = {"assistant": assistant, "channel": channel, "store": store}
        row["telegram_pacing"] = (
            "lifted" if assistant == "ours" and channel == "telegram" else "telegram"
        )
        row["calibration"] = calibration
        pids = {"rasa": server.process.pid, "actions": actions.pid}
        row.update(
            measure(
                worker, channel, server.base_url, chosen, reference, calibration,
                options, rate, pids, server.token,
            )
        )  # fmt: skip
        rows.append(row)

    def calibrate(channel: str, server: Server) -> dict:
        return worker.ask(
            op="calibrate", channel=channel, url=server.base_url, token=server.token,
            timeout=options.timeout, scripts=chosen, reference=reference,
        )  # fmt: skip

    with contextlib.ExitStack() as stack:
        url = stack.enter_context(empty_database(store, folder / "ours", args.postgres_url))
        settings = test_settings(folder / "var", url)
        if not model_path(settings).exists():
            raise SystemExit(f"no trained model at {model_path(settings)}; run `make train`")
        requests = RequestStore(url)
        requests.migrate()  # the outbox's tables too, once the channel brings its migration
        requests.close()
        with open(log_path, "ab") as log:
            actions = start_action_server(settings, stdout=log, stderr=log)
        stack.callback(stop, actions)

        extra_env = {}
        if "telegram" in channels:
            extra_env = {
                "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{worker.telegram_port}/bot",
                "TELEGRAM_WEBHOOK_URL": (
                    f"http://127.0.0.1:{settings.rasa_port}{TELEGRAM_WEBHOOK_PATH}"
                ),
            }
        print(f"  {store}: starting the assistant …", flush=True)
        endpoints = PROJECT_ROOT / "config" / "endpoints.yml"
        credentials = write_credentials(folder / "credentials.yml", channels)
        try:
            server = start_rasa(
                settings, model_path(settings), endpoints, credentials, extra_env, log_path
            )
        except RuntimeError as error:
            if channels == ["rest"]:
                raise
            # A channel of ours that breaks the start must not hide the others' figures.
            notes.append(
                f"{store}: the assistant did not start with {', '.join(channels)}; "
                f"measured REST only. Log:\n{error}"
            )
            print(f"  {store}: start failed with the channels; REST only", flush=True)
            channels = ["rest"]
            credentials = write_credentials(folder / "credentials.yml", channels)
            server = start_rasa(
                settings, model_path(settings), endpoints, credentials, {}, log_path
            )
        reference: dict = {}
        try:
            rest_calibration = calibrate("rest", server)
            reference = reference_from(rest_calibration)
            for channel in channels:
                try:
                    calibration = rest_calibration if channel == "rest" else None
                    calibration = calibration or calibrate(channel, server)
                    run("ours", channel, server, calibration, options.rate)
                    if channel == "rest" and not args.no_saturated:
                        run("ours", channel, server, calibration, 0.0)
                except RuntimeError as error:
                    notes.append(f"{channel} {store}: FAILED - {error}")
                    print(f"  {channel} {store}: FAILED - {error}", flush=True)
        finally:
            stop(server.process)

        telegram_calibration = next(
            (row["calibration"] for row in rows if row["channel"] == "telegram"), None
        )
        if telegram_calibration and not args.no_telegram_pace:
            print(f"  {store}: restarting with Telegram's own pacing …", flush=True)
            paced = write_credentials(folder / "credentials-paced.yml", ["telegram"], {})
            server = start_rasa(
                settings, model_path(settings), endpoints, paced, extra_env, log_path
            )
            try:
                run(TELEGRAM_PACE_LABEL, "telegram", server, telegram_calibration, options.rate)
            except RuntimeError as error:
                notes.append(f"telegram (Telegram's pace) {store}: FAILED - {error}")
            finally:
                stop(server.process)

        if stock is None:
            return rows
        model, label = stock
        stock_url = stack.enter_context(empty_database(store, folder / "stock", args.postgres_url))
        if store == "sqlite":
            Path(stock_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        stock_endpoints = folder / "stock-endpoints.yml"
        stock_endpoints.write_text(
            yaml.safe_dump(
                {
                    "action_endpoint": {"url": settings.action_endpoint_url},
                    "tracker_store": stock_tracker_store(stock_url),
                }
            )
        )
        stock_credentials = write_credentials(
            folder / "stock-credentials.yml", ["rest"], stock=True
        )
        stock_settings = dataclasses.replace(settings, rasa_port=free_port())
        print(f"  {store}: starting stock Rasa ({label}) …", flush=True)
        try:
            server = start_rasa(
                stock_settings, model, stock_endpoints, stock_credentials, {}, log_path
            )
        except RuntimeError as error:
            notes.append(f"stock {store}: FAILED - {error}")
            print(f"  stock {store}: FAILED to start", flush=True)
            return rows
        try:
            calibration = calibrate("rest", server)
            run(label, "rest", server, calibration, options.rate)
            if not args.no_saturated:
                run(label, "rest", server, calibration, 0.0)
        except RuntimeError as error:
            notes.append(f"stock {store}: FAILED - {error}")
        finally:
            stop(server.process)
    return rows


# ---------------------------------------------------------------- stock model


def stock_label(config_path: Path) -> str:
    """The label: "stock" for the `rasa init` config with its epochs, else what it is."""
    if not config_path.exists():
        return "stock (config unknown)"
    config = yaml.safe_load(config_path.read_text()) or {}
    epochs = {
        component["epochs"]
        for component in (config.get("pipeline") or []) + (config.get("policies") or [])
        if "epochs" in component
    }
    if epochs and epochs != {100}:
        return f"stock-{'/'.join(str(e) for e in sorted(epochs))}ep (NOT stock)"
    return "stock"


def stock_candidates() -> list[Path]:
    kept = sorted(
        Path(tempfile.gettempdir()).glob("nlu-bench-*/models/stock.tar.gz"),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    return [STOCK_MODEL_DIR / "stock.tar.gz", *kept]


def config_next_to(model: Path) -> Path:
    for folder in (model.parent, model.parent.parent):
        if (folder / "stock-config.yml").exists():
            return folder / "stock-config.yml"
    return model.parent / "stock-config.yml"


HOW_TO_GET_STOCK = (
    "  To compare with stock Rasa, train its model once (~15 min on 2 cores) with\n"
    "    .venv/bin/python bench/load.py --train-stock      (saves results/stock-model/)\n"
    "  or keep the one bench/nlu.py trains: .venv/bin/python bench/nlu.py --only stock --keep\n"
    "  or pass --stock-model PATH."
)


def find_stock_model(args: argparse.Namespace) -> tuple[tuple[Path, str] | None, str]:
    """The stock model to compare with, or None and why not."""
    if args.no_stock:
        return None, "stock comparison skipped (--no-stock)"
    if args.stock_model:
        model = Path(args.stock_model)
        if not model.exists():
            raise SystemExit(f"--stock-model {model}: no such file")
        return (model, stock_label(config_next_to(model))), f"stock model: {model}"
    found = [(path, stock_label(config_next_to(path))) for path in stock_candidates()]
    found = [(path, label) for path, label in found if path.exists()]
    # A model of the real stock config first; a quick (fewer epochs) one only if nothing else.
    found.sort(key=lambda item: "NOT stock" in item[1])
    if found:
        path, label = found[0]
        return (path, label), f"stock model: {path} ({label})"
    return None, "stock comparison SKIPPED: no stock model found.\n" + HOW_TO_GET_STOCK


def train_stock() -> Path:
    """Train the stock pipeline with bench/nlu.py's code; keep it in results/stock-model/."""
    spec = importlib.util.spec_from_file_location("bench_nlu", PROJECT_ROOT / "bench" / "nlu.py")
    nlu = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = nlu
    spec.loader.exec_module(nlu)
    with tempfile.TemporaryDirectory(prefix="load-stock-") as temp:
        workdir = Path(temp)
        (pipeline,) = nlu.pipelines(workdir, quick=False, only="stock")
        trained = nlu.train(pipeline, workdir, nlu.snapshot(workdir))
        STOCK_MODEL_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy2(trained["model"], STOCK_MODEL_DIR / "stock.tar.gz")
        shutil.copy2(pipeline.config_path, STOCK_MODEL_DIR / "stock-config.yml")
    print(f"stock model saved: {STOCK_MODEL_DIR / 'stock.tar.gz'} ({trained['train_s']:.0f} s)")
    return STOCK_MODEL_DIR / "stock.tar.gz"


# ---------------------------------------------------------------- report


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def verdicts(row: dict, options: Options) -> dict[str, bool]:
    """Targets apply to the paced runs of our assistant."""
    checks = {
        "p95": row["p95_ms"] <= TARGET_P95_MS,
        "errors": row["errors"] == 0,
        "lost": row["lost"] == 0,
    }
    if options.rate >= TARGET_RATE:  # a lower offered rate cannot show 50 turns/s
        checks["rate"] = row["per_s"] >= TARGET_RATE
    return checks


def format_report(
    rows: list[dict], notes: list[str], options: Options, args: argparse.Namespace
) -> str:
    lines = [
        "",
        f"Load benchmark: {options.users} users, {options.duration:g} s per run "
        f"(+{options.warmup:g} s warm-up), paced runs offer {options.rate:g} turns/s; "
        f"{os.cpu_count()} CPUs",
        f"Targets (issue 4, paced runs of ours): >= {TARGET_RATE:g} turns/s, "
        f"p95 <= {TARGET_P95_MS:g} ms, 0 errors, 0 lost messages",
        "",
    ]
    header = (
        f"{'assistant':<26} {'channel':<9} {'store':<9} {'mode':<12} {'turns/s':>14} "
        f"{'p50 ms':>7} {'p95 ms':>14} {'errors':>10} {'lost':>10} {'late':>5} "
        f"{'CPU ms/turn rasa+act+gen':>25} {'load':>11}"
    )
    lines += [header, "-" * len(header)]
    for row in rows:
        ours = row["assistant"] == "ours" and row["mode"] != "saturated"
        checks = verdicts(row, options) if ours else {}

        def cell(value: str, key: str, width: int, checks: dict = checks) -> str:
            text = f"{value} {mark(checks[key])}" if key in checks else value
            return f"{text:>{width}}"

        cpu = (
            f"{row['rasa_cpu_ms_per_turn']:.1f}+{row['actions_cpu_ms_per_turn']:.1f}"
            f"+{row['generator_cpu_ms_per_turn']:.1f}"
        )
        lines.append(
            f"{row['assistant']:<26} {row['channel']:<9} {row['store']:<9} {row['mode']:<12} "
            + cell(f"{row['per_s']:.1f}", "rate", 14)
            + f" {row['p50_ms']:>7.0f} "
            + cell(f"{row['p95_ms']:.0f}", "p95", 14)
            + " "
            + cell(str(row["errors"]), "errors", 10)
            + " "
            + cell(str(row["lost"]), "lost", 10)
            + f" {row['extra']:>5} {cpu:>25} {row['load'][0]:>5.2f}-{row['load'][1]:<5.2f}"
        )
    lines.append("")
    lines.append(
        "turns/s: turns sent in the measured window / its length; p50/p95: from "
        "sending a turn to its last bot message; lost: bot messages of a turn that did not arrive "
        f"(within {options.timeout:g} s for Telegram); late: messages that arrived after that "
        "or beyond the expected count; CPU: per turn, Rasa server + action server + load "
        "generator; load: 1-minute load average before-after."
    )
    telegram = [r for r in rows if r["channel"] == "telegram"]
    pace = TELEGRAM_PACE
    if telegram:
        lines += [
            "",
            "Telegram: replies leave through the outbox to the fake Bot API server. In the "
            "run of 'ours' the outbox's pacing is lifted; in \"" + TELEGRAM_PACE_LABEL + '" '
            f"it keeps Telegram's limits for bots ({pace.chat_messages_per_second:g} message/s "
            f"per chat after a burst of {pace.chat_burst}, {pace.messages_per_second:g} "
            f"messages/s in all), which cap the turn rate at {pace.messages_per_second:g} / "
            "(messages per turn) and make a several-message turn take seconds by design:",
        ]
        for row in telegram:
            counts = [c for script in row["calibration"]["counts"].values() for c in script]
            per_turn = sum(counts) / len(counts) if counts else 0.0
            lines.append(
                f"  {row['assistant']:<22} {row['store']:<9} pacing {row['telegram_pacing']:<8} "
                f"webhook answered p95 {row['p95_accepted_ms'] or 0:.0f} ms; "
                f"first message p95 {row['p95_first_ms']:.0f} ms; {per_turn:.2f} messages per "
                f"turn (Telegram's limit allows "
                f"{pace.messages_per_second / per_turn if per_turn else 0:.1f} turns/s); "
                f"sendMessage calls received: {row.get('telegram_messages', 0)}"
            )
    ratios = []
    for store in STORES:
        ours = [r for r in rows if r["assistant"] == "ours" and r["channel"] == "rest"
                and r["store"] == store and r["mode"] == "saturated"]  # fmt: skip
        stock = [r for r in rows if r["assistant"] != "ours" and r["store"] == store
                 and r["mode"] == "saturated"]  # fmt: skip
        if ours and stock:
            o, s = ours[0], stock[0]
            ratios.append(
                f"  {store:<9} ours {o['per_s']:.1f} vs {s['assistant']} {s['per_s']:.1f} turns/s "
                f"= {o['per_s'] / s['per_s']:.2f}x"
                if s["per_s"]
                else f"  {store}: stock completed no turns"
            )
            ratios[-1] += (
                f"; p50 {o['p50_ms']:.0f} vs {s['p50_ms']:.0f} ms; "
                f"CPU per turn (Rasa server) {o['rasa_cpu_ms_per_turn']:.1f} vs "
                f"{s['rasa_cpu_ms_per_turn']:.1f} ms"
            )
    if ratios:
        lines += [
            "",
            "Ours / stock Rasa, REST channel, saturated (same users, same conversations):",
        ]
        lines += ratios
    calibration_notes = []
    for row in rows:
        for problem in row["calibration"].get("problems", []):
            calibration_notes.append(
                f"  {row['assistant']} {row['channel']} {row['store']}: {problem}"
            )
        for sample in row.get("error_samples", []):
            calibration_notes.append(
                f"  error sample, {row['assistant']} {row['channel']} {row['store']} "
                f"{row['mode']}: {sample}"
            )
        if row.get("button_fallbacks"):
            calibration_notes.append(
                f"  {row['assistant']} {row['channel']} {row['store']} {row['mode']}: "
                f"{row['button_fallbacks']} button clicks typed as payloads (button not offered)"
            )
    if calibration_notes:
        lines += ["", "Conversations (calibration, one at a time) and errors:"]
        lines += sorted(set(calibration_notes), key=calibration_notes.index)
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, help="simulated users at once (default 50; quick 20)")
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGET_RATE,
        help=f"turns/s offered in the paced runs, all users together (default {TARGET_RATE:g})",
    )
    parser.add_argument("--duration", type=float, help="measured seconds per run (60; quick 15)")
    parser.add_argument("--warmup", type=float, help="seconds before measuring (5; quick 3)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds before a turn's replies are lost"
    )
    parser.add_argument("--quick", action="store_true", help="fewer users, shorter runs")
    parser.add_argument(
        "--only",
        default=",".join(CHANNELS),
        help="channels, comma-separated: rest,webchat,telegram",
    )
    parser.add_argument(
        "--stores", default=",".join(STORES), help="stores, comma-separated: sqlite,postgres"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WELCOME_TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL,
        help="PostgreSQL server (a fresh schema is made and dropped); "
        "default WELCOME_TEST_DATABASE_URL or " + DEFAULT_POSTGRES_URL,
    )
    parser.add_argument("--stock-model", help="stock Rasa model to compare with")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock comparison")
    parser.add_argument(
        "--train-stock", action="store_true", help="train the stock model first (~15 min)"
    )
    parser.add_argument(
        "--no-telegram-pace",
        action="store_true",
        help="skip the Telegram run with Telegram's own pacing (the channel's defaults)",
    )
    parser.add_argument(
        "--no-saturated",
        action="store_true",
        help="skip the saturated REST runs (and with them the ours/stock ratio)",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(DEFAULT_JSON),
        help=f"also write the results as JSON (default: {DEFAULT_JSON.relative_to(PROJECT_ROOT)})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.users = args.users or (20 if args.quick else 50)
    args.duration = args.duration or (15.0 if args.quick else 60.0)
    args.warmup = args.warmup if args.warmup is not None else (3.0 if args.quick else 5.0)
    for name, allowed in (("only", CHANNELS), ("stores", STORES)):
        values = [v.strip() for v in getattr(args, name).split(",") if v.strip()]
        unknown = [v for v in values if v not in allowed]
        if unknown or not values:
            parser.error(f"--{name}: choose from {', '.join(allowed)}")
        setattr(args, name, values)
    return args


@contextlib.contextmanager
def work_folder(keep: bool) -> Iterator[Path]:
    if keep:
        path = Path(tempfile.mkdtemp(prefix="load-bench-"))
        print(f"work folder (kept): {path}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="load-bench-") as temp:
        yield Path(temp)


def run_benchmark(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = Options(args.users, args.rate, args.warmup, args.duration, args.timeout)
    notes: list[str] = []
    if args.train_stock:
        args.stock_model = str(train_stock())
    stock, stock_note = find_stock_model(args)
    print(stock_note, flush=True)
    notes.append(stock_note)

    problems = channel_problems(args.only)
    channels = [c for c in args.only if c not in problems]
    for name, problem in problems.items():
        notes.append(f"{name}: NOT MEASURED - {problem}")
        print(f"{name}: NOT MEASURED - {problem}", flush=True)
    stores = []
    for store in args.stores:
        problem = database_problem(store, args.postgres_url)
        if problem:
            notes.append(f"{store}: NOT MEASURED - {problem}")
            print(f"{store}: NOT MEASURED - {problem}", flush=True)
        else:
            stores.append(store)
    load_start = load_average()
    print(f"CPUs: {os.cpu_count()}, load average at the start: {load_start}", flush=True)
    if load_start > 0.5 * (os.cpu_count() or 1):
        notes.append(f"WARNING: the machine was busy at the start (load average {load_start}).")

    chosen = script_table(scripts())
    conversations = [{"name": name, **value} for name, value in chosen.items()]
    rows: list[dict] = []
    with work_folder(args.keep) as workdir:
        worker = Worker(workdir / "worker.log")
        try:
            for store in stores:
                try:
                    rows += run_store(
                        store, channels, stock, worker, conversations, options, args, workdir,
                        notes,
                    )  # fmt: skip
                except RuntimeError as error:
                    notes.append(f"{store}: FAILED - {error}")
                    print(f"{store}: FAILED - {error}", flush=True)
        finally:
            worker.close()
    wall_s = time.perf_counter() - started
    if args.json:  # first, so a failing report cannot lose the figures
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "options": asdict(options),
            "channels_measured": channels,
            "stores_measured": stores,
            "conversations": chosen,
            "notes": notes,
            "cpus": os.cpu_count(),
            "wall_s": wall_s,
            "rows": rows,
        }
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print(format_report(rows, notes, options, args))
    print(f"\nload average at the end: {load_average()}; wall time {wall_s:.0f} s")
    if args.json:
        print(f"results written to {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the orchestrator stops us
        asyncio.run(worker_main())
        return 0
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
