"""The local authorization list each station holds, as the CSMS believes (OCPP 2.0.1 block D, 1.6
LocalAuthListManagement): its version and entries, changed only by an update the station Accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class LocalList(Base):
    """One row per station that was sent a list or asked its version."""

    __tablename__ = "local_lists"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    """The version of the last update the station Accepted (0: none)."""
    last_sent_version: Mapped[int | None] = mapped_column(Integer)
    last_update_type: Mapped[str | None] = mapped_column(String(16))
    last_status: Mapped[str | None] = mapped_column(String(16))
    """The station's last SendLocalList answer: Accepted, Failed, VersionMismatch (1.6: NotSupported)."""
    last_parts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """Each message of the last update: version, update type, items, the station's answer."""
    station_version: Mapped[int | None] = mapped_column(Integer)
    """The station's last GetLocalListVersion answer."""
    station_version_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    full_resend_advised: Mapped[bool] = mapped_column(Boolean, default=False)
    """The station's list differs from the stored one (VersionMismatch, or a version that does not match):
    the operator should send a Full list."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LocalListEntry(Base):
    """An id token on a station's list, with the info the station keeps for it."""

    __tablename__ = "local_list_entries"

    station_id: Mapped[str] = mapped_column(
        ForeignKey("local_lists.station_id", ondelete="CASCADE"), primary_key=True
    )
    id_token: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    expiry_date: Mapped[datetime | None] = mapped_column(UtcDateTime())
    group_id_token: Mapped[str | None] = mapped_column(String(255))
