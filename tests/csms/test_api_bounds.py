"""Issue 14 finding 9 (REST): numbers past what the database holds answer 422 naming the parameter."""

from __future__ import annotations

import pytest

from tests.harness import Csms

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/api/v1/transactions?offset=99999999999999999999", ["query", "offset"]),
        (f"/api/v1/transactions/{HUGE}", ["path", "transaction_id"]),
        ("/api/v1/transactions/2147483648", ["path", "transaction_id"]),
        ("/api/v1/id-tokens?offset=2147483648", ["query", "offset"]),
        ("/api/v1/stations/CP1/status-history?offset=99999999999999999999", ["query", "offset"]),
    ],
)
async def test_an_id_or_offset_past_the_column_range_is_a_422(csms: Csms, path: str, loc: list[str]) -> None:
    await csms.station("CP1")
    r = await csms.api.get(path, headers=csms.headers)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [loc]


async def test_the_largest_id_is_still_looked_up(csms: Csms) -> None:
    r = await csms.api.get("/api/v1/transactions/2147483647", headers=csms.headers)
    assert r.status_code == 404
    assert (await csms.api.get("/api/v1/transactions?offset=2147483647", headers=csms.headers)).json()[
        "items"
    ] == []


@pytest.mark.parametrize("field", ["transaction_id", "evse_id", "connector_id"])
async def test_a_command_with_an_id_past_the_column_range_is_a_422(csms: Csms, field: str) -> None:
    await csms.station("CP1")
    r = await csms.api.post(
        "/api/v1/stations/CP1/commands/remote-stop", json={field: 2**63}, headers=csms.headers
    )
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", field]]


@pytest.mark.parametrize("value", ["Infinity", "NaN", "-Infinity"])
async def test_a_site_number_that_is_not_finite_is_a_422(csms: Csms, value: str) -> None:
    body = '{"id": "S1", "grid_limit_kw": ' + value + "}"
    headers = {**csms.headers, "Content-Type": "application/json"}
    r = await csms.api.post("/api/v1/sites", content=body, headers=headers)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "grid_limit_kw"]]
    assert (await csms.api.get("/api/v1/sites", headers=csms.headers)).json() == []


async def test_a_tolerance_that_is_not_finite_is_a_422(csms: Csms) -> None:
    r = await csms.api.get("/api/v1/demand-response/events/E1?tolerance_kw=inf", headers=csms.headers)
    assert r.status_code == 422
