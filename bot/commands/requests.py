"""``welcome requests``: the handoff requests for the coordination office.

welcome requests list [--json] [--status S] [--limit N]
welcome requests migrate
welcome requests set-status REFERENCE new|in_progress|waiting|done
welcome requests forget SENDER_ID --yes
welcome requests purge [--dry-run | --yes] [--close-idle-days N] [--closed-days N]
                       [--conversation-days N] [--mode delete|anonymise] [--batch N]
                       [--audit-days N] [--older-than DAYS]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from bot import privacy
from bot.store import STATUSES, RequestStore, StoredRequest, StoreError
from bot.store.db import InvalidDatabaseURL, sqlite_file

SUMMARY_WIDTH = 48
EXIT_OK = 0
EXIT_ERROR = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "requests",
        help="handoff requests for the coordination office",
        description="Handoff requests that newcomers sent to the coordination office.",
    )
    actions = parser.add_subparsers(dest="requests_command", metavar="ACTION")
    actions.required = True

    list_parser = actions.add_parser(
        "list",
        help="show the requests, newest first",
        description="Show the handoff requests, newest first.",
    )
    list_parser.add_argument(
        "--json", action="store_true", help="one JSON object per line (all stored fields)"
    )
    list_parser.add_argument("--status", choices=STATUSES, help="only requests with this status")
    list_parser.add_argument("--limit", type=_positive_int, help="at most N requests")
    _add_database_option(list_parser)
    list_parser.set_defaults(func=run_list)

    migrate_parser = actions.add_parser(
        "migrate",
        help="create or upgrade the database tables",
        description="Create or upgrade the tables of the handoff requests (safe to repeat).",
    )
    _add_database_option(migrate_parser)
    migrate_parser.set_defaults(func=run_migrate)

    forget_parser = actions.add_parser(
        "forget",
        help="delete one conversation's requests and chat history",
        description=(
            "Delete all handoff requests and the stored chat history of one conversation "
            "(for a deletion request received by e-mail or phone)."
        ),
    )
    forget_parser.add_argument("sender_id", help="the conversation id (sender_id in --json)")
    forget_parser.add_argument("--yes", action="store_true", help="really delete")
    _add_database_option(forget_parser)
    forget_parser.set_defaults(func=run_forget)

    status_parser = actions.add_parser(
        "set-status",
        help="mark a request new, in progress or done",
        description=(
            "Set the status of a request. Finished requests (done) are deleted or "
            "anonymised by `welcome requests purge` once closed longer than its retention time."
        ),
    )
    status_parser.add_argument("reference", help="the request's reference, e.g. WL-7K3F9Q")
    status_parser.add_argument("status", choices=STATUSES)
    _add_database_option(status_parser)
    status_parser.set_defaults(func=run_set_status)

    purge_parser = actions.add_parser(
        "purge",
        help="retention: close silent requests, forget old ones and old chat histories",
        description=(
            "One retention run (the office runs it daily): close open requests nobody "
            "touched for --close-idle-days, delete (or anonymise, --mode) requests closed "
            "--closed-days ago after writing their anonymous figures, delete chat histories "
            "idle for --conversation-days and audit entries older than --audit-days. "
            "Defaults come from the WELCOME_RETENTION_* settings. At most --batch requests "
            "and conversations per kind and run."
        ),
    )
    purge_parser.add_argument(
        "--older-than",
        type=_positive_int,
        metavar="DAYS",
        help="shorthand for --closed-days DAYS --conversation-days DAYS",
    )
    for option, help_text in (
        ("--close-idle-days", "close open requests with no activity for N days"),
        ("--closed-days", "forget requests closed N days ago"),
        ("--conversation-days", "delete chat histories idle for N days"),
        ("--audit-days", "delete audit entries older than N days"),
        ("--batch", "at most N requests and N conversations per kind"),
    ):
        purge_parser.add_argument(option, type=_positive_int, metavar="N", help=help_text)
    purge_parser.add_argument(
        "--mode",
        choices=privacy.MODES,
        help="delete finished requests, or keep them without the person (anonymise)",
    )
    purge_parser.add_argument(
        "--dry-run", action="store_true", help="only count what would be done; change nothing"
    )
    purge_parser.add_argument("--yes", action="store_true", help="really delete")
    _add_database_option(purge_parser)
    purge_parser.set_defaults(func=run_purge)


def _add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="database to use (default: WELCOME_DATABASE_URL or var/welcome.db)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _missing_sqlite_file(store: RequestStore) -> str | None:
    """A message if the store is a SQLite file that does not exist (reading would create it)."""
    try:
        path = sqlite_file(store.url)
    except InvalidDatabaseURL:
        return None  # reported when the store is used
    if path is None or path.exists():
        return None
    return (
        f"the database file {path} does not exist. Check WELCOME_DATABASE_URL, "
        "or start the assistant once (or run `welcome requests migrate`) to create it."
    )


def _summary(fields: dict[str, Any], width: int = SUMMARY_WIDTH) -> str:
    parts = []
    for key, value in fields.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        parts.append(f"{key}={value}")
    text = " ".join("; ".join(parts).split()) or "–"
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(requests: list[StoredRequest]) -> str:
    """The requests as an aligned text table (created time in UTC)."""
    header = ("REFERENCE", "CREATED (UTC)", "CATEGORY", "LANG", "STATUS", "DETAILS")
    rows = [
        (
            request.reference,
            request.created_at.strftime("%Y-%m-%d %H:%M"),
            request.category,
            request.language,
            request.status,
            _summary(request.fields),
        )
        for request in requests
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    return "\n".join(line(row) for row in [header, *rows])


def print_requests(
    requests: list[StoredRequest], *, as_json: bool, status: str | None, out: TextIO
) -> None:
    if as_json:
        for request in requests:
            out.write(json.dumps(request.as_dict(), ensure_ascii=False) + "\n")
        return
    if not requests:
        which = f" with status '{status}'" if status else ""
        out.write(f"No handoff requests{which} stored.\n")
        return
    out.write(format_table(requests) + "\n")
    noun = "request" if len(requests) == 1 else "requests"
    out.write(f"\n{len(requests)} {noun}, newest first.\n")


def run_list(args: argparse.Namespace) -> int:
    store = RequestStore(args.database_url)
    try:
        missing = _missing_sqlite_file(store)
        if missing:
            return _error(missing)
        requests = store.list_requests(status=args.status, limit=args.limit)
    except StoreError as exc:
        return _error(str(exc))
    finally:
        store.close()
    print_requests(requests, as_json=args.json, status=args.status, out=sys.stdout)
    return EXIT_OK


def run_migrate(args: argparse.Namespace) -> int:
    store = RequestStore(args.database_url)
    try:
        store.migrate()
    except StoreError as exc:
        return _error(str(exc))
    finally:
        store.close()
    print(f"Database {store.display_url} is up to date.")
    return EXIT_OK


def run_set_status(args: argparse.Namespace) -> int:
    store = RequestStore(args.database_url)
    try:
        missing = _missing_sqlite_file(store)
        if missing:
            return _error(missing)
        updated = store.set_status(args.reference, args.status)
    except StoreError as exc:
        return _error(str(exc))
    finally:
        store.close()
    if updated is None:
        return _error(f"no request with the reference {args.reference!r}")
    print(f"{updated.reference} is now {updated.status}.")
    return EXIT_OK


def _confirmed_database(args: argparse.Namespace, warning: str) -> tuple[str | None, int]:
    """The database URL to delete in, after ``--yes``; else the exit code to return."""
    store = RequestStore(args.database_url)
    try:
        if not args.yes:
            print(f"{warning} in {store.display_url}. Repeat with --yes to do it.", file=sys.stderr)
            return None, EXIT_ERROR
        missing = _missing_sqlite_file(store)
        if missing:
            return None, _error(missing)
        return store.url, EXIT_OK
    finally:
        store.close()


def run_forget(args: argparse.Namespace) -> int:
    url, code = _confirmed_database(
        args,
        f"This deletes all handoff requests and the chat history of conversation "
        f"{args.sender_id!r}",
    )
    if url is None:
        return code
    try:
        forgotten = privacy.forget(args.sender_id, url, audit_as=privacy.CLI_USER)
    except (privacy.PrivacyError, StoreError, InvalidDatabaseURL, ValueError) as exc:
        return _error(str(exc))
    print(
        f"Deleted {forgotten.requests} request(s) and {forgotten.events} stored chat event(s). "
        f"Also deleted: {forgotten.translations} cached translation(s), "
        f"{forgotten.messages} delivered message(s). Anonymous figures kept for "
        f"{forgotten.figures} request(s)."
    )
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    if args.dry_run:
        args.yes = True  # nothing is changed: no confirmation needed
    url, code = _confirmed_database(
        args,
        "This closes silent requests and deletes (or anonymises) old requests, chat "
        "histories and audit entries as the retention settings say",
    )
    if url is None:
        return code
    closed_days = args.closed_days or args.older_than
    conversation_days = args.conversation_days or args.older_than
    try:
        purged = privacy.purge(
            url,
            close_idle_days=args.close_idle_days,
            closed_days=closed_days,
            mode=args.mode,
            conversation_days=conversation_days,
            batch=args.batch,
            audit_days=args.audit_days,
            dry_run=args.dry_run,
        )
    except (privacy.PrivacyError, StoreError, InvalidDatabaseURL, ValueError) as exc:
        return _error(str(exc))
    print(
        ("Dry run, nothing changed. Would have: " if purged.dry_run else "") + _purged_text(purged)
    )
    return EXIT_OK


def _purged_text(purged: privacy.Purged) -> str:
    return (
        f"Closed {purged.closed} silent request(s). "
        f"Deleted {purged.requests} finished request(s), anonymised {purged.anonymised} "
        f"(figures kept for {purged.figures}). "
        f"Deleted {purged.events} chat event(s) of {purged.conversations} idle "
        f"conversation(s), {purged.translations} cached translation(s), "
        f"{purged.messages} delivered message(s) and {purged.audit_entries} old audit "
        f"entr{'y' if purged.audit_entries == 1 else 'ies'}. "
        f"Deleted {purged.questions} unanswered question(s) not asked for "
        "WELCOME_UNANSWERED_DAYS."
    )
