"""`welcome train`, `welcome run` and `welcome chat`: the assistant's processes."""

from __future__ import annotations

import argparse
import dataclasses
import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from bot.processes import MODEL_NAME, TRAINING_DATA, model_path, rasa_environment
from bot.settings import PROJECT_ROOT, Settings, get_settings


def office_environment(settings: Settings) -> dict[str, str]:
    """Environment of the office process: the same database and folders, its own options."""
    env = rasa_environment(settings)
    env["WELCOME_OFFICE_HOST"] = settings.office_host
    env["WELCOME_OFFICE_PORT"] = str(settings.office_port)
    env["WELCOME_OFFICE_URL"] = settings.office_url
    env["WELCOME_OFFICE_SECURE_COOKIES"] = "on" if settings.office_secure_cookies else "off"
    env["WELCOME_OFFICE_IDLE_MINUTES"] = str(settings.office_idle_minutes)
    env["WELCOME_OFFICE_TRUSTED_PROXIES"] = str(settings.office_trusted_proxies)
    for name, value in (
        ("WELCOME_OFFICE_SECRET_KEY", settings.office_secret_key),
        ("WELCOME_OFFICE_ADMIN_PASSWORD", settings.office_admin_password),
    ):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def train_command(settings: Settings) -> list[str]:
    return [
        sys.executable, "-m", "bot.commands.rasa_cli", "train",
        "--config", "config/config.yml",
        "--domain", "config/domain",
        "--data", *TRAINING_DATA,
        "--out", str(settings.model_dir),
        "--fixed-model-name", MODEL_NAME,
    ]  # fmt: skip


def train(args: argparse.Namespace) -> int:
    settings = get_settings()
    code = subprocess.call(
        train_command(settings), cwd=PROJECT_ROOT, env=rasa_environment(settings)
    )
    if code != 0:
        return code
    # Answers for the languages with installed models are translated now,
    # once, so that no answer is translated while someone waits for it.
    from bot.commands.language_status import translate_command

    return translate_command(argparse.Namespace(language=None))


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


def start_action_server(settings: Settings, **popen) -> subprocess.Popen:
    """Start the action server; return once it answers."""
    env = rasa_environment(settings)
    actions = subprocess.Popen(
        [sys.executable, "-m", "actions", "--actions", "actions",
         "--port", str(settings.action_port)],
        cwd=PROJECT_ROOT, env=env, **popen,
    )  # fmt: skip
    if not _wait_until_up(f"http://127.0.0.1:{settings.action_port}/health", actions, 60):
        stop_services([actions])
        raise RuntimeError("the action server did not start (see its log above)")
    return actions


def start_services(
    settings: Settings, credentials: Path | None = None, **popen
) -> list[subprocess.Popen]:
    """Start the action server and the Rasa server; return once both answer.

    ``credentials`` names the channels (default ``config/credentials.yml``).
    """
    actions = start_action_server(settings, **popen)
    rasa = subprocess.Popen(
        [sys.executable, "-m", "bot.commands.rasa_cli", "run",
         "--model", str(model_path(settings)),
         "--endpoints", "config/endpoints.yml",
         "--credentials", str(credentials or PROJECT_ROOT / "config" / "credentials.yml"),
         "--port", str(settings.rasa_port),
         "--interface", settings.rasa_interface,
         "--cors", *settings.cors_origins],
        cwd=PROJECT_ROOT, env=rasa_environment(settings), **popen,
    )  # fmt: skip
    if not _wait_until_up(f"http://127.0.0.1:{settings.rasa_port}/", rasa, 180):
        stop_services([actions, rasa])
        raise RuntimeError("the Rasa server did not start (see its log above)")
    return [actions, rasa]


def start_office(settings: Settings, **popen) -> subprocess.Popen:
    """Start the office app (`welcome office`); return once its login page answers."""
    from bot.commands.office import office_command

    office = subprocess.Popen(
        office_command(settings), cwd=PROJECT_ROOT, env=office_environment(settings), **popen
    )
    if not _wait_until_up(f"http://127.0.0.1:{settings.office_port}/login", office, 60):
        stop_services([office])
        raise RuntimeError("the office app did not start (see its log above)")
    return office


