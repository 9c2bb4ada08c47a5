"""Customer information (OCPP 2.0.1 N09 report, N10 clear): ask a station, collect its report parts.

:meth:`CustomerInformationService.request` sends CustomerInformation with a request id from the database
(the request is stored first: parts may arrive before the answer). The station's NotifyCustomerInformation
parts are kept per request by ``seqNo`` (a repeat is ignored); :meth:`get` puts them back together. When the
request clears a customer named by an id token and the station accepts, the CSMS erases that token from its
own tables too (:class:`~csms.services.customer_data.CustomerDataService`) and the request row keeps only
the pseudonym that replaced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select

from csms.db.models import Station
from csms.db.models_monitoring import CustomerInformationPart, CustomerInformationRequest
from csms.db.uow import UnitOfWork
from csms.domain.customer_information import Assembled, assemble, subject
from csms.domain.timeutil import Clock, parse_timestamp
from csms.errors import CsmsError, InvalidInput, NotFound
from csms.services.customer_data import CustomerDataService
from csms.services.gateway import StationGateway
from csms.services.ids import IdService

R, P = CustomerInformationRequest, CustomerInformationPart


class CustomerInformationService:
    def __init__(
        self, uow: UnitOfWork, clock: Clock, gateway: StationGateway, ids: IdService,
        data: CustomerDataService,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._ids = ids
        self._data = data

    async def request(
        self, station_id: str, *, report: bool, clear: bool, id_token: Mapping[str, Any] | None = None,
        customer_certificate: Mapping[str, Any] | None = None, customer_identifier: str | None = None,
    ) -> CustomerInformationRequest:  # fmt: skip
        """Send CustomerInformation; ``id_token`` and ``customer_certificate`` as on the wire (camelCase)."""
        if not report and not clear:
            raise InvalidInput("ask for a report, a clear or both", field="report")
        who = subject(id_token, customer_certificate, customer_identifier)
        async with self._uow.read() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} does not exist")
        request_id = await self._ids.issue("customer-information", station_id)
        async with self._uow() as session:
            session.add(R(
                request_id=request_id, station_id=station_id, report=report, clear=clear, subject=who,
                status="Sent", requested_at=self._clock(),
            ))  # fmt: skip
        params = {"request_id": request_id, "report": report, "clear": clear, "subject": who}
        try:
            _, answer = await self._gw.command(station_id, "customer-information", params)
        except CsmsError:
            async with self._uow() as session:
                await session.execute(delete(R).where(R.request_id == request_id))
            raise
        status = str(answer.get("status", "Unknown"))
        erased = None
        if clear and status == "Accepted" and "idToken" in who:
            erased = await self._data.erase(who["idToken"]["idToken"])  # also rewrites this request's subject
        async with self._uow() as session:
            row = await session.get_one(R, request_id)
            row.status, row.local_erasure = status, erased
        async with self._uow.read() as session:
            return await session.get_one(R, request_id)

    async def notify(self, station_id: str, p: Mapping[str, Any]) -> None:
        """One NotifyCustomerInformation part; the last (``tbc`` false) completes a request the CSMS sent."""
        request_id, seq_no, tbc = int(p["requestId"]), int(p["seqNo"]), bool(p.get("tbc", False))
        now = self._clock()
        async with self._uow() as session:
            repeat = await session.scalar(select(P.id).where(
                P.station_id == station_id, P.request_id == request_id, P.seq_no == seq_no
            ))  # fmt: skip
            if repeat is not None:
                return
            session.add(P(
                station_id=station_id, request_id=request_id, seq_no=seq_no, tbc=tbc, data=str(p["data"]),
                generated_at=parse_timestamp(p["generatedAt"]), received_at=now,
            ))  # fmt: skip
            request = await session.get(R, request_id)
            if request is not None and request.station_id == station_id and not tbc:
                request.completed_at = now

    async def get(
        self, station_id: str, request_id: int
    ) -> tuple[CustomerInformationRequest | None, list[CustomerInformationPart], Assembled]:
        """A request (``None`` for parts the station sent unasked) with its parts and their text."""
        async with self._uow.read() as session:
            row = await session.get(R, request_id)
            if row is not None and row.station_id != station_id:
                row = None
            parts = list(await session.scalars(
                select(P).where(P.station_id == station_id, P.request_id == request_id).order_by(P.seq_no)
            ))  # fmt: skip
        if row is None and not parts:
            raise NotFound(f"no customer information request {request_id} for station {station_id!r}")
        return row, parts, assemble((x.seq_no, x.tbc, x.data) for x in parts)

    async def list(self, station_id: str) -> list[CustomerInformationRequest]:
        async with self._uow.read() as session:
            rows = await session.scalars(
                select(R).where(R.station_id == station_id).order_by(R.request_id.desc()).limit(50)
            )
            return list(rows)
