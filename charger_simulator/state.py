"""Sans-I/O station model: connectors, transactions, energy registers and power limits.

Nothing here does I/O or reads a clock: callers pass ``now``. The power a connector delivers is
``min(active profile limit, hardware limit, EV acceptance)`` and is recomputed on every
:meth:`StationModel.advance`, so energy integrates the limit that was in force in each interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from charger_simulator.config import StationConfig
from charger_simulator.meter import MeterReading, ev_acceptance_w, reading
from charger_simulator.profiles import LimitContext, ProfileStore

# Connector statuses use the OCPP 1.6 vocabulary; the 2.0.1 adapter maps them onto its five values.
AVAILABLE = "Available"
PREPARING = "Preparing"
CHARGING = "Charging"
SUSPENDED_EV = "SuspendedEV"
SUSPENDED_EVSE = "SuspendedEVSE"
FINISHING = "Finishing"
FAULTED = "Faulted"
UNAVAILABLE = "Unavailable"
RESERVED = "Reserved"


@dataclass
class Reservation:
    """A connector held for ``id_tag`` until ``expires_at`` (OCPP 1.6 §5.13, 2.0.1 H01)."""

    reservation_id: int
    id_tag: str
    expires_at: datetime


@dataclass
class Transaction:
    """A charging transaction on one connector.

    ``transaction_id`` is the CSMS-assigned integer (1.6, as text, None until confirmed) or the
    station-generated UUID (2.0.1). ``seq_no`` is the next 2.0.1 TransactionEvent sequence number.
    """

    local_id: str
    id_tag: str
    meter_start_wh: float
    started_at: datetime
    transaction_id: str | None = None
    remote_start_id: int | None = None
    seq_no: int = 0
    last_sample_at: datetime | None = None
    reported_state: str | None = None

    def next_seq_no(self) -> int:
        """Return the sequence number for the next message and advance it."""
        n = self.seq_no
        self.seq_no += 1
        return n


@dataclass
class Connector:
    """One connector (1.6) or single-connector EVSE (2.0.1) and the EV plugged into it."""

    connector_id: int
    energy_wh: float = 0.0
    power_w: float = 0.0
    limit_w: float = 0.0
    plugged: bool = False
    authorized_tag: str | None = None
    transaction: Transaction | None = None
    fault_code: str | None = None
    operative: bool = True
    pending_inoperative: bool = False
    finished: bool = False
    ev_soc_pct: float | None = None
    ev_battery_wh: float = 60_000.0
    ev_max_power_w: float = 150_000.0
    reservation: Reservation | None = None

    @property
    def meter_wh(self) -> float:
        """The energy register [Wh] (alias of ``energy_wh``, the value meter values report)."""
        return self.energy_wh

    @property
    def status(self) -> str:
        """The OCPP 1.6 ChargePointStatus this connector shows now."""
        if self.fault_code:
            return FAULTED
        if self.transaction is not None:
            if self.power_w > 0:
                return CHARGING
            if self.limit_w <= 0:
                return SUSPENDED_EVSE
            return SUSPENDED_EV
        if not self.operative:
            return UNAVAILABLE
        if self.plugged:
            return FINISHING if self.finished else PREPARING
        if self.reservation is not None:
            return RESERVED
        return AVAILABLE


@dataclass
class StationModel:
    """All connectors of a station plus its installed charging profiles."""

    config: StationConfig
    connectors: dict[int, Connector] = field(default_factory=dict)
    profiles: ProfileStore = field(default_factory=ProfileStore)
    last_update: datetime | None = None
    station_operative: bool = True

    def __post_init__(self) -> None:
        if not self.connectors:
            for cid in range(1, self.config.connectors + 1):
                self.connectors[cid] = Connector(
                    cid, ev_battery_wh=self.config.ev_battery_wh, ev_max_power_w=self.config.ev_max_power_w
                )

    @property
    def phases(self) -> int:
        return 1 if self.config.dc else self.config.phases

    def limit_context(self, c: Connector) -> LimitContext:
        """Context for the profile rules: ampere limits use the voltage the meter reports."""
        volts = reading(0, 0, self.config.dc, self.phases, c.ev_soc_pct).voltage_v
        tx = c.transaction
        return LimitContext(
            connector_id=c.connector_id,
            transaction_id=tx.transaction_id if tx else None,
            transaction_start=tx.started_at if tx else None,
            voltage_v=volts,
            phases=self.phases,
        )

    def connector(self, connector_id: int) -> Connector:
        """The connector with this id; KeyError names it when it does not exist."""
        try:
            return self.connectors[connector_id]
        except KeyError:
            raise KeyError(f"connector {connector_id} does not exist") from None

    def advance(self, now: datetime) -> None:
        """Integrate energy up to ``now``, splitting at every profile breakpoint, then re-plan power.

        Splitting makes the delivered energy follow a schedule whose limit changes between two
        updates exactly, not just at the next tick.
        """
        last = self.last_update
        if last is not None and now > last:
            for c in self.connectors.values():
                if c.transaction is None:
                    continue
                t = last
                tx_start = c.transaction.started_at
                for point in [p for p in self.profiles.breakpoints(last, now, tx_start) if p > last] + [now]:
                    self._plan(c, t)
                    self._integrate(c, (point - t).total_seconds())
                    t = point
        self.last_update = now
        self.replan(now)

    def _integrate(self, c: Connector, dt_s: float) -> None:
        if c.power_w <= 0 or dt_s <= 0:
            return
        delivered_wh = c.power_w * dt_s / 3600.0
        c.energy_wh += delivered_wh
        if c.ev_soc_pct is not None:
            c.ev_soc_pct = min(100.0, c.ev_soc_pct + 100.0 * delivered_wh / c.ev_battery_wh)

    def _plan(self, c: Connector, now: datetime) -> None:
        c.limit_w = self.profiles.limit_w(now, self.limit_context(c), self.config.max_power_w)
        charging = c.transaction is not None and c.plugged and not c.fault_code
        c.power_w = min(c.limit_w, ev_acceptance_w(c.ev_max_power_w, c.ev_soc_pct)) if charging else 0.0

    def replan(self, now: datetime) -> None:
        """Recompute each connector's limit and delivered power at ``now`` without integrating."""
        for c in self.connectors.values():
            self._plan(c, now)

    def reading(self, c: Connector) -> MeterReading:
        """A consistent meter sample of connector ``c``."""
        return reading(c.energy_wh, c.power_w, self.config.dc, self.phases, c.ev_soc_pct)

    def plug_in(self, connector_id: int, soc_pct: float | None = None) -> Connector:
        """An EV is plugged into the connector; DC chargers learn its SoC."""
        c = self.connector(connector_id)
        c.plugged = True
        c.finished = False
        if self.config.dc:
            c.ev_soc_pct = self.config.ev_start_soc_pct if soc_pct is None else soc_pct
        return c

    def unplug(self, connector_id: int) -> Connector:
        c = self.connector(connector_id)
        c.plugged = False
        c.finished = False
        c.authorized_tag = None
        c.ev_soc_pct = None
        return c

    def can_start(self, c: Connector, id_tag: str | None = None) -> bool:
        """A transaction may start here: operative, not faulted, idle, and not reserved for another token."""
        if c.reservation is not None and id_tag is not None and c.reservation.id_tag != id_tag:
            return False
        return c.operative and self.station_operative and not c.fault_code and c.transaction is None

    def start_transaction(self, c: Connector, id_tag: str, local_id: str, now: datetime) -> Transaction:
        c.reservation = None  # the reservation is used up by its transaction
        c.transaction = Transaction(
            local_id=local_id, id_tag=id_tag, meter_start_wh=c.energy_wh, started_at=now
        )
        c.finished = False
        c.transaction.last_sample_at = now
        return c.transaction

    def end_transaction(self, c: Connector, now: datetime) -> Transaction:
        """Close the connector's transaction: power stops, TxProfiles are dropped."""
        tx = c.transaction
        if tx is None:
            raise ValueError(f"connector {c.connector_id} has no transaction")
        c.transaction = None
        c.finished = c.plugged
        c.authorized_tag = None
        if tx.transaction_id is not None:
            self.profiles.drop_transaction(tx.transaction_id)
        if c.pending_inoperative:
            c.operative, c.pending_inoperative = False, False
        self.replan(now)
        return tx

    def find_transaction(self, transaction_id: str) -> Connector | None:
        """The connector running transaction ``transaction_id`` (CSMS id or local id)."""
        for c in self.connectors.values():
            tx = c.transaction
            if tx is not None and transaction_id in (tx.transaction_id, tx.local_id):
                return c
        return None

    def statuses(self) -> dict[int, str]:
        """Status per connector id."""
        return {cid: c.status for cid, c in self.connectors.items()}
