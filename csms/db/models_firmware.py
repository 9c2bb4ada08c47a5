"""Firmware (OCPP block L): update campaigns across stations, and firmware published by local controllers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class FirmwareCampaign(Base):
    """One firmware image to install on a list of stations (UpdateFirmware to each)."""

    __tablename__ = "firmware_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location: Mapped[str] = mapped_column(String(512))
    retrieve_at: Mapped[datetime] = mapped_column(UtcDateTime())
    install_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    signing_certificate: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)
    retries: Mapped[int | None] = mapped_column(Integer)
    retry_interval_s: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FirmwareCampaignStation(Base):
    """A station of a campaign: its UpdateFirmware answer and the statuses it reported since."""

    __tablename__ = "firmware_campaign_stations"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("firmware_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, unique=True)
    """The 2.0.1 requestId (issued for 1.6 stations too, which do not send it back)."""
    ocpp_version: Mapped[str | None] = mapped_column(String(8))
    answer: Mapped[str | None] = mapped_column(String(24))
    """The UpdateFirmware answer (Accepted, Rejected, InvalidCertificate...; 1.6: Accepted), ``NULL`` while
    unanswered, or NotConnected, Timeout, CallError, Invalid when the station could not be asked."""
    status: Mapped[str | None] = mapped_column(String(32))
    """The latest FirmwareStatusNotification status."""
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Every status reported, ``{"status", "at"}``, in arrival order."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FirmwarePublication(Base):
    """A PublishFirmware to a local controller (2.0.1 L03), and its PublishFirmwareStatusNotifications."""

    __tablename__ = "firmware_publications"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(String(512))
    checksum: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(32))
    locations: Mapped[list[str] | None] = mapped_column(JSON)
    """Where the controller publishes the image (its status Published)."""
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    unpublished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
