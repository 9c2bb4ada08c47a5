"""Where site telemetry goes: the CSMS API when configured, else (and on failure) a JSON-lines log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx

LOGGER = logging.getLogger("charger_simulator.site")


class TelemetrySink:
    """POST ``{api_url}/api/v1/sites/{site_id}/telemetry`` with a bearer token; always log locally too.

    A refused or failed POST is counted and logged, never fatal: the local log keeps every sample.
    """

    def __init__(
        self,
        site_id: str,
        log_path: str | Path,
        api_url: str | None = None,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.transport = transport
        self.site_id = site_id
        self.log_path = Path(log_path)
        self.api_url = api_url.rstrip("/") if api_url else None
        self.token = token
        self.posted = 0
        self.failed = 0
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> TelemetrySink:
        if self.api_url:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._client = httpx.AsyncClient(headers=headers, timeout=10.0, transport=self.transport)
        self._log = self.log_path.open("a", encoding="utf-8")
        return self

    async def __aexit__(self, *exc) -> None:
        if self._client:
            await self._client.aclose()
        self._log.close()

    async def send(self, body: dict) -> dict | None:
        """Log and post one sample; returns the CSMS's ``battery_command`` (the control port) if any."""
        self._log.write(json.dumps({"site_id": self.site_id} | body, ensure_ascii=False) + "\n")
        self._log.flush()
        if self._client is None:
            return None
        url = f"{self.api_url}/api/v1/sites/{self.site_id}/telemetry"
        try:
            r = await self._client.post(url, json=body)
            if r.status_code >= 300:
                raise httpx.HTTPStatusError(
                    f"HTTP {r.status_code}: {r.text[:200]}", request=r.request, response=r
                )
            self.posted += 1
            answer = r.json() if r.content else {}
            return answer.get("battery_command") if isinstance(answer, dict) else None
        except (httpx.HTTPError, ValueError) as e:
            self.failed += 1
            if self.failed <= 3:
                LOGGER.warning(
                    "site %s: telemetry POST failed (%s); kept in %s", self.site_id, e, self.log_path
                )
            return None
