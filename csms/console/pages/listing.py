"""Server-side pages of a listing: the page asked for, its offset, and the pager's context."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from csms.domain.paging import Page

PAGE_SIZE = 50


def page_of(number: int, size: int = PAGE_SIZE) -> Page:
    return Page(size, (max(1, number) - 1) * size)


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Pages that ``total`` rows fill (one, empty, when there are none)."""
    return max(1, -(-total // size))


def pager(
    path: str, filters: dict[str, Any], number: int, total: int, size: int = PAGE_SIZE
) -> dict[str, Any]:
    """What ``_pager.html`` needs: the page, the number of pages, the total and the URL with its filters."""
    kept = {k: v for k, v in filters.items() if v not in (None, "")}
    return {
        "page": max(1, number), "pages": page_count(total, size), "total": total,
        "base": path + ("?" + urlencode(kept) if kept else ""),
    }
