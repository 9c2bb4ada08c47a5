"""Sending the energy manager's charging profiles: which stations may be sent to, the sending, the record.

:class:`ProfileSender` keeps what each station accepted last (``sent``: the planner's reference for what to
change and the allocator's for an offline station's session), sends one cycle's messages (decreases before
increases; per station in order, stations concurrently) through ``gateway.command``, and stores every answer
with :meth:`~csms.services.sites.SiteService.record_sent_profiles`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from csms.domain.energy.planning import ProfileMessage, Sent, SentKey
from csms.domain.energy.site import SiteSnapshot
from csms.domain.timeutil import Clock
from csms.errors import CsmsError, StationTimeout
from csms.services.gateway import StationGateway
from csms.services.sites import SiteService

log = logging.getLogger("csms.energy")


class ProfileSender:
    """Sends charging profiles to stations and remembers what they accepted (see the module docstring).

    ``call_timeout_s`` bounds each SetChargingProfile call [s].
    """

    def __init__(
        self, sites: SiteService, gateway: StationGateway, clock: Clock, call_timeout_s: float
    ) -> None:
        self._sites = sites
        self._gw = gateway
        self._clock = clock
        self._call_timeout_s = call_timeout_s
        self.sent: dict[SentKey, Sent] = {}
        self._conn_serials: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._serials = itertools.count(1)

    def ready(self, snap: SiteSnapshot) -> dict[str, str]:
        """Stations of the site that may be sent to now: ``station -> connection ref``."""
        ready = {}
        for m in snap.members:
            if not self._gw.is_online(m.station_id):
                continue
            try:
                conn = self._gw.get(m.station_id)
            except CsmsError:  # online on another CSMS node: that node's manager sends its profiles
                continue
            if getattr(conn, "boot_accepted", False):
                # A new connection (a reboot, perhaps) gets its station-wide profiles again. A serial, not
                # id(conn): a closed connection's address may be reused by the next one.
                serial = self._conn_serials.setdefault(conn, next(self._serials))
                ready[m.station_id] = f"conn:{serial}"
        return ready

    async def send(self, messages: Sequence[ProfileMessage]) -> None:
        """Send the decreases, then the increases, and store every answer."""
        if messages:
            accepted = await self._send_all([m for m in messages if m.decrease])
            accepted += await self._send_all([m for m in messages if not m.decrease])
            await self._record(accepted)

    async def _send_all(self, messages: Sequence[ProfileMessage]) -> list[tuple[ProfileMessage, str]]:
        """Send per station in order, stations concurrently; return every answered message with its status."""
        by_station: dict[str, list[ProfileMessage]] = defaultdict(list)
        for m in messages:
            by_station[m.station_id].append(m)
        results = await asyncio.gather(
            *(self._send_station(ms) for ms in by_station.values()), return_exceptions=True
        )
        answered: list[tuple[ProfileMessage, str]] = []
        for ms, r in zip(by_station.values(), results, strict=True):
            if isinstance(r, BaseException):
                log.error("station=%s event=charging_profile_send_failed", ms[0].station_id, exc_info=r)
            else:
                answered += r
        return answered

    async def _send_station(self, messages: Sequence[ProfileMessage]) -> list[tuple[ProfileMessage, str]]:
        answered = []
        for m in messages:
            try:
                _, result = await self._command(m)
            except CsmsError as exc:  # not connected, timed out, CALLERROR, payload refused: try next cycle
                log.warning(
                    "station=%s event=charging_profile_not_sent purpose=%s evse=%s error=%s",
                    m.station_id,
                    m.purpose,
                    m.evse_id,
                    exc,
                )
                continue
            status = str(result.get("status", "Unknown"))
            log.info(
                "station=%s event=charging_profile site=%s purpose=%s evse=%s limit=%s%s status=%s",
                m.station_id,
                m.site_id,
                m.purpose,
                m.evse_id,
                m.limit_value,
                m.unit,
                status,
            )
            if status == "Accepted":
                self.sent[m.key] = Sent(m.limit_w, self._clock(), m.ref)
            answered.append((m, status))
        return answered

    async def _command(self, m: ProfileMessage) -> tuple[str, dict[str, Any]]:
        params = {"profile": m.profile}
        try:
            return await asyncio.wait_for(
                self._gw.command(m.station_id, "set-charging-profile", params), self._call_timeout_s
            )
        except TimeoutError:
            raise StationTimeout(f"{m.station_id} did not answer SetChargingProfile in time") from None

    async def _record(self, answered: Sequence[tuple[ProfileMessage, str]]) -> None:
        """Store what the stations answered; the later answer for a (station, EVSE, purpose) key wins."""
        if answered:
            now = self._clock()
            last = {m.key: (m, status) for m, status in answered}
            await self._sites.record_sent_profiles([_row(m, status, now) for m, status in last.values()])


def _row(m: ProfileMessage, status: str, now: datetime) -> dict[str, Any]:
    return {
        "station_id": m.station_id, "evse_id": m.evse_id, "purpose": m.purpose.value, "site_id": m.site_id,
        "profile_id": m.profile_id, "transaction_ref": m.ref[:36], "limit_w": m.limit_w,
        "limit_value": m.limit_value, "rate_unit": m.unit, "status": status, "sent_at": now,
    }  # fmt: skip
