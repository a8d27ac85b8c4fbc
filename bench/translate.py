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

Targets (issue 3, 2 cores): pivot p95 <= 600 ms, <= 100 MB RSS per loaded
model. Timings depend on what else runs; the load average is printed.
Sections are functions in ``SECTIONS``: add one to extend the report.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python bench/translate.py`
    sys.path.insert(0, str(PROJECT_ROOT))

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


#: The report, in order. Each section prints and records its figures through ``bench.add``.
SECTIONS: list[tuple[str, Callable[[Bench], None]]] = [
    ("Model load", section_load),
    ("Latency per sentence", section_latency),
    ("Throughput with batching", section_throughput),
    ("Memory per loaded model", section_memory),
    ("Stock argostranslate vs our engine", section_stock),
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
    with tempfile.TemporaryDirectory(prefix="translate-bench-") as scratch:
        packages_dir = Path(scratch) / "packages"
        argos_home = Path(scratch) / "argos-home"
        packages_dir.mkdir()
        from bot.translation.argos import import_argos_package

        # Before anything imports argostranslate: its folders go to the scratch folder, and
        # its models get as many threads as ours, so the comparison is about the code path
        # (ARGOS_INTRA_THREADS=0 in the environment shows argostranslate's own default).
        os.environ.setdefault("ARGOS_INTRA_THREADS", str(args.threads))
        import_argos_package(packages_dir, home=argos_home)

        print(
            f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, "
            f"{repeats} runs per latency figure"
        )
        print("Building two official-size int8 Transformer-base models (random weights) ...")
        build_seconds = build_packages(packages_dir)
        print(f"  built de->en and en->ro in {build_seconds:.1f} s")

        bench = Bench(packages_dir, argos_home, args.threads, repeats, args.quick)
        for title, section in SECTIONS:
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
            "figures": [asdict(figure) for figure in bench.figures],
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
