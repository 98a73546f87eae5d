"""The ``stationbot`` command: run the bot, migrate, invite people, manage stations and holidays."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.cli_data import add_parsers as add_data_parsers
from bot.cli_data import cmd_holidays, cmd_station
from bot.cli_support import configure_logging, fail, migrated_session, say
from bot.settings import MAX_INVITE_DAYS, TOKEN_HELP, Settings, SettingsProblem, load_settings
from locales import TN, Raw, T, normalise_locale, render, translator
from storage.db import Database

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


async def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    await db.upgrade()
    await db.dispose()
    say(settings, T("database is up to date"))
    return 0


async def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from services.qr import qr_png
    from storage.models import Station
    from storage.tokens import create_invite

    days = settings.invite_days if args.days is None else args.days
    if not 1 <= days <= MAX_INVITE_DAYS:
        return fail(settings, T("--days must be a whole number from 1 to {high}", high=MAX_INVITE_DAYS))
    if args.role == "staff" and args.station is not None:
        return fail(settings, T("staff are not bound to a station: leave out --station for --role staff"))
    async with migrated_session(settings) as session:
        if args.role in ("manager", "liaison"):
            if args.station is None or not 0 < args.station < 2**31 or await session.get(Station, args.station) is None:
                return fail(settings, T("--station must name an existing station for role {role} (see `stationbot "
                                        "station list`)", role=Raw(args.role)))
        token, _ = await create_invite(session, role=args.role, now=settings.now(), days=days,
                                       station_id=args.station)
        username = settings.telegram_bot_username or "<your_bot_username>"
        link = f"https://t.me/{username}?start={token}"
        if args.qr:  # the QR first: a bad path must not leave an invitation nobody received
            try:
                Path(args.qr).write_bytes(qr_png(link))
            except OSError as exc:
                return fail(settings, T("the QR code cannot be written to {path} ({problem}); no invitation "
                                        "was saved", path=Raw(args.qr), problem=exc.strerror or ""))
        await session.commit()
    print(link)
    say(settings, TN("valid for {days} day, single use", "valid for {days} days, single use", days, days=days))
    if args.qr:
        say(settings, T("QR code written to {path}", path=Raw(args.qr)))
    return 0


def run_bot(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        say(settings, TOKEN_HELP)
        return 2
    from bot.app import allowed_updates, build_application
    from bot.heap import freeze_startup_heap

    application = build_application(settings)
    freeze_startup_heap()
    application.run_polling(allowed_updates=allowed_updates())
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stationbot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling (the default for a laptop)")
    demo = sub.add_parser("demo", help="chat with the bot in this terminal against the offline sandbox")
    demo.add_argument("--as", dest="role", choices=["manager", "staff", "contact"], default="manager")
    demo.add_argument("--lang", default="zh-hans")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("db_command", choices=["upgrade"])
    inv = sub.add_parser("invite", help="create an invitation link")
    inv.add_argument("--role", required=True, choices=["manager", "liaison", "staff"])
    inv.add_argument("--station", type=int)
    inv.add_argument("--days", type=int, help="days the link stays valid (default INVITE_DAYS)")
    inv.add_argument("--qr", help="write a QR code PNG to this path")
    add_data_parsers(sub)
    sub.add_parser("webhook", help="serve the Telegram webhook and the staff API (behind a TLS reverse proxy)")
    tok = sub.add_parser("token", help="create, revoke or list staff API tokens")
    tok_sub = tok.add_subparsers(dest="token_command", required=True)
    tok_create = tok_sub.add_parser("create")
    tok_create.add_argument("--name", required=True)
    tok_create.add_argument("--scope", choices=["aggregates", "individual", "write"],
                            help="aggregates: counts, averages, scores (the default); individual: also single "
                                 "ratings and comments; write. Asked for when omitted at a terminal.")
    tok_revoke = tok_sub.add_parser("revoke")
    tok_revoke.add_argument("id", type=int)
    tok_sub.add_parser("list")
    from bot.policy_cli import add_parser as add_policy_parser
    add_policy_parser(sub)
    return p


ASYNC_COMMANDS: dict[str, Command] = {
    "db": cmd_db_upgrade, "invite": cmd_invite, "station": cmd_station, "holidays": cmd_holidays,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsProblem as exc:  # the settings' own CLI_LANGUAGE may be what is broken: read it directly
        language = normalise_locale(os.environ.get("CLI_LANGUAGE", "en"))
        print(render(T("error: {problem}", problem=exc.text), translator(language)))
        return 2
    configure_logging(settings.log_level)
    if args.command == "run":
        return run_bot(settings)
    if args.command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(settings, args.role, args.lang))
    from sqlalchemy.exc import DBAPIError

    try:
        for name, extra in (("webhook", "bot.webapp.cli"), ("token", "bot.webapp.cli"), ("policy", "bot.policy_cli")):
            if args.command == name:
                import importlib

                return int(importlib.import_module(extra).main(args, settings))
        return asyncio.run(ASYNC_COMMANDS[args.command](args, settings))
    except DBAPIError as exc:  # unreachable, read-only or refusing database: one sentence, not a traceback
        return fail(settings, T("the database refused the command ({problem}); check DATABASE_URL and that it "
                                "can be written", problem=type(exc.orig).__name__ if exc.orig else type(exc).__name__))


if __name__ == "__main__":
    sys.exit(main())
