"""One-off merge that wrote ``service_areas.csv``: the trunk sample's 30 placed rows joined with the
62 named rows of the second source pass (``more_sources/service_areas_named.csv``, keys S1-S62).

Kept for provenance; run ``python3 merge_more_sources.py MORE_SOURCES_DIR`` from this folder.
No number is computed here except where a column says so; placement rules are in README.md.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
S34 = (
    "S34: http://jtt.hunan.gov.cn/xxgk/gzdt/tzdt1/202501/t20250113_33561956.html "
    "(湖南省交通运输厅 2025-01-10, official)"
)
# Rows of the second pass placed on a modelled edge: name -> (code, between_from, between_to, why).
PLACEMENT = {
    "永安停车区": ("G0421", "yueyang", "changsha", "岳望段 (岳阳新开-长沙望城) order as listed in S16"),
    "荣家湾服务区": ("G0421", "yueyang", "changsha", "岳望段 (岳阳新开-长沙望城) order as listed in S16"),
    "屈子祠停车区": ("G0421", "yueyang", "changsha", "岳望段 (岳阳新开-长沙望城) order as listed in S16"),
    "湘阴服务区": ("G0421", "yueyang", "changsha", "岳望段 (岳阳新开-长沙望城) order as listed in S16"),
    "湘阴南停车区": ("G0421", "yueyang", "changsha", "岳望段 (岳阳新开-长沙望城) order as listed in S16"),
    "太子庙服务区": (
        "G5513",
        "yiyang",
        "changde",
        "K123 on the 长常段 chainage (S31) lies beyond 益阳 on 长常",
    ),
    "苏仙服务区": (
        "G4",
        "chenzhou",
        "湘粤界",
        "18 km south of the 郴州 exit (S2): outside the modelled network",
    ),
}
COLUMNS = [
    "name_zh",
    "facility",
    "expressway_code",
    "between_from",
    "between_to",
    "order_along_route",
    "km_post_if_known",
    "km_from_between_from",
    "position_basis",
    "directions",
    "has_chargers_2024",
    "chargers_evidence",
    "source",
    "note",
]


def main(more: Path) -> None:
    old = {r["name_zh"]: r for r in csv.DictReader((HERE / "service_areas.csv").open(encoding="utf-8"))}
    rows = []
    for r in csv.DictReader((more / "service_areas_named.csv").open(encoding="utf-8")):
        name = r["name_zh"]
        base = old.pop(name, None)
        code, a, b, why = r["expressway_code"], "", "", ""
        if base is not None:
            code, a, b = base["expressway_code"], base["between_from"], base["between_to"]
        if name in PLACEMENT:
            code, a, b, why = PLACEMENT[name]
        sources = " | ".join(s for s in (base["source"] if base else "", r["source"]) if s)
        rows.append(_row(r, name, code, a, b, why, sources))
    assert not old, f"rows of the trunk sample missing from the second pass: {sorted(old)}"
    with (HERE / "service_areas.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _row(r: dict[str, str], name: str, code: str, a: str, b: str, why: str, sources: str) -> dict[str, str]:
    placed_on_network = a and b and not a.startswith("湘") and not b.startswith("湘")
    if not a:
        basis = "unplaced: " + (
            "expressway not stated" if code.startswith("unknown") else "position not sourced"
        )
    elif not b:
        basis = f"unplaced: next to {a}, side unknown"
    elif not placed_on_network:
        basis = "outside the modelled network (between a city and a provincial border)"
    else:
        basis = "order along route, evenly spaced between the two nodes (approximate)"
    km = ""
    if name == "太子庙服务区":
        # K123 from 长沙 on 长常段 minus the modelled 长沙-益阳 edge (71.5 km, itself a computed split).
        km = "51.5"
        basis = "km post K123 (长常段 chainage, S31) minus the modelled 长沙-益阳 71.5 km (approximate)"
    directions = (
        "pair (counted as 对 in S8)" if "S8" in r["ev_source"] or "S8" in r["source"] else "not stated"
    )
    if name == "长沙西服务区":
        directions = "pair (唯一一对服务区, S3)"
    evidence = f"{r['has_ev_chargers']} as of {r['ev_as_of'] or 'n/a'}: {r['ev_source']}".strip()
    return {
        "name_zh": name,
        "facility": r["kind"],
        "expressway_code": code,
        "between_from": a,
        "between_to": b,
        "order_along_route": r["order_along_route"],
        "km_post_if_known": r["km_post"],
        "km_from_between_from": km,
        "position_basis": basis,
        "directions": directions,
        "has_chargers_2024": f"yes (every operating SA/PA had chargers by end-2024: {S34})",
        "chargers_evidence": evidence,
        "source": sources,
        "note": "; ".join(s for s in (why, r["note"]) if s),
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]))
