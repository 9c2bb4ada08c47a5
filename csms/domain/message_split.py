"""Split a list-carrying CSMS request into as many calls as a station's limits allow (B08, N18), pure.

A 2.0.1 station declares how many items (``ItemsPerMessage``) and how many bytes (``BytesPerMessage``) one
GetVariables, SetVariables, GetReport, ClearVariableMonitoring or SetVariableMonitoring request may carry
(DeviceDataCtrlr and MonitoringCtrlr variables, one instance per action). :func:`split` cuts the request's
list into consecutive chunks, each within both limits once wrapped in the rest of the request;
:func:`limits_from_report` reads the limits from the station's NotifyReport data.

>>> split([1, 2, 3, 4, 5], max_items=2)
[[1, 2], [3, 4], [5]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from csms.errors import InvalidInput

T = TypeVar("T")

#: action -> (component, the request's list field): which list each splittable action carries.
SPLITTABLE: Mapping[str, tuple[str, str]] = {
    "GetVariables": ("DeviceDataCtrlr", "getVariableData"),
    "SetVariables": ("DeviceDataCtrlr", "setVariableData"),
    "GetReport": ("DeviceDataCtrlr", "componentVariable"),
    "ClearVariableMonitoring": ("MonitoringCtrlr", "id"),
    "SetVariableMonitoring": ("MonitoringCtrlr", "setMonitoringData"),
}


@dataclass(frozen=True)
class Limits:
    """``None``: the station declared no limit."""

    max_items: int | None = None
    max_bytes: int | None = None


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON (what goes on the wire)."""
    return len(orjson.dumps(value))


def split(
    items: Sequence[T],
    *,
    max_items: int | None = None,
    max_bytes: int | None = None,
    envelope_bytes: int = 0,
    size_of: Callable[[T], int] = json_size,
) -> list[list[T]]:
    """``items`` in consecutive chunks (order kept, nothing dropped or repeated), each of at most
    ``max_items`` items and, as a JSON array inside a request of ``envelope_bytes`` without it, at most
    ``max_bytes`` bytes. An item that cannot fit even alone is an :class:`InvalidInput` naming it.
    An empty list is one empty chunk (the request is still sent once)."""
    if max_items is not None and max_items < 1:
        raise InvalidInput(f"ItemsPerMessage must be at least 1, got {max_items}", field="max_items")
    chunks: list[list[T]] = [[]]
    used = envelope_bytes + 2  # the brackets of the array
    for index, item in enumerate(items):
        size = size_of(item)
        current = chunks[-1]
        extra = size + (1 if current else 0)  # a comma before every item but the first
        too_many = max_items is not None and len(current) >= max_items
        too_big = max_bytes is not None and used + extra > max_bytes
        if current and (too_many or too_big):
            chunks.append([])
            current, used, extra = chunks[-1], envelope_bytes + 2, size
        if max_bytes is not None and used + extra > max_bytes:
            raise InvalidInput(
                f"item {index} alone ({size} bytes) exceeds the station's BytesPerMessage ({max_bytes})",
                field=f"items[{index}]",
            )
        current.append(item)
        used += extra
    return chunks


def _positive_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def limits_from_report(report_data: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """``(action, "items" | "bytes") -> limit`` from NotifyReport ``reportData`` entries.

    Reads ``<component>.ItemsPerMessage`` / ``BytesPerMessage`` with the action as the variable's instance
    (the spec's form), or a variable named ``ItemsPerMessage<Action>`` (some firmware's form); the Actual
    value; a later entry wins.
    """
    found: dict[tuple[str, str], int] = {}
    for entry in report_data:
        component = (entry.get("component") or {}).get("name")
        variable = entry.get("variable") or {}
        name, instance = str(variable.get("name", "")), variable.get("instance")
        for action, (wanted, _field) in SPLITTABLE.items():
            if component != wanted:
                continue
            for kind, prefix in (("items", "ItemsPerMessage"), ("bytes", "BytesPerMessage")):
                if (name == prefix and instance == action) or name == prefix + action:
                    value = _actual(entry.get("variableAttribute") or [])
                    if value is not None:
                        found[(action, kind)] = value
    return found


def _actual(attributes: Iterable[Mapping[str, Any]]) -> int | None:
    for attribute in attributes:
        if attribute.get("type", "Actual") == "Actual":
            return _positive_int(attribute.get("value"))
    return None


def limit_queries() -> list[dict[str, Any]]:
    """The GetVariables ``getVariableData`` entries that ask a station for every limit above."""
    return [
        {"component": {"name": component}, "variable": {"name": kind, "instance": action}}
        for action, (component, _field) in SPLITTABLE.items()
        for kind in ("ItemsPerMessage", "BytesPerMessage")
    ]


def limits_from_answer(results: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """``(action, kind) -> limit`` from a GetVariablesResponse's ``getVariableResult`` (Accepted ones)."""
    found: dict[tuple[str, str], int] = {}
    for result in results:
        if result.get("attributeStatus") != "Accepted":
            continue
        variable = result.get("variable") or {}
        kind = "items" if variable.get("name") == "ItemsPerMessage" else "bytes"
        value = _positive_int(result.get("attributeValue"))
        if value is not None and variable.get("instance") in SPLITTABLE:
            found[(str(variable["instance"]), kind)] = value
    return found


def merge_status(statuses: Sequence[str]) -> str:
    """One status for a request sent in parts: Accepted only when every part was; else the first other.

    >>> merge_status(["Accepted", "EmptyResultSet", "Accepted"])
    'EmptyResultSet'
    """
    return next((s for s in statuses if s != "Accepted"), "Accepted")
