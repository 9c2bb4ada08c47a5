"""What a CSMS may ask a station to send with TriggerMessage (2.0.1 F06, 1.6 Remote Trigger), pure.

- The requested message must exist for the station's version: 2.0.1 ``MessageTriggerEnumType``; 1.6
  TriggerMessage's ``MessageTrigger``; the 1.6 security extension's ExtendedTriggerMessage its own list.
- Station-wide messages (BootNotification, Heartbeat, the firmware, log and certificate messages) take no
  EVSE or connector: F06 addresses only MeterValues, StatusNotification and TransactionEvent to an EVSE.
- 2.0.1 BootNotification only while the station's boot is not Accepted (B02/B03: a Pending station is
  asked to boot again; F06.FR.17: an Accepted station answers Rejected).
- A 2.0.1 StatusNotification trigger for one connector names its EVSE (the schema's ``evse.id``).

>>> check_trigger("2.0.1", "Heartbeat", evse_id=None, boot_accepted=True)
>>> check_trigger("1.6", "SignChargePointCertificate", evse_id=None, boot_accepted=True)
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
csms.errors.InvalidInput: OCPP 1.6 TriggerMessage cannot request SignChargePointCertificate (...); use ...
"""

from __future__ import annotations

from csms.errors import Conflict, InvalidInput

TRIGGERABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("2.0.1", "TriggerMessage"): (
        "BootNotification", "LogStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues",
        "SignChargingStationCertificate", "SignV2GCertificate", "StatusNotification", "TransactionEvent",
        "SignCombinedCertificate", "PublishFirmwareStatusNotification",
    ),
    ("1.6", "TriggerMessage"): (
        "BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat",
        "MeterValues", "StatusNotification",
    ),
    ("1.6", "ExtendedTriggerMessage"): (
        "BootNotification", "LogStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues",
        "SignChargePointCertificate", "StatusNotification",
    ),
}  # fmt: skip

PER_EVSE = frozenset({"MeterValues", "StatusNotification", "TransactionEvent"})
"""Messages a trigger may address to one EVSE (connector); the others are the station's."""


def _family(version: str) -> str:
    return "1.6" if version == "1.6" else "2.0.1"  # 2.1 stations get the 2.0.1 rules


def check_trigger(
    version: str,
    requested: str,
    *,
    evse_id: int | None,
    boot_accepted: bool,
    action: str = "TriggerMessage",
) -> None:
    """Raise :class:`InvalidInput` (naming the field) or :class:`Conflict` when the CSMS must not send this
    trigger; return ``None`` when it may."""
    family = _family(version)
    allowed = TRIGGERABLE.get((family, action))
    if allowed is None:
        raise InvalidInput(f"OCPP {version} has no {action}", field="action")
    if requested not in allowed:
        extended = (family, requested) == ("1.6", "SignChargePointCertificate")
        hint = "; use ExtendedTriggerMessage" if extended else ""
        raise InvalidInput(
            f"OCPP {version} {action} cannot request {requested} "
            f"(it can: {', '.join(sorted(allowed))}){hint}",
            field="requestedMessage",
        )
    if evse_id and requested not in PER_EVSE:
        raise InvalidInput(
            f"{requested} is the whole station's message: a trigger for it names no EVSE or connector",
            field="evse" if family == "2.0.1" else "connectorId",
        )
    if family == "2.0.1" and requested == "BootNotification" and boot_accepted:
        raise Conflict(
            "the station's boot is already Accepted: it would answer a BootNotification trigger Rejected "
            "(F06.FR.17); trigger it while the station is Pending"
        )
