"""``welcome content check``: validate the staff-maintained content files."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.commands.language_status import register_translate
from bot.content import ContentError, load_content
from bot.content.readability import content_readability, hardest_first
from bot.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "content",
        help="staff-maintained content (offers, internships, contacts, ...)",
        description="Work with the content files in data/content.",
    )
    actions = parser.add_subparsers(dest="content_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="validate the content files and list every problem",
        description="Validate the content files. Exit code 0 if all is fine, 1 otherwise.",
    )
    check.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="PATH",
        help="content directory (default: WELCOME_CONTENT_DIR or data/content)",
    )
    check.set_defaults(func=check_command)
    # `welcome content translate`: answers for languages with installed models.
    register_translate(actions)
    register_readability(actions)


def register_readability(actions: argparse._SubParsersAction) -> None:
    readability = actions.add_parser(
        "readability",
        help="readability of every German content text, hardest first",
        description=(
            "Score every German content text (Flesch after Amstad, first Wiener "
            "Sachtextformel) and count the hints (long sentences, long words, passive "
            "voice, nominal style). Hardest first. A text is plain from "
            "WELCOME_READABILITY_MIN_FLESCH on."
        ),
    )
    readability.add_argument(
        "--below", action="store_true", help="only texts below the threshold (not plain)"
    )
    readability.add_argument(
        "--hints", action="store_true", help="print each hint (in German) under its text"
    )
    readability.add_argument(
        "--headings", action="store_true", help="include titles, labels and FAQ questions"
    )
    readability.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="PATH",
        help="content directory (default: WELCOME_CONTENT_DIR or data/content)",
    )
    readability.set_defaults(func=readability_command)


def check_command(args: argparse.Namespace) -> int:
    try:
        content = load_content(args.dir)
    except ContentError as error:
        count = len(error.issues)
        print(f"{count} problem{'s' if count != 1 else ''} found:")
        for issue in error.issues:
            print(f"  {issue}")
        return 1
    print(f"OK: {content.summary()}.")
    unverified = content.unverified()
    if unverified:
        print(
            f"Not verified yet: {len(unverified)} entries (the chat shows "
            "'these details are still being checked')."
        )
    for file, languages in content.pending_review.items():
        print(f"Awaiting native review in {file}: {', '.join(languages)}.")
    return 0


def readability_command(args: argparse.Namespace) -> int:
    try:
        content = load_content(args.dir)
    except ContentError as error:
        print(f"The content has problems; run 'welcome content check'.\n{error}")
        return 1
    threshold = get_settings().readability_min_flesch
    results = hardest_first(content_readability(content, headings=args.headings))
    below = [r for r in results if not r.readability.plain]
    shown = below if args.below else results
    print(
        f"{len(below)} of {len(results)} German texts below Flesch {threshold:g} "
        "(Amstad; WSTF = Wiener Sachtextformel, school grade)."
    )
    if not shown:
        return 0
    print(f"{'Flesch':>7} {'WSTF':>5} {'Sent':>4} {'Words':>5}  {'Text':<60} Hints")
    for result in shown:
        r = result.readability
        where = f"{result.file} {result.entry} {result.field}"
        kinds = Counter(hint.kind for hint in r.hints)
        hints = ", ".join(f"{kind} {count}" for kind, count in kinds.items()) or "-"
        print(
            f"{r.flesch_amstad:7.1f} {r.wiener_sachtextformel:5.1f} {r.sentences:4d} "
            f"{r.words:5d}  {where:<60} {hints}"
        )
        if args.hints:
            for hint in r.hints:
                print(f"{'':26}- {hint.message_de} [{hint.excerpt}]")
    return 0
