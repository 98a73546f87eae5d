"""``stationbot webhook`` (serve the webhook and the staff API) and ``stationbot token ...``."""

from __future__ import annotations

import argparse
import asyncio
import re
from urllib.parse import urlsplit

from bot.settings import Settings
from storage.db import Database

MIN_SECRET = 16
SECRET_HELP = (f"TELEGRAM_WEBHOOK_SECRET must be set to a random string of at least {MIN_SECRET} characters "
               "(letters, digits, _ and -), for example the output of `python3 -c \"import secrets; "
               "print(secrets.token_urlsafe(32))\"`.")
URL_HELP = ("TELEGRAM_WEBHOOK_URL must be set to the public https:// address of /telegram/<path>, "
            "as Telegram will call it.")
PATH_HELP = ("TELEGRAM_WEBHOOK_URL must end in /telegram/<path> (one path segment, e.g. "
             "https://bot.example.org/telegram/updates): only that address is served, got {url!r}.")
WEBHOOK_PATH = re.compile(r"^/telegram/[A-Za-z0-9._~-]+$")


def webhook_problem(settings: Settings) -> str | None:
    """One clear sentence when the webhook cannot be served safely, else None."""
    if not settings.telegram_bot_token:
        from bot.settings import TOKEN_HELP

        return TOKEN_HELP
    if len(settings.telegram_webhook_secret) < MIN_SECRET:
        return SECRET_HELP
    if not settings.telegram_webhook_url.startswith("https://"):
        return URL_HELP  # Telegram calls only https webhooks
    if not WEBHOOK_PATH.match(urlsplit(settings.telegram_webhook_url).path):
        return PATH_HELP.format(url=settings.telegram_webhook_url)  # else every update would get 404
    return None


async def serve_webhook(settings: Settings) -> int:
    import uvicorn

    from bot.app import allowed_updates, build_application
    from bot.webapp.app import create_web_app

    application = build_application(settings, with_updater=False)
    services = application.bot_data["services"]
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        await application.bot.set_webhook(url=settings.telegram_webhook_url,
                                          secret_token=settings.telegram_webhook_secret,
                                          allowed_updates=allowed_updates())
        config = uvicorn.Config(create_web_app(application, services), host=settings.webhook_listen,
                                port=settings.webhook_port, log_level=settings.log_level.lower(),
                                access_log=False)
        try:
            await uvicorn.Server(config).serve()
        finally:
            await application.stop()
    return 0


async def token_command(args: argparse.Namespace, settings: Settings) -> int:
    from storage.api_tokens import create_api_token, list_api_tokens, revoke_api_token

    db = Database(settings.database_url)
    await db.upgrade()
    try:
        async with db.session() as session:
            if args.token_command == "create":
                token, row = await create_api_token(session, args.name, settings.now())
                await session.commit()
                print(f"token {row.id} ({row.name}) created; it is shown only this once:")
                print(token)
            elif args.token_command == "revoke":
                if not await revoke_api_token(session, args.id, settings.now()):
                    print(f"error: no token {args.id} (see `stationbot token list`)")
                    return 2
                await session.commit()
                print(f"token {args.id} revoked")
            else:
                for row in await list_api_tokens(session):
                    state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                    print(f"{row.id}\t{row.name}\t{row.created_at:%Y-%m-%d}\t{state}")
    finally:
        await db.dispose()
    return 0


def main(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "webhook":
        problem = webhook_problem(settings)
        if problem is not None:
            print(f"error: {problem}")
            return 2
        return asyncio.run(serve_webhook(settings))
    return asyncio.run(token_command(args, settings))
