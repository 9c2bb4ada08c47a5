"""Registers typed the way inspectors type them, built here with openpyxl (no outside sheet).

Each builder returns the file's bytes; the sheets differ on purpose (title rows, merged group headers,
vertically merged headers, header wording, units, cell formats), so that no test is tuned to one layout.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

TITLE = "湖南湘江新区公共停车场充电设施配建情况检查台账(2025年第三季度)"


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet(wb: Workbook) -> Worksheet:
    ws = wb.active
    assert isinstance(ws, Worksheet)
    return ws


def quarterly_ledger() -> bytes:
    """A district ledger: merged title and group headers, natural headers with units, 合计 and 制表人 rows.

    Cells: ``1,200``, ``40个``, ``１５０``, √/×, 是/否, Y/N, real date cells and typed dates.
    """
    wb = Workbook()
    ws = _sheet(wb)
    ws.append([TITLE])
    ws.merge_cells("A1:N1")
    ws.append(
        ["基本信息", None, None, None, None, None, "车位情况", None, None, "快充", "位置", None, None, None]
    )
    for cells in ("A2:F2", "G2:I2", "K2:N2"):
        ws.merge_cells(cells)
    ws.append(
        [
            "序号",
            "停车场名称",
            "所属区县",
            "停车场类型",
            "是否对外开放",
            "是否新建",
            "总车位数(个)",
            "已建充电桩车位数",
            "预留车位数",
            "桩数(≥60kW)",
            "位于干线公路沿线",
            "规划审批日期",
            "备注",
            "联系人",
        ]
    )
    ws.append(
        [
            1,
            "梅溪湖景区停车场",
            "岳麓区",
            "景区",
            "√",
            "否",
            "1,200",
            "40个",
            "１５０",
            2,
            "N",
            date(2015, 3, 1),
            "",
            "张三",
        ]
    )
    ws.append(
        [2, "新区管委会停车场", "岳麓区", "机关单位", "×", "否", 100, 20, 5, 0, "N", "2016/5/4", "", ""]
    )
    ws.append(
        [
            3,
            "雷锋高速服务区",
            "望城区",
            "高速服务区",
            "√",
            "是",
            "２００",
            60,
            "0",
            "0个",
            "Y",
            datetime(2024, 3, 15),
            "",
            "",
        ]
    )
    ws.append(
        [4, "洋湖锦苑小区", "岳麓区", "住宅", "否", "是", 500, 0, "400", None, "N", "2024年3月15日", "", ""]
    )
    ws.append(
        [5, "观沙岭社会停车场", "岳麓区", "社会公共停车场", "是", "", 300, 50, 10, 1, "N", None, "新增", ""]
    )
    ws.append(
        [
            6,
            "含浦文旅小镇停车场",
            "岳麓区",
            "景区停车场",
            "√",
            "否",
            None,
            10,
            0,
            0,
            "N",
            "2019.6.1",
            "总数待核",
            "",
        ]
    )
    ws.append(["合计", None, None, None, None, None, 2300, 180, 565, 3])
    ws.append(["制表人:李四    审核人:王五"])
    return _save(wb)


def gbk_csv() -> bytes:
    """A CSV saved by Excel on Chinese Windows (GBK): no title, other wording, dates in every common form."""
    lines = [
        "编号,车场名称,区域,类别,对外开放,新建/既有,审批日期,车位总数(辆),充电车位数,预留充电车位数,"
        "直流快充桩数(≥60kW),干线公路沿线,专属车位,慢充桩数(个),联系电话",
        'YL-01,麓谷公共停车场,岳麓区,公共停车场,有,既有,2019/6/1,"1,000",100,150,0,false,,20,0731-1',
        "YL-02,金洲小区,宁乡市,小区,无,新建,2024.5.20,220,10,150,,false,200,10,",
        "YL-03,大王山旅游区停车场,岳麓区,旅游景区,有,新建,2024年3月15日,90,0,27,,false,,0,",
        "YL-04,市政府机关停车场,岳麓区,政府机关,无,既有,2019-06-01,50,15,0,0,true,,0,",
        "YL-05,坪塘街道居民小区,岳麓区,居民小区,无,,45366,120,0,0,,false,100,0,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def two_row_header() -> bytes:
    """Vertically merged headers (序号, 停车场名称 span two rows) beside a group row with sub-headers.

    Also: an Excel serial in a number cell, a datetime cell, a bad date, full-width digits, a blank total,
    an unmapped relevant column (``充电桩编号``), and a repeated header row for the second printed page.
    """
    wb = Workbook()
    ws = _sheet(wb)
    ws.append(["填报单位:湘江新区住建局", None, None, None, "填报日期:2025年10月8日"])
    ws.append(
        [
            "序号",
            "停车场名称",
            "类别",
            "对外开放",
            "充电设施",
            None,
            "快充桩数(60kW及以上)",
            "审批日期",
            "充电桩编号",
            "地下层数",
        ]
    )
    ws.append([None, None, None, None, "总车位数", "已建充电桩车位数", None, None, None, None])
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3", "H2:H3", "I2:I3", "J2:J3"):
        ws.merge_cells(cells)
    ws.append(["XS-1", "白沙洲服务区", "高速公路服务区", "是", "８０", "２４", "1", 43617, "CP-1;CP-2", 0])
    ws.append(["XS-2", "高塘岭机关院", "公共机构", "否", 40, 8, "0", datetime(2020, 1, 8), "", 1])
    ws.append(["XS-3", "丁字湾景区", "文旅休闲景区", "是", None, 5, 0, "2023年13月1日", "", 0])
    ws.append(
        [
            "序号",
            "停车场名称",
            "类别",
            "对外开放",
            "总车位数",
            "已建充电桩车位数",
            "快充桩数(60kW及以上)",
            "审批日期",
            "充电桩编号",
            "地下层数",
        ]
    )
    ws.append(["XS-4", "月亮岛停车场", "公园", "是", 60, 20, 0, "2018-04-01", "", 0])
    ws.append([None, "无编号停车场", "社会停车场", "是", 20, 6, 0, None, "", 0])
    ws.append([None, None, "社会停车场", "是", 20, 6, 0, None, "", 0])
    return _save(wb)


def instructions_first() -> bytes:
    """The quarterly ledger behind an instructions sheet (a workbook's first sheet is not always the data)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(quarterly_ledger()))
    wb.active.title = "台账"  # type: ignore[union-attr]
    notes = wb.create_sheet("填表说明", 0)
    notes.append(["填表说明"])
    notes.append(["1. 每个停车场填写一行;2. 车位数填整数;3. 日期填年月日。"])
    return _save(wb)


def street_office_form() -> bytes:
    """A street office's form: three information rows, headers with line breaks and full-width brackets,
    the columns in another order, float ids, padded cells, a plain 快充桩数 column (60 kW not stated)."""
    wb = Workbook()
    ws = _sheet(wb)
    ws.append(["观沙岭街道停车场充电设施摸排表"])
    ws.append(["填报人:赵六", None, "电话:0731-88888888"])
    ws.append([])
    ws.append(
        [
            "总车位数\n（个）", "停车场\n名称", "编 号", "类别", "是否\n新建", "专属车位数（个）",
            "已建充电设施\n车位数（个）", "预留安装条件车位数（个）", "快充桩数", "竣工验收日期",
        ]
    )
    ws.append([" 80 ", "滨江小区", 1.0, " 住宅小区 ", "是 ", "60", "10", "50", 0, "2025-1-5"])
    ws.append(["45", "观沙岭商业广场", 2.0, "商业综合体", "否", None, "5", "0", 1, "2016-12-30"])
    ws.append(["120", "岳麓区档案馆", 3.0, "事业单位", "否", None, "30", "6", "", "2012/9/9"])
    ws.append(["60", "江景公寓", 4.0, "居住区", "是", "60", "0", "59", "", "2025年6月30日"])
    return _save(wb)
