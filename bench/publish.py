"""Publishing benchmark: how soon a published change is served, and what chats feel meanwhile.

    .venv/bin/python bench/publish.py                  # every scenario (~8 min on 2 cores)
    .venv/bin/python bench/publish.py --only swap,stock
    .venv/bin/python bench/publish.py --users 20 --seconds 30

One assistant is started as ``welcome run`` starts it (action server, Rasa
server with this repository's channels, REST channel on, a model folder of
its own with a copy of ``models/welcome.tar.gz``), plus Rasa's HTTP API
(``--enable-api``) so that the stock ``PUT /model`` can be compared on the same
server. Scenarios, a function each (``SCENARIOS``; add one by writing
``def scenario_<name>(bench: Bench) -> dict`` and listing it):

- ``baseline``: ``--users`` simulated users chat over REST for ``--seconds``,
  each starting a turn every ``--pace`` seconds: the latencies without a swap.
- ``swap``: the same load; in its middle the model is swapped through the
  door of this project (:mod:`bot.channels.model_swap`, model built in a
  worker thread). Latencies of the turns that overlapped the swap, and of all.
- ``stock``: the same with Rasa's own ``PUT /model`` (loads on the event loop).
- ``faq``: "publish an FAQ and an offer change" as the office does
  (:func:`bot.publishing.publish_and_prepare` in a process of its own, with
  word-by-word Arabic models installed so that machine translations are
  prepared): a new FAQ entry and a changed offer summary are saved as drafts,
  then published half-way through the load; users ask the new question (de,
  ar) and for the offer until they get the new texts. Time from "publish" to
  each new answer, how long the publish request took, and the latencies of
  the turns during the publication against those before it.
- ``training``: "publish a change needing training": an intent example only
  the new model knows is added and :func:`bot.training.Trainer.start` runs
  (data, ``rasa train``, conversation tests, activation, swap); the time until
  a user writing that example gets the greeting, with the steps' times.

A turn fails when it raises, returns an HTTP error or brings no message.
Targets (issue 11): FAQ/content change served <= 5 s; training change served
<= 90 s; during a swap no failed turn and the longest turn <= 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.commands.service import (  # noqa: E402
    _wait_until_up,
    model_path,
    rasa_environment,
    rest_headers,
    send_rest_message,
    start_action_server,
    stop_services,
)
from bot.settings import PROJECT_ROOT, Settings, load_settings  # noqa: E402

TRAINED_MODEL = PROJECT_ROOT / "models" / "welcome.tar.gz"
#: What the users write: a greeting (rule greet -> utter_greet, utter_help).
USER_TEXT = "Hallo"
#: An example only the newly trained model knows as a greeting (scenario training).
NEW_GREETING = "Zwiebelkuchenfest"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class Turn:
    started: float
    ended: float = 0.0
    ok: bool = False

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclasses.dataclass
class Bench:
    settings: Settings
    api_token: str
    users: int
    seconds: float
    pace: float
    work: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    def texts(self, sender: str, text: str) -> list[str]:
        replies = send_rest_message(self.base_url, sender, text, token=self.settings.rest_token)
        return [reply.get("text", "") for reply in replies]

    def load(
        self, during: Callable[[], None] | None = None
    ) -> tuple[list[Turn], tuple[float, float]]:
        """Run the load; call ``during`` half-way. The turns, and when ``during`` ran."""
        stop = threading.Event()
        turns: list[Turn] = []
        lock = threading.Lock()

        def user(number: int) -> None:
            sender = f"bench-{secrets.token_hex(4)}-{number}"
            while not stop.is_set():
                turn = Turn(time.monotonic())
                try:
                    turn.ok = bool(self.texts(sender, USER_TEXT))
                except Exception:  # noqa: BLE001 - counted as a failed turn
                    turn.ok = False
                turn.ended = time.monotonic()
                with lock:
                    turns.append(turn)
                stop.wait(max(0.0, self.pace - turn.seconds))

        threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(self.users)]
        for thread in threads:
            thread.start()
        time.sleep(self.seconds / 2)
        window = (time.monotonic(), time.monotonic())
        if during is not None:
            during()
            window = (window[0], time.monotonic())
        time.sleep(self.seconds / 2)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        return turns, window


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency(turns: list[Turn]) -> dict:
    seconds = [turn.seconds for turn in turns]
    return {
        "turns": len(turns),
        "failed": sum(not turn.ok for turn in turns),
        "p50_ms": round(percentile(seconds, 0.5) * 1000),
        "p95_ms": round(percentile(seconds, 0.95) * 1000),
        "longest_ms": round(max(seconds, default=float("nan")) * 1000),
    }


def overlapping(turns: list[Turn], window: tuple[float, float]) -> list[Turn]:
    return [turn for turn in turns if turn.started <= window[1] and turn.ended >= window[0]]


# --- scenarios ----------------------------------------------------------------


def scenario_baseline(bench: Bench) -> dict:
    turns, _ = bench.load()
    return {"all turns": latency(turns)}


def _variant(bench: Bench, name: str) -> str:
    """A copy of the served model under another name (loading it is the same work)."""
    shutil.copyfile(model_path(bench.settings), bench.settings.model_dir / name)
    return name


def scenario_swap(bench: Bench) -> dict:
    from bot.training.server import request_swap

    name = _variant(bench, "swap-copy.tar.gz")
    answer: dict = {}
    turns, window = bench.load(lambda: answer.update(request_swap(bench.settings, name)))
    return {
        "swap seconds": round(window[1] - window[0], 1),
        "swap state": answer.get("state"),
        "turns during the swap": latency(overlapping(turns, window)),
        "all turns": latency(turns),
    }


def scenario_stock(bench: Bench) -> dict:
    name = _variant(bench, "stock-copy.tar.gz")

    def put_model() -> None:
        request = urllib.request.Request(
            f"{bench.base_url}/model?token={bench.api_token}",
            data=json.dumps({"model_file": str(bench.settings.model_dir / name)}).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()

    turns, window = bench.load(put_model)
    return {
        "swap seconds": round(window[1] - window[0], 1),
        "turns during the swap": latency(overlapping(turns, window)),
        "all turns": latency(turns),
    }


def scenario_training(bench: Bench) -> dict:
    from bot.training import Trainer
    from bot.training.examples import TrainingExample

    example = TrainingExample(
        "greet", "de", NEW_GREETING, "bench", dt.datetime.now(dt.timezone.utc)
    )
    before = bench.texts("bench-training-before", NEW_GREETING)
    trainer = Trainer(bench.settings, examples=lambda: [example], municipalities=list)
    steps: dict[str, float] = {}
    published = time.monotonic()
    trainer.start("Benchmark: neues Beispiel", "bench")
    step = None
    while trainer.busy():
        current = trainer.status().step
        if current != step:
            steps[current] = round(time.monotonic() - published, 1)
            step = current
        time.sleep(0.5)
    status = trainer.status()
    served_after = None
    while time.monotonic() - published < 3600 and status.state == "done":
        if bench.texts(f"bench-training-{secrets.token_hex(3)}", NEW_GREETING) != before:
            served_after = round(time.monotonic() - published, 1)
            break
        time.sleep(0.5)
    return {
        "state": status.state,
        "message": status.message.splitlines()[0],
        "step started after s": steps,
        "rasa train s": status.training_seconds,
        "publish -> new answer served s": served_after,
    }


# --- scenario faq: an FAQ and an offer change published as the office does ---------

FAQ_ID = "bench-bibliotheksausweis"
FAQ_ENTRY = """
  - id: bench-bibliotheksausweis
    question:
      de: Wo bekomme ich einen Bibliotheksausweis?
      en: Where do I get a library card?
    examples:
      de:
        - Wo bekomme ich einen Bibliotheksausweis?
        - Wie kann ich Bücher in der Bücherei ausleihen?
        - bibliotheksausweis beantragen
        - Ich möchte mich in der Stadtbibliothek anmelden
      en:
        - Where do I get a library card?
        - Where do I get a card for the library?
        - how can I borrow books from the library
        - library card application
    answer:
      de: Fragen Sie in der Bücherei Ihrer Stadt nach einem Ausweis. Bringen Sie Ihren Pass mit.
      en: Ask the library of your town for a library card. Bring your passport.
    verified: false
