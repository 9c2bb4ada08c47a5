"""The plan map and the coverage curve as a planner puts them in a report (issue 16).

The Hunan plan is run once through the CLI in Chinese and in English; its PNGs are written to a tmp
folder and copied to tests/siting/screenshots/ (ignored by git) to be looked at.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
from matplotlib.collections import Collection
from matplotlib.font_manager import findfont
from matplotlib.text import Text

from siting.cli import main
from siting.networks import load_hunan, load_network25
from siting.outputs import fonts
from siting.outputs.basemap import hunan_base_layer
from siting.outputs.curve import curve_figure
from siting.outputs.html_map import plan_html
from siting.outputs.map_png import MapRender, render_map
from siting.outputs.names import display_name

SCREENSHOTS = Path(__file__).parent / "screenshots"
# English words that must not be left on a Chinese map (labels, legend, title, scale bar, arrow)
ENGLISH = {
    "city", "exact", "heuristic", "service", "area", "sa", "pa", "station", "stations", "new", "existing",
    "chargers", "charger", "expressway", "expressways", "boundary", "prefecture", "province", "flow",
    "refuelled", "range", "plan", "north", "n", "battery", "electric", "hunan", "legend", "chosen",
}  # fmt: skip
# the sources note names its datasets and licences as they are spelt ("1:10m" is the Natural Earth scale)
NAMES_IN_NOTE = {"natural", "earth", "cnmaps", "data", "mit", "wgs", "siting", "hunan", "readme", "md", "m"}
HAS_CJK_FONT = fonts.cjk_family() is not None


@pytest.fixture(scope="module")
def hunan_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The default Hunan plan (8 new stations, curve p = 1..12) written by the CLI in zh and en."""
    out: dict[str, dict[str, Any]] = {}
    SCREENSHOTS.mkdir(exist_ok=True)
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"plan-{lang}")
        code = main(
            ["plan", "--network", "hunan", "--range-km", "300", "--stations", "8", "--curve-max", "12",
             "--lang", lang, "--format", "json", "--out", str(folder)]
        )  # fmt: skip
        assert code == 0
        for name in ("map.png", "curve.png"):
            assert (folder / name).read_bytes()[:4] == b"\x89PNG"
            shutil.copy(folder / name, SCREENSHOTS / f"hunan-{name[:-4]}-{lang}.png")
        out[lang] = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def rendered(hunan_plans: dict[str, dict[str, Any]]) -> dict[str, MapRender]:
    G = load_hunan().G
    renders = {lang: render_map(G, doc, lang=lang) for lang, doc in hunan_plans.items()}
    yield renders  # type: ignore[misc]
    for r in renders.values():
        r.close()


def _gid_paths(render: MapRender, gid: str) -> int:
    found = [c for c in render.ax.collections if isinstance(c, Collection) and c.get_gid() == gid]
    return sum(len(c.get_paths()) for c in found)


def _words(texts: list[str]) -> set[str]:
    return {w.lower() for s in texts for w in re.findall(r"[A-Za-z]+", s)}


def _figure_texts(render: MapRender) -> list[str]:
    return [t.get_text() for t in render.fig.findobj(Text) if t.get_text() and t.get_visible()]


def test_base_layer_is_drawn_under_a_hunan_plan(rendered: dict[str, MapRender]) -> None:
    layer = hunan_base_layer()
    for render in rendered.values():
        assert render.base_layer
        assert _gid_paths(render, "base-prefectures") == sum(
            len(b.parts) for b in layer.of_kind("prefecture")
        )
        assert _gid_paths(render, "base-prefectures") >= 14
        assert _gid_paths(render, "base-province") >= 1
        assert _gid_paths(render, "base-province-lines") >= 20  # Hunan's borders with its 6 neighbours
        gids = {a.get_gid() for a in render.fig.findobj() if a.get_gid()}
        assert {"scale-bar", "north-arrow"} <= gids


def test_base_layer_is_small_sourced_and_in_hunan() -> None:
    folder = Path(__file__).parents[2] / "siting" / "data" / "boundaries"
    assert (folder / "hunan_boundaries.json").stat().st_size < 300_000
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    assert "public domain" in sources and "MIT" in sources
    hunan = hunan_base_layer().of_kind("province")[0]
    xs = [x for ring in hunan.parts for x, _ in ring]
    ys = [y for ring in hunan.parts for _, y in ring]
    # Hunan spans about 108.8-114.3 E and 24.6-30.1 N
    assert 108.5 < min(xs) < 109.2 and 113.9 < max(xs) < 114.5
    assert 24.4 < min(ys) < 24.9 and 29.9 < max(ys) < 30.3


