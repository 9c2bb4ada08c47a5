"""The conformance table: tests marked with the OCPP use case or test case they exercise, tallied per block.

Mark an end-to-end test (over a real socket) with the case it covers::

    @pytest.mark.ocpp("2.0.1", "K09")          # OCPP 2.0.1 use case K09: block K (smart charging)
    @pytest.mark.ocpp("1.6", "TC_073", "Security")  # OCPP 1.6 test case TC_073, in the Security profile

At the end of the run pytest prints, per version and block, how many of the marked cases passed (a case counts
as passed only when every test marked with it passed). The table is what the conformance run in CI shows.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

_BLOCKS_201 = {
    "A": "Security", "B": "Provisioning", "C": "Authorization", "D": "LocalAuthorizationList",
    "E": "Transactions", "F": "RemoteControl", "G": "Availability", "H": "Reservation",
    "I": "TariffAndCost", "J": "MeterValues", "K": "SmartCharging", "L": "FirmwareManagement",
    "M": "ISO15118CertificateManagement", "N": "Diagnostics", "O": "DisplayMessage", "P": "DataTransfer",
}

# (version, case) -> block, and -> [passed?] per test marked with it
_cases: dict[tuple[str, str], str] = {}
_outcomes: dict[tuple[str, str], list[bool]] = defaultdict(list)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ocpp(version, case, block=None): the OCPP use case (2.0.1, e.g. K09) or test case "
        "(1.6, e.g. TC_073 with its profile) a test exercises; tallied in the conformance table",
    )


def _case_of(item: pytest.Item) -> list[tuple[str, str, str]]:
    found = []
    for mark in item.iter_markers("ocpp"):
        version, case, *rest = mark.args
        block = rest[0] if rest else mark.kwargs.get("block")
        if block is None:
            block = _BLOCKS_201.get(case[0], case[0]) if version.startswith("2") else "Core"
        found.append((version, case, block))
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    cases = _case_of(item)
    if not cases:
        return
    # a case fails when any phase fails; it passes when the call phase passes; skips are left out
    if report.when == "call" or report.failed:
        if report.skipped:
            return
        for version, case, block in cases:
            _cases[(version, case)] = block
            _outcomes[(version, case)].append(report.passed)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    if not _cases:
        return
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, block in _cases.items():
        tally = table[(key[0], block)]
        tally[1] += 1
        tally[0] += all(_outcomes[key])
    write = terminalreporter.write_line
    terminalreporter.section("OCPP conformance (cases passed per block)")
    for version in sorted({v for v, _ in table}):
        passed = sum(t[0] for (v, _), t in table.items() if v == version)
        total = sum(t[1] for (v, _), t in table.items() if v == version)
        write(f"OCPP {version}: {passed}/{total} cases")
        for (v, block), (ok, n) in sorted(table.items()):
            if v == version:
                failed = sorted(
                    k[1] for k, b in _cases.items() if (k[0], b) == (v, block) and not all(_outcomes[k])
                )
                suffix = f"  failed: {', '.join(failed)}" if failed else ""
                write(f"  {block:<32} {ok:>3}/{n:<3}{suffix}")
