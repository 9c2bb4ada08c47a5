from __future__ import annotations

from fastapi import APIRouter, Query, Response

from csms.api.deps import Offset, Operator, Reader, ServicesDep
from csms.api.schemas import IdTokenCreate, IdTokenPublic, IdTokenUpdate

router = APIRouter(prefix="/api/v1/id-tokens", tags=["id tokens"])


@router.post("", status_code=201)
async def create_token(body: IdTokenCreate, services: ServicesDep, _: Operator) -> IdTokenPublic:
    row = await services.tokens.create(**body.model_dump())
    return IdTokenPublic.model_validate(row)


@router.get("")
async def list_tokens(
    services: ServicesDep, _: Reader, limit: int = Query(100, ge=1, le=1000), offset: Offset = 0
) -> list[IdTokenPublic]:
    return [IdTokenPublic.model_validate(r) for r in await services.tokens.list(limit=limit, offset=offset)]


@router.get("/{id_token}")
async def get_token(id_token: str, services: ServicesDep, _: Reader) -> IdTokenPublic:
    return IdTokenPublic.model_validate(await services.tokens.get(id_token))


@router.patch("/{id_token}")
async def update_token(
    id_token: str, body: IdTokenUpdate, services: ServicesDep, _: Operator
) -> IdTokenPublic:
    row = await services.tokens.update(id_token, **body.model_dump(exclude_unset=True))
    return IdTokenPublic.model_validate(row)


@router.delete("/{id_token}", status_code=204)
async def delete_token(id_token: str, services: ServicesDep, _: Operator) -> Response:
    await services.tokens.delete(id_token)
    return Response(status_code=204)
