"""What the inspectors' pages share: the filter read from the query, labels, paging, downloads."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import Query
from fastapi.responses import Response

from compliance.categories import Category
from compliance.errors import EFFECT_ZH, Effect
from compliance.evaluate import Status
from compliance.explain import status_label
from csms.console.i18n import translator
from csms.console.nav import INSPECTORS
from csms.console.render import templates
from csms.services.compliance import CarParkFilter

ROLES = INSPECTORS
LOCAL = ZoneInfo("Asia/Shanghai")
UNCHECKED = "unchecked"
VERDICTS = (*(s.value for s in Status), UNCHECKED)
CATEGORIES = tuple(c.value for c in Category)


def local_time(at: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in Asia/Shanghai (``–`` for none)."""
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if at else "–"


templates.env.filters.setdefault("local_time", local_time)


def the_filter(
    district: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    verdict: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> CarParkFilter:
    """The list filter of the query string (unknown categories and verdicts are ignored)."""
    return CarParkFilter(
        district=district.strip(),
        category=category if category in CATEGORIES else "",
        verdict=verdict if verdict in VERDICTS else "",
        q=q.strip(),
    )


def query_of(f: CarParkFilter, **more: Any) -> str:
    """The filter as a query string (blank values left out)."""
    values = {k: v for k, v in {**asdict(f), **more}.items() if v not in ("", None)}
    return urlencode(values)


def verdict_label(verdict: str, lang: str) -> str:
    if verdict == UNCHECKED:
        return translator(lang)("not yet judged")
    return status_label(Status(verdict), lang)


def effect_label(effect: str, lang: str) -> str:
    """What a register problem did, e.g. ``整行未检查`` / ``row rejected``."""
    return EFFECT_ZH[Effect(effect)] if lang == "zh" else effect.replace("_", " ")


def category_label(category: str, lang: str) -> str:
    c = Category(category) if category in CATEGORIES else Category.UNKNOWN
    if lang == "zh":
        return "未填写或无法识别" if c is Category.UNKNOWN else c.label_zh
    return c.value.replace("_", " ")


def download(content: bytes, media_type: str, filename: str) -> Response:
    """An attachment; the name may be Chinese (RFC 6266 ``filename*``)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def labels(lang: str) -> dict[str, Any]:
    """What every page of the area needs to show verdicts and categories."""
    return {
        "verdicts": [(v, verdict_label(v, lang)) for v in VERDICTS],
        "categories": [(c, category_label(c, lang)) for c in CATEGORIES],
        "verdict_label": lambda v: verdict_label(v, lang),
        "category_label": lambda c: category_label(c, lang),
    }
