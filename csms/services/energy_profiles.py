"""Which SetChargingProfile messages a site's allocation calls for (pure: values in, messages out).

Given the allocation, what each station last accepted and which stations are ready (connected, boot accepted,
with their OCPP version), :func:`plan_profiles` returns the messages to send:

* the station-wide maximum (1.6 ChargePointMaxProfile / 2.0.1 ChargingStationMaxProfile) at the station's
  rating, and the TxDefaultProfile at the safe default, on every new connection and whenever the safe default
  moves (a demand-response limit lowers it);
* a TxProfile per session past the hysteresis, or when its last one is half-way to its fallback; its
  second period drops to the safe default after ``validity_s``, so a station that loses the CSMS falls
  back by itself.

While a demand-response limit binds, or when the old limits together would overrun the power for charging,
every decrease is sent whatever the hysteresis: the site must never sit above its limit to save a message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.domain.energy import (
    Allocation,
    CurrentType,
    needs_update,
    profile_v16,
    profile_v201,
    safe_default_limit_w,
    session_limit_rate,
)
from csms.services.sites import Member, SiteSnapshot

PROFILE_ID_MAX, PROFILE_ID_DEFAULT, PROFILE_ID_TX_BASE = 1, 2, 100


@dataclass(frozen=True)
class Version:
    """How one OCPP version names the profiles the manager sends (versions are data)."""

    build: Callable[..., dict[str, Any]]
    scope_kw: str
    max_purpose: str
    tx_ref: Callable[[int, str | None], int | str | None]


VERSIONS = {
    "1.6": Version(profile_v16, "connector_id", "ChargePointMaxProfile", lambda tx_id, uid: tx_id),
    "2.0.1": Version(profile_v201, "evse_id", "ChargingStationMaxProfile", lambda tx_id, uid: uid),
    # same shape as 2.0.1
    "2.1": Version(profile_v201, "evse_id", "ChargingStationMaxProfile", lambda tx_id, uid: uid),
}


@dataclass(frozen=True)
class Policy:
    hysteresis_w: float = 500.0
    hysteresis_pct: float = 5.0
    validity_s: int = 900
    """A TxProfile falls back to the safe default after this long; it is refreshed at half of it."""


@dataclass(frozen=True)
class Sent:
    """A profile a station accepted: its limit [W], when, and for what (a session id or a connection)."""

    limit_w: float
    sent_at: datetime
    ref: str


SentKey = tuple[str, int, str]  # (station id, EVSE / connector, purpose)


@dataclass(frozen=True)
class ProfileMessage:
    site_id: str
    station_id: str
    evse_id: int
    purpose: str
    profile_id: int
    ref: str
    limit_w: float
    limit_value: float
    unit: str
    payload: dict[str, Any]
    decrease: bool

    @property
    def key(self) -> SentKey:
        return (self.station_id, self.evse_id, self.purpose)


def rate(
    current_type: CurrentType, phases: int, limit_w: float, voltage_v: float
) -> tuple[float, str, int | None]:
    """``(limit, unit, phases)``: A per phase for AC (rounded down to 0.1 A), W for DC.

    >>> rate(CurrentType.AC, 3, 20_000, 220)
    (30.3, 'A', 3)
    """
    if current_type is CurrentType.AC:
        return math.floor(limit_w / (voltage_v * phases) * 10) / 10, "A", phases
    return limit_w, "W", None


def safe_w(snap: SiteSnapshot, m: Member, dr_limit_kw: float | None) -> float:
    """The station's safe default [W] (see :func:`csms.domain.energy.safe_default_limit_w`)."""
    count = max(1, len(snap.members))
    return safe_default_limit_w(snap.spec, count, station_max_w=m.max_power_w, dr_limit_kw=dr_limit_kw)


def with_fallback(payload: dict[str, Any], after_s: int, limit: float, phases: int | None) -> dict[str, Any]:
    """Append a period from ``after_s`` at ``limit`` to the payload's one schedule (either version)."""
    profile = payload.get("csChargingProfiles") or payload["chargingProfile"]
    schedule = profile["chargingSchedule"]
    schedule = schedule[0] if isinstance(schedule, list) else schedule
    period: dict[str, Any] = {"startPeriod": after_s, "limit": math.floor(max(0.0, limit) * 10 + 1e-9) / 10}
    if phases is not None:
        period["numberPhases"] = phases
    schedule["chargingSchedulePeriod"].append(period)
    return payload


