"""``welcome users``: staff accounts of the office app, for IT without a browser.

welcome users add USERNAME --role coordinator|editor|admin [--name N] [--email E]
welcome users list
welcome users disable USERNAME
welcome users enable USERNAME
welcome users set-password USERNAME

Passwords are asked twice on a terminal; with ``--password-stdin`` (or when
stdin is not a terminal, e.g. in a script) the first line of stdin is read.
Every change is written to the audit log as user ``cli``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.store import RequestStore, StoreError
from bot.store.db import InvalidDatabaseURL, describe_error

EXIT_OK = 0
EXIT_ERROR = 1
CLI_USER = "cli"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "users",
        help="staff accounts of the office app",
        description="Staff accounts of the coordination office's web app (`welcome office`).",
    )
    actions = parser.add_subparsers(dest="users_command", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="create an account", description="Create an account.")
    add.add_argument("username", help="lowercase letters, digits, . _ - (e.g. m.mueller)")
    # No argparse choices: a wrong role gets the same message (and exit code 1) as elsewhere.
    add.add_argument("--role", required=True, help="coordinator, editor or admin")
    add.add_argument("--name", help="full name shown in the app (default: the username)")
    add.add_argument("--email", help="e-mail address for notifications")
    _add_password_option(add)
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="show the accounts")
    _add_database_option(listing)
    listing.set_defaults(func=run_list)

    for name, func, text in (
        ("disable", run_disable, "disable an account and end its sessions"),
        ("enable", run_enable, "enable an account again (and lift a lock)"),
    ):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument("username")
        _add_database_option(action)
        action.set_defaults(func=func)

    password = actions.add_parser(
        "set-password",
        help="set a new password (ends the account's sessions, lifts a lock)",
        description="Set a new password; the account's sessions end and a lock is lifted.",
    )
    password.add_argument("username")
    _add_password_option(password)
    password.set_defaults(func=run_set_password)


def _add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="database to use (default: WELCOME_DATABASE_URL or var/welcome.db)",
    )


def _add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin instead of asking",
    )
    _add_database_option(parser)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or asked twice on the terminal."""
    from bot.office.accounts import AccountError

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Neues Passwort: ")
    if getpass.getpass("Neues Passwort wiederholen: ") != first:
        raise AccountError("Die beiden Passwörter stimmen nicht überein.")
    return first


def _with_office(args: argparse.Namespace, work: Callable[[Any], int]) -> int:
    """Migrate the database, then run ``work(office)``; errors become a message and exit 1."""
    from bot.office.accounts import AccountError
    from bot.office.services import Office
    from bot.settings import get_settings

    url = args.database_url or get_settings().database_url
    try:
        with RequestStore(url) as store:
            store.migrate()
        office = Office(url)
    except (StoreError, InvalidDatabaseURL) as error:
        return _error(str(error))
    except ImportError as error:
        return _error(f"database driver not installed ({error})")
    try:
        return work(office)
    except AccountError as error:
        return _error(str(error))
    except SQLAlchemyError as error:
        return _error(f"database error: {describe_error(error)}")
    finally:
        office.close()


def run_add(args: argparse.Namespace) -> int:
    def work(office: Any) -> int:
        user = office.accounts.add(
            args.username,
            args.name or args.username,
            args.role,
            read_password(args.password_stdin),
            email=args.email,
        )
        office.audit.add(
            "account_added", username=CLI_USER, detail=f"konto={user.username} rolle={user.role}"
        )
        print(f"Account {user.username} ({user.role}) created.")
        return EXIT_OK

    return _with_office(args, work)


def format_table(users: list[Any]) -> str:
    header = ("USERNAME", "NAME", "ROLE", "ACTIVE", "LAST LOGIN (UTC)")
    rows = [
        (
            user.username,
            user.display_name,
            user.role,
            "yes" if user.active else "no",
            user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never",
        )
        for user in users
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def run_list(args: argparse.Namespace) -> int:
    def work(office: Any) -> int:
        users = office.accounts.list()
        if not users:
            print("No accounts yet. Create one: welcome users add NAME --role admin")
        else:
            print(format_table(users))
        return EXIT_OK

    return _with_office(args, work)


def run_disable(args: argparse.Namespace) -> int:
    def work(office: Any) -> int:
        user = office.accounts.disable(args.username)
        office.audit.add("account_disabled", username=CLI_USER, detail=f"konto={user.username}")
        print(f"Account {user.username} disabled; its sessions have ended.")
        return EXIT_OK

    return _with_office(args, work)


def run_enable(args: argparse.Namespace) -> int:
    def work(office: Any) -> int:
        user = office.accounts.enable(args.username)
        office.audit.add("account_enabled", username=CLI_USER, detail=f"konto={user.username}")
        print(f"Account {user.username} enabled.")
        return EXIT_OK

    return _with_office(args, work)


def run_set_password(args: argparse.Namespace) -> int:
    from bot.office.accounts import AccountError

    def work(office: Any) -> int:
        if office.accounts.by_username(args.username) is None:
            # Said before asking for a password that could not be used.
            raise AccountError(f"Es gibt kein Konto mit dem Benutzernamen '{args.username}'.")
        user = office.accounts.set_password(args.username, read_password(args.password_stdin))
        office.audit.add("password_reset", username=CLI_USER, detail=f"konto={user.username}")
        print(f"New password set for {user.username}; its sessions have ended.")
        return EXIT_OK

    return _with_office(args, work)
