"""``stationbot station add|import|list`` and ``stationbot holidays load|list``: staff's data files.

Every refusal is one sentence per problem, and nothing is written unless the whole input is good.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli_support import fail, migrated_session, read_only_session, say
from bot.settings import Settings
from locales import Join, Raw, T, Text


def known_profiles() -> list[str]:
    from rules.profile import all_profiles

    return sorted(all_profiles())


def read_input_file(settings: Settings, name: str) -> bytes | None:
    """The file's bytes, or None after one sentence (missing, a directory, unreadable)."""
    path = Path(name)
    if path.is_dir():
        fail(settings, T("{path} is a directory; give the file itself", path=Raw(name)))
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        fail(settings, T("{path}: no such file", path=Raw(name)))
    except OSError as exc:
        fail(settings, T("{path} cannot be read ({problem})", path=Raw(name), problem=exc.strerror or ""))
    return None


def report_problems(settings: Settings, texts: tuple[Text, ...]) -> int:
    for text in texts:
        fail(settings, text)
    say(settings, T("nothing was written"))
    return 2


async def station_add(args: argparse.Namespace, settings: Settings) -> int:
    from services.stations import ImportProblem, add_station

    if args.society_level and not args.society:
        return fail(settings, T("--society-level needs --society: the level belongs to the station's society "
                                "(its yearly minimums follow that level)"))
    values = {"name": args.name.strip(), "policy_profile": args.profile or settings.default_policy,
              "region": args.region or "", "society": (args.society or "").strip(),
              "society_level": args.society_level or "", "station_type": args.type or ""}
    try:
        async with migrated_session(settings) as session:
            station = await add_station(session, values, known_profiles(),
                                        update_society_level=args.update_society_level)
            await session.commit()
    except ImportProblem as exc:
        return report_problems(settings, exc.texts)
    say(settings, T("added station {number}: {name}", number=station.id, name=Raw(station.name)))
    return 0


async def station_import(args: argparse.Namespace, settings: Settings) -> int:
    from services.stations import ImportProblem, decode_csv, import_stations

    data = read_input_file(settings, args.csv)
    if data is None:
        return 2
    try:
        async with migrated_session(settings) as session:
            result = await import_stations(session, decode_csv(data), known_profiles(), args.existing,
                                           update_society_level=args.update_society_level)
            await session.commit()
    except ImportProblem as exc:
        return report_problems(settings, exc.texts)
    say(settings, T("imported {added} stations, updated {updated}, skipped {skipped}", added=len(result.added),
                    updated=len(result.updated), skipped=result.skipped))
    return 0


async def station_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage.listings import count_stations, list_stations

    if args.limit < 1 or args.offset < 0:
        return fail(settings, T("--limit must be 1 or more and --offset 0 or more"))
    async with read_only_session(settings) as session:
        if session is None:
            return 2
        total = await count_stations(session, profile=args.profile)
        rows = await list_stations(session, profile=args.profile, limit=args.limit, offset=args.offset)
    for station in rows:
        print(f"{station.id}\t{station.name}\t{station.policy_profile}\t{station.region}\t{station.status}")
    shown_to = args.offset + len(rows)
    if shown_to < total or args.offset:
        say(settings, T("shown {first}–{last} of {total} stations; next page: --offset {next}",
                        first=min(args.offset + 1, total), last=shown_to, total=total, next=shown_to)
            if shown_to < total else
            T("shown {first}–{last} of {total} stations", first=min(args.offset + 1, total), last=shown_to,
              total=total))
    return 0


