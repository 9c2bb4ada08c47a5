"""The OCPP 1.6 configuration key set of the simulated charge point (OCPP 1.6 §9), as data.

Read-only keys are those the spec marks R (for example NumberOfConnectors and
SupportedFeatureProfiles); a ChangeConfiguration.req on them is Rejected.
"""

from __future__ import annotations

from charger_simulator.config import StationConfig
from charger_simulator.settings import Setting, SettingsStore


def default_keys(config: StationConfig) -> SettingsStore:
    """A realistic key set for ``config`` (values as text, as GetConfiguration reports them)."""
    sampled = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage" + (
        ",SoC" if config.dc else ""
    )
    rotation = ",".join(f"{i}.RST" for i in range(config.connectors + 1))
    return SettingsStore(
        [
            Setting("AllowOfflineTxForUnknownId", "true", kind="bool"),
            Setting("AuthorizationCacheEnabled", "true", kind="bool"),
            Setting("AuthorizeRemoteTxRequests", "false", kind="bool"),
            Setting("ClockAlignedDataInterval", "0", kind="int"),
            Setting("ConnectionTimeOut", "60", kind="int"),
            Setting("ConnectorPhaseRotation", rotation, kind="csv"),
            Setting("GetConfigurationMaxKeys", "50", readonly=True, kind="int"),
            Setting("HeartbeatInterval", str(int(config.heartbeat_s)), kind="int"),
            Setting("LocalAuthorizeOffline", "true", kind="bool"),
            Setting("LocalPreAuthorize", "false", kind="bool"),
            Setting("MeterValuesAlignedData", "Energy.Active.Import.Register", kind="csv"),
            Setting("MeterValuesSampledData", sampled, kind="csv"),
            Setting("MeterValueSampleInterval", str(int(config.sample_interval_s)), kind="int"),
            Setting("NumberOfConnectors", str(config.connectors), readonly=True, kind="int"),
            Setting("ResetRetries", "1", kind="int"),
            Setting("StopTransactionOnEVSideDisconnect", "true", kind="bool"),
            Setting("StopTransactionOnInvalidId", "true", kind="bool"),
            Setting("StopTxnAlignedData", "", kind="csv"),
            Setting("StopTxnSampledData", "Energy.Active.Import.Register", kind="csv"),
            Setting(
                "SupportedFeatureProfiles",
                "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
                readonly=True,
                kind="csv",
            ),
            Setting("TransactionMessageAttempts", "3", kind="int"),
            Setting("TransactionMessageRetryInterval", "60", kind="int"),
            Setting("UnlockConnectorOnEVSideDisconnect", "true", kind="bool"),
            Setting("WebSocketPingInterval", "20", kind="int", reboot_required=True),
            Setting("LocalAuthListEnabled", "true", kind="bool"),
            Setting("LocalAuthListMaxLength", "1000", readonly=True, kind="int"),
            Setting("SendLocalListMaxLength", "100", readonly=True, kind="int"),
            Setting("ReserveConnectorZeroSupported", "false", readonly=True, kind="bool"),
            Setting("ChargeProfileMaxStackLevel", "8", readonly=True, kind="int"),
            Setting("ChargingScheduleAllowedChargingRateUnit", "Current,Power", readonly=True, kind="csv"),
            Setting("ChargingScheduleMaxPeriods", "24", readonly=True, kind="int"),
            Setting("MaxChargingProfilesInstalled", "16", readonly=True, kind="int"),
            Setting("AuthorizationKey", "", kind="str"),
            Setting("SecurityProfile", "1" if config.password else "0", kind="int"),
        ]
    )
