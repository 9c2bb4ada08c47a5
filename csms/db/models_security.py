"""Per-station security state (issue 13): the security profile a station must use, an upgrade under way,
and a password rotation the station accepted but has not yet used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class StationSecurity(Base):
    """One row per station that has any of these set; a station without one keeps the server's defaults."""

    __tablename__ = "station_security"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    security_profile: Mapped[int | None] = mapped_column(Integer)
    """The lowest OCPP security profile the station may connect with (1: Basic auth on ws://, 2: TLS with
    Basic auth, 3: TLS with a client certificate); ``None``: whatever the server accepts."""
    target_profile: Mapped[int | None] = mapped_column(Integer)
    """A higher profile the station agreed to move to (A05 / 1.6 TC_083); it becomes ``security_profile``
    when the station first connects with it."""
    next_password_hash: Mapped[str | None] = mapped_column(String(255))
    """argon2id hash of a rotated password the station accepted (A01, 1.6 TC_073): it becomes the
    station's password when the station first connects with it; until then the old one keeps working."""
    next_password_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    password_rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the station last connected with a rotated password (the old one stopped working then)."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
