"""Tables of monitoring (OCPP 2.0.1 block N) and customer information (N09/N10).

* ``variable_monitors``: each station's monitors as the CSMS knows them (set and Accepted, or reported);
* ``monitoring_requests``: the GetMonitoringReport requests sent, the scope each report replaces;
* ``monitoring_settings``: the monitoring base and level a station last accepted;
* ``customer_information_requests`` / ``customer_information_parts``: CustomerInformation requests and the
  NotifyCustomerInformation parts collected for each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class VariableMonitor(Base):
    """One monitor of a station; ``monitor_id`` is the id the station gave it (unique per station)."""

    __tablename__ = "variable_monitors"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    monitor_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    component: Mapped[str] = mapped_column(String(50))
    component_instance: Mapped[str | None] = mapped_column(String(50))
    evse_id: Mapped[int | None] = mapped_column(Integer)
    connector_id: Mapped[int | None] = mapped_column(Integer)
    variable: Mapped[str] = mapped_column(String(50))
    variable_instance: Mapped[str | None] = mapped_column(String(50))
    type: Mapped[str] = mapped_column(String(24))
    """UpperThreshold, LowerThreshold, Delta, Periodic or PeriodicClockAligned."""
    value: Mapped[float] = mapped_column(Float)
    severity: Mapped[int] = mapped_column(Integer)
    transaction: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(8))
    """``set``: Accepted in a SetVariableMonitoring answer; ``report``: in a NotifyMonitoringReport."""
    request_id: Mapped[int | None] = mapped_column(Integer)
    """The GetMonitoringReport request whose report brought it (``source`` report)."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MonitoringRequest(Base):
    """A GetMonitoringReport the CSMS sent, the station's answer and the report parts it collected."""

    __tablename__ = "monitoring_requests"
    __table_args__ = (Index("ix_monitoring_requests_station", "station_id"),)

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    criteria: Mapped[list[str] | None] = mapped_column(JSON)
    """monitoringCriteria as sent; ``None``: every type."""
    component_variables: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """componentVariable as sent (camelCase); ``None``: every component."""
    status: Mapped[str] = mapped_column(String(24))
    """The station's answer: Accepted, Rejected, NotSupported or EmptyResultSet."""
    reports: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the last part (``tbc`` false) arrived, or the station answered EmptyResultSet."""


class MonitoringSettings(Base):
    """The monitoring base (N03) and level (N05) a station last Accepted."""

    __tablename__ = "monitoring_settings"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    base: Mapped[str | None] = mapped_column(String(16))
    base_set_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    level: Mapped[int | None] = mapped_column(Integer)
    """The station reports events of this severity or more urgent (0 danger .. 9 debug)."""
    level_set_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CustomerInformationRequest(Base):
    """A CustomerInformation request (N09/N10); ``subject`` names the customer as sent, except that the id
    token of a request that clears is stored as the pseudonym that replaced it everywhere."""

    __tablename__ = "customer_information_requests"
    __table_args__ = (Index("ix_customer_information_requests_station", "station_id"),)

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    report: Mapped[bool] = mapped_column(Boolean)
    clear: Mapped[bool] = mapped_column(Boolean)
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    """The station's answer: Accepted, Rejected or Invalid."""
    local_erasure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What the CSMS erased of its own data (row counts per table), for a request that clears an id token."""
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the last part (``tbc`` false) arrived."""


class CustomerInformationPart(Base):
    """One NotifyCustomerInformation: up to 512 characters of the report, by sequence number."""

    __tablename__ = "customer_information_parts"
    __table_args__ = (
        UniqueConstraint("station_id", "request_id", "seq_no", name="uq_customer_information_parts_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(Integer)
    seq_no: Mapped[int] = mapped_column(Integer)
    tbc: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[str] = mapped_column(Text)
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
