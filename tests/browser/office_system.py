"""The whole system as an operator runs it (`welcome run`), for the office's end-to-end tests.

`welcome run` starts the action server, the Rasa server (Telegram and the web
chat) and the office app; outside services are real servers on 127.0.0.1: the
fake Telegram Bot API (newcomers' bot and the staff group's bot, each its own
server and token), an SMTP server (aiosmtpd), and word-by-word translation
models for Arabic and German (installed with `welcome languages install
--from-file`, as on an offline server).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, get_settings
from tests.helpers.argos_dictionary import build_dictionary_package
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.services import free_port

STAFF_TOKEN = "654321:STAFF-fake-token"
STAFF_CHAT = "-1001234567"
ADMIN_PASSWORD = "Verwaltung-für-Tests-2026"
COORDINATOR = ("anna", "Anna Berger", "Koordination-Passwort-2026")

# What the word-by-word models know: the coordinator's reply, the newcomer's answer.
# "Termin bestätigt" -> "appointment confirmed" -> "موعد مؤكد", and back.
TO_ENGLISH = {
    "ar": {"موعد": "appointment", "مؤكد": "confirmed", "شكرا": "thanks"},
    "de": {"termin": "appointment", "bestätigt": "confirmed", "danke": "thanks"},
}
FROM_ENGLISH = {
    "ar": {"appointment": "موعد", "confirmed": "مؤكد", "thanks": "شكرا"},
    "de": {"appointment": "Termin", "confirmed": "bestätigt", "thanks": "danke"},
}


def build_models(
    folder: Path,
    to_english: Mapping[str, Mapping[str, str]] = TO_ENGLISH,
    from_english: Mapping[str, Mapping[str, str]] = FROM_ENGLISH,
) -> Path:
    """``.argosmodel`` files <language> <-> en for every language of the dictionaries.

    By default ar <-> en and de <-> en with the office journey's words.
    """
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "build"
    for language in to_english:
        for source, target, dictionary in (
            (language, "en", dict(to_english[language])),
            ("en", language, dict(from_english[language])),
        ):
            package = build_dictionary_package(work, source, target, dictionary)
            with zipfile.ZipFile(folder / f"translate-{source}_{target}-1_0.argosmodel", "w") as z:
                for path in sorted(package.rglob("*")):
                    z.write(path, path.relative_to(package.parent))
    return folder


@dataclass
class OfficeSystem:
    env: dict[str, str]
    newcomers: FakeTelegram
    staff: FakeTelegram
    smtp: object
    log_path: Path

    @property
    def office_url(self) -> str:
        return f"http://127.0.0.1:{self.env['WELCOME_OFFICE_PORT']}"

    @property
    def chat_url(self) -> str:
        return f"http://127.0.0.1:{self.env['WELCOME_RASA_PORT']}"

    @property
    def database_url(self) -> str:
        return self.env["WELCOME_DATABASE_URL"]

    def welcome(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=PROJECT_ROOT, env=self.env, input=stdin, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip


def _wait_for(url: str, process: subprocess.Popen, seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`welcome run` stopped; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s; see {log_path}")


@contextlib.contextmanager
def running_office_system(
    var_dir: Path,
    smtp,
    *,
    models: Callable[[Path], Path] = build_models,
    languages: tuple[str, ...] = ("ar",),
    prepare_translations: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[OfficeSystem]:
    """`welcome run` with Telegram, the web chat, the office, e-mail and translation models.

    Args:
        models: builds the ``.argosmodel`` files into the folder it is given
            (default: the office journey's ar/de word-by-word models).
        languages: installed with ``welcome languages install LANG... --from-file``.
        prepare_translations: run ``welcome content translate`` before the start,
            as an operator does after installing models.
        extra_env: more settings (e.g. ``WELCOME_REST_CHANNEL=on``).

    The trained model is copied into ``var_dir``: nothing the system does (a
    training, a model swap) can touch the project's ``models/``.
    """
    trained = model_path(get_settings())
    model_dir = var_dir / "rasa-models"
    model_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(trained, model_dir / trained.name)
    with FakeTelegram() as newcomers, FakeTelegram(token=STAFF_TOKEN) as staff:
        env = {
            **os.environ,
            "WELCOME_VAR_DIR": str(var_dir),
            "WELCOME_DATABASE_URL": f"sqlite:///{var_dir / 'welcome.db'}",
            "WELCOME_RASA_PORT": str(free_port()),
            "WELCOME_ACTION_PORT": str(free_port()),
            "WELCOME_OFFICE_PORT": str(free_port()),
            "WELCOME_MODEL_DIR": str(model_dir),
            "WELCOME_TRANSLATION_DIR": str(var_dir / "translation"),
            "TELEGRAM_BOT_TOKEN": newcomers.token,
            "TELEGRAM_API_BASE_URL": newcomers.base_url,
            "WELCOME_OFFICE_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "WELCOME_OFFICE_SECURE_COOKIES": "off",
            "WELCOME_SMTP_HOST": "127.0.0.1",
            "WELCOME_SMTP_PORT": str(smtp.port),
            "WELCOME_SMTP_STARTTLS": "off",
            "WELCOME_STAFF_TELEGRAM_BOT_TOKEN": staff.token,
            "WELCOME_STAFF_TELEGRAM_API_BASE_URL": staff.base_url,
            "WELCOME_STAFF_TELEGRAM_CHAT_ID": STAFF_CHAT,
        }
        for name in ("TELEGRAM_WEBHOOK_URL", "WELCOME_REST_CHANNEL", "WELCOME_OFFICE_URL"):
            env.pop(name, None)
        env["WELCOME_OFFICE_URL"] = f"http://127.0.0.1:{env['WELCOME_OFFICE_PORT']}"
        env.update(extra_env or {})
        log_path = var_dir / "welcome-run.log"
        system = OfficeSystem(env, newcomers, staff, smtp, log_path)
        installed = system.welcome(
            "languages", "install", *languages, "--from-file", str(models(var_dir / "models"))
        )
        if installed.returncode != 0:
            raise RuntimeError(installed.stdout + installed.stderr)
        if prepare_translations:
            prepared = system.welcome("content", "translate")
            if prepared.returncode != 0:
                raise RuntimeError(prepared.stdout + prepared.stderr)
        username, name, password = COORDINATOR
        added = system.welcome(
            "users", "add", username, "--role", "coordinator", "--name", name,
            "--password-stdin", stdin=password + "\n",
        )  # fmt: skip
        if added.returncode != 0:
            raise RuntimeError(added.stdout + added.stderr)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            _wait_for(f"{system.office_url}/login", process, 180, log_path)
            _wait_for(f"{system.chat_url}/webhooks/webchat/", process, 180, log_path)
            yield system
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
