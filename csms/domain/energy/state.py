"""A site's state for the allocator, built from its snapshot: the sessions' demand and the planning inputs.

Pure: which stations are online and what each was last told come in as arguments.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime

from csms.domain.energy.charging_profile import ProfilePurpose
from csms.domain.energy.control import ControlPolicy, planning_inputs_w
from csms.domain.energy.model import PriorityClass, SessionDemand, SiteState
from csms.domain.energy.planning import Sent, SentKey, safe_w
from csms.domain.energy.site import SiteSnapshot


def site_state(
    snap: SiteSnapshot,
    now: datetime,
    *,
    is_online: Callable[[str], bool],
    sent: Mapping[SentKey, Sent],
    control_policy: ControlPolicy,
    caps_w: Mapping[tuple[str, int], float] | None = None,
) -> SiteState:
    """The :class:`SiteState` to allocate ``snap`` on at ``now`` (powers in W).

    An online station's sessions ask for its rating shared equally between them; an offline station's
    session is held at exactly what it was last told (or the safe default), reserved first. ``caps_w``
    (:func:`~csms.domain.energy.external_limits.caps_w`) bounds a station (EVSE 0) or one EVSE from above:
    an external limit the station applies whatever the CSMS says.
    """
    caps = caps_w or {}
    spec, t = snap.spec, snap.latest
    members = {m.station_id: m for m in snap.members}
    per_station = Counter(s.station_id for s in snap.sessions)
    sessions = []
    for s in snap.sessions:
        m = members[s.station_id]
        if is_online(s.station_id):
            # The EVSEs of one station share its rating: an equal share each, never the rating each.
            high = min(m.max_power_w, caps.get((s.station_id, 0), math.inf)) / per_station[s.station_id]
            if s.ev_max_power_w is not None:
                high = min(high, s.ev_max_power_w)
            low, prio = min(m.minimum_w(spec.voltage_v), high), m.priority
        else:
            # It charges on at whatever it was last told, unseen: reserve exactly that, first.
            last = sent.get((s.station_id, s.evse_id, ProfilePurpose.TX))
            held = last.limit_w if last and last.ref == s.session_id else safe_w(snap, m, None)
            low = high = min(held, caps.get((s.station_id, 0), math.inf))
            prio = PriorityClass.PUBLIC_SERVICE
        high = min(high, caps.get((s.station_id, s.evse_id), math.inf))
        low = min(low, high)
        sessions.append(
            SessionDemand(
                s.session_id,
                s.station_id,
                s.evse_id,
                m.current_type,
                low,
                high,
                s.started_at,
                phases=m.phases,
                priority=prio,
                voltage_v=m.voltage_v,
                energy_requested_wh=s.energy_needed_wh,
                departure_at=s.departure_at if s.departure_at is None or s.departure_at > now else None,
            )
        )
    if t is None:  # no telemetry yet: no PV, no battery, the building at its declared maximum
        return SiteState(now, 0.0, spec.base_load_kw * 1000, None, tuple(sessions))
    pv_w, base_w = planning_inputs_w(snap.recent or (t,), t.timestamp, control_policy) or (0.0, 0.0)
    return SiteState(t.timestamp, pv_w, base_w, t.battery_soc_pct, tuple(sessions))
