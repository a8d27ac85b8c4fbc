"""NLU benchmark: our pipeline (config/config.yml) against the stock `rasa init` pipeline.

Both are trained on the same data (data/nlu, data/rules, data/stories; domain
config/domain) into a temporary folder; models/welcome.tar.gz is never touched.
Each trained model is then measured in a fresh Python process, so memory and
warm-up of one pipeline cannot leak into the other's figures.

    .venv/bin/python bench/nlu.py                 # full stock config (several minutes)
    .venv/bin/python bench/nlu.py --quick         # stock with 20 epochs: NOT the stock config
    .venv/bin/python bench/nlu.py --only ours     # one pipeline only
    .venv/bin/python bench/nlu.py --json          # also write results/nlu-bench.json
    .venv/bin/python bench/nlu.py --calibrate     # fallback threshold / min_similarity grid

Conversation turns (`agent.handle_text`) run against the real action server
(tests/helpers/services.py), because our domain calls
`action_validate_slot_mappings` on every message: without an action server
every turn would fail half-way. Time spent inside action-server calls is
clocked separately, so the table shows both the full turn and the Rasa side
(NLU + policies + responses) alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as `python bench/nlu.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.commands.service import TRAINING_DATA  # noqa: E402  (same data as `welcome train`)
from bot.nlu.evaluation import FALLBACK_SET, HELD_OUT_DIR  # noqa: E402

OUR_CONFIG = PROJECT_ROOT / "config" / "config.yml"
DOMAIN = "config/domain"
DEFAULT_JSON = PROJECT_ROOT / "results" / "nlu-bench.json"
QUICK_EPOCHS = 20
PARSE_PASSES = 3
WARM_UP_MESSAGES = 20

# Targets of the project (see config/config.yml and the README).
TARGET_TURN_SPEEDUP = 5.0
TARGET_TRAINING_SECONDS = 60.0
# Must match MIN_FALLBACK_SHARE in tests/nlu/test_understanding.py.
REQUIRED_FALLBACK_SHARE = 0.90

CALIBRATION_THRESHOLDS = (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50)
CALIBRATION_SIMILARITIES = (0.0, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40)


@dataclass
class Pipeline:
    name: str  # "ours" or "stock"
    label: str  # shown in the table header
    config_path: Path
    description: str = ""

    def __post_init__(self) -> None:
        self.description = describe_config(self.config_path)


# ---------------------------------------------------------------- configs


def rasa_package_dir() -> Path:
    """Where rasa is installed, without importing it (that takes seconds)."""
    return Path(importlib.util.find_spec("rasa").origin).parent


def stock_config(epochs: int | None = None) -> dict:
    """The config `rasa init` writes, with its automatic defaults made explicit.

    rasa/cli/initial_project/config.yml leaves `pipeline` and `policies`
    empty; `rasa train` then fills them from
    rasa/engine/recipes/config_files/default_config.yml
    (DefaultV1Recipe.complete_config). We do the same, so the result is what a
    fresh `rasa init` project really trains. (The commented block in the
    initial file is an older snapshot: it lacks UnexpecTEDIntentPolicy and
    `constrain_similarities`.) `epochs` overrides every epoch setting.
    """
    package = rasa_package_dir()
    config = yaml.safe_load((package / "cli" / "initial_project" / "config.yml").read_text())
    defaults = yaml.safe_load(
        (package / "engine" / "recipes" / "config_files" / "default_config.yml").read_text()
    )
    for key in ("pipeline", "policies"):
        if config.get(key) is None:
            config[key] = defaults[key]
    if epochs is not None:
        for component in config["pipeline"] + config["policies"]:
            if "epochs" in component:
                component["epochs"] = epochs
    return config


def describe_config(path: Path) -> str:
    config = yaml.safe_load(path.read_text())

    def name(component: dict) -> str:
        options = {k: v for k, v in component.items() if k in ("epochs", "threshold", "analyzer")}
        short = component["name"].rsplit(".", 1)[-1]
        return f"{short}({', '.join(f'{k}={v}' for k, v in options.items())})" if options else short

    return (
        f"pipeline: {', '.join(name(c) for c in config['pipeline'])}\n"
        f"    policies: {', '.join(name(c) for c in config['policies'])}"
    )


def pipelines(workdir: Path, quick: bool, only: str | None) -> list[Pipeline]:
    chosen = []
    if only in (None, "ours"):
        chosen.append(Pipeline("ours", "ours", OUR_CONFIG))
    if only in (None, "stock"):
        path = workdir / "stock-config.yml"
        path.write_text(yaml.safe_dump(stock_config(QUICK_EPOCHS if quick else None)))
        label = f"stock-{QUICK_EPOCHS}ep (NOT stock)" if quick else "stock"
        chosen.append(Pipeline("stock", label, path))
    return chosen


# ---------------------------------------------------------------- training


def snapshot(workdir: Path) -> Path:
    """Copy training data, domain and held-out sets into the work folder.

    Others may edit the tree while the benchmark runs; both pipelines must
    train and be scored on the very same files.
    """
    root = workdir / "snapshot"
    for relative in (*TRAINING_DATA, DOMAIN):
        shutil.copytree(PROJECT_ROOT / relative, root / relative)
    held_out = root / HELD_OUT_DIR.relative_to(PROJECT_ROOT)
    held_out.mkdir(parents=True)
    for path in [*HELD_OUT_DIR.glob("*.yml"), FALLBACK_SET]:
        shutil.copy2(path, held_out / path.name)
    return root


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def rasa_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(PROJECT_ROOT) not in paths:
        env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), *paths])
    env.update(extra)
    return env


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def train(pipeline: Pipeline, workdir: Path, data_root: Path) -> dict:
    """`rasa train` in a subprocess with an empty cache: a full training."""
    out_dir = workdir / "models"
    log = workdir / f"train-{pipeline.name}.log"
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(pipeline.config_path),
        "--domain", str(data_root / DOMAIN),
        "--data", *(str(data_root / path) for path in TRAINING_DATA),
        "--out", str(out_dir),
        "--fixed-model-name", pipeline.name,
    ]  # fmt: skip
    # A fresh cache folder: otherwise a second run reuses trained components.
    env = rasa_environment(RASA_CACHE_DIRECTORY=str(workdir / f"cache-{pipeline.name}"))
    print(f"training {pipeline.label} …", flush=True)
    load_before, start = load_average(), time.perf_counter()
    with open(log, "wb") as output:
        code = subprocess.call(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output)
    seconds = time.perf_counter() - start
    model = out_dir / f"{pipeline.name}.tar.gz"
    if code != 0 or not model.exists():
        raise SystemExit(f"rasa train failed for {pipeline.label}:\n{tail(log)}")
    print(f"  {seconds:.1f} s", flush=True)
    return {
        "train_s": seconds,
        "model": str(model),
        "model_bytes": model.stat().st_size,
        "load_train": [load_before, load_average()],
    }


# ------------------------------------------------- measuring (child process)


def rss_mb() -> dict[str, float]:
    """Resident and peak resident memory of this process (Linux /proc)."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return {"rss_mb": values.get("VmRSS", 0.0), "peak_mb": values.get("VmHWM", 0.0)}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


