"""The ``welcome`` command line: one entry point for staff, IT and developers."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.commands import content, languages, nlu, office, requests, service, telegram, users


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="welcome",
        description="Willkommenslotse – the welcome assistant of Landkreis Böblingen.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in (service, office, nlu, content, requests, users, languages, telegram):
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
