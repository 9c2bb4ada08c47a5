"""PNG of the coverage-versus-stations curve (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, MultipleLocator

from siting.i18n import t
from siting.outputs.fonts import plot_lang

__all__ = ["curve_figure", "write_curve_png"]


def write_curve_png(
    series: Mapping[str, Sequence[dict[str, Any]]],
    path: str | Path,
    *,
    lang: str = "en",
    mark_p: int | None = None,
    title: str | None = None,
) -> Path:
    """Plot one line per series of ``{"p", "covered_flow_pct"}`` points and save a PNG.

    Series names that are solve methods (``exact``, ``heuristic``, ...) are translated; the x axis
    has integer ticks only (p is a number of stations); a Chinese figure uses an installed CJK font
    and falls back to English with a warning when there is none (see :mod:`siting.outputs.fonts`).

    Examples
    --------
    >>> import tempfile, os
    >>> pts = [{"p": 1, "covered_flow_pct": 40.0}, {"p": 2, "covered_flow_pct": 70.0}]
    >>> out = write_curve_png({"exact": pts}, os.path.join(tempfile.mkdtemp(), "c.png"))
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    fig = curve_figure(series, lang=lang, mark_p=mark_p, title=title)
    try:
        path = Path(path)
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def curve_figure(
    series: Mapping[str, Sequence[dict[str, Any]]],
    *,
    lang: str = "en",
    mark_p: int | None = None,
    title: str | None = None,
) -> Figure:
    """The curve as an open figure (the caller saves and closes it)."""
    lang, families = plot_lang(lang)
    with plt.rc_context({"font.family": families, "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7, 4.5), dpi=150)
        for label, points in series.items():
            xs = [int(pt["p"]) for pt in points]
            ys = [float(pt["covered_flow_pct"]) for pt in points]
            ax.plot(xs, ys, marker="o", linestyle="--" if "heur" in label else "-", label=t(label, lang))
            if mark_p is not None and mark_p in xs:
                y = ys[xs.index(mark_p)]
                ax.annotate(
                    f"p = {mark_p}: {y:.1f}%",
                    (mark_p, y),
                    xytext=(-8, 10),
                    textcoords="offset points",
                    ha="right",
                    fontsize=9,
                )
        if mark_p is not None:
            ax.axvline(mark_p, color="#999", linewidth=1, linestyle=":")
        max_p = max((int(pt["p"]) for pts in series.values() for pt in pts), default=1)
        ax.xaxis.set_major_locator(MultipleLocator(1) if max_p <= 15 else MaxNLocator(integer=True))
        ax.set_xlabel(t("curve_x", lang))
        ax.set_ylabel(t("curve_y", lang))
        ax.set_title(title or t("curve", lang))
        ax.set_ylim(0, 100)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
        fig.tight_layout()
    return fig
