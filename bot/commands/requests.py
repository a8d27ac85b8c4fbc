"""``welcome requests``: the handoff requests for the coordination office.

welcome requests list [--json] [--status S] [--limit N]
welcome requests migrate
welcome requests forget SENDER_ID --yes
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from bot.settings import get_settings
from bot.store import STATUSES, RequestStore, StoredRequest, StoreError
from bot.store.db import InvalidDatabaseURL, describe_error, sqlite_file

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

    purge_parser = actions.add_parser(
        "purge",
        help="retention: delete old chat histories and finished requests",
        description=(
            "Delete chat histories with no message for DAYS days and requests marked done "
            "that are older than DAYS days. Run it daily (cron) to keep only what is needed."
        ),
    )
    purge_parser.add_argument("--older-than", type=_positive_int, required=True, metavar="DAYS")
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


def _delete(
    args: argparse.Namespace,
    warning: str,
    delete_requests: Callable[[RequestStore], int],
    delete_events: Callable[[Any], int],
    done: str,
) -> int:
    """Delete requests, then chat events, after ``--yes``; report either failure."""
    store = RequestStore(args.database_url)
    if not args.yes:
        print(f"{warning} in {store.display_url}. Repeat with --yes to do it.", file=sys.stderr)
        return EXIT_ERROR
    try:
        missing = _missing_sqlite_file(store)
        if missing:
            return _error(missing)
        requests = delete_requests(store)
    except StoreError as exc:
        return _error(str(exc))
    finally:
        store.close()

    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.tracker_store import WelcomeTrackerStore

    try:
        tracker_store = WelcomeTrackerStore(url=store.url, startup_retries=0)
        try:
            events = delete_events(tracker_store)
        finally:
            tracker_store.close()
    except (SQLAlchemyError, InvalidDatabaseURL, ImportError) as exc:
        return _error(
            "the requests were deleted, but the chat history could not be deleted: "
            + describe_error(exc)
        )
    print(done.format(requests=requests, events=events))
    return EXIT_OK


def run_forget(args: argparse.Namespace) -> int:
    return _delete(
        args,
        f"This deletes all handoff requests and the chat history of conversation "
        f"{args.sender_id!r}",
        lambda store: store.delete_sender_data(args.sender_id),
        lambda tracker_store: tracker_store.delete_conversation(args.sender_id),
        "Deleted {requests} request(s) and {events} stored chat event(s).",
    )


def run_purge(args: argparse.Namespace) -> int:
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=args.older_than)
    code = _delete(
        args,
        f"This deletes chat histories idle for more than {args.older_than} days and "
        "finished requests older than that",
        lambda store: store.delete_done_before(cutoff),
        lambda tracker_store: tracker_store.delete_conversations_idle_since(cutoff.timestamp()),
        "Deleted {requests} finished request(s) and {events} chat event(s) of idle conversations.",
    )
    if code == EXIT_OK:
        code = _purge_translation_cache(args)
    return code


def _purge_translation_cache(args: argparse.Namespace) -> int:
    """Cached translations of user messages expire with the chat histories."""
    from bot.translation.cache import TranslationCache

    days = get_settings().translation_cache_days
    store = RequestStore(args.database_url)
    cache = TranslationCache(store.url)
    try:
        removed = cache.purge_older_than(days)
    finally:
        cache.close()
        store.close()
    print(f"Deleted {removed} cached translation(s) older than {days} days.")
    return EXIT_OK
