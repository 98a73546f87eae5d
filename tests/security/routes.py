"""The web app's routes as (path, APIRoute) pairs, whichever way FastAPI keeps included routers.

FastAPI 0.165 keeps an ``include_router`` as one wrapper in ``app.routes`` (``original_router`` and
``include_context``); a plain ``isinstance(route, APIRoute)`` scan of ``app.routes`` then finds
nothing, and a "every route is classified" test passes vacuously. Both matrices walk through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute with its full path, also inside included-router wrappers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes, prefix + route.include_context.prefix)
