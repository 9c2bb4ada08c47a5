"""Version-neutral records of what the station reports: built when it happens, sent when online.

A :class:`TxEvent` snapshots the meter at the moment of the event, so a message queued while
offline carries its original timestamp and values (OCPP 1.6 §4.7 / 2.0.1 E04: offline transaction
messages are delivered in order, with ``offline=true`` in 2.0.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from charger_simulator.meter import MeterReading
from charger_simulator.state import Transaction

STARTED = "Started"
UPDATED = "Updated"
ENDED = "Ended"


@dataclass
class TxEvent:
    """A transaction-related message to deliver: start, periodic meter values, or end.

    ``reason`` is the 1.6 stop reason vocabulary (Local, Remote, EVDisconnected, DeAuthorized,
    HardReset, SoftReset, PowerLoss, EmergencyStop, Other); ``trigger`` the 2.0.1 trigger reason.
    ``seq_no`` is fixed at creation so queued events keep their order.
    """

    kind: str
    connector_id: int
    tx: Transaction
    timestamp: datetime
    reading: MeterReading
    trigger: str
    reason: str | None = None
    seq_no: int = 0
    offline: bool = False
    charging_state: str = "Charging"
    fault_code: str | None = None


@dataclass
class StatusEvent:
    """A connector status change (not queued while offline: the current status is sent after boot;
    one still unsent when the connection drops is superseded by that post-boot status)."""

    connector_id: int
    status: str
    error_code: str
    timestamp: datetime
