"""``/rules``: the shipped rule packs and their rules."""

from fastapi import APIRouter, HTTPException, status

from compliance.api.schemas import RulePackPublic, RulePublic
from compliance.errors import UnknownRuleError
from compliance.packs import find_rule, shipped_packs


def rules_router() -> APIRouter:
    router = APIRouter()

    @router.get("/rules", response_model=list[RulePackPublic])
    async def list_rules() -> list[RulePackPublic]:
        return [RulePackPublic.of(p) for p in shipped_packs().values()]

    @router.get("/rules/{rule_id}", response_model=RulePublic)
    async def show_rule(rule_id: str) -> RulePublic:
        try:
            return RulePublic.of(find_rule(rule_id))
        except UnknownRuleError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None

    return router
