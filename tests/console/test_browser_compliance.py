"""The inspector's journey in a real browser (Debian's Chromium through Playwright) against the whole server:
upload a register with natural Chinese headers and one bad row, see the column mapping and the row error,
import, filter the verdicts, open a car park (its linked charger connected live), download its notice (a PDF
naming the car park), the map, the history. Screenshots of every page in zh and en."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.console.conftest import open_console
from tests.console.test_compliance import register_xlsx
from tests.harness import Csms, Wire


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_inspector_journey(browser: Any, live_csms: Csms, tmp_path: Path, lang: str) -> None:
    zh = lang == "zh"
    sheet = tmp_path / "湘江新区停车场台账.xlsx"
    sheet.write_bytes(register_xlsx())
    await live_csms.station("CS-LG-1")
    async with live_csms.connect("CS-LG-1") as ws:  # the charger the register links to 麓谷公共停车场
        boot = await Wire(ws).call("BootNotification", {"chargePointVendor": "XJ", "chargePointModel": "AC7"})
        assert boot[2]["status"] == "Accepted"

        tab = await open_console(browser, live_csms, "inspector", lang)
        page = tab.page
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before the import
        base = tab.base
        assert page.url == f"{base}/console/compliance"  # an inspector lands on the verdicts
        await tab.shot(f"compliance-empty-{lang}")

        # upload -> review: the mapping and the row error, in the reader's language
        await page.get_by_role("link", name="导入台账" if zh else "Import a register").first.click()
        await page.wait_for_url(f"{base}/console/compliance/import")
        await tab.shot(f"compliance-import-{lang}")
        await page.set_input_files("#register", str(sheet))
        await page.get_by_role("button", name="读取台账" if zh else "Read the register").click()
        await page.wait_for_selector("#mapping")
        mapping = await page.locator("#mapping").inner_text()
        assert "所属区县" in mapping and "district" in mapping and "备注" in mapping
        assert ("未识别" if zh else "not recognised") in mapping
        bad = page.locator("#row-errors tr", has_text="A 序号")
        assert await bad.count() == 1
        cells = await bad.locator("td").all_inner_texts()
        assert cells[0] == "7"
        assert ("无法识别" in cells[3]) if zh else ("neither id nor name" in cells[3])
        assert await page.locator("#good-rows").inner_text() == "4"
        await tab.shot(f"compliance-review-{lang}")

        # confirm: the good rows go through, the bad one is listed
        await page.locator("#confirm-import").click()
        await page.wait_for_selector("#imported-count")
        assert await page.locator("#imported-count").inner_text() == "4"
        assert "A 序号" in await page.locator("#rejected").inner_text()
        await tab.shot(f"compliance-imported-{lang}")

        # the verdicts, filtered by district and verdict
        await page.get_by_role("link", name="查看检查结论" if zh else "See the verdicts").click()
        await page.wait_for_selector("#verdicts")
        await page.select_option("#f-district", "岳麓区")
        await page.select_option("#f-verdict", "non_compliant")
        await page.get_by_role("button", name="筛选" if zh else "Filter").click()
        await page.wait_for_url("**verdict=non_compliant**")
        rows = await page.locator("#verdicts tbody tr").all_inner_texts()
        assert len(rows) == 1 and "麓谷公共停车场" in rows[0]
        await tab.shot(f"compliance-verdicts-{lang}")

        # one car park: explanation, citations, its charger online now
        await page.get_by_role("link", name="麓谷公共停车场").click()
        await page.wait_for_selector("#rule-verdicts")
        assert "XJ-PUBLIC-30" in await page.locator("#rule-verdicts").inner_text()
        assert "2023" in await page.locator("#citations").inner_text()
        chargers = await page.locator("#chargers").inner_text()
        assert "CS-LG-1" in chargers and ("在线" if zh else "online") in chargers
        await tab.shot(f"compliance-car-park-{lang}")

        # its notice: a PDF naming the car park
        async with page.expect_download() as waiting:
            await page.locator("#notice-link").click()
        download = await waiting.value
        pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
        assert pdf.startswith(b"%PDF")
        text = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
        assert "麓谷公共停车场" in text
        (tmp_path / "notice.pdf").write_bytes(pdf)

        # record an inspection, then the history
        await page.fill("#i-inspector", "张三")
        await page.fill("#i-findings", "充电车位不足" if zh else "too few charging spaces")
        await page.get_by_role("button", name="登记" if zh else "Record", exact=True).click()
        await page.wait_for_selector("#inspections table")
        await tab.goto("/console/compliance/inspections")
        assert "张三" in await page.locator("#inspection-list").inner_text()
        await tab.shot(f"compliance-inspections-{lang}")
        await tab.goto("/console/compliance/imports")
        assert "湘江新区停车场台账.xlsx" in await page.locator("#imports").inner_text()
        await tab.shot(f"compliance-imports-{lang}")

        # the map: Hunan's boundaries and the car parks coloured by verdict
        await tab.goto("/console/compliance/map")
        dots = page.locator("#cp-map path.leaflet-interactive")
        await dots.nth(2).wait_for()  # (not wait_for_function: the CSP forbids the eval it uses)
        await page.wait_for_selector("#cp-map[data-ready]")
        assert await dots.count() == 3
        assert "3" in await page.locator("#cp-map-count").inner_text()
        await tab.shot(f"compliance-map-{lang}")

        unnamed = await page.evaluate(
            """() => [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea')]
                  .filter(el => !(el.innerText || el.getAttribute('aria-label')
                                  || (el.labels && el.labels.length)))
                  .map(el => el.outerHTML)"""
        )
        assert unnamed == []
        tab.assert_clean()
