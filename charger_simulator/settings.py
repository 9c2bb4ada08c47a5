"""Configuration keys (1.6) and device-model variables (2.0.1) as one typed store.

Each version's key set is data (``v16_keys.py``, ``device_model.py``); this module applies the
common rules: unknown keys, read-only keys and values of the wrong type are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED = "Accepted"
REJECTED = "Rejected"
NOT_SUPPORTED = "NotSupported"
REBOOT_REQUIRED = "RebootRequired"


@dataclass
class Setting:
    """One key: its text value, whether the CSMS may change it, its type and whether a reboot applies it."""

    key: str
    value: str
    readonly: bool = False
    kind: str = "str"  # "int", "bool", "str" or "csv"
    reboot_required: bool = False


def valid_value(kind: str, value: str) -> bool:
    """Whether ``value`` is a valid text for a setting of ``kind``."""
    if kind == "int":
        try:
            return int(value) >= 0
        except ValueError:
            return False
    if kind == "bool":
        return value.lower() in ("true", "false")
    return True


class SettingsStore:
    """Keys by name; :meth:`change` returns the OCPP status of the change."""

    def __init__(self, settings: list[Setting]) -> None:
        self._settings = {s.key: s for s in settings}

    def __contains__(self, key: str) -> bool:
        return key in self._settings

    def get(self, key: str) -> Setting | None:
        return self._settings.get(key)

    def all(self) -> list[Setting]:
        return list(self._settings.values())

    def value(self, key: str) -> str:
        return self._settings[key].value

    def int_value(self, key: str) -> int:
        return int(self._settings[key].value)

    def bool_value(self, key: str) -> bool:
        return self._settings[key].value.lower() == "true"

    def change(self, key: str, value: str) -> str:
        """Apply a CSMS change: NotSupported for unknown keys, Rejected for read-only or bad values."""
        setting = self._settings.get(key)
        if setting is None:
            return NOT_SUPPORTED
        if setting.readonly or not valid_value(setting.kind, value):
            return REJECTED
        setting.value = value.lower() if setting.kind == "bool" else value
        return REBOOT_REQUIRED if setting.reboot_required else ACCEPTED

    def set(self, key: str, value: str) -> None:
        """Set a value from the station itself (read-only keys too)."""
        self._settings[key].value = value
