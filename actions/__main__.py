"""``python -m actions --port N``: the rasa-sdk action server for these actions.

What ``python -m rasa_sdk --actions actions`` does, at ``WELCOME_LOG_LEVEL``,
without the list of every registered action (two dozen INFO lines) and
without libraries' deprecation notices (:mod:`bot.commands.rasa_cli`).
``welcome run`` starts it on 127.0.0.1 only (``SANIC_HOST``).
"""

from __future__ import annotations

import logging
import sys

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from bot.commands.rasa_cli import quiet_library_deprecations
from bot.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    quiet_library_deprecations()
    args = create_argument_parser().parse_args(sys.argv[1:] if argv is None else argv)
    args.actions = args.actions or "actions"
    args.loglevel = logging.getLevelName(get_settings().log_level)
    logging.getLogger("rasa_sdk.executor").setLevel(logging.WARNING)
    main_from_args(args)


if __name__ == "__main__":
    main()
