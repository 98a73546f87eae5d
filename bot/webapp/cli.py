"""``stationbot webhook`` (serve the webhook and the staff API) and ``stationbot token ...``."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from urllib.parse import urlsplit

from bot.cli_support import fail, migrated_session, read_only_session, say
from bot.settings import Settings
from locales import Raw, T, Text
from storage.api_tokens import SCOPES

MAX_ID = 2**31 - 1

MIN_SECRET = 16
SECRET_HELP = T("TELEGRAM_WEBHOOK_SECRET must be set to a random string of at least {count} characters "
                "(letters, digits, _ and -), for example the output of `python3 -c \"import secrets; "
                "print(secrets.token_urlsafe(32))\"`.", count=MIN_SECRET)
URL_HELP = T("TELEGRAM_WEBHOOK_URL must be set to the public https:// address of /telegram/<path>, "
             "as Telegram will call it.")
WEBHOOK_PATH = re.compile(r"^/telegram/[A-Za-z0-9._~-]+$")


def webhook_problem(settings: Settings) -> Text | None:
    """One clear sentence when the webhook cannot be served safely, else None."""
    if not settings.telegram_bot_token:
        from bot.settings import TOKEN_HELP

        return TOKEN_HELP
    if len(settings.telegram_webhook_secret) < MIN_SECRET:
        return SECRET_HELP
    if not settings.telegram_webhook_url.startswith("https://"):
        return URL_HELP  # Telegram calls only https webhooks
    if not WEBHOOK_PATH.match(urlsplit(settings.telegram_webhook_url).path):
        # else every update would get 404 and the bot would go deaf without an error
        return T("TELEGRAM_WEBHOOK_URL must end in /telegram/<path> (one path segment, e.g. "
                 "https://bot.example.org/telegram/updates): only that address is served, got {url}.",
                 url=Raw(repr(settings.telegram_webhook_url)))
    return None


async def serve_webhook(settings: Settings) -> int:
    import uvicorn

    from bot.app import allowed_updates, build_application
    from bot.heap import freeze_startup_heap
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
        freeze_startup_heap()
        try:
            await uvicorn.Server(config).serve()
        finally:
            await application.stop()
    return 0


def ask_scope(settings: Settings) -> str | None:
    """The scope typed at the prompt (Enter = aggregates, the narrowest); None when the answer is not one."""
    say(settings, T("Which scope? aggregates = counts, averages and scores only; individual = also single ratings "
                    "and their comments (they can hold phone numbers); write = changes too."))
    try:
        answer = input("scope [aggregates/individual/write] (aggregates): ").strip().lower()
    except EOFError:
        answer = ""
    scope = answer or "aggregates"
    return scope if scope in SCOPES else None


async def token_create(args: argparse.Namespace, settings: Settings) -> int:
    from services.people import PeopleProblem, create_token
    from storage.api_tokens import NAME_LENGTH, token_name_problem

    problem = token_name_problem(args.name)
    if problem is not None:
        return fail(settings, T("--name must be printable text of 1 to {limit} characters (it is shown in "
                                "`stationbot token list`)", limit=NAME_LENGTH))
    scope = args.scope
    if scope is None:
        scope = ask_scope(settings) if sys.stdin.isatty() else "aggregates"
        if scope is None:
            return fail(settings, T("the scope must be aggregates, individual or write"))
    async with migrated_session(settings) as session:
        made = await create_token(session, args.name, scope, None, settings.now())  # the console's use case
        assert not isinstance(made, PeopleProblem)  # name and scope were checked above
        await session.commit()
    token, row = made
    say(settings, T("token {number} ({name}, scope {scope}) created; it is shown only this once:", number=row.id,
                    name=Raw(row.name), scope=Raw(row.scope)))
    print(token)
    return 0


async def token_command(args: argparse.Namespace, settings: Settings) -> int:
    from services.people import PeopleProblem, revoke_token
    from storage.api_tokens import list_api_tokens

    if args.token_command == "create":
        return await token_create(args, settings)
    if args.token_command == "revoke":
        if not 0 < args.id <= MAX_ID:
            return fail(settings, T("no token {number} (see `stationbot token list`)", number=args.id))
        async with migrated_session(settings) as session:
            if isinstance(await revoke_token(session, args.id, None, settings.now()), PeopleProblem):
                return fail(settings, T("no token {number} (see `stationbot token list`)", number=args.id))
            await session.commit()
        say(settings, T("token {number} revoked", number=args.id))
        return 0
    async with read_only_session(settings) as session:
        if session is None:
            return 2
        rows = await list_api_tokens(session)
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        print(f"{row.id}\t{row.name}\t{row.scope}\t{row.created_at:%Y-%m-%d}\t{state}")
    return 0


def main(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "webhook":
        problem = webhook_problem(settings)
        if problem is not None:
            return fail(settings, problem)
        return asyncio.run(serve_webhook(settings))
    return asyncio.run(token_command(args, settings))