def stop_services(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def rest_status_line(settings: Settings, base: str) -> str:
    """Whether the REST channel is on and who may use it (bot/channels/rest.py)."""
    if not settings.rest_channel:
        return "off (WELCOME_REST_CHANNEL=on switches it on for `welcome chat`)"
    who = (
        "with WELCOME_REST_TOKEN"
        if settings.rest_token
        else "for programs on this machine only (no WELCOME_REST_TOKEN)"
    )
    return (
        f"on, {who}\n"
        f"                          POST {base}/webhooks/rest/webhook\n"
        '                          {"sender": "me", "message": "Hallo"}'
    )


def with_model_swap_token(settings: Settings) -> Settings:
    """``settings`` with a model swap token: the configured one, else a new one for this start.

    The Rasa server and the office (which asks for swaps) get it through
    their environment; it is never printed.
    """
    if settings.model_swap_token:
        return settings
    return dataclasses.replace(settings, model_swap_token=secrets.token_urlsafe(32))


def run(args: argparse.Namespace) -> int:
    settings = with_model_swap_token(get_settings())
    if not model_path(settings).exists():
        print(f"No trained model at {model_path(settings)}. Run `welcome train` first.")
        return 1
    from bot.store import RequestStore

    RequestStore(settings.database_url).migrate()
    # `docker stop` and systemd send SIGTERM: stop the servers as on Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    from bot.commands.telegram import poll_process_command, status_line
    from bot.outbox.telegram import configuration_problem

    problem = configuration_problem(settings)
    if problem:
        print(f"welcome run: Telegram: {problem}", file=sys.stderr)
        return 1
    try:
        processes = start_services(settings)
    except RuntimeError as error:
        print(f"welcome run: {error}", file=sys.stderr)
        return 1
    try:
        processes.append(start_office(settings))
    except RuntimeError as error:
        stop_services(processes)
        print(f"welcome run: {error}", file=sys.stderr)
        return 1
    if settings.telegram_bot_token and not settings.telegram_webhook_url:
        # No public HTTPS: fetch updates with getUpdates next to the Rasa server.
        processes.append(
            subprocess.Popen(
                poll_process_command(), cwd=PROJECT_ROOT, env=rasa_environment(settings)
            )
        )
    base = f"http://localhost:{settings.rasa_port}"
    print(
        "\nWillkommenslotse is running.\n"
        f"  Chat in this terminal:  .venv/bin/welcome chat   (or: make chat)\n"
        f"  REST channel:           {rest_status_line(settings, base)}\n"
        f"  Action server:          http://127.0.0.1:{settings.action_port}/health\n"
        f"  Web chat:               {base}/chat\n"
        f'  Embed on a website:     <script src="{base}/webhooks/webchat/webchat.js" defer>\n'
        f"  Telegram:               {status_line(settings)}\n"
        f"  Office:                 {settings.office_url}\n"
        "Stop with Ctrl-C.\n",
        flush=True,
    )
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(1)
        print("welcome run: a service stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        stop_services(processes)


def rest_headers(token: str | None) -> dict[str, str]:
    """Headers of a request to the REST channel (its token, when one is set)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def send_rest_message(
    base_url: str, sender: str, text: str, timeout: float = 30, *, token: str | None = None
) -> list[dict]:
    """One message through the REST channel; the bot's replies (``token``: WELCOME_REST_TOKEN)."""
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers=rest_headers(token),
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode())


def _refused(error: urllib.error.HTTPError, base: str) -> str:
    """What to do when the REST channel refuses ``welcome chat``."""
    try:
        reason = json.loads(error.read().decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, OSError):
        reason = f"HTTP {error.code}"
    hints = {
        404: "Start the assistant with WELCOME_REST_CHANNEL=on (`make run` does).",
        401: "Set WELCOME_REST_TOKEN here as for the assistant.",
    }
    return f"The assistant at {base} refused: {reason} {hints.get(error.code, '')}".rstrip()


def chat(args: argparse.Namespace) -> int:
    settings = get_settings()
    base = args.url or f"http://localhost:{settings.rasa_port}"
    sender = args.sender or f"terminal-{uuid.uuid4().hex[:8]}"
    print("Type a message (empty line or Ctrl-D to quit). Buttons: type their number.")
    buttons: list[dict] = []
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            return 0
        if not text:
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send_rest_message(base, sender, text, token=settings.rest_token)
        except urllib.error.HTTPError as error:
            print(_refused(error, base))
            return 1
        except (urllib.error.URLError, OSError) as error:
            print(f"Cannot reach the assistant at {base} ({error}). Is `make run` running?")
            return 1
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(reply["text"])
            for button in reply.get("buttons", []):
                buttons.append(button)
                print(f"  [{len(buttons)}] {button['title']}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train the Rasa model (models/welcome.tar.gz)")
    parser.set_defaults(func=train)
    parser = subparsers.add_parser(
        "run", help="start the action server, the Rasa server and the office app"
    )
    parser.set_defaults(func=run)
    parser = subparsers.add_parser("chat", help="chat with a running assistant in the terminal")
    parser.add_argument("--url", help="base URL of the Rasa server (default: localhost)")
    parser.add_argument("--sender", help="conversation id (default: a new random one)")
    parser.set_defaults(func=chat)
