"""Log forging (issue 14, finding 4): nothing a station or client sends can start a log line of its own."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from csms import cli
from csms.logs import OneLineFormatter, configure_logging
from tests.harness import Csms, Wire

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ ")


@pytest.fixture
def edge_log() -> Iterator[io.StringIO]:
    """What the charger-facing edge logs, through the formatter ``csms serve`` installs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(OneLineFormatter())
    logger = logging.getLogger("csms")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(level)


def _lines(out: io.StringIO) -> list[str]:
    lines = out.getvalue().splitlines()
    assert all(LINE.match(line) for line in lines), lines  # every line is the start of a record
    return lines


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("line one\nline two")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("csms.ocpp", logging.WARNING, __file__, 1, msg, args or None, exc_info)


def test_values_are_escaped_and_a_record_is_one_line() -> None:
    fmt = OneLineFormatter("%(message)s")
    assert fmt.format(_record("station=%s event=x n=%d", "A16\r\nX-Injected:1", 3)) == (
        'station="A16\\r\\nX-Injected:1" event=x n=3'
    )
    # a value cannot fake another key, nor break a line with a Unicode separator or NEL
    assert fmt.format(_record("station=%s", "A event=forged")) == 'station="A event=forged"'
    assert fmt.format(_record("station=%s", "A\u2028B\x85C")) == 'station="A\\u2028B\\u0085C"'
    assert json.loads(fmt.format(_record("%s", 'q"uo\\te')).partition(" ")[0]) == 'q"uo\\te'
    # a traceback stays in its record's line
    line = fmt.format(_record("event=failed", exc=True))
    assert "\n" not in line and line.startswith("event=failed\\nTraceback") and "line one\\nline two" in line
    # nothing to escape: as it was
    assert fmt.format(_record("station=%s event=connected version=%s", "CP-001", "2.0.1")) == (
        "station=CP-001 event=connected version=2.0.1"
    )


async def test_a_crlf_in_the_url_writes_no_line_of_its_own(csms: Csms, edge_log: io.StringIO) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with csms.connect("A16%0D%0AX-Injected:1"):
            pass
    assert refused.value.response.status_code == 404  # an id with a control character is nobody's
    lines = _lines(edge_log)
    assert any('path="/ocpp/A16%0D%0AX-Injected:1"' in line or "/ocpp/A16%0D%0AX-Injected:1" in line
               for line in lines), lines
    assert not any(line.startswith("X-Injected") for line in lines)


async def test_a_station_cannot_forge_a_line_for_another_through_its_message_id(
    csms: Csms, edge_log: io.StringIO
) -> None:
    await csms.station("CP-A")
    forged = "1\nINFO csms.ocpp station=CP-B ev=x"
    assert len(forged) <= 36
    async with csms.connect("CP-A") as ws:
        answer = await Wire(ws).send_raw(json.dumps([2, forged, "FlyToTheMoon", {}]))
        assert answer[:3] == [4, forged, "NotImplemented"]
    lines = _lines(edge_log)
    callerror = [line for line in lines if "event=callerror" in line]
    assert len(callerror) == 1
    assert 'station=CP-A event=callerror unique_id="1\\nINFO csms.ocpp station=CP-B ev=x"' in callerror[0]


def test_csms_serve_logs_through_the_one_line_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)

    def fake_run(app: object, **kwargs: object) -> None:
        seen.update(kwargs, handlers=list(root.handlers))

    import uvicorn

    from csms import gc_tuning

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(gc_tuning, "tune_for_server", lambda: None)
    monkeypatch.setattr(cli, "_with_services", lambda settings, work: None)
    try:
        cli._serve(cli.get_settings(ocpp_port=0))
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    handlers = seen["handlers"]
    assert isinstance(handlers, list) and [type(h.formatter) for h in handlers] == [OneLineFormatter]
    assert seen["log_config"] is None  # uvicorn's records go through it too


def test_configure_logging_replaces_the_root_handlers() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = configure_logging("WARNING")
        assert root.handlers == [handler] and root.level == logging.WARNING
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
