"""``/car-parks``: the register, one car park at a time or imported from a sheet."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from compliance.api.common import ChunkStore, Deps, car_park_or_404, checked
from compliance.api.schemas import CarParkCreate, CarParkPublic, ImportReport
from compliance.errors import RegisterError, RegisterLimitError, UnreadableRegisterError
from compliance.importers import DEFAULT_NEW_SINCE, read_register_bytes
from compliance.repository import CarParkRepository

_UPSERT_CHUNK = 100


def _detail(filename: str, exc: RegisterError) -> dict[str, str]:
    detail = {"msg": f"{filename}: {exc.message_en}", "msg_zh": f"{filename}:{exc.message_zh}"}
    if isinstance(exc, RegisterLimitError):
        detail["limit"] = exc.limit
    return detail


def car_parks_router(deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.get("/car-parks", response_model=list[CarParkPublic])
    async def list_car_parks(
        repo: Annotated[CarParkRepository, deps.repository],
    ) -> list[CarParkPublic]:
        return [CarParkPublic.of(cp) for cp in await repo.list_car_parks()]

    @router.post("/car-parks", response_model=CarParkPublic, status_code=status.HTTP_201_CREATED)
    async def create_car_park(
        body: CarParkCreate, repo: Annotated[CarParkRepository, deps.repository]
    ) -> CarParkPublic:
        record = body.to_record()
        if await repo.get_car_park(record.id) is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"car park {record.id!r} exists")
        await repo.upsert_car_parks([checked(record)])
        return CarParkPublic.of(record)

    @router.post("/car-parks/import", response_model=ImportReport)
    async def import_register(
        request: Request,
        repo: Annotated[CarParkRepository, deps.repository],
        store_chunk: Annotated[ChunkStore | None, deps.store_chunk],
        filename: Annotated[str, Query(description="register.csv or register.xlsx: picks the format")],
        new_since: date = DEFAULT_NEW_SINCE,
    ) -> ImportReport:
        """Import a sheet sent as the raw request body; every identifiable row is stored, problems reported.

        The answer says how the sheet was read: the header rows, each sheet column and the field it became
        (or why it was ignored), and warnings for relevant-looking columns left unmapped.

        The sheet is parsed in a worker process within the import limits: 413 past a limit (the detail
        names it), 422 for a file that is no register, 415 for a format other than CSV or XLSX.
        """
        data = await request.body()
        try:
            result = await deps.parse.run(read_register_bytes, data, filename, new_since, deps.limits)
        except RegisterLimitError as exc:
            raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, _detail(filename, exc)) from None
        except UnreadableRegisterError as exc:
            raise HTTPException(422, _detail(filename, exc)) from None
        except RegisterError as exc:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, exc.message_en) from None
        except RuntimeError:  # the parser died (a crash, not a limit): say so without its internals
            raise HTTPException(422, f"{filename}: cannot be read") from None
        # In chunks: one 100k-row statement would pass SQLite's bound-parameter limit, and with a
        # ``store_chunk`` each chunk is its own short transaction, so the station writes that SQLite
        # serialises behind it (heartbeats) wait for one chunk, not for the whole register.
        store = store_chunk or repo.upsert_car_parks
        for start in range(0, len(result.records), _UPSERT_CHUNK):
            await store(result.records[start : start + _UPSERT_CHUNK])
        return ImportReport.of(result)

    @router.get("/car-parks/{car_park_id}", response_model=CarParkPublic)
    async def get_car_park(
        car_park_id: str, repo: Annotated[CarParkRepository, deps.repository]
    ) -> CarParkPublic:
        return CarParkPublic.of(await car_park_or_404(repo, car_park_id))

    @router.put("/car-parks/{car_park_id}", response_model=CarParkPublic)
    async def replace_car_park(
        car_park_id: str, body: CarParkCreate, repo: Annotated[CarParkRepository, deps.repository]
    ) -> CarParkPublic:
        record = body.to_record()
        if record.id != car_park_id:
            raise HTTPException(422, "body id differs from the path id")
        await car_park_or_404(repo, car_park_id)
        await repo.upsert_car_parks([checked(record)])
        return CarParkPublic.of(record)

    @router.delete("/car-parks/{car_park_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_car_park(
        car_park_id: str, repo: Annotated[CarParkRepository, deps.repository]
    ) -> Response:
        if not await repo.delete_car_park(car_park_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown car park {car_park_id!r}")
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
