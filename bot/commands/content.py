"""``welcome content check|export|import``: the staff-maintained content files.

``check`` validates a folder of YAML files; ``export`` and ``import`` move the
content between such a folder (e.g. ``data/content`` in git) and the
database the office edits and publishes from. Exit codes: 0 done, 1 the
content has problems (each named with file, entry and field), 2 the database
cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bot.commands.language_status import register_translate
from bot.content import ContentError, load_content
from bot.content.readability import content_readability, hardest_first
from bot.settings import get_settings

#: Who the working copy names as author of a change made on the command line.
CLI_AUTHOR = "cli"


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
    export = actions.add_parser(
        "export",
        help="write the content from the database into a folder (byte for byte)",
        description=(
            "Write the content files from the database (the office's working copy, or "
            "with --published the version the assistant serves) into a folder. The files "
            "come out exactly as they were imported or saved."
        ),
    )
    export.add_argument("--dir", type=Path, required=True, metavar="PATH", help="target folder")
    export.add_argument(
        "--published", action="store_true", help="the published version, not the working copy"
    )
    export.set_defaults(func=export_command)
    load = actions.add_parser(
        "import",
        help="make the content files of a folder the working copy in the database",
        description=(
            "Check the content files in a folder and make them the office's working copy. "
            "Nothing changes if a file has a problem. With --publish the assistant serves "
            "them within seconds."
        ),
    )
    load.add_argument("--dir", type=Path, required=True, metavar="PATH", help="source folder")
    load.add_argument("--publish", action="store_true", help="publish them at once")
    load.add_argument(
        "--author", default=CLI_AUTHOR, help=f"name recorded as the author (default: {CLI_AUTHOR})"
    )
    load.set_defaults(func=import_command)
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


def _print_problems(error: ContentError) -> None:
    count = len(error.issues)
    print(f"{count} problem{'s' if count != 1 else ''} found:")
    for issue in error.issues:
        print(f"  {issue}")


def check_command(args: argparse.Namespace) -> int:
    try:
        content = load_content(args.dir)
    except ContentError as error:
        _print_problems(error)
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


def _content_store():
    """The migrated database's content store (the caller closes it)."""
    from bot.content.store import ContentStore
    from bot.store import RequestStore

    settings = get_settings()
    with RequestStore(settings.database_url) as store:
        store.migrate()
    return ContentStore(settings.database_url)


def _database_problem(error: Exception) -> int:
    from bot.store.db import describe_error

    print(f"welcome content: the database cannot be used: {describe_error(error)}", file=sys.stderr)
    return 2


def export_command(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from bot.store import StoreError

    try:
        with _content_store() as store:
            if args.published and not store.publications():
                print("Nothing is published yet: export the working copy (without --published).")
                return 1
            written = store.export_dir(args.dir, published=args.published)
    except (StoreError, sa.exc.SQLAlchemyError) as error:
        return _database_problem(error)
    except OSError as error:
        print(f"welcome content: cannot write to {args.dir}: {error.strerror or error}",
              file=sys.stderr)  # fmt: skip
        return 2
    what = "published version" if args.published else "working copy"
    print(f"Exported {len(written)} files of the {what} to {args.dir}.")
    return 0


def import_command(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from bot.store import StoreError

    try:
        with _content_store() as store:
            publication = store.import_dir(args.dir, args.author, publish=args.publish)
    except ContentError as error:
        _print_problems(error)
        print("Nothing was imported.")
        return 1
    except (StoreError, sa.exc.SQLAlchemyError) as error:
        return _database_problem(error)
    print(f"Imported the content files of {args.dir} as the working copy.")
    if publication is not None:
        print(f"Published as version {publication.version}; the assistant serves it in seconds.")
        if publication.needs_training:
            print(
                "Town names or spellings changed: add them to "
                "data/nlu/entities/municipalities.yml and train a new model."
            )
    return 0
