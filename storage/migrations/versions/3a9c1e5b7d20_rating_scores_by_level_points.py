"""rating scores by level points

Ratings stored before the profiles' ``level_points`` setting were scored (mean stars − 1) / (scale − 1)
× 100, so "满意" on every question gave 75. Recompute each stored score from its stars with the
station's profile (default 100/80/60/40/20), so staff lists, the API and alerts agree with the
aggregates, which are computed from the stars. Downgrade restores the old formula.

Revision ID: 3a9c1e5b7d20
Revises: ac1d83e9be14
Create Date: 2026-11-27 13:00:00
"""
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '3a9c1e5b7d20'
down_revision: str | None = 'ac1d83e9be14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATING = sa.table("rating", sa.column("id", sa.Integer), sa.column("station_id", sa.Integer),
                  sa.column("scores", sa.JSON), sa.column("score", sa.Float))
STATION = sa.table("station", sa.column("id", sa.Integer), sa.column("policy_profile", sa.String))


def _level_points(profile_id: str) -> tuple[int, Callable[[list[int]], float]]:
    """(scale, scorer) of a profile as the code scores today; the default 5 levels when it is unknown."""
    try:
        from rules.profile import load_profile
        from rules.satisfaction import rating_score

        spec = load_profile(profile_id).rating
        return spec.scale, lambda stars: rating_score(stars, spec)
    except Exception:  # a profile removed since: the default 100/80/60/40/20
        return 5, lambda stars: round(sum(s * 20 for s in stars) / len(stars), 1)


def _old(scale: int) -> Callable[[list[int]], float]:
    return lambda stars: round((sum(stars) / len(stars) - 1) / (scale - 1) * 100, 1)


def _rescore(new: bool) -> None:
    conn = op.get_bind()
    profiles = dict(conn.execute(sa.select(STATION.c.id, STATION.c.policy_profile)).all())
    scorers: dict[str, tuple[int, Callable[[list[int]], float]]] = {}
    updates: list[dict[str, Any]] = []
    for rating_id, station_id, scores in conn.execute(sa.select(RATING.c.id, RATING.c.station_id,
                                                               RATING.c.scores)).all():
        profile = profiles.get(station_id, "")
        if profile not in scorers:
            scorers[profile] = _level_points(profile)
        scale, scorer = scorers[profile]
        stars = [v for v in (scores or {}).values()
                 if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= scale]
        if stars:
            updates.append({"rid": rating_id, "value": scorer(stars) if new else _old(scale)(stars)})
    if updates:
        conn.execute(RATING.update().where(RATING.c.id == sa.bindparam("rid")).values(score=sa.bindparam("value")),
                     updates)


def upgrade() -> None:
    _rescore(new=True)


def downgrade() -> None:
    _rescore(new=False)
