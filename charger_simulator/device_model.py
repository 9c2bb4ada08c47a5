"""The OCPP 2.0.1 device model of the simulated station (Part 2, Appendix 3 standardized components).

Keys are ``"Component/Variable"``, or ``"Component@<evseId>/Variable"`` for EVSE-scoped components.
Mutability follows the appendix: for example ``OCPPCommCtrlr.HeartbeatInterval`` is ReadWrite,
``ChargingStation.Model`` ReadOnly, ``SecurityCtrlr.BasicAuthPassword`` WriteOnly.
"""

from __future__ import annotations

from charger_simulator.config import StationConfig
from charger_simulator.settings import Setting, SettingsStore

#: Variables the CSMS may set but never read back (GetVariables answers Rejected).
WRITE_ONLY = frozenset({"SecurityCtrlr/BasicAuthPassword"})

_DATA_TYPES = {"int": "integer", "bool": "boolean", "str": "string", "csv": "MemberList"}


def key_of(component: dict, variable: dict) -> str:
    """Store key of a (component, variable) pair from a 2.0.1 request (snake_case keys)."""
    name = component["name"]
    evse = component.get("evse")
    if evse:
        name = f"{name}@{evse['id']}"
    return f"{name}/{variable['name']}"


def split_key(key: str) -> tuple[dict, dict]:
    """The (component, variable) objects of a store key, for reports."""
    comp, var = key.split("/", 1)
    if "@" in comp:
        name, evse = comp.split("@", 1)
        return {"name": name, "evse": {"id": int(evse)}}, {"name": var}
    return {"name": comp}, {"name": var}


def component_names(store: SettingsStore) -> set[str]:
    """Known component names (with EVSE scope), to tell UnknownComponent from UnknownVariable."""
    return {s.key.split("/", 1)[0] for s in store.all()}


def data_type(kind: str) -> str:
    return _DATA_TYPES[kind]


def default_device_model(config: StationConfig) -> SettingsStore:
    """A realistic device model for ``config``."""
    measurands = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage" + (
        ",SoC" if config.dc else ""
    )
    settings = [
        Setting("ChargingStation/Model", config.model, readonly=True),
        Setting("ChargingStation/VendorName", config.vendor, readonly=True),
        Setting("ChargingStation/SerialNumber", config.serial_number, readonly=True),
        Setting("ChargingStation/AvailabilityState", "Available", readonly=True),
        Setting(
            "ChargingStation/SupplyPhases",
            "0" if config.dc else str(config.phases),
            readonly=True,
            kind="int",
        ),
        Setting("OCPPCommCtrlr/HeartbeatInterval", str(int(config.heartbeat_s)), kind="int"),
        Setting(
            "OCPPCommCtrlr/MessageTimeout", str(int(config.response_timeout_s)), readonly=True, kind="int"
        ),
        Setting("OCPPCommCtrlr/OfflineThreshold", "60", kind="int"),
        Setting("OCPPCommCtrlr/ResetRetries", "1", kind="int"),
        Setting("OCPPCommCtrlr/WebSocketPingInterval", "20", kind="int", reboot_required=True),
        Setting("SampledDataCtrlr/Enabled", "true", readonly=True, kind="bool"),
        Setting("SampledDataCtrlr/TxUpdatedInterval", str(int(config.sample_interval_s)), kind="int"),
        Setting("SampledDataCtrlr/TxUpdatedMeasurands", measurands, kind="csv"),
        Setting("SampledDataCtrlr/TxStartedMeasurands", "Energy.Active.Import.Register", kind="csv"),
        Setting("SampledDataCtrlr/TxEndedMeasurands", "Energy.Active.Import.Register", kind="csv"),
        Setting("AuthCtrlr/Enabled", "true", kind="bool"),
        Setting("AuthCtrlr/AuthorizeRemoteStart", "false", kind="bool"),
        Setting("AuthCtrlr/LocalAuthorizeOffline", "true", kind="bool"),
        Setting("AuthCtrlr/LocalPreAuthorize", "false", kind="bool"),
        Setting("AuthCtrlr/OfflineTxForUnknownIdEnabled", "true", kind="bool"),
        Setting("AuthCacheCtrlr/Enabled", "true", kind="bool"),
        Setting("TxCtrlr/EVConnectionTimeOut", "60", kind="int"),
        Setting("TxCtrlr/StopTxOnEVSideDisconnect", "true", kind="bool"),
        Setting("TxCtrlr/StopTxOnInvalidId", "true", kind="bool"),
        Setting("TxCtrlr/TxStartPoint", "Authorized,EVConnected", kind="csv"),
        Setting("TxCtrlr/TxStopPoint", "Authorized,EVConnected", kind="csv"),
        Setting("SmartChargingCtrlr/Enabled", "true", readonly=True, kind="bool"),
        Setting("SmartChargingCtrlr/RateUnit", "A,W", readonly=True, kind="csv"),
        Setting("SmartChargingCtrlr/PeriodsPerSchedule", "24", readonly=True, kind="int"),
        Setting("SmartChargingCtrlr/ProfileStackLevel", "8", readonly=True, kind="int"),
        Setting("DeviceDataCtrlr/ItemsPerMessage", "20", readonly=True, kind="int"),
        Setting("DeviceDataCtrlr/BytesPerMessage", "65000", readonly=True, kind="int"),
        Setting("SecurityCtrlr/SecurityProfile", "1" if config.password else "0", readonly=True, kind="int"),
        Setting("SecurityCtrlr/Identity", config.station_id, readonly=True),
        Setting("SecurityCtrlr/BasicAuthPassword", config.password or "", reboot_required=True),
        Setting("ClockCtrlr/TimeSource", "Heartbeat", kind="csv"),
    ]
    for evse in range(1, config.connectors + 1):
        settings += [
            Setting(f"EVSE@{evse}/AvailabilityState", "Available", readonly=True),
            Setting(f"EVSE@{evse}/Power", str(int(config.max_power_w)), readonly=True, kind="int"),
            Setting(
                f"EVSE@{evse}/SupplyPhases",
                "0" if config.dc else str(config.phases),
                readonly=True,
                kind="int",
            ),
        ]
    return SettingsStore(settings)
