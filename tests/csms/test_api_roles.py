"""Issue 14 finding 9 (least privilege): every route x every role, from the app's own route list, so that a
route added without a policy here fails this test."""

from __future__ import annotations

import re

from csms.domain.access import Role
from tests.harness import Csms

PUBLIC = "public"
VIEW = {Role.viewer, Role.operator}
"""Stations, transactions (with RFID tags), id tokens, stored messages, per-session data."""
SITE_VIEW = VIEW | {Role.load_centre}
"""Sites, site telemetry, demand-response events, flexibility."""
OPS = {Role.operator}
INSPECT = {Role.inspector}
PLAN = {Role.planner, Role.operator}
LOAD = {Role.load_centre}

# (method, path) -> roles admitted besides admin. Reviewed by hand: widen a set only with a reason.
POLICY: dict[tuple[str, str], set[Role] | str] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/v1/stations"): OPS,
    ("GET", "/api/v1/stations"): VIEW,
    ("GET", "/api/v1/stations/{station_id}"): VIEW,
    ("PATCH", "/api/v1/stations/{station_id}"): OPS,
    ("GET", "/api/v1/stations/{station_id}/status-history"): VIEW,
    ("GET", "/api/v1/stations/{station_id}/messages"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/commands/{command}"): OPS,
    ("POST", "/api/v1/stations/{station_id}/calls/{action}"): OPS,
    ("GET", "/api/v1/stations/{station_id}/security"): VIEW,
    ("PUT", "/api/v1/stations/{station_id}/security/profile"): OPS,
    ("POST", "/api/v1/stations/{station_id}/security/upgrade"): OPS,
    ("POST", "/api/v1/stations/{station_id}/security/rotate-password"): OPS,
    ("POST", "/api/v1/id-tokens"): OPS,
    ("GET", "/api/v1/id-tokens"): VIEW,
    ("GET", "/api/v1/id-tokens/{id_token}"): VIEW,
    ("PATCH", "/api/v1/id-tokens/{id_token}"): OPS,
    ("DELETE", "/api/v1/id-tokens/{id_token}"): OPS,
    ("GET", "/api/v1/transactions"): VIEW,
    ("GET", "/api/v1/transactions/{transaction_id}"): VIEW,
    ("POST", "/api/v1/sites"): OPS,
    ("GET", "/api/v1/sites"): SITE_VIEW,
    ("GET", "/api/v1/sites/{site_id}"): SITE_VIEW,
    ("PATCH", "/api/v1/sites/{site_id}"): OPS,
    ("DELETE", "/api/v1/sites/{site_id}"): OPS,
    ("PUT", "/api/v1/sites/{site_id}/stations/{station_id}"): OPS,
    ("DELETE", "/api/v1/sites/{site_id}/stations/{station_id}"): OPS,
    ("POST", "/api/v1/sites/{site_id}/telemetry"): OPS,
    ("GET", "/api/v1/sites/{site_id}/telemetry"): SITE_VIEW,
    ("GET", "/api/v1/sites/{site_id}/allocation"): VIEW,
    ("GET", "/api/v1/sites/{site_id}/charging-profiles"): VIEW,
    ("POST", "/api/v1/demand-response/events"): LOAD,
    ("GET", "/api/v1/demand-response/events"): SITE_VIEW,
    ("GET", "/api/v1/demand-response/events/{event_id}"): SITE_VIEW,
    ("POST", "/api/v1/demand-response/events/{event_id}/cancel"): LOAD,
    ("GET", "/api/v1/demand-response/flexibility"): SITE_VIEW,
    ("GET", "/api/v1/carbon/sessions"): VIEW,
    ("GET", "/api/v1/carbon/credits"): VIEW,
    ("GET", "/api/v1/carbon/factors"): VIEW,
    ("GET", "/api/v1/flexibility"): SITE_VIEW,
    ("GET", "/api/v1/carbon/records"): VIEW,
    ("PUT", "/api/v1/transactions/{transaction_id}/needs"): OPS,
    ("GET", "/api/v1/transactions/{transaction_id}/needs"): VIEW,
    ("GET", "/api/v1/sites/{site_id}/battery-command"): OPS,
    ("GET", "/api/v1/compliance/rules"): INSPECT,
    ("GET", "/api/v1/compliance/rules/{rule_id}"): INSPECT,
    ("GET", "/api/v1/compliance/car-parks"): INSPECT,
    ("POST", "/api/v1/compliance/car-parks"): INSPECT,
    ("POST", "/api/v1/compliance/car-parks/import"): INSPECT,
    ("GET", "/api/v1/compliance/car-parks/{car_park_id}"): INSPECT,
    ("PUT", "/api/v1/compliance/car-parks/{car_park_id}"): INSPECT,
    ("DELETE", "/api/v1/compliance/car-parks/{car_park_id}"): INSPECT,
    ("POST", "/api/v1/compliance/checks"): INSPECT,
    ("GET", "/api/v1/compliance/car-parks/{car_park_id}/verdicts"): INSPECT,
    ("GET", "/api/v1/compliance/reports/{name}"): INSPECT,
    ("GET", "/api/v1/compliance/car-parks/{car_park_id}/notice"): INSPECT,
    ("GET", "/api/v1/compliance/car-parks/{car_park_id}/inspections"): INSPECT,
    ("POST", "/api/v1/compliance/car-parks/{car_park_id}/inspections"): INSPECT,
    ("GET", "/api/v1/stations/{station_id}/charging-profiles"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/charging-profiles/reports"): OPS,
    ("GET", "/api/v1/stations/{station_id}/charging-profiles/reports/{request_id}"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/charging-profiles/clear"): OPS,
    ("GET", "/api/v1/stations/{station_id}/charging-limits"): VIEW,
    ("POST", "/api/v1/reservations"): OPS,
    ("GET", "/api/v1/reservations"): VIEW,
    ("GET", "/api/v1/reservations/{reservation_id}"): VIEW,
    ("POST", "/api/v1/reservations/{reservation_id}/cancel"): OPS,
    ("GET", "/api/v1/stations/{station_id}/reservations"): VIEW,
    ("GET", "/api/v1/stations/{station_id}/local-list"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/local-list"): OPS,
    ("POST", "/api/v1/stations/{station_id}/local-list/version"): OPS,
    ("POST", "/api/v1/firmware/campaigns"): OPS,
    ("GET", "/api/v1/firmware/campaigns"): VIEW,
    ("GET", "/api/v1/firmware/campaigns/{campaign_id}"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/firmware/publications"): OPS,
    ("GET", "/api/v1/stations/{station_id}/firmware/publications"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/firmware/unpublish"): OPS,
    ("GET", "/api/v1/compliance/template"): INSPECT,
    ("GET", "/api/v1/siting/networks"): PLAN,
    ("POST", "/api/v1/siting/plan"): PLAN,
    ("POST", "/api/v1/siting/cover"): PLAN,
    ("POST", "/api/v1/siting/capacity"): PLAN,
    ("POST", "/api/v1/tariffs"): OPS,
    ("GET", "/api/v1/tariffs"): VIEW,
    ("GET", "/api/v1/tariffs/{tariff_id}"): VIEW,
    ("PUT", "/api/v1/tariffs/{tariff_id}"): OPS,
    ("DELETE", "/api/v1/tariffs/{tariff_id}"): OPS,
    ("GET", "/api/v1/stations/{station_id}/tariff"): VIEW,
    ("GET", "/api/v1/stations/{station_id}/boot-intervals"): VIEW,
    ("PUT", "/api/v1/stations/{station_id}/boot-intervals"): OPS,
    ("GET", "/api/v1/transactions/{transaction_id}/cost"): VIEW,
    ("GET", "/api/v1/transactions/{transaction_id}/sync"): VIEW,
    ("GET", "/api/v1/stations/{station_id}/display-messages"): VIEW,
    ("POST", "/api/v1/tariffs/{tariff_id}/publish"): OPS,
    ("POST", "/api/v1/stations/{station_id}/tariff/publish"): OPS,
}
# block N: monitors, customer information (operators only: it names customers)
POLICY.update({
    ("GET", "/api/v1/stations/{station_id}/monitors"): VIEW,
    ("POST", "/api/v1/stations/{station_id}/monitors"): OPS,
    ("POST", "/api/v1/stations/{station_id}/monitors/clear"): OPS,
    ("POST", "/api/v1/stations/{station_id}/monitors/reports"): OPS,
    ("GET", "/api/v1/stations/{station_id}/monitors/reports/{request_id}"): VIEW,
    ("PUT", "/api/v1/stations/{station_id}/monitoring-base"): OPS,
    ("PUT", "/api/v1/stations/{station_id}/monitoring-level"): OPS,
    ("POST", "/api/v1/stations/{station_id}/customer-information"): OPS,
    ("GET", "/api/v1/stations/{station_id}/customer-information"): OPS,
    ("GET", "/api/v1/stations/{station_id}/customer-information/{request_id}"): OPS,
})

def app_routes(csms: Csms) -> set[tuple[str, str]]:
    """Every operation of the app's OpenAPI schema (the documentation pages themselves excepted)."""
    paths = csms.app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_route_has_a_policy(csms: Csms) -> None:
    routes = app_routes(csms)
    assert sorted(routes - POLICY.keys()) == [], "routes without a role policy: add them to POLICY"
    assert sorted(POLICY.keys() - routes) == [], "policies of routes that no longer exist"


def test_the_roles_that_must_not_read_stations_sessions_or_rfid_tags() -> None:
    sensitive = [k for k in POLICY if k[1].startswith(("/api/v1/stations", "/api/v1/transactions",
                                                        "/api/v1/id-tokens", "/api/v1/carbon"))]
    assert sensitive
    for key in sensitive:
        assert POLICY[key] & {Role.inspector, Role.planner, Role.load_centre} == set(), key  # type: ignore[operator]


async def test_every_route_admits_exactly_its_roles(csms: Csms) -> None:
    tokens = {role: await csms.token(role.value) for role in Role}
    wrong: list[str] = []
    for method, path in sorted(app_routes(csms)):
        url = re.sub(r"\{[^}]+\}", "1", path)
        kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        policy = POLICY[method, path]
        anonymous = (await csms.api.request(method, url, **kw)).status_code
        if (policy == PUBLIC) != (anonymous not in (401, 403)):
            wrong.append(f"{method} {path} anonymous -> {anonymous}")
        if policy == PUBLIC:
            continue
        assert isinstance(policy, set)
        for role, headers in tokens.items():
            status = (await csms.api.request(method, url, headers=headers, **kw)).status_code
            admitted = role == Role.admin or role in policy
            if admitted != (status not in (401, 403)) or (not admitted and status != 403):
                wrong.append(f"{method} {path} {role.value} -> {status}")
    assert wrong == []