def timing_summary(count: int, seconds: float, latencies: list[float]) -> dict:
    return {
        "count": count,
        "seconds": seconds,
        "per_s": count / seconds if seconds else 0.0,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
    }


class ActionServerClock:
    """Adds up the time spent in calls to the action server.

    Every call goes through RemoteAction.run (custom actions, form
    validation, action_validate_slot_mappings). Besides HTTP and the action
    code, that time includes Rasa's own work for the call: the payload
    (tracker + whole domain) and the jsonschema check of the response, which
    with jsonschema 4.17 re-checks the schema itself on every call.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self.by_action: dict[str, list[float]] = {}  # name -> [calls, seconds]

    def install(self) -> None:
        from rasa.core.actions.action import RemoteAction

        original = RemoteAction.run
        clock = self

        async def timed_run(action, *args, **kwargs):
            start = time.perf_counter()
            try:
                return await original(action, *args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                clock.seconds += elapsed
                clock.calls += 1
                calls, seconds = clock.by_action.get(action.name(), (0, 0.0))
                clock.by_action[action.name()] = [calls + 1, seconds + elapsed]

        RemoteAction.run = timed_run


async def time_parses(agent, texts: list[str], passes: int) -> dict:
    for text in texts[:WARM_UP_MESSAGES]:
        await agent.parse_message(text)
    latencies = []
    start = time.perf_counter()
    for _ in range(passes):
        for text in texts:
            before = time.perf_counter()
            await agent.parse_message(text)
            latencies.append(time.perf_counter() - before)
    summary = timing_summary(len(latencies), time.perf_counter() - start, latencies)
    return {**summary, "passes": passes}


async def time_turns(agent, texts: list[str], clock: ActionServerClock) -> dict:
    """Each text opens a new conversation (session start included)."""
    for number, text in enumerate(texts[:WARM_UP_MESSAGES]):
        await agent.handle_text(text, sender_id=f"warm-up-{number}")
    clock.reset()
    full, rasa_side, silent = [], [], 0
    start = time.perf_counter()
    for number, text in enumerate(texts):
        waited_before, before = clock.seconds, time.perf_counter()
        replies = await agent.handle_text(text, sender_id=f"bench-{number}")
        elapsed = time.perf_counter() - before
        full.append(elapsed)
        rasa_side.append(elapsed - (clock.seconds - waited_before))
        silent += not replies
    total = time.perf_counter() - start
    return {
        "full": timing_summary(len(full), total, full),
        "rasa_side": timing_summary(len(full), total - clock.seconds, rasa_side),
        "action_calls_per_turn": clock.calls / len(full) if full else 0.0,
        "action_calls": clock.by_action,
        "turns_without_reply": silent,
    }


def load_agent(model: str, action_url: str | None):
    import logging

    started = time.perf_counter()
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    imported = time.perf_counter()
    logging.getLogger("rasa").setLevel(logging.ERROR)
    configure_structlog(logging.WARNING)  # otherwise every parse, text included, is printed
    endpoint = EndpointConfig(action_url) if action_url else None
    agent = Agent.load(model, action_endpoint=endpoint)  # in-memory tracker store
    return agent, {"import_s": imported - started, "load_s": time.perf_counter() - imported}


def measure(model: str, action_url: str | None, passes: int, data_root: Path) -> dict:
    from bot.nlu.evaluation import (
        HARMLESS_INTENTS,
        fallback_examples,
        format_scores,
        held_out_examples,
        parse_all,
        score_languages,
    )

    result: dict = {"rss_start_mb": rss_mb()["rss_mb"]}
    clock = ActionServerClock()
    agent, result["startup"] = load_agent(model, action_url)
    clock.install()
    result["rss_after_load_mb"] = rss_mb()["rss_mb"]

    held_out_dir = data_root / HELD_OUT_DIR.relative_to(PROJECT_ROOT)
    examples = held_out_examples(held_out_dir)
    scores = score_languages(agent, examples)
    result["accuracy"] = {s.language: [s.correct, s.total] for s in scores}
    result["scores_table"] = format_scores(scores)

    gibberish = fallback_examples(held_out_dir / FALLBACK_SET.name)
    landed = [r["intent"]["name"] for r in parse_all(agent, gibberish)]
    harmless = sum(intent in HARMLESS_INTENTS for intent in landed)
    result["fallback"] = [harmless, len(gibberish)]

    texts = [text for pairs in examples.values() for text, _ in pairs]
    result["parse"] = asyncio.run(time_parses(agent, texts, passes))
    if action_url:
        result["turns"] = asyncio.run(time_turns(agent, texts, clock))
    result["rss_end_mb"], result["rss_peak_mb"] = rss_mb()["rss_mb"], rss_mb()["peak_mb"]
    return result


def measure_in_subprocess(
    pipeline: Pipeline, model: str, action_url: str | None, workdir: Path, passes: int
) -> dict:
    """One pipeline's figures from a fresh process (results via a JSON file)."""
    out = workdir / f"measure-{pipeline.name}.json"
    log = workdir / f"measure-{pipeline.name}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()),
        "--measure-model", model, "--measure-out", str(out), "--passes", str(passes),
        "--data-root", str(workdir / "snapshot"),
    ]  # fmt: skip
    if action_url:
        command += ["--action-url", action_url]
    print(f"measuring {pipeline.label} …", flush=True)
    load_before = load_average()
    with open(log, "wb") as output:
        code = subprocess.call(
            command, cwd=PROJECT_ROOT, env=rasa_environment(), stdout=output, stderr=output
        )
    if code != 0 or not out.exists():
        raise SystemExit(f"measuring {pipeline.label} failed:\n{tail(log)}")
    return {**json.loads(out.read_text()), "load_measure": [load_before, load_average()]}


