"""Planners: a plan form, its progress while it solves, the result (map, coverage curve, station table,
GeoJSON/CSV downloads) and scenarios side by side.

Plans are solved by ``siting.api.run_plan``, as ``POST /api/v1/siting/plan`` solves them, in the bounded
job store of :mod:`csms.console.plan_jobs` (in memory, per user: lost on restart)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from csms.console.auth import actor, reader
from csms.console.nav import PLANNERS
from csms.console.plan_jobs import MAX_ACTIVE, MAX_KEPT, MAX_TIME_LIMIT_S, PlanJob, PlanJobs, TooManyJobs
from csms.console.render import error_page, render, request_lang
from csms.domain.access import Principal
from siting.api import PlanRequest
from siting.i18n import plan_note, t
from siting.networks import load_builtin
from siting.outputs.geojson import plan_geojson
from siting.outputs.names import display_name
from siting.outputs.table import stations_csv
from siting.sites import nodes_of_kind

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Principal, Depends(reader(PLANNERS))]
Actor = Annotated[Principal, Depends(actor(PLANNERS))]

NETWORKS = ("hunan", "25node")
DEFAULTS: dict[str, Any] = {
    "network": "hunan",
    "fuel": "ev",
    "range_km": "",
    "mode": "stations",
    "stations": 4,
    "budget": "",
    "site_cost": "",
    "charger_cost": "",
    "chargers_per_site": "",
    "candidates": "auto",
    "candidate_ids": "",
    "existing": "",
    "method": "exact",
    "curve_max": "",
    "time_limit_s": 20,
}


def jobs_of(request: Request) -> PlanJobs:
    """This app's plan jobs (one store per process, made on first use)."""
    state = request.app.state
    if getattr(state, "console_plan_jobs", None) is None:
        state.console_plan_jobs = PlanJobs()
    return state.console_plan_jobs  # type: ignore[no-any-return]


@cache
def _nodes(network: str) -> list[tuple[str, str, str, str]]:
    """(id, Chinese name, English name, kind) of a built-in network's nodes: the ids the form takes."""
    G = load_builtin(network).G
    return [
        (str(n), display_name(str(n), d, "zh"), display_name(str(n), d, "en"), str(d.get("kind") or ""))
        for n, d in sorted(G.nodes(data=True), key=lambda nd: (str(nd[1].get("kind")), str(nd[0]).zfill(6)))
    ]


def _ids(text: str) -> list[str]:
    return [
        part for part in (p.strip() for p in text.replace("，", ",").replace("\n", ",").split(",")) if part
    ]


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def plan_request(form: dict[str, Any]) -> PlanRequest:
    """The REST route's request body from the form's fields (``ValueError``/``ValidationError`` if wrong)."""
    budget_mode = form["mode"] == "budget"
    stations = int(form["stations"]) if str(form["stations"]).strip() else None
    curve = int(form["curve_max"]) if str(form["curve_max"]).strip() else None
    candidates: Any = _ids(form["candidate_ids"]) if form["candidates"] == "list" else form["candidates"]
    return PlanRequest.model_validate(
        {
            "network": form["network"],
            "fuel": form["fuel"],
            "range_km": _number(str(form["range_km"])),
            "stations": stations,
            "budget": _number(str(form["budget"])) if budget_mode else None,
            "site_cost": _number(str(form["site_cost"])) if budget_mode else None,
            "charger_cost": _number(str(form["charger_cost"])) if budget_mode else None,
            "chargers_per_site": int(form["chargers_per_site"])
            if budget_mode and form["chargers_per_site"]
            else None,
            "candidates": candidates,
            "existing": _ids(form["existing"]),
            "method": form["method"],
            "curve_max": curve if curve is not None else (0 if budget_mode else stations),
            "time_limit_s": min(float(form["time_limit_s"] or MAX_TIME_LIMIT_S), MAX_TIME_LIMIT_S),
        }
    )


def _form_page(
    request: Request, user: Principal, form: dict[str, Any], error: Any = None, status: int = 200
) -> Response:
    jobs = jobs_of(request).of(user.token_id)
    return render(
        request,
        "planning/index.html",
        {
            "form": form,
            "error": error,
            "jobs": jobs,
            "networks": NETWORKS,
            "max_time": MAX_TIME_LIMIT_S,
            "max_active": MAX_ACTIVE,
            "max_kept": MAX_KEPT,
            "st": _siting_labels(request),
            "done": [job for job in jobs if job.status == "done"],
            "node_index": {name: _nodes(name) for name in NETWORKS},
        },
        status,
    )


