"""A page of a listing: at most ``limit`` rows after skipping ``offset``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 50
    offset: int = 0
