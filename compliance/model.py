"""The car-park record: plain, typed, immutable values (no I/O).

A field left ``None`` means "the register does not say"; the evaluator turns a needed unknown into an
``insufficient_data`` verdict instead of guessing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from compliance.coords import gcj02_to_wgs84


class Category(StrEnum):
    """Car-park categories named by the action plan and the provincial and national documents."""

    EXPRESSWAY_SERVICE_AREA = "expressway_service_area"
    PUBLIC_INSTITUTION = "public_institution"
    CULTURAL_TOURISM = "cultural_tourism"
    PUBLIC_BUILDING = "public_building"
    SOCIAL_PUBLIC = "social_public"
    URBAN_GROUND_PUBLIC = "urban_ground_public"
    SOE_INTERNAL = "soe_internal"
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    FLEET_DEPOT = "fleet_depot"
    OTHER = "other"

    @property
    def label_zh(self) -> str:
        return CATEGORY_ZH[self]


CATEGORY_ZH: dict[Category, str] = {
    Category.EXPRESSWAY_SERVICE_AREA: "高速公路服务区",
    Category.PUBLIC_INSTITUTION: "公共单位(公共机构)",
    Category.CULTURAL_TOURISM: "文旅休闲景区",
    Category.PUBLIC_BUILDING: "大型公共建筑物停车场",
    Category.SOCIAL_PUBLIC: "社会公共停车场",
    Category.URBAN_GROUND_PUBLIC: "城市地面公共停车场",
    Category.SOE_INTERNAL: "国有企业内部停车场",
    Category.RESIDENTIAL: "住宅小区",
    Category.COMMERCIAL: "商业停车场",
    Category.FLEET_DEPOT: "专用车队场站",
    Category.OTHER: "其他",
}

#: Fire-safety preconditions for chargers in underground garages (GB/T 51313-2018 §6.1.6, wording [U]).
FIRE_SAFETY_FIELDS: tuple[str, ...] = ("fire_alarm", "smoke_extraction", "sprinklers", "emergency_lighting")


@dataclass(frozen=True, slots=True)
class CarPark:
    """One car park of the inspectors' register.

    Coordinates are WGS-84 degrees; when the register gave GCJ-02 they were converted on construction
    through :meth:`with_gcj02` and ``coords_converted_from_gcj02`` is set. Counts are spaces, except
    ``dc_fast_chargers_60kw`` (piles of at least 60 kW DC each, 湘政办发〔2021〕4号) and ``dwellings``.
    A dual-gun pile serving two spaces counts as two spaces with chargers.

    Examples
    --------
    >>> cp = CarPark(id="XJ-1", name="梅溪湖停车场", category=Category.SOCIAL_PUBLIC, total_spaces=10)
    >>> cp.category.label_zh, cp.spaces_reserved is None
    ('社会公共停车场', True)
    """

    id: str
    name: str
    category: Category
    district: str = ""
    street: str = ""
    address: str = ""
    lon_deg: float | None = None
    lat_deg: float | None = None
    coords_converted_from_gcj02: bool = False
    is_public: bool | None = None
    is_new: bool | None = None
    approval_date: date | None = None
    completion_date: date | None = None
    total_spaces: int | None = None
    dedicated_spaces: int | None = None
    dwellings: int | None = None
    spaces_with_chargers: int | None = None
    charger_power_kw: float | None = None
    charger_current: str | None = None  # "AC", "DC" or "AC+DC"
    spaces_reserved: int | None = None
    # Evidence for the reserved installation conditions (湘政办发〔2021〕4号: "接桩即可用").
    conduit_to_each_space: bool | None = None
    reserved_capacity_kva: float | None = None
    meter_box_position: str | None = None
    civil_works_done: bool | None = None
    underground_levels: int | None = None
    fire_alarm: bool | None = None
    smoke_extraction: bool | None = None
    sprinklers: bool | None = None
    emergency_lighting: bool | None = None
    on_trunk_road: bool | None = None
    dc_fast_chargers_60kw: int | None = None
    station_ids: tuple[str, ...] = ()

    @property
    def reserved_evidence_complete(self) -> bool:
        """True when every kind of evidence for reserved conditions is on file.

        The four kinds follow 湘政办发〔2021〕4号 (civil works, supply capacity, equipment position,
        cable trays): conduit or tray to each space, reserved supply capacity > 0 kVA, a meter-box
        position, and civil works done.
        """
        return bool(
            self.conduit_to_each_space
            and self.reserved_capacity_kva is not None
            and self.reserved_capacity_kva > 0
            and self.meter_box_position
            and self.civil_works_done
        )

    def with_gcj02(self, lon_deg: float, lat_deg: float) -> CarPark:
        """Copy of this record placed at GCJ-02 coordinates, converted to WGS-84 and flagged.

        Examples
        --------
        >>> cp = CarPark(id="a", name="a", category=Category.OTHER).with_gcj02(112.9054, 28.1965)
        >>> cp.coords_converted_from_gcj02, round(cp.lon_deg, 3), round(cp.lat_deg, 3)
        (True, 112.9, 28.2)
        """
        wgs_lon, wgs_lat = gcj02_to_wgs84(lon_deg, lat_deg)
        return dataclasses.replace(self, lon_deg=wgs_lon, lat_deg=wgs_lat, coords_converted_from_gcj02=True)
