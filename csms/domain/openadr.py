"""OpenADR 2.0b events as the demand-response requests of this CSMS (pure: no library, no I/O).

The district's load-management centre runs a VTN; the CSMS is a VEN whose resources are its 光储充 sites
(resource id = site id). An event's signal says what each targeted site must do over each interval:

- ``LOAD_CONTROL`` / ``x-loadControlCapacity``: the site's grid import may not exceed the payload [kW]
  (OpenADR 2.0b profile specification, 8.2 "Signal types": a capacity signal; kW unless the signal's item
  base says W or MW).
- ``SIMPLE`` / ``level``: levels 1, 2, 3 (moderate, high, special) hold the import to
  :data:`SIMPLE_LEVEL_SHARE` of the site's grid limit; level 0 (normal) asks nothing.

Each interval becomes one demand-response event of the CSMS, per site for ``SIMPLE`` (a share of each
site's own limit), whose id carries the OpenADR event id, its modification number and the interval's uid:
a modified event replaces the intervals of the earlier modification, a cancelled one cancels them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SIMPLE_LEVEL_SHARE: Mapping[int, float] = {1: 0.75, 2: 0.5, 3: 0.25}
"""Share of a site's grid limit its import is held to at each SIMPLE signal level (a site policy)."""

ID_PREFIX = "OADR-"

_SCALE = {"none": 1e-3, "k": 1.0, "M": 1e3}
"""Item-base scale of a power in W (``none``), kW or MW -> kW."""


class OpenAdrEventError(ValueError):
    """An event this VEN cannot follow (it opts out, saying why in its log)."""


@dataclass(frozen=True, slots=True)
class Interval:
    """One interval of an event: import held to ``target_kw`` (capacity) or to a share of each site's grid
    limit (``share``)."""

    dr_event_id: str
    start: datetime
    end: datetime
    target_kw: float | None = None
    share: float | None = None


@dataclass(frozen=True, slots=True)
class ExternalEvent:
    event_id: str
    modification: int
    cancelled: bool
    resource_ids: tuple[str, ...]
    """Targeted sites (empty: every resource of this VEN)."""
    intervals: tuple[Interval, ...]

    @property
    def prefix(self) -> str:
        """The id prefix of every demand-response event made from this OpenADR event (any modification)."""
        return f"{ID_PREFIX}{self.event_id}-"


def read_event(event: Mapping[str, Any]) -> ExternalEvent:
    """The event as openleadr hands it to a VEN's ``on_event`` -> what the CSMS must do.

    >>> from datetime import UTC
    >>> ev = read_event({
    ...     "event_descriptor": {"event_id": "e1", "modification_number": 0, "event_status": "far"},
    ...     "event_signals": [{"signal_name": "LOAD_CONTROL", "signal_type": "x-loadControlCapacity",
    ...         "intervals": [{"dtstart": datetime(2026, 12, 2, 18, tzinfo=UTC),
    ...                        "duration": timedelta(hours=1), "signal_payload": 30.0, "uid": 0}]}],
    ...     "targets": [{"resource_id": "S1"}]})
    >>> ev.resource_ids, ev.intervals[0].dr_event_id, ev.intervals[0].target_kw
    (('S1',), 'OADR-e1-m0-i0', 30.0)
    """
    try:
        descriptor = event["event_descriptor"]
        event_id = str(descriptor["event_id"])
        modification = int(descriptor.get("modification_number") or 0)
        status = str(descriptor.get("event_status", "")).lower()
        signals = event.get("event_signals") or []
    except (KeyError, TypeError, ValueError) as exc:
        raise OpenAdrEventError(f"malformed event: {exc}") from None
    intervals: list[Interval] = []
    if status != "cancelled":
        for signal in signals:
            intervals.extend(_intervals(event_id, modification, signal))
    return ExternalEvent(event_id, modification, status == "cancelled", _resources(event), tuple(intervals))


def _intervals(event_id: str, modification: int, signal: Mapping[str, Any]) -> list[Interval]:
    name, kind = signal.get("signal_name"), signal.get("signal_type")
    out = []
    for n, interval in enumerate(signal.get("intervals") or []):
        start, duration = interval.get("dtstart"), interval.get("duration")
        if not isinstance(start, datetime) or start.tzinfo is None or not isinstance(duration, timedelta):
            raise OpenAdrEventError(f"event {event_id}: interval {n} has no aware start or no duration")
        if duration <= timedelta(0):
            raise OpenAdrEventError(f"event {event_id}: interval {n} has a duration of {duration}")
        payload = interval.get("signal_payload")
        if isinstance(payload, bool) or not isinstance(payload, int | float) or not math.isfinite(payload):
            raise OpenAdrEventError(f"event {event_id}: interval {n} payload {payload!r} is not a number")
        uid = interval.get("uid", n)
        dr_id = f"{ID_PREFIX}{event_id}-m{modification}-i{uid}"
        if name == "LOAD_CONTROL" and kind == "x-loadControlCapacity":
            if payload < 0:
                raise OpenAdrEventError(f"event {event_id}: a capacity of {payload} kW")
            out.append(Interval(dr_id, start, start + duration, target_kw=payload * _to_kw(signal)))
        elif name == "SIMPLE":
            level = int(payload)
            if level != payload or not 0 <= level <= 3:
                raise OpenAdrEventError(f"event {event_id}: SIMPLE level {payload} is not 0, 1, 2 or 3")
            if level:
                out.append(Interval(dr_id, start, start + duration, share=SIMPLE_LEVEL_SHARE[level]))
        else:
            raise OpenAdrEventError(f"event {event_id}: signal {name}/{kind} is not followed by this VEN "
                                    "(LOAD_CONTROL/x-loadControlCapacity and SIMPLE are)")
    return out


def _to_kw(signal: Mapping[str, Any]) -> float:
    measurement = signal.get("measurement")
    if not isinstance(measurement, Mapping):
        return 1.0  # no item base: kW, the unit of the load-management centre's requests
    scale = str(measurement.get("scale") or "none")
    if scale not in _SCALE:
        raise OpenAdrEventError(f"a power with scale {scale!r}")
    return _SCALE[scale]


def _resources(event: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    by_type = event.get("targets_by_type")
    if isinstance(by_type, Mapping):
        found += [str(r) for r in by_type.get("resource_id") or []]
    for target in event.get("targets") or []:
        if isinstance(target, Mapping) and target.get("resource_id") is not None:
            found.append(str(target["resource_id"]))
    return tuple(dict.fromkeys(found))


def site_targets(ev: ExternalEvent, resources: Sequence[str]) -> tuple[str, ...]:
    """The sites an event is for: its targeted resources that are this VEN's, or all of them if it targets
    none by resource id."""
    if not ev.resource_ids:
        return tuple(resources)
    return tuple(r for r in ev.resource_ids if r in resources)


__all__ = [
    "ExternalEvent", "ID_PREFIX", "Interval", "OpenAdrEventError", "SIMPLE_LEVEL_SHARE", "read_event",
    "site_targets",
]
