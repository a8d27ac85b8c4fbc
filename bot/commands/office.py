"""``welcome office``: serve the coordination office's web app (waitress).

On start it migrates the database, imports the content files
(``settings.content_dir``) into an empty content store (so a fresh office's
editor shows the repository's content), and, when there is no active admin yet,
creates the account ``admin`` (password from WELCOME_OFFICE_ADMIN_PASSWORD, or
generated and printed here once). ``welcome run`` starts it next to the Rasa
and action servers (:func:`bot.commands.service.start_office`).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from bot.settings import Settings, get_settings

#: Worker threads of waitress: a handful of staff, a few slow database calls.
THREADS = 8


def office_command(settings: Settings) -> list[str]:
    """The command that runs the office app as a process of its own (reads the environment)."""
    # Not `python -m bot.cli office`: this module imports only what the office needs.
    return [sys.executable, "-m", "bot.commands.office"]


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings) -> int:
    """Migrate, make sure there is an admin, and serve until interrupted."""
    import sqlalchemy as sa

    from bot.content import ContentError
    from bot.content.store import ContentStore
    from bot.office.accounts import AccountError
    from bot.office.services import Office
    from bot.store import RequestStore, StoreError

    try:
        with RequestStore(settings.database_url) as store:
            store.migrate()
        with ContentStore(settings.database_url) as content_store:
            try:
                if content_store.seed(settings.content_dir):
                    print(f"Inhalte aus {settings.content_dir} übernommen.", flush=True)
            except ContentError as error:
                # The office still serves requests; `welcome content check` names the problems.
                print(
                    f"welcome office: content files in {settings.content_dir} not imported "
                    f"({len(error.issues)} problems; see `welcome content check`)",
                    file=sys.stderr,
                )
        office = Office(settings.database_url)
        try:
            generated = office.accounts.ensure_admin(settings.office_admin_password)
        finally:
            office.close()
    except (StoreError, AccountError) as error:
        print(f"welcome office: {error}", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as error:
        from bot.store.db import describe_error

        print(f"welcome office: database error: {describe_error(error)}", file=sys.stderr)
        return 1
    if generated:
        print(
            "\n"
            "  Erstes Admin-Konto angelegt (first admin account created)\n"
            "    Benutzername: admin\n"
            f"    Passwort:     {generated}\n"
            "  Notieren Sie das Passwort jetzt: Es wird nicht noch einmal angezeigt.\n"
            "  Ändern Sie es nach der ersten Anmeldung unter „Passwort ändern“.\n",
            flush=True,
        )

    import waitress

    from bot.office.app import create_app
    from bot.office.jobs import start_office_jobs

    app = create_app(settings)
    # `docker stop` and `welcome run` stop it like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    jobs = start_office_jobs(settings)
    print(f"Office: {settings.office_url}", flush=True)
    try:
        # ident="": no server name and version in the response headers.
        waitress.serve(
            app, host=settings.office_host, port=settings.office_port, threads=THREADS, ident=""
        )
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"welcome office: cannot listen on port {settings.office_port}: {error}",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        jobs.stop()
        app.extensions["welcome"].close()
    return 0


def run(args: argparse.Namespace) -> int:
    return serve(get_settings())


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "office",
        help="serve the coordination office's web app",
        description=(
            "Serve the web app of the coordination office (Koordinierungsstelle Integration) "
            "on WELCOME_OFFICE_HOST:WELCOME_OFFICE_PORT. Creates the first admin if needed."
        ),
    )
    parser.set_defaults(func=run)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return serve(get_settings())


if __name__ == "__main__":
    sys.exit(main())
