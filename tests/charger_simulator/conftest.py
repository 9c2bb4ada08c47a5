import itertools
import sys
from pathlib import Path

import pytest

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.station import Station

sys.path.insert(0, str(Path(__file__).parent))
from sim_mini_csms import MiniCsms


@pytest.fixture
async def csms():
    async with MiniCsms() as server:
        yield server


@pytest.fixture
async def make_station():
    made: list[Station] = []

    def _make(url: str, protocol: str = "ocpp1.6", factor: float = 200.0, **kw) -> Station:
        ids = itertools.count(1)
        cfg = StationConfig(
            station_id=kw.pop("station_id", "CP-1"),
            url=url,
            protocol=protocol,
            backoff_base_s=kw.pop("backoff_base_s", 0.5),
            backoff_max_s=kw.pop("backoff_max_s", 2.0),
            **kw,
        )
        station = Station(cfg, clock=ScaledClock(factor), id_factory=lambda: f"tx-{next(ids)}")
        made.append(station)
        return station

    yield _make
    for s in made:
        await s.stop()
