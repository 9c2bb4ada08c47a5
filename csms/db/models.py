"""Tables of the central system: stations, connectors, id tokens, transactions, meter readings, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime
from csms.domain.session import SessionStatus


class Station(Base):
    """A charging station as registered by an operator (or admitted as Pending)."""

    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    registration_status: Mapped[str] = mapped_column(String(16), default="Accepted")
    ocpp_version: Mapped[str | None] = mapped_column(String(8))
    vendor: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(50))
    serial_number: Mapped[str | None] = mapped_column(String(50))
    firmware_version: Mapped[str | None] = mapped_column(String(50))
    last_boot_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    latitude: Mapped[float | None] = mapped_column(Float)
    """WGS-84 degrees north, set by an operator (``None``: not placed on the map)."""
    longitude: Mapped[float | None] = mapped_column(Float)
    """WGS-84 degrees east."""


class Connector(Base):
    """Current status of one connector.

    One model for both versions: OCPP 2.0.1 addresses ``(evse_id, connector_id)``; an OCPP 1.6 connector
    ``n`` is EVSE ``n`` with connector 1, and 1.6 connector 0 (the whole station) is EVSE 0.
    """

    __tablename__ = "connectors"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    evse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StatusEvent(Base):
    """Every status notification, kept as history."""

    __tablename__ = "status_events"
    __table_args__ = (Index("ix_status_events_station_ts", "station_id", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(Integer)
    connector_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(50))
    info: Mapped[str | None] = mapped_column(String(255))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IdToken(Base):
    """An RFID card, app account or other identifier allowed (or not) to charge."""

    __tablename__ = "id_tokens"

    id_token: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), default="ISO14443")
    status: Mapped[str] = mapped_column(String(16), default="Accepted")
    expiry_date: Mapped[datetime | None] = mapped_column(UtcDateTime())
    group_id_token: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Transaction(Base):
    """A charging session. ``id`` is the OCPP 1.6 ``transactionId``; 2.0.1 stations name theirs in ``uid``."""

    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("station_id", "uid", name="uq_transactions_station_uid"),
        UniqueConstraint("station_id", "evse_id", "started_at", name="uq_transactions_station_evse_start"),
        Index("ix_transactions_started_at", "started_at"),
        Index("ix_transactions_id_token", "id_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    uid: Mapped[str | None] = mapped_column(String(36))
    evse_id: Mapped[int] = mapped_column(Integer)
    connector_id: Mapped[int] = mapped_column(Integer, default=1)
    id_token: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE.value)
    meter_start_wh: Mapped[float | None] = mapped_column(Float)
    meter_stop_wh: Mapped[float | None] = mapped_column(Float)
    register_start_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the station read ``meter_start_wh`` (the register window's first reading)."""
    register_stop_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the station read ``meter_stop_wh`` (the register window's last reading)."""
    energy_wh: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    last_seq_no: Mapped[int | None] = mapped_column(Integer)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_start_id: Mapped[int | None] = mapped_column(Integer)


class IssuedId(Base):
    """Integer ids the CSMS issues to stations (2.0.1 ``remoteStartId``, ``requestId``, reservation ids).

    Drawn from the shared database so that they never repeat, across restarts or across nodes.
    """

    __tablename__ = "issued_ids"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str | None] = mapped_column(String(48))
    node_id: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TransactionEvent(Base):
    """An OCPP 2.0.1 TransactionEvent, unique per (transaction, seqNo) so that a repeat is not re-applied."""

    __tablename__ = "transaction_events"
    __table_args__ = (UniqueConstraint("transaction_pk", "seq_no", name="uq_transaction_events_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_pk: Mapped[int] = mapped_column(ForeignKey("transactions.id", ondelete="CASCADE"))
    seq_no: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(16))
    trigger_reason: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    offline: Mapped[bool] = mapped_column(Boolean, default=False)


class MeterReading(Base):
    """One OCPP ``MeterValue``: what a station sampled at one instant, each sample normalised to its base unit
    (Wh, W, A, V, %, ...).

    One row per reading, its samples a JSON list (see :func:`csms.domain.metering.readings`), rather than
    one row per sample: a charger samples 4 to 20 values at a time and they are always read together. A
    transaction's readings are found by ``ix_meter_readings_tx``; keeping that index entry per reading rather
    than per sample is what lets SQLite store tens of thousands of samples a second (``bench.csms_load``).
    """

    __tablename__ = "meter_readings"
    __table_args__ = (Index("ix_meter_readings_tx", "transaction_pk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    transaction_pk: Mapped[int | None] = mapped_column(ForeignKey("transactions.id", ondelete="SET NULL"))
    evse_id: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    samples: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class StationMessage(Base):
    """Payloads the CSMS keeps for operators but does not act on (NotifyEvent, security events,
    reports...)."""

    __tablename__ = "station_messages"
    __table_args__ = (Index("ix_station_messages_station_action", "station_id", "action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    payload_bytes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Size of ``payload`` as JSON [bytes]: what the station's storage quota counts."""
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A bearer token of the REST API. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


import csms.db.models_energy  # noqa: E402  (issue 17: EV charging needs, signed meter values)
import csms.db.models_local_list  # noqa: E402  (block D: local authorization lists, issue 13)
import csms.db.models_monitoring  # noqa: E402  (block N: monitors, customer information)
import csms.db.models_security  # noqa: E402  (per-station security state, issue 13)
import csms.db.models_tariffs  # noqa: E402, F401  (tariffs, session costs, transaction sync, boot intervals)
from csms.db import leases as _leases  # noqa: E402, F401  (the site lease fences table)
from csms.db import models_display, models_firmware, models_reservations, models_smart_charging  # noqa: E402,F401