async def holidays_load(args: argparse.Namespace, settings: Settings) -> int:
    from rules.calendar import (
        HolidayFileError,
        WorkdayCalendar,
        library_disagreements,
        main_year,
        missing_festivals,
        parse_holiday_file,
    )
    from storage.holidays import load_overrides, recompute_change_deadlines, store_holidays

    data = read_input_file(settings, args.file)
    if data is None:
        return 2
    path = Path(args.file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail(settings, T("{path} is not UTF-8 text; save it as UTF-8", path=Raw(args.file)))
    try:
        days = parse_holiday_file(text, "toml" if path.suffix.lower() == ".toml" else "csv")
    except HolidayFileError as exc:
        return fail(settings, Join((Raw(f"{args.file}: "), exc.text), ""))
    disagreements = library_disagreements(days)
    if disagreements and not args.force:
        for day, file_workday, _ in disagreements:
            say(settings, T("{day}: the file says {file}, the bundled calendar says {library}", day=Raw(day.isoformat()),
                            file=T("working day") if file_workday else T("holiday"),
                            library=T("holiday") if file_workday else T("working day")))
        return fail(settings, T("the file disagrees with the bundled calendar on {count} day(s); check them against "
                                "the official notice and load again with --force to use the file's days",
                                count=len(disagreements)))
    year = main_year(days)
    async with migrated_session(settings) as session:
        years = await store_holidays(session, days, year)
        overrides, loaded = await load_overrides(session)
        changed = await recompute_change_deadlines(session, WorkdayCalendar(overrides, loaded), settings.tz, years)
        await tell_staff(session, settings, T(
            "The holiday schedule for {years} was loaded ({count} days). Change reports whose deadline or "
            "lateness changed with it: {changed}.", years=Raw(", ".join(str(y) for y in years)), count=len(days),
            changed=changed), key=f"holidays-loaded:{year}")
        await session.commit()
    say(settings, T("loaded {count} days for {years}; change reports whose deadline or lateness changed: {changed}",
                    count=len(days), years=Raw(", ".join(str(y) for y in years)), changed=changed))
    missing = missing_festivals(year, overrides)
    if missing:
        say(settings, T("warning: the {year} schedule looks incomplete — no days off for {festivals}; other days "
                        "are counted Monday to Friday", year=Raw(str(year)), festivals=Raw(", ".join(missing))))
    return 0


async def tell_staff(session: AsyncSession, settings: Settings, text: Text, *, key: str) -> int:
    """A notice to every reachable staff member through the outbox (so staff not at the terminal know too)."""
    from conversations.types import Reply
    from storage.outbox import enqueue
    from storage.recipients import active_staff

    now = settings.now()
    added = 0
    for person in await active_staff(session):
        assert person.chat_id is not None
        added += await enqueue(session, key=f"{key}:{now:%Y%m%dT%H%M%S}:staff-{person.id}", chat_id=person.chat_id,
                               reply=Reply(text), kind="staff_notice", person_id=person.id, not_before=now)
    return added


async def holidays_list(args: argparse.Namespace, settings: Settings) -> int:
    from rules.calendar import missing_festivals
    from storage.holidays import list_loaded_years, load_overrides

    async with read_only_session(settings) as session:
        if session is None:
            return 2
        years = await list_loaded_years(session)
        overrides, _ = await load_overrides(session)
    if not years:
        say(settings, T("no holiday schedule loaded; the bundled calendar knows 2004–2026"))
    for year, count in years:
        missing = missing_festivals(year, overrides)
        line: Text = T("{year}\t{count} days loaded", year=Raw(str(year)), count=count)
        if missing:
            line = Join((line, T("INCOMPLETE: no days off for {festivals}", festivals=Raw(", ".join(missing)))), "\t")
        say(settings, line)
    return 0


async def cmd_station(args: argparse.Namespace, settings: Settings) -> int:
    commands = {"add": station_add, "import": station_import, "list": station_list}
    return await commands[args.station_command](args, settings)


async def cmd_holidays(args: argparse.Namespace, settings: Settings) -> int:
    return await (holidays_load if args.holidays_command == "load" else holidays_list)(args, settings)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``station`` and ``holidays`` subcommands."""
    st = sub.add_parser("station", help="add, import or list stations")
    st_sub = st.add_subparsers(dest="station_command", required=True)
    add = st_sub.add_parser("add")
    add.add_argument("name")
    add.add_argument("--profile")
    add.add_argument("--region")
    add.add_argument("--society")
    add.add_argument("--society-level", choices=["national", "provincial", "municipal"],
                     help="the level of --society (provincial when a new society is named without it)")
    add.add_argument("--update-society-level", action="store_true",
                     help="change the level of a society already recorded with another level")
    add.add_argument("--type")
    imp = st_sub.add_parser("import")
    imp.add_argument("csv")
    imp.add_argument("--existing", choices=["refuse", "update", "skip"], default="refuse",
                     help="rows matching a stored station (same name and host unit credit code)")
    imp.add_argument("--update-society-level", action="store_true")
    lst = st_sub.add_parser("list")
    lst.add_argument("--profile")
    lst.add_argument("--limit", type=int, default=200)
    lst.add_argument("--offset", type=int, default=0)
    hol = sub.add_parser("holidays", help="load the official holiday and 调休 schedule of a year")
    hol_sub = hol.add_subparsers(dest="holidays_command", required=True)
    load = hol_sub.add_parser("load")
    load.add_argument("file")
    load.add_argument("--force", action="store_true",
                      help="load even where the file disagrees with the bundled calendar")
    hol_sub.add_parser("list")
