"""Settings of the central system, read from the environment (prefix ``CSMS_``) by a factory.

Nothing is created at import time: ``Settings()`` or :func:`get_settings` builds a validated object, and
tests build their own with keyword arguments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

UnknownStationPolicy = Literal["reject", "pending"]


class Settings(BaseSettings):
    """Every tunable of the CSMS, with its unit in its name."""

    model_config = SettingsConfigDict(env_prefix="CSMS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./csms.sqlite3"
    """SQLAlchemy async URL. SQLite (aiosqlite) by default; PostgreSQL as ``postgresql+asyncpg://...``."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    ocpp_host: str = "0.0.0.0"
    ocpp_port: int = 9000
    """Port of the OCPP-J websocket server; 0 picks a free port (tests)."""

    ocpp_max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    """Frames larger than this close the connection with code 1009 (message too big)."""

    ocpp_response_timeout_s: float = Field(default=30.0, gt=0)
    """How long a command waits for a station's CALLRESULT before the API answers 504."""

    ocpp_ping_interval_s: float | None = 60.0
    """Websocket keepalive ping interval; ``None`` disables pings."""

    heartbeat_interval_s: int = Field(default=300, ge=1)
    """Interval returned to stations in BootNotification.conf."""

    pending_retry_interval_s: int = Field(default=60, ge=1)
    """Interval returned to stations whose boot is Pending (waiting for operator approval)."""

    unknown_station_policy: UnknownStationPolicy = "reject"
    """``reject``: an unregistered station gets HTTP 401 at the handshake. ``pending``: it is admitted, stored as
    Pending and its boots answered Pending until an operator approves it."""

    redis_url: str | None = None
    """When set, station presence and command routing go through Redis (several CSMS nodes)."""

    node_id: str = "node-1"
    log_level: str = "INFO"

    group_commit_delay_s: float = Field(default=0.005, ge=0)
    """Group commit (status, heartbeats, meter values): how long to gather writes into one transaction."""


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
