"""The measured flexibility view against the meter (issue 17), end to end.

The site of ``bench.site_cap`` (4 x 1.6 AC 22 kW and 4 x 2.0.1 DC 60 kW with EVs, 150 kWp PV, a 100 kWh /
50 kW battery, a 100 kW cap) under a clear sky, on one simulated clock at 5x. Half a minute in, the
load-management centre reads the view and asks for exactly the downward flexibility it offers: a
demand-response target of the metered import less the offer. The meter then shows whether the site delivers.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bench.site_cap import run_site_cap
from csms.services.demand_response import EventRequest

READ_AT_S, EVENT_FOR_S, SETTLE_S = 30.0, 40.0, 3.0


def _clear_sky(site: dict[str, Any]) -> None:
    site["pv"]["cloudiness"] = 0.0


async def test_the_offered_downward_flexibility_is_delivered_on_the_meter(database_url: str) -> None:
    seen: dict[str, Any] = {}
    tasks: list[asyncio.Task[None]] = []

    async def ask(services: Any, posted_w: float) -> None:
        (flex,) = await services.flexibility.sites(["CAP"], hours=2)
        seen["flex"], seen["posted_w"] = flex, posted_w
        start = services.now() + timedelta(seconds=1)
        target_kw = (flex.grid_import_w - flex.now.down.power_w) / 1000
        seen["start"], seen["target_kw"] = start, target_kw
        await services.demand_response.create(
            EventRequest(
                ["CAP"], start, start + timedelta(seconds=EVENT_FOR_S), target_import_kw=max(0.0, target_kw)
            )
        )

    def on_sample(sample: Any, services: Any) -> None:
        t0 = seen.setdefault("t0", sample.timestamp)
        if not tasks and (sample.timestamp - t0).total_seconds() >= READ_AT_S:
            tasks.append(asyncio.ensure_future(ask(services, sample.grid_import_w)))

    _, samples = await run_site_cap(
        database_url, minutes=1.5, factor=5, seed=3, dr=False, configure=_clear_sky, on_sample=on_sample
    )
    await tasks[0]
    flex = seen["flex"]
    # The view starts from the meter: the import it reports is the sample the site posted last.
    assert abs(flex.grid_import_w - seen["posted_w"]) <= 0.1
    down, up = flex.now.down, flex.now.up
    assert 0 < down.power_w <= flex.grid_import_w
    assert down.battery_w == 0.0  # the battery already gives its rating
    assert up.power_w <= flex.import_limit_w - flex.grid_import_w + 1e-6
    assert len(flex.points) == 3 and down.energy_wh > 0
    before = [s.grid_import_w for s in samples if s.timestamp < seen["start"]][-10:]
    during = [
        s.grid_import_w
        for s in samples
        if seen["start"] + timedelta(seconds=SETTLE_S)
        <= s.timestamp
        < seen["start"] + timedelta(seconds=EVENT_FOR_S)
    ]
    assert len(during) >= 30
    achieved_w = sum(before) / len(before) - sum(during) / len(during)
    print(
        f"offered down {down.power_w / 1000:.1f} kW (sessions {down.charging_w / 1000:.1f}, "
        f"battery {down.battery_w / 1000:.1f}, capped by the import) "
        f"from {flex.grid_import_w / 1000:.1f} kW metered; "
        f"target {seen['target_kw']:.1f} kW; achieved {achieved_w / 1000:.1f} kW, "
        f"max under the event {max(during) / 1000:.1f} kW"
    )
    held = [w <= seen["target_kw"] * 1000 + 1_000 for w in during]
    assert sum(held) >= 0.95 * len(held), [round(w) for w in during]
    assert achieved_w >= 0.9 * down.power_w
