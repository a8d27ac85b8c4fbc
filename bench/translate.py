"""Translation benchmark: our engine (bot/translation/engine.py) with official-size models.

No registry ships Argos models, so the benchmark builds two with the shape of
the official ones -- int8 Transformer-base (6+6 layers, d_model 512, FFN 2048,
8 heads, 32k sentencepiece vocabulary) -- with random weights: the same
compute per token as a real model. A random decoder would never stop, so the
test models are rigged to end a sentence after about 30 pieces (a 20-word
sentence's worth; see tests/helpers/argos_packages.py).

    .venv/bin/python bench/translate.py            # full run (a few minutes)
    .venv/bin/python bench/translate.py --quick    # fewer repetitions (~1 minute)
    .venv/bin/python bench/translate.py --json     # also write results/translate-bench.json

It prints, for de->en and en->ro (and the de->en->ro pivot):

- model load time;
- latency p50/p95 of one 20-word sentence per hop and for the pivot, with
  beam 2 (our default) and beam 4 (argostranslate's default);
- throughput with batching: 32 sentences one call each vs one
  ``translate_many`` call (sentences/s);
- RSS growth per loaded model, measured in a fresh process;
- the stock path, measured in the same run: argostranslate's own
  ``PackageTranslation`` (its sentence splitter swapped for ours, because its
  own downloads a model; same thread count as ours unless
  ``ARGOS_INTRA_THREADS`` is set) against our engine.

It also runs the real assistant (``--only answers``; needs the trained model
``models/welcome.tar.gz``) with word-by-word test models for Romanian, Polish
and French installed and their answers prepared by ``welcome content
translate``, talks to it through the REST channel in those languages, and
reports the share of bot messages served without runtime translation:

- each message is checked line by line against what may be served: the
  prepared translations and curated texts of that language, the marker line,
  "Label: value" lines with a prepared or curated label, and lines made only of
  names, addresses on the web, phone numbers and the like; a message with
  prepared text must be followed by the marker in the same reply;
- the translation cache table is read after the servers stopped: every
  runtime translation leaves one row per new text, and only the user's own
  texts may be among them (to English for the NLU, to German for the office).

    .venv/bin/python bench/translate.py --only answers   # only this part (under a minute)
    .venv/bin/python bench/translate.py --only models    # only the engine figures

Targets (issue 3, 2 cores): pivot p95 <= 600 ms, <= 100 MB RSS per loaded
model, 100 % of bot answers served without runtime translation. Timings
depend on what else runs; the load average is printed. Sections are functions
in ``SECTIONS`` (engine, on the built models) and ``ANSWER_SECTIONS`` (the
running assistant): add one to extend the report.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python bench/translate.py`
    sys.path.insert(0, str(PROJECT_ROOT))

# Before this script sets ARGOS_* for its own engine: the assistant's processes get this.
ENVIRONMENT_AT_START = dict(os.environ)

DEFAULT_JSON = PROJECT_ROOT / "results" / "translate-bench.json"
PACKAGE_BUILDER = PROJECT_ROOT / "tests" / "helpers" / "argos_packages.py"

TARGET_PIVOT_P95_MS = 600.0
TARGET_RSS_PER_MODEL_MB = 100.0
OUR_BEAM = 2
ARGOS_BEAM = 4
BATCH = 32

# 20 words each: the length the latency target is about.
GERMAN = [
    "Ich suche seit drei Monaten eine Wohnung in Böblingen und brauche Hilfe bei der Anmeldung "
    "im Rathaus.",
    "Meine Tochter möchte nach den Sommerferien einen Deutschkurs besuchen, aber wir wissen "
    "nicht, wo wir fragen sollen.",
    "Das Jobcenter hat mir einen Brief geschickt, den ich nicht verstehe, und ich habe "
    "morgen einen Termin dort.",
    "Können Sie mir bitte sagen, welche Unterlagen ich für die Anerkennung meines Abschlusses "
    "aus Syrien brauche?",
    "Wir sind eine Familie mit zwei kleinen Kindern und suchen dringend einen Platz im "
    "Kindergarten in Sindelfingen.",
    "Mein Mann arbeitet als Elektriker und möchte wissen, ob er hier ohne weitere Prüfung "
    "arbeiten darf.",
    "Gibt es in der Nähe einen Verein, in dem Jugendliche am Wochenende kostenlos Fußball "
    "spielen können?",
    "Ich brauche einen Dolmetscher für Arabisch, weil ich nächste Woche einen wichtigen "
    "Termin beim Arzt habe.",
]
ENGLISH = [
    "I have been looking for a flat in Böblingen for three months and need help registering "
    "at the town hall.",
    "My daughter would like to attend a German course after the summer holidays, but we do "
    "not know where.",
    "The job centre sent me a letter that I do not understand, and I have an appointment "
    "there tomorrow.",
    "Could you please tell me which documents I need to get my degree from Syria recognised here?",
    "We are a family with two small children and urgently need a place at a kindergarten in "
    "Sindelfingen.",
    "My husband works as an electrician and would like to know whether he may work here "
    "without exams.",
    "Is there a club nearby where young people can play football for free at the weekend "
    "with others?",
    "I need an interpreter for Arabic because I have an important appointment with the "
    "doctor next week.",
]
SOURCE_TEXTS = {"de": GERMAN, "en": ENGLISH}


@dataclass
class Figure:
    section: str
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Bench:
    """What the sections share: the built packages and the run's options."""

    packages_dir: Path
    argos_home: Path
    threads: int
    repeats: int
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # more than figures, for the JSON

    def add(self, section: str, name: str, value: float, unit: str, **target: Any) -> None:
        figure = Figure(section, name, round(value, 3), unit, **target)
        self.figures.append(figure)
        verdict = "" if figure.ok is None else ("  ok" if figure.ok else "  MISSED")
        target_text = f"  (target {figure.target})" if figure.target else ""
        print(f"  {name:<52} {figure.value:>10.1f} {unit:<8}{target_text}{verdict}", flush=True)


