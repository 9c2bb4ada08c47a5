"""REST routes for inspectors, storage-agnostic: ``create_router(...)`` returns an ``APIRouter`` to mount.

The CSMS supplies storage through a FastAPI dependency yielding a
:class:`compliance.repository.CarParkRepository` (that dependency owns the unit of work and commits),
optionally a dependency yielding a :class:`compliance.repository.TelemetrySource`, and its inspector-role
guard through ``dependencies``. Nothing here imports the CSMS. One router per resource: ``rules``,
``car_parks`` (with the sheet import), ``checks``, ``reports`` (with notices) and ``inspections``.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends

from compliance.api.car_parks import car_parks_router
from compliance.api.checks import checks_router
from compliance.api.common import Deps
from compliance.api.inspections import inspections_router
from compliance.api.reports import REPORTS, reports_router
from compliance.api.rules import rules_router
from compliance.api.template import template_router
from compliance.api.worker import ProcessWorker, ThreadWorker
from compliance.limits import DEFAULT_LIMITS, ImportLimits
from compliance.reports.notice_text import NoticeConfig

__all__ = ["REPORTS", "create_router"]


async def _no_telemetry() -> None:
    return None


async def _no_chunk_store() -> None:
    return None


def create_router(
    get_repository: Callable[..., Any],
    *,
    get_telemetry: Callable[..., Any] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    prefix: str = "/compliance",
    dependencies: Sequence[Any] = (),
    limits: ImportLimits = DEFAULT_LIMITS,
    import_timeout_s: float = 60.0,
    max_workers: int = 2,
    get_chunk_store: Callable[..., Any] | None = None,
    notice: NoticeConfig | None = None,
) -> APIRouter:
    """Build the compliance routes.

    Parameters
    ----------
    get_repository : callable
        FastAPI dependency returning (or yielding) a ``CarParkRepository`` for this request.
    get_telemetry : callable, optional
        FastAPI dependency returning a ``TelemetrySource``; without it checks skip the cross-check.
    clock : callable
        Returns the aware "now" for the telemetry cross-check (injected for tests).
    prefix : str
        Mount point of the routes.
    dependencies : sequence
        Extra router dependencies, e.g. ``[Depends(allow(Role.inspector))]`` in the CSMS.
    limits : ImportLimits
        Bounds on an imported register (rows, cells, inflated bytes...).
    import_timeout_s : float
        Wall time [s] after which the process parsing an upload is killed (413, ``time_limit_s``).
    max_workers : int
        Uploads parsed at once (processes), and evaluations or renderings run at once (threads).
    get_chunk_store : callable, optional
        FastAPI dependency returning a ``ChunkStore``: an async callable storing one chunk of imported
        records in its own committed unit of work (the CSMS's, so that a large import never holds
        SQLite's write lock for long); without it the request's repository stores the import.
    notice : NoticeConfig, optional
        The issuing office's notice settings: authority, number pattern, deadline and objection days.
    """
    deps = Deps(
        Depends(get_repository),
        Depends(get_telemetry or _no_telemetry),
        clock,
        parse=ProcessWorker(max_workers, import_timeout_s),
        compute=ThreadWorker(max_workers),
        limits=limits,
        store_chunk=Depends(get_chunk_store or _no_chunk_store),
        notice=notice or NoticeConfig(),
    )
    router = APIRouter(prefix=prefix, tags=["compliance"], dependencies=list(dependencies))
    router.include_router(rules_router())
    router.include_router(car_parks_router(deps))
    router.include_router(checks_router(deps))
    router.include_router(reports_router(deps))
    router.include_router(inspections_router(deps))
    router.include_router(template_router(deps))
    return router
