"""The planners' solves: a bounded in-memory store of plan jobs, per user, run off the event loop.

A job is a ``siting.api.PlanRequest`` solved by ``siting.api.run_plan`` (the same call as
``POST /api/v1/siting/plan``) in a worker thread: at most ``WORKERS`` solves at once in the process, each
solve capped at ``MAX_TIME_LIMIT_S`` like the REST route, at most ``MAX_ACTIVE`` waiting or running per user
and ``MAX_KEPT`` kept per user (the oldest finished one goes first). Jobs live in this process only: a
restart loses them (the REST route is the way to keep a plan: it returns the document)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio.to_thread
from anyio import CapacityLimiter

from siting.api import PlanRequest, run_plan
from siting.errors import SitingError
from siting.models.instance import PlanResult
from siting.networks import Dataset

log = logging.getLogger(__name__)

MAX_TIME_LIMIT_S = 30.0
"""Solver time per solve, as the REST route caps it (csms/api/routes/siting.py)."""
WORKERS = 2
"""Solves at once in the process (worker threads); further jobs wait their turn."""
MAX_ACTIVE = 2
"""Jobs a user may have waiting or running."""
MAX_KEPT = 10
"""Jobs kept per user; past it the oldest finished one is dropped."""

Status = Literal["queued", "running", "done", "failed"]


class TooManyJobs(Exception):
    """The user already has ``MAX_ACTIVE`` jobs waiting or running."""


@dataclass
class PlanJob:
    id: str
    owner: int
    """The API token (console user) that asked for it."""
    request: PlanRequest
    created: float
    status: Status = "queued"
    seconds: float = 0.0
    """Into the MILP solve running now."""
    gap: float | None = None
    points_done: int = 0
    points: int = 0
    """Solves the job makes: the curve's points (or 1)."""
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    dataset: Dataset | None = None
    doc: dict[str, Any] | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def progress(self, seconds: float, gap: float | None) -> None:
        """``on_progress`` of the solver (called in the worker thread; plain assignments)."""
        self.seconds, self.gap = seconds, gap

    def step(self, p: int, result: PlanResult) -> None:
        self.points_done = min(self.points_done + 1, self.points)
        self.seconds, self.gap = 0.0, result.gap


def solve_count(req: PlanRequest) -> int:
    """How many solves ``run_plan`` makes for ``req`` (for the progress bar)."""
    curve = req.curve_max or 0
    if req.budget is None and req.stations is not None and curve >= req.stations:
        return max(curve, 1)
    return 1 + curve


class PlanJobs:
    """The process's plan jobs, by id, each visible only to its owner."""

    def __init__(self, workers: int = WORKERS, clock: Any = time.time) -> None:
        self._jobs: OrderedDict[str, PlanJob] = OrderedDict()
        self._workers = workers
        self._limiter: CapacityLimiter | None = None
        self._clock = clock

    def _slots(self) -> CapacityLimiter:
        if self._limiter is None:  # made in the running loop
            self._limiter = CapacityLimiter(self._workers)
        return self._limiter

    def of(self, owner: int) -> list[PlanJob]:
        """``owner``'s jobs, newest first."""
        return [job for job in reversed(self._jobs.values()) if job.owner == owner]

    def get(self, owner: int, job_id: str) -> PlanJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def submit(self, owner: int, req: PlanRequest) -> PlanJob:
        """Start solving ``req`` for ``owner``; :class:`TooManyJobs` past ``MAX_ACTIVE``."""
        mine = self.of(owner)
        if sum(job.active for job in mine) >= MAX_ACTIVE:
            raise TooManyJobs
        finished = [job for job in mine if not job.active]
        while len(mine) >= MAX_KEPT and finished:
            oldest = finished.pop()
            del self._jobs[oldest.id]
            mine.remove(oldest)
        job = PlanJob(secrets.token_urlsafe(9), owner, req, self._clock(), points=solve_count(req))
        self._jobs[job.id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job), name=f"plan-job-{job.id}")
        return job

    async def _run(self, job: PlanJob) -> None:
        def solve() -> tuple[Dataset, dict[str, Any]]:
            job.status, job.started = "running", self._clock()
            return run_plan(job.request, MAX_TIME_LIMIT_S, on_progress=job.progress, on_step=job.step)

        try:
            job.dataset, job.doc = await anyio.to_thread.run_sync(solve, limiter=self._slots())
            job.status, job.points_done = "done", job.points
        except SitingError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:
            log.exception("plan job %s failed", job.id)
            job.status, job.error = "failed", f"the solve failed ({type(exc).__name__})"
        finally:
            job.finished = self._clock()
