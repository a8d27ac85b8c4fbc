"""Who may use the REST channel when ``welcome run`` serves it (bot/channels/rest.py).

Two real ``welcome run`` processes (action server + Rasa server, as an
operator starts them): one with the defaults (REST off), one with
``WELCOME_REST_CHANNEL=on`` and no token, listening on all interfaces (as the
Docker image does), so that a request from this machine's own network address
shows what a request from elsewhere gets. With a token, see
tests/e2e/test_rest_channel.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, load_settings
from tests.e2e.support import post_message, stored_events
from tests.helpers.services import free_port

pytestmark = pytest.mark.model


@dataclass
class WelcomeRun:
    process: subprocess.Popen
    port: int
    database_url: str
    lines: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextmanager
def welcome_run(tmp_path: Path, **environ: str) -> Iterator[WelcomeRun]:
    """``welcome run`` with ``environ``; yields once it has printed its start-up message."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WELCOME_", "TELEGRAM_"))
    }
    port = free_port()
    env.update(
        WELCOME_VAR_DIR=str(tmp_path),
        WELCOME_RASA_PORT=str(port),
        WELCOME_ACTION_PORT=str(free_port()),
        WELCOME_OFFICE_PORT=str(free_port()),
        WELCOME_MODEL_DIR=str(PROJECT_ROOT / "models"),
        **environ,
    )
    settings = load_settings(env)
    if not model_path(settings).exists():
        pytest.skip(f"no trained model at {model_path(settings)}; run `make train`")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = WelcomeRun(process, port, settings.database_url)
    reader = threading.Thread(target=lambda: run.lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while "Stop with Ctrl-C" not in run.output:
            assert process.poll() is None, run.output[-3000:]
            assert time.monotonic() < deadline, run.output[-3000:]
            time.sleep(0.5)
        yield run
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        reader.join(timeout=10)


def own_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def say_over_webchat(base_url: str, sender: str, text: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/webhooks/webchat/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def test_the_rest_channel_is_off_by_default(tmp_path: Path) -> None:
    with welcome_run(tmp_path) as run:
        assert "REST channel:           off" in run.output
        sender = f"rest-{uuid.uuid4().hex[:12]}"
        status, body = post_message(run.base_url, sender, "Hallo")
        assert status == 404, body[:300]
        assert "WELCOME_REST_CHANNEL" in json.loads(body)["error"]
        # Off is off for the token too: there is none to guess.
        status, _ = post_message(run.base_url, sender, "Hallo", token="anything")
        assert status == 404
        # The server is up: the web chat answers on the same port.
        assert say_over_webchat(run.base_url, f"web-{uuid.uuid4().hex}", "Hallo") == 200
        assert stored_events(run.database_url, sender) == []


def test_without_a_token_only_programs_on_this_machine_may_use_it(tmp_path: Path) -> None:
    with welcome_run(tmp_path, WELCOME_REST_CHANNEL="on", WELCOME_RASA_INTERFACE="0.0.0.0") as run:
        assert "for programs on this machine only" in run.output

        # A program on this machine (welcome chat, a test): answered.
        local = f"rest-{uuid.uuid4().hex[:12]}"
        status, body = post_message(run.base_url, local, "Hallo")
        assert status == 200, body[:300]
        assert json.loads(body), "no reply"

        # Through a proxy on this machine, or from a web page in a local browser: refused.
        refused = f"rest-{uuid.uuid4().hex[:12]}"
        for headers in (
            {"X-Forwarded-For": "203.0.113.7"},
            {"Forwarded": "for=203.0.113.7;proto=https"},
            {"X-Real-IP": "203.0.113.7"},
            {"Via": "1.1 proxy"},
            {"Origin": "https://evil.example"},
        ):
            status, body = post_message(run.base_url, refused, "Hallo", headers=headers)
            assert status == 403, (headers, body[:300])

        # Another channel's conversation: refused even from here.
        web = f"web-{uuid.uuid4().hex}"
        assert say_over_webchat(run.base_url, web, "Hallo") == 200
        before = stored_events(run.database_url, web)
        status, _ = post_message(run.base_url, web, "/delete_data")
        assert status == 403
        assert stored_events(run.database_url, web) == before

        # From this machine's network address, as from anywhere else: refused.
        address = own_address()
        if address is not None:
            status, body = post_message(f"http://{address}:{run.port}", refused, "Hallo")
            assert status == 403, body[:300]
            assert "this machine" in json.loads(body)["error"]
        assert stored_events(run.database_url, refused) == []


def test_the_rules_without_a_server() -> None:
    from sanic.compat import Header

    from bot.channels.rest import refusal

    # A token that is set is needed from everywhere, loopback included.
    assert refusal("s3cret", "203.0.113.7", Header({"Authorization": "Bearer s3cret"})) is None
    assert refusal("s3cret", "127.0.0.1", Header({}))[0] == 401
    assert refusal("s3cret", "127.0.0.1", Header({"authorization": "bearer s3cret2"}))[0] == 401
    # Without one: loopback (IPv4, IPv6, IPv4-mapped), straight from a program.
    for local in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        assert refusal(None, local, Header({})) is None, local
    for remote in ("203.0.113.7", "192.168.1.5", "::ffff:10.0.0.1", "", "unix-socket"):
        assert refusal(None, remote, Header({}))[0] == 403, remote
    assert refusal(None, "127.0.0.1", Header({"x-forwarded-proto": "https"}))[0] == 403
    assert refusal(None, "127.0.0.1", Header({"Origin": "null"}))[0] == 403
