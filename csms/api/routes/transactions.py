from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from csms.api.deps import Offset, Reader, RowId, ServicesDep
from csms.api.schemas import MeterValuePublic, Paged, TransactionDetail, TransactionPublic
from csms.domain.paging import Page
from csms.domain.session import SessionStatus

router = APIRouter(prefix="/api/v1/transactions", tags=["transactions"])


@router.get("")
async def list_transactions(
    services: ServicesDep,
    _: Reader,
    station_id: str | None = None,
    id_token: str | None = None,
    since: AwareDatetime | None = Query(None, description="started at or after (RFC 3339 with offset)"),
    until: AwareDatetime | None = Query(None, description="started before"),
    status: SessionStatus | None = Query(None, description="Pending, Active, Suspended or Completed"),
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
) -> Paged[TransactionPublic]:
    rows, total = await services.transactions.search(
        Page(limit, offset), station_id=station_id, id_token=id_token, since=since, until=until,
        status=status.value if status else None,
    )
    return Paged(
        items=[TransactionPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{transaction_id}")
async def transaction_detail(transaction_id: RowId, services: ServicesDep, _: Reader) -> TransactionDetail:
    tx, values = await services.transactions.detail(transaction_id)
    detail = TransactionDetail.model_validate(tx)
    return detail.model_copy(update={"meter_values": [MeterValuePublic.model_validate(v) for v in values]})
