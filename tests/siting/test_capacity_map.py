"""The capacity plan on the map (PNG and HTML) and the HTML maps' label placement (issue 16).

The Hunan capacity plan is run through the CLI in Chinese and English; its maps are copied to
tests/siting/screenshots/ (ignored by git) to be looked at.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from matplotlib.text import Text

from siting.cli import main
from siting.networks import load_hunan
from siting.outputs import fonts
from siting.outputs.capacity import ADD_CLASSES, add_class, class_label
from siting.outputs.capacity_map import render_capacity_map
from siting.outputs.html_map import plan_html
from siting.outputs.labels import LabelSpec, place_svg_labels, text_size_px

SCREENSHOTS = Path(__file__).parent / "screenshots"
HAS_CJK_FONT = fonts.cjk_family() is not None
CJK = re.compile(r"[\u4e00-\u9fff]")
# a busy holiday: enough demand that several Hunan service areas need more bays
SCENARIO = [
    "--network",
    "hunan",
    "--target-wait-min",
    "10",
    "--design-day-factor",
    "2.5",
    "--ev-share",
    "0.3",
]


@pytest.fixture(scope="module")
def capacity_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    SCREENSHOTS.mkdir(exist_ok=True)
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"capacity-{lang}")
        assert main(["capacity", *SCENARIO, "--lang", lang, "--format", "json", "--out", str(folder)]) == 0
        assert (folder / "capacity_map.png").read_bytes()[:4] == b"\x89PNG"
        shutil.copy(folder / "capacity_map.png", SCREENSHOTS / f"hunan-capacity-{lang}.png")
        doc = json.loads((folder / "capacity.json").read_text(encoding="utf-8"))
        doc["html"] = (folder / "capacity_map.html").read_text(encoding="utf-8")
        out[lang] = doc
    return out


def test_add_classes_cover_every_count() -> None:
    assert [add_class(n) for n in (0, 1, 2, 3, 5, 6, 10, 11, 20, 21, 500)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]
    sizes = [size for *_, size in ADD_CLASSES]
    assert sizes == sorted(sizes)  # larger additions, larger symbols
    assert class_label(3, "en") == "+6–10" and class_label(0, "zh") == "无需新增"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_capacity_map_shows_the_bays_to_add_at_each_site(capacity_docs: dict[str, Any], lang: str) -> None:
    doc = capacity_docs[lang]
    needing = [r for r in doc["sites"] if r["bays_to_add"] > 0]
    assert len(needing) >= 3
    render = render_capacity_map(load_hunan().G, doc, lang=lang)
    try:
        assert render.base_layer
        # one symbol per site, in its class
        drawn = {
            int(c.get_gid().rsplit("-", 1)[1]): len(c.get_offsets())
            for c in render.ax.collections
            if (c.get_gid() or "").startswith("capacity-class-")
        }
        expected: dict[int, int] = {}
        for r in doc["sites"]:
            expected[add_class(r["bays_to_add"])] = expected.get(add_class(r["bays_to_add"]), 0) + 1
        assert drawn == expected
        texts = [t.get_text() for t in render.labels.texts]
        for r in needing:  # every site needing bays is named with its number
            assert any(t.endswith(f" +{r['bays_to_add']}") for t in texts), r["name"]
        renderer = render.fig.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [Text.get_window_extent(t, renderer) for t in render.labels.texts]
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
            assert not a.overlaps(b), (texts[i], texts[j])
        legend = render.extras["legend"]
        assert not any(b.overlaps(legend.get_window_extent(renderer)) for b in boxes)
        entries = [t.get_text() for t in legend.get_texts()]
        assert class_label(add_class(needing[0]["bays_to_add"]), render.lang) in entries
        title = render.ax.get_title()
        all_texts = [t.get_text() for t in render.fig.findobj(Text) if t.get_text()]
        if render.lang == "zh":
            assert "需扩容站点" in title and legend.get_title().get_text() == "需新增充电车位"
            words = {
                w.lower() for s in all_texts if "Natural Earth" not in s for w in re.findall(r"[A-Za-z]+", s)
            }
            assert words <= {"kw", "m", "c", "erlang"}, words  # units and the queue's name only
        else:
            assert "bays to add" in title
            assert not [s for s in all_texts if CJK.search(s)]
    finally:
        render.close()


def test_capacity_html_is_labelled_without_overlaps(capacity_docs: dict[str, Any]) -> None:
    for lang, doc in capacity_docs.items():
        page = doc["html"]
        assert 'class="base-prefectures"' in page and "capacity-class-" in page
        labels = _svg_labels(page)
        for r in doc["sites"]:
            if r["bays_to_add"]:
                assert any(text.endswith(f"+{r['bays_to_add']}") for text, *_ in labels), r["name"]
        _assert_no_overlap(labels)
        if lang == "en":
            assert not CJK.search(page)
        else:
            assert "需新增" in page and "Charging" not in page


def _svg_labels(page: str) -> list[tuple[str, float, float, str, float, bool]]:
    pattern = (
        r'<text class="label" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)" font-size="([\d.]+)"'
        r'( font-weight="bold")?[^>]*>([^<]*)</text>'
    )
    return [
        (text, float(x), float(y), anchor, float(fs), bool(bold))
        for x, y, anchor, fs, bold, text in re.findall(pattern, page)
    ]


def _assert_no_overlap(labels: list[tuple[str, float, float, str, float, bool]]) -> None:
    boxes = []
    for text, x, y, anchor, fs, bold in labels:
        w, h = text_size_px(text.replace("&amp;", "&"), fs, bold=bold)
        x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
        bottom = y + 0.25 * fs
        boxes.append((text, x0, bottom - h, x0 + w, bottom))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]), (a[0], b[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_html_labels_like_the_png(lang: str, tmp_path: Path) -> None:
    assert main(["plan", "--network", "hunan", "--range-km", "300", "--stations", "8", "--curve-max", "0",
                 "--lang", lang, "--format", "json", "--out", str(tmp_path)]) == 0  # fmt: skip
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    labels = _svg_labels(page)
    assert len(labels) > 30  # stations, cities and most service areas
    _assert_no_overlap(labels)
    texts = [text for text, *_ in labels]
    for st in doc["station_details"]:  # every station named with its chargers
        assert any(f"({st['sizing']['servers']}" in t for t in texts), st["name"]
    if lang == "en":
        assert not CJK.search(page)  # pinyin names, romanised expressway names
    else:
        visible = re.sub(r"<[^>]+>", " ", page)
        visible = visible.replace("siting/data/hunan/README.md", "")
        words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", visible)}
        assert words & {"exact", "city", "service", "feasible", "optimal", "hunan", "station", "new"} == set()
    assert page == plan_html(load_hunan().G, doc, lang=lang)


def test_svg_placement_keeps_every_label_inside_and_apart() -> None:
    specs = [LabelSpec(100 + i, 100, f"site {i}", {"fontsize": 12}) for i in range(12)]
    placed, dropped = place_svg_labels(
        specs, size=(300, 200), obstacles=[(100 + i, 100, 3) for i in range(12)]
    )
    assert len(placed) + len(dropped) == 12 and len(placed) >= 6
    labels = [(p.spec.text, p.x, p.y, p.anchor, 12.0, False) for p in placed]
    _assert_no_overlap(labels)
    for _, x, y, anchor, fs, _ in labels:
        w, h = text_size_px("site 0", fs)
        x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
        assert 0 <= x0 and x0 + w <= 300 and 0 <= y - h and y <= 200
    assert any(p.leader for p in placed)  # the crowd pushes some labels out, with a leader line


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_zh_plan_terminal_has_no_english_prose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--network", "hunan", "--range-km", "300", "--stations", "4", "--curve-max", "0",
                 "--lang", "zh"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    gaps = out[out.index("无候选站点可覆盖的路段") :]
    assert "之间没有候选站点" in gaps and "长沙-株洲" in gaps
    for phrase in ("no candidate", "add one", "lies on its path", "longer than", "Hunan expressway"):
        assert phrase not in out, phrase
    assert "路径上没有候选站点" in out and "湖南高速公路网" in out
