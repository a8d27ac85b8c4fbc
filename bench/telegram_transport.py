"""CPU per Telegram sendMessage: python-telegram-bot on httpx (its default) vs on aiohttp.

A minimal Bot API server runs in a process of its own on 127.0.0.1; this
process sends N messages with ``Bot.send_message`` through each transport
(8 at a time, as the outbox does) and prints the client's CPU time per
request, median of the rounds, and the ratio.

    .venv/bin/python bench/telegram_transport.py [--messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

TEXT = "Hallo! Hier sind die Deutschkurse in Sindelfingen. " * 3


def serve(port: int) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        await request.post()
        message = {"message_id": 1, "date": int(time.time()), "chat": {"id": 5, "type": "private"}}
        return web.json_response({"ok": True, "result": {**message, "text": TEXT}})

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handle)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(request, port: int, messages: int) -> float:
    """Client CPU milliseconds per sendMessage."""
    from telegram import Bot

    bot = Bot("1:bench", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        for _ in range(50):  # connections open, code paths warm
            await bot.send_message(chat_id=5, text=TEXT)
        slots = asyncio.Semaphore(8)

        async def one() -> None:
            async with slots:
                await bot.send_message(chat_id=5, text=TEXT)

        before = cpu_seconds()
        await asyncio.gather(*(one() for _ in range(messages)))
        return 1000 * (cpu_seconds() - before) / messages
    finally:
        await request.shutdown()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    from telegram.request import HTTPXRequest

    from bot.outbox.aiohttp_request import AiohttpRequest

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        results: dict[str, list[float]] = {"httpx (PTB default)": [], "aiohttp (ours)": []}
        for _ in range(args.rounds):
            for name, make in (
                ("httpx (PTB default)", lambda: HTTPXRequest(connection_pool_size=16)),
                ("aiohttp (ours)", lambda: AiohttpRequest(connection_pool_size=16)),
            ):
                results[name].append(asyncio.run(measure(make(), port, args.messages)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in results.items()}
    print(f"{args.messages} sendMessage calls x {args.rounds} rounds, client CPU ms per call:")
    for name, value in medians.items():
        rounds = ", ".join(f"{v:.3f}" for v in results[name])
        print(f"  {name:<20} {value:.3f} ms  (rounds: {rounds})")
    stock, ours = medians["httpx (PTB default)"], medians["aiohttp (ours)"]
    print(f"  ratio httpx / aiohttp: {stock / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
