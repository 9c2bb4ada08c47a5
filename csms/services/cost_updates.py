"""Running cost during long 2.0.1 sessions (I02): CostUpdated to the station every ``interval_s``.

One background task. Every ``poll`` it asks the cost service which open sessions of the stations held here
are due (the interval passed since the session started or its last update), prices each and sends
CostUpdated ``{totalCost, transactionId}``. Time is the injected clock's; with ``sleep_until`` injected a
test drives the loop without real seconds passing (``run_once`` is one round).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from csms.domain.timeutil import Clock
from csms.errors import CsmsError
from csms.services.costs import CostService
from csms.services.gateway import StationGateway
from csms.tasks import cancel_and_wait

log = logging.getLogger("csms.costs")

#: Without an injected ``sleep_until`` the loop re-reads its clock at least this often while it waits [s].
POLL_S = 0.05

#: After a failed round, the next one comes this soon, in real seconds [s].
RETRY_AFTER_FAILURE_S = 1.0

SleepUntil = Callable[[datetime], Awaitable[None]]


class CostUpdater:
    def __init__(
        self,
        costs: CostService,
        gateway: StationGateway,
        clock: Clock,
        interval_s: float,
        *,
        check_every_s: float = 5.0,
        sleep_until: SleepUntil | None = None,
    ) -> None:
        self._costs = costs
        self._gateway = gateway
        self._clock = clock
        self.interval_s = interval_s
        self._check_every_s = check_every_s
        self._sleep_until = sleep_until or self._poll_until
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    async def _poll_until(self, moment: datetime) -> None:
        # In slices, re-reading the clock: it may be a simulated one (tests, a simulator's clock).
        while (left := (moment - self._clock()).total_seconds()) > 0:  # noqa: ASYNC110 - polls a clock
            await asyncio.sleep(min(left, POLL_S))

    def start(self) -> None:
        if self.interval_s > 0:
            self._task = asyncio.create_task(self._run(), name="cost-updates")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        failed = False
        while True:
            if failed:  # a fault of the real world (a locked or lost database): retry after real time
                await asyncio.sleep(RETRY_AFTER_FAILURE_S)
            else:
                await self._sleep_until(self._clock() + timedelta(seconds=self._check_every_s))
            try:
                await self.run_once()
                failed = False
            except Exception:  # the top of the loop: log, and try again soon
                log.exception("event=cost_updates_failed")
                failed = True

    async def run_once(self) -> int:
        """Send every due CostUpdated; return how many the stations accepted."""
        online = [s for s in self._gateway.online_ids() if _speaks_201(self._gateway, s)]
        done = 0
        for transaction_id, station_id, uid in await self._costs.due(online, self.interval_s):
            cost = await self._costs.of(transaction_id)
            try:
                await self._gateway.call(
                    station_id, "CostUpdated", {"totalCost": cost.total_cost, "transactionId": uid}
                )
            except CsmsError as exc:
                log.warning("station=%s event=cost_update_failed transaction=%s error=%r",
                            station_id, transaction_id, str(exc)[:200])
                continue
            await self._costs.sent(transaction_id, self._clock())
            done += 1
        self.sent += done
        return done


def _speaks_201(gateway: StationGateway, station_id: str) -> bool:
    try:
        return not str(gateway.get(station_id).ocpp_version).startswith("1.")
    except CsmsError:
        return False
