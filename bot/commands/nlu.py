"""`welcome parse`: what the assistant understands in a text, as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any

from bot import DEFAULT_LANGUAGE
from bot.settings import get_settings

MAX_TEXT_CHARS = 10_000


def load_agent(model: str):
    """Load the trained model once (a few seconds); quiet and offline."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, Rasa's structlog prints every parse (message text included)
    # to stdout; that would break the JSON output and leak texts.
    configure_structlog(logging.WARNING)

    return Agent.load(model)


def parse_result(text: str, parsed: dict[str, Any]) -> dict[str, Any]:
    """The `welcome parse` contract: text, language, intent, confidence (+ details)."""
    detection = parsed.get("language") or {}
    intent = parsed.get("intent") or {}
    return {
        "text": text,
        "language": detection.get("code") or DEFAULT_LANGUAGE,
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "entities": [
            {
                "entity": e.get("entity"),
                "value": e.get("value"),
                "text": text[e["start"] : e["end"]] if "start" in e else e.get("text"),
            }
            for e in parsed.get("entities") or []
        ],
        "language_detection": detection,
        # Messages in a language the NLU was not trained on are read in English.
        "translation": parsed.get("translation"),
    }


async def parse_texts(agent, texts) -> Any:
    for text in texts:
        clipped = text[:MAX_TEXT_CHARS]
        parsed = await agent.parse_message(clipped) if clipped.strip() else {}
        yield parse_result(text, parsed)


def parse(args: argparse.Namespace) -> int:
    model = args.model or str(get_settings().model_dir / "welcome.tar.gz")
    if not os.path.exists(model):
        print(f"welcome parse: no trained model at {model}; run `welcome train`.", file=sys.stderr)
        return 1
    agent = load_agent(model)
    texts = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)

    async def emit() -> None:
        async for result in parse_texts(agent, texts):
            print(json.dumps(result, ensure_ascii=False), flush=True)

    asyncio.run(emit())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="print intent, language and entities as JSON (one line per text on stdin)",
    )
    parser.add_argument("text", nargs="?", help="text to parse; omit to read lines from stdin")
    parser.add_argument("--model", help="model file (default: models/welcome.tar.gz)")
    parser.set_defaults(func=parse)
