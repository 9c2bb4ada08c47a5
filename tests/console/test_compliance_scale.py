"""The inspectors' pages filter and page in SQL on the verdicts stored beside each record, never judging or
loading the whole register. Their time with 100,000 car parks is measured by ``python -m bench.console_pages``
(a benchmark, not a timed test)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from compliance.categories import Category
from compliance.model import CarPark
from compliance.schema import to_json
from csms.db.compliance import CarParkRow, CarParkVerdictRow
from tests.harness import Csms

N = 4_000
DISTRICTS = (
    "岳麓区",
    "望城区",
    "宁乡市",
    "开福区",
    "天心区",
    "雨花区",
    "芙蓉区",
    "浏阳市",
    "长沙县",
    "湘阴县",
)
CATEGORIES = tuple(c.value for c in Category)
VERDICTS = ("compliant", "non_compliant", "insufficient_data", "not_applicable")


async def fill(csms: Csms) -> None:
    template = to_json(CarPark(id="X", name="X", category=Category.SOCIAL_PUBLIC, total_spaces=100))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    listed: list[dict[str, Any]] = []
    for i in range(N):
        cid = f"CP-{i:06d}"
        common = {
            "id": cid,
            "name": f"合成停车场{i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "district": DISTRICTS[i % len(DISTRICTS)],
        }
        rows.append(
            {**common, "record": {**template, "id": cid, "name": f"合成停车场{i}"}, "updated_at": now}
        )
        listed.append(
            {
                **common,
                "verdict": VERDICTS[i % 4],
                "verdict_rules": "xiangjiang-2023",
                "leading_rule": "XJ-PUBLIC-30" if i % 4 == 1 else None,
                "shortfall": 7 if i % 4 == 1 else None,
                "lon_deg": 112.5 + (i % 1000) / 1000,
                "lat_deg": 28.0 + (i // 1000) / 200,
            }
        )
    for start in range(0, N, 5_000):
        async with csms.runtime.services.uow() as session:
            await session.execute(insert(CarParkRow), rows[start : start + 5_000])
            await session.execute(insert(CarParkVerdictRow), listed[start : start + 5_000])


async def test_pages_filter_and_page_in_sql(csms: Csms, console_as: Any) -> None:
    await fill(csms)
    inspector = await console_as("inspector")
    paths = [
        "/console/compliance",
        "/console/compliance?district=望城区",
        "/console/compliance?verdict=non_compliant&category=residential",
        "/console/compliance?district=宁乡市&verdict=compliant&page=2",
        "/console/compliance?page=80",
        "/console/compliance?q=停车场9999",
        "/console/compliance/car-parks/CP-003210",
        "/console/compliance/map",
        "/console/compliance/map/points.json?district=岳麓区&verdict=non_compliant",
        "/console/compliance/map/points.json",  # the first 2,000 of 4,000
        "/console/compliance/imports",
        "/console/compliance/inspections",
    ]
    for path in paths:
        answer = await inspector.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
    page = await inspector.get("/console/compliance?district=望城区&verdict=non_compliant")
    assert f"{N // 20:,}" in page.text  # i = 1 (mod 10) and i = 1 (mod 4): one in 20, counted in SQL
    points = (await inspector.get("/console/compliance/map/points.json")).json()
    assert (points["total"], points["shown"], len(points["points"])) == (N, 2_000, 2_000)  # 2,000 at most
