"""PNG of the coverage-versus-stations curve (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from siting.i18n import t

__all__ = ["write_curve_png"]

# CJK-capable fonts tried in order; Latin labels are used when none is installed.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "SimHei", "Source Han Sans SC")


def _has_cjk_font() -> bool:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return any(name in names for name in _CJK_FONTS)


def write_curve_png(
    series: Mapping[str, Sequence[dict[str, Any]]],
    path: str | Path,
    *,
    lang: str = "en",
    mark_p: int | None = None,
    title: str | None = None,
) -> Path:
    """Plot one line per series of ``{"p", "covered_flow_pct"}`` points and save a PNG.

    Examples
    --------
    >>> import tempfile, os
    >>> pts = [{"p": 1, "covered_flow_pct": 40.0}, {"p": 2, "covered_flow_pct": 70.0}]
    >>> out = write_curve_png({"exact": pts}, os.path.join(tempfile.mkdtemp(), "c.png"))
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    if lang == "zh" and not _has_cjk_font():
        lang = "en"  # no CJK glyphs available: do not draw empty boxes
    if lang == "zh":
        plt.rcParams["font.sans-serif"] = list(_CJK_FONTS) + plt.rcParams["font.sans-serif"]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    try:
        for label, points in series.items():
            xs = [pt["p"] for pt in points]
            ys = [pt["covered_flow_pct"] for pt in points]
            ax.plot(xs, ys, marker="o", linestyle="--" if "heur" in label else "-", label=label)
        if mark_p is not None:
            ax.axvline(mark_p, color="#999", linewidth=1, linestyle=":")
        ax.set_xlabel(t("curve_x", lang))
        ax.set_ylabel(t("curve_y", lang))
        ax.set_title(title or t("curve", lang))
        ax.set_ylim(0, 100)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
        fig.tight_layout()
        path = Path(path)
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
