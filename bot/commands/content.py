"""``welcome content check``: validate the staff-maintained content files."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.language_status import register_translate
from bot.content import ContentError, load_content


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