"""
OFFER_SENTENCE = "Die Migrationsberatung ist für Erwachsene ab 27 Jahren."
OFFER_NEW_SENTENCE = "Sie hat jetzt auch eine Sprechstunde am Samstag."
#: Word-by-word test models (ar <-> en), as the content journey test builds them: the
#: Arabic question is read in English, the answer is the translation prepared at publishing.
TO_ENGLISH = {
    "ar": {"أين": "where", "أحصل": "do I get", "على": "a", "بطاقة": "card",
           "للمكتبة؟": "for the library?"},
}  # fmt: skip
FROM_ENGLISH = {
    "ar": {"ask": "اسأل", "library": "المكتبة", "card": "بطاقة", "town": "مدينتك",
           "bring": "أحضر", "passport": "جواز السفر"},
}  # fmt: skip
#: (question, language hint, words the new answer has) per thing a newcomer waits for.
PUBLISHED_QUESTIONS = {
    "FAQ de": ("Wo bekomme ich einen Bibliotheksausweis?", None, ("Bücherei Ihrer Stadt",)),
    "FAQ ar": ("أين أحصل على بطاقة للمكتبة؟", "ar", ("المكتبة", "جواز السفر")),
    "offer de": ("Ich suche eine Migrationsberatung in Böblingen", None, (OFFER_NEW_SENTENCE,)),
}
#: How long a poll waits for a published change (a limit, not the measurement).
SERVED_WITHIN = 120.0


def install_test_models(settings: Settings, work: Path) -> None:
    """Word-by-word ar <-> en models installed and translations prepared, as an operator does."""
    import zipfile

    from bot.processes import rasa_environment

    # tests/ is not a package (and site-packages ships an unrelated `tests`): point the
    # name at ours, so the test helpers and their own imports load.
    project_tests = types.ModuleType("tests")
    project_tests.__path__ = [str(ROOT / "tests")]
    sys.modules["tests"] = project_tests
    from tests.helpers.argos_dictionary import build_dictionary_package

    folder = work / "argos"
    folder.mkdir()
    for language in TO_ENGLISH:
        for source, target, words in (
            (language, "en", TO_ENGLISH[language]),
            ("en", language, FROM_ENGLISH[language]),
        ):
            package = build_dictionary_package(folder / "build", source, target, dict(words))
            archive = folder / f"translate-{source}_{target}-1_0.argosmodel"
            with zipfile.ZipFile(archive, "w") as zipped:
                for path in sorted(package.rglob("*")):
                    zipped.write(path, path.relative_to(package.parent))
    environment = rasa_environment(settings)
    for command in (
        ["languages", "install", *TO_ENGLISH, "--from-file", str(folder)],
        ["content", "translate"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *command],
            cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"welcome {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def save_drafts(settings: Settings) -> None:
    """The new FAQ entry and the changed offer summary, saved as drafts (not served yet)."""
    from bot.content.store import ContentStore

    with ContentStore(settings.database_url) as store:
        drafts = store.draft_texts()
        offers = drafts["offers.yml"]
        if offers.count(OFFER_SENTENCE) != 1:
            raise RuntimeError(f"offers.yml: {OFFER_SENTENCE!r} is not there once")
        store.save_draft("faq.yml", drafts["faq.yml"].rstrip("\n") + "\n" + FAQ_ENTRY, "bench")
        store.save_draft(
            "offers.yml", offers.replace(OFFER_SENTENCE, f"{OFFER_SENTENCE} {OFFER_NEW_SENTENCE}"),
            "bench",
        )  # fmt: skip


def publish_worker() -> int:
    """The office's side (``--publish-worker``): publish when told, as the "Veröffentlichen" button.

    A process of its own, as the office is; imports done before "ready", so
    that the time from "go" is the publish request's.
    """
    from bot.content.store import ContentStore
    from bot.publishing import publish_and_prepare
    from bot.settings import get_settings

    settings = get_settings()
    store = ContentStore(settings.database_url)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    result = publish_and_prepare(store, settings, "bench")
    seconds = time.perf_counter() - started
    print(json.dumps({
        "version": result.publication.version,
        "seconds": round(seconds, 2),
        "translated": sum(item.translated for item in result.translations.translated)
        if result.translations else None,
        "note": result.translation_note,
    }), flush=True)  # fmt: skip
    return 0


def ask(bench: Bench, text: str, language_hint: str | None) -> str:
    body: dict = {"sender": f"bench-published-{secrets.token_hex(4)}", "message": text}
    if language_hint:
        body["metadata"] = {"language_hint": language_hint}
    request = urllib.request.Request(
        f"{bench.base_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode("utf-8"),
        headers=rest_headers(bench.settings.rest_token),
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        replies = json.loads(answer.read().decode("utf-8"))
    return "\n".join(reply.get("text") or "" for reply in replies)


def scenario_faq(bench: Bench) -> dict:
    from bot.processes import rasa_environment

    for what, (question, hint, words) in PUBLISHED_QUESTIONS.items():
        if all(word in ask(bench, question, hint) for word in words):
            raise RuntimeError(f"{what}: already answered before publishing")
    save_drafts(bench.settings)
    worker = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--publish-worker"],
        cwd=PROJECT_ROOT, env=rasa_environment(bench.settings), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None
    if worker.stdout.readline().strip() != "ready":
        raise RuntimeError("the publishing process did not start")
    served: dict[str, float | None] = {}
    published: dict = {}

    def wait_for(what: str, question: str, hint: str | None, words: tuple[str, ...], since: float):
        while time.monotonic() - since < SERVED_WITHIN:
            try:
                if all(word in ask(bench, question, hint) for word in words):
                    served[what] = round(time.monotonic() - since, 2)
                    return
            except Exception:  # noqa: BLE001 - a failed poll: ask again
                pass
            time.sleep(0.2)
        served[what] = None

    def publish() -> None:
        since = time.monotonic()
        worker.stdin.write("go\n")
        worker.stdin.flush()
        pollers = [
            threading.Thread(target=wait_for, args=(what, *asked, since))
            for what, asked in PUBLISHED_QUESTIONS.items()
        ]
        for poller in pollers:
            poller.start()
        published.update(json.loads(worker.stdout.readline()))
        for poller in pollers:
            poller.join()
        worker.wait(timeout=60)

    turns, window = bench.load(publish)
    before = [turn for turn in turns if turn.ended < window[0]]
    return {
        "publish -> new answer served s": served,
        "publish request": published,
        "publication window s": round(window[1] - window[0], 1),
        "turns before publishing": latency(before),
        "turns during the publication": latency(overlapping(turns, window)),
        "all turns": latency(turns),
    }


SCENARIOS: dict[str, Callable[[Bench], dict]] = {
    "baseline": scenario_baseline,
    "swap": scenario_swap,
    "stock": scenario_stock,
    "faq": scenario_faq,
    "training": scenario_training,
}


# --- the assistant ----------------------------------------------------------------


@contextlib.contextmanager
def running(work: Path, *, translation: bool = False) -> Iterator[tuple[Settings, str]]:
    model_dir = work / "models"
    model_dir.mkdir()
    shutil.copyfile(TRAINED_MODEL, model_dir / "welcome.tar.gz")
    settings = load_settings(
        {
            "WELCOME_VAR_DIR": str(work / "var"),
            "WELCOME_MODEL_DIR": str(model_dir),
            "WELCOME_RASA_PORT": str(free_port()),
            "WELCOME_ACTION_PORT": str(free_port()),
            "WELCOME_REST_CHANNEL": "on",
            "WELCOME_REST_TOKEN": secrets.token_hex(16),
            "WELCOME_MODEL_SWAP_TOKEN": secrets.token_hex(16),
            "WELCOME_LOG_LEVEL": "WARNING",
        }
    )
    from bot.store import RequestStore

    (work / "var").mkdir()
    RequestStore(settings.database_url).migrate()
    if translation:
        install_test_models(settings, work)
    api_token = secrets.token_hex(16)
    log = open(work / "services.log", "ab")  # noqa: SIM115 - closed below
    processes = [start_action_server(settings, stdout=log, stderr=log)]
    # `welcome run`'s Rasa command, plus the HTTP API for the stock comparison.
    rasa = subprocess.Popen(
        [sys.executable, "-m", "bot.commands.rasa_cli", "run",
         "--model", str(model_path(settings)),
         "--endpoints", "config/endpoints.yml",
         "--credentials", "config/credentials.yml",
         "--port", str(settings.rasa_port), "--interface", "127.0.0.1",
         "--enable-api", "--auth-token", api_token],
        cwd=PROJECT_ROOT, env=rasa_environment(settings), stdout=log, stderr=log,
    )  # fmt: skip
    processes.append(rasa)
    try:
        if not _wait_until_up(f"http://127.0.0.1:{settings.rasa_port}/", rasa, 300):
            raise RuntimeError(f"the Rasa server did not start; see {work / 'services.log'}")
        yield settings, api_token
    finally:
        stop_services(processes)
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help="scenarios, comma-separated")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40, help="load duration per scenario")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between a user's turns")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--publish-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.publish_worker:
        return publish_worker()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")
    if not TRAINED_MODEL.exists():
        print(f"No trained model at {TRAINED_MODEL}: run `make train` first.")
        return 1
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="welcome-publish-bench-") as folder:
        work = Path(folder)
        with running(work, translation="faq" in chosen) as (settings, api_token):
            bench = Bench(settings, api_token, args.users, args.seconds, args.pace, work)
            bench.texts("bench-warm-up", USER_TEXT)
            for name in chosen:
                print(f"[{name}] …", flush=True)
                results[name] = SCENARIOS[name](bench)
                print(json.dumps(results[name], ensure_ascii=False, indent=1), flush=True)
    print(f"\n{args.users} users, a turn every {args.pace:g} s each, {args.seconds:g} s per run")
    print("scenario | turns | failed | p50 ms | p95 ms | longest ms (during the swap / all)")
    for name in ("baseline", "swap", "stock"):
        if name in results:
            during = results[name].get("turns during the swap")
            whole = results[name]["all turns"]
            part = (
                f"{during['turns']} | {during['failed']} | {during['p50_ms']} | "
                f"{during['p95_ms']} | {during['longest_ms']} / "
                if during
                else ""
            )
            print(
                f"{name} | {part}{whole['turns']} | {whole['failed']} | {whole['p50_ms']} | "
                f"{whole['p95_ms']} | {whole['longest_ms']}"
            )
    if "faq" in results:
        faq = results["faq"]
        print(
            f"faq: publish -> served s {faq['publish -> new answer served s']}; "
            f"publish request {faq['publish request'].get('seconds')} s"
        )
        for label in ("turns before publishing", "turns during the publication", "all turns"):
            row = faq[label]
            print(f"faq, {label} | {row['turns']} | {row['failed']} | {row['p50_ms']} | "
                  f"{row['p95_ms']} | {row['longest_ms']}")  # fmt: skip
    if "training" in results:
        print(f"training: {json.dumps(results['training'], ensure_ascii=False)}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
