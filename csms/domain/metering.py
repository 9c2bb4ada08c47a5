"""Meter values normalised to base units, whatever unit and multiplier the station used.

OCPP 1.6J sends ``unit`` strings (``Wh``, ``kWh``, ``W``, ``kW``, ``A``, ``V``, ``Percent``, ``Celcius``...),
OCPP 2.0.1 sends ``unitOfMeasure = {unit, multiplier}`` where the value is ``value x 10^multiplier unit``.
The CSMS stores one base unit per quantity: Wh, W, A, V, %, varh, var, VA, Celsius, Hz.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import isfinite
from typing import Any, NamedTuple

from csms.errors import InvalidInput

# unit -> (base unit, factor to base)
_UNITS: dict[str, tuple[str, float]] = {
    "Wh": ("Wh", 1.0),
    "kWh": ("Wh", 1000.0),
    "varh": ("varh", 1.0),
    "kvarh": ("varh", 1000.0),
    "W": ("W", 1.0),
    "kW": ("W", 1000.0),
    "VA": ("VA", 1.0),
    "kVA": ("VA", 1000.0),
    "var": ("var", 1.0),
    "kvar": ("var", 1000.0),
    "A": ("A", 1.0),
    "V": ("V", 1.0),
    "Percent": ("%", 1.0),
    "Celsius": ("Celsius", 1.0),
    "Celcius": ("Celsius", 1.0),  # the 1.6 spelling
    "Hz": ("Hz", 1.0),
}

# Measurands whose default unit differs from Wh (OCPP: the default unit is Wh for every measurand, but
# stations routinely omit the unit for these; the measurand then decides).
_DEFAULT_UNIT_BY_MEASURAND = {
    "SoC": "Percent",
    "Voltage": "V",
    "Current.Import": "A",
    "Current.Export": "A",
    "Current.Offered": "A",
    "Power.Active.Import": "W",
    "Power.Active.Export": "W",
    "Power.Offered": "W",
    "Frequency": "Hz",
    "Temperature": "Celsius",
}

ENERGY_REGISTER = "Energy.Active.Import.Register"


class Sample(NamedTuple):
    """One normalised sampled value (a tuple: thousands are built per second)."""

    timestamp: datetime
    measurand: str
    value: float
    unit: str
    phase: str | None = None
    location: str | None = None
    context: str | None = None


StoredSample = dict[str, Any]
"""A sample as a reading stores it: ``{"measurand", "value", "unit"}``, plus ``phase``, ``location`` and
``context`` when the station gave them."""


def readings(samples: Iterable[Sample]) -> list[tuple[datetime, list[StoredSample]]]:
    """``samples`` as readings: one per timestamp, in the order the station sent them.

    An OCPP ``MeterValue`` is one instant and the values sampled at it; a message can carry several.

    >>> at = datetime(2026, 1, 1)
    >>> [(ts, stored)] = readings([Sample(at, "Current.Import", 16.0, "A", "L1"), Sample(at, "SoC", 4, "%")])
    >>> ts == at, stored[0]
    (True, {'measurand': 'Current.Import', 'value': 16.0, 'unit': 'A', 'phase': 'L1'})
    """
    grouped: dict[datetime, list[StoredSample]] = {}
    for s in samples:
        stored = {"measurand": s.measurand, "value": s.value, "unit": s.unit}
        if s.phase is not None:
            stored["phase"] = s.phase
        if s.location is not None:
            stored["location"] = s.location
        if s.context is not None:
            stored["context"] = s.context
        grouped.setdefault(s.timestamp, []).append(stored)
    return list(grouped.items())


def samples_of(timestamp: datetime, stored: Iterable[StoredSample]) -> list[Sample]:
    """A stored reading's samples (the inverse of :func:`readings`).

    >>> at = datetime(2026, 1, 1)
    >>> [(ts, back)] = readings([Sample(at, "Voltage", 230.0, "V", "L1-N", "Outlet", "Sample.Periodic")])
    >>> samples_of(ts, back) == [Sample(at, "Voltage", 230.0, "V", "L1-N", "Outlet", "Sample.Periodic")]
    True
    """
    return [
        Sample(timestamp, s["measurand"], s["value"], s["unit"], s.get("phase"), s.get("location"),
               s.get("context"))
        for s in stored
    ]


def register_values(stored: Iterable[StoredSample]) -> list[float]:
    """The energy-register values of a stored reading (all phases together; usually one).

    >>> register_values([{"measurand": "Voltage", "value": 230.0, "unit": "V"},
    ...                  {"measurand": ENERGY_REGISTER, "value": 1800.0, "unit": "Wh"}])
    [1800.0]
    """
    return [s["value"] for s in stored if s["measurand"] == ENERGY_REGISTER and s.get("phase") is None]


def normalise(value: float | str, unit: str | None, measurand: str, multiplier: int = 0) -> tuple[float, str]:
    """Return ``(value, base_unit)`` for a sampled value.

    >>> normalise("7.5", "kWh", "Energy.Active.Import.Register")
    (7500.0, 'Wh')
    >>> normalise(22, "W", "Power.Active.Import", multiplier=3)
    (22000.0, 'W')
    >>> normalise(-16, "A", "Current.Import", multiplier=-1)
    (-1.6, 'A')
    >>> normalise("80", None, "SoC")
    (80.0, '%')

    Only finite values come out: ``"NaN"``, ``"Infinity"`` or a value that overflows once scaled raise
    :class:`InvalidInput` (the edge answers PropertyConstraintViolation), so nothing non-finite is stored.

    >>> normalise("NaN", "Wh", ENERGY_REGISTER)
    Traceback (most recent call last):
    ...
    csms.errors.InvalidInput: sampled value 'NaN' of Energy.Active.Import.Register is not a finite number
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"sampled value {value!r} of {measurand} is not a number", field="value") from None
    if not isfinite(number):
        raise _not_finite(value, measurand)
    unit = unit or _DEFAULT_UNIT_BY_MEASURAND.get(measurand, "Wh")
    if unit == "Fahrenheit" or unit == "K":
        scaled = _scaled(number, 1.0, multiplier, value, measurand)
        celsius = (scaled - 32) * 5 / 9 if unit == "Fahrenheit" else scaled - 273.15
        return round(celsius, 6), "Celsius"
    try:
        base, factor = _UNITS[unit]
    except KeyError:
        raise InvalidInput(f"unknown unit {unit!r} for {measurand}", field="unit") from None
    if factor == 1.0 and not multiplier:
        return number, base  # already in its base unit: nothing to scale (the common case)
    return round(_scaled(number, factor, multiplier, value, measurand), 9), base


