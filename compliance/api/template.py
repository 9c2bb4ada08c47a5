"""``/template``: the empty register template an inspector downloads (XLSX with drop-downs, or CSV)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from compliance.api.common import Deps, Lang
from compliance.template import render_template

_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def template_router(deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.get("/template")
    async def template(
        lang: Lang = "zh",
        fmt: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx",
    ) -> Response:
        """The register template: car parks, the pile list and the instructions (XLSX), or the header row."""
        content = await deps.compute.run(render_template, lang, fmt)
        name = f"{'停车场台账模板' if lang == 'zh' else 'carparks_template'}.{fmt}"
        disposition = f"attachment; filename=\"carparks_template.{fmt}\"; filename*=UTF-8''{_quote(name)}"
        return Response(content, media_type=_MEDIA[fmt], headers={"Content-Disposition": disposition})

    return router


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
