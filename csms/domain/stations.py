"""Plain values the station service takes and returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BootInfo:
    vendor: str | None
    model: str | None
    serial_number: str | None = None
    firmware_version: str | None = None


@dataclass(frozen=True, slots=True)
class BootAnswer:
    status: str
    interval_s: int
    current_time: datetime


@dataclass(frozen=True, slots=True)
class StatusChange:
    evse_id: int
    connector_id: int
    status: str
    timestamp: datetime
    error_code: str | None = None
    info: str | None = None
