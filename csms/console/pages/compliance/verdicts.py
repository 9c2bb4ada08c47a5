"""The verdicts table (filtered and paged in SQL on the stored verdicts) and the register's downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from csms.console.auth import actor, reader, services_of
from csms.console.pages.compliance.common import (
    ROLES,
    UNCHECKED,
    download,
    labels,
    query_of,
    the_filter,
)
from csms.console.pages.listing import PAGE_SIZE, page_count
from csms.console.render import render, request_lang
from csms.domain.access import Principal
from csms.services.compliance import CarParkFilter

router = APIRouter(prefix="/console/compliance", include_in_schema=False)

Filter = Annotated[CarParkFilter, Depends(the_filter)]
REGISTER_MAX = 100_000
"""Car parks in one workbook or HTML report: a whole register (the import limit)."""
NOTICES_MAX = 500
"""Notices in one zip: rendering takes ~50 ms each; filter by district for more."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("")
async def verdicts(
    request: Request,
    _: Annotated[Principal, Depends(reader(ROLES))],
    f: Filter,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    service = services_of(request).compliance
    rows, counts = await service.listing(f, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    total = counts.get(f.verdict, 0) if f.verdict else sum(counts.values())
    query = query_of(f)
    return render(
        request,
        "compliance/verdicts.html",
        {
            "rows": rows,
            "f": f,
            "counts": counts,
            "all_count": sum(counts.values()),
            "unchecked": counts.get(UNCHECKED, 0),
            "districts": await service.districts(),
            "rules": service.rules,
            "page": page,
            "pages": page_count(total),
            "total": total,
            "base": "/console/compliance" + (f"?{query}" if query else ""),
            "query": query,
            "notices_max": NOTICES_MAX,
            **labels(request_lang(request)),
        },
    )


@router.post("/rejudge")
async def rejudge(request: Request, _: Annotated[Principal, Depends(actor(ROLES))]) -> Response:
    """Judge the car parks stored before verdicts were kept (or under other packs), 5,000 at a time."""
    await services_of(request).compliance.rejudge()
    return RedirectResponse("/console/compliance", status_code=303)


@router.get("/verdicts.xlsx")
async def workbook(request: Request, _: Annotated[Principal, Depends(reader(ROLES))], f: Filter) -> Response:
    lang = request_lang(request)
    content = await services_of(request).compliance.workbook(f, lang, REGISTER_MAX)
    return download(content, XLSX, "核查结论.xlsx" if lang == "zh" else "verdicts.xlsx")


@router.get("/report.html")
async def html_report(
    request: Request, _: Annotated[Principal, Depends(reader(ROLES))], f: Filter
) -> Response:
    lang = request_lang(request)
    content = await services_of(request).compliance.html_report(f, lang, REGISTER_MAX)
    return download(content, "text/html; charset=utf-8", "检查报告.html" if lang == "zh" else "report.html")


@router.get("/notices.zip")
async def notices(request: Request, _: Annotated[Principal, Depends(reader(ROLES))], f: Filter) -> Response:
    lang = request_lang(request)
    content, _n = await services_of(request).compliance.notices_zip(f, lang, NOTICES_MAX)
    return download(content, "application/zip", "整改通知书.zip" if lang == "zh" else "notices.zip")