@contextlib.contextmanager
def action_server(workdir: Path, wanted: bool) -> Iterator[str | None]:
    """The real action server on a free port, with its own SQLite file."""
    if not wanted:
        yield None
        return
    from tests.helpers.services import running_action_server, test_settings

    settings = test_settings(workdir / "var")
    with running_action_server(settings, workdir / "action-server.log"):
        yield settings.action_endpoint_url


# ---------------------------------------------------------------- report


def accuracy(counts: list[int]) -> float:
    correct, total = counts
    return correct / total if total else 0.0


def overall_accuracy(result: dict) -> float:
    pairs = result["accuracy"].values()
    return accuracy([sum(c for c, _ in pairs), sum(t for _, t in pairs)])


@dataclass
class Row:
    label: str
    value: Callable[[dict], float | None]
    unit: str
    fmt: str = "{:.1f}"
    ratio: bool = False


def turn(kind: str, key: str) -> Callable[[dict], float | None]:
    """A turn figure; None when turns were not measured."""
    return lambda r: r["turns"][kind][key] if "turns" in r else None


def rows(languages: list[str]) -> list[Row]:
    table = [
        Row("rasa train (wall, full, subprocess)", lambda r: r["train_s"], "s", ratio=True),
        Row("model size", lambda r: r["model_bytes"] / 1e6, "MB", "{:.2f}", ratio=True),
        Row("import rasa.core.agent", lambda r: r["startup"]["import_s"], "s"),
        Row("Agent.load", lambda r: r["startup"]["load_s"], "s", ratio=True),
        Row("RSS after Agent.load", lambda r: r["rss_after_load_mb"], "MB", "{:.0f}", ratio=True),
        Row("RSS peak (after all runs)", lambda r: r["rss_peak_mb"], "MB", "{:.0f}", ratio=True),
        Row("parse_message throughput", lambda r: r["parse"]["per_s"], "msg/s", "{:.0f}", True),
        Row("parse_message latency p50", lambda r: r["parse"]["p50_ms"], "ms", "{:.2f}", True),
        Row("parse_message latency p95", lambda r: r["parse"]["p95_ms"], "ms", "{:.2f}", True),
        Row("turn throughput, full", turn("full", "per_s"), "turn/s", "{:.1f}", True),
        Row("turn latency p50, full", turn("full", "p50_ms"), "ms", "{:.1f}", True),
        Row("turn latency p95, full", turn("full", "p95_ms"), "ms", "{:.1f}", True),
        Row("turn throughput, Rasa side", turn("rasa_side", "per_s"), "turn/s", "{:.1f}", True),
        Row("turn latency p50, Rasa side", turn("rasa_side", "p50_ms"), "ms", "{:.1f}", True),
        Row("turn latency p95, Rasa side", turn("rasa_side", "p95_ms"), "ms", "{:.1f}", True),
        Row(
            "action-server calls per turn",
            lambda r: r["turns"]["action_calls_per_turn"] if "turns" in r else None,
            "",
            "{:.2f}",
        ),
    ]
    for language in languages:
        table.append(
            Row(
                f"held-out accuracy {language}",
                lambda r, lang=language: 100 * accuracy(r["accuracy"][lang]),
                "%",
            )
        )
    table.append(Row("held-out accuracy all", lambda r: 100 * overall_accuracy(r), "%"))
    table.append(
        Row("fallback set -> fallback/out_of_scope", lambda r: 100 * accuracy(r["fallback"]), "%")
    )
    return table


