"""The ``stationbot`` command: run the bot, migrate, invite people, manage stations and holidays."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.settings import TOKEN_HELP, Settings
from storage.db import Database

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def known_profiles() -> list[str]:
    from rules.profile import all_profiles

    return sorted(all_profiles())


async def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    await db.upgrade()
    await db.dispose()
    print("database is up to date")
    return 0


async def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.qr import qr_png
    from storage.models import Station
    from storage.tokens import create_invite

    db = Database(settings.database_url)
    await db.upgrade()
    async with db.session() as session:
        if args.role in ("manager", "liaison"):
            if args.station is None or await session.get(Station, args.station) is None:
                print(f"error: --station must name an existing station for role {args.role} (see `stationbot station list`)")
                return 2
        token, _ = await create_invite(session, role=args.role, now=settings.now(), days=args.days,
                                       station_id=args.station)
        await session.commit()
    await db.dispose()
    username = settings.telegram_bot_username or "<your_bot_username>"
    link = f"https://t.me/{username}?start={token}"
    print(link)
    if args.qr:
        Path(args.qr).write_bytes(qr_png(link))
        print(f"QR code written to {args.qr}")
    return 0


async def cmd_station(args: argparse.Namespace, settings: Settings) -> int:
    from storage.stations import ImportProblem, add_station, import_stations, list_stations

    db = Database(settings.database_url)
    await db.upgrade()
    try:
        async with db.session() as session:
            if args.station_command == "add":
                values = {"name": args.name, "policy_profile": args.profile or settings.default_policy,
                          "region": args.region or "", "society": args.society or "",
                          "society_level": args.society_level, "station_type": args.type or ""}
                station = await add_station(session, values, known_profiles())
                await session.commit()
                print(f"added station {station.id}: {station.name}")
            elif args.station_command == "import":
                text = Path(args.csv).read_text(encoding="utf-8-sig")
                stations = await import_stations(session, text, known_profiles())
                await session.commit()
                print(f"imported {len(stations)} stations")
            else:
                for station in await list_stations(session, profile=args.profile):
                    print(f"{station.id}\t{station.name}\t{station.policy_profile}\t{station.region}\t{station.status}")
    except ImportProblem as exc:
        print(f"error: {exc}")
        return 2
    finally:
        await db.dispose()
    return 0


async def cmd_holidays(args: argparse.Namespace, settings: Settings) -> int:
    from rules.calendar import HolidayFileError, parse_holiday_file
    from storage.holidays import list_loaded_years, store_holidays

    db = Database(settings.database_url)
    await db.upgrade()
    try:
        async with db.session() as session:
            if args.holidays_command == "load":
                path = Path(args.file)
                fmt = "toml" if path.suffix.lower() == ".toml" else "csv"
                try:
                    days = parse_holiday_file(path.read_text(encoding="utf-8-sig"), fmt)
                except HolidayFileError as exc:
                    print(f"error: {path}: {exc}")
                    return 2
                years = await store_holidays(session, days)
                await session.commit()
                print(f"loaded {len(days)} days for {', '.join(str(y) for y in years)}")
            else:
                for year, count in await list_loaded_years(session):
                    print(f"{year}\t{count} days loaded")
    finally:
        await db.dispose()
    return 0


def run_bot(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print(TOKEN_HELP)
        return 2
    from bot.app import allowed_updates, build_application

    application = build_application(settings)
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
    inv.add_argument("--days", type=int, default=14)
    inv.add_argument("--qr", help="write a QR code PNG to this path")
    st = sub.add_parser("station", help="add, import or list stations")
    st_sub = st.add_subparsers(dest="station_command", required=True)
    add = st_sub.add_parser("add")
    add.add_argument("name")
    add.add_argument("--profile")
    add.add_argument("--region")
    add.add_argument("--society")
    add.add_argument("--society-level", default="provincial", choices=["national", "provincial", "municipal"])
    add.add_argument("--type")
    imp = st_sub.add_parser("import")
    imp.add_argument("csv")
    lst = st_sub.add_parser("list")
    lst.add_argument("--profile")
    hol = sub.add_parser("holidays", help="load the official holiday and 调休 schedule of a year")
    hol_sub = hol.add_subparsers(dest="holidays_command", required=True)
    load = hol_sub.add_parser("load")
    load.add_argument("file")
    hol_sub.add_parser("list")
    sub.add_parser("webhook", help="serve the Telegram webhook and the staff API (behind a TLS reverse proxy)")
    tok = sub.add_parser("token", help="create, revoke or list staff API tokens")
    tok_sub = tok.add_subparsers(dest="token_command", required=True)
    tok_create = tok_sub.add_parser("create")
    tok_create.add_argument("--name", required=True)
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
    settings = Settings()
    configure_logging(settings.log_level)
    if args.command == "run":
        return run_bot(settings)
    if args.command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(settings, args.role, args.lang))
    for name, extra in (("webhook", "bot.webapp.cli"), ("token", "bot.webapp.cli"), ("policy", "bot.policy_cli")):
        if args.command == name:
            import importlib

            return int(importlib.import_module(extra).main(args, settings))
    return asyncio.run(ASYNC_COMMANDS[args.command](args, settings))


if __name__ == "__main__":
    sys.exit(main())
