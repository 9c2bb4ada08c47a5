"""Who is calling the REST API: roles and the principal a bearer token stands for (plain values)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a token may do; ``admin`` may do everything."""

    admin = "admin"
    operator = "operator"
    inspector = "inspector"
    planner = "planner"
    load_centre = "load_centre"
    viewer = "viewer"


@dataclass(frozen=True, slots=True)
class Principal:
    """The holder of a valid, unrevoked API token."""

    token_id: int
    name: str
    role: Role