def format_table(results: dict[str, dict], labels: dict[str, str]) -> str:
    names = list(results)
    languages = list(next(iter(results.values()))["accuracy"])
    header = f"{'':<40}" + "".join(f"{labels[n]:>24}" for n in names)
    if len(names) == 2:
        header += f"{'ours/stock':>12}"
    lines = [header, "-" * len(header)]
    for row in rows(languages):
        values = [row.value(results[name]) for name in names]
        cells = "".join(
            f"{'n/a' if v is None else row.fmt.format(v) + ' ' + row.unit:>24}" for v in values
        )
        ratio = ""
        if len(names) == 2 and row.ratio and None not in values and values[1]:
            ratio = f"{values[0] / values[1]:>12.2f}"
        lines.append(f"{row.label:<40}{cells}{ratio}")
    return "\n".join(lines)


def side_by_side(blocks: dict[str, str]) -> str:
    columns = [block.splitlines() for block in blocks.values()]
    width = max(len(line) for column in columns for line in column) + 6
    heading = "".join(f"{name:<{width}}" for name in blocks)
    body = ["".join(f"{line:<{width}}" for line in lines) for lines in zip(*columns, strict=False)]
    return "\n".join([heading, *body])


def verdicts(results: dict[str, dict], quick: bool) -> list[str]:
    ours, stock = results["ours"], results["stock"]
    against = f"stock-{QUICK_EPOCHS}ep (quick, NOT the stock config)" if quick else "stock"
    lines = [f"Targets (against {against}; {os.cpu_count()} CPU cores here):"]

    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'OK ' if ok else 'NO '}] {text}")

    if "turns" in ours and "turns" in stock:
        for kind, what in (("full", "full turns"), ("rasa_side", "Rasa side only")):
            speedup = ours["turns"][kind]["per_s"] / stock["turns"][kind]["per_s"]
            check(
                speedup >= TARGET_TURN_SPEEDUP,
                f"turn throughput ours >= {TARGET_TURN_SPEEDUP:.0f}x stock ({what}): "
                f"{speedup:.2f}x",
            )
    ours_acc, stock_acc = overall_accuracy(ours), overall_accuracy(stock)
    check(
        ours_acc >= stock_acc,
        f"held-out accuracy ours >= stock: {ours_acc:.1%} vs {stock_acc:.1%}",
    )
    check(
        ours["train_s"] < TARGET_TRAINING_SECONDS,
        f"full training of ours < {TARGET_TRAINING_SECONDS:.0f} s: {ours['train_s']:.1f} s",
    )
    return lines