def _siting_labels(request: Request) -> Any:
    lang = request_lang(request)
    return lambda key: t(str(key), lang)


@router.get("/planning")
async def planning(request: Request, user: Reader) -> Response:
    return _form_page(request, user, dict(DEFAULTS))


@router.post("/planning")
async def submit(
    request: Request,
    user: Actor,
    network: Annotated[str, Form(max_length=20)] = "hunan",
    fuel: Annotated[str, Form(max_length=4)] = "ev",
    range_km: Annotated[str, Form(max_length=20)] = "",
    mode: Annotated[str, Form(max_length=10)] = "stations",
    stations: Annotated[str, Form(max_length=10)] = "",
    budget: Annotated[str, Form(max_length=30)] = "",
    site_cost: Annotated[str, Form(max_length=30)] = "",
    charger_cost: Annotated[str, Form(max_length=30)] = "",
    chargers_per_site: Annotated[str, Form(max_length=10)] = "",
    candidates: Annotated[str, Form(max_length=10)] = "auto",
    candidate_ids: Annotated[str, Form(max_length=20_000)] = "",
    existing: Annotated[str, Form(max_length=20_000)] = "",
    method: Annotated[str, Form(max_length=10)] = "exact",
    curve_max: Annotated[str, Form(max_length=10)] = "",
    time_limit_s: Annotated[str, Form(max_length=10)] = "20",
) -> Response:
    form = {
        "network": network,
        "fuel": fuel,
        "range_km": range_km,
        "mode": mode,
        "stations": stations,
        "budget": budget,
        "site_cost": site_cost,
        "charger_cost": charger_cost,
        "chargers_per_site": chargers_per_site,
        "candidates": candidates,
        "candidate_ids": candidate_ids,
        "existing": existing,
        "method": method,
        "curve_max": curve_max,
        "time_limit_s": time_limit_s,
    }
    try:
        req = plan_request(form)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        return _form_page(
            request,
            user,
            form,
            ("The plan's inputs are not valid: {problems}", {"problems": "; ".join(problems)}),
            422,
        )
    except ValueError:
        return _form_page(request, user, form, ("Numbers are expected in the numeric fields.", {}), 422)
    if mode != "budget" and req.stations is None:
        return _form_page(request, user, form, ("Give the number of stations, or a budget.", {}), 422)
    try:
        job = jobs_of(request).submit(user.token_id, req)
    except TooManyJobs:
        error = ("You have {n} plans solving; wait for one to finish.", {"n": MAX_ACTIVE})
        return _form_page(request, user, form, error, 429)
    return RedirectResponse(f"/console/planning/jobs/{job.id}", status_code=303)


def _job(request: Request, user: Principal, job_id: str) -> PlanJob | None:
    return jobs_of(request).get(user.token_id, job_id)


def _not_found(request: Request) -> Response:
    return error_page(request, 404, "No such plan (plans are kept in memory until the CSMS restarts).")


@router.get("/planning/jobs/{job_id}")
async def job_page(request: Request, user: Reader, job_id: str) -> Response:
    job = _job(request, user, job_id)
    if job is None:
        return _not_found(request)
    return render(request, "planning/job.html", {"job": job, **_result(request, job)})


@router.get("/planning/jobs/{job_id}/status")
async def job_status(request: Request, user: Reader, job_id: str) -> Response:
    """The progress partial htmx polls; once the job ends the page reloads to show its result."""
    job = _job(request, user, job_id)
    if job is None:
        return _not_found(request)
    if not job.active:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "planning/_progress.html", {"job": job, "st": _siting_labels(request)})


def _result(request: Request, job: PlanJob) -> dict[str, Any]:
    lang = request_lang(request)
    st = _siting_labels(request)
    if job.doc is None or job.dataset is None:
        return {"st": st}
    G = job.dataset.G
    rows = []
    for d in job.doc["station_details"]:
        sizing = d.get("sizing") or {}
        rows.append({**d, "label": display_name(d["id"], G.nodes[d["id"]], lang), "sizing": sizing})
    return {"st": st, "doc": job.doc, "rows": rows, "note": plan_note(job.doc, lang)}


