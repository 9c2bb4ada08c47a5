"""The energy manager sets the site battery's power (issue 17, battery dispatch), end to end.

The CSMS and the charger simulator's site mode on one simulated clock (5x): a site in the midday valley
(12:00-14:00 local, Hunan tariff) with little PV, one 22 kW 1.6 AC station with an EV, a 100 kWh / 50 kW
battery and a 100 kW cap. Run by itself, the simulator's battery would cover the site's deficit
(self-consumption: discharge). The manager commands it instead, through the site's control port (the answer
to each telemetry post): charge from the cheap grid up to the cap's aim, and, once a demand-response event
holds the site to 40 kW, discharge to keep the import under the target.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.site_cap import CAP_KW, run_site_cap

DR_AFTER_S, DR_FOR_S, DR_TARGET_KW = 40.0, 30.0, 40.0


def _valley_site(site: dict[str, Any]) -> None:
    site["start"] = "2026-06-21T12:30:00+08:00"
    site["pv"]["kwp"] = 20
    site["chargers"]["groups"] = [
        {"count": 1, "max_power_kw": 22, "dc": False, "protocol": "ocpp1.6", "id_prefix": "BAT-AC"}
    ]


async def test_the_battery_follows_the_managers_setpoint(database_url: str) -> None:
    commands: list[Any] = []
    result, samples = await run_site_cap(
        database_url, minutes=1.5, factor=5, seed=2, dr_after_s=DR_AFTER_S, dr_for_s=DR_FOR_S,
        configure=_valley_site,
        on_sample=lambda s, services: commands.append(services.energy.battery_command("CAP")),
    )  # fmt: skip
    assert result.samples == 90
    t0 = samples[0].timestamp
    followed = [s for s in samples if s.commanded_w is not None]
    trace = [(round((s.timestamp - samples[0].timestamp).total_seconds()), round(s.battery_power_w),
              s.commanded_w and round(s.commanded_w), round(s.grid_import_w)) for s in samples]  # fmt: skip
    assert len(followed) >= 80, trace  # from the first answer on, the battery runs on the CSMS's set-points
    for s in followed:  # it delivers what it was told (within its own limits: none bind here)
        assert s.battery_power_w == pytest.approx(s.commanded_w, abs=1.0)
    before = [s for s in followed if 5 <= (s.timestamp - t0).total_seconds() < DR_AFTER_S]
    during = [
        s for s in followed if DR_AFTER_S + 3 <= (s.timestamp - t0).total_seconds() < DR_AFTER_S + DR_FOR_S
    ]
    # Valley, load of ~55 kW, little PV: locally the battery would discharge; commanded, it charges from the
    # grid, at its 50 kW rating or what the aim (96 kW: the cap less its margin) leaves, under the cap.
    assert all(s.grid_import_w - s.battery_power_w > 0 for s in before)  # a deficit without the battery
    off = [t for t, s in zip(trace, samples, strict=True)
           if s in before and not -50_001 <= s.battery_power_w <= -40_000]  # fmt: skip
    assert not off, off  # (time s, battery W, commanded W, grid W) of each sample off the band
    assert max(s.grid_import_w for s in samples) <= CAP_KW * 1000, trace
    assert any(c is not None and c.reason == "charge_from_grid" for c in commands)
    # Under the 40 kW event it discharges just what keeps the import under the target.
    assert during and all(s.battery_power_w > 0 for s in during), trace
    held = [s.grid_import_w <= DR_TARGET_KW * 1000 for s in during]
    assert sum(held) >= 0.95 * len(held), [round(s.grid_import_w) for s in during]
    # Not its rating: only what the target needs.
    assert all(s.battery_power_w < 50_000 for s in during), trace
    assert any(c is not None and c.reason == "discharge_to_limit" for c in commands)
