"""``welcome languages``: which languages the assistant serves, and their translation models.

welcome languages list
welcome languages install LANG... [--from-file PATH]
welcome languages remove LANG...
welcome languages status

Only ``install`` without ``--from-file`` uses the network (the Argos package
index); everything else, and the assistant itself, works offline.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.settings import get_settings
from bot.translation.install import (
    InstallError,
    install_from_file,
    install_from_index,
    pairs_for_languages,
    remove,
)
from bot.translation.packages import PIVOT_LANGUAGE, InstalledPackage, installed_pairs

EXIT_OK = 0
EXIT_ERROR = 1

NATIVE = "native"
MACHINE_TRANSLATION = "machine translation"
NO_MODEL_INSTALLED = "no model installed"
NO_MODEL_EXISTS = "no model exists"

PREPARE_REMINDER = (
    "Next: run `welcome content translate` (or `welcome train`) so that the answers are "
    "prepared in the new language(s)."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "languages",
        help="languages and their translation models",
        description="Languages the assistant serves and the translation models behind them.",
    )
    actions = parser.add_subparsers(dest="languages_command", metavar="ACTION")
    actions.required = True

    list_parser = actions.add_parser(
        "list",
        help="every language: native, machine translated, or not available",
        description=(
            "Every language of the catalogue: whether the NLU understands it natively, how "
            "many answers staff wrote in it, and which translation models are installed."
        ),
    )
    list_parser.set_defaults(func=run_list)

    install_parser = actions.add_parser(
        "install",
        help="install translation models (from the Argos index, or from files)",
        description=(
            "Install the models that translate LANG to and from English, plus German <-> "
            "English (staff read German). Downloads from the Argos package index unless "
            "--from-file is given; --from-file works without internet."
        ),
    )
    install_parser.add_argument(
        "languages",
        nargs="*",
        metavar="LANG",
        help="language codes as in `welcome languages list` (e.g. ro pl fr)",
    )
    install_parser.add_argument(
        "--from-file",
        type=Path,
        metavar="PATH",
        help=(
            "an .argosmodel file or a folder of them; without LANG every package in it is installed"
        ),
    )
    install_parser.add_argument(
        "--index-url",
        metavar="URL",
        help="the Argos package index (default: WELCOME_ARGOS_INDEX_URL or the official one)",
    )
    install_parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="network timeout per request (default: 30)",
    )
    install_parser.set_defaults(func=run_install)

    remove_parser = actions.add_parser(
        "remove",
        help="remove the translation models of languages",
        description=(
            "Remove the models that translate LANG to and from English. The language is "
            "then no longer served; users are offered English or German and an interpreter."
        ),
    )
    remove_parser.add_argument("languages", nargs="+", metavar="LANG")
    remove_parser.set_defaults(func=run_remove)

    _register_status(actions)


def _register_status(actions: Any) -> None:
    try:
        from bot.commands.language_status import register_status
    except ImportError as error:
        message = f"`welcome languages status` is not available in this version ({error})."
        status_parser = actions.add_parser("status", help="texts per language (not available)")
        status_parser.set_defaults(func=lambda _args: _error(message))
        return
    register_status(actions)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


# --------------------------------------------------------------------------- list


def language_rows(packages_dir: Path) -> list[dict[str, str]]:
    """One row per catalogue language, as ``welcome languages list`` shows it."""
    from bot.languages import get_languages

    languages = get_languages()
    pairs = installed_pairs(packages_dir)
    coverage = _curated_coverage(list(languages))
    rows = []
    for code, info in languages.items():
        model = info.argos_code
        if model == PIVOT_LANGUAGE or not model:
            to_english = from_english = "–"
        else:
            to_english = _yes_no((model, PIVOT_LANGUAGE) in pairs)
            from_english = _yes_no((PIVOT_LANGUAGE, model) in pairs)
        curated = coverage.get(code)
        rows.append(
            {
                "code": code,
                "name": info.english_name,
                "native_nlu": _yes_no(info.native_nlu),
                "curated": f"{curated.curated}/{curated.total}" if curated else "?",
                "to_english": to_english,
                "from_english": from_english,
                "status": language_status(info, pairs),
            }
        )
    return rows


def language_status(info: Any, pairs: set[tuple[str, str]]) -> str:
    """How a language is served (``info`` is a :class:`bot.languages.LanguageInfo`)."""
    model = info.argos_code
    if info.native_nlu:
        return NATIVE
    if not model:
        return NO_MODEL_EXISTS
    if (model, PIVOT_LANGUAGE) in pairs and (PIVOT_LANGUAGE, model) in pairs:
        return MACHINE_TRANSLATION
    return NO_MODEL_INSTALLED


def _curated_coverage(codes: list[str]) -> dict[str, Any]:
    try:
        from bot.prepared import get_prepared
        from bot.translation.preparing import coverage_by_language

        return coverage_by_language(get_prepared(), codes)
    except Exception as error:  # broken content must not hide the model overview
        print(f"note: could not count the curated answers ({error})", file=sys.stderr)
        return {}


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


LIST_COLUMNS = (
    ("code", "CODE"),
    ("name", "LANGUAGE"),
    ("native_nlu", "NATIVE NLU"),
    ("curated", "CURATED"),
    ("to_english", "TO EN"),
    ("from_english", "FROM EN"),
    ("status", "STATUS"),
)


def format_rows(rows: list[dict[str, str]]) -> str:
    table = [tuple(title for _key, title in LIST_COLUMNS)]
    table += [tuple(row[key] for key, _title in LIST_COLUMNS) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(LIST_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def run_list(args: argparse.Namespace) -> int:
    packages_dir = get_settings().packages_dir
    print(format_rows(language_rows(packages_dir)))
    print(f"\nCURATED: answers staff wrote in the language / all answers. Models: {packages_dir}")
    return EXIT_OK


# --------------------------------------------------------------------------- install / remove


def run_install(args: argparse.Namespace) -> int:
    settings = get_settings()
    packages_dir = settings.packages_dir

    def progress(line: str) -> None:
        print(f"  {line}", flush=True)

    try:
        if args.from_file is not None:
            only_pairs = pairs_for_languages(args.languages) if args.languages else None
            installed = install_from_file(
                args.from_file, packages_dir, only_pairs=only_pairs, progress=progress
            )
            if not installed:
                return _error(f"{args.from_file}: no package for {', '.join(args.languages)}")
        elif args.languages:
            index_url = args.index_url or settings.argos_index_url
            installed = install_from_index(
                args.languages,
                packages_dir,
                index_url,
                timeout=args.timeout,
                progress=progress,
            )
        else:
            return _error("name the languages to install (e.g. `ro pl`) or give --from-file PATH")
    except InstallError as error:
        return _error(str(error))

    for package in installed:
        verb = "kept" if package.unchanged else "installed"
        print(f"{verb} {package.describe()}")
    _print_language_states(_languages_of(args.languages, installed), packages_dir)
    if any(not package.unchanged for package in installed):
        print(PREPARE_REMINDER)
    return EXIT_OK


def _languages_of(requested: Iterable[str], installed: list[InstalledPackage]) -> list[str]:
    """Our codes of the requested languages, or of the languages the packages serve."""
    from bot.languages import get_languages

    if requested:
        return [code.strip().lower() for code in requested]
    models = {code for package in installed for code in package.pair} - {PIVOT_LANGUAGE}
    return [code for code, info in get_languages().items() if info.argos_code in models]


def _print_language_states(codes: list[str], packages_dir: Path) -> None:
    from bot.languages import language_info

    pairs = installed_pairs(packages_dir)
    for code in codes:
        info = language_info(code)
        if info is None:
            continue
        status = language_status(info, pairs)
        if status == NO_MODEL_INSTALLED:
            missing = [
                f"{source} -> {target}"
                for source, target in (
                    (info.argos_code, PIVOT_LANGUAGE),
                    (PIVOT_LANGUAGE, info.argos_code),
                )
                if (source, target) not in pairs
            ]
            status += f" (missing: {', '.join(missing)})"
        print(f"{info.english_name} ({code}): {status}")


def run_remove(args: argparse.Namespace) -> int:
    try:
        removed = remove(args.languages, get_settings().packages_dir)
    except InstallError as error:
        return _error(str(error))
    if not removed:
        print("No installed model belongs to these languages.")
        return EXIT_OK
    for package in removed:
        print(f"removed {package.describe()}")
    _print_language_states(_languages_of(args.languages, removed), get_settings().packages_dir)
    return EXIT_OK
