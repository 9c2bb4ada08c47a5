"""``/car-parks/{id}/inspections``: the inspection history of a car park."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, status

from compliance.api.common import Deps, car_park_or_404
from compliance.api.schemas import InspectionCreate, InspectionPublic
from compliance.repository import CarParkRepository


def inspections_router(deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.get("/car-parks/{car_park_id}/inspections", response_model=list[InspectionPublic])
    async def list_inspections(
        car_park_id: str, repo: Annotated[CarParkRepository, deps.repository]
    ) -> list[InspectionPublic]:
        await car_park_or_404(repo, car_park_id)
        return [InspectionPublic.of(i) for i in await repo.list_inspections(car_park_id)]

    @router.post(
        "/car-parks/{car_park_id}/inspections",
        response_model=InspectionPublic,
        status_code=status.HTTP_201_CREATED,
    )
    async def add_inspection(
        car_park_id: str, body: InspectionCreate, repo: Annotated[CarParkRepository, deps.repository]
    ) -> InspectionPublic:
        await car_park_or_404(repo, car_park_id)
        if body.rectification_deadline is not None and body.rectification_deadline < body.inspected_on:
            raise HTTPException(422, "rectification_deadline before inspected_on")
        return InspectionPublic.of(await repo.add_inspection(body.to_record(car_park_id)))

    return router
