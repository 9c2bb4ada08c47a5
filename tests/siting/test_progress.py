"""Long solves report their progress: elapsed time and gap while HiGHS works, per curve point."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from siting.demand import gravity_trips
from siting.models import build_instance
from siting.outputs.progress import PlanProgress
from siting.planning import coverage_curve, plan_stations
from siting.synthetic import synthetic_network


def _instance():
    G = synthetic_network(
        60, 600, width_km=600.0, height_km=450.0, neighbours=3, service_area_every=6, seed=2
    )
    cands = [n for n, k in G.nodes(data="kind") if k == "service_area"]
    return build_instance(G, gravity_trips(G, beta=1.5), 300.0, candidates=cands)


def test_the_milp_reports_time_and_gap_while_it_runs():
    inst = _instance()
    ticks: list[tuple[float, float | None]] = []
    plan = plan_stations(inst, 8, time_limit_s=30, on_progress=lambda s, g: ticks.append((s, g)))
    assert plan.status == "optimal"
    assert ticks, "no progress reported during the solve"
    seconds = [s for s, _ in ticks]
    assert seconds == sorted(seconds) and all(0 <= s <= 30 for s in seconds)
    assert all(g is None or g >= 0 for _, g in ticks)


def test_the_progress_bars_follow_the_curve_and_the_solve():
    inst = _instance()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with Progress(console=console, auto_refresh=False) as progress:
        bars = PlanProgress(
            progress,
            progress.add_task("curve", total=3),
            progress.add_task("solve", total=30, visible=False),
            "zh",
        )
        coverage_curve(inst, [1, 2, 3], time_limit_s=30, on_step=bars.step, on_progress=bars.solving)
        curve_task = progress.tasks[0]
        assert curve_task.completed == 3 and "p=3" in curve_task.description
        assert "覆盖曲线" in curve_task.description
