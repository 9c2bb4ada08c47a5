"""The ``csms`` command line: a bad setting in the environment is named, without a traceback."""

from __future__ import annotations

import pytest

from csms.cli import main


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CSMS_STATION_CA_CERT_FILE", "ca.pem", "station_ca_cert_file and station_ca_key_file go together"),
        ("CSMS_OCPP_PORT", "nine-thousand", "ocpp_port: Input should be a valid integer"),
    ],
)
def test_a_bad_setting_stops_the_command_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert err.startswith("error: configuration:")
