"""Bearer tokens of the REST API, with roles. The secret is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import select

from csms.db.models import ApiToken
from csms.db.uow import UnitOfWork
from csms.domain.access import Principal, Role
from csms.domain.timeutil import Clock
from csms.errors import InvalidInput, NotFound


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenService:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, role: str, name: str = "") -> tuple[ApiToken, str]:
        try:
            role = Role(role).value
        except ValueError:
            raise InvalidInput(f"unknown role {role!r}; one of {', '.join(Role)}", field="role") from None
        secret = "xj_" + secrets.token_urlsafe(32)
        async with self._uow() as session:
            row = ApiToken(
                name=name or role, role=role, token_sha256=_digest(secret), created_at=self._clock()
            )
            session.add(row)
        return row, secret

    async def resolve(self, secret: str) -> Principal | None:
        """The principal of an unrevoked token whose secret is ``secret``, or ``None``."""
        async with self._uow.read() as session:
            row = await session.scalar(
                select(ApiToken).where(ApiToken.token_sha256 == _digest(secret), ApiToken.revoked.is_(False))
            )
        return None if row is None else Principal(row.id, row.name, Role(row.role))

    async def principal(self, token_id: int) -> Principal | None:
        """The principal of token ``token_id`` while it is unrevoked (the console's session checks this)."""
        async with self._uow.read() as session:
            row = await session.get(ApiToken, token_id)
        return None if row is None or row.revoked else Principal(row.id, row.name, Role(row.role))

    async def revoke(self, token_id: int) -> None:
        """Revoke token ``token_id``: its REST calls and console sessions stop at once."""
        async with self._uow() as session:
            row = await session.get(ApiToken, token_id)
            if row is None:
                raise NotFound(f"no API token {token_id}")
            row.revoked = True

    async def list(self) -> Sequence[ApiToken]:
        async with self._uow.read() as session:
            return (await session.scalars(select(ApiToken).order_by(ApiToken.id))).all()
