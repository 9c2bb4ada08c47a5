"""Settings of the central system, read from the environment (prefix ``CSMS_``) by a factory.

Nothing is created at import time: ``Settings()`` or :func:`get_settings` builds a validated object, and
tests build their own with keyword arguments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
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

    ocpp_open_timeout_s: float = Field(default=60.0, gt=0)
    """Time a station has to complete the websocket handshake; generous, because after a grid outage thousands
    of stations reconnect at once and queue for their credential check."""

    ocpp_backlog: int = Field(default=4096, ge=16)
    """Listen backlog of the OCPP socket: room for a reconnect storm."""

    ocpp_tls_cert_file: str | None = None
    """PEM certificate (chain) for ``wss://`` (OCPP security profile 2: TLS with Basic auth)."""

    ocpp_tls_key_file: str | None = None
    """PEM private key of ``ocpp_tls_cert_file``."""

    ocpp_tls_client_ca_file: str | None = None
    """PEM certificate(s) of the CA that signs stations' certificates. With TLS on, a station may then
    authenticate with a client certificate whose common name is its id (OCPP security profile 3) instead of
    Basic auth."""

    ocpp_tls_require_client_cert: bool = False
    """With ``ocpp_tls_client_ca_file``: refuse every station without a valid client certificate (profile 3
    only), rather than letting those without one fall back to Basic auth (profile 2)."""

    ocpp_tls_second_cert_file: str | None = None
    """A second PEM certificate (chain) for ``wss://`` with a key of the other type: an RSA certificate beside
    an ECDSA one (or the reverse). The TLS layer picks the one that fits the suite the station offers, so a
    station limited to ``AES128-GCM-SHA256`` (RSA) and one limited to the ECDHE-ECDSA suites both connect."""

    ocpp_tls_second_key_file: str | None = None
    """PEM private key of ``ocpp_tls_second_cert_file``."""

    ocpp_tls_port: int | None = None
    """With a TLS certificate: serve ``wss://`` on this port and keep plain ``ws://`` on ``ocpp_port``, so
    that stations of security profile 1 and of profiles 2/3 share one CSMS, and a station can be moved up a
    profile (A05, 1.6 TC_083). Without it the OCPP port speaks ``wss://`` only. 0 picks a free port."""

    ocsp_responder_url: str | None = None
    """OCSP responder asked about ISO 15118 certificates (M06, C07) when a request names none."""

    ocsp_station_responders: bool = True
    """Ask the responder a station names in its request (``responderURL``, as M06 has it). ``False``: always
    the configured one, so that stations cannot make the CSMS send requests to addresses of their choosing."""

    ocsp_trust_file: str | None = None
    """PEM certificates (V2G and mobility-operator roots and sub-CAs) whose OCSP answers are believed: one
    not signed by them, or by a responder they delegated, counts as no answer. Without it answers are used
    and relayed unverified."""

    ocsp_timeout_s: float = Field(default=5.0, gt=0)
    """How long an OCSP query may take before the station's request is answered Failed."""

    contract_certificate_provider_url: str | None = None
    """HTTP endpoint of the contract-certificate provider (a mobility operator's or Hubject-like PKI) to which
    Get15118EVCertificate requests are forwarded (M01/M02): POST JSON ``{stationId, iso15118SchemaVersion,
    action, exiRequest}``, answered ``{status, exiResponse}``. Without it the request is answered Failed."""

    contract_certificate_timeout_s: float = Field(default=10.0, gt=0)
    """How long the contract-certificate provider may take to answer."""

    station_ca_cert_file: str | None = None
    """PEM certificate of the CA with which the CSMS signs stations' certificate requests
    (``SignCertificate``, OCPP 2.0.1 A02/A03 and the 1.6 security extension); usually the same CA as
    ``ocpp_tls_client_ca_file``.
    Without it, certificate requests are answered ``Rejected``."""

    station_ca_key_file: str | None = None
    """PEM private key of ``station_ca_cert_file``."""

    station_cert_validity_days: int = Field(default=365, ge=1, le=3650)
    """Validity of the station certificates the CSMS signs."""

    ocpp_ping_interval_s: float | None = 60.0
    """Websocket keepalive ping interval; ``None`` disables pings."""

    heartbeat_interval_s: int = Field(default=300, ge=1)
    """Interval returned to stations in BootNotification.conf."""

    pending_retry_interval_s: int = Field(default=60, ge=1)
    """Interval returned to stations whose boot is Pending (waiting for operator approval)."""

    cost_update_interval_s: float = Field(default=900.0, ge=0)
    """OCPP 2.0.1 I02: a CostUpdated with the running cost goes to the station this often during a session
    [s]; 0 sends none (the final cost still goes in the Ended answer)."""
    cost_update_check_s: float = Field(default=5.0, gt=0)
    """How often the CSMS looks for sessions whose CostUpdated is due [s]."""

    unknown_station_policy: UnknownStationPolicy = "reject"
    """``reject``: an unregistered station gets HTTP 401 at the handshake. ``pending``: it is admitted,
    stored as Pending and its boots answered Pending until an operator approves it."""

    # -- hostile stations (issue 14) -------------------------------------------------------------------------
    station_messages_max_count: int = Field(default=1000, ge=1)
    """Free-form messages kept per station and action (DataTransfer, NotifyEvent, log and firmware status,
    security events...); past it the station's oldest of that action are pruned."""

    station_messages_max_bytes: int = Field(default=8 * 1024 * 1024, ge=64 * 1024)
    """Bytes (payload JSON) kept per station and action; past it the oldest of that action are pruned."""

    handshake_failures_allowed: int = Field(default=5, ge=1)
    """Failed handshakes a station id, or a source address, may have before it is backed off (HTTP 429)."""

    handshake_backoff_base_s: float = Field(default=2.0, gt=0)
    """First back-off past the budget [s]; it doubles with each further failure."""

    handshake_backoff_max_s: float = Field(default=900.0, gt=0)
    """Longest back-off [s]."""

    handshake_failure_memory_s: float = Field(default=3600.0, gt=0)
    """A station id or address that has not failed for this long [s] starts with a full budget again."""

    handshake_hash_concurrency: int = Field(default=4, ge=1)
    """Password hashes (argon2) verified at once, in threads; others wait, stations with no recent failures
    first."""

    redis_url: str | None = None
    """When set, station presence and command routing go through Redis (several CSMS nodes)."""

    node_id: str = "node-1"

    energy_lease_ttl_s: float = Field(default=6.0, gt=0)
    """With Redis (several nodes): a site's energy cycle runs on the node holding its lease, which lapses
    this long [s] after its holder stops renewing it (renewed every third of it); another node then takes
    the site over."""
    console_secret: str | None = None
    """Signs the web console's session cookies (``/console/``). Unset: a random secret per process, so
    sign-ins end when the process does; set it (the same on every node) behind a load balancer."""

    log_level: str = "INFO"

    group_commit_delay_s: float = Field(default=0.005, ge=0)
    """Group commit (status, heartbeats, meter values): how long to gather writes into one transaction."""

    # -- OpenADR 2.0b VEN: the load-management centre's VTN (csms/openadr) ---------------------------------
    openadr_vtn_url: str | None = None
    """The VTN's OpenADR 2.0b endpoint (``.../OpenADR2/Simple/2.0b``); unset: no VEN runs."""
    openadr_ven_name: str = "xiangjiang-csms"
    openadr_resources: list[str] = []
    """Site ids this VEN declares to the VTN (events targeting no resource apply to all of them)."""
    openadr_report_sampling_s: float = Field(default=60.0, gt=0)
    """Sampling rate offered for each site's metered-import report [s]."""
    openadr_cert_file: str | None = None
    """Certificate and key to sign messages with (OpenADR security); unset: unsigned (tests, pilots)."""
    openadr_key_file: str | None = None
    openadr_vtn_fingerprint: str | None = None
    openadr_ca_file: str | None = None

    # -- 光储充 site energy management (issue 6) -----------------------------------------------------------
    energy_manager_enabled: bool = True
    """Run the site energy manager (allocation cycles and charging profiles) in the lifespan."""

    energy_period_s: float = Field(default=5.0, gt=0)
    """Allocation cycle of every site; events (telemetry, DR start/end) run a site's cycle at once."""

    energy_hysteresis_w: float = Field(default=500.0, ge=0)
    energy_hysteresis_pct: float = Field(default=5.0, ge=0)
    """A session's new limit is sent only when it differs by at least max(W, % of the larger)."""

    energy_control_period_s: float = Field(default=900.0, gt=0)
    """Horizon over which the battery's energy above its SoC floor is spread [s]."""

    energy_profile_validity_s: int = Field(default=900, ge=10)
    """A TxProfile falls back to the site's safe default after this many seconds unless refreshed."""

    energy_call_timeout_s: float = Field(default=4.0, gt=0)
    """How long a SetChargingProfile may wait for its answer (keeps a cycle inside the 5 s service level)."""

    energy_telemetry_max_age_s: float = Field(default=300.0, gt=0)
    """Older telemetry is not trusted for PV and battery."""

    energy_telemetry_max_future_s: float = Field(default=60.0, ge=0)
    """Clock-skew allowance: a telemetry sample dated further ahead of the CSMS's clock is refused (422), and
    a stored one is not read as the latest (it would plan every later cycle on a reading from the future)."""

    # -- closed-loop control (issue 17) --
    energy_margin_pct: float = Field(default=3.0, ge=0, lt=50)
    energy_margin_w: float = Field(default=1_000.0, ge=0)
    """Safety margin: the site plans its import to ``limit x (1 - pct/100) - W``, never to the limit itself
    (metering error, the seconds a station takes to follow, load steps between samples)."""

    energy_feedback_window_s: float = Field(default=10.0, gt=0)
    """Integral of the metered import's error above the planned target: a constant error held this long is
    corrected in full [s] (stations drawing more than planned: a higher voltage, a meter offset)."""

    energy_pv_window_s: float = Field(default=30.0, ge=0)
    """PV is planned at its minimum and the base load at its maximum over this recent window [s], less its
    steepest one-sample drop in it: a cloud edge can take a tenth of the PV from one second to the next."""

    energy_pv_reserve_pct: float = Field(default=10.0, ge=0, le=100)
    """PV is planned at least this share below its latest output [%] (the first cloud after a clear spell)."""
    energy_battery_command_validity_s: float = Field(default=30.0, gt=0)
    """A site holds the battery set-point the manager commanded this long, then runs it locally [s]."""

    grid_emission_factor_key: str | None = None
    """Shipped grid emission factor (csms/domain/data/grid_emission_factors.json); default: latest
    national."""

    grid_emission_factor_kg_co2_per_kwh: float | None = Field(default=None, ge=0)
    """Override the factor's value [kg CO2/kWh] (e.g. a newer publication)."""

    carbon_credit_per_kg_co2: float = Field(default=1.0, ge=0)
    """碳普惠 credits per kg CO2 avoided."""

    @model_validator(mode="after")
    def _pairs_complete(self) -> Settings:
        """A certificate without its key (or the reverse) is a configuration mistake: say so at startup."""
        for cert, key in (("ocpp_tls_cert_file", "ocpp_tls_key_file"),
                          ("station_ca_cert_file", "station_ca_key_file"),
                          ("ocpp_tls_second_cert_file", "ocpp_tls_second_key_file")):
            if bool(getattr(self, cert)) != bool(getattr(self, key)):
                raise ValueError(f"{cert} and {key} go together: set both or neither")
        if (self.ocpp_tls_second_cert_file or self.ocpp_tls_port is not None) and not self.ocpp_tls_cert_file:
            raise ValueError("ocpp_tls_second_cert_file and ocpp_tls_port need TLS: set ocpp_tls_cert_file")
        if self.ocpp_tls_client_ca_file and not self.ocpp_tls_cert_file:
            raise ValueError("ocpp_tls_client_ca_file needs TLS: set ocpp_tls_cert_file and its key")
        return self


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