def report(results: dict[str, dict], chosen: list[Pipeline], args) -> str:
    labels = {p.name: p.label for p in chosen}
    parse = next(iter(results.values()))["parse"]
    turns = next(iter(results.values())).get("turns")
    parts = ["", "Configurations:"]
    parts += [f"  {p.label}: {p.description}" for p in chosen]
    parts += [
        "",
        f"Held-out texts (tests/nlu/<lang>.yml): parse_message timed over {parse['passes']} "
        f"passes = {parse['count']} messages after {WARM_UP_MESSAGES} warm-up parses.",
    ]
    if turns:
        parts.append(
            f"Turns: agent.handle_text, in-memory tracker store, {turns['full']['count']} turns, "
            "each held-out text opening a new conversation; the real action server runs "
            "(tests/helpers/services.py).\n"
            "  'full' = the whole turn;\n"
            "  'Rasa side' = the same turns minus the time inside RemoteAction.run (payload of\n"
            "  tracker + whole domain, HTTP, the action code, Rasa's jsonschema check of the\n"
            "  response), i.e. NLU + policies + built-in actions + responses."
        )
    parts += ["Each pipeline was measured in its own fresh process.", ""]
    parts.append(format_table(results, labels))
    parts += ["", "Held-out accuracy (bot.nlu.evaluation.format_scores):"]
    parts.append(side_by_side({labels[n]: r["scores_table"] for n, r in results.items()}))
    silent = {
        labels[n]: r["turns"]["turns_without_reply"] for n, r in results.items() if "turns" in r
    }
    if any(silent.values()):
        parts.append(f"\nTurns without any bot reply: {silent}")
    if turns:
        parts += ["", action_breakdown(results, labels)]
    parts += ["", load_note(results, labels)]
    if len(results) == 2:
        parts += ["", "Ratios are ours/stock: above 1 for throughput and below 1 for latency,"]
        parts += ["time, size and memory mean ours is better.", ""]
        parts += verdicts(results, args.quick)
    return "\n".join(parts)


