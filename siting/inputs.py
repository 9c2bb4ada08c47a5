"""Resolve what a CLI run plans on: network, trips, candidate sites, existing stations, costs."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from siting.demand import gravity_trips, trips_from_flows
from siting.errors import GraphError, InputError
from siting.graph import build_graph
from siting.io import read_flows_csv, read_network
from siting.networks import Dataset, load_builtin
from siting.sites import select_candidates

__all__ = [
    "load_dataset",
    "dataset_from_records",
    "resolve_candidates",
    "parse_ids",
    "read_costs",
    "read_plan_stations",
    "check_nodes",
]


def load_dataset(
    network: str | None,
    nodes: str | None,
    edges: str | None,
    flows: str | None,
    *,
    beta: float = 1.5,
    gravity_scale: float = 1.0,
    crs: str | None = None,
) -> Dataset:
    """A built-in network, or one read from files (gravity demand when no flows file is given)."""
    if network:
        if edges or nodes or flows:
            raise InputError("give either --network or --nodes/--edges/--flows, not both")
        return load_builtin(network)
    if not edges:
        raise InputError("no network: give --network hunan|25node, or --edges (and --nodes, --flows)")
    G = read_network(nodes, edges, crs=crs)
    if flows:
        trips = trips_from_flows(G, read_flows_csv(flows))
    else:
        trips = gravity_trips(G, beta=beta, scale=gravity_scale)
        if not trips:
            raise InputError("no --flows given and no node has a positive weight for the gravity model")
    return Dataset(Path(edges).stem, G, trips, None, f"{edges}")


def dataset_from_records(
    nodes: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    flows: Sequence[Mapping[str, Any]] | None = None,
    *,
    beta: float = 1.5,
    gravity_scale: float = 1.0,
    name: str = "custom",
) -> Dataset:
    """A dataset from in-memory records (the REST edge): nodes, edges and optional O-D flows.

    Examples
    --------
    >>> ds = dataset_from_records([{"id": "a", "weight": 2}, {"id": "b", "weight": 8}],
    ...                           [{"from": "a", "to": "b", "length_km": 4}])
    >>> ds.trips[0].flow
    2.0
    """
    G = build_graph(nodes, edges, add_missing_nodes=not nodes)
    if flows:
        trips = trips_from_flows(G, flows)
    else:
        trips = gravity_trips(G, beta=beta, scale=gravity_scale)
        if not trips:
            raise InputError("no flows given and no node has a positive weight for the gravity model")
    return Dataset(name, G, trips, None, name)


def parse_ids(text: str | None) -> list[str]:
    """Comma- or space-separated node ids."""
    return [s for s in (text or "").replace(",", " ").split() if s]


def resolve_candidates(ds: Dataset, spec: str | None) -> list[str]:
    """Candidate sites from ``--candidates`` (see :func:`siting.sites.select_candidates`): by default
    the dataset's own choice or else its service areas; cities only when asked."""
    return select_candidates(ds.G, spec or "auto", ds.candidates)


def read_costs(path: str | None) -> dict[str, float] | None:
    """CSV ``id,cost``: the cost of opening a station at each site (other sites cost 1)."""
    if not path:
        return None
    out = {}
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"id", "cost"} <= set(reader.fieldnames):
            raise InputError(f"{path}: needs columns id,cost")
        for line, row in enumerate(reader, start=2):
            try:
                cost = float(row["cost"])
            except ValueError:
                raise InputError(f"{path} line {line}: cost must be a number, got {row['cost']!r}") from None
            if cost < 0:
                raise InputError(f"{path} line {line}: cost must not be negative, got {cost}")
            out[row["id"].strip()] = cost
    return out


def read_plan_stations(path: str) -> list[str]:
    """The ``stations`` list of a plan JSON written by ``siting plan``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        stations = doc["stations"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a siting plan JSON with a stations list ({exc})") from None
    return [str(s) for s in stations]


def check_nodes(ds: Dataset, ids: Sequence[str], what: str) -> None:
    unknown = [i for i in ids if i not in ds.G]
    if unknown:
        raise GraphError(f"{what} not in the graph: {', '.join(unknown[:10])}")
