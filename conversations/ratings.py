"""The satisfaction rating a served unit gives after a service: questions, replies and the score.

Pure core: no clock, no database, no Telegram. Callback data of the rating buttons:
``rate:<request id>:<dimension index>:<stars>`` for a star, ``rate:<request id>:nc`` for "No comment".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import Profile, RatingSpec
from rules.satisfaction import rating_score

MAX_COMMENT = 2000
NO_COMMENT = "nc"


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str  # an English msgid from the policy profile


@dataclass(frozen=True)
class Service:
    """What is being rated, as the contact is told."""

    request_id: int
    station_name: str
    title: str
    day: dt.date
    unit_name: str = ""


def score(stars: Sequence[int], spec: RatingSpec) -> float:
    """The rating as 0–100: the mean of the level points of its answers (the profile's ``level_points``,
    by default 非常满意 100 … 非常不满意 20, so "满意" on every question gives 80)."""
    return rating_score(stars, spec)


def next_dimension(dimensions: Sequence[Dimension], scores: Mapping[str, int]) -> int | None:
    """Index of the first dimension not rated yet, or None when all are rated."""
    for index, dimension in enumerate(dimensions):
        if dimension.id not in scores:
            return index
    return None


def intro(service: Service) -> Text:
    return T("{station} asks you to rate its service “{title}” of {day}.",
             station=Raw(service.station_name), title=Raw(service.title), day=service.day)


def rated_lines(dimensions: Sequence[Dimension], scores: Mapping[str, int]) -> list[Text]:
    return [Join((T(d.label), Raw("★" * int(scores[d.id]))), ": ") for d in dimensions if d.id in scores]


def question(service: Service, dimensions: Sequence[Dimension], scores: Mapping[str, int], scale: int,
             *, edit: bool = False, lead: Text | None = None) -> Reply:
    """The next unrated dimension with one button a star count (or the comment step when all are rated)."""
    index = next_dimension(dimensions, scores)
    if index is None:
        return comment_prompt(service, dimensions, scores, edit=edit)
    dimension = dimensions[index]
    parts: list[Text] = [lead] if lead is not None else []
    parts += [intro(service), *rated_lines(dimensions, scores),
              T("Question {n} of {total}: {dimension}", n=index + 1, total=len(dimensions), dimension=T(dimension.label)),
              T("Tap 1 (very dissatisfied) to {scale} (very satisfied).", scale=scale)]
    buttons = [Button(Raw(f"★{s}"), f"rate:{service.request_id}:{index}:{s}") for s in range(1, scale + 1)]
    return Reply(Join(tuple(parts)), keyboard(buttons), edit=edit)


def comment_prompt(service: Service, dimensions: Sequence[Dimension], scores: Mapping[str, int],
                   *, edit: bool = False) -> Reply:
    parts: list[Text] = [intro(service), *rated_lines(dimensions, scores),
                         T("Anything else you would like to tell the station? Type a comment, or tap “No comment”.")]
    return Reply(Join(tuple(parts)), keyboard([Button(T("No comment"), f"rate:{service.request_id}:{NO_COMMENT}")]),
                 edit=edit)


def thanks(*, edit: bool = False) -> Reply:
    return Reply(T("Thank you! Your rating has been recorded; it helps the station improve its service."), edit=edit,
                 notice=T("Thank you!") if edit else None)


def already_rated(day: dt.date, *, edit: bool = False) -> Reply:
    text = T("This service was already rated on {day}. Thank you!", day=day)
    return Reply(text, edit=edit, notice=text if edit else None)


EXPIRED = T("Sorry, this rating request has expired. If you still want to rate the service, "
            "ask the station for a new link.")
NOT_YOURS = T("This rating request is not addressed to you; nothing was changed.")


def comment_too_long(n: int) -> Reply:
    return Reply(T("The comment is too long ({n} characters); please keep it under {limit}.", n=n, limit=MAX_COMMENT))


def dimensions_of(profile: Profile) -> list[Dimension]:
    return [Dimension(d.id, d.label) for d in profile.rating.dimensions]
