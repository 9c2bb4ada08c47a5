"""Local authorization lists (OCPP 2.0.1 D01/D02, 1.6 LocalAuthListManagement): send, ask the version, keep
what each station holds.

The list the CSMS believes a station holds changes only with an update the station answered ``Accepted``;
``Failed`` (and 1.6 ``NotSupported``) leave it as it was; ``VersionMismatch`` makes the CSMS ask
GetLocalListVersion at once and advise a Full resend. An update larger than the station's limits (2.0.1
``LocalAuthListCtrlr.ItemsPerMessage`` / ``BytesPerMessage``, 1.6 ``SendLocalListMaxLength``, read with
GetVariables / GetConfiguration before each update) is sent in parts: the first with the update's type, the
rest Differential, each with the next version number (a station refuses a Differential update whose version
is not above its own), the stored list following every accepted part.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import IdToken, Station, StationMessage
from csms.db.models_local_list import LocalList, LocalListEntry
from csms.db.uow import UnitOfWork
from csms.domain import local_list as rules
from csms.domain.local_list import Entry, ListLimits, UpdateType
from csms.domain.message_split import json_size, split
from csms.domain.timeutil import Clock
from csms.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
)
from csms.services.gateway import StationGateway


@dataclass(frozen=True)
class LocalListView:
    station_id: str
    version: int
    entries: list[Entry]
    last_update_type: str | None
    last_status: str | None
    last_sent_version: int | None
    last_parts: list[dict[str, Any]]
    station_version: int | None
    station_version_at: datetime | None
    in_sync: bool | None
    """``None``: the station was never asked its version (POST .../local-list/version)."""
    full_resend_advised: bool
    stale: list[str]
    """Id tokens on the list whose stored info no longer matches the CSMS's (blocked, expired, changed or
    deleted since): a Differential update sends them."""


def _entry(row: IdToken | LocalListEntry) -> Entry:
    return Entry(
        row.id_token, row.type, row.status,
        row.expiry_date.astimezone(UTC) if row.expiry_date else None, row.group_id_token,
    )  # fmt: skip


class LocalListService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway) -> None:
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        """One update or version question at a time per station (on this node), so versions never repeat."""

    async def _held(
        self, session: AsyncSession, station_id: str
    ) -> tuple[LocalList | None, dict[str, Entry]]:
        row = await session.get(LocalList, station_id)
        entries = await session.scalars(select(LocalListEntry).where(LocalListEntry.station_id == station_id))
        return row, {e.id_token: _entry(e) for e in entries}

    async def _station(self, session: AsyncSession, station_id: str) -> Station:
        station = await session.get(Station, station_id)
        if station is None:
            raise NotFound(f"station {station_id!r} does not exist")
        return station

    async def get(self, station_id: str) -> LocalListView:
        async with self._uow.read() as session:
            await self._station(session, station_id)
            row, held = await self._held(session, station_id)
            current = await session.scalars(select(IdToken).where(IdToken.id_token.in_(list(held))))
            known = {t.id_token: _entry(t) for t in current}
        stale = [c.id_token for c in rules.differential(held, known, only=held)]
        if row is None:
            return LocalListView(station_id, 0, [], None, None, None, [], None, None, None, False, stale)
        in_sync = (
            None if row.station_version is None
            else rules.in_sync(row.version, len(held), row.station_version)
        )  # fmt: skip
        return LocalListView(
            station_id, row.version, sorted(held.values(), key=lambda e: e.id_token), row.last_update_type,
            row.last_status, row.last_sent_version, list(row.last_parts or []), row.station_version,
            row.station_version_at, in_sync, row.full_resend_advised, stale,
        )  # fmt: skip

    async def _wanted(
        self, session: AsyncSession, id_tokens: Sequence[str] | None, group: str | None
    ) -> dict[str, Entry]:
        query = select(IdToken)
        if id_tokens is not None:
            query = query.where(IdToken.id_token.in_(list(id_tokens)))
        if group is not None:
            query = query.where(IdToken.group_id_token == group)
        return {t.id_token: _entry(t) for t in await session.scalars(query)}

    async def send(
        self,
        station_id: str,
        update_type: UpdateType,
        id_tokens: Sequence[str] | None = None,
        group: str | None = None,
    ) -> LocalListView:
        """Send a Full list (the CSMS's id tokens: all, ``id_tokens`` or the ``group``'s) or a Differential
        update (what changed against the stored list, among ``id_tokens`` / the group's, else all)."""
        async with self._locks[station_id]:
            return await self._send(station_id, update_type, id_tokens, group)

    async def _send(
        self, station_id: str, update_type: UpdateType, id_tokens: Sequence[str] | None, group: str | None
    ) -> LocalListView:
        async with self._uow.read() as session:
            station = await self._station(session, station_id)
            row, held = await self._held(session, station_id)
            wanted = await self._wanted(session, id_tokens, group)
        if id_tokens is not None:
            unknown = sorted(set(id_tokens) - set(wanted))
            if unknown and update_type is UpdateType.FULL:
                raise InvalidInput(f"unknown id tokens: {', '.join(unknown[:5])}", field="id_tokens")
        if not self._gw.is_online(station_id):
            raise StationNotConnected(f"station {station_id!r} is not connected")
        version = station.ocpp_version or "2.0.1"
        if update_type is UpdateType.FULL:
            changes = rules.full(wanted.values())
            final_size = len(changes)
        else:
            only: set[str] | None = None
            if id_tokens is not None:
                only = set(id_tokens)
            elif group is not None:
                only = set(wanted) | {t for t, e in held.items() if e.group == group}
            changes = rules.differential(held, wanted, only=only)
            if not changes:
                raise Conflict(f"station {station_id!r} already holds these entries: nothing to send")
            final_size = len(rules.apply(held, changes))
        limits = await self._limits(station_id, version)
        if limits.max_entries is not None and final_size > limits.max_entries:
            raise InvalidInput(
                f"the list would hold {final_size} entries, the station keeps at most {limits.max_entries}"
                " (LocalAuthListMaxLength)", field="id_tokens",
            )  # fmt: skip
        first = rules.next_version(
            row.version if row else None, row.last_sent_version if row else None,
            row.station_version if row else None,
        )  # fmt: skip
        envelope = json_size({"versionNumber": first + len(changes), "updateType": "Differential",
                              "localAuthorizationList": []}) - 2  # fmt: skip
        chunks = split(
            changes, max_items=limits.items_per_message, max_bytes=limits.bytes_per_message,
            envelope_bytes=envelope, size_of=lambda c: json_size(rules.authorization_data([c], version)[0]),
        )  # fmt: skip
        parts: list[dict[str, Any]] = []
        status = "Accepted"
        for n, chunk in enumerate(chunks):
            kind = update_type if n == 0 else UpdateType.DIFFERENTIAL
            number = first + n
            params = {"version": number, "update_type": kind.value,
                      "items": rules.authorization_data(chunk, version)}  # fmt: skip
            _, answer = await self._gw.command(station_id, "send-local-list", params)
            status = str(answer.get("status", "Failed"))[:16]
            parts.append(
                {"version": number, "update_type": kind.value, "items": len(chunk), "status": status}
            )
            accepted = status == "Accepted"
            if accepted:
                held = rules.apply(held, chunk, kind.value)
            await self._store(
                station_id, held if accepted else None, number, update_type.value, status, parts,
                accepted_version=number if accepted else None, cleared=accepted and kind is UpdateType.FULL,
            )  # fmt: skip
            if not accepted:
                break
        if status == "VersionMismatch":
            await self._ask_version(station_id, advise_resend=True)
        return await self.get(station_id)

    async def _store(
        self,
        station_id: str,
        held: dict[str, Entry] | None,
        sent_version: int,
        update_type: str,
        status: str,
        parts: list[dict[str, Any]],
        *,
        accepted_version: int | None,
        cleared: bool,
    ) -> None:
        """After each part: the answer, and the list the station holds once it accepted the part (``cleared``:
        an accepted Full part, which ends a Full resend advice)."""
        now = self._clock()
        async with self._uow() as session:
            row = await session.get(LocalList, station_id)
            if row is None:
                row = LocalList(station_id=station_id, version=0, full_resend_advised=False, updated_at=now)
                session.add(row)
            row.last_sent_version, row.last_update_type, row.last_status = sent_version, update_type, status
            row.last_parts, row.updated_at = list(parts), now
            if accepted_version is not None and held is not None:
                row.version = accepted_version
                if cleared:
                    row.full_resend_advised = False
                await session.flush()
                await session.execute(delete(LocalListEntry).where(LocalListEntry.station_id == station_id))
                session.add_all(
                    LocalListEntry(
                        station_id=station_id, id_token=e.id_token, type=e.type, status=e.status,
                        expiry_date=e.expiry, group_id_token=e.group,
                    )  # fmt: skip
                    for e in held.values()
                )

    async def ask_version(self, station_id: str) -> LocalListView:
        """D02 / GetLocalListVersion: store the station's answer; a version that does not match the stored
        list advises a Full resend."""
        async with self._locks[station_id]:
            return await self._ask_version(station_id)

    async def _ask_version(self, station_id: str, *, advise_resend: bool = False) -> LocalListView:
        async with self._uow.read() as session:
            await self._station(session, station_id)
        _, answer = await self._gw.command(station_id, "get-local-list-version", {})
        station_version = int(answer.get("versionNumber", answer.get("listVersion", 0)))
        now = self._clock()
        async with self._uow() as session:
            row, held = await self._held(session, station_id)
            if row is None:
                row = LocalList(station_id=station_id, version=0, full_resend_advised=False, updated_at=now)
                session.add(row)
            row.station_version, row.station_version_at, row.updated_at = station_version, now, now
            in_sync = rules.in_sync(row.version, len(held), station_version)
            row.full_resend_advised = advise_resend or not in_sync
        return await self.get(station_id)

    async def _limits(self, station_id: str, ocpp_version: str) -> ListLimits:
        """2.0.1: from the station's stored NotifyReport when it names them; else asked before each update."""
        if ocpp_version != "1.6":
            async with self._uow.read() as session:
                reports = await session.scalars(select(StationMessage.payload).where(
                    StationMessage.station_id == station_id, StationMessage.action == "NotifyReport"
                ).order_by(StationMessage.id))  # fmt: skip
                data = [entry for report in reports for entry in report.get("reportData") or []]
            known = rules.limits_from_report(data)
            if known is not None:
                return known
        try:
            _, answer = await self._gw.command(station_id, "local-list-limits", {})
        except (StationCallError, PayloadInvalid):  # the station keeps no such variables: no limits known
            return ListLimits()
        return rules.limits_from_answer(answer)

