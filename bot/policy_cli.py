"""``stationbot policy load <file> | list | remove <profile>``: the society's own rules per profile.

A duty, date or change-report limit the regulation does not set is off until staff load an
override file (see ``rules/policy.example.toml``); it is stored in the database so every
process sees it. ``list`` shows, per profile, every duty with its date and where each comes from.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli_support import migrated_session
from bot.settings import Settings
from conversations.formspec import form_ids
from rules.deadlines import _due_date
from rules.policy import PolicyError, parse_override_text
from rules.profile import Profile
from storage.policy import effective_profiles, overrides, remove_override, store_override


def add_parser(sub: argparse._SubParsersAction) -> None:
    pol = sub.add_parser("policy", help="load or list the society's own rules (duties, dates, change limits) per profile")
    pol_sub = pol.add_subparsers(dest="policy_command", required=True)
    load = pol_sub.add_parser("load", help="validate an override file and store it (replaces that profile's)")
    load.add_argument("file")
    pol_sub.add_parser("list", help="every profile's duties, dates and change limits, with their sources")
    remove = pol_sub.add_parser("remove", help="drop a profile's override: only the regulation applies again")
    remove.add_argument("profile")


def describe(profile: Profile, year: int) -> list[str]:
    """Lines for ``policy list``: each duty (on/off) with its date and source, then change limits."""
    lines = [f"{profile.id} (seed {profile.regulation.seed})"]
    for spec in profile.annual_submissions:
        state = "on " if spec.enabled else "off"
        due = _due_date(spec, year)
        when = f"due {due.isoformat()} [{spec.due.source}]" if due is not None and spec.due else "no date"
        lines.append(f"  duty {state} {spec.id} (form {spec.form}): {when}; duty from [{spec.source}]")
    for kind in profile.change_kinds:
        limit = f"{kind.working_days} working days" if kind.working_days else "no limit"
        lines.append(f"  change {kind.id}: {limit} [{kind.source}]")
    return lines


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with migrated_session(settings) as session:
        if args.policy_command == "load":
            path = Path(args.file)
            try:
                override, raw = parse_override_text(path.read_text(encoding="utf-8-sig"), form_ids(), path.name)
            except PolicyError as exc:
                print(f"error: {exc}")
                return 2
            except OSError as exc:
                print(f"error: cannot read {path}: {exc.strerror}")
                return 2
            await store_override(session, override, raw, file_name=path.name, now=settings.now())
            await session.commit()
            print(f"loaded {path.name} for {override.profile}: {len(override.duties)} duties, "
                  f"{len(override.change_limits)} change limits (labelled \"society rule\")")
        elif args.policy_command == "remove":
            removed = await remove_override(session, args.profile)
            await session.commit()
            print(f"removed the override of {args.profile}" if removed else f"{args.profile} has no override")
        else:
            stored = await overrides(session)
            year = settings.now().year
            for pid, profile in (await effective_profiles(session)).items():
                lines = describe(profile, year)
                row = stored.get(pid)
                origin = f"override {row[1].file_name} loaded {row[1].loaded_at:%Y-%m-%d}" if row else "no override"
                print(f"{lines[0]} — {origin}")
                print("\n".join(lines[1:]))
    return 0


def main(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(run(args, settings))
