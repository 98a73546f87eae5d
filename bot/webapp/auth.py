"""Bearer-token authentication for the staff API (tokens from ``stationbot token create``)."""

from __future__ import annotations

from fastapi import HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.services import Services
from storage.api_tokens import token_is_valid
from storage.models import ApiToken

bearer = HTTPBearer(auto_error=False, description="A token made with `stationbot token create --name NAME`.")

UNAUTHORISED = HTTPException(status.HTTP_401_UNAUTHORIZED, detail="a valid bearer token is required",
                             headers={"WWW-Authenticate": "Bearer"})


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def require_token(request: Request) -> ApiToken:
    """The live token of this request, or 401 before any data is read."""
    credentials: HTTPAuthorizationCredentials | None = await bearer(request)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UNAUTHORISED
    async with services_of(request).db.session() as session:
        row = await token_is_valid(session, credentials.credentials)
    if row is None:
        raise UNAUTHORISED
    return row