def load_note(results: dict[str, dict], labels: dict[str, str]) -> str:
    """Other processes on the machine make every timing pessimistic: say so."""
    phases = []
    for name, result in results.items():
        for phase in ("train", "measure"):
            before, after = result[f"load_{phase}"]
            phases.append((f"{phase} {labels[name]}", before, after))
    lines = [f"1-minute load average before -> after each phase ({os.cpu_count()} cores):"]
    lines += [f"  {what:<40}{before:>6.2f} -> {after:.2f}" for what, before, after in phases]
    # Our own phase accounts for about one busy core (training: up to all cores).
    if max(before for _, before, _ in phases) > 1.5:
        lines.append(
            "  WARNING: other processes kept the machine busy; timings are pessimistic and noisy."
        )
    return "\n".join(lines)


def action_breakdown(results: dict[str, dict], labels: dict[str, str]) -> str:
    """Calls and mean time per custom action during the timed turns."""
    names = [n for n in results if "turns" in results[n]]
    actions = sorted({a for n in names for a in results[n]["turns"]["action_calls"]})
    lines = [
        "Action-server calls during the timed turns (calls, mean ms per call):",
        f"{'':<40}" + "".join(f"{labels[n]:>24}" for n in names),
    ]
    for action in actions:
        cells = ""
        for name in names:
            calls, seconds = results[name]["turns"]["action_calls"].get(action, (0, 0.0))
            cells += f"{f'{calls:.0f} x {1000 * seconds / calls:.1f} ms' if calls else '-':>24}"
        lines.append(f"{action:<40}{cells}")
    return "\n".join(lines)


