"""Station configuration: what a simulated charger is (hardware) and how it connects."""

from __future__ import annotations

from dataclasses import dataclass

PROTOCOLS = ("ocpp1.6", "ocpp2.0.1")


@dataclass
class StationConfig:
    """One simulated charging station.

    Parameters
    ----------
    station_id : str
        Charge point identity (last path segment of the OCPP URL, Basic-auth user name).
    url : str
        CSMS base URL, e.g. ``ws://127.0.0.1:9000/ocpp``; the station id is appended.
    protocol : str
        ``"ocpp1.6"`` or ``"ocpp2.0.1"``.
    connectors : int
        Connectors (1.6) or EVSEs with one connector each (2.0.1).
    dc : bool
        DC fast charger (reports SoC) or AC.
    max_power_w : float
        Hardware limit per connector [W].
    phases : int
        AC phases (ignored for DC).
    password : str or None
        Security profile 1 Basic-auth password.
    ca_file : str or None
        ``wss://``: PEM certificate(s) the station trusts for the CSMS (profile 2); default: the system's.
    cert_file, key_file : str or None
        ``wss://``: the station's client certificate and key (profile 3: no password needed).
    boot_retry_s : float
        Boot retry interval [s] when the CSMS gives none (interval 0) on Pending/Rejected.
    heartbeat_s : float
        Heartbeat interval [s] until the CSMS sets one.
    sample_interval_s : float
        MeterValueSampleInterval [s].
    ev_battery_wh, ev_start_soc_pct, ev_max_power_w
        The simulated EV plugged in: capacity [Wh], initial SoC [%], max acceptance [W].
    validate_schemas : bool
        Validate payloads against the OCPP JSON schemas (off in fleet mode to save CPU).
    backoff_base_s, backoff_max_s : float
        Reconnect back-off: first delay and cap [s] (exponential with full jitter).
    """

    station_id: str
    url: str = "ws://127.0.0.1:9000/ocpp"
    protocol: str = "ocpp1.6"
    connectors: int = 1
    dc: bool = False
    max_power_w: float = 22_000.0
    phases: int = 3
    vendor: str = "XiangjiangSim"
    model: str = "SIM-AC22"
    serial_number: str = "SIM-0001"
    firmware_version: str = "1.0.0"
    password: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    boot_retry_s: float = 10.0
    heartbeat_s: float = 300.0
    sample_interval_s: float = 60.0
    ev_battery_wh: float = 60_000.0
    ev_start_soc_pct: float = 30.0
    ev_max_power_w: float = 150_000.0
    validate_schemas: bool = True
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    response_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol: {self.protocol!r} is not one of {', '.join(PROTOCOLS)}")
        if self.connectors < 1:
            raise ValueError(f"connectors: must be at least 1, got {self.connectors}")
        if self.max_power_w <= 0:
            raise ValueError(f"max_power_w: must be positive, got {self.max_power_w}")
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("cert_file and key_file: set both (a client certificate and its key) or neither")

    @property
    def endpoint(self) -> str:
        """Full websocket URL of this station (base URL + '/' + station id)."""
        return self.url.rstrip("/") + "/" + self.station_id
