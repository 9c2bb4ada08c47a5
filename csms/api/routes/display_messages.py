"""Display messages per station (OCPP 2.0.1 block O): what the CSMS set and what the station reported.

They are set, asked for and cleared with the typed commands ``set-display-message``, ``get-display-messages``
and ``clear-display-message`` (``POST /api/v1/stations/{id}/commands/{command}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from csms.api.deps import Reader, ServicesDep

router = APIRouter(tags=["display-messages"])


class DisplayMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    message_id: int
    priority: str
    state: str | None
    start_at: datetime | None
    end_at: datetime | None
    transaction_uid: str | None
    transaction_id: int | None
    content: str
    message_format: str
    language: str | None
    display: dict[str, Any] | None
    origin: str
    """``csms`` (set with SetDisplayMessage) or ``station`` (known from its report)."""
    station_answer: str | None
    """The SetDisplayMessage answer; only an ``Accepted`` (or reported) message is shown."""
    reported_at: datetime | None
    updated_at: datetime


@router.get("/api/v1/stations/{station_id}/display-messages")
async def display_messages(station_id: str, services: ServicesDep, _: Reader) -> list[DisplayMessagePublic]:
    """The station's messages by id: those it accepted or reported, and refused ones with the answer."""
    return [DisplayMessagePublic.model_validate(r) for r in await services.display.list(station_id)]
