"""The console's areas and who sees them: the same roles as the REST API's routes (``csms.api.deps``)."""

from __future__ import annotations

from dataclasses import dataclass

from csms.domain.access import Role


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    """English message id."""
    href: str
    roles: frozenset[Role]
    """Who may open it (admin always may)."""


STATION_READERS = frozenset({Role.viewer, Role.operator})
SITE_READERS = frozenset({Role.viewer, Role.operator, Role.load_centre})
OPERATORS = frozenset({Role.operator})
INSPECTORS = frozenset({Role.inspector})
PLANNERS = frozenset({Role.planner, Role.operator})
ADMINS: frozenset[Role] = frozenset()

NAV = (
    NavEntry("Dashboard", "/console/", STATION_READERS),
    NavEntry("Stations", "/console/stations", STATION_READERS),
    NavEntry("Sessions", "/console/sessions", STATION_READERS),
    NavEntry("Id tokens", "/console/id-tokens", STATION_READERS),
    NavEntry("Sites", "/console/sites", SITE_READERS),
    NavEntry("Compliance", "/console/compliance", INSPECTORS),
    NavEntry("Planning", "/console/planning", PLANNERS),
    NavEntry("Admin", "/console/admin", ADMINS),
)


def may(role: Role, roles: frozenset[Role]) -> bool:
    return role is Role.admin or role in roles


def visible_nav(role: Role) -> list[NavEntry]:
    return [entry for entry in NAV if may(role, entry.roles)]


def home_of(role: Role) -> str:
    """Where a user lands after signing in: the first area their role sees."""
    entries = visible_nav(role)
    return entries[0].href if entries else "/console/welcome"
