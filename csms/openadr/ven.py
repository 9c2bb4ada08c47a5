"""The CSMS as an OpenADR 2.0b VEN (openleadr's ``OpenADRClient``): events in, metered site load out.

It registers with the VTN at ``CSMS_OPENADR_VTN_URL`` under ``CSMS_OPENADR_VEN_NAME``, polls it, hands each
event to :class:`csms.services.external_dr.ExternalDemandResponse` (opting in or out by its answer) and
offers, per site in ``CSMS_OPENADR_RESOURCES``, a telemetry report of the site's metered grid import
(``RealPower``, W) that the VTN may request at the sampling rate it chooses.

Library: openleadr (the OpenADR Alliance's Python implementation of 2.0b, with both VEN and VTN), chosen over
an OpenADR 3 client because the centre's systems (and most utility VTNs in service) speak 2.0b; the test
suite runs openleadr's VTN against this VEN. Messages are signed when a certificate and key are configured
(``CSMS_OPENADR_CERT_FILE``/``KEY_FILE``, with the VTN's fingerprint or CA to check its signatures).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from openleadr import OpenADRClient

from csms.config import Settings
from csms.domain.openadr import OpenAdrEventError, read_event
from csms.services.external_dr import ExternalDemandResponse

log = logging.getLogger("csms.openadr")


class Ven:
    def __init__(self, settings: Settings, external: ExternalDemandResponse) -> None:
        self._external = external
        assert settings.openadr_vtn_url is not None
        self.client = OpenADRClient(
            ven_name=settings.openadr_ven_name,
            vtn_url=settings.openadr_vtn_url,
            cert=settings.openadr_cert_file,
            key=settings.openadr_key_file,
            vtn_fingerprint=settings.openadr_vtn_fingerprint,
            ca_file=settings.openadr_ca_file,
            disable_signature=settings.openadr_cert_file is None,
            show_fingerprint=False,
            allow_jitter=False,
        )
        self.client.add_handler("on_event", self._on_event)
        self.client.add_handler("on_update_event", self._on_event)
        sampling = timedelta(seconds=settings.openadr_report_sampling_s)
        for site_id in external.resources:
            self.client.add_report(
                callback=partial(self._metered, site_id), resource_id=site_id, measurement="RealPower",
                unit="W", scale="none", sampling_rate=sampling, report_duration=timedelta(hours=1),
                report_specifier_id=f"site-import-{site_id}", r_id=f"{site_id}-import",
            )

    async def _on_event(self, event: dict[str, Any]) -> str:
        try:
            ev = read_event(event)
        except OpenAdrEventError as exc:
            log.warning("event=openadr_event_refused reason=%s", exc)
            return "optOut"
        return "optIn" if await self._external.apply(ev) else "optOut"

    async def _metered(self, site_id: str, **_window: Any) -> list[tuple[Any, float]]:
        return await self._external.metered_import_w(site_id)

    async def start(self) -> None:
        await self.client.run()
        log.info("event=openadr_ven_started vtn=%s resources=%s", self.client.vtn_url,
                 ",".join(self._external.resources))

    async def stop(self) -> None:
        await self.client.stop()


__all__ = ["Ven"]
