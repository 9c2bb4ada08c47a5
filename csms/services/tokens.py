"""Id tokens: operators manage them, stations ask about them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from csms.db import repositories as repo
from csms.db.models import IdToken
from csms.db.uow import UnitOfWork
from csms.domain.authorization import TokenInfo, TokenRecord, TokenStatus, authorize
from csms.domain.paging import Page
from csms.domain.timeutil import Clock
from csms.errors import Conflict, NotFound


def _record(row: IdToken | None) -> TokenRecord | None:
    if row is None:
        return None
    return TokenRecord(row.id_token, TokenStatus(row.status), row.expiry_date, row.group_id_token)


def authorize_in(session: Session, id_token: str | None, now: datetime) -> TokenInfo | None:
    """Authorise ``id_token`` inside an open unit of work (used by transaction services and writers too;
    from an ``AsyncSession``: ``await session.run_sync(authorize_in, id_token, now)``)."""
    if id_token is None:
        return None
    row = session.get(IdToken, id_token)
    group = session.get(IdToken, row.group_id_token) if row is not None and row.group_id_token else None
    return authorize(_record(row), now, group=_record(group))


class TokenService:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def authorize(self, id_token: str) -> TokenInfo:
        async with self._uow.read() as session:
            info = await session.run_sync(authorize_in, id_token, self._clock())
        assert info is not None
        return info

    async def create(
        self,
        id_token: str,
        *,
        type: str = "ISO14443",
        status: str = "Accepted",
        expiry_date: datetime | None = None,
        group_id_token: str | None = None,
    ) -> IdToken:
        now = self._clock()
        async with self._uow() as session:
            if await session.get(IdToken, id_token) is not None:
                raise Conflict(f"id token {id_token!r} already exists")
            row = IdToken(
                id_token=id_token,
                type=type,
                status=TokenStatus(status).value,
                expiry_date=expiry_date.astimezone(UTC) if expiry_date else None,
                group_id_token=group_id_token,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        return row

    async def update(self, id_token: str, **changes: object) -> IdToken:
        async with self._uow() as session:
            row = await session.get(IdToken, id_token)
            if row is None:
                raise NotFound(f"id token {id_token!r} does not exist")
            for name, value in changes.items():
                if name == "status" and value is not None:
                    value = TokenStatus(str(value)).value
                if isinstance(value, datetime):
                    value = value.astimezone(UTC)
                setattr(row, name, value)
            row.updated_at = self._clock()
        return row

    async def delete(self, id_token: str) -> None:
        async with self._uow() as session:
            row = await session.get(IdToken, id_token)
            if row is None:
                raise NotFound(f"id token {id_token!r} does not exist")
            await session.delete(row)

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[IdToken]:
        async with self._uow.read() as session:
            rows = await session.scalars(
                select(IdToken).order_by(IdToken.id_token).limit(limit).offset(offset)
            )
            return rows.all()

    async def search(
        self, page: Page, *, text: str | None = None, status: str | None = None
    ) -> tuple[Sequence[IdToken], int]:
        """A page of tokens by id with the total: ids containing ``text``, in ``status``."""
        query = select(IdToken)
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(IdToken.id_token.ilike(f"%{escaped}%", escape="\\"))
        if status:
            query = query.where(IdToken.status == status)
        async with self._uow.read() as session:
            return await repo.paged(session, query.order_by(IdToken.id_token), page)

    async def get(self, id_token: str) -> IdToken:
        async with self._uow.read() as session:
            row = await session.get(IdToken, id_token)
        if row is None:
            raise NotFound(f"id token {id_token!r} does not exist")
        return row
