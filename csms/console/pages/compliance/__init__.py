"""The inspectors' area (/console/compliance): import a register, verdicts, one car park, the map, history."""

from fastapi import APIRouter

from csms.console.pages.compliance import car_park, history, importing, map, verdicts

router = APIRouter()
for _module in (importing, verdicts, car_park, map, history):
    router.include_router(_module.router)
