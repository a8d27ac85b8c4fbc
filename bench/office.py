"""Office benchmark: the coordination office's pages with 10,000 stored requests,
and the assistant's turns while coordinators send translated replies.

    .venv/bin/python bench/office.py                 # SQLite, and PostgreSQL if configured
    .venv/bin/python bench/office.py --quick         # fewer samples
    .venv/bin/python bench/office.py --only pages    # or: turns

Part 1, pages: 10,000 requests (all categories, languages, towns, channels and
statuses, a fifth held by someone, each with a short history) are written
straight into a fresh database; the office app runs on waitress (as under
`welcome office`) in this process; a signed-in coordinator's browser is played
by ``urllib`` with a cookie jar. For each page the median and p95 of the
server's answer time (request sent to last byte read) over many requests:
the queue (no filter, and filtered: unclaimed, category + town, language +
channel, a late page), the queue's list refresh, and detail pages of random
requests. PostgreSQL runs when WELCOME_BENCH_DATABASE_URL or
WELCOME_TEST_DATABASE_URL names a server (a schema of its own is made and dropped).

Part 2, turns: the real assistant (Rasa server + action server, REST
channel, SQLite) with N simulated newcomers chatting (greeting, offers
search, help); once alone, once while a "coordinator" thread translates a
German reply (de -> en -> ar with two Transformer-base-sized Argos packages,
the compute of the official models) and sends it through the casework every
``--reply-every`` seconds. Printed: turn p50/p95/longest and the ratio with
replies / without. Target: p95 not worse by more than 10 %.

Everything runs on the same cores; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python bench/office.py`
    sys.path.insert(0, str(PROJECT_ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.settings import load_settings  # noqa: E402
from bot.store import RequestStore  # noqa: E402
from bot.store.models import CaseEntry, HandoffRequest, StaffUser  # noqa: E402
from bot.vocabulary import HANDOFF_CATEGORIES  # noqa: E402

REQUESTS = 10_000
LANGUAGES = ("ar", "uk", "tr", "fa", "ru", "de", "en", "ro", "prs", "ti")
TOWNS = ("Böblingen", "Sindelfingen", "Leonberg", "Herrenberg", "Weil der Stadt", "Holzgerlingen")
CHANNELS = ("telegram", "webchat", "rest")
STATUSES = ("new", "in_progress", "waiting", "done")
PASSWORD = "bench-password-2026-office"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- part 1: pages ----------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'office-bench.db'}"
        return
    server = os.environ.get("WELCOME_BENCH_DATABASE_URL") or os.environ.get(
        "WELCOME_TEST_DATABASE_URL"
    )
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def fill(url: str, count: int, rng: random.Random) -> tuple[list[str], int]:
    """``count`` requests with short histories, and a coordinator; (references, staff id)."""
    from argon2 import PasswordHasher

    store = RequestStore(url)
    store.migrate()
    store.close()
    engine = sa.create_engine(url)
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as connection:
        staff_ids = []
        for number in range(8):
            result = connection.execute(
                StaffUser.__table__.insert().values(
                    username=f"coordinator{number}",
                    display_name=f"Koordinatorin {number}",
                    role="coordinator",
                    password_hash=PasswordHasher().hash(PASSWORD),
                    created_at=now,
                )
            )
            staff_ids.append(int(result.inserted_primary_key[0]))
        references, rows = [], []
        for number in range(count):
            created = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 365))
            town = rng.choice(TOWNS)
            reference = f"WL-B{number:05d}"
            references.append(reference)
            status = rng.choice(STATUSES)
            held = status != "new" and rng.random() < 0.8
            rows.append(
                {
                    "reference": reference,
                    "created_at": created,
                    "updated_at": created + dt.timedelta(hours=rng.randint(0, 48)),
                    "sender_id": f"tg-{7_000_000 + number}",
                    "channel": rng.choice(CHANNELS),
                    "category": rng.choice(HANDOFF_CATEGORIES),
                    "language": rng.choice(LANGUAGES),
                    "fields": {
                        "municipality": town,
                        "contact": "+4915123456789",
                        "handoff_note": "Ich habe eine Frage zu meinem Sprachkurs " * 3,
                    },
                    "excerpt": [
                        {"role": "user", "text": "مرحبا، أحتاج مساعدة", "text_de": "Hallo"},
                        {"role": "bot", "text": "Gern, worum geht es?"},
                    ]
                    * 4,
                    "status": status,
                    "town": town,
                    "assignee_id": rng.choice(staff_ids) if held else None,
                    "held": held,
                    "consent_at": created,
                }
            )
        for start in range(0, len(rows), 1000):
            connection.execute(HandoffRequest.__table__.insert(), rows[start : start + 1000])
        ids = connection.execute(sa.select(HandoffRequest.__table__.c.id)).scalars().all()
        entries = [
            {
                "request_id": request_id,
                "created_at": now,
                "kind": kind,
                "staff_name": "Koordinatorin 1",
                "text": None if kind == "claimed" else "Guten Tag, wir kümmern uns darum.",
            }
            for request_id in ids
            for kind in ("claimed", "reply", "note")
        ]
        for start in range(0, len(entries), 3000):
            connection.execute(CaseEntry.__table__.insert(), entries[start : start + 3000])
    engine.dispose()
    return references, staff_ids[0]


class Browser:
    """A signed-in coordinator: cookies kept, CSRF token read from the login form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read()

    def login(self, username: str, password: str) -> None:
        _, page = self.get("/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        data = urllib.parse.urlencode(
            {"csrf_token": token.group(1).decode(), "username": username, "password": password}
        ).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=30) as response:
            if "/login" in response.url:
                raise RuntimeError("login failed")

    def timed(self, path: str) -> float:
        started = time.perf_counter()
        status, _ = self.get(path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        return elapsed


@contextlib.contextmanager
def office_server(url: str, folder: Path) -> Iterator[str]:
    import socket

    from waitress.server import create_server

    from bot.office.app import create_app

    settings = load_settings(
        {
            "WELCOME_VAR_DIR": str(folder),
            "WELCOME_DATABASE_URL": url,
            "WELCOME_OFFICE_SECURE_COOKIES": "off",
        }
    )
    app = create_app(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.task_dispatcher.shutdown()  # the worker threads first: then nothing writes
        server.close()


def bench_pages(backend: str, samples: int, count: int) -> list[tuple[str, float, float]]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        started = time.perf_counter()
        references, _ = fill(url, count, rng)
        print(f"  [{backend}] {count} requests stored in {time.perf_counter() - started:.1f} s")
        with office_server(url, Path(tmp)) as base:
            browser = Browser(base)
            browser.login("coordinator0", PASSWORD)
            pages = {
                "queue": lambda: "/anfragen",
                "queue, unclaimed": lambda: "/anfragen?holder=unclaimed",
                "queue, category + town": lambda: "/anfragen?category=interpreter&town=Leonberg",
                "queue, language + channel": lambda: "/anfragen?language=ar&channel=telegram",
                "queue, page 40": lambda: "/anfragen?page=40",
                "queue list refresh": lambda: "/anfragen/liste?status=open",
                "detail": lambda: f"/anfragen/{rng.choice(references)}",
            }
            results = []
            for name, path in pages.items():
                for _ in range(3):  # warm-up
                    browser.timed(path())
                times = [browser.timed(path()) for _ in range(samples)]
                results.append((name, statistics.median(times), percentile(times, 0.95)))
        return results


# --- part 2: turns ----------------------------------------------------------------------

SCRIPTS = (
    ("Hallo", "Ich suche einen Deutschkurs in Böblingen", "Danke"),
    ("Hello", "What can you do?", "Thank you"),
    ("مرحبا", "أبحث عن دورة لغة ألمانية", "شكرا"),
)


def run_phase(assistant, users: int, seconds: float, send_reply, reply_every: float):
    """``users`` newcomers chat for ``seconds``; ``send_reply`` runs every ``reply_every`` s."""
    stop = threading.Event()
    latencies: list[float] = []
    replies = [0]

    def coordinator() -> None:
        while not stop.wait(reply_every):
            send_reply()
            replies[0] += 1

    def newcomer(number: int) -> None:
        script = SCRIPTS[number % len(SCRIPTS)]
        sender = f"bench-{number}-{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + seconds
        turn = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            assistant.send(sender, script[turn % len(script)])
            latencies.append(time.perf_counter() - started)
            turn += 1
            time.sleep(0.5)

    helper = threading.Thread(target=coordinator, daemon=True)
    if send_reply is not None:
        helper.start()
    threads = [threading.Thread(target=newcomer, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    if send_reply is not None:
        helper.join()
    return latencies, replies[0]


def import_repository_tests() -> None:
    """Make this repository's tests/ importable as ``tests`` (site-packages ships another)."""
    package = ModuleType("tests")
    package.__path__ = [str(PROJECT_ROOT / "tests")]
    sys.modules["tests"] = package


def bench_turns(users: int, seconds: float, reply_every: float) -> dict[str, list[float]]:
    import_repository_tests()
    from bot.casework.store import Casework, Staff
    from bot.translation.engine import Translator
    from bot.translation.runtime import from_german
    from tests.helpers.argos_packages import build_argos_package
    from tests.helpers.services import running_assistant, test_settings

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = test_settings(folder)
        packages = folder / "office-models"
        packages.mkdir(parents=True)
        build_argos_package(packages, "de", "en", size="base", seed=1)
        build_argos_package(packages, "en", "ar", size="base", seed=2)
        translator = Translator(packages)
        with running_assistant(settings, folder / "services.log") as assistant:
            store = RequestStore(settings.database_url)
            reference = store.save_request(
                sender_id="tg-99", channel="telegram", category="human", language="ar",
                fields={"contact": "+4915123456789"}, excerpt=[],
            ).reference  # fmt: skip
            engine = sa.create_engine(settings.database_url)
            with engine.begin() as connection:
                staff_id = connection.execute(
                    StaffUser.__table__.insert().values(
                        username="anna", display_name="Anna", role="coordinator",
                        password_hash="-", created_at=dt.datetime.now(dt.timezone.utc),
                    )
                ).inserted_primary_key[0]  # fmt: skip
            engine.dispose()
            casework = Casework(settings.database_url)
            staff = Staff(staff_id, "Anna")

            def send_reply() -> None:
                text = "Guten Tag, Ihr Termin beim Ausländeramt ist am Montag um 10 Uhr."
                reply = from_german(text, "ar", translator)
                casework.reply(
                    reference, staff, text, reply.text, reply.language, reply.machine_translated
                )

            # Warm-up, not counted: the first turns load what the servers load lazily.
            run_phase(assistant, users, min(seconds, 15), None, reply_every)
            send_reply()
            for label, replying in (("without replies", False), ("with replies", True)):
                latencies, replies = run_phase(
                    assistant, users, seconds, send_reply if replying else None, reply_every
                )
                results[label] = latencies
                print(
                    f"  {label}: {len(latencies)} turns, {replies} replies sent, "
                    f"load {load_average()}"
                )
            casework.close()
            store.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, shorter runs")
    parser.add_argument("--only", choices=("pages", "turns"))
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests stored")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--reply-every", type=float, default=2.0)
    args = parser.parse_args()
    samples = 40 if args.quick else 200
    seconds = 20 if args.quick else 60

    if args.only in (None, "pages"):
        backends = ["sqlite"]
        if os.environ.get("WELCOME_BENCH_DATABASE_URL") or os.environ.get(
            "WELCOME_TEST_DATABASE_URL"
        ):
            backends.append("postgresql")
        print(f"Office pages, {args.requests} requests stored, {samples} samples each")
        for backend in backends:
            rows = bench_pages(backend, samples, args.requests)
            print(f"  [{backend}] load {load_average()}")
            print(f"  {'page':28} {'p50 ms':>8} {'p95 ms':>8}  target p95 <= 150 ms")
            for name, p50, p95 in rows:
                flag = "ok" if p95 <= 0.150 else "MISSED"
                print(f"  {name:28} {p50 * 1000:8.1f} {p95 * 1000:8.1f}  {flag}")
    if args.only in (None, "turns"):
        print(f"\nAssistant turns, {args.users} newcomers, a reply every {args.reply_every} s")
        results = bench_turns(args.users, seconds, args.reply_every)
        base = percentile(results["without replies"], 0.95)
        for label, values in results.items():
            p95 = percentile(values, 0.95)
            print(
                f"  {label:16} p50 {statistics.median(values) * 1000:7.1f} ms  "
                f"p95 {p95 * 1000:7.1f} ms  longest {max(values) * 1000:7.1f} ms  "
                f"p95 ratio {p95 / base:.2f}"
            )
        ratio = percentile(results["with replies"], 0.95) / base
        print(f"  target: p95 not worse by more than 10 % -> {'ok' if ratio <= 1.10 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
