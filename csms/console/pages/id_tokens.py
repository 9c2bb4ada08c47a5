"""Id tokens (RFID cards, app accounts): a paged table; operators create, block and unblock them, through
``services.tokens`` as the REST routes ``/api/v1/id-tokens`` do."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from csms.console.auth import actor, reader, services_of
from csms.console.nav import OPERATORS, STATION_READERS, may
from csms.console.pages.listing import page_of, pager
from csms.console.render import render
from csms.domain.access import Principal
from csms.errors import Conflict, NotFound

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Principal, Depends(reader(STATION_READERS))]
Operator = Annotated[Principal, Depends(actor(OPERATORS))]

STATUSES = ("Accepted", "Blocked", "Expired", "Invalid")
TYPES = ("ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "Central", "eMAID", "NoAuthorization")


async def _list(request: Request, q: str, status: str, page: int, **extra: object) -> Response:
    services = services_of(request)
    rows, total = await services.tokens.search(
        page_of(page), text=q.strip() or None, status=status if status in STATUSES else None
    )
    filters = {"q": q, "status": status}
    context = {"rows": rows, "filters": filters, "statuses": STATUSES, "types": TYPES,
               "may_edit": may(request.state.console_user.role, OPERATORS),
               **pager("/console/id-tokens", filters, page, total), **extra}
    return render(request, "id_tokens/list.html", context, 409 if "failure" in extra else 200)


@router.get("/id-tokens")
async def id_tokens(
    request: Request, _: Reader, q: Annotated[str, Query(max_length=255)] = "", status: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    return await _list(request, q, status, page)


@router.post("/id-tokens")
async def create_id_token(
    request: Request, _: Operator,
    id_token: Annotated[str, Form(min_length=1, max_length=255)],
    type: Annotated[str, Form()] = "ISO14443",
    group_id_token: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    try:
        await services_of(request).tokens.create(
            id_token.strip(), type=type if type in TYPES else "ISO14443",
            group_id_token=group_id_token or None,
        )
    except Conflict:
        failure = ("Id token {token} already exists.", {"token": id_token})
        return await _list(request, "", "", 1, failure=failure)
    return RedirectResponse("/console/id-tokens?" + urlencode({"q": id_token.strip()}), status_code=303)


@router.post("/id-tokens/status")
async def set_id_token_status(
    request: Request, _: Operator,
    id_token: Annotated[str, Form(min_length=1, max_length=255)],
    status: Annotated[str, Form()],
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Block (``Blocked``) or unblock (``Accepted``) a token."""
    if status not in ("Accepted", "Blocked"):
        status = "Blocked"
    try:
        await services_of(request).tokens.update(id_token, status=status)
    except NotFound:
        failure = ("Id token {token} does not exist.", {"token": id_token})
        return await _list(request, "", "", 1, failure=failure)
    target = "/console/id-tokens"
    if back.startswith("/console/id-tokens") and not back.startswith("//"):
        target = back  # the page and filters the operator was on
    return RedirectResponse(target, status_code=303)
