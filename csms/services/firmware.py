"""Firmware (OCPP block L): update campaigns across stations, and firmware published by local controllers.

* **Campaigns**: :meth:`FirmwareService.start_campaign` stores the campaign and one row per station (each
  with its own request id from the database) *before* sending UpdateFirmware to every station at once, so
  the FirmwareStatusNotifications that follow at once find their row; each station's answer is stored, and
  each status it reports is kept in its row's history (2.0.1 by ``requestId``; 1.6 stations send none, so
  their latest campaign's row).
* **Publishing** (2.0.1 L03/L04): PublishFirmware to a local controller, its
  PublishFirmwareStatusNotifications (the locations it publishes at), and UnpublishFirmware.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station
from csms.db.models_firmware import FirmwareCampaign, FirmwareCampaignStation, FirmwarePublication
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock, format_timestamp
from csms.errors import (
    CsmsError,
    InvalidInput,
    NotFound,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
    StationTimeout,
)
from csms.services.gateway import StationGateway
from csms.services.ids import IdService

#: A station that cannot be asked gets this answer in its row instead of the station's.
_UNASKED: tuple[tuple[type[CsmsError], str], ...] = (
    (StationNotConnected, "NotConnected"), (StationTimeout, "Timeout"), (StationCallError, "CallError"),
    (PayloadInvalid, "Invalid"), (InvalidInput, "Invalid"),
)  # fmt: skip


@dataclass(frozen=True)
class FirmwareSpec:
    location: str
    retrieve_at: datetime
    install_at: datetime | None = None
    signing_certificate: str | None = None
    signature: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


def _history(old: list[dict[str, Any]] | None, status: str, at: datetime) -> list[dict[str, Any]]:
    return [*(old or []), {"status": status, "at": format_timestamp(at)}]


class FirmwareService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway, ids: IdService) -> None:
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._ids = ids

    async def _stations_exist(
        self, session: AsyncSession, station_ids: Sequence[str]
    ) -> dict[str, str | None]:
        """Each station's OCPP version (as it last booted); :class:`NotFound` naming the unknown ones."""
        rows = await session.execute(
            select(Station.id, Station.ocpp_version).where(Station.id.in_(station_ids))
        )
        found: dict[str, str | None] = {sid: version for sid, version in rows}
        missing = [s for s in station_ids if s not in found]
        if missing:
            raise NotFound(f"stations {missing} do not exist")
        return found

    # -- campaigns -------------------------------------------------------------------------------------------
    async def start_campaign(self, spec: FirmwareSpec, station_ids: Sequence[str]) -> int:
        """Store the campaign, send UpdateFirmware to every station concurrently, store the answers."""
        if len(set(station_ids)) != len(station_ids):
            raise InvalidInput("station_ids lists a station twice", field="station_ids")
        now = self._clock()
        async with self._uow.read() as session:
            versions = await self._stations_exist(session, station_ids)
        ids = [await self._ids.issue("update-firmware", s) for s in station_ids]
        async with self._uow() as session:
            campaign = FirmwareCampaign(
                location=spec.location, retrieve_at=spec.retrieve_at, install_at=spec.install_at,
                signing_certificate=spec.signing_certificate, signature=spec.signature, retries=spec.retries,
                retry_interval_s=spec.retry_interval_s, created_at=now,
            )  # fmt: skip
            session.add(campaign)
            await session.flush()
            campaign_id = campaign.id
            for station_id, request_id in zip(station_ids, ids, strict=True):
                session.add(FirmwareCampaignStation(
                    campaign_id=campaign_id, station_id=station_id, request_id=request_id,
                    ocpp_version=versions[station_id], answer=None, status=None, history=[], updated_at=now,
                ))  # fmt: skip
        answers = await asyncio.gather(
            *(self._update(spec, s, r) for s, r in zip(station_ids, ids, strict=True))
        )
        async with self._uow() as session:
            for station_id, answer in zip(station_ids, answers, strict=True):
                await session.execute(
                    update(FirmwareCampaignStation)
                    .where(FirmwareCampaignStation.campaign_id == campaign_id,
                           FirmwareCampaignStation.station_id == station_id)
                    .values(answer=answer[:24], updated_at=self._clock())
                )  # fmt: skip
        return campaign_id

    async def _update(self, spec: FirmwareSpec, station_id: str, request_id: int) -> str:
        params = {  # plain JSON values: they may travel to the node holding the station
            "request_id": request_id, "location": spec.location,
            "retrieve_at": format_timestamp(spec.retrieve_at),
            "install_at": format_timestamp(spec.install_at) if spec.install_at else None,
            "signing_certificate": spec.signing_certificate, "signature": spec.signature,
            "retries": spec.retries, "retry_interval_s": spec.retry_interval_s,
        }  # fmt: skip
        try:
            _, answer = await self._gw.command(station_id, "update-firmware", params)
        except CsmsError as exc:
            return next((name for kind, name in _UNASKED if isinstance(exc, kind)), "Error")
        # 1.6 UpdateFirmware.conf is empty: the station took the request.
        return str(answer.get("status", "Accepted"))

    async def status_notification(self, station_id: str, status: str, request_id: int | None) -> None:
        """A FirmwareStatusNotification: into its campaign row (by request id, else the station's latest)."""
        now = self._clock()
        query = select(FirmwareCampaignStation).where(FirmwareCampaignStation.station_id == station_id)
        if request_id is not None:
            query = query.where(FirmwareCampaignStation.request_id == request_id)
        async with self._uow() as session:
            row = await session.scalar(query.order_by(FirmwareCampaignStation.campaign_id.desc()).limit(1))
            if row is None:  # an update nobody started through a campaign (or an Idle answer to a trigger)
                return
            row.status, row.history, row.updated_at = status, _history(row.history, status, now), now

    async def campaigns(self) -> Sequence[FirmwareCampaign]:
        async with self._uow.read() as session:
            return (
                await session.scalars(select(FirmwareCampaign).order_by(FirmwareCampaign.id.desc()))
            ).all()

    async def campaign(self, campaign_id: int) -> tuple[FirmwareCampaign, Sequence[FirmwareCampaignStation]]:
        async with self._uow.read() as session:
            row = await session.get(FirmwareCampaign, campaign_id)
            if row is None:
                raise NotFound(f"firmware campaign {campaign_id} does not exist")
            targets = await session.scalars(
                select(FirmwareCampaignStation).where(FirmwareCampaignStation.campaign_id == campaign_id)
                .order_by(FirmwareCampaignStation.station_id)
            )  # fmt: skip
            return row, targets.all()

    # -- publishing (local controllers) ----------------------------------------------------------------------
    async def publish(
        self, station_id: str, location: str, checksum: str, retries: int | None, retry_interval_s: int | None
    ) -> FirmwarePublication:
        now = self._clock()
        async with self._uow.read() as session:
            await self._stations_exist(session, [station_id])
        request_id = await self._ids.issue("publish-firmware", station_id)
        async with self._uow() as session:
            session.add(FirmwarePublication(
                request_id=request_id, station_id=station_id, location=location, checksum=checksum,
                answer="Sent", status=None, locations=None, history=[], requested_at=now, updated_at=now,
            ))  # fmt: skip
        params = {"request_id": request_id, "location": location, "checksum": checksum, "retries": retries,
                  "retry_interval_s": retry_interval_s}  # fmt: skip
        try:
            _, answer = await self._gw.command(station_id, "publish-firmware", params)
        except CsmsError:  # not sent (or unanswered): nothing to keep
            async with self._uow() as session:
                await session.execute(
                    delete(FirmwarePublication).where(FirmwarePublication.request_id == request_id)
                )
            raise
        async with self._uow() as session:
            row = await session.get_one(FirmwarePublication, request_id)
            row.answer, row.updated_at = str(answer.get("status", "Unknown"))[:16], self._clock()
            return row

    async def publish_status(
        self, station_id: str, status: str, locations: list[str] | None, request_id: int | None
    ) -> None:
        """A PublishFirmwareStatusNotification: into its publication (by request id, else the latest)."""
        now = self._clock()
        query = select(FirmwarePublication).where(FirmwarePublication.station_id == station_id)
        if request_id is not None:
            query = query.where(FirmwarePublication.request_id == request_id)
        async with self._uow() as session:
            row = await session.scalar(query.order_by(FirmwarePublication.request_id.desc()).limit(1))
            if row is None:
                return
            row.status, row.history, row.updated_at = status, _history(row.history, status, now), now
            if status == "Published":
                row.locations = list(locations or [])

    async def unpublish(self, station_id: str, checksum: str) -> str:
        """Send UnpublishFirmware; once Unpublished, the station's publications of that image are ended."""
        _, answer = await self._gw.command(station_id, "unpublish-firmware", {"checksum": checksum})
        status = str(answer.get("status", "Unknown"))
        if status == "Unpublished":
            async with self._uow() as session:
                now = self._clock()
                await session.execute(
                    update(FirmwarePublication)
                    .where(FirmwarePublication.station_id == station_id,
                           FirmwarePublication.checksum == checksum,
                           FirmwarePublication.unpublished_at.is_(None))
                    .values(unpublished_at=now, updated_at=now)
                )  # fmt: skip
        return status

    async def publications(self, station_id: str) -> Sequence[FirmwarePublication]:
        async with self._uow.read() as session:
            query = select(FirmwarePublication).where(FirmwarePublication.station_id == station_id)
            return (await session.scalars(query.order_by(FirmwarePublication.request_id.desc()))).all()
