"""One car park: its verdicts explained with their citations, its chargers' live status, its inspections,
its notice."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from compliance.evaluate import Status
from compliance.explain import explain, summary
from compliance.labels import label
from compliance.repository import Inspection
from csms.console.auth import actor, reader, services_of
from csms.console.i18n import translator
from csms.console.pages.compliance.common import ROLES, download, labels
from csms.console.render import error_page, render, request_lang
from csms.domain.access import Principal

router = APIRouter(prefix="/console/compliance", include_in_schema=False)

STATION_STATUS = {
    "online": "heard recently",
    "silent": "silent for days",
    "never_seen": "never heard",
}

FACTS = (
    "id",
    "owner",
    "district",
    "street",
    "address",
    "total_spaces",
    "dedicated_spaces",
    "spaces_with_chargers",
    "spaces_reserved",
    "dc_fast_chargers_60kw",
)


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


@router.get("/car-parks/{car_park_id}")
async def car_park(
    request: Request, car_park_id: str, _: Annotated[Principal, Depends(reader(ROLES))]
) -> Response:
    view = await services_of(request).compliance.view(car_park_id)
    if view is None:
        return error_page(request, 404, "No car park {id}.", id=car_park_id)
    lang = request_lang(request)
    _ = translator(lang)
    result = view.result
    cp = result.car_park
    verdicts = [
        {
            "rule": v.rule,
            "status": v.status.value,
            "required": v.required,
            "provided": v.provided,
            "shortfall": v.shortfall,
            "text": explain(v, lang),
            "lead": v is result.leading,
        }
        for v in result.verdicts
    ]
    cited = [v.rule for v in result.verdicts if v.status is not Status.NOT_APPLICABLE]
    facts = [(_first_up(label(name, lang)), getattr(cp, name)) for name in FACTS]
    return render(
        request,
        "compliance/car_park.html",
        {
            "view": view,
            "cp": cp,
            "facts": facts,
            "verdict": result.status.value,
            "summary": summary(result, lang),
            "rule_verdicts": verdicts,
            "cited": cited,
            "telemetry_message": view.telemetry.message(lang) if view.telemetry else "",
            "today": date.today().isoformat(),
            "station_status": lambda status: _(STATION_STATUS[status]),
            **labels(lang),
        },
    )


@router.get("/car-parks/{car_park_id}/notice.pdf")
async def notice(
    request: Request, car_park_id: str, _: Annotated[Principal, Depends(reader(ROLES))]
) -> Response:
    lang = request_lang(request)
    found = await services_of(request).compliance.notice(car_park_id, lang)
    if found is None:
        return error_page(request, 404, "No rectification notice for {id}.", id=car_park_id)
    content, ext = found
    name = f"整改通知书_{car_park_id}.{ext}" if lang == "zh" else f"notice_{car_park_id}.{ext}"
    return download(content, "application/pdf" if ext == "pdf" else "text/html; charset=utf-8", name)


@router.post("/car-parks/{car_park_id}/inspections")
async def add_inspection(
    request: Request,
    car_park_id: str,
    _: Annotated[Principal, Depends(actor(ROLES))],
    inspected_on: Annotated[date, Form()],
    inspector: Annotated[str, Form(min_length=1, max_length=100)],
    findings: Annotated[str, Form(max_length=4000)] = "",
    rectification_deadline: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    deadline = date.fromisoformat(rectification_deadline) if rectification_deadline else None
    if deadline is not None and deadline < inspected_on:
        return error_page(request, 422, "The rectification deadline is before the inspection.")
    stored = await services_of(request).compliance.add_inspection(
        Inspection(car_park_id, inspected_on, inspector.strip(), findings.strip(), deadline)
    )
    if stored is None:
        return error_page(request, 404, "No car park {id}.", id=car_park_id)
    return RedirectResponse(f"/console/compliance/car-parks/{car_park_id}#inspections", status_code=303)