def _scaled(number: float, factor: float, multiplier: int, value: object, measurand: str) -> float:
    # A float power: 10 ** 2_000_000_000 as a Python int would take minutes to build before failing.
    try:
        scaled = number * factor * 10.0**multiplier
    except OverflowError:
        raise _not_finite(value, measurand) from None
    if not isfinite(scaled):
        raise _not_finite(value, measurand)
    return scaled


def _not_finite(value: object, measurand: str) -> InvalidInput:
    return InvalidInput(f"sampled value {value!r} of {measurand} is not a finite number", field="value")


def session_energy_wh(meter_start_wh: float | None, meter_stop_wh: float | None) -> float | None:
    """Energy delivered in a session [Wh] from its register readings; ``None`` while unknown.

    A register that went backwards (meter replaced, station bug) gives ``None`` rather than a negative
    energy that would corrupt billing and carbon accounts.

    >>> session_energy_wh(1000, 8500)
    7500.0
    >>> session_energy_wh(8500, 1000) is None
    True
    """
    if meter_start_wh is None or meter_stop_wh is None or meter_stop_wh < meter_start_wh:
        return None
    return float(meter_stop_wh - meter_start_wh)


@dataclass(frozen=True, slots=True)
class MeterReport:
    """A MeterValues message, translated: its samples and the transaction they belong to, if any."""

    station_id: str
    evse_id: int
    samples: Sequence[Sample]
    transaction_id: int | None = None
    """OCPP 1.6 ``transactionId`` (the row id)."""
    transaction_uid: str | None = None
    """OCPP 2.0.1 ``transactionId`` (the station's string)."""
