"""The charger-sim command line."""

import asyncio
import sys

from sim_mini_csms import MiniCsms

from charger_simulator.cli import main


def test_scenarios_lists_builtins(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "offline_session" in out and "断网" in out


def test_bad_scenario_is_a_clear_error(capsys):
    assert main(["station", "--scenario", "no-such-scenario", "--url", "ws://127.0.0.1:1/ocpp"]) == 2
    assert "scenario 'no-such-scenario'" in capsys.readouterr().out


async def run_cli(*args):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "charger_simulator.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def test_station_command_runs_normal_scenario_in_chinese():
    async with MiniCsms() as csms:
        code, out = await run_cli(
            "--lang",
            "zh",
            "station",
            "--url",
            csms.url,
            "--id",
            "CP-CLI",
            "--protocol",
            "ocpp2.0.1",
            "--scenario",
            "normal",
            "--time-factor",
            "2000",
        )
    assert code == 0, out
    assert "场景 normal：成功" in out
    assert len(csms.of("TransactionEvent", "CP-CLI")) >= 2


async def test_fleet_command_prints_json_report():
    async with MiniCsms() as csms:
        code, out = await run_cli(
            "fleet",
            "--url",
            csms.url,
            "--count",
            "10",
            "--ramp-s",
            "0.2",
            "--duration-s",
            "1",
            "--activity-interval-s",
            "0.2",
            "--json",
        )
    assert code == 0, out
    import json

    report = json.loads(out.strip().splitlines()[-1])
    assert report["stations"] == 10 and report["booted"] == 10 and report["calls"] > 10
