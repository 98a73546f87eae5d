"""Bearer-token authentication for the staff API (tokens from ``stationbot token create``).

A route states the scope it needs (``Depends(require_scope("individual"))``); the narrowest,
``aggregates``, is what every ``/api/v1`` route needs at least. Missing or unknown token: 401;
a live token without the scope: 403. Both before any data is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.services import Services
from storage.api_tokens import scope_allows, token_is_valid
from storage.models import ApiToken

bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="A token made with `stationbot token create --name NAME --scope SCOPE`. Scopes: "
                                "`aggregates` (counts, averages, scores), `individual` (also single ratings and "
                                "their comments), `write`.")

UNAUTHORISED = HTTPException(status.HTTP_401_UNAUTHORIZED, detail="a valid bearer token is required",
                             headers={"WWW-Authenticate": "Bearer"})


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> ApiToken | None:
    """The live token row behind these credentials, or None."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        return None
    async with services_of(request).db.session() as session:
        return await token_is_valid(session, credentials.credentials)


def require_scope(needed: str) -> Callable[..., Awaitable[ApiToken]]:
    """A dependency: the request's token if it grants ``needed``; 401 without one, 403 when too narrow.

    ``bearer`` is a declared sub-dependency, so the OpenAPI schema carries the bearer scheme and
    ``/docs`` offers Authorize.
    """

    async def dependency(request: Request,
                         credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> ApiToken:
        row = await token_of(request, credentials)
        if row is None:
            raise UNAUTHORISED
        if not scope_allows(row.scope, needed):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"this token's scope ({row.scope}) does not allow this route; it needs {needed}")
        return row

    return dependency


require_token = require_scope("aggregates")
