"""Thin helpers around highspy: a quiet solver and status mapping."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import cast

import highspy
import numpy as np
from numpy.typing import NDArray

__all__ = ["quiet_highs", "status_of", "add_columns"]

# highspy's Python ``Highs.__init__`` has no annotations; this states what calling the class returns.
_new_highs = cast(Callable[[], highspy.Highs], highspy.Highs)


def quiet_highs(time_limit_s: float | None, mip_rel_gap: float) -> highspy.Highs:
    """A HiGHS instance with logging off.

    The C++ constructor prints a licence banner straight to file descriptor 1 once per process,
    which would corrupt ``--format json`` output, so fd 1 is pointed at /dev/null meanwhile.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = _new_highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def status_of(h: highspy.Highs) -> str:
    """optimal, feasible (a solution without proof), infeasible or unknown."""
    model_status = h.getModelStatus()
    if model_status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
        return "optimal"  # an empty model: nothing left to decide
    if model_status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return "infeasible"
    if h.getInfo().primal_solution_status == 2:  # kSolutionStatusFeasible
        return "feasible"
    return "unknown"


def add_columns(h: highspy.Highs, cost: NDArray[np.float64], n_binary: int) -> None:
    """Columns in [0, 1] with objective ``cost``; the first ``n_binary`` are integer (binary)."""
    n = len(cost)
    empty_i = np.zeros(0, dtype=np.int32)
    h.addCols(n, np.asarray(cost, dtype=float), np.zeros(n), np.ones(n), 0, empty_i, empty_i, np.zeros(0))
    if n_binary:
        kinds = np.array([highspy.HighsVarType.kInteger] * n_binary)
        h.changeColsIntegrality(n_binary, np.arange(n_binary, dtype=np.int32), kinds)