def _view(job: PlanJob, lang: str) -> dict[str, Any]:
    """What the page's map and chart draw: the network (GeoJSON), its service areas, the stations and
    the coverage curve; ``lonlat`` says whether the Hunan base layer applies."""
    assert job.doc is not None and job.dataset is not None
    G = job.dataset.G
    picked = {d["id"] for d in job.doc["station_details"]}
    areas = [
        {"id": n, "name": display_name(n, G.nodes[n], lang), "x": G.nodes[n]["x"], "y": G.nodes[n]["y"]}
        for n in nodes_of_kind(G, ("service_area",))
        if G.nodes[n].get("x") is not None and n not in picked
    ]
    stations = [
        {
            "id": d["id"],
            "name": display_name(d["id"], G.nodes[d["id"]], lang),
            "x": d["x"],
            "y": d["y"],
            "status": d["status"],
            "status_label": t(d["status"], lang),
        }
        for d in job.doc["station_details"]
        if d.get("x") is not None
    ]
    network = plan_geojson(G, {"station_details": []})
    return {
        "lonlat": job.doc["network"] == "hunan",
        "network": network,
        "service_areas": areas,
        "stations": stations,
        "curve": [{"p": c["p"], "pct": c["covered_flow_pct"]} for c in job.doc["curve"]],
        "labels": {
            "covered": t("covered", lang),
            "stations": t("stations", lang),
            "service_area": t("service_area", lang),
        },
    }


@router.get("/planning/jobs/{job_id}/view.json")
async def job_view(request: Request, user: Reader, job_id: str) -> Response:
    job = _job(request, user, job_id)
    if job is None or job.doc is None:
        return JSONResponse({"detail": "no such finished plan"}, status_code=404)
    return JSONResponse(_view(job, request_lang(request)))


@router.get("/planning/base.json")
async def base_layer(_: Reader) -> Response:
    """Hunan's province and prefecture boundaries: the maps' offline base layer (no tiles)."""
    return Response(
        _boundaries(), media_type="application/json", headers={"Cache-Control": "private, max-age=86400"}
    )


@cache
def _boundaries() -> bytes:
    return resources.files("siting.data.boundaries").joinpath("hunan_boundaries.json").read_bytes()


def _download_name(job: PlanJob, ext: str) -> str:
    doc = job.doc or {}
    network, fuel, count = doc.get("network", "network"), doc.get("fuel", ""), len(doc.get("stations", []))
    return f"plan-{network}-{fuel}-{count}-{job.id}.{ext}"


@router.get("/planning/jobs/{job_id}/plan.geojson")
async def download_geojson(request: Request, user: Reader, job_id: str) -> Response:
    job = _job(request, user, job_id)
    if job is None or job.doc is None or job.dataset is None:
        return _not_found(request)
    body = json.dumps(plan_geojson(job.dataset.G, job.doc), ensure_ascii=False)
    return Response(
        body,
        media_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(job, "geojson")}"'},
    )


@router.get("/planning/jobs/{job_id}/plan.csv")
async def download_csv(request: Request, user: Reader, job_id: str) -> Response:
    job = _job(request, user, job_id)
    if job is None or job.doc is None:
        return _not_found(request)
    return Response(
        "\ufeff" + stations_csv(job.doc),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(job, "csv")}"'},
    )


@router.get("/planning/compare")
async def compare(
    request: Request, user: Reader, job: Annotated[list[str] | None, Query()] = None
) -> Response:
    """Two or more of the user's finished plans side by side (at most ``MAX_KEPT``)."""
    found = (_job(request, user, job_id) for job_id in list(dict.fromkeys(job or []))[:MAX_KEPT])
    chosen = sorted((j for j in found if j is not None and j.doc is not None), key=lambda j: j.created)
    if len(chosen) < 2:
        return error_page(request, 422, "Choose two or more finished plans to compare.")
    return render(
        request,
        "planning/compare.html",
        {"jobs": chosen, "results": [_result(request, j) for j in chosen], "st": _siting_labels(request)},
    )
