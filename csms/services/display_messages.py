"""Display messages (OCPP 2.0.1 block O): set, get and clear them on a station, and keep what it shows.

The three operator commands (``set-display-message``, ``get-display-messages``, ``clear-display-message``)
come here from the command service; each is sent through the gateway and its answer stored:

- SetDisplayMessage (O01, O02 for a transaction, O06 replacing an id): an Accepted message is stored (or
  replaces the one with its id); a refused new one is stored with the answer; a refused replacement leaves
  the message the station still shows. A new message's id comes from ``issued_ids``.
- GetDisplayMessages (O03 all, O04 by id, priority, state): the request and its criteria are stored before it
  goes out (its ``requestId`` is issued by the command service); an ``Unknown`` answer means the station shows
  nothing in that scope; NotifyDisplayMessages parts then bring the station's messages in (:meth:`report`).
- ClearDisplayMessage (O05): the message leaves the store once the station answers Accepted (or Unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station, Transaction
from csms.db.models_display import DisplayMessage, DisplayMessageRequest
from csms.db.uow import UnitOfWork
from csms.domain.display_messages import GONE_ON_CLEAR, MessageScope, shown
from csms.domain.timeutil import Clock, parse_timestamp
from csms.errors import InvalidInput, StationNotConnected
from csms.services.gateway import StationGateway
from csms.services.ids import IdService

COMMANDS = ("set-display-message", "get-display-messages", "clear-display-message")


class DisplayMessageService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway, ids: IdService) -> None:
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._ids = ids

    async def send(self, station_id: str, command: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One of :data:`COMMANDS`, its parameters as the command service prepared them. Nothing is stored
        for a station that is not connected (409) or speaks 1.6, which has no display messages (422)."""
        if not self._gw.is_online(station_id):  # on any node
            raise StationNotConnected(f"station {station_id!r} is not connected")
        async with self._uow.read() as session:
            version = await session.scalar(select(Station.ocpp_version).where(Station.id == station_id))
        if str(version).startswith("1."):
            raise InvalidInput(f"command {command!r} does not exist in OCPP 1.6", field="command")
        if command == "set-display-message":
            return await self._set(station_id, params)
        if command == "get-display-messages":
            return await self._get(station_id, params)
        return await self._clear(station_id, params)

    async def _set(self, station_id: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        params = dict(params)
        if params.get("display_message_id") is None:
            params["display_message_id"] = await self._ids.issue("display-message", station_id)
        action, answer = await self._gw.command(station_id, "set-display-message", params)
        status = str(answer.get("status", ""))[:32]
        now = self._clock()
        async with self._uow() as session:
            row = await _row(session, station_id, int(params["display_message_id"]))
            if row is not None and status != "Accepted" and shown(row.station_answer, reported=row.reported_at
                                                                  is not None):
                return action, answer  # O06 refused: the station still shows the message it had
            if row is None:
                row = DisplayMessage(station_id=station_id, message_id=int(params["display_message_id"]),
                                     created_at=now)
                session.add(row)
            row.priority = str(params.get("priority"))
            row.state = params.get("state")
            row.start_at = _when(params.get("start_date_time"))
            row.end_at = _when(params.get("end_date_time"))
            row.transaction_uid = params.get("transaction_uid")
            row.transaction_id = params.get("transaction_id")
            row.content = str(params.get("message_content"))
            row.message_format = str(params.get("message_format") or "UTF8")
            row.language = params.get("message_language")
            row.display = params.get("display")
            row.origin, row.station_answer, row.reported_at, row.updated_at = "csms", status, None, now
        return action, answer

    async def _get(self, station_id: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        now = self._clock()
        ids = params.get("display_message_ids") or None
        request = DisplayMessageRequest(
            request_id=params["request_id"], station_id=station_id, ids=list(ids) if ids else None,
            priority=params.get("priority"), state=params.get("state"), parts=0, reported_ids=[],
            complete=False, created_at=now, updated_at=now,
        )  # fmt: skip
        async with self._uow() as session:  # stored first: the report may come right behind the answer
            session.add(request)
        action, answer = await self._gw.command(station_id, "get-display-messages", params)
        status = str(answer.get("status", ""))[:16]
        async with self._uow() as session:
            row = await session.get(DisplayMessageRequest, request.request_id)
            if row is not None:
                row.station_answer, row.updated_at = status, self._clock()
                if status == "Unknown":  # no message matches: the station shows none in this scope
                    await _drop_shown(session, station_id, _scope(row), keep=())
                    row.complete = True
        return action, answer

    async def _clear(self, station_id: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        action, answer = await self._gw.command(station_id, "clear-display-message", params)
        if answer.get("status") in GONE_ON_CLEAR:
            async with self._uow() as session:
                await session.execute(delete(DisplayMessage).where(
                    DisplayMessage.station_id == station_id,
                    DisplayMessage.message_id == int(params["display_message_id"]),
                ))  # fmt: skip
        return action, answer

    async def report(
        self, station_id: str, request_id: int, infos: Sequence[dict[str, Any]], tbc: bool
    ) -> None:
        """NotifyDisplayMessages: every part adds (or updates) its messages; the last one completes the
        report, which replaces what the station shows within the request's scope. A report for a request the
        CSMS did not send (or another station's) adds its messages and removes none."""
        now = self._clock()
        async with self._uow() as session:
            for info in infos:
                await self._reported(session, station_id, info, now)
            request = await session.get(DisplayMessageRequest, request_id)
            if request is None or request.station_id != station_id:
                return
            request.reported_ids = [*request.reported_ids, *(int(i["id"]) for i in infos)]
            request.parts += 1
            request.complete = not tbc
            request.updated_at = now
            if request.complete:
                await _drop_shown(session, station_id, _scope(request), keep=request.reported_ids)

    async def _reported(
        self, session: AsyncSession, station_id: str, info: dict[str, Any], now: datetime
    ) -> None:
        row = await _row(session, station_id, int(info["id"]))
        if row is None:
            row = DisplayMessage(station_id=station_id, message_id=int(info["id"]), origin="station",
                                 created_at=now)
            session.add(row)
        content = info["message"]
        uid = info.get("transactionId")
        row.priority, row.state = info["priority"], info.get("state")
        row.start_at = _when(info.get("startDateTime"))
        row.end_at = _when(info.get("endDateTime"))
        row.transaction_uid = uid
        row.transaction_id = None if uid is None else await session.scalar(
            select(Transaction.id).where(Transaction.station_id == station_id, Transaction.uid == uid)
        )
        row.content, row.message_format = content["content"], content["format"]
        row.language, row.display = content.get("language"), info.get("display")
        row.reported_at = row.updated_at = now
        await session.flush()

    async def transaction_ended(self, station_id: str, uid: str) -> None:
        """The station removes a transaction's messages once it has ended (``MessageInfoType.transactionId``):
        so does the store. (A read first: most sessions have none, and a read takes no write lock.)"""
        where = (DisplayMessage.station_id == station_id, DisplayMessage.transaction_uid == uid)
        async with self._uow.read() as session:
            if await session.scalar(select(DisplayMessage.id).where(*where).limit(1)) is None:
                return
        async with self._uow() as session:
            await session.execute(delete(DisplayMessage).where(*where))

    async def list(self, station_id: str) -> Sequence[DisplayMessage]:
        """The station's messages but those past their ``end_at`` (the station removed them then)."""
        now = self._clock()
        async with self._uow.read() as session:
            return (await session.scalars(
                select(DisplayMessage).where(
                    DisplayMessage.station_id == station_id,
                    or_(DisplayMessage.end_at.is_(None), DisplayMessage.end_at > now),
                ).order_by(DisplayMessage.message_id)
            )).all()  # fmt: skip


async def _row(session: AsyncSession, station_id: str, message_id: int) -> DisplayMessage | None:
    return await session.scalar(select(DisplayMessage).where(
        DisplayMessage.station_id == station_id, DisplayMessage.message_id == message_id
    ))  # fmt: skip


def _scope(request: DisplayMessageRequest) -> MessageScope:
    return MessageScope(tuple(request.ids) if request.ids else None, request.priority, request.state)


async def _drop_shown(
    session: AsyncSession, station_id: str, scope: MessageScope, keep: Sequence[int]
) -> None:
    """Forget the messages the station was known to show within ``scope`` but those in ``keep`` (refused
    ones stay: they were never shown)."""
    query = select(DisplayMessage).where(DisplayMessage.station_id == station_id)
    for row in (await session.scalars(query)).all():
        if row.message_id in keep:
            continue
        if shown(row.station_answer, reported=row.reported_at is not None) and scope.covers(
            row.message_id, row.priority, row.state
        ):
            await session.delete(row)
    await session.flush()


def _when(value: Any) -> datetime | None:
    return None if value is None else parse_timestamp(str(value))
