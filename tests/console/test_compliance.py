"""The inspectors' console pages over HTTP: upload -> review -> import, the verdicts table with its filters
and paging, a car park's page, its notice, the downloads, the map's JSON, the history; roles and CSRF."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from compliance.categories import Category
from compliance.model import CarPark
from csms.services.compliance import CarParkFilter, ComplianceService
from tests.console.conftest import ConsoleClient
from tests.harness import Csms

HEADERS = [
    "序号",
    "停车场名称",
    "产权单位",
    "所属区县",
    "停车场类型",
    "总车位数(个)",
    "已建充电桩车位数",
    "预留车位数",
    "是否对外开放",
    "是否位于干线公路沿线",
    "经度",
    "纬度",
    "关联充电站编号",
    "备注",
]
ROWS = [
    [
        "XJ-001",
        "麓谷公共停车场",
        "湖南湘江新区停车管理公司",
        "岳麓区",
        "社会公共停车场",
        100,
        10,
        0,
        "是",
        "否",
        112.88,
        28.21,
        "CS-LG-1",
        "",
    ],
    [
        "XJ-002",
        "梅溪湖景区停车场",
        "梅溪湖文旅公司",
        "岳麓区",
        "景区",
        50,
        20,
        0,
        "是",
        "否",
        112.90,
        28.19,
        "",
        "",
    ],
    [
        "XJ-003",
        "望城公共停车场",
        "望城区城管局",
        "望城区",
        "社会公共停车场",
        40,
        2,
        0,
        "是",
        "否",
        112.82,
        28.36,
        "",
        "",
    ],
    ["XJ-004", "含糊停车场", "", "岳麓区", "商业", "约200", 5, 0, "是", "否", "", "", "", ""],
    ["", "", "", "岳麓区", "住宅小区", 80, 5, 0, "否", "否", "", "", "", "名称缺失"],
]


def register_xlsx(rows: list[list[Any]] = ROWS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "停车场"
    sheet.append(["湖南湘江新区公共停车场充电设施配建情况检查台账"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(inspector: ConsoleClient, data: bytes, name: str = "台账.xlsx") -> Any:
    return await inspector.http.post(
        "/console/compliance/import",
        data={"csrf": inspector.csrf},
        files={"sheet": (name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )


async def imported(inspector: ConsoleClient, lang: str = "en") -> str:
    inspector.http.cookies.set("xj_lang", lang)
    review = await upload(inspector, register_xlsx())
    assert review.status_code == 200, review.text
    key = re.search(r'action="/console/compliance/import/([^"]+)"', review.text)
    assert key
    done = await inspector.post(f"/console/compliance/import/{key.group(1)}")
    assert done.status_code == 303
    return str(done.headers["location"])


async def test_upload_shows_the_mapping_and_row_errors_then_imports(console_as: Any) -> None:
    inspector = await console_as("inspector")
    inspector.http.cookies.set("xj_lang", "en")
    review = await upload(inspector, register_xlsx())
    assert review.status_code == 200
    page = review.text
    # the mapping: which header became which field; the unrecognised column listed
    assert "所属区县" in page and "<code>district</code>" in page
    assert "<code>lon</code>" in page and "<code>lat</code>" in page
    assert "备注" in page and "not recognised" in page
    # row errors with row, column and message in the reader's language
    assert re.search(r'<td class="num">6</td><td>F 总车位数\(个\)</td><td>约200</td><td>expected', page)
    assert re.search(r'<td class="num">7</td><td>A 序号</td><td></td><td>neither id nor name', page)
    assert "row rejected" in page and "value ignored" in page
    assert 'id="good-rows">4<' in page and 'id="rejected-rows">1<' in page
    # nothing stored before the confirmation
    assert (await csms_count(inspector)) == 0

    inspector.http.cookies.set("xj_lang", "zh")
    review_zh = await upload(inspector, register_xlsx())
    assert "整行未检查" in review_zh.text and "约200" in review_zh.text
    key = re.search(r'action="/console/compliance/import/([^"]+)"', review_zh.text)
    assert key
    no_csrf = await inspector.http.post(f"/console/compliance/import/{key.group(1)}")
    assert no_csrf.status_code == 403
    done = await inspector.post(f"/console/compliance/import/{key.group(1)}")
    assert done.status_code == 303
    report = await inspector.get(done.headers["location"])
    assert 'id="imported-count">4<' in report.text
    rejected = report.text.split('id="rejected"')[1].split("</table>")[0]
    assert re.search(r'<td class="num">7</td><td>A 序号</td>', rejected) and "约200" not in rejected
    assert (await csms_count(inspector)) == 4
    # the key was spent
    again = await inspector.post(f"/console/compliance/import/{key.group(1)}")
    assert again.status_code == 410


async def csms_count(inspector: ConsoleClient) -> int:
    page = await inspector.get("/console/compliance")
    found = re.search(r"(\d+) in all|共 (\d+) 条", page.text)
    assert found, page.text
    return int(found.group(1) or found.group(2))


async def test_a_file_that_is_no_register_is_refused_in_the_readers_language(console_as: Any) -> None:
    inspector = await console_as("inspector")
    no_csrf = await inspector.http.post(
        "/console/compliance/import", files={"sheet": ("a.csv", b"id,name\nA,B\n", "text/csv")}
    )
    assert no_csrf.status_code == 403
    inspector.http.cookies.set("xj_lang", "en")
    refused = await upload(inspector, b"not a workbook", "x.xlsx")
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    wrong = await upload(inspector, b"a,b", "x.pdf")
    assert wrong.status_code == 422 and "Choose an .xlsx or .csv file." in wrong.text


async def test_verdicts_filter_page_and_car_park(console_as: Any) -> None:
    inspector = await console_as("inspector")
    await imported(inspector)
    everything = await inspector.get("/console/compliance")
    assert everything.status_code == 200
    assert "麓谷公共停车场" in everything.text and "望城公共停车场" in everything.text
    by_district = await inspector.get("/console/compliance", params={"district": "望城区"})
    assert "望城公共停车场" in by_district.text and "麓谷公共停车场" not in by_district.text
    failing = await inspector.get("/console/compliance", params={"verdict": "non_compliant"})
    assert "麓谷公共停车场" in failing.text and "梅溪湖景区停车场" not in failing.text
    by_category = await inspector.get("/console/compliance", params={"category": "cultural_tourism"})
    assert "梅溪湖景区停车场" in by_category.text and "望城公共停车场" not in by_category.text
    searched = await inspector.get("/console/compliance", params={"q": "梅溪"})
    assert "梅溪湖景区停车场" in searched.text and "麓谷" not in searched.text.split("<tbody>")[1]

    one = await inspector.get("/console/compliance/car-parks/XJ-001")
    assert one.status_code == 200
    assert "XJ-PUBLIC-30" in one.text and "湖南湘江新区" in one.text  # rule and its document
    assert "CS-LG-1" in one.text and "never heard" in one.text  # the linked station, not seen by the CSMS
    assert 'id="notice-link"' in one.text
    assert (await inspector.get("/console/compliance/car-parks/nope")).status_code == 404

    notice = await inspector.get("/console/compliance/car-parks/XJ-001/notice.pdf")
    assert notice.status_code == 200 and notice.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.content)).pages)
    assert "麓谷公共停车场" in text.replace(" ", "").replace("\n", "")
    none = await inspector.get("/console/compliance/car-parks/XJ-002/notice.pdf")
    assert none.status_code == 404


async def test_downloads(console_as: Any) -> None:
    inspector = await console_as("inspector")
    await imported(inspector, "zh")
    book = await inspector.get("/console/compliance/verdicts.xlsx")
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.max_row >= 4
    report = await inspector.get("/console/compliance/report.html", params={"district": "岳麓区"})
    assert (
        report.status_code == 200
        and "梅溪湖景区停车场" in report.text
        and "望城公共停车场" not in report.text
    )
    notices = await inspector.get("/console/compliance/notices.zip")
    names = zipfile.ZipFile(io.BytesIO(notices.content)).namelist()
    assert sorted(names) == ["整改通知书_XJ-001.pdf", "整改通知书_XJ-003.pdf"]


async def test_map_points_and_boundaries(console_as: Any) -> None:
    inspector = await console_as("inspector")
    await imported(inspector)
    page = await inspector.get("/console/compliance/map")
    assert page.status_code == 200 and 'data-points="/console/compliance/map/points.json"' in page.text
    points = (
        await inspector.get("/console/compliance/map/points.json", params={"verdict": "non_compliant"})
    ).json()
    assert {p["id"] for p in points["points"]} == {"XJ-001", "XJ-003"}
    assert (
        points["points"][0]["lat"] == pytest.approx(28.21) and points["points"][0]["label"] == "non-compliant"
    )
    base = (await inspector.get("/console/compliance/map/boundaries.json")).json()
    assert base["type"] == "FeatureCollection" and len(base["features"]) > 100


async def test_history_of_imports_and_inspections(console_as: Any) -> None:
    inspector = await console_as("inspector")
    location = await imported(inspector)
    log = await inspector.get("/console/compliance/imports")
    assert "台账.xlsx" in log.text and location in log.text
    recorded = await inspector.post(
        "/console/compliance/car-parks/XJ-001/inspections",
        {
            "inspected_on": "2026-11-20",
            "inspector": "张三",
            "findings": "充电车位不足",
            "rectification_deadline": "2027-02-18",
        },
    )
    assert recorded.status_code == 303
    listed = await inspector.get("/console/compliance/inspections")
    assert "张三" in listed.text and "麓谷公共停车场" in listed.text
    one = await inspector.get("/console/compliance/car-parks/XJ-001")
    assert "充电车位不足" in one.text
    backwards = await inspector.post(
        "/console/compliance/car-parks/XJ-001/inspections",
        {"inspected_on": "2026-11-20", "inspector": "张三", "rectification_deadline": "2026-01-01"},
    )
    assert backwards.status_code == 422


@pytest.mark.parametrize("role", ["viewer", "operator", "planner"])
async def test_other_roles_may_not_open_or_post(console_as: Any, role: str) -> None:
    other = await console_as(role)
    assert (await other.get("/console/compliance")).status_code == 403
    assert (await other.get("/console/compliance/map/points.json")).status_code == 403
    refused = await upload(other, register_xlsx())
    assert refused.status_code == 403


async def test_no_page_without_a_session(csms: Csms) -> None:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=csms.app), base_url="http://csms") as http:
        for path in (
            "/console/compliance",
            "/console/compliance/map/points.json",
            "/console/compliance/imports",
        ):
            answer = await http.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
        posted = await http.post("/console/compliance/import", files={"sheet": ("a.csv", b"a,b")})
        assert posted.status_code == 401


async def test_stored_verdicts_and_the_rejudge(csms: Csms, console_as: Any) -> None:
    """Car parks stored under other packs (or before verdicts were kept) are listed as not yet judged, and
    judged on request."""
    services = csms.runtime.services
    record = CarPark(
        id="OLD-1",
        name="旧停车场",
        category=Category.SOCIAL_PUBLIC,
        is_public=True,
        total_spaces=10,
        spaces_with_chargers=0,
        spaces_reserved=0,
    )
    elsewhere = ComplianceService(services.uow, services.clock, services.presence, rules="hunan-2021")
    async with elsewhere.unit() as unit:
        await unit.car_parks.upsert_car_parks([record])
    rows, total = await services.compliance.page(CarParkFilter(verdict="unchecked"), 0, 10)
    assert [r.id for r in rows] == ["OLD-1"] and total == 1
    inspector = await console_as("inspector")
    inspector.http.cookies.set("xj_lang", "en")
    page = await inspector.get("/console/compliance")
    assert "Judge them now" in page.text and "not yet judged" in page.text
    assert (await inspector.http.post("/console/compliance/rejudge")).status_code == 403  # no CSRF token
    assert (await inspector.post("/console/compliance/rejudge")).status_code == 303
    rows, _ = await services.compliance.page(CarParkFilter(), 0, 10)
    assert [(r.id, r.verdict, r.leading_rule, r.shortfall) for r in rows] == [
        ("OLD-1", "non_compliant", "XJ-PUBLIC-30", 3)
    ]
