"""Upload a register -> review how it was read (column mapping, row errors) -> import it.

The upload is read as the REST import reads it (``ComplianceService.read_register``: a child process within
the import limits) and nothing is stored until the inspector confirms; the reading waits here meanwhile,
for the same signed-in session only, at most ``PENDING_MAX`` at once and ``PENDING_TTL_S`` each.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from compliance.errors import RegisterError, RegisterLimitError
from compliance.importers import ImportResult
from csms.console.auth import actor, reader, services_of
from csms.console.pages.compliance.common import ROLES, effect_label
from csms.console.render import render, request_lang
from csms.domain.access import Principal

router = APIRouter(prefix="/console/compliance", include_in_schema=False)

PENDING_MAX = 8
PENDING_TTL_S = 1800.0
ERRORS_SHOWN = 500
FORMATS = (".xlsx", ".xlsm", ".csv")


@dataclass
class Pending:
    session: str
    filename: str
    result: ImportResult
    at: float


_pending: OrderedDict[str, Pending] = OrderedDict()


def _keep(entry: Pending) -> str:
    now = time.monotonic()
    for key in [k for k, p in _pending.items() if now - p.at > PENDING_TTL_S]:
        del _pending[key]
    while len(_pending) >= PENDING_MAX:
        _pending.popitem(last=False)
    key = secrets.token_urlsafe(16)
    _pending[key] = entry
    return key


def _session_of(request: Request) -> str:
    return str(request.state.console_session.csrf)


@router.get("/import")
async def import_form(request: Request, _: Annotated[Principal, Depends(reader(ROLES))]) -> Response:
    return render(request, "compliance/import.html", {"problem": None})


@router.post("/import")
async def upload(
    request: Request,
    _: Annotated[Principal, Depends(actor(ROLES))],
    sheet: Annotated[UploadFile, File()],
) -> Response:
    filename = PurePath(sheet.filename or "").name or "register.xlsx"
    if PurePath(filename).suffix.lower() not in FORMATS:
        return render(
            request, "compliance/import.html", {"problem": ("Choose an .xlsx or .csv file.", {})}, 422
        )
    data = await sheet.read()
    lang = request_lang(request)
    try:
        result = await services_of(request).compliance.read_register(data, filename)
    except RegisterLimitError as exc:
        return render(request, "compliance/import.html", {"problem_text": exc.message(lang)}, 413)
    except RegisterError as exc:
        return render(request, "compliance/import.html", {"problem_text": exc.message(lang)}, 422)
    except RuntimeError:
        return render(request, "compliance/import.html", {"problem": ("The file cannot be read.", {})}, 422)
    key = _keep(Pending(_session_of(request), filename, result, time.monotonic()))
    return render(request, "compliance/review.html", _review(result, filename, key, lang))


def _review(result: ImportResult, filename: str, key: str, lang: str) -> dict[str, object]:
    mapping = result.mapping
    zh = lang == "zh"
    columns = [
        {
            "letter": c.letter,
            "header": c.header,
            "field": c.field_label(lang),
            "key": c.key,
            "note": c.note_zh if zh else c.note_en,
            "warning": c.warning,
        }
        for c in (mapping.columns if mapping else ())
    ]
    errors = [
        {
            "row": e.row,
            "column": e.header or e.column,
            "value": e.value,
            "message": e.message_zh if zh else e.message_en,
            "effect": e.effect.value,
            "effect_label": effect_label(e.effect.value, lang),
        }
        for e in result.errors
    ]
    return {
        "key": key,
        "filename": filename,
        "sheet": mapping.sheet if mapping else "",
        "header_rows": mapping.header_rows if mapping else (),
        "rows_read": result.rows_read,
        "good": len(result.records),
        "rejected": len(result.rejected_rows),
        "ignored": sum(1 for e in errors if e["effect"] == "value_ignored"),
        "columns": columns,
        "warnings": mapping.warnings(lang) if mapping else [],
        "errors": errors[:ERRORS_SHOWN],
        "errors_total": len(errors),
    }


@router.post("/import/{key}")
async def confirm(request: Request, key: str, user: Annotated[Principal, Depends(actor(ROLES))]) -> Response:
    entry = _pending.get(key)
    if entry is None or entry.session != _session_of(request):
        return render(
            request,
            "compliance/import.html",
            {"problem": ("This upload has expired; choose the file again.", {})},
            410,
        )
    del _pending[key]
    import_id = await services_of(request).compliance.import_register(entry.result, entry.filename, user.name)
    return RedirectResponse(f"/console/compliance/imports/{import_id}", status_code=303)
