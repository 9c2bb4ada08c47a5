"""Location models over a prepared :class:`~siting.models.instance.Instance`."""

from siting.models.exact import solve_cover, solve_max_flow
from siting.models.heuristic import greedy_max_flow
from siting.models.instance import Instance, PlanResult, build_instance

__all__ = ["Instance", "PlanResult", "build_instance", "solve_max_flow", "solve_cover", "greedy_max_flow"]
