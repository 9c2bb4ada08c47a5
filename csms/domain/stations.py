"""Plain values the station service takes and returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.errors import InvalidInput


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


def check_location(latitude: float | None, longitude: float | None) -> None:
    """A station's place on the map: both coordinates or neither, WGS-84 degrees in range.

    >>> check_location(28.23, 112.94); check_location(None, None)
    >>> check_location(91, 112.9)
    Traceback (most recent call last):
    ...
    csms.errors.InvalidInput: latitude must be between -90 and 90 degrees
    >>> check_location(28.2, None)
    Traceback (most recent call last):
    ...
    csms.errors.InvalidInput: give both latitude and longitude, or neither
    """
    if (latitude is None) != (longitude is None):
        raise InvalidInput("give both latitude and longitude, or neither", field="latitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput("latitude must be between -90 and 90 degrees", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput("longitude must be between -180 and 180 degrees", field="longitude")