def plan_profiles(
    snap: SiteSnapshot,
    alloc: Allocation,
    now: datetime,
    *,
    dr_limit_kw: float | None,
    sent: Mapping[SentKey, Sent],
    ready: Mapping[str, tuple[str, str]],
    policy: Policy,
) -> list[ProfileMessage]:
    """The messages ``alloc`` calls for.

    ``ready`` maps each station that may be sent to (connected, boot accepted) to ``(ocpp_version,
    connection ref)``; a new connection ref resends the station-wide profiles.
    """
    spec, site_id = snap.spec, snap.spec.site_id
    members = {m.station_id: m for m in snap.members}
    hyst = {"hysteresis_w": policy.hysteresis_w, "hysteresis_pct": policy.hysteresis_pct}
    out: list[ProfileMessage] = []

    def add(
        station: str, evse: int, purpose: str, pid: int, ref: str, limit_w: float, payload: dict, r: tuple
    ) -> None:
        old = sent.get((station, evse, purpose))
        decrease = old is not None and old.ref == ref and limit_w < old.limit_w
        out.append(
            ProfileMessage(site_id, station, evse, purpose, pid, ref, limit_w, r[0], r[1], payload, decrease)
        )

    for station, (version, conn_ref) in ready.items():
        m, v = members[station], VERSIONS[version]
        for purpose, pid, limit_w in (
            ("TxDefaultProfile", PROFILE_ID_DEFAULT, safe_w(snap, m, dr_limit_kw)),
            (v.max_purpose, PROFILE_ID_MAX, m.max_power_w),
        ):
            old = sent.get((station, 0, purpose))
            if (
                old
                and old.ref == conn_ref
                and not needs_update(old.limit_w, limit_w, **hyst, decrease_always=True)
            ):
                continue
            r = rate(m.current_type, m.phases, limit_w, spec.voltage_v)
            payload = v.build(
                purpose, r[0], r[1], profile_id=pid, start=now, number_phases=r[2], **{v.scope_kw: 0}
            )
            add(station, 0, purpose, pid, conn_ref, limit_w, payload, r)

    # Hysteresis may hold back a decrease only while the old limits still fit the power for charging.
    olds = []
    for s in alloc.sessions:
        o = sent.get((s.station_id, s.evse_id, "TxProfile"))
        olds.append(o if o is not None and o.ref == s.session_id else None)
    worst = sum(
        max(o.limit_w, s.limit_w) if o else s.limit_w for o, s in zip(olds, alloc.sessions, strict=True)
    )
    decrease_always = alloc.binding_limit == "demand_response" or worst > alloc.available_for_charging_w + 1.0
    by_id = {s.session_id: s for s in snap.sessions}
    for lim, old in zip(alloc.sessions, olds, strict=True):
        if lim.station_id not in ready or lim.evse_id <= 0:
            continue
        v = VERSIONS[ready[lim.station_id][0]]
        tx_ref = v.tx_ref(by_id[lim.session_id].transaction_id, by_id[lim.session_id].uid)
        due = old is not None and (now - old.sent_at).total_seconds() >= policy.validity_s / 2
        change = needs_update(
            old.limit_w if old else None, lim.limit_w, **hyst, decrease_always=decrease_always
        )
        if tx_ref is None or not (due or change):
            continue
        m = members[lim.station_id]
        value, unit, phases = session_limit_rate(lim)
        pid = PROFILE_ID_TX_BASE + lim.evse_id
        payload = v.build(
            "TxProfile", value, unit, profile_id=pid, start=now, transaction_id=tx_ref, number_phases=phases,
            **{v.scope_kw: lim.evse_id},
        )  # fmt: skip
        fallback = rate(m.current_type, m.phases, safe_w(snap, m, dr_limit_kw), spec.voltage_v)
        with_fallback(payload, policy.validity_s, fallback[0], fallback[2])
        add(
            lim.station_id, lim.evse_id, "TxProfile", pid, lim.session_id, lim.limit_w, payload, (value, unit)
        )
    return out
