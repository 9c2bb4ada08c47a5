"""Display messages per station (OCPP 2.0.1 block O), and the GetDisplayMessages requests reporting them.

``display_messages``: one row per station and message id, with what the CSMS set (SetDisplayMessage) and the
station's answer, or what the station reported (NotifyDisplayMessages). ``display_message_requests``: each
GetDisplayMessages the CSMS sent, its criteria (the scope its report replaces) and how far its report came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class DisplayMessage(Base):
    """A message a station shows (or was asked to show and refused: ``station_answer`` not Accepted)."""

    __tablename__ = "display_messages"
    __table_args__ = (
        UniqueConstraint("station_id", "message_id", name="uq_display_messages_station_message"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(Integer)
    """The message's id on the wire (the CSMS issues new ones from ``issued_ids``)."""
    priority: Mapped[str] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(16))
    start_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    transaction_uid: Mapped[str | None] = mapped_column(String(36))
    """The station's transaction id the message is for (O02)."""
    transaction_id: Mapped[int | None] = mapped_column(Integer)
    """The CSMS's transaction, when known."""
    content: Mapped[str] = mapped_column(String(512))
    message_format: Mapped[str] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(8))
    display: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The display component (``{name, instance?, evse?}``) when one was named."""
    origin: Mapped[str] = mapped_column(String(8))
    """``csms`` (set by SetDisplayMessage) or ``station`` (first known from the station's report)."""
    station_answer: Mapped[str | None] = mapped_column(String(32))
    """The SetDisplayMessage answer; ``NULL`` for a message only the station reported."""
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the station last reported it (NotifyDisplayMessages)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DisplayMessageRequest(Base):
    """A GetDisplayMessages the CSMS sent; ``request_id`` comes from ``issued_ids``."""

    __tablename__ = "display_message_requests"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    ids: Mapped[list[int] | None] = mapped_column(JSON)
    priority: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(16))
    station_answer: Mapped[str | None] = mapped_column(String(16))
    """``Accepted`` (a report follows) or ``Unknown`` (no message matches)."""
    parts: Mapped[int] = mapped_column(Integer, default=0)
    """NotifyDisplayMessages received for it."""
    reported_ids: Mapped[list[int]] = mapped_column(JSON)
    """The message ids its parts reported so far."""
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
