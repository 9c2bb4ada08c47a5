"""The car-park record: plain, typed, immutable values (no I/O).

A field left ``None`` means "the register does not say"; the evaluator turns a needed unknown into an
``insufficient_data`` verdict instead of guessing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from compliance.categories import Category
from compliance.coords import gcj02_to_wgs84
from compliance.schema import spec

Current = Literal["AC", "DC", "AC+DC"]

MAX_VALUE = 1_000_000
"""The most any number of a car park may be (spaces, piles, dwellings, levels, kW, kVA): no car park counts a
million of anything, and the bound keeps every value inside the database's 32-bit integers. A larger value is
refused by the API (422) and read as blank, with a message, by the importers."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CarPark:
    """One car park of the inspectors' register; the schema of record of a car park.

    Each field's ``metadata`` holds its :class:`compliance.schema.Spec` (labels, unit, register header
    and aliases, bounds, help): the register columns and template, the labels, the REST models and the
    stored JSON are derived from these declarations, in this order (the register's column order).

    Coordinates are WGS-84 degrees; when the register gave GCJ-02 they were converted on construction
    through :meth:`with_gcj02` and ``coords_converted_from_gcj02`` is set. Counts are spaces, except
    ``dc_fast_chargers_60kw`` (piles of at least 60 kW DC each, 湘政办发〔2021〕4号) and ``dwellings``.
    A dual-gun pile serving two spaces counts as two spaces with chargers.

    Examples
    --------
    >>> cp = CarPark(id="XJ-1", name="梅溪湖停车场", category=Category.SOCIAL_PUBLIC, total_spaces=10)
    >>> cp.category.label_zh, cp.spaces_reserved is None
    ('社会公共停车场', True)
    """

    id: str = field(
        metadata=spec(
            aliases=("编号", "停车场编号", "车场编号", "项目编号", "编码", "序号", "ID", "No."),
            zh="编号",
            en="id",
            required=True,
            help_en="Unique id of the car park",
            help_zh="停车场唯一编号",
        )
    )
    name: str = field(
        metadata=spec(
            aliases=("停车场名称", "车场名称", "停车场", "项目名称", "场所名称", "名称(停车场)"),
            zh="名称",
            en="name",
            required=True,
            help_en="Name",
            help_zh="停车场名称",
        )
    )
    owner: str = field(
        default="",
        metadata=spec(
            zh="产权/管理单位",
            en="owner or manager",
            aliases=("产权单位", "管理单位", "产权管理单位", "物业管理单位", "owner", "manager"),
            help_en="Addressee of a rectification notice",
            help_zh="整改通知书的送达对象",
        ),
    )
    address: str = field(
        default="",
        metadata=spec(
            aliases=("详细地址", "停车场地址", "具体地址", "具体位置", "地点"), zh="地址", en="address"
        ),
    )
    district: str = field(
        default="",
        metadata=spec(
            aliases=("所属区县", "所在区县", "区县(市)", "区(县、市)", "行政区", "所属区域", "区域", "片区"),
            zh="区县",
            en="district",
            help_en="District (for the district summary)",
            help_zh="所在区县(用于分区汇总)",
        ),
    )
    street: str = field(
        default="",
        metadata=spec(
            aliases=("所属街道", "街道(镇)", "镇街", "街镇", "乡镇(街道)", "街道(乡镇)"),
            zh="街道",
            en="street",
        ),
    )
    lon_deg: float | None = field(
        default=None,
        metadata=spec(
            aliases=("经度", "longitude", "lng"),
            zh="经度",
            en="longitude",
            column="lon",
            ge=-180,
            le=180,
            help_en="Longitude [degrees]",
            help_zh="经度(度)",
        ),
    )
    lat_deg: float | None = field(
        default=None,
        metadata=spec(
            aliases=("纬度", "latitude"),
            zh="纬度",
            en="latitude",
            column="lat",
            ge=-90,
            le=90,
            help_en="Latitude [degrees]",
            help_zh="纬度(度)",
        ),
    )
    coords_converted_from_gcj02: bool = field(
        default=False,
        metadata=spec(zh="坐标由GCJ02转换", en="coordinates converted from GCJ-02", column=None),
    )
    category: Category = field(
        metadata=spec(
            aliases=(
                "停车场类别",
                "停车场类型",
                "类型",
                "场所类型",
                "场所类别",
                "停车场性质",
                "性质",
                "分类",
                "用地性质",
            ),
            zh="类别",
            en="category",
            required=True,
            help_en="One of the category codes (or its Chinese name)",
            help_zh="类别代码或中文名称",
        )
    )
    is_public: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("对外开放", "是否开放", "是否对社会开放", "是否对公众开放", "对社会开放", "开放情况"),
            zh="是否对外开放",
            en="open to the public",
            help_en="true/false or 是/否",
            help_zh="是/否",
        ),
    )
    public_car_park: bool | None = field(
        default=None,
        metadata=spec(
            zh="登记为公共停车场",
            en="registered as a public car park",
            help_en="A public car park (公共停车场) in its own right, e.g. inside a residential compound",
            help_zh="该停车场本身登记为公共停车场(如住宅小区内独立登记的公共停车场)",
        ),
    )
    is_new: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("新建", "新建/既有", "新建或既有", "新建/已建", "建设性质", "是否新建停车场"),
            zh="是否新建",
            en="new",
            help_en="true/false or 是/否; with an approval date each rule judges newness by its own date",
            help_zh="是/否;填有规划审批日期时,各条款按各自文件的施行日期判定是否新建",
        ),
    )
    approval_date: date | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "审批日期",
                "规划审批时间",
                "规划许可日期",
                "规划许可证日期",
                "工程规划许可日期",
                "批复日期",
                "立项日期",
            ),
            zh="规划审批日期",
            en="planning approval date",
            help_en="YYYY-MM-DD",
            help_zh="年-月-日",
        ),
    )
    completion_date: date | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "竣工日期",
                "竣工时间",
                "竣工验收时间",
                "验收日期",
                "建成日期",
                "建成时间",
                "投用日期",
                "投入使用日期",
            ),
            zh="竣工验收日期",
            en="completion date",
            help_en="YYYY-MM-DD",
            help_zh="年-月-日",
        ),
    )
    total_spaces: int | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "总车位",
                "车位总数",
                "停车位总数",
                "总停车位",
                "车位数",
                "停车位数",
                "车位数量",
                "总泊位数",
                "泊位总数",
                "泊位数",
            ),
            zh="总车位数",
            en="total spaces",
            required=True,
            ge=0,
            le=MAX_VALUE,
            help_en="All spaces",
            help_zh="全部车位",
        ),
    )
    dedicated_spaces: int | None = field(
        default=None,
        metadata=spec(
            aliases=("专属车位", "专属停车位", "固定车位数", "产权车位数", "专用车位数", "自有车位数"),
            zh="专属车位数",
            en="dedicated spaces",
            ge=0,
            le=MAX_VALUE,
            help_en="Owned or assigned spaces (residential base)",
            help_zh="产权或固定车位(住宅配建基数)",
        ),
    )
    dwellings: int | None = field(
        default=None,
        metadata=spec(
            aliases=("户数", "总户数", "住宅户数", "住户"), zh="住户数", en="dwellings", ge=0, le=MAX_VALUE
        ),
    )
    spaces_with_chargers: int | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "已建充电桩车位数",
                "充电车位",
                "已建充电车位数",
                "已建充电设施车位",
                "已建充电桩车位",
                "充电车位数",
                "已配建充电设施车位数",
                "建有充电设施车位数",
                "充电桩车位数",
                "已建成充电车位数",
                "已安装充电桩车位数",
            ),
            zh="已建充电设施车位数",
            en="spaces with chargers",
            ge=0,
            le=MAX_VALUE,
            help_en="A dual-gun pile serving two spaces counts two",
            help_zh="一桩双枪服务两个车位计2个",
        ),
    )
    charger_power_kw: float | None = field(
        default=None,
        metadata=spec(
            aliases=("充电桩功率", "单桩功率(kW)", "额定功率", "功率"),
            zh="单桩功率",
            en="power per charger",
            unit="kW",
            ge=0,
            le=MAX_VALUE,
        ),
    )
    charger_current: Current | None = field(
        default=None,
        metadata=spec(
            aliases=("交直流", "交流/直流", "充电类型", "桩类型", "充电桩类型", "电流类型"),
            zh="交流/直流",
            en="AC or DC",
            help_en="AC, DC or AC+DC",
            help_zh="交流、直流或交直流",
        ),
    )
    spaces_reserved: int | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "预留车位数",
                "预留车位",
                "预留充电车位数",
                "预留充电设施车位数",
                "预留安装条件车位",
                "预留充电桩安装条件车位数",
                "预留充电桩车位数",
            ),
            zh="预留安装条件车位数",
            en="reserved spaces",
            ge=0,
            le=MAX_VALUE,
            help_en="Spaces with conditions reserved, chargers not yet built",
            help_zh="已预留安装条件但未建桩的车位",
        ),
    )
    # Evidence for the reserved installation conditions (湘政办发〔2021〕4号: "接桩即可用").
    conduit_to_each_space: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("管线桥架到位", "管线到位", "桥架到位", "管线到每个车位"),
            zh="管线桥架到每个车位",
            en="conduit to each space",
        ),
    )
    reserved_capacity_kva: float | None = field(
        default=None,
        metadata=spec(
            aliases=("预留容量", "预留电力容量", "预留用电容量", "预留变压器容量"),
            zh="预留供电容量",
            en="reserved supply capacity",
            unit="kVA",
            ge=0,
            le=MAX_VALUE,
        ),
    )
    meter_box_position: str | None = field(
        default=None,
        metadata=spec(aliases=("表箱位置", "电表箱位置预留"), zh="电表箱位置", en="meter box position"),
    )
    civil_works_done: bool | None = field(
        default=None,
        metadata=spec(aliases=("土建是否到位", "土建条件", "土建预留到位"), zh="土建到位", en="civil works"),
    )
    underground_levels: int | None = field(
        default=None,
        metadata=spec(
            aliases=("地下室层数", "地下车库层数", "地下停车层数"),
            zh="地下层数",
            en="underground levels",
            ge=0,
            le=MAX_VALUE,
        ),
    )
    # Fire-safety preconditions for chargers in underground garages (GB/T 51313-2018 §6.1.6, wording [U]).
    fire_alarm: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("火灾自动报警", "火灾报警系统", "火灾报警"),
            zh="火灾自动报警系统",
            en="fire alarm system",
        ),
    )
    smoke_extraction: bool | None = field(
        default=None, metadata=spec(aliases=("排烟系统", "排烟"), zh="排烟设施", en="smoke extraction")
    )
    sprinklers: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("自动喷淋系统", "喷淋系统", "自动喷淋", "喷淋"),
            zh="自动喷水灭火系统",
            en="automatic sprinklers",
        ),
    )
    emergency_lighting: bool | None = field(
        default=None,
        metadata=spec(
            aliases=("应急照明", "应急照明和疏散指示", "应急照明及疏散指示标志"),
            zh="消防应急照明和疏散指示标志",
            en="emergency lighting and exit signs",
        ),
    )
    on_trunk_road: bool | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "干线公路沿线",
                "是否位于干线公路沿线",
                "是否干线公路沿线",
                "位于干线公路",
                "是否位于国省干线",
            ),
            zh="位于干线公路沿线",
            en="on a trunk road",
        ),
    )
    dc_fast_chargers_60kw: int | None = field(
        default=None,
        metadata=spec(
            aliases=(
                "快充桩数(≥60kW)",
                "直流快充桩数(≥60kW)",
                "≥60kW快充桩数",
                "60kW以上直流快充桩数",
                "快充桩数(60kW及以上)",
            ),
            zh="60kW及以上直流快充桩数",
            en="DC fast chargers >= 60 kW",
            ge=0,
            le=MAX_VALUE,
        ),
    )
    piles_listed: int | None = field(
        default=None,
        metadata=spec(
            zh="充电桩清单桩数",
            en="piles listed",
            column=None,
            ge=0,
            le=MAX_VALUE,
            help_en="Piles of this car park in the pile list; None: no pile list, counts are self-declared",
            help_zh="充电桩清单中本停车场的桩数;无清单时为空(汇总数按自报计)",
        ),
    )
    station_ids: tuple[str, ...] = field(
        default=(),
        metadata=spec(
            aliases=("充电站编号", "站点编号", "CSMS站点编号", "充电站ID"),
            zh="关联充电站编号",
            en="station ids",
            help_en="CSMS station ids separated by ';'",
            help_zh="CSMS站点编号,以;分隔",
        ),
    )

    @property
    def reserved_evidence_complete(self) -> bool:
        """True when every kind of evidence for reserved conditions is on file.

        The four kinds follow 湘政办发〔2021〕4号 (civil works, supply capacity, equipment position,
        cable trays): conduit or tray to each space, reserved supply capacity > 0 kVA, a meter-box
        position, and civil works done.
        """
        return bool(
            self.conduit_to_each_space
            and self.reserved_capacity_kva is not None
            and self.reserved_capacity_kva > 0
            and self.meter_box_position
            and self.civil_works_done
        )

    def is_new_under(self, effective: date) -> bool | None:
        """Whether the car park is "new" for a rule in force from ``effective``.

        With a planning approval date, new means approved on or after the rule's own effective date, so a
        compound approved 2022-06-01 is new under 湘政办发〔2021〕4号 (2021) but not under the Xiangjiang plan
        (2023-09-06). Without one, the register's ``is_new`` stands.

        Examples
        --------
        >>> cp = CarPark(id="a", name="a", category=Category.RESIDENTIAL, approval_date=date(2022, 6, 1))
        >>> cp.is_new_under(date(2021, 2, 1)), cp.is_new_under(date(2023, 9, 6))
        (True, False)
        """
        if self.approval_date is not None:
            return self.approval_date >= effective
        return self.is_new

    def with_gcj02(self, lon_deg: float, lat_deg: float) -> CarPark:
        """Copy of this record placed at GCJ-02 coordinates, converted to WGS-84 and flagged.

        Examples
        --------
        >>> cp = CarPark(id="a", name="a", category=Category.OTHER).with_gcj02(112.9054, 28.1965)
        >>> cp.coords_converted_from_gcj02, round(cp.lon_deg, 3), round(cp.lat_deg, 3)
        (True, 112.9, 28.2)
        """
        wgs_lon, wgs_lat = gcj02_to_wgs84(lon_deg, lat_deg)
        return dataclasses.replace(self, lon_deg=wgs_lon, lat_deg=wgs_lat, coords_converted_from_gcj02=True)
