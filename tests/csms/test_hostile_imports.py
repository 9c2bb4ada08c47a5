"""Issue 14, finding 1: hostile registers imported through the running CSMS never stall its stations."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compliance"))

from hostile_files import big_csv, big_xlsx, dimension_bomb, zip_bomb

from tests.harness import Csms, Wire

IMPORT = "/api/v1/compliance/car-parks/import"


async def test_bombs_are_refused_in_seconds_and_heartbeats_keep_their_pace(live_csms: Csms) -> None:
    csms = live_csms
    h = await csms.token("inspector")
    await csms.station("BEAT-1")
    uploads = {
        "zip bomb": ("bomb.xlsx", zip_bomb(130)),
        "dimension bomb": ("dim.xlsx", dimension_bomb()),
        "big csv": ("big.csv", big_csv(20_000)),
        "big xlsx": ("big.xlsx", big_xlsx(4_000)),
    }
    answers: dict[str, tuple[int, dict, float]] = {}

    async def upload(label: str, name: str, data: bytes) -> None:
        start = time.perf_counter()
        r = await csms.api.post(IMPORT, params={"filename": name}, content=data, headers=h, timeout=120)
        answers[label] = (r.status_code, r.json(), time.perf_counter() - start)

    async with csms.connect("BEAT-1") as ws:
        wire = Wire(ws)
        boot = await wire.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        assert boot[2]["status"] == "Accepted"
        imports = asyncio.gather(*(upload(label, *u) for label, u in uploads.items()))
        lags = []

        async def probe() -> None:
            while not imports.done():
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - t - 0.01)

        prober = asyncio.create_task(probe())
        round_trips, answered = [], [time.perf_counter()]
        while not imports.done():
            start = time.perf_counter()
            answer = await wire.call("Heartbeat", {})
            answered.append(time.perf_counter())
            round_trips.append(answered[-1] - start)
            assert answer[0] == 3
            await asyncio.sleep(0.05)
        await imports
        await prober

    # The longest wait for an answer, counted from one answer to the next: a blocked loop shows here
    # even when no heartbeat happened to be in flight when it blocked.
    worst = max(b - a for a, b in zip(answered, answered[1:], strict=False))
    print(f"\nheartbeats during the imports: {len(round_trips)}, "
          f"worst round trip {max(round_trips) * 1000:.0f} ms, "
          f"worst gap between answers {worst * 1000:.0f} ms, "
          f"worst loop lag {max(lags) * 1000:.0f} ms; "
          + "; ".join(f"{k}: {v[0]} in {v[2]:.2f} s" for k, v in answers.items()))
    assert worst < 1.0
    status, body, seconds = answers["zip bomb"]
    assert (status, body["detail"]["limit"]) == (413, "max_inflated_bytes") and seconds < 10.0
    assert body["detail"]["msg"].startswith("bomb.xlsx: the workbook inflates to 130 MiB")
    status, body, seconds = answers["dimension bomb"]
    assert (status, body["imported"]) == (200, 1) and seconds < 10.0
    status, body, _ = answers["big csv"]
    assert (status, body["rows_read"], body["imported"], body["errors"]) == (200, 20_000, 20_000, [])
    assert answers["big xlsx"][0] == 200 and answers["big xlsx"][1]["imported"] == 4_000


async def test_unreadable_uploads_get_a_clear_4xx_without_the_exception_text(csms: Csms) -> None:
    from hostile_files import unreadable

    h = await csms.token("inspector")
    seen = {}
    for label, (name, data) in unreadable().items():
        r = await csms.api.post(IMPORT, params={"filename": name}, content=data, headers=h)
        seen[label] = (r.status_code, r.json()["detail"]["msg"])
    assert seen["zip, not xlsx"] == (
        422, "r.xlsx: not a readable XLSX workbook (a part is missing or corrupt)"
    )
    assert seen["random bytes"] == (422, "r.xlsx: not an XLSX workbook (not a zip archive)")
    assert seen["huge field"] == (
        413, "r.csv: row 2: a cell longer than 32,767 characters (max_cell_chars)"
    )
    assert {s for s, _ in seen.values()} <= {413, 422}
    assert not any("Error" in m or "There is no item" in m for _, m in seen.values())
