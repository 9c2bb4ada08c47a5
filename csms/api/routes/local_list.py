"""Local authorization lists (OCPP 2.0.1 block D, 1.6 LocalAuthListManagement): what each station holds,
sending a Full list or a Differential update, asking the station's list version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import Operator, Reader, ServicesDep
from csms.domain.local_list import UpdateType
from csms.services.local_list import LocalListView

router = APIRouter(tags=["local-list"])


class LocalListSend(BaseModel):
    update_type: UpdateType
    """``Full``: the list is replaced by the selected id tokens. ``Differential``: what changed among them
    against the stored list (added, changed, removed)."""
    id_tokens: list[str] | None = Field(default=None, max_length=10_000)
    """The selection; omitted: every id token of the CSMS (or of ``group_id_token``)."""
    group_id_token: str | None = Field(default=None, max_length=255)
    """Only the id tokens of this group."""


class LocalListEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id_token: str
    type: str
    status: str
    expiry: datetime | None
    group: str | None


class LocalListPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    station_id: str
    version: int
    """The version of the last update the station accepted (0: none)."""
    entries: list[LocalListEntryPublic]
    last_update_type: str | None
    last_status: str | None
    """The station's last SendLocalList answer: Accepted, Failed, VersionMismatch (1.6 NotSupported)."""
    last_sent_version: int | None
    last_parts: list[dict[str, Any]]
    """The messages of the last update (a list over the station's limits is sent in parts)."""
    station_version: int | None
    station_version_at: datetime | None
    in_sync: bool | None
    """Does the station's last GetLocalListVersion answer match ``version``? ``None``: never asked."""
    full_resend_advised: bool
    stale: list[str]
    """Id tokens on the list whose info changed in the CSMS since (blocked, expired, deleted)."""


def _public(view: LocalListView) -> LocalListPublic:
    return LocalListPublic.model_validate(view)


@router.get("/api/v1/stations/{station_id}/local-list")
async def local_list(station_id: str, services: ServicesDep, _: Reader) -> LocalListPublic:
    assert services.local_list is not None
    return _public(await services.local_list.get(station_id))


@router.post("/api/v1/stations/{station_id}/local-list")
async def send_local_list(
    station_id: str, body: LocalListSend, services: ServicesDep, _: Operator
) -> LocalListPublic:
    """Send SendLocalList (in parts over the station's limits); the stored list follows what it accepted."""
    assert services.local_list is not None
    view = await services.local_list.send(station_id, body.update_type, body.id_tokens, body.group_id_token)
    return _public(view)


@router.post("/api/v1/stations/{station_id}/local-list/version")
async def local_list_version(station_id: str, services: ServicesDep, _: Operator) -> LocalListPublic:
    """Send GetLocalListVersion; store the answer and compare it with the stored version."""
    assert services.local_list is not None
    return _public(await services.local_list.ask_version(station_id))
