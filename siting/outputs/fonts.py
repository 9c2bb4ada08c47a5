"""Find a CJK-capable font for matplotlib, or say clearly that Chinese labels cannot be drawn."""

from __future__ import annotations

import warnings
from functools import lru_cache

from matplotlib import font_manager

__all__ = ["CJK_FAMILIES", "cjk_family", "plot_lang"]

# Tried in order; the first installed wins. Noto Sans CJK comes with Debian's fonts-noto-cjk.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Serif CJK SC",
)


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FAMILIES:
        if name in installed:
            return name
    return None


def plot_lang(lang: str) -> tuple[str, list[str]]:
    """The language a figure can really be drawn in, and the font families to draw it with.

    ``zh`` falls back to ``en`` with a warning naming the fonts tried when no CJK font is installed
    (empty boxes in a report are worse than English labels).
    """
    if lang != "zh":
        return lang, ["DejaVu Sans"]
    family = cjk_family()
    if family is None:
        warnings.warn(
            "no font with Chinese glyphs found (tried: " + ", ".join(CJK_FAMILIES) + "); drawing the "
            "figure in English. Install one, e.g. `apt-get install fonts-noto-cjk`.",
            RuntimeWarning,
            stacklevel=3,
        )
        return "en", ["DejaVu Sans"]
    return "zh", [family, "DejaVu Sans"]
