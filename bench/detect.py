"""Language detection benchmark: our detector against stock lingua and py3langid.

Why lingua per alphabet plus a phrase lexicon (bot/language.py)? This script
measures it on the texts that matter, split by length, because newcomers'
messages are short:

* ``samples``: tests/bot/fixtures/detection_samples.yml, sentences in every
  catalogue language we can detect (de en tr ar fa uk ru bg el ro pl fr it es
  sq hr so ps ckb ur ti);
* ``nlu``: the NLU training examples (data/nlu/<lang>/), real short messages in
  the seven native languages. Our phrase lexicon is learnt from exactly these
  texts, so only "ours without lexicon" is fair there;
* ``ambiguous``: the fixture's short texts ("ok", "Sindelfingen", "danke?")
  that must never count as reliable (only our detector has that notion);
* ``code_mixed``: tests/nlu/fixtures/code_mixed.yml, messages in a language
  around German names ("بدي Dolmetscher لموعد في Jobcenter"), per language.

Buckets: <= 3 words, 4-8 words, longer. Each detector runs in a fresh process
(models load lazily and would otherwise be shared), so load time and memory
are its own. Times are the median per message after a warm-up pass.

    .venv/bin/python bench/detect.py            # table
    .venv/bin/python bench/detect.py --json     # also write results/detect-bench.json
    .venv/bin/python bench/detect.py --only ours,py3langid
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

SAMPLES_FILE = PROJECT_ROOT / "tests" / "bot" / "fixtures" / "detection_samples.yml"
DEFAULT_JSON = PROJECT_ROOT / "results" / "detect-bench.json"

DETECTORS = {
    "ours": "ours: lingua per alphabet + letters + phrase lexicon (bot/language.py)",
    "ours-nolex": "ours without the phrase lexicon",
    "ours-native": "ours limited to the 7 native languages (the detector before issue 3)",
    "lingua-all": "lingua, stock: all 75 languages, high accuracy",
    "lingua-catalogue": "lingua: one detector for the catalogue languages it knows",
    "py3langid": "py3langid, stock: 97 languages",
    "py3langid-catalogue": "py3langid limited to the catalogue languages it knows",
}
BUCKETS = ("<=3 words", "4-8 words", ">8 words")


def bucket(text: str) -> str:
    words = len(text.split())
    return BUCKETS[0] if words <= 3 else BUCKETS[1] if words <= 8 else BUCKETS[2]


# --------------------------------------------------------------------------- data (parent)


def load_datasets() -> dict[str, list[tuple[str | None, str]]]:
    import yaml

    samples = yaml.safe_load(SAMPLES_FILE.read_text(encoding="utf-8"))
    return {
        "samples": [
            (code, str(text)) for code, texts in samples["sentences"].items() for text in texts
        ],
        "nlu": [(code, text) for code, texts in nlu_examples().items() for text in texts],
        "ambiguous": [(None, str(text)) for text in samples["short_texts"]],
        "code_mixed": [(m.language, m.text) for m in code_mixed_messages()],
    }


def code_mixed_messages():
    from bot.nlu.evaluation import code_mixed_messages as messages

    return messages()


def nlu_examples() -> dict[str, list[str]]:
    """The NLU training texts per native language (as LanguageDetectorComponent reads them)."""
    import logging

    from bot import LANGUAGES

    logging.disable(logging.WARNING)
    from rasa.shared.nlu.training_data.loading import load_data

    texts: dict[str, list[str]] = {}
    for language in LANGUAGES:
        folder = PROJECT_ROOT / "data" / "nlu" / language
        if folder.is_dir():
            data = load_data(str(folder))
            texts[language] = [m.get("text") for m in data.training_examples if m.get("text")]
    return texts


# --------------------------------------------------------------------------- one detector (worker)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(name: str, lexicon: dict[str, str]):
    """A function text -> (code, reliable or None) for the named detector."""
    from bot.languages import get_languages

    catalogue = set(get_languages())
    if name.startswith("ours"):
        from bot import LANGUAGES
        from bot.language import LanguageDetector

        detector = LanguageDetector(
            languages=LANGUAGES if name == "ours-native" else None,
            phrases=None if name == "ours-nolex" else lexicon,
        )

        def detect(text):
            result = detector.detect(text)
            return result.language, result.reliable

        return detect
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        if name == "lingua-all":
            detector = LanguageDetectorBuilder.from_all_languages().build()
        else:
            known = [
                Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                for code in sorted(catalogue)
                if hasattr(IsoCode639_1, code.upper())
            ]
            known = [language for language in known if language in Language.all()]
            detector = LanguageDetectorBuilder.from_languages(*known).build()

        def detect(text):
            language = detector.detect_language_of(text)
            return (language.iso_code_639_1.name.lower() if language else None), None

        return detect
    if name.startswith("py3langid"):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        if name == "py3langid-catalogue":
            identifier.set_languages([c for c in identifier.nb_classes if c in catalogue])

        def detect(text):
            return identifier.classify(text)[0], None

        return detect
    raise SystemExit(f"unknown detector {name!r}")


def worker(name: str, data_file: Path, out_file: Path) -> None:
    payload = json.loads(data_file.read_text(encoding="utf-8"))
    before = rss_mb()
    started = time.perf_counter()
    detect = build(name, payload["lexicon"])
    detect("Ich brauche einen Deutschkurs")  # first call loads models lazily
    first_call = time.perf_counter() - started

    texts = [text for rows in payload["datasets"].values() for _, text in rows]
    for text in texts:  # warm-up: every model this detector needs is loaded
        detect(text)
    predictions: dict[str, list] = {}
    durations: list[float] = []
    for dataset, rows in payload["datasets"].items():
        predictions[dataset] = []
        for _, text in rows:
            start = time.perf_counter_ns()
            code, reliable = detect(text)
            if dataset == "samples":
                # Timed on the samples only: the lexicon knows the NLU texts by heart.
                durations.append((time.perf_counter_ns() - start) / 1000)
            predictions[dataset].append([code, reliable])
    out_file.write_text(
        json.dumps(
            {
                "predictions": predictions,
                "median_us": statistics.median(durations),
                "p95_us": sorted(durations)[int(len(durations) * 0.95)],
                "load_s": first_call,
                "rss_mb": rss_mb(),
                "model_mb": rss_mb() - before,
            }
        )
    )


# --------------------------------------------------------------------------- report (parent)


def score(datasets, predictions) -> dict:
    """Accuracy per dataset and bucket, plus the reliable-on-ambiguous share."""
    result: dict = {}
    for dataset in ("samples", "nlu"):
        counts: dict[str, list[int]] = {b: [0, 0] for b in (*BUCKETS, "all")}
        for (label, text), (code, _) in zip(datasets[dataset], predictions[dataset], strict=True):
            for key in (bucket(text), "all"):
                counts[key][0] += code == label
                counts[key][1] += 1
        result[dataset] = {b: (ok / n if n else None, n) for b, (ok, n) in counts.items()}
        pairs = list(zip(datasets[dataset], predictions[dataset], strict=True))
        result[f"{dataset}_reliably_wrong"] = (
            sum(bool(reliable) and code != label for (label, _), (code, reliable) in pairs)
            / len(pairs)
            if pairs and pairs[0][1][1] is not None
            else None
        )
    flags = [reliable for _, reliable in predictions["ambiguous"]]
    result["ambiguous_reliable"] = (
        sum(bool(flag) for flag in flags) / len(flags)
        if all(f is not None for f in flags)
        else None
    )
    return result


def per_language(datasets, predictions, dataset: str = "samples") -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for (label, _), (code, _) in zip(datasets[dataset], predictions[dataset], strict=True):
        row = counts.setdefault(label, [0, 0])
        row[0] += code == label
        row[1] += 1
    return {label: (ok, n) for label, (ok, n) in counts.items()}


def _pct(value) -> str:
    return "-" if value is None else f"{value:6.1%}"


def format_report(datasets, results: dict[str, dict]) -> str:
    names = list(results)
    width = max(len(n) for n in names) + 2
    lines = [
        f"Texts: samples {len(datasets['samples'])}, NLU examples {len(datasets['nlu'])}, "
        f"ambiguous {len(datasets['ambiguous'])}",
        "",
        "Accuracy (share of texts whose language is named correctly)",
    ]
    header = f"{'detector':{width}}" + "".join(
        f"{h:>11} " for h in ("<=3 words", "4-8 words", ">8 words", "all")
    )
    lines += ["samples (all catalogue languages)", header]
    for name in names:
        scores = results[name]["scores"]["samples"]
        lines.append(
            f"{name:{width}}" + "".join(f"{_pct(scores[b][0]):>11} " for b in (*BUCKETS, "all"))
        )
    lines += ["", "NLU training examples (de en ar uk tr fa ru)", header]
    for name in names:
        scores = results[name]["scores"]["nlu"]
        note = "  (lexicon learnt from these texts)" if name in ("ours", "ours-native") else ""
        lines.append(
            f"{name:{width}}"
            + "".join(f"{_pct(scores[b][0]):>11} " for b in (*BUCKETS, "all"))
            + note
        )
    lines += [
        "",
        "Cost (time per message on the samples, after warm-up) and safety",
        f"{'detector':{width}}{'median µs':>10} {'p95 µs':>9} {'load s':>7} {'models MB':>10} "
        f"{'ambiguous reliable':>19} {'reliably wrong: samples':>24} {'NLU':>7}",
    ]
    for name in names:
        r = results[name]
        lines.append(
            f"{name:{width}}{r['median_us']:10.0f} {r['p95_us']:9.0f} {r['load_s']:7.2f} "
            f"{r['model_mb']:10.0f} {_pct(r['scores']['ambiguous_reliable']):>19} "
            f"{_pct(r['scores']['samples_reliably_wrong']):>24} "
            f"{_pct(r['scores']['nlu_reliably_wrong']):>7}"
        )
    lines += code_mixed_report(datasets, results, width)
    if "ours" in results:
        lines += ["", "ours, samples per language (correct / texts)"]
        row = [f"{code} {ok}/{n}" for code, (ok, n) in results["ours"]["per_language"].items()]
        for start in range(0, len(row), 8):
            lines.append("  " + "  ".join(row[start : start + 8]))
    lines += ["", "Detectors:"] + [f"  {n:{width}}{DETECTORS[n]}" for n in names]
    lines.append(
        "  lingua cannot name ps, ckb, ti; py3langid cannot name so, ckb, ti: their "
        "texts count as misses."
    )
    return "\n".join(lines)


def code_mixed_report(datasets, results: dict[str, dict], width: int) -> list[str]:
    """Accuracy per language on the code-mixed messages, one row per detector."""
    languages = list(dict.fromkeys(label for label, _ in datasets["code_mixed"]))
    lines = [
        "",
        f"Code-mixed messages ({len(datasets['code_mixed'])}: a language around German names)",
        f"{'detector':{width}}" + "".join(f"{code:>6}" for code in languages) + f"{'all':>8}",
    ]
    for name, result in results.items():
        row = result["code_mixed"]
        ok = sum(correct for correct, _ in row.values())
        total = sum(count for _, count in row.values())
        lines.append(
            f"{name:{width}}"
            + "".join(f"{row[code][0] / row[code][1]:6.0%}" for code in languages)
            + f"{ok / total:8.1%}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help=f"also write {DEFAULT_JSON}")
    parser.add_argument("--only", help="comma-separated detectors: " + ", ".join(DETECTORS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args.data, args.out)
        return 0

    names = args.only.split(",") if args.only else list(DETECTORS)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        parser.error(f"unknown detector {unknown[0]!r}")
    datasets = load_datasets()
    from bot.language import build_phrase_lexicon

    lexicon = build_phrase_lexicon(nlu_examples())
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        data_file = Path(folder) / "data.json"
        data_file.write_text(
            json.dumps({"datasets": datasets, "lexicon": lexicon}, ensure_ascii=False),
            encoding="utf-8",
        )
        for name in names:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            out_file = Path(folder) / f"{name}.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    name,
                    "--data",
                    data_file,
                    "--out",
                    out_file,
                ],
                check=True,
                cwd=PROJECT_ROOT,
            )
            measured = json.loads(out_file.read_text())
            results[name] = {
                **{k: v for k, v in measured.items() if k != "predictions"},
                "scores": score(datasets, measured["predictions"]),
                "per_language": per_language(datasets, measured["predictions"]),
                "code_mixed": per_language(datasets, measured["predictions"], "code_mixed"),
            }
    print(format_report(datasets, results))
    if args.json:
        DEFAULT_JSON.parent.mkdir(parents=True, exist_ok=True)
        DEFAULT_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"\nwritten: {DEFAULT_JSON}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
