"""The stored record of what each station last answered to the energy manager's charging profiles.

Session-level helpers for :class:`~csms.services.sites.SiteService`, which owns the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.sites import SentChargingProfile

_CHUNK = 500


async def sent_profiles_of(session: AsyncSession, site_id: str) -> list[SentChargingProfile]:
    """The site's rows, by station, EVSE and purpose."""
    query = select(SentChargingProfile).where(SentChargingProfile.site_id == site_id)
    order = (SentChargingProfile.station_id, SentChargingProfile.evse_id, SentChargingProfile.purpose)
    return list(await session.scalars(query.order_by(*order)))


async def replace_sent_profiles(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the stored rows of these rows' (station, EVSE, purpose) keys, one row per key."""
    table = SentChargingProfile.__table__
    keys = tuple_(table.c.station_id, table.c.evse_id, table.c.purpose)
    for i in range(0, len(rows), _CHUNK):  # bound the statement size on every backend
        chunk = rows[i : i + _CHUNK]
        await session.execute(
            delete(table).where(keys.in_([(r["station_id"], r["evse_id"], r["purpose"]) for r in chunk]))
        )
        await session.execute(insert(table), list(chunk))
