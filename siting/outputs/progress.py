"""Progress on standard error while a plan is solved: the curve's points and the running MILP.

A long solve (a large network, a 60 s limit per point) shows a bar of the time used against the
limit and the gap HiGHS has certified so far; the curve's own bar counts the points done. Shown
only on a terminal; piped or captured runs print nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from siting.i18n import t
from siting.models.instance import PlanResult

__all__ = ["PlanProgress", "plan_progress"]

_LABELS = {
    "solving": ("Solving the MILP", "正在求解混合整数模型"),
    "no_bound": ("no bound yet", "尚无界"),
}


def _label(key: str, lang: str) -> str:
    en, zh = _LABELS[key]
    return zh if lang == "zh" else en


@dataclass
class PlanProgress:
    """The two callbacks a plan run drives: ``step(p, result)`` per curve point, ``solving(s, gap)``."""

    progress: Progress
    curve_task: TaskID | None
    solve_task: TaskID
    lang: str

    def step(self, p: int, result: PlanResult) -> None:
        if self.curve_task is not None:
            gap = "" if result.gap is None else f", {t('gap', self.lang)} {100 * result.gap:.2f}%"
            self.progress.update(
                self.curve_task, advance=1, description=f"{t('computing_curve', self.lang)} p={p}{gap}"
            )
        self.progress.update(self.solve_task, completed=0, visible=False)

    def solving(self, seconds: float, gap: float | None) -> None:
        shown = _label("no_bound", self.lang) if gap is None else f"{t('gap', self.lang)} {100 * gap:.2f}%"
        self.progress.update(
            self.solve_task,
            completed=seconds,
            visible=True,
            description=f"{_label('solving', self.lang)} ({shown})",
        )


@contextmanager
def plan_progress(
    curve_points: int, time_limit_s: float | None, lang: str = "en", enabled: bool = True
) -> Iterator[PlanProgress]:
    """Bars for the curve (``curve_points`` > 0) and for the MILP solve in progress."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    ) as progress:
        curve = (
            progress.add_task(t("computing_curve", lang), total=curve_points) if curve_points > 0 else None
        )
        solve = progress.add_task(_label("solving", lang), total=time_limit_s or 60.0, visible=False)
        yield PlanProgress(progress, curve, solve, lang)
