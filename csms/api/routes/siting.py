"""The siting planner's routes (``siting.api``), for planners and operators."""

from __future__ import annotations

from fastapi import Depends

from csms.api.deps import allow
from csms.domain.access import Role
from siting.api import create_router

router = create_router(
    prefix="/api/v1/siting", dependencies=[Depends(allow(Role.planner, Role.operator))], max_time_limit_s=30
)
