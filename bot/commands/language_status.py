"""``welcome languages status`` and ``welcome content translate``.

``status`` shows staff, per language, how many texts are curated (written by
staff), machine translated (prepared at build time) or missing (shown in
English or German). ``content translate`` prepares the machine translations;
``welcome train`` runs it. The parent commands live in
:mod:`bot.commands.languages` and :mod:`bot.commands.content`, which call
:func:`register_status` and :func:`register_translate`.
"""

from __future__ import annotations

import argparse
import textwrap

from bot.prepared import get_prepared
from bot.translation.preparing import (
    NO_MODEL,
    Coverage,
    build_time_translator,
    coverage_by_language,
    missing,
    prepare,
)
from bot.translation.sources import collect_sources

_HEADERS = ("Language", "Curated", "Machine translated", "Missing", "Total")


def register_status(subparsers: argparse._SubParsersAction) -> None:
    """Add ``status`` to the sub-commands of ``welcome languages``."""
    parser = subparsers.add_parser(
        "status",
        help="curated, machine translated and missing texts per language",
        description=(
            "Count, per language, the texts staff wrote (curated), the texts "
            "translated by `welcome content translate` (machine translated) and "
            "the texts shown in English or German instead (missing)."
        ),
    )
    parser.add_argument(
        "--missing",
        metavar="LANG",
        help="list the texts that are missing in LANG",
    )
    parser.set_defaults(func=status_command)


def register_translate(content_subparsers: argparse._SubParsersAction) -> None:
    """Add ``translate`` to the sub-commands of ``welcome content``."""
    parser = content_subparsers.add_parser(
        "translate",
        help="machine translate answers and content into the installed languages",
        description=(
            "Translate every answer and content text into each language with "
            "installed models, once, and store it; the chat never translates "
            "answers itself. Only new or changed texts are translated again."
        ),
    )
    parser.add_argument(
        "--language",
        dest="language",
        action="extend",
        nargs="+",
        metavar="LANG",
        help="only these languages (default: every language with installed models)",
    )
    parser.set_defaults(func=translate_command)


def status_command(args: argparse.Namespace) -> int:
    store = get_prepared()
    sources = collect_sources()
    if args.missing:
        absent = missing(store, args.missing, sources=sources)
        print(f"{len(absent)} texts missing in {args.missing}:")
        for source in absent:
            text = textwrap.shorten(source.text, width=90, placeholder=" …")
            print(f"  {source.origin}: {text}")
        return 0
    print(format_coverage(coverage_by_language(store, sources=sources)))
    return 0


def format_coverage(coverage: dict[str, Coverage]) -> str:
    """The coverage as a plain-text table, one language per row."""
    rows = [_HEADERS] + [
        (
            _language_label(lang),
            str(item.curated),
            str(item.machine_translated),
            str(item.missing),
            str(item.total),
        )
        for lang, item in coverage.items()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADERS))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _chain(route: list[str]) -> str:
    """["de->en", "en->ro"] -> "de->en->ro"."""
    return "->".join([route[0].split("->")[0], *(hop.split("->")[1] for hop in route)])


def _language_label(code: str) -> str:
    from bot.languages import language_info

    info = language_info(code)
    return f"{code} {info.english_name}" if info else code


def translate_command(args: argparse.Namespace) -> int:
    translator = build_time_translator()
    if not translator.installed_pairs():
        print(
            "No translation models are installed: nothing to translate. "
            "Install them with `welcome languages install LANG` "
            "(or `--from-file PATH.argosmodel` without internet)."
        )
        return 0
    store = get_prepared()
    report = prepare(store, args.language or None, translator)
    if not report.languages:
        print("No language can be reached with the installed models: nothing to translate.")
        return 0
    for item in report.translated:
        routes = ", ".join(_chain(route) for route in item.routes.values())
        details = [f"{item.translated} translated", f"{item.kept} unchanged"]
        if item.dropped:
            details.append(f"{item.dropped} dropped")
        if item.rejected:
            details.append(f"{item.rejected} rejected (lost a name or placeholder; English shown)")
        if item.untranslatable:
            details.append(f"{item.untranslatable} without a route (shown in German)")
        print(f"{item.language}: {', '.join(details)} [{routes}]")
    for item in report.skipped:
        hint = f" (welcome languages install {item.language})" if item.skipped == NO_MODEL else ""
        print(f"{item.language}: skipped, {item.skipped}{hint}")
    print(f"Prepared translations are in {store.directory}.")
    return 0