@contextlib.contextmanager
def work_folder(keep: bool) -> Iterator[Path]:
    if keep:
        path = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
        print(f"work folder (kept): {path}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="nlu-bench-") as temp:
        yield Path(temp)


def run_benchmark(args) -> int:
    started = time.perf_counter()
    results: dict[str, dict] = {}
    with work_folder(args.keep) as workdir:
        chosen = pipelines(workdir, args.quick, args.only)
        data_root = snapshot(workdir)
        trained = {p.name: train(p, workdir, data_root) for p in chosen}
        with action_server(workdir, not args.no_action_server) as action_url:
            for pipeline in chosen:
                model = trained[pipeline.name]["model"]
                measured = measure_in_subprocess(pipeline, model, action_url, workdir, args.passes)
                results[pipeline.name] = {**trained[pipeline.name], **measured}
    wall_s = time.perf_counter() - started
    if args.json:  # first, so a failing report cannot lose the figures
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        pipelines_info = {p.name: {"label": p.label, "config": p.description} for p in chosen}
        payload = {"quick": args.quick, "wall_s": wall_s, "pipelines": pipelines_info}
        path.write_text(json.dumps({**payload, "results": results}, indent=2, ensure_ascii=False))
    print(report(results, chosen, args))
    print(f"\nBenchmark wall time: {wall_s:.0f} s")
    if args.json:
        print(f"results written to {args.json}")
    return 0


# ---------------------------------------------------------------- calibrate


def component_config(config: dict, suffix: str) -> dict:
    for component in config["pipeline"]:
        if component["name"].endswith(suffix):
            return {k: v for k, v in component.items() if k != "name"}
    raise SystemExit(f"{suffix} not in {OUR_CONFIG}")


def trained_classifier(workdir: Path, classifier_config: dict):
    """Our TfidfIntentClassifier, trained in-process on the NLU data `rasa train` uses."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.nlu.intent_classifier import TfidfIntentClassifier

    importer = TrainingDataImporter.load_from_config(
        str(OUR_CONFIG), str(PROJECT_ROOT / DOMAIN), [str(PROJECT_ROOT / p) for p in TRAINING_DATA]
    )
    training_data = importer.get_nlu_data()
    classifier = TfidfIntentClassifier(
        classifier_config, LocalModelStorage(workdir), Resource("calibration")
    )
    classifier.train(training_data)
    return classifier, training_data


def classify(classifier, texts: list[str], min_similarity: float) -> list[dict]:
    from rasa.shared.nlu.training_data.message import Message

    classifier.config["min_similarity"] = min_similarity
    messages = classifier.process([Message.build(text=text) for text in texts])
    return [{"intent": m.get("intent"), "ranking": m.get("intent_ranking")} for m in messages]


def with_fallback(parsed: list[dict], threshold: float, ambiguity: float) -> list[str]:
    """Top intent after Rasa's FallbackClassifier with the given threshold."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
    from rasa.shared.nlu.training_data.message import Message

    fallback = FallbackClassifier({"threshold": threshold, "ambiguity_threshold": ambiguity})
    messages = [
        Message(data={"intent": dict(p["intent"]), "intent_ranking": list(p["ranking"])})
        for p in parsed
    ]
    return [m.get("intent")["name"] for m in fallback.process(messages)]


def grid_table(title: str, cells: dict[tuple[float, float], float], marked) -> str:
    corner = "min_sim \\ threshold"
    lines = [title, f"{corner:<22}" + "".join(f"{t:>8.2f}" for t in CALIBRATION_THRESHOLDS)]
    for similarity in CALIBRATION_SIMILARITIES:
        row = f"{similarity:<22.2f}"
        for threshold in CALIBRATION_THRESHOLDS:
            mark = "*" if (similarity, threshold) == marked else " "
            row += f"{100 * cells[similarity, threshold]:>7.1f}{mark}"
        lines.append(row)
    return "\n".join(lines)


def similarity_quantiles(classifier, texts: list[str]) -> str:
    similarities = classifier.nearest_similarity(
        classifier._vectorize([classifier._prepare(text) for text in texts])
    )
    values = [float(s) for s in similarities]
    return " ".join(f"p{int(q * 100)}={percentile(values, q):.2f}" for q in (0.05, 0.25, 0.5, 0.95))


def calibrate(args) -> int:
    from bot.nlu.evaluation import HARMLESS_INTENTS, fallback_examples, held_out_examples

    started = time.perf_counter()
    config = yaml.safe_load(OUR_CONFIG.read_text())
    classifier_config = component_config(config, "TfidfIntentClassifier")
    fallback_config = component_config(config, "FallbackClassifier")
    configured = (classifier_config["min_similarity"], fallback_config["threshold"])
    ambiguity = fallback_config.get("ambiguity_threshold", 0.1)

    with tempfile.TemporaryDirectory(prefix="nlu-calibrate-") as temp:
        classifier, training_data = trained_classifier(Path(temp), classifier_config)
        examples = held_out_examples()
        pairs = [(lang, text, intent) for lang, ps in examples.items() for text, intent in ps]
        held_out = [text for _, text, _ in pairs]
        gibberish = fallback_examples()

        overall, worst, harmless = {}, {}, {}
        for similarity in CALIBRATION_SIMILARITIES:
            parsed_held_out = classify(classifier, held_out, similarity)
            parsed_gibberish = classify(classifier, gibberish, similarity)
            for threshold in CALIBRATION_THRESHOLDS:
                predicted = with_fallback(parsed_held_out, threshold, ambiguity)
                hits: dict[str, list[int]] = {lang: [0, 0] for lang in examples}
                for (lang, _, expected), got in zip(pairs, predicted, strict=True):
                    hits[lang][0] += got == expected
                    hits[lang][1] += 1
                key = (similarity, threshold)
                overall[key] = sum(h[0] for h in hits.values()) / len(pairs)
                worst[key] = min(accuracy(h) for h in hits.values())
                landed = with_fallback(parsed_gibberish, threshold, ambiguity)
                harmless[key] = sum(i in HARMLESS_INTENTS for i in landed) / len(landed)
        training_texts = {m.get("text").lower() for m in training_data.intent_examples}
        overlap = sum(text.lower() in training_texts for text in held_out)
        print(
            f"Calibration of our pipeline (TfidfIntentClassifier {classifier_config}, "
            f"FallbackClassifier ambiguity_threshold={ambiguity}),\ntrained in-process on "
            f"{len(training_data.intent_examples)} examples; {len(held_out)} held-out texts "
            f"(held-out texts also in training data: {overlap}), {len(gibberish)} fallback-set "
            f"lines.\nConfigured: min_similarity={configured[0]}, threshold={configured[1]} "
            "(marked *).\n"
        )
        print(grid_table("Held-out accuracy, all languages (%)", overall, configured), "\n")
        print(grid_table("Held-out accuracy, weakest language (%)", worst, configured), "\n")
        print(
            grid_table(
                "Fallback set ending in nlu_fallback/out_of_scope (%)", harmless, configured
            ),
            "\n",
        )
        print("Cosine similarity to the nearest training example:")
        print(f"  held-out texts: {similarity_quantiles(classifier, held_out)}")
        print(f"  fallback set:   {similarity_quantiles(classifier, gibberish)}\n")
    print(recommendation(overall, harmless, configured))
    print(f"\nCalibration wall time: {time.perf_counter() - started:.0f} s")
    return 0


def recommendation(overall: dict, harmless: dict, configured: tuple[float, float]) -> str:
    good = [key for key in overall if harmless[key] >= REQUIRED_FALLBACK_SHARE]
    if not good:
        return f"No setting keeps {REQUIRED_FALLBACK_SHARE:.0%} of the fallback set harmless."
    best = max(good, key=lambda key: (overall[key], harmless[key], -key[1]))
    return (
        f"Among settings keeping >= {REQUIRED_FALLBACK_SHARE:.0%} of the fallback set harmless, "
        f"the best held-out accuracy is {overall[best]:.1%} at min_similarity={best[0]}, "
        f"threshold={best[1]} (fallback share {harmless[best]:.1%}).\n"
        f"Configured min_similarity={configured[0]}, threshold={configured[1]}: "
        f"accuracy {overall[configured]:.1%}, fallback share {harmless[configured]:.1%}."
    )


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"stock pipeline with {QUICK_EPOCHS} epochs (NOT the stock config; a fast look)",
    )
    parser.add_argument("--only", choices=("ours", "stock"), help="benchmark one pipeline only")
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(DEFAULT_JSON),
        metavar="PATH",
        help=f"also write the results as JSON (default: {DEFAULT_JSON.relative_to(PROJECT_ROOT)})",
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="grid of fallback thresholds and min_similarity values for our pipeline",
    )
    parser.add_argument(
        "--passes", type=int, default=PARSE_PASSES, help="parse_message passes over the texts"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (models, logs) for inspection"
    )
    parser.add_argument(
        "--no-action-server",
        action="store_true",
        help="skip the turn measurements (they need the real action server)",
    )
    # Internal: one pipeline's measurements in a fresh process.
    parser.add_argument("--measure-model", help=argparse.SUPPRESS)
    parser.add_argument("--measure-out", help=argparse.SUPPRESS)
    parser.add_argument("--action-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-root", default=str(PROJECT_ROOT), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(rasa_environment())
    if args.measure_model:
        result = measure(args.measure_model, args.action_url, args.passes, Path(args.data_root))
        Path(args.measure_out).write_text(json.dumps(result))
        return 0
    if args.calibrate:
        return calibrate(args)
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
