"""A charging session: its status and its energy-register window, decided from readings (sans I/O).

**Status** (one :class:`SessionStatus` for every stored and served status string):

- OCPP 1.6: StartTransaction -> ``ACTIVE``; StopTransaction -> ``ENDED``.
- OCPP 2.0.1 (use cases E01-E07, ``transactionInfo.chargingState``, ChargingStateEnumType):
  ``Charging`` -> ``ACTIVE``; ``SuspendedEV`` / ``SuspendedEVSE`` -> ``SUSPENDED``; ``EVConnected`` / ``Idle``
  -> ``PENDING`` while the session has never charged (E02: the cable is plugged in or the driver authorised,
  energy not yet flowing), ``SUSPENDED`` after it has (no energy flows, but the session is not over). An event
  without ``chargingState`` keeps the status; a new session without one is ``ACTIVE`` (as before there were
  states). ``eventType = Ended`` -> ``ENDED``.
- ``ENDED`` is terminal: nothing that arrives later (a TransactionEvent with a higher ``seqNo`` sent just
  after Ended, a late MeterValues) changes the status, the register window or the energy. Late readings are
  still stored, as readings.

**Register window**: the first and the last reading IN TIME of the energy register
(``Energy.Active.Import.Register``, no phase) that belong to the session's monotonic series; the energy is
``stop - start`` [Wh], computed only by :attr:`RegisterWindow.energy_wh`. Readings arrive out of order,
repeated and glitching; 1.6 ``meterStart`` / ``meterStop`` are readings at the start and stop timestamps.

Glitch rule (:func:`register_window`): the register never goes backwards, so the session's series is the
longest chain of readings that is non-decreasing in both time and value; a reading off that chain is a
glitch (it would make the register go backwards relative to its neighbours) and is ignored for the window,
though it stays stored as a reading. Among equally long chains the one with the least energy wins (a glitch
must never raise a bill), then the one starting earliest. Duplicates (same time, same value) count once.

While the session runs, each message's readings are decided against the window's two readings only (one row
read per message, no history); at the end the window is decided once more over every stored reading of the
session, so a glitch or an out-of-order reading that fooled the running window is outvoted by the series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from csms.domain.metering import ENERGY_REGISTER, Sample, session_energy_wh


class SessionStatus(StrEnum):
    """Stored and served as these strings; "Active" and "Completed" predate the other states."""

    PENDING = "Pending"
    ACTIVE = "Active"
    SUSPENDED = "Suspended"
    ENDED = "Completed"

    @property
    def is_open(self) -> bool:
        return self is not SessionStatus.ENDED


OPEN_STATUSES: tuple[SessionStatus, ...] = tuple(s for s in SessionStatus if s.is_open)
"""The statuses of a session that has not ended (it holds its connector)."""

_BY_CHARGING_STATE = {
    "Charging": SessionStatus.ACTIVE,
    "SuspendedEV": SessionStatus.SUSPENDED,
    "SuspendedEVSE": SessionStatus.SUSPENDED,
    "EVConnected": SessionStatus.PENDING,
    "Idle": SessionStatus.PENDING,
}


@dataclass(frozen=True, slots=True)
class StartRequest:
    """An OCPP 1.6 StartTransaction, translated (``meter_start_wh`` read at ``timestamp``)."""

    station_id: str
    evse_id: int
    id_token: str
    meter_start_wh: float
    timestamp: datetime
    connector_id: int = 1


class RegisterReading(NamedTuple):
    """One energy-register reading: the register's value [Wh] when the station read it."""

    at: datetime
    value_wh: float


def register_readings(samples: Iterable[Sample]) -> list[RegisterReading]:
    """The energy-register readings among ``samples`` (phase readings are not the register).

    >>> at = datetime(2026, 1, 1)
    >>> register_readings([Sample(at, ENERGY_REGISTER, 5.0, "Wh"), Sample(at, "Voltage", 230.0, "V"),
    ...                    Sample(at, ENERGY_REGISTER, 2.0, "Wh", phase="L1")])
    [RegisterReading(at=datetime.datetime(2026, 1, 1, 0, 0), value_wh=5.0)]
    """
    return [RegisterReading(s.timestamp, s.value) for s in samples
            if s.measurand == ENERGY_REGISTER and s.phase is None]


@dataclass(frozen=True, slots=True)
class RegisterWindow:
    """The session's first and last register readings; ``stop`` is ``None`` until a second source reports
    (a 1.6 session right after StartTransaction knows only ``meterStart``)."""

    start: RegisterReading | None = None
    stop: RegisterReading | None = None

    @property
    def energy_wh(self) -> float | None:
        """``stop - start`` [Wh]; ``None`` while either is unknown (never negative)."""
        if self.start is None or self.stop is None:
            return None
        return session_energy_wh(self.start.value_wh, self.stop.value_wh)

    def readings(self) -> tuple[RegisterReading, ...]:
        return tuple(r for r in (self.start, self.stop) if r is not None)


