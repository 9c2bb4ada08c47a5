"""Counts for summaries: by verdict, and by district (the HTML report's and the terminal's tables)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from compliance.evaluate import CarParkResult, Status


@dataclass
class DistrictSummary:
    """One district: car parks per overall verdict and the total shortfall of the leading rules [spaces]."""

    district: str
    counts: Counter[Status] = field(default_factory=Counter)
    shortfall_total: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_counts(results: Iterable[CarParkResult]) -> Counter[Status]:
    return Counter(r.status for r in results)


def district_summary(results: Iterable[CarParkResult], unknown: str = "(未填写)") -> list[DistrictSummary]:
    """One :class:`DistrictSummary` per district, sorted by district name.

    Examples
    --------
    >>> district_summary([])
    []
    """
    by_district: dict[str, DistrictSummary] = {}
    for r in results:
        name = r.car_park.district or unknown
        entry = by_district.setdefault(name, DistrictSummary(name))
        entry.counts[r.status] += 1
        if r.status is Status.NON_COMPLIANT and r.leading is not None and r.leading.shortfall:
            entry.shortfall_total += r.leading.shortfall
    return [by_district[k] for k in sorted(by_district)]
