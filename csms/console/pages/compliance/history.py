"""Inspection history: the registers imported (who, when, what became of their rows) and the inspections
recorded per car park."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from csms.console.auth import reader, services_of
from csms.console.pages.compliance.common import ROLES, effect_label, labels
from csms.console.pages.listing import PAGE_SIZE, page_count
from csms.console.render import error_page, render, request_lang
from csms.domain.access import Principal

router = APIRouter(prefix="/console/compliance", include_in_schema=False)

IDS_SHOWN = 200


@router.get("/imports")
async def imports(
    request: Request,
    _: Annotated[Principal, Depends(reader(ROLES))],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    rows, total = await services_of(request).compliance.imports((page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request,
        "compliance/imports.html",
        {
            "rows": rows,
            "page": page,
            "pages": page_count(total),
            "total": total,
            "base": "/console/compliance/imports",
        },
    )


@router.get("/imports/{import_id}")
async def one_import(
    request: Request, import_id: int, _: Annotated[Principal, Depends(reader(ROLES))]
) -> Response:
    found = await services_of(request).compliance.get_import(import_id)
    if found is None:
        return error_page(request, 404, "No import {id}.", id=import_id)
    lang = request_lang(request)
    problems = [
        {
            **p,
            "message": p["message_zh"] if lang == "zh" else p["message_en"],
            "effect_label": effect_label(p["effect"], lang),
        }
        for p in found.problems
    ]
    return render(
        request,
        "compliance/import_done.html",
        {
            "imp": found,
            "rejected_rows": [p for p in problems if p["effect"] == "row_rejected"],
            "ignored": [p for p in problems if p["effect"] == "value_ignored"],
            "ids": found.car_park_ids[:IDS_SHOWN],
        },
    )


@router.get("/inspections")
async def inspections(
    request: Request,
    _: Annotated[Principal, Depends(reader(ROLES))],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    rows, total = await services_of(request).compliance.inspections((page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request,
        "compliance/inspections.html",
        {
            "rows": rows,
            "page": page,
            "pages": page_count(total),
            "total": total,
            "base": "/console/compliance/inspections",
            **labels(request_lang(request)),
        },
    )
