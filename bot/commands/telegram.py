"""`welcome telegram poll` and `welcome telegram status`.

Polling is for servers without public HTTPS. The poller fetches updates with
``getUpdates`` and posts each one to the running assistant's webhook route
(``/webhooks/telegram/webhook``) with the webhook secret, exactly as Telegram
would: one code path for both modes, and an update is confirmed to Telegram
(the next ``offset``) only after the assistant has handled it, so an update
is never lost while the assistant restarts. Replies are sent by the
assistant's outbox worker, not by the poller.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
#: How long Telegram holds a getUpdates request open when nothing happens.
LONG_POLL_SECONDS = 25
MAX_BACKOFF_SECONDS = 30.0


class PollerStopped(RuntimeError):
    """The poller cannot go on (the assistant refuses it, or the settings are wrong)."""


def status_line(settings: Settings) -> str:
    """How Telegram runs, in a few words (for `welcome run`'s start-up message)."""
    from bot.outbox.telegram import configuration_problem

    if not settings.telegram_bot_token:
        return "off (no TELEGRAM_BOT_TOKEN)"
    problem = configuration_problem(settings)
    if problem:
        return f"NOT working: {problem}"
    if settings.telegram_webhook_url:
        return f"webhook {settings.telegram_webhook_url}"
    return "polling with getUpdates (no TELEGRAM_WEBHOOK_URL)"


def poll_process_command() -> list[str]:
    """The command `welcome run` starts next to the Rasa server in polling mode."""
    return [sys.executable, "-m", "bot.cli", "telegram", "poll"]


def assistant_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.rasa_port}"


async def _backoff(delay: float, stop: asyncio.Event | None) -> float:
    if stop is None:
        await asyncio.sleep(delay)
    else:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
    return min(delay * 2, MAX_BACKOFF_SECONDS)


async def forward(client, url: str, secret: str, update: dict, stop=None) -> bool:
    """Post one update to the assistant until it has handled it; ``False``: stopped first."""
    import httpx

    delay = 1.0
    while stop is None or not stop.is_set():
        try:
            reply = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
        except httpx.HTTPError as error:
            logger.warning("The assistant is not reachable at %s (%s); retrying", url, error)
        else:
            if reply.status_code == 200:
                return True
            if reply.status_code == 400:
                logger.warning("The assistant could not read update %s", update.get("update_id"))
                return True
            if reply.status_code == 403:
                raise PollerStopped(
                    "the assistant refused the poller's secret: it must run with the same "
                    "TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN as this command"
                )
            if reply.status_code == 404:
                raise PollerStopped(
                    f"{url} does not exist: is the Telegram channel in config/credentials.yml "
                    "and TELEGRAM_BOT_TOKEN set for the assistant?"
                )
            logger.warning("The assistant answered %s; retrying", reply.status_code)
        delay = await _backoff(delay, stop)
    return False


async def poll(
    settings: Settings,
    base_url: str | None = None,
    *,
    stop: asyncio.Event | None = None,
    long_poll_seconds: int = LONG_POLL_SECONDS,
) -> int:
    """Fetch updates and hand them to the assistant until ``stop`` is set; returns how many."""
    import httpx
    from telegram import Update
    from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

    from bot.outbox.telegram import (
        close_bot,
        make_bot,
        redact,
        retry_after_seconds,
        webhook_secret,
    )

    token = settings.telegram_bot_token
    secret = webhook_secret(settings)
    if not token or secret is None:
        raise PollerStopped("TELEGRAM_BOT_TOKEN is not set")
    url = (base_url or assistant_url(settings)).rstrip("/") + WEBHOOK_PATH
    bot = make_bot(token, settings.telegram_api_base_url)
    forwarded = 0
    delay = 1.0
    webhook_deleted = False
    offset: int | None = None
    async with httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=5.0)) as client:
        try:
            while stop is None or not stop.is_set():
                try:
                    if not webhook_deleted:
                        # getUpdates does not work while a webhook is set.
                        await bot.delete_webhook(drop_pending_updates=False)
                        webhook_deleted = True
                    updates = await bot.get_updates(
                        offset=offset,
                        timeout=long_poll_seconds,
                        allowed_updates=Update.ALL_TYPES,
                    )
                except RetryAfter as error:
                    await _backoff(retry_after_seconds(error), stop)
                    continue
                except InvalidToken:
                    raise PollerStopped("Telegram refuses TELEGRAM_BOT_TOKEN") from None
                except (Conflict, TelegramError) as error:
                    # Conflict: another poller runs, or a webhook was set again meanwhile.
                    logger.warning("getUpdates failed (%s); retrying", redact(str(error), token))
                    webhook_deleted = webhook_deleted and not isinstance(error, Conflict)
                    delay = await _backoff(delay, stop)
                    continue
                delay = 1.0
                for update in updates:
                    if not await forward(client, url, secret, update.to_dict(), stop):
                        break
                    offset = update.update_id + 1
                    forwarded += 1
        finally:
            await close_bot(bot)
    return forwarded


