"""Dependencies of the REST routes: the services, and bearer-token authentication with roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csms.domain.access import Principal, Role
from csms.services import Services

_bearer = HTTPBearer(auto_error=False)

DB_INT_MAX = 2**31 - 1
"""Largest value an Integer column holds (PostgreSQL int4): a larger id or offset is a 422, not a 500."""

RowId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX)]


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def allow(*roles: Role):
    """A dependency admitting a bearer token whose role is one of ``roles`` (admin is always admitted)."""
    allowed = {Role.admin, *roles}

    async def check(
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
        token = await services.api_tokens.resolve(credentials.credentials)
        if token is None:
            raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
        if token.role not in allowed:
            raise HTTPException(403, f"role {token.role!r} may not do this")
        return token

    return check


# Least privilege: each role reads what its job needs. Stations, sessions (with their RFID tags), id tokens
# and stored station messages are for the operator's staff; the load-management centre reads sites and
# demand response in aggregate; inspectors (compliance routes) and planners (siting routes) read neither.
Reader = Annotated[Principal, Depends(allow(Role.viewer, Role.operator))]
"""Station, transaction, id-token, message and per-session (carbon, allocation) data."""
SiteReader = Annotated[Principal, Depends(allow(Role.viewer, Role.operator, Role.load_centre))]
"""Sites, their telemetry, demand-response events and flexibility: what the load-management centre needs."""
Operator = Annotated[Principal, Depends(allow(Role.operator))]
