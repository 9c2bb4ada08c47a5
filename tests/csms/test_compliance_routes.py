"""The compliance routes mounted by the CSMS: its database, its inspectors, its station telemetry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from csms.db.models import Station
from tests.harness import Csms

SAMPLE = Path(__file__).resolve().parents[2] / "compliance" / "samples" / "synthetic_xiangjiang_carparks.csv"
HEADER = (
    "id,name,district,category,is_public,is_new,total_spaces,dedicated_spaces,spaces_with_chargers,"
    "spaces_reserved,dc_fast_chargers_60kw,on_trunk_road,station_ids\n"
)


async def test_only_inspectors_and_admins_reach_the_register(csms: Csms) -> None:
    inspector = await csms.token("inspector")
    assert (await csms.api.get("/api/v1/compliance/car-parks", headers=inspector)).status_code == 200
    assert (await csms.api.get("/api/v1/compliance/car-parks", headers=csms.headers)).status_code == 403
    assert (await csms.api.get("/api/v1/compliance/car-parks")).status_code == 401


async def test_the_sample_register_imports_checks_and_keeps_history(csms: Csms) -> None:
    h = await csms.token("inspector")
    r = await csms.api.post("/api/v1/compliance/car-parks/import", params={"filename": SAMPLE.name},
                            content=SAMPLE.read_bytes(), headers=h)
    assert r.status_code == 200, r.text
    report = r.json()
    rejected = {e["row"] for e in report["errors"] if e["effect"] == "row_rejected"}
    assert report["imported"] + len(rejected) == report["rows_read"]
    stored = (await csms.api.get("/api/v1/compliance/car-parks", headers=h)).json()
    assert len(stored) == report["imported"]

    # the CSV's rounding boundary: 10 spaces need ceil(0.3 x 10) = 3, 11 need 4; both provide 3
    verdicts = {}
    for cid in ("XJ-E01", "XJ-E02"):
        result = (await csms.api.get(f"/api/v1/compliance/car-parks/{cid}/verdicts", headers=h)).json()
        verdicts[cid] = {
            v["rule_id"]: (v["verdict"], v["required"], v["provided"]) for v in result["verdicts"]
        }
    assert verdicts["XJ-E01"]["XJ-PUBLIC-30"] == ("compliant", 3, 3)
    assert verdicts["XJ-E02"]["XJ-PUBLIC-30"] == ("non_compliant", 4, 3)

    check = (await csms.api.post("/api/v1/compliance/checks", json={"rules": ["xiangjiang-2023"]},
                                 headers=h)).json()
    assert sum(check["counts"].values()) == len(stored)

    r = await csms.api.post("/api/v1/compliance/car-parks/XJ-E02/inspections",
                            json={"inspected_on": "2026-11-20", "inspector": "王工",
                                  "findings": "缺1个充电车位", "rectification_deadline": "2027-02-20"},
                            headers=h)
    assert r.status_code in (200, 201), r.text
    history = (await csms.api.get("/api/v1/compliance/car-parks/XJ-E02/inspections", headers=h)).json()
    assert [(i["inspector"], i["rectification_deadline"]) for i in history] == [("王工", "2027-02-20")]


async def test_bad_rows_are_named_and_good_rows_still_stored(csms: Csms) -> None:
    h = await csms.token("inspector")
    sheet = HEADER + "A1,好,岳麓区,social_public,true,true,10,0,3,0,0,false,\n" \
                     "A2,坏,岳麓区,spaceship,true,true,10,0,3,0,0,false,\n" \
                     "A3,也坏,岳麓区,social_public,true,true,-4,0,3,0,0,false,\n"
    r = await csms.api.post("/api/v1/compliance/car-parks/import", params={"filename": "r.csv"},
                            content=sheet.encode(), headers=h)
    body = r.json()
    # A bad value is named and read as blank: the car parks stay (insufficient data where a rule needs it).
    assert body["imported"] == 3
    assert {(e["row"], e["column"], e["effect"]) for e in body["errors"]} == {
        (3, "category", "value_ignored"), (4, "total_spaces", "value_ignored")}


async def test_chargers_the_csms_has_not_heard_from_are_reported(csms: Csms) -> None:
    h = await csms.token("inspector")
    await csms.station("SEEN-1")
    await csms.station("QUIET-1")
    now = csms.runtime.services.clock()
    async with csms.runtime.services.uow() as session:
        await session.execute(update(Station).where(Station.id == "SEEN-1").values(last_seen_at=now))
        await session.execute(
            update(Station).where(Station.id == "QUIET-1").values(last_seen_at=now - timedelta(days=30))
        )
    sheet = HEADER + "T1,遥测,岳麓区,social_public,true,false,10,0,3,0,0,false,SEEN-1;QUIET-1;NEVER-1\n"
    await csms.api.post("/api/v1/compliance/car-parks/import", params={"filename": "r.csv"},
                        content=sheet.encode(), headers=h)
    result = (await csms.api.get("/api/v1/compliance/car-parks/T1/verdicts", headers=h)).json()
    findings = {f["station_id"]: f["status"] for f in result["telemetry"]}
    assert findings["SEEN-1"] != findings["QUIET-1"] and findings["QUIET-1"] != findings["NEVER-1"]
    strict = (await csms.api.get("/api/v1/compliance/car-parks/T1/verdicts", params={"strict": "true"},
                                 headers=h)).json()
    provided = {v["rule_id"]: v["provided"] for v in strict["verdicts"]}
    assert provided["XJ-PUBLIC-30"] < 3
