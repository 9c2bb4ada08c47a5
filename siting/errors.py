"""Exceptions of the siting package: one small hierarchy, turned into exit codes only in the CLI.

Every message names the offending node, edge, row or column so that a planner can fix the input.
"""

from __future__ import annotations

__all__ = [
    "SitingError",
    "InputError",
    "GraphError",
    "DemandError",
    "RangeError",
]


class SitingError(ValueError):
    """Base class: the run refuses rather than produce a wrong plan."""


class InputError(SitingError):
    """A file or row cannot be read (missing column, bad number, unknown format)."""


class GraphError(SitingError):
    """The road network is unusable: disconnected, non-positive lengths, unknown nodes."""


class DemandError(SitingError):
    """O-D flows name nodes absent from the graph, or a given path is not a walk of the graph."""


class RangeError(SitingError):
    """A trip must cross an edge longer than the vehicle range, so no station set can serve it."""
