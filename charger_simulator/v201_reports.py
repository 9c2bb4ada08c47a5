"""OCPP 2.0.1 device-model requests: GetVariables, SetVariables and GetBaseReport (B06, B05, B07)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from charger_simulator.device_model import WRITE_ONLY, component_names, data_type, key_of, split_key
from charger_simulator.settings import Setting

if TYPE_CHECKING:
    from charger_simulator.station import Station


def live_value(station: Station, setting: Setting) -> str:
    """The value to report: availability is read from the connectors, the rest from the store."""
    comp, var = setting.key.split("/", 1)
    if var == "AvailabilityState":
        model = station.model
        if comp == "ChargingStation":
            return "Available" if model.station_operative else "Unavailable"
        c = model.connectors[int(comp.split("@", 1)[1])]
        status = c.status
        return status if status in ("Available", "Faulted", "Unavailable", "Reserved") else "Occupied"
    return setting.value


def _lookup(station: Station, item: dict) -> tuple[str | None, str, Setting | None]:
    """(error status or None, key, setting) for one GetVariableData/SetVariableData item."""
    key = key_of(item["component"], item["variable"])
    if item.get("attribute_type", "Actual") != "Actual":
        return "NotSupportedAttributeType", key, None
    setting = station.settings.get(key)
    if setting is None:
        known = key.split("/", 1)[0] in component_names(station.settings)
        return ("UnknownVariable" if known else "UnknownComponent"), key, None
    return None, key, setting


def get_variables(station: Station, data: list[dict]) -> list[dict]:
    results = []
    for item in data:
        error, key, setting = _lookup(station, item)
        result = {
            "attribute_type": item.get("attribute_type", "Actual"),
            "component": item["component"],
            "variable": item["variable"],
        }
        if error:
            result["attribute_status"] = error
        elif key in WRITE_ONLY:
            result["attribute_status"] = "Rejected"
        else:
            result["attribute_status"] = "Accepted"
            result["attribute_value"] = live_value(station, setting)  # type: ignore[arg-type]
        results.append(result)
    return results


def set_variables(station: Station, data: list[dict]) -> list[dict]:
    results = []
    for item in data:
        error, key, _setting = _lookup(station, item)
        status = error or station.settings.change(key, str(item["attribute_value"]))
        if status == "NotSupported":
            status = "Rejected"
        results.append(
            {
                "attribute_type": item.get("attribute_type", "Actual"),
                "attribute_status": status,
                "component": item["component"],
                "variable": item["variable"],
            }
        )
    return results


def report_entry(station: Station, setting: Setting) -> dict:
    component, variable = split_key(setting.key)
    write_only = setting.key in WRITE_ONLY
    attribute = {
        "type": "Actual",
        "mutability": "WriteOnly" if write_only else ("ReadOnly" if setting.readonly else "ReadWrite"),
    }
    if not write_only:
        attribute["value"] = live_value(station, setting)
    return {
        "component": component,
        "variable": variable,
        "variable_attribute": [attribute],
        "variable_characteristics": {"data_type": data_type(setting.kind), "supports_monitoring": False},
    }


def base_report(station: Station, report_base: str) -> list[list[dict]]:
    """The report split into NotifyReport pages of ``DeviceDataCtrlr.ItemsPerMessage`` entries."""
    settings = station.settings.all()
    if report_base == "ConfigurationInventory":
        settings = [s for s in settings if not s.readonly]
    elif report_base == "SummaryInventory":
        settings = [s for s in settings if s.key.endswith("/AvailabilityState")]
    entries = [report_entry(station, s) for s in settings]
    per_page = station.settings.int_value("DeviceDataCtrlr/ItemsPerMessage")
    return [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
