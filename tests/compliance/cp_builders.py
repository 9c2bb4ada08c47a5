"""Record builders shared by the compliance tests (imported through conftest's sys.path entry)."""

from __future__ import annotations

from compliance.categories import Category
from compliance.model import CarPark


def make_car_park(**fields: object) -> CarPark:
    """A fully known, consistent car park; tests override only what they exercise."""
    base: dict[str, object] = {
        "id": "T-1",
        "name": "测试停车场",
        "category": Category.OTHER,
        "district": "岳麓区",
        "is_public": False,
        "is_new": False,
        "total_spaces": 100,
        "dedicated_spaces": 0,
        "spaces_with_chargers": 0,
        "spaces_reserved": 0,
        "dc_fast_chargers_60kw": 0,
        "on_trunk_road": False,
        "underground_levels": 0,
    }
    base.update(fields)
    if isinstance(base["category"], str):
        base["category"] = Category(base["category"])
    return CarPark(**base)  # type: ignore[arg-type]
