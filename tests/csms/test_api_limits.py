"""Issue 14 finding 6: no body is read before the caller shows a bearer token, none past its route's limit,
and a 422 never echoes the input back."""

from __future__ import annotations

import json
from typing import Any

from csms.api.limits import MIB
from tests.harness import Csms


class Asgi:
    """Drives the app at the ASGI level, so the test sees how much of the body the app asked for."""

    def __init__(
        self, csms: Csms, method: str, path: str, headers: dict[str, str], chunks: list[bytes]
    ) -> None:
        self.app, self.method, self.path = csms.app, method, path
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.chunks = chunks
        self.chunks_read = 0
        self.status: int | None = None
        self.body = b""

    async def run(self) -> Asgi:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": self.method,
            "scheme": "http", "path": self.path, "raw_path": self.path.encode(), "query_string": b"",
            "root_path": "", "headers": self.headers, "client": ("127.0.0.1", 1), "server": ("csms", 80),
            "state": {},
        }

        async def receive() -> dict[str, Any]:
            if self.chunks_read >= len(self.chunks):
                return {"type": "http.disconnect"}
            self.chunks_read += 1
            more = self.chunks_read < len(self.chunks)
            return {"type": "http.request", "body": self.chunks[self.chunks_read - 1], "more_body": more}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        await self.app(scope, receive, send)
        return self

    def json(self) -> Any:
        return json.loads(self.body)


CHUNK = b"x" * (256 * 1024)


async def test_a_body_without_a_bearer_token_is_refused_before_it_is_read(csms: Csms) -> None:
    size = 100 * len(CHUNK)
    r = await Asgi(csms, "POST", "/api/v1/stations", {"content-length": str(size)}, [CHUNK] * 100).run()
    assert (r.status, r.chunks_read) == (401, 0)
    assert r.json() == {"detail": "bearer token required"}
    chunked = await Asgi(csms, "POST", "/api/v1/sites", {"transfer-encoding": "chunked"}, [CHUNK] * 4).run()
    assert (chunked.status, chunked.chunks_read) == (401, 0)
    basic = {"content-length": "2", "authorization": "Basic YTpi"}
    assert (await Asgi(csms, "POST", "/api/v1/sites", basic, [b"{}"]).run()).status == 401


async def test_a_declared_length_over_the_limit_is_refused_before_it_is_read(csms: Csms) -> None:
    headers = {**csms.headers, "content-length": str(MIB + 1)}
    r = await Asgi(csms, "POST", "/api/v1/stations", headers, [CHUNK] * 5).run()
    assert (r.status, r.chunks_read) == (413, 0)
    assert r.json() == {"detail": f"request body over the limit of {MIB} bytes for this route"}


async def test_a_streamed_body_is_cut_off_at_the_limit(csms: Csms) -> None:
    headers = {**csms.headers, "transfer-encoding": "chunked", "content-type": "application/json"}
    r = await Asgi(csms, "POST", "/api/v1/stations", headers, [CHUNK] * 400).run()  # 100 MiB offered
    assert r.status == 413
    assert r.chunks_read == 5  # 4 chunks make 1 MiB; the fifth passes the limit and nothing more is read
    assert r.json() == {"detail": f"request body over the limit of {MIB} bytes for this route"}


async def test_the_register_import_takes_20_mib_and_no_more(csms: Csms) -> None:
    inspector = await csms.token("inspector")
    path = "/api/v1/compliance/car-parks/import?filename=register.xlsx"
    big = await csms.api.post(path, content=b"x" * (2 * MIB), headers=inspector)
    assert big.status_code != 413  # not a workbook, but read
    headers = {**inspector, "content-length": str(20 * MIB + 1)}
    r = await Asgi(csms, "POST", "/api/v1/compliance/car-parks/import", headers, [CHUNK] * 81).run()
    assert (r.status, r.chunks_read) == (413, 0)


async def test_small_authenticated_bodies_and_bodyless_requests_pass(csms: Csms) -> None:
    r = await csms.api.post("/api/v1/stations", json={"id": "CP1"}, headers=csms.headers)
    assert r.status_code == 201
    assert (await csms.api.get("/health")).status_code == 200
    assert (await csms.api.get("/api/v1/stations")).status_code == 401  # no body: the dependency answers


async def test_a_422_names_the_field_without_echoing_the_input(csms: Csms) -> None:
    huge = "A" * 900_000
    r = await csms.api.post("/api/v1/stations", json={"id": huge}, headers=csms.headers)
    assert r.status_code == 422
    assert len(r.content) < 1000
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "id"]
    assert error["type"] == "string_too_long"
    assert "input" not in error
    short = await csms.api.post("/api/v1/stations", json={"id": "bad id"}, headers=csms.headers)
    assert short.json()["detail"][0]["input"] == "bad id"  # a short value still helps the caller


async def test_a_422_over_many_bad_items_is_capped(csms: Csms) -> None:
    await csms.api.post("/api/v1/sites", json={"id": "S1", "grid_limit_kw": 100}, headers=csms.headers)
    samples = [{"timestamp": "yesterday", "pv_power_w": -1, "base_load_w": -1}] * 5000
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json=samples, headers=csms.headers)
    assert r.status_code == 422
    body = r.json()
    assert (len(body["detail"]), body["errors_total"]) == (20, 15000)
    assert len(r.content) < 8000


async def test_text_with_a_nul_character_is_refused_at_the_edge(csms: Csms) -> None:
    """PostgreSQL cannot store NUL in text: it is a 422 before any route runs, on every database."""
    body = b'{"id": "S-\\u0000", "name": "x", "grid_limit_kw": 100}'
    headers = {**csms.headers, "content-type": "application/json"}
    r = await csms.api.post("/api/v1/sites", content=body, headers=headers)
    assert (r.status_code, r.json()["detail"]) == (422, "text may not contain the NUL character (\\u0000)")
    r = await csms.api.get("/api/v1/stations", params={"station_id": "a\x00b"}, headers=csms.headers)
    assert r.status_code == 422
    split = {**headers, "transfer-encoding": "chunked"}
    r2 = await Asgi(csms, "POST", "/api/v1/sites", split, [b'{"id": "S-\\u0', b'000"}']).run()  # two chunks
    assert r2.status == 422