def test_schematic_network_has_no_base_layer_or_scale() -> None:
    ds = load_network25()
    doc = {"network": "25node", "station_details": []}
    render = render_map(ds.G, doc, lang="en")
    try:
        assert not render.base_layer
        assert _gid_paths(render, "base-prefectures") == 0
        assert "scale-bar" not in {a.get_gid() for a in render.fig.findobj()}
    finally:
        render.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_do_not_overlap_and_every_station_is_named(
    rendered: dict[str, MapRender], hunan_plans: dict[str, dict[str, Any]], lang: str
) -> None:
    render = rendered[lang]
    renderer = render.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [Text.get_window_extent(t, renderer) for t in render.labels.texts]
    assert len(boxes) > 30  # stations, cities and most service areas
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (render.labels.texts[i].get_text(), render.labels.texts[j].get_text())
    legend = render.extras["legend"].get_window_extent(renderer)
    assert not any(b.overlaps(legend) for b in boxes)
    axes = render.ax.get_window_extent(renderer)
    assert all(axes.x0 <= b.x0 and b.x1 <= axes.x1 and axes.y0 <= b.y0 and b.y1 <= axes.y1 for b in boxes)
    texts = [t.get_text() for t in render.labels.texts]
    stations = hunan_plans[lang]["station_details"]
    for st in stations:
        servers = st["sizing"]["servers"]
        assert any(f"({servers}" in text for text in texts), st["name"]
    assert not any(d.text.startswith(st["name"]) for d in render.labels.dropped for st in stations)


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_zh_map_has_no_untranslated_english(rendered: dict[str, MapRender]) -> None:
    render = rendered["zh"]
    assert render.lang == "zh"
    note = [t for t in _figure_texts(render) if "Natural Earth" in t]
    assert len(note) == 1
    others = [t for t in _figure_texts(render) if t not in note]
    assert _words(others) & ENGLISH == set(), _words(others) & ENGLISH
    assert _words(note) - NAMES_IN_NOTE == set()
    assert any("服务区" in t for t in others) and any("北" == t for t in others)
    label = render.labels.texts[0]
    assert "CJK" in findfont(label.get_fontproperties())


def test_en_map_has_no_chinese_characters(rendered: dict[str, MapRender]) -> None:
    texts = _figure_texts(rendered["en"])
    assert not [t for t in texts if re.search(r"[\u4e00-\u9fff]", t)]
    assert any(t.endswith(" SA") for t in texts)  # service areas by their pinyin names


@pytest.mark.parametrize("max_p", [3, 12, 20])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_curve_has_integer_ticks_and_translated_axes(max_p: int, lang: str) -> None:
    points = [{"p": p, "covered_flow_pct": 100 * (1 - 0.8**p)} for p in range(1, max_p + 1)]
    fig = curve_figure({"exact": points}, lang=lang, mark_p=max_p // 2 or 1)
    try:
        ax = fig.axes[0]
        lo, hi = ax.get_xlim()
        ticks = [x for x in ax.get_xticks() if lo <= x <= hi]
        assert ticks and all(float(x).is_integer() for x in ticks)
        if max_p <= 15:
            assert [int(x) for x in ticks] == list(range(1, max_p + 1))
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        if lang == "zh" and HAS_CJK_FONT:
            assert ax.get_xlabel() == "新建站点数 p" and legend == ["精确求解"]
            assert "CJK" in findfont(ax.xaxis.label.get_fontproperties())
        elif lang == "en":
            assert ax.get_xlabel() == "New stations p" and legend == ["exact"]
    finally:
        plt.close(fig)


def test_no_cjk_font_falls_back_to_english_with_a_clear_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    with pytest.warns(RuntimeWarning, match="no font with Chinese glyphs.*fonts-noto-cjk"):
        lang, _ = fonts.plot_lang("zh")
    assert lang == "en"
    points = [{"p": 1, "covered_flow_pct": 10.0}, {"p": 2, "covered_flow_pct": 20.0}]
    with pytest.warns(RuntimeWarning):
        fig = curve_figure({"exact": points}, lang="zh")
    try:
        assert fig.axes[0].get_xlabel() == "New stations p"
    finally:
        plt.close(fig)


def test_zh_tables_translate_every_heading_and_value(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--network", "hunan", "--range-km", "300", "--stations", "4", "--curve-max", "0",
                 "--lang", "zh"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    spacing = out[out.index("最大站间距 ≤") :]
    spacing_head = spacing.splitlines()[2]
    assert "是否满足" in spacing_head and "求解状态" not in spacing_head
    stations = out[: out.index("最大站间距 ≤")]
    for word in ("service_area", "city", "exact", "hunan"):
        assert word not in stations, word
    assert "服务区" in stations and "精确求解" in stations
    assert not re.search(r"\d+\.\d{3,}%", out)  # no percentages with 3+ decimals


def test_html_map_is_geographic_with_the_base_layer(hunan_plans: dict[str, dict[str, Any]]) -> None:
    G = load_hunan().G
    page = plan_html(G, hunan_plans["zh"], lang="zh")
    assert 'class="base-prefectures"' in page and 'class="base-province"' in page
    assert "湖南省高速公路网" in page


def test_a_station_without_position_is_named_under_the_map() -> None:
    G = load_hunan().G
    unplaced = next(n for n, d in G.nodes(data=True) if d.get("x") is None)  # a border point
    name = G.nodes[unplaced]["name"]
    doc = {"network": "hunan", "station_details": [{"id": unplaced, "status": "new", "name": name}]}
    render = render_map(G, doc, lang="zh")  # in English where no CJK font is installed
    marker = "未绘制的站点" if render.lang == "zh" else "Stations not drawn"
    try:
        note = [t for t in _figure_texts(render) if marker in t]
        assert note and display_name(unplaced, G.nodes[unplaced], render.lang) in note[0]
    finally:
        render.close()
