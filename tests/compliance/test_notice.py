"""Rectification notices in official form: every part present, no internal code, no English or [U] in a
Chinese notice, gaps merged across packs, fonts embedded; the PDF is rendered to PNG and inspected."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from cp_builders import make_car_park
from pypdf import PdfReader

from compliance.cli import main
from compliance.errors import NoticeError
from compliance.evaluate import evaluate
from compliance.packs import get_pack, shipped_packs
from compliance.reports.notice import render_notice, write_notices
from compliance.reports.notice_text import NoticeConfig, NoticeText, notice_gaps, notice_text

CHINESE_PACKS = [p for pid, p in shipped_packs().items() if pid != "uk-ads-2021"]
CONFIG = NoticeConfig(
    authority="湖南湘江新区住房和城乡建设局",
    number_pattern="湘新住建改〔{year}〕第{n}号",
    first_number=34,
    deadline_days=60,
    objection_days=10,
    inspectors=("张三", "李四"),
)
#: A Chinese notice's own words use full-width punctuation; the tests compare them with it mapped back.
TO_ASCII = str.maketrans({"\uff0c": ",", "\uff1a": ":", "\uff1b": ";", "\uff08": "(", "\uff09": ")"})


def plain(text: str) -> str:
    return text.translate(TO_ASCII)


def plain_notice(text: NoticeText) -> NoticeText:
    fields = {f.name: getattr(text, f.name) for f in dataclasses.fields(text)}
    return NoticeText(
        **{
            k: plain(v)
            if isinstance(v, str)
            else [plain(x) if isinstance(x, str) else [plain(c) for c in x] for x in v]
            for k, v in fields.items()
        }
    )


RULE_CODE = re.compile(r"\b(?:XJ|HN21|HN23|CS23|NAT15|GBT51313|UK)-[A-Z0-9.-]+")


def _compound(**fields: object):
    """A new residential compound (approved 2024) with 92 dedicated spaces and nothing provided."""
    values: dict[str, object] = dict(
        id="YH-0034",
        name="洋湖家园小区停车场",
        owner="长沙洋湖物业管理有限公司",
        district="岳麓区",
        address="洋湖大道88号",
        category="residential",
        is_new=True,
        approval_date=date(2024, 3, 15),
        total_spaces=100,
        dedicated_spaces=92,
        underground_levels=1,
        spaces_with_chargers=0,
        fire_alarm=False,  # GB/T 51313 §6.1.6 is [U]: it must not reach the notice
        smoke_extraction=True,
        sprinklers=True,
        emergency_lighting=True,
    )
    values.update(fields)
    return evaluate(make_car_park(**values), CHINESE_PACKS)


def test_the_same_gap_under_three_packs_is_one_line_citing_each_document_once():
    gaps = notice_gaps(_compound(), "zh")
    assert len(gaps) == 1
    [gap] = gaps
    assert gap.shortfall == 92
    assert [c.document_number for c in gap.citations] == [
        "湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号",
        "湘政办发〔2021〕4号",
        "国办发〔2015〕73号",
    ]


def test_chinese_notice_has_every_official_part_and_no_code_english_or_u_mark():
    raw = notice_text(
        _compound(), "zh", date(2026, 12, 2), CONFIG, number=34, inspected_on=date(2026, 11, 28)
    )
    assert raw.addressee.endswith("\uff1a") and "\uff0c" in raw.intro  # full-width punctuation
    quoted = [b[b.index("「") + 1 : -1] for b in raw.basis]
    assert (
        quoted[1] == get_pack("hunan-2021").rule("HN21-RESIDENTIAL-100").quote
    )  # verbatim, not re-punctuated
    text = plain_notice(raw)
    assert text.authority == "湖南湘江新区住房和城乡建设局"
    assert text.title == "整改通知书"
    assert text.number == "湘新住建改〔2026〕第34号"
    assert text.addressee == "长沙洋湖物业管理有限公司:"
    assert text.intro.startswith(
        "2026年11月28日,湖南湘江新区住房和城乡建设局对你单位产权或管理的洋湖家园小区停车场"
    )
    assert text.table_head == ["序号", "整改事项", "应配建", "现有", "缺口", "依据"]
    [row] = text.table_rows
    assert row[:5] == [
        "1",
        "已建充电设施或预留安装条件的车位不低于专属停车位的100%",
        "92个(专属停车位92个×100%,向上取整)",
        "0个(已建充电设施0+预留安装条件0)",
        "92",
    ]
    # The legal basis: each verified clause once, quoted verbatim; nothing from the [U] fire-safety clause.
    assert text.basis == [
        "《湖南湘江新区推进碳达峰碳中和三年行动工作方案及责任分工(2023-2025)》"
        "(湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号)三(五)3:"
        "「新建住宅小区专属停车位按100%配建比例预留电动汽车充电桩安装条件」",
        "湖南省人民政府办公厅《关于加快电动汽车充(换)电基础设施建设的实施意见》(湘政办发〔2021〕4号)"
        "关于住宅小区的规定:「新建住宅小区专属停车位,按100%配建比例预留电动汽车充电桩安装条件"
        "(包括必要的土建设施、供电容量、设备位置、电缆桥架等,达到接桩即可用,下同)」",
        "国务院办公厅《关于加快电动汽车充电基础设施建设的指导意见》(国办发〔2015〕73号)"
        "关于新建住宅的规定:「原则上新建住宅配建停车位应100%建设充电设施或预留建设安装条件」",
    ]
    assert text.paragraphs[0].startswith("上述情形不符合下列规定。现责令你单位于2027年1月31日前完成整改")
    assert text.objection.startswith(
        "如对本通知书内容有异议,可自收到本通知书之日起10日内向湖南湘江新区住房和城乡建设局"
    )
    assert text.inspectors == "检查人员:张三、李四"
    assert text.signature == ["湖南湘江新区住房和城乡建设局(盖章)", "2026年12月2日"]
    assert text.receipt[0].startswith("被检查单位签收")
    everything = text.all_text()
    assert not RULE_CODE.search(everything), RULE_CODE.search(everything)
    assert "[U]" not in everything and "火灾自动报警" not in everything
    assert not re.search(r"[A-Za-z]", everything.replace("YH-0034", ""))  # the car park's own id only


def test_a_car_park_failing_only_unverified_clauses_gets_no_official_notice(tmp_path):
    fire_only = _compound(
        dedicated_spaces=0, spaces_with_chargers=1, id="YH-0035"
    )  # only GB/T 51313 §6.1.6 [U] fails
    with pytest.raises(NoticeError, match="not verified"):
        notice_text(fire_only, "zh", date(2026, 12, 2), CONFIG)
    paths = write_notices([fire_only, _compound()], tmp_path, "zh", date(2026, 12, 2), CONFIG)
    assert [p.name for p in paths] == ["整改通知书_YH-0034.pdf"]


def test_self_declared_fast_charger_count_is_said_in_the_notice():
    station = evaluate(
        make_car_park(
            name="雷锋服务区", category="expressway_service_area", total_spaces=40, spaces_with_chargers=12
        ),
        [get_pack("xiangjiang-2023")],
    )
    [row] = plain_notice(notice_text(station, "zh", date(2026, 12, 2), CONFIG)).table_rows
    assert row[1] == "单桩功率不低于60千瓦的直流快速充电桩不少于1台"
    assert row[3] == "0台(台账自报)"
    assert row[5] == "湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号;湘政办发〔2021〕4号"


def test_english_notice_and_a_bad_number_pattern():
    text = notice_text(_compound(), "en", date(2026, 12, 2), CONFIG)
    assert text.title == "Rectification notice" and "2027-01-31" in text.paragraphs[0]
    assert "within 10 days" in text.objection
    with pytest.raises(NoticeError, match="year"):
        notice_text(_compound(), "zh", date(2026, 12, 2), NoticeConfig(number_pattern="第{x}号"))


def test_pdf_embeds_the_shipped_font_and_renders(tmp_path):
    pdf, ext = render_notice(_compound(), "zh", date(2026, 12, 2), CONFIG, number=34)
    assert ext == "pdf"
    reader = PdfReader(io.BytesIO(pdf))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts.append(
                (str(font["/BaseFont"]), descriptor is not None and "/FontFile2" in descriptor.get_object())
            )
    assert fonts and all(embedded for _, embedded in fonts)  # every font embedded, none left to the reader
    assert all("XJNoticeSans" in name for name, _ in fonts)
    words = plain("".join(page.extract_text() for page in reader.pages))
    for part in (
        "湘新住建改〔2026〕第34号",
        "长沙洋湖物业管理有限公司",
        "如对本通知书内容有异议",
        "检查人员:张三、李四",
    ):
        assert part in words.replace("\n", ""), part
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        font_lines = listing.splitlines()[2:]
        assert font_lines and all(line.split()[-5] == "yes" for line in font_lines)  # the "emb" column
    if shutil.which("pdftoppm"):
        (tmp_path / "notice.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "50", "-png", str(tmp_path / "notice.pdf"), str(tmp_path / "page")], check=True
        )
        pngs = sorted(tmp_path.glob("page*.png"))
        assert pngs and pngs[0].stat().st_size > 10_000  # a page with text, not a blank one


def test_cli_passes_authority_numbering_and_inspectors(tmp_path):
    register = tmp_path / "r.csv"
    register.write_text(
        "id,name,owner,category,is_new,approval_date,total_spaces,dedicated_spaces,spaces_with_chargers,"
        "spaces_reserved\n"
        "R1,梅溪湖小区,梅溪湖物业公司,residential,是,2024-01-01,50,40,0,0\n"
        "R2,洋湖小区,洋湖物业公司,residential,是,2024-01-01,50,40,0,10\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "check", str(register), "--rules", "xiangjiang-2023,hunan-2021", "--out", str(out),
            "--issued", "2026-12-02", "--notice-format", "html", "--authority", "湘江新区住建局",
            "--notice-number", "湘新住建改〔{year}〕第{n}号", "--notice-start", "5", "--inspector", "王五",
        ]
    )  # fmt: skip
    assert code == 0
    first = plain((out / "notices" / "整改通知书_R1.html").read_text(encoding="utf-8"))
    second = plain((out / "notices" / "整改通知书_R2.html").read_text(encoding="utf-8"))
    assert "湘新住建改〔2026〕第5号" in first and "湘新住建改〔2026〕第6号" in second
    assert "梅溪湖物业公司:" in first and "检查人员:王五" in first and "湘江新区住建局(盖章)" in first
    assert first.count("<tr><td>") == 1  # XJ and 湘政办发〔2021〕4号 find the same gap: one line


def test_a_laxer_rule_breached_by_the_same_shortfall_is_cited_but_gets_no_line_of_its_own():
    # XJ: 30% of all spaces; 国办发〔2015〕73号: 10% ("…车位比例不低于10%"), same counts: one gap of 92.
    building = evaluate(
        make_car_park(category="public_building", owner="某公司", total_spaces=305, is_public=True),
        [get_pack("xiangjiang-2023"), get_pack("national-2015")],
    )
    [gap] = notice_gaps(building, "zh")
    assert gap.shortfall == 92
    assert [c.document_number for c in gap.citations] == ["湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号"]
    assert [c.document_number for c in gap.lesser] == ["国办发〔2015〕73号"]
    text = notice_text(building, "zh", date(2026, 12, 2), CONFIG)
    assert len(text.table_rows) == 1 and "国办发" not in text.table_rows[0][5]
    assert any("车位比例不低于10%」" in b for b in text.basis)
