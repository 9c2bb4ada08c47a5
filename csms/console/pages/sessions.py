"""Sessions: a paged table with filters (station, id token, status, local dates), its export as CSV or XLSX
(the same columns, the filtered set, bounded), and a session's page with its facts, cost, carbon record and
its power and energy chart (data from ``/console/sessions/{id}/chart.json``)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from compliance.reports.safe_cells import SafeCsvWriter, safe_row
from csms.console.auth import reader, services_of
from csms.console.i18n import Translate, translator
from csms.console.nav import STATION_READERS
from csms.console.pages.listing import page_count, page_of
from csms.console.render import error_page, render, request_lang
from csms.console.timefmt import LOCAL, day_end, day_start, local_time
from csms.domain.access import Principal
from csms.domain.meter_series import energy_series, power_series
from csms.domain.paging import Page
from csms.domain.session import SessionStatus
from csms.errors import NotFound

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Principal, Depends(reader(STATION_READERS))]
SessionId = Annotated[int, Path(ge=1, le=2**31 - 1)]

EXPORT_MAX = 100_000
"""Rows an export may hold; a larger set asks the reader to narrow the filters."""
EXPORT_BATCH = 2_000
STATUSES = tuple(s.value for s in SessionStatus)


# -- filters ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionFilter:
    """The table's filters as the form sent them; ``errors`` names the fields that did not parse."""

    station: str = ""
    token: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: tuple[str, ...] = field(default=())

    @property
    def since(self) -> datetime | None:
        day = _day(self.date_from)
        return day_start(day) if day else None

    @property
    def until(self) -> datetime | None:
        day = _day(self.date_to)
        return day_end(day) if day else None

    def search_args(self) -> dict[str, Any]:
        return {
            "station_id": self.station or None,
            "id_token": self.token or None,
            "status": self.status or None,
            "since": self.since,
            "until": self.until,
        }

    def query(self) -> str:
        """The filters as a query string (pager and export links keep them)."""
        pairs = {"station": self.station, "token": self.token, "status": self.status,
                 "from": self.date_from, "to": self.date_to}  # fmt: skip
        return urlencode({k: v for k, v in pairs.items() if v})


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def session_filter(
    station: Annotated[str, Query(max_length=48)] = "",
    token: Annotated[str, Query(max_length=255)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> SessionFilter:
    station, token, status = station.strip(), token.strip(), status.strip()
    errors = []
    if status and status not in STATUSES:
        errors.append("status")
        status = ""
    if date_from and _day(date_from) is None:
        errors.append("from")
        date_from = ""
    if date_to and _day(date_to) is None:
        errors.append("to")
        date_to = ""
    return SessionFilter(station, token, status, date_from, date_to, tuple(errors))


Filters = Annotated[SessionFilter, Depends(session_filter)]


# -- the columns: the table and both exports ----------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    msgid: str
    value: Callable[[Any], Any]
    kind: str = "text"
    """text, num (kWh with 3 decimals), time (local), status (translated), link (the session's page)."""


COLUMNS = (
    Column("Session", lambda t: t.id, "link"),
    Column("Station", lambda t: t.station_id),
    Column("EVSE", lambda t: t.evse_id),
    Column("Id token", lambda t: t.id_token or ""),
    Column("Status", lambda t: t.status, "status"),
    Column("Started", lambda t: t.started_at, "time"),
    Column("Stopped", lambda t: t.stopped_at, "time"),
    Column("Energy (kWh)", lambda t: None if t.energy_wh is None else round(t.energy_wh / 1000, 3), "num"),
    Column("Stop reason", lambda t: t.stop_reason or ""),
)


def text_cell(column: Column, tx: Any, _: Translate) -> Any:
    """A cell as the table and the CSV show it (numbers stay numbers)."""
    value = column.value(tx)
    if column.kind == "time":
        return "" if value is None else local_time(value)
    if column.kind == "status":
        return _(value)
    return "" if value is None else value


def xlsx_cell(column: Column, tx: Any, _: Translate) -> Any:
    value = column.value(tx)
    if column.kind == "time":  # a real date cell, in local time (spreadsheets have no zones)
        return None if value is None else value.astimezone(LOCAL).replace(tzinfo=None)
    return text_cell(column, tx, _)


# -- pages --------------------------------------------------------------------------------------------------
@router.get("/sessions")
async def sessions(
    request: Request, _: Reader, q: Filters, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    services = services_of(request)
    rows, total = await services.transactions.search(
        page_of(page), **q.search_args()
    )
    pages = page_count(total)
    if page > pages:  # past the end (the set shrank, or a hand-made link): the last page
        query = q.query()
        target = f"/console/sessions?{query}{'&' if query else ''}page={pages}"
        return RedirectResponse(target, status_code=303)
    t = translator(request_lang(request))
    table = [(tx.id, [(c, text_cell(c, tx, t)) for c in COLUMNS]) for tx in rows]
    query = q.query()
    return render(
        request,
        "sessions/list.html",
        {
            "q": q, "rows": table, "columns": COLUMNS, "statuses": STATUSES, "total": total,
            "page": page, "pages": pages, "export_query": query,
            "base": "/console/sessions" + (f"?{query}" if query else ""),
        },
    )  # fmt: skip


async def _export_total(request: Request, q: SessionFilter) -> int:
    """How many sessions the filtered set holds (one count)."""
    _, total = await services_of(request).transactions.search(Page(1, 0), **q.search_args())
    return total


def _batches(request: Request, q: SessionFilter) -> AsyncIterator[Any]:
    """The filtered set by batches of ``EXPORT_BATCH``, in the table's order."""
    return services_of(request).transactions.scan(EXPORT_BATCH, **q.search_args())


def _too_many(request: Request, total: int) -> Response:
    return error_page(
        request, 413, "Too many sessions to export ({total}); narrow the filters to at most {max}.",
        total=total, max=EXPORT_MAX,
    )  # fmt: skip


def _filename(ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="sessions.{ext}"'}


@router.get("/sessions/export.csv")
async def export_csv(request: Request, _: Reader, q: Filters) -> Response:
    """The filtered sessions as CSV (UTF-8 with a BOM for spreadsheets; formula-safe), streamed by batches."""
    total = await _export_total(request, q)
    if total > EXPORT_MAX:
        return _too_many(request, total)
    t = translator(request_lang(request))

    async def lines() -> AsyncIterator[str]:
        out = io.StringIO()
        writer = SafeCsvWriter(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([t(c.msgid) for c in COLUMNS])
        yield "\ufeff" + out.getvalue()
        async for rows in _batches(request, q):
            out.seek(0)
            out.truncate()
            writer.writerows([text_cell(c, tx, t) for c in COLUMNS] for tx in rows)
            yield out.getvalue()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=_filename("csv"))


@router.get("/sessions/export.xlsx")
async def export_xlsx(request: Request, _: Reader, q: Filters) -> Response:
    """The filtered sessions as an XLSX workbook (openpyxl's write-only mode; at most ``EXPORT_MAX`` rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    total = await _export_total(request, q)
    if total > EXPORT_MAX:
        return _too_many(request, total)
    t = translator(request_lang(request))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t("Sessions"))
    sheet.append([t(c.msgid) for c in COLUMNS])
    async for rows in _batches(request, q):
        for tx in rows:
            cells = []
            for c, value in zip(COLUMNS, safe_row(xlsx_cell(c, tx, t) for c in COLUMNS), strict=True):
                cell = WriteOnlyCell(sheet, value)
                if c.kind == "time" and value is not None:
                    cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_filename("xlsx"),
    )


@router.get("/sessions/{session_id}")
async def session_page(request: Request, _: Reader, session_id: SessionId) -> Response:
    services = services_of(request)
    try:
        tx, samples = await services.transactions.detail(session_id)
    except NotFound:
        return error_page(request, 404, "Not found")
    cost = await services.costs.of(tx.id)
    site_id = await services.sites.site_of_station(tx.station_id)
    carbon = None
    if site_id is not None:
        # The carbon service answers per window of start times: this session's start, at its site.
        window = (tx.started_at, tx.started_at + timedelta(milliseconds=1))
        records = await services.carbon_records.records(*window, site_id)
        carbon = next((r for r in records if str(r.session_id) == str(tx.id)), None)
    power = power_series(samples)
    return render(
        request,
        "sessions/detail.html",
        {"tx": tx, "cost": cost, "carbon": carbon, "site_id": site_id, "points": len(power),
         "peak_w": max((w for _, w in power), default=None)},
    )  # fmt: skip


@router.get("/sessions/{session_id}/chart.json")
async def session_chart(request: Request, _: Reader, session_id: SessionId) -> Response:
    """The session's active power [kW] and energy since its start [kWh] over time (epoch milliseconds)."""
    try:
        tx, samples = await services_of(request).transactions.detail(session_id)
    except NotFound:
        return JSONResponse({"detail": "not found"}, status_code=404)
    power = [[_ms(t), round(w / 1000, 3)] for t, w in power_series(samples)]
    start = None if tx.meter_start_wh is None else (tx.register_start_at or tx.started_at, tx.meter_start_wh)
    energy = [[_ms(t), round(wh / 1000, 3)] for t, wh in energy_series(samples, start)]
    return JSONResponse({"power_kw": power, "energy_kwh": energy})


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)