def poll_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.telegram_bot_token:
        print("Telegram is off (no TELEGRAM_BOT_TOKEN).", file=sys.stderr)
        return 1
    if settings.telegram_webhook_url:
        print(
            "TELEGRAM_WEBHOOK_URL is set: Telegram delivers updates to the webhook, and polling "
            "would delete it. Unset TELEGRAM_WEBHOOK_URL to poll.",
            file=sys.stderr,
        )
        return 1
    logging.getLogger("bot").setLevel(logging.INFO)
    print(
        f"Polling Telegram for updates for the assistant at {args.url or assistant_url(settings)}"
    )
    try:
        asyncio.run(poll(settings, args.url))
    except PollerStopped as error:
        print(f"welcome telegram poll: {error}", file=sys.stderr)
        return 1
    return 0


async def _webhook_info(settings: Settings) -> dict:
    from bot.outbox.telegram import close_bot, make_bot

    bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base_url)
    try:
        info = await bot.get_webhook_info()
        return {
            "url": info.url or "",
            "pending_update_count": info.pending_update_count,
            "last_error_message": info.last_error_message or "",
        }
    finally:
        await close_bot(bot)


def status_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    print(f"Telegram: {status_line(settings)}")
    code = 0
    if settings.telegram_bot_token:
        from bot.outbox.telegram import redact

        try:
            info = asyncio.run(_webhook_info(settings))
        except Exception as error:
            print(
                f"  Telegram API not reachable: {redact(str(error), settings.telegram_bot_token)}"
            )
            code = 1
        else:
            print(f"  webhook at Telegram: {info['url'] or '(none: polling)'}")
            print(f"  updates waiting at Telegram: {info['pending_update_count']}")
            if info["last_error_message"]:
                print(f"  Telegram's last delivery error: {info['last_error_message']}")
    from bot.outbox import Outbox

    outbox = Outbox(settings.database_url)
    try:
        counts = outbox.counts("telegram")
    except Exception:
        print("  outbox: not set up yet (the database is created by `welcome run`)")
    else:
        print(
            f"  outbox: {counts['pending']} waiting, {counts['sent']} sent, "
            f"{counts['failed']} failed"
        )
    finally:
        outbox.close()
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("telegram", help="the Telegram channel: polling and status")
    actions = parser.add_subparsers(dest="telegram_command", metavar="ACTION")
    actions.required = True
    poll_parser = actions.add_parser(
        "poll",
        help="fetch updates with getUpdates and hand them to the running assistant "
        "(for servers without public HTTPS)",
    )
    poll_parser.add_argument(
        "--url", help="base URL of the running assistant (default: http://127.0.0.1:<port>)"
    )
    poll_parser.set_defaults(func=poll_command)
    status_parser = actions.add_parser(
        "status", help="token, webhook at Telegram, and the outbox's waiting/sent/failed counts"
    )
    status_parser.set_defaults(func=status_command)
