"""The local authorization list a station holds (OCPP 2.0.1 block D, 1.6 LocalAuthListManagement), pure.

The CSMS keeps, per station, the list it believes the station holds: a version number and entries. An update
is either ``Full`` (the list is replaced) or ``Differential`` (entries added, changed or removed):
:func:`differential` computes the changes that bring what the station holds to what the CSMS wants, and
:func:`apply` what the station holds once it accepted them.

>>> held = {"A": Entry("A"), "B": Entry("B")}
>>> wanted = {"A": Entry("A", status="Blocked"), "C": Entry("C")}
>>> [(c.id_token, c.entry.status if c.entry else None) for c in differential(held, wanted)]
[('A', 'Blocked'), ('B', None), ('C', 'Accepted')]
>>> sorted(apply(held, differential(held, wanted))) == sorted(wanted)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from csms.domain.timeutil import format_timestamp


class UpdateType(StrEnum):
    FULL = "Full"
    DIFFERENTIAL = "Differential"


@dataclass(frozen=True)
class Entry:
    """One id token on the list with the idTokenInfo (2.0.1) / idTagInfo (1.6) the station keeps for it."""

    id_token: str
    type: str = "ISO14443"
    status: str = "Accepted"
    expiry: datetime | None = None
    group: str | None = None


@dataclass(frozen=True)
class Change:
    """One item of an update: ``entry`` set, or ``None`` to remove ``id_token`` from the list."""

    id_token: str
    type: str
    entry: Entry | None


def full(wanted: Iterable[Entry]) -> list[Change]:
    """A Full update: every entry, sorted by id token (a stable order, so that a split is reproducible)."""
    return [Change(e.id_token, e.type, e) for e in sorted(wanted, key=lambda e: e.id_token)]


def differential(
    held: Mapping[str, Entry], wanted: Mapping[str, Entry], only: Iterable[str] | None = None
) -> list[Change]:
    """The changes that turn ``held`` into ``wanted``, sorted by id token: an entry that is new or differs
    is sent, one the station holds that is no longer wanted is removed, an equal one is left out.
    ``only``: consider only these id tokens (the rest of the list stays as the station holds it).

    >>> differential({"A": Entry("A")}, {"A": Entry("A")})
    []
    >>> [c.entry for c in differential({"A": Entry("A"), "B": Entry("B")}, {}, only=["B"])]
    [None]
    """
    tokens = set(held) | set(wanted) if only is None else set(only)
    changes = []
    for token in sorted(tokens):
        have, want = held.get(token), wanted.get(token)
        if want is not None and want != have:
            changes.append(Change(token, want.type, want))
        elif want is None and have is not None:
            changes.append(Change(token, have.type, None))
    return changes


def apply(held: Mapping[str, Entry], changes: Iterable[Change], update_type: str = "Differential") -> dict[
    str, Entry
]:
    """What the station holds once it accepted ``changes`` (a Full update replaces the list).

    >>> sorted(apply({"A": Entry("A")}, full([Entry("B")]), "Full"))
    ['B']
    """
    out = {} if update_type == UpdateType.FULL else dict(held)
    for change in changes:
        if change.entry is None:
            out.pop(change.id_token, None)
        else:
            out[change.id_token] = change.entry
    return out


def in_sync(stored_version: int, stored_entries: int, station_version: int) -> bool:
    """Does the station's GetLocalListVersion answer match what the CSMS stored? A station with an empty
    list may answer 0 whatever version emptied it (1.6 TC_042_2, 2.0.1 D02).

    >>> in_sync(3, 2, 3), in_sync(3, 0, 0), in_sync(3, 2, 0), in_sync(0, 0, 4)
    (True, True, False, False)
    """
    return station_version == stored_version or (stored_entries == 0 and station_version == 0)


def next_version(*known: int | None) -> int:
    """The version of the next update: above every version known (stored, sent, answered by the station).

    >>> next_version(None, 4, 2), next_version()
    (5, 1)
    """
    return max([0, *(k for k in known if k is not None)]) + 1


def authorization_data(changes: Sequence[Change], ocpp_version: str) -> list[dict[str, Any]]:
    """The ``localAuthorizationList`` items as on the wire: 2.0.1 AuthorizationData (idToken object,
    idTokenInfo with cacheExpiryDateTime and a Central groupIdToken), 1.6 (idTag, idTagInfo with expiryDate
    and parentIdTag). A removal has no info.

    >>> authorization_data([Change("A", "ISO14443", Entry("A", group="G"))], "1.6")
    [{'idTag': 'A', 'idTagInfo': {'status': 'Accepted', 'parentIdTag': 'G'}}]
    >>> authorization_data([Change("A", "eMAID", None)], "2.0.1")
    [{'idToken': {'idToken': 'A', 'type': 'eMAID'}}]
    """
    out: list[dict[str, Any]] = []
    for change in changes:
        e = change.entry
        if ocpp_version == "1.6":
            item: dict[str, Any] = {"idTag": change.id_token}
            if e is not None:
                info: dict[str, Any] = {"status": e.status}
                if e.expiry is not None:
                    info["expiryDate"] = format_timestamp(e.expiry)
                if e.group:
                    info["parentIdTag"] = e.group
                item["idTagInfo"] = info
        else:
            item = {"idToken": {"idToken": change.id_token, "type": change.type}}
            if e is not None:
                info = {"status": e.status}
                if e.expiry is not None:
                    info["cacheExpiryDateTime"] = format_timestamp(e.expiry)
                if e.group:
                    info["groupIdToken"] = {"idToken": e.group, "type": "Central"}
                item["idTokenInfo"] = info
        out.append(item)
    return out


#: The station's limits, by OCPP version: 2.0.1 LocalAuthListCtrlr variables, 1.6 configuration keys.
LIMIT_VARIABLES_201 = ("ItemsPerMessage", "BytesPerMessage")
LIMIT_KEYS_16 = ("SendLocalListMaxLength", "LocalAuthListMaxLength")


@dataclass(frozen=True)
class ListLimits:
    """``None``: not declared. ``max_entries``: the whole list (1.6 LocalAuthListMaxLength)."""

    items_per_message: int | None = None
    bytes_per_message: int | None = None
    max_entries: int | None = None


def _positive(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def limits_from_report(report_data: Iterable[Mapping[str, Any]]) -> ListLimits | None:
    """The 2.0.1 limits from the station's NotifyReport ``reportData`` (LocalAuthListCtrlr, the Actual
    value; a later entry wins); ``None`` when the report names neither.

    >>> limits_from_report([{"component": {"name": "LocalAuthListCtrlr"},
    ...     "variable": {"name": "ItemsPerMessage"}, "variableAttribute": [{"value": "10"}]}])
    ListLimits(items_per_message=10, bytes_per_message=None, max_entries=None)
    """
    found: dict[str, int | None] = {}
    for entry in report_data:
        name = str((entry.get("variable") or {}).get("name"))
        component = (entry.get("component") or {}).get("name")
        if component != "LocalAuthListCtrlr" or name not in LIMIT_VARIABLES_201:
            continue
        for attribute in entry.get("variableAttribute") or []:
            if attribute.get("type", "Actual") == "Actual":
                found[name] = _positive(attribute.get("value"))
    if not found:
        return None
    return ListLimits(
        items_per_message=found.get("ItemsPerMessage"), bytes_per_message=found.get("BytesPerMessage")
    )


def limits_from_answer(answer: Mapping[str, Any]) -> ListLimits:
    """The limits from a 2.0.1 GetVariablesResponse (LocalAuthListCtrlr, Accepted results) or a 1.6
    GetConfiguration.conf (``configurationKey``).

    >>> limits_from_answer({"configurationKey": [{"key": "SendLocalListMaxLength", "value": "2",
    ...     "readonly": True}], "unknownKey": ["LocalAuthListMaxLength"]})
    ListLimits(items_per_message=2, bytes_per_message=None, max_entries=None)
    >>> limits_from_answer({"getVariableResult": [{"attributeStatus": "Accepted", "attributeValue": "500",
    ...     "component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "BytesPerMessage"}}]})
    ListLimits(items_per_message=None, bytes_per_message=500, max_entries=None)
    """
    found: dict[str, int | None] = {}
    for key in answer.get("configurationKey") or []:
        found[str(key.get("key"))] = _positive(key.get("value"))
    for result in answer.get("getVariableResult") or []:
        if result.get("attributeStatus") == "Accepted" and (result.get("component") or {}).get(
            "name"
        ) == "LocalAuthListCtrlr":
            found[str((result.get("variable") or {}).get("name"))] = _positive(result.get("attributeValue"))
    return ListLimits(
        items_per_message=found.get("ItemsPerMessage") or found.get("SendLocalListMaxLength"),
        bytes_per_message=found.get("BytesPerMessage"),
        max_entries=found.get("LocalAuthListMaxLength"),
    )