def register_window(readings: Iterable[RegisterReading]) -> RegisterWindow:
    """The window of ``readings``: first and last of their longest monotonic chain (see the module's rule).

    >>> from datetime import timedelta
    >>> t = datetime(2026, 1, 1)
    >>> w = register_window([RegisterReading(t, 1_000_000.0), RegisterReading(t + timedelta(minutes=1), 0.0),
    ...                      RegisterReading(t + timedelta(minutes=2), 1_005_000.0)])
    >>> w.energy_wh
    5000.0

    O(n log n): a Fenwick tree over the values' ranks keeps, for each value, the best chain ending at or
    below it, so the end-of-session pass over thousands of readings stays in milliseconds.
    """
    unique = sorted(set(readings))
    if not unique:
        return RegisterWindow()
    ranks = {v: i + 1 for i, v in enumerate(sorted({r.value_wh for r in unique}))}
    size = len(ranks)
    # Per value rank: the best chain ending at a value <= it, as (length, first value, -first time, first).
    tree: list[tuple[int, float, float, int] | None] = [None] * (size + 1)
    best: tuple[tuple[int, float, float, float], int, int] | None = None
    for j, (at, value) in enumerate(unique):
        rank, found = ranks[value], None
        i = rank
        while i > 0:
            if tree[i] is not None and (found is None or tree[i] > found):  # type: ignore[operator]
                found = tree[i]
            i -= i & -i
        key = (1, value, -at.timestamp(), j) if found is None else (found[0] + 1, *found[1:])
        i = rank
        while i <= size:
            if tree[i] is None or key > tree[i]:  # type: ignore[operator]
                tree[i] = key
            i += i & -i
        # longest, then least energy, then earliest start, then latest stop
        score = (key[0], key[1] - value, key[2], at.timestamp())
        if best is None or score > best[0]:
            best = (score, key[3], j)
    assert best is not None
    return RegisterWindow(unique[best[1]], unique[best[2]])


@dataclass(frozen=True, slots=True)
class ChargingSession:
    """A session's status and register window; every method returns the session as it now is."""

    status: SessionStatus
    window: RegisterWindow = RegisterWindow()

    @classmethod
    def started_v16(cls, meter_start: RegisterReading) -> ChargingSession:
        """A 1.6 StartTransaction: charging, with ``meterStart`` as the window's first reading."""
        return cls(SessionStatus.ACTIVE, RegisterWindow(meter_start, None))

    @classmethod
    def opened_v201(cls, charging_state: str | None) -> ChargingSession:
        """The first TransactionEvent of a 2.0.1 session (normally Started)."""
        return cls(_BY_CHARGING_STATE.get(charging_state or "Charging", SessionStatus.ACTIVE))

    @property
    def ended(self) -> bool:
        return self.status is SessionStatus.ENDED

    @property
    def energy_wh(self) -> float | None:
        return self.window.energy_wh

    def charging_state(self, state: str | None) -> ChargingSession:
        """A 2.0.1 ``chargingState`` reported during the session."""
        target = _BY_CHARGING_STATE.get(state) if state else None
        if self.ended or target is None or target is self.status:
            return self
        if target is SessionStatus.PENDING and self.status is not SessionStatus.PENDING:
            target = SessionStatus.SUSPENDED  # connected, not charging, after it has charged
        return replace(self, status=target)

    def metered(self, readings: Sequence[RegisterReading]) -> ChargingSession:
        """Readings reported while the session runs (decided against the window's own two readings)."""
        if self.ended or not readings:
            return self
        start, last = self.window.start, self.window.stop or self.window.start
        if len(readings) == 1 and start is not None and last is not None:
            reading = readings[0]
            if reading.at >= last.at and reading.value_wh >= last.value_wh and reading != last:
                # The common case, a register that moved on (in the same second, too): start -> last ->
                # reading is the longest chain there is (the window is a chain), so the general rule would
                # pick (start, reading) too, at a fraction of the cost.
                return ChargingSession(self.status, RegisterWindow(start, reading))
        current = self.window.readings()
        if set(readings) <= set(current):
            return self  # a repeat changes nothing
        return replace(self, window=register_window((*current, *readings)))

    def end(self, readings: Sequence[RegisterReading] = (), history: Iterable[RegisterReading] = ()) -> (
        ChargingSession
    ):
        """The session ends with its last ``readings`` (1.6 ``meterStop``, the Ended event's meter values);
        ``history`` is every reading stored for the session, for the window's final decision."""
        if self.ended:
            return self
        window = register_window((*self.window.readings(), *history, *readings))
        if window.start is None:
            window = self.window
        return ChargingSession(SessionStatus.ENDED, window)
