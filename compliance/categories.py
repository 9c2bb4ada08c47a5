"""Car-park categories: the codes the action plan and the provincial and national documents name, their
Chinese labels, and the other names registers use for them (read by :mod:`compliance.cells`)."""

from __future__ import annotations

from enum import StrEnum


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
    #: Blank or unreadable in the register: every rule that asks the category is insufficient data.
    UNKNOWN = "unknown"

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
    Category.UNKNOWN: "未填写或无法识别",
}

#: How registers name the categories besides the code and :data:`CATEGORY_ZH` (read after NFKC
#: normalisation, lower-cased, spaces removed; a trailing 停车场 is also tried without it).
CATEGORY_SYNONYMS: dict[Category, tuple[str, ...]] = {
    Category.EXPRESSWAY_SERVICE_AREA: ("高速服务区", "高速公路服务区", "服务区", "高速公路", "高速"),
    Category.PUBLIC_INSTITUTION: (
        "公共单位",
        "公共机构",
        "机关单位",
        "机关",
        "机关事业单位",
        "事业单位",
        "党政机关",
        "政府机关",
        "行政机关",
        "国家机关",
        "行政事业单位",
    ),
    Category.CULTURAL_TOURISM: (
        "文旅休闲景区",
        "文旅景区",
        "景区",
        "旅游景区",
        "景点",
        "旅游景点",
        "文旅",
        "风景区",
        "风景名胜区",
        "休闲景区",
    ),
    Category.PUBLIC_BUILDING: (
        "公共建筑",
        "大型公共建筑",
        "公共建筑物",
        "大型公共建筑物",
        "公建",
        "公建配建",
    ),
    Category.SOCIAL_PUBLIC: ("社会公共", "社会公共停车场", "公共停车场", "社会停车场", "公共"),
    Category.URBAN_GROUND_PUBLIC: ("城市地面公共", "地面公共停车场", "地面公共", "路外地面公共停车场"),
    Category.SOE_INTERNAL: ("国企内部", "国有企业内部", "国企", "国有企业", "国企内部停车场"),
    Category.RESIDENTIAL: (
        "住宅",
        "小区",
        "住宅小区",
        "居住区",
        "住宅区",
        "居民小区",
        "商品房小区",
        "安置小区",
        "保障房小区",
        "居住小区",
    ),
    Category.COMMERCIAL: ("商业", "商场", "商业综合体", "购物中心", "综合体"),
    Category.FLEET_DEPOT: (
        "车队场站",
        "专用场站",
        "公交场站",
        "公交站场",
        "公交首末站",
        "出租车场站",
        "物流场站",
    ),
    Category.OTHER: ("其他", "其它"),
}
