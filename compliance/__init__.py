"""Car-park compliance with the charging-provision rules of Xiangjiang New Area, Hunan and China.

Rule packs are data (``compliance/packs/*.yaml``); the evaluator is pure; importers, reports and the
CLI sit around it. The CSMS calls :func:`compliance.telemetry.cross_check` and mounts
:func:`compliance.api.create_router`.
"""

from compliance.categories import Category
from compliance.evaluate import CarParkResult, Status, Verdict, evaluate, evaluate_all, evaluate_rule
from compliance.model import CarPark
from compliance.packs import get_pack, resolve_packs, shipped_packs

__all__ = [
    "CarPark",
    "CarParkResult",
    "Category",
    "Status",
    "Verdict",
    "evaluate",
    "evaluate_all",
    "evaluate_rule",
    "get_pack",
    "resolve_packs",
    "shipped_packs",
]