# ---------------------------------------------------------------- helpers


def package_builder() -> ModuleType:
    # tests/ is not a package here (and site-packages ships an unrelated `tests`): load by path.
    spec = importlib.util.spec_from_file_location("welcome_argos_packages", PACKAGE_BUILDER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(function: Callable[[], Any], repeats: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def translator(bench: Bench, beam_size: int = OUR_BEAM, **options: Any):
    from bot.translation.engine import Translator

    # No cache: every call must run the models.
    return Translator(bench.packages_dir, beam_size=beam_size, threads=bench.threads, **options)


def rotating(texts: list[str]) -> Callable[[], str]:
    position = iter(range(10**9))
    return lambda: texts[next(position) % len(texts)]


def distinct_sentences(count: int) -> list[str]:
    # Numbered, so that no two are equal (the engine translates a repeated sentence once).
    return [f"{GERMAN[n % len(GERMAN)][:-1]} ({n + 1})." for n in range(count)]


def elapsed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def engine_latencies(bench: Bench, engine, source: str, target: str) -> list[float]:
    next_text = rotating(SOURCE_TEXTS[source])
    return timed(lambda: engine.translate(next_text(), source, target), bench.repeats)


def add_percentiles(
    bench: Bench, section: str, label: str, times: list[float], pivot_target: bool = False
) -> None:
    bench.add(section, f"{label}, p50", percentile(times, 0.5), "ms")
    p95 = percentile(times, 0.95)
    if pivot_target:
        target = f"<= {TARGET_PIVOT_P95_MS:.0f} ms"
        bench.add(section, f"{label}, p95", p95, "ms", target=target, ok=p95 <= TARGET_PIVOT_P95_MS)
    else:
        bench.add(section, f"{label}, p95", p95, "ms")


# ---------------------------------------------------------------- sections


def section_load(bench: Bench) -> None:
    import ctranslate2

    from bot.translation.engine import _compute_type

    for pair in [("de", "en"), ("en", "ro")]:
        model_dir = next(bench.packages_dir.glob(f"translate-{pair[0]}_{pair[1]}-*")) / "model"
        times = []
        for _ in range(3):
            started = time.perf_counter()
            loaded = ctranslate2.Translator(
                str(model_dir), compute_type=_compute_type(), intra_threads=bench.threads
            )
            times.append((time.perf_counter() - started) * 1000)
            del loaded
        size = sum(f.stat().st_size for f in model_dir.parent.rglob("*")) / 2**20
        bench.add(
            "load",
            f"load {pair[0]}->{pair[1]} ({size:.0f} MB package), median",
            statistics.median(times),
            "ms",
        )


def section_latency(bench: Bench) -> None:
    for beam in (OUR_BEAM, ARGOS_BEAM):
        engine = translator(bench, beam)
        label = "our default" if beam == OUR_BEAM else "Argos default"
        for source, target in [("de", "en"), ("en", "ro"), ("de", "ro")]:
            hop = "pivot de->en->ro" if target == "ro" and source == "de" else f"{source}->{target}"
            times = engine_latencies(bench, engine, source, target)
            pivot_target = target == "ro" and source == "de" and beam == OUR_BEAM
            add_percentiles(bench, "latency", f"{hop}, beam {beam} ({label})", times, pivot_target)


def section_throughput(bench: Bench) -> None:
    engine = translator(bench)
    texts = distinct_sentences(BATCH)
    engine.translate("Warm-up.", "de", "ro")
    runs = 1 if bench.quick else 3
    for source, target in [("de", "en"), ("de", "ro")]:
        hop = "pivot de->en->ro" if target == "ro" else "de->en"

        def one_by_one(source=source, target=target):
            return [engine.translate(text, source, target) for text in texts]

        def batched(source=source, target=target):
            return engine.translate_many(texts, source, target)

        for name, function in [
            ("batch 1 (one call per sentence)", one_by_one),
            (f"batch {BATCH} (one translate_many)", batched),
        ]:
            seconds = min(elapsed(function) for _ in range(runs))
            bench.add("throughput", f"{hop}, {name}", BATCH / seconds, "sent/s")


def section_memory(bench: Bench) -> None:
    # A fresh process: building the models here left the allocator with hundreds of MB.
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure-rss",
            str(bench.packages_dir),
            "--argos-home",
            str(bench.argos_home),
            "--threads",
            str(bench.threads),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    bench.add("memory", "RSS of the process before loading a model", measured["baseline"], "MB")
    target = f"<= {TARGET_RSS_PER_MODEL_MB:.0f} MB"
    for (pair, growth), label in zip(
        measured["growth"].items(), ["first model (and the runtime)", "second model"], strict=True
    ):
        size = measured["package_mb"][pair]
        bench.add(
            "memory",
            f"RSS growth, {label} {pair} ({size:.0f} MB package)",
            growth,
            "MB",
            target=target,
            ok=growth <= TARGET_RSS_PER_MODEL_MB,
        )


def measure_rss(packages_dir: Path, argos_home: Path, threads: int) -> dict:
    from bot.translation.argos import import_argos_package

    import_argos_package(packages_dir, home=argos_home)
    import ctranslate2  # noqa: F401  (the library's own memory is not a model's)

    from bot.translation.engine import Translator

    engine = Translator(packages_dir, threads=threads)
    engine.installed_pairs()
    engine.translate_many(["Hallo."], "de", "de")
    baseline = rss_mb()
    growth = {}
    previous = baseline
    package_mb = {}
    for source, target in [("de", "en"), ("en", "ro")]:
        engine.translate_many(SOURCE_TEXTS[source], source, target)
        current = rss_mb()
        growth[f"{source}->{target}"] = round(current - previous, 1)
        previous = current
        folder = next(packages_dir.glob(f"translate-{source}_{target}-*"))
        package_mb[f"{source}->{target}"] = (
            sum(file.stat().st_size for file in folder.rglob("*")) / 2**20
        )
    return {"baseline": round(baseline, 1), "growth": growth, "package_mb": package_mb}


def section_stock(bench: Bench) -> None:
    """argostranslate's translate path against ours, same models, same machine, same run."""
    import argostranslate.translate as argos_translate
    from argostranslate import settings as argos_settings

    from bot.translation.argos import import_argos_package
    from bot.translation.sentences import split_sentences

    argos_package = import_argos_package()

    class OfflineSentencizer:
        # argostranslate's MiniSBD would download a model at the first sentence.
        def split_sentences(self, text: str) -> list[str]:
            return split_sentences(text)

    def stock_hop(source: str, target: str):
        folder = next(bench.packages_dir.glob(f"translate-{source}_{target}-*"))
        hop = argos_translate.PackageTranslation(
            argos_translate.Language(source, source),
            argos_translate.Language(target, target),
            argos_package.Package(folder),
        )
        hop.sentencizer = OfflineSentencizer()
        return hop

    # Built directly, not via get_translation_from_codes: that wraps a cache around it.
    stock = {
        ("de", "en"): stock_hop("de", "en"),
        ("de", "ro"): argos_translate.CompositeTranslation(
            stock_hop("de", "en"), stock_hop("en", "ro")
        ),
    }
    threads = argos_settings.intra_threads or "0 (CTranslate2 default)"
    print(
        f"  (stock: beam {argos_settings.beam_size}, intra_threads {threads}; "
        f"ours: intra_threads {bench.threads})"
    )
    ours = {beam: translator(bench, beam) for beam in (OUR_BEAM, ARGOS_BEAM)}
    for (source, target), stock_translation in stock.items():
        compare_with_stock(bench, stock_translation, ours, source, target)


def compare_with_stock(bench: Bench, stock_translation, ours: dict, source: str, target: str):
    hop = "pivot de->en->ro" if target == "ro" else "de->en"
    next_text = rotating(GERMAN)
    stock_times = timed(lambda: stock_translation.translate(next_text()), bench.repeats)
    add_percentiles(bench, "stock", f"{hop}: argostranslate", stock_times)
    for beam, engine in ours.items():
        add_percentiles(
            bench,
            "stock",
            f"{hop}: ours, beam {beam}",
            engine_latencies(bench, engine, source, target),
        )
    # Many sentences: argostranslate batches within one text (in batches of 32 *tokens*,
    # about one sentence), ours across all sentences of all texts.
    sentences = distinct_sentences(BATCH)
    stock_seconds = elapsed(lambda: stock_translation.translate(" ".join(sentences)))
    our_seconds = elapsed(lambda: ours[OUR_BEAM].translate_many(sentences, source, target))
    bench.add("stock", f"{hop}: argostranslate, {BATCH} sentences", BATCH / stock_seconds, "sent/s")
    bench.add("stock", f"{hop}: ours (beam 2), {BATCH} sentences", BATCH / our_seconds, "sent/s")


# ---------------------------------------------------------------- answers in a conversation

ANSWER_LANGUAGES = ("ro", "pl", "fr")
TARGET_PREPARED_SHARE = 100.0
# A valid German mobile number (the form checks it with libphonenumber).
PHONE_NUMBER = "0151 23456789"
REPLY_TIMEOUT_S = 120  # the first message of a language loads its model
COMMAND_TIMEOUT_S = 600
BULLET = "• "
KIND_NAMES = {
    "prepared": "prepared",
    "curated": "curated",
    "marker": "marker",
    "data": "names/numbers only",
    "None": "unknown",
}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


def import_repository_tests() -> None:
    """Make the repository's tests/ importable as ``tests``.

    Outside pytest an unrelated ``tests`` package in site-packages wins; a
    namespace module pointing at our folder goes first.
    """
    folder = str(PROJECT_ROOT / "tests")
    known = sys.modules.get("tests")
    if known is not None and folder in list(getattr(known, "__path__", [])):
        return
    package = ModuleType("tests")
    package.__path__ = [folder]
    sys.modules["tests"] = package


@contextlib.contextmanager
def environment_at_start() -> Iterator[None]:
    """``os.environ`` as it was before this script pointed ARGOS_* at its scratch folder.

    The assistant's processes inherit ``os.environ``; argostranslate there must
    use the assistant's own packages folder.
    """
    current = dict(os.environ)
    os.environ.clear()
    os.environ.update(ENVIRONMENT_AT_START)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(current)


def conversation_script(language: str) -> list[str]:
    """What one user writes or clicks: the journeys of the assistant, in ``language``.

    Typed texts are the sentences the word-by-word test models know; the rest
    are button payloads (clicks are not translated).
    """
    from tests.helpers.dictionaries import OFFER_SEARCH_RO, SENTENCES

    request = SENTENCES[language]
    if language == "ro":  # the town comes with the question, through translation
        offers = [OFFER_SEARCH_RO, '/inform{"topic": "language_course"}']
    else:
        offers = [
            "/ask_offers",
            '/inform{"topic": "language_course"}',
            # Answers the town question; the Polish request already named a town,
            # so there the stray answer gets the topics.
            '/inform{"municipality": "Sindelfingen"}',
        ]
    return [
        request,  # interpreter: intro, the pool's guidelines, first question
        "/stop",
        *offers,
        "/more",
        "/ask_mentoring",
        "/ask_welcome_center",
        "/deny",
        "/ask_internship",
        "/stop",
        "/help",
        "/request_human",
        "/affirm",  # consent
        PHONE_NUMBER,
        request,  # the note for the office
        "/thank",
    ]


@dataclass
class Turn:
    language: str
    sender: str
    said: str
    replies: list[dict]


@dataclass
class AnswerCatalogue:
    """What the assistant may say in one language without translating at chat time."""

    language: str
    marker_line: str
    curated_lines: set[str]
    curated_patterns: list[re.Pattern[str]]  # lines with slot values filled in at chat time
    prepared_lines: set[str]
    prepared_patterns: list[re.Pattern[str]]
    curated_labels: set[str]
    prepared_labels: set[str]
    names: tuple[str, ...]

    def check_line(self, line: str) -> str | None:
        """How ``line`` is served: "curated", "prepared", "data", "marker"; None if not."""
        text = line.strip()
        if not text:
            return "data"
        if text == self.marker_line:
            return "marker"
        text = text.removeprefix(BULLET).strip()
        if text in self.curated_lines or any(p.fullmatch(text) for p in self.curated_patterns):
            return "curated"
        if text in self.prepared_lines or any(p.fullmatch(text) for p in self.prepared_patterns):
            return "prepared"
        label = text.split(":", 1)[0].strip() if ":" in text else None
        if label in self.curated_labels:
            return "curated"
        if label in self.prepared_labels:
            return "prepared"
        if is_data_line(text, self.names):
            return "data"
        return None


def is_data_line(text: str, names: Sequence[str]) -> bool:
    """Only names, URLs, e-mail addresses, numbers, dates: nothing to translate."""
    from bot.translation.protect import protect

    return not any(ch.isalpha() for piece in protect(text, names).pieces for ch in piece)


def _lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        line = line.strip().removeprefix(BULLET).strip()
        if line:
            yield line


def _template_pattern(line: str) -> re.Pattern[str] | None:
    """A line with slot placeholders as a pattern; None for a line that is only a slot."""
    if not any(ch.isalpha() for ch in _PLACEHOLDER.sub("", line)):
        return None  # "{summary}" alone would match anything
    parts = _PLACEHOLDER.split(line)
    return re.compile(".+?".join(re.escape(part) for part in parts))


def answer_catalogue(prepared_dir: Path, language: str) -> AnswerCatalogue:
    from bot.content import get_content
    from bot.languages import get_languages
    from bot.prepared import PreparedTranslations, source_text
    from bot.texts import MARKER_KEY, MARKER_SIGN, get_catalogue
    from bot.translation.sources import (
        _content_texts,  # the content's texts in every language, as sources reads them
        load_responses,
        protected_terms,
        variation_language,
    )

    entries = PreparedTranslations(prepared_dir).entries(language)
    catalogue = get_catalogue()
    curated: list[str] = []
    for variations in load_responses().values():
        for variation in variations:
            if variation_language(variation) == language:
                curated.append(str(variation.get("text") or ""))
                curated += [str(b.get("title") or "") for b in variation.get("buttons") or []]
    for _, localized in _content_texts(get_content()):
        curated.append(localized.get(language) or "")
    for key, texts in catalogue.texts.items():
        if key.startswith("choice."):
            curated.append(texts.get(language) or "")
    curated_labels, prepared_labels = set(), set()
    for prefix in ("card", "summary"):  # the "Label: value" lines
        for labels in catalogue.group(prefix).values():
            if labels.get(language):
                curated.append(labels[language])
                curated_labels.add(labels[language])
            elif entries.get(source_text(labels) or ""):
                prepared_labels.add(entries[source_text(labels)])
    curated_lines, curated_patterns = known_lines(curated)
    prepared_lines, prepared_patterns = known_lines(entries.values())
    markers = catalogue.texts[MARKER_KEY]
    marker = markers.get(language) or entries.get(markers["en"]) or markers["en"]
    native_names = [info.native_name for info in get_languages().values()]
    return AnswerCatalogue(
        language=language,
        marker_line=f"{MARKER_SIGN} {marker}",
        curated_lines=curated_lines,
        curated_patterns=curated_patterns,
        prepared_lines=prepared_lines,
        prepared_patterns=prepared_patterns,
        curated_labels=curated_labels,
        prepared_labels=prepared_labels,
        names=(*protected_terms(), *native_names),
    )


def known_lines(texts) -> tuple[set[str], list[re.Pattern[str]]]:
    """The lines of ``texts``; lines with slot placeholders as patterns."""
    lines: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for text in texts:
        for line in _lines(text):
            if not _PLACEHOLDER.search(line):
                lines.add(line)
            elif (pattern := _template_pattern(line)) is not None:
                patterns.append(pattern)
    return lines, patterns


@dataclass
class Verdict:
    """One bot message (one REST message: the channel splits a text at blank lines)."""

    language: str
    text: str
    served: bool
    reason: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # how many lines were of each kind


def verify_turn(turn: Turn, catalogue: AnswerCatalogue) -> list[Verdict]:
    """Every line known, and prepared text followed by the marker in the same reply."""
    verdicts = []
    marked_from = [False] * (len(turn.replies) + 1)
    for index in range(len(turn.replies) - 1, -1, -1):
        text = (turn.replies[index].get("text") or "").rstrip()
        marked_from[index] = marked_from[index + 1] or text.endswith(catalogue.marker_line)
    for index, reply in enumerate(turn.replies):
        text = reply.get("text") or ""
        titles = [str(button.get("title") or "") for button in reply.get("buttons") or []]
        lines = [line for line in [*text.splitlines(), *titles] if line.strip()]
        kinds = {line: catalogue.check_line(line) for line in lines}
        unknown = [line for line, kind in kinds.items() if kind is None]
        if unknown:
            reason = f"not prepared: {unknown[0].strip()[:60]!r}"
        elif "prepared" in kinds.values() and not marked_from[index]:
            reason = "prepared text without the marker"
        else:
            reason = ""
        shown = text or " | ".join(titles)
        counted = {str(kind): sum(kinds[line] == kind for line in lines) for kind in kinds.values()}
        verdicts.append(Verdict(turn.language, shown, not reason, reason, counted))
    return verdicts


def welcome_command(settings, *args: str) -> subprocess.CompletedProcess:
    """``welcome ...`` for the assistant of ``settings`` (as an operator runs it)."""
    env = dict(os.environ)
    env.update(
        WELCOME_VAR_DIR=str(settings.var_dir),
        WELCOME_TRANSLATION_DIR=str(settings.packages_dir.parent),
        WELCOME_DATABASE_URL=settings.database_url,
    )
    completed = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"`welcome {' '.join(args)}` failed:\n{(completed.stdout + completed.stderr)[-3000:]}"
        )
    return completed


def converse(running, languages: Sequence[str]) -> list[Turn]:
    from bot.commands.service import send_rest_message

    turns = []
    for language in languages:
        sender = f"bench-{language}-{uuid.uuid4().hex[:8]}"
        for said in conversation_script(language):
            replies = send_rest_message(
                running.base_url,
                sender,
                said,
                timeout=REPLY_TIMEOUT_S,
                token=running.settings.rest_token,
            )
            turns.append(Turn(language, sender, said, replies))
            if not replies:
                print(f"  (no reply to {said[:60]!r} in {language})")
    return turns


def source_digest(text: str) -> str:
    # As bot.translation.cache stores it (source_hash): the source text is never stored.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def runtime_translations(database_url: str, turns: Sequence[Turn]) -> dict[str, Any]:
    """What was translated at chat time, read from the database after the servers stopped.

    The translation cache holds one row per text translated (source_hash, no
    text). The texts that may be translated are the user's own: the NLU's
    English reading (``translation`` in the parse data of the user's events)
    and the German the office gets next to the user's words (``<field>_de``,
    ``text_de`` in the stored request).
    """
    import sqlalchemy as sa

    from bot.store import RequestStore
    from bot.translation.cache import translation_cache_table

    senders = sorted({turn.sender for turn in turns})
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            table = translation_cache_table
            cache_hashes = list(connection.execute(sa.select(table.c.source_hash)).scalars())
            events = connection.execute(
                sa.text(
                    "SELECT data FROM events WHERE type_name = 'user' AND sender_id IN :senders"
                ).bindparams(sa.bindparam("senders", expanding=True)),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    # (source language, text): the same text from another language is another row.
    to_english = set()
    for row in events:
        event = json.loads(row[0])
        translation = (event.get("parse_data") or {}).get("translation")
        if translation:
            to_english.add((translation.get("source_language"), event["text"]))
    to_german = set()
    with RequestStore(database_url) as store:
        for request in store.list_requests():
            if request.sender_id not in senders:
                continue
            to_german.update(
                (request.language, str(request.fields[name.removesuffix("_de")]))
                for name in request.fields
                if name.endswith("_de") and name.removesuffix("_de") in request.fields
            )
            to_german.update(
                (request.language, turn["text"]) for turn in request.excerpt if "text_de" in turn
            )
    user_texts = {turn.said for turn in turns} | {text for _, text in to_english | to_german}
    allowed = {source_digest(text) for text in user_texts}
    return {
        "rows": len(cache_hashes),
        "expected": len(to_english) + len(to_german),
        "to_english": len(to_english),
        "to_german": len(to_german),
        "not_user_text": sum(1 for digest in cache_hashes if digest not in allowed),
        "typed_texts": len({turn.said for turn in turns if not turn.said.startswith("/")}),
    }


@contextlib.contextmanager
def translating_assistant(var_dir: Path, languages: Sequence[str]):
    """The real assistant with test models for ``languages`` and their prepared answers.

    Yields None (and prints why) when there is no trained model.
    """
    import_repository_tests()
    from bot.commands.service import model_path
    from tests.helpers import services
    from tests.helpers.dictionaries import build_models

    settings = services.test_settings(var_dir)
    if not model_path(settings).exists():
        print(f"  skipped: no trained model at {model_path(settings)} (run `make train`)")
        yield None
        return
    started = time.perf_counter()
    models = build_models(var_dir / "argosmodels", tuple(languages))
    welcome_command(settings, "languages", "install", *languages, "--from-file", str(models))
    welcome_command(settings, "content", "translate")
    print(
        f"  installed test models for {', '.join(languages)} and prepared their answers "
        f"in {time.perf_counter() - started:.0f} s"
    )
    log_path = var_dir / "services.log"
    try:
        with services.running_assistant(settings, log_path) as running:
            yield running
    except Exception:
        if log_path.exists():
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            print(f"  last lines of the servers' log:\n{tail}")
        raise


def section_answers(bench: Bench) -> None:
    """Share of answers served without runtime translation in a multilingual conversation."""
    languages = ANSWER_LANGUAGES
    with tempfile.TemporaryDirectory(prefix="answers-bench-") as scratch, environment_at_start():
        var_dir = Path(scratch)
        with translating_assistant(var_dir, languages) as running:
            if running is None:
                return
            started = time.perf_counter()
            turns = converse(running, languages)
            seconds = time.perf_counter() - started
            settings = running.settings
        # The servers have stopped: everything they translated is in the database.
        translations = runtime_translations(settings.database_url, turns)
        catalogues = {lang: answer_catalogue(settings.prepared_dir, lang) for lang in languages}
    print(f"  {len(turns)} user turns in {seconds:.0f} s")
    verdicts = [v for turn in turns for v in verify_turn(turn, catalogues[turn.language])]
    report_answers(bench, languages, verdicts, translations)
    bench.details["answers"]["transcript"] = [
        {
            "language": t.language,
            "said": t.said,
            "bot": [(r.get("text") or "")[:80] for r in t.replies],
        }
        for t in turns
    ]


def report_answers(
    bench: Bench, languages: Sequence[str], verdicts: list[Verdict], translations: dict
) -> None:
    section = "answers"
    target = f"{TARGET_PREPARED_SHARE:.0f} %"
    for language in [*languages, None]:
        mine = [v for v in verdicts if language is None or v.language == language]
        served = sum(v.served for v in mine)
        share = 100.0 * served / len(mine) if mine else 0.0
        who = language or "all"
        bench.add(section, f"{who}: bot messages", len(mine), "msgs")
        bench.add(
            section,
            f"{who}: served without runtime translation",
            share,
            "%",
            target=target,
            ok=bool(mine) and share >= TARGET_PREPARED_SHARE,
        )
    bench.add(section, "user texts typed (distinct, not buttons)", translations["typed_texts"], "")
    bench.add(section, "runtime translations (rows in translation_cache)", translations["rows"], "")
    bench.add(
        section,
        "expected: user texts to English (NLU) + to German (office)",
        translations["expected"],
        "",
        target=f"= {translations['rows']} rows",
        ok=translations["expected"] == translations["rows"],
    )
    bench.add(
        section,
        "runtime translations of anything but user text",
        translations["not_user_text"],
        "",
        target="0",
        ok=translations["not_user_text"] == 0,
    )
    print(
        f"  ({translations['to_english']} user texts read in English by the NLU, "
        f"{translations['to_german']} sent to the office in German)"
    )
    kinds: dict[str, int] = {}
    for verdict in verdicts:
        for kind, count in verdict.lines.items():
            kinds[kind] = kinds.get(kind, 0) + count
    print(
        "  lines checked: "
        + ", ".join(
            f"{count} {KIND_NAMES.get(kind, kind)}" for kind, count in sorted(kinds.items())
        )
    )
    missed = [v for v in verdicts if not v.served]
    for verdict in missed:
        print(f"  MISS [{verdict.language}] {verdict.text[:80]!r}: {verdict.reason}")
    bench.details["answers"] = {
        "translations": translations,
        "messages": len(verdicts),
        "missed": [asdict(v) | {"text": v.text[:80]} for v in missed],
    }


#: The report, in order. Each section prints and records its figures through ``bench.add``.
SECTIONS: list[tuple[str, Callable[[Bench], None]]] = [
    ("Model load", section_load),
    ("Latency per sentence", section_latency),
    ("Throughput with batching", section_throughput),
    ("Memory per loaded model", section_memory),
    ("Stock argostranslate vs our engine", section_stock),
]

#: Sections that run the assistant itself (``--only answers``); they need no built models.
ANSWER_SECTIONS: list[tuple[str, Callable[[Bench], None]]] = [
    ("Answers served without runtime translation (ro, pl, fr conversation)", section_answers),
]


# ---------------------------------------------------------------- main


def build_packages(packages_dir: Path) -> float:
    builder = package_builder()
    started = time.perf_counter()
    for source, target in [("de", "en"), ("en", "ro")]:
        builder.build_argos_package(packages_dir, source, target, size="base")
    return time.perf_counter() - started


def run_benchmark(args: argparse.Namespace) -> int:
    repeats = args.repeats or (10 if args.quick else 40)
    parts = [args.only] if args.only else ["models", "answers"]
    with tempfile.TemporaryDirectory(prefix="translate-bench-") as scratch:
        packages_dir = Path(scratch) / "packages"
        argos_home = Path(scratch) / "argos-home"
        packages_dir.mkdir()
        bench = Bench(packages_dir, argos_home, args.threads, repeats, args.quick)
        runs = f", {repeats} runs per latency figure" if "models" in parts else ""
        print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}{runs}")
        if "models" in parts:
            from bot.translation.argos import import_argos_package

            # Before anything imports argostranslate: its folders go to the scratch folder, and
            # its models get as many threads as ours, so the comparison is about the code path
            # (ARGOS_INTRA_THREADS=0 in the environment shows argostranslate's own default).
            os.environ.setdefault("ARGOS_INTRA_THREADS", str(args.threads))
            import_argos_package(packages_dir, home=argos_home)

            print("Building two official-size int8 Transformer-base models (random weights) ...")
            build_seconds = build_packages(packages_dir)
            print(f"  built de->en and en->ro in {build_seconds:.1f} s")
            for title, section in SECTIONS:
                print(f"\n{title}")
                section(bench)
        if "answers" in parts:
            for title, section in ANSWER_SECTIONS:
                print(f"\n{title}")
                section(bench)
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")

    missed = [f for f in bench.figures if f.ok is False]
    print("all targets met" if not missed else f"targets missed: {len(missed)}")
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "quick": args.quick,
            "threads": args.threads,
            "repeats": repeats,
            "cpus": os.cpu_count(),
            "parts": parts,
            "figures": [asdict(figure) for figure in bench.figures],
            "details": bench.details,
        }
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"results written to {path}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (~1 minute)")
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(DEFAULT_JSON),
        metavar="PATH",
        help=f"also write the results as JSON (default: {DEFAULT_JSON.relative_to(PROJECT_ROOT)})",
    )
    parser.add_argument(
        "--only",
        choices=["models", "answers"],
        help="only the engine figures (models) or only the assistant's answers (answers)",
    )
    parser.add_argument("--threads", type=int, default=1, help="intra_threads of our engine")
    parser.add_argument("--repeats", type=int, help="runs per latency figure")
    # Internal: the memory measurement in a fresh process.
    parser.add_argument("--measure-rss", help=argparse.SUPPRESS)
    parser.add_argument("--argos-home", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_rss:
        print(json.dumps(measure_rss(Path(args.measure_rss), Path(args.argos_home), args.threads)))
        return 0
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
