"""Scenarios as data: a YAML/JSON list of steps run against a :class:`Station`.

Each step is a one-key mapping ``{step_name: {arguments}}``. Durations are simulated seconds
(``ScaledClock`` compresses them). Built-in scenarios live in ``charger_simulator/scenarios``.

Steps
-----
plug_in {connector, soc_pct}            unplug {connector}
present_token {id_tag, connector, expect: accepted|rejected}
charge {connector, until_wh, for_s, max_s}  -- until the session delivered ``until_wh`` [Wh] or ``for_s`` [s]
wait {seconds}                          wait_for_transaction {connector, timeout_s}
wait_for_limit {connector, below_w, timeout_s}   -- a CSMS charging profile caps the power
wait_idle {connector, timeout_s}        stop {connector, reason}
fault {connector, error_code}           clear_fault {connector}
reboot {hard}                           offline {seconds}  -- the network drops; later steps run offline
wait_delivered {timeout_s}              -- back online and every queued message (status too) delivered
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from charger_simulator.station import Station

SCENARIO_DIR = Path(__file__).parent / "scenarios"

#: step name -> allowed arguments (with defaults).
STEPS: dict[str, dict[str, Any]] = {
    "plug_in": {"connector": 1, "soc_pct": None},
    "unplug": {"connector": 1},
    "present_token": {"id_tag": None, "connector": 1, "expect": None},
    "charge": {"connector": 1, "until_wh": None, "for_s": None, "max_s": 86_400},
    "wait": {"seconds": None},
    "wait_for_transaction": {"connector": 1, "timeout_s": 600},
    "wait_for_limit": {"connector": 1, "below_w": None, "timeout_s": 600},
    "wait_idle": {"connector": 1, "timeout_s": 600},
    "stop": {"connector": 1, "reason": "Local"},
    "fault": {"connector": 1, "error_code": "GroundFailure"},
    "clear_fault": {"connector": 1},
    "reboot": {"hard": False},
    "offline": {"seconds": None},
    "wait_delivered": {"timeout_s": 600},
}
REQUIRED = {"present_token": ["id_tag"], "wait": ["seconds"], "offline": ["seconds"]}


class ScenarioError(ValueError):
    """A scenario file or step is invalid, or a step's expectation failed."""


@dataclass
class Step:
    name: str
    args: dict[str, Any]


@dataclass
class Scenario:
    name: str
    steps: list[Step]
    description: str = ""


@dataclass
class StepResult:
    index: int
    name: str
    ok: bool
    detail: str
    at_s: float


@dataclass
class ScenarioResult:
    scenario: str
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def parse_scenario(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; errors name the step index and key."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScenarioError(f"{source}: needs a 'steps' list")
    steps = []
    for i, raw in enumerate(data["steps"], start=1):
        if isinstance(raw, str):
            raw = {raw: {}}
        if not isinstance(raw, dict) or len(raw) != 1:
            raise ScenarioError(f"{source}: step {i}: must be one mapping like {{plug_in: {{connector: 1}}}}")
        ((name, args),) = raw.items()
        if name not in STEPS:
            raise ScenarioError(f"{source}: step {i}: unknown step {name!r} (known: {', '.join(STEPS)})")
        args = args or {}
        if not isinstance(args, dict):
            raise ScenarioError(f"{source}: step {i} ({name}): arguments must be a mapping")
        unknown = set(args) - set(STEPS[name])
        if unknown:
            raise ScenarioError(
                f"{source}: step {i} ({name}): unknown argument(s) {', '.join(sorted(unknown))}"
            )
        merged = STEPS[name] | args
        for key in REQUIRED.get(name, []):
            if merged[key] is None:
                raise ScenarioError(f"{source}: step {i} ({name}): missing required argument {key!r}")
        if name == "charge" and merged["until_wh"] is None and merged["for_s"] is None:
            raise ScenarioError(f"{source}: step {i} (charge): give until_wh or for_s")
        if name == "present_token" and merged["expect"] not in (None, "accepted", "rejected"):
            raise ScenarioError(f"{source}: step {i} (present_token): expect must be accepted or rejected")
        steps.append(Step(name, merged))
    return Scenario(
        name=str(data.get("name", source)), steps=steps, description=str(data.get("description", ""))
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name (``normal``) or a YAML/JSON file by path."""
    path = Path(name_or_path)
    if not path.exists():
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        raise ScenarioError(
            f"scenario {name_or_path!r}: no such file or built-in ({', '.join(builtin_names())})"
        )
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return parse_scenario(data, str(path.name))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


async def run_scenario(station: Station, scenario: Scenario) -> ScenarioResult:
    """Run the steps in order; a failed expectation stops the run and is reported, not raised."""
    result = ScenarioResult(scenario.name)
    t0 = station.clock.now()
    for i, step in enumerate(scenario.steps, start=1):
        try:
            detail = await _run_step(station, step)
            ok = True
        except (ScenarioError, TimeoutError) as e:
            detail, ok = str(e) or "timed out", False
        result.steps.append(StepResult(i, step.name, ok, detail, (station.clock.now() - t0).total_seconds()))
        if not ok:
            break
    return result


def _real_s(station: Station, sim_s: float) -> float:
    """Real-time timeout for ``sim_s`` simulated seconds, with slack for the network."""
    return station.clock.to_real_s(sim_s) + 10.0


async def _run_step(station: Station, step: Step) -> str:
    a = step.args
    cid = a.get("connector", 1)
    c = station.model.connectors.get(cid) if cid is not None else None
    if "connector" in a and c is None:
        raise ScenarioError(f"step {step.name}: connector {cid} does not exist")
    match step.name:
        case "plug_in":
            await station.plug_in(cid, a["soc_pct"])
            return f"plugged in on {cid}"
        case "unplug":
            await station.unplug(cid)
            return f"unplugged {cid}"
        case "present_token":
            accepted = await station.present_token(str(a["id_tag"]), cid)
            got = "accepted" if accepted else "rejected"
            if a["expect"] and a["expect"] != got:
                raise ScenarioError(f"token {a['id_tag']}: expected {a['expect']}, got {got}")
            return f"token {a['id_tag']} {'accepted' if accepted else 'rejected'}"
        case "charge":
            tx = c.transaction
            if tx is None:
                raise ScenarioError(f"charge: no transaction on connector {cid}")
            start_wh, start_t = c.energy_wh, station.clock.now()
            limit_s = min(a["for_s"] or a["max_s"], a["max_s"])

            def done() -> bool:
                elapsed_s = (station.clock.now() - start_t).total_seconds()
                return (
                    c.transaction is not tx
                    or (a["until_wh"] is not None and c.energy_wh - start_wh >= a["until_wh"])
                    or elapsed_s >= limit_s
                )

            await station.wait_for(done, _real_s(station, limit_s))
            return f"charged {c.energy_wh - start_wh:.0f} Wh"
        case "wait":
            await station.clock.sleep(float(a["seconds"]))
            return f"waited {a['seconds']} s"
        case "wait_for_transaction":
            await station.wait_for(lambda: c.transaction is not None, _real_s(station, a["timeout_s"]))
            return f"transaction {c.transaction.local_id if c.transaction else '?'} started"
        case "wait_for_limit":
            below_w = a["below_w"] if a["below_w"] is not None else station.config.max_power_w
            await station.wait_for(lambda: c.limit_w < below_w, _real_s(station, a["timeout_s"]))
            return f"limit {c.limit_w:.0f} W, delivering {c.power_w:.0f} W"
        case "wait_idle":
            await station.wait_for(lambda: c.transaction is None, _real_s(station, a["timeout_s"]))
            return "transaction ended"
        case "stop":
            await station.stop_charging(cid, a["reason"])
            return f"stopped ({a['reason']})"
        case "fault":
            await station.fault(cid, a["error_code"])
            return f"faulted {a['error_code']}"
        case "clear_fault":
            await station.clear_fault(cid)
            return "fault cleared"
        case "reboot":
            await station.reboot(hard=bool(a["hard"]))
            await station.wait_for(lambda: station.online, _real_s(station, 600))
            return "rebooted and booted"
        case "offline":
            await station.go_offline(float(a["seconds"]))
            return f"offline for {a['seconds']} s"
        case "wait_delivered":
            # The whole outbox, StatusNotifications included: a status queued behind a transaction
            # message (the Faulted after the StopTransaction a fault causes) is part of what the
            # scenario made the station report, and the sender pops an event only once answered.
            await station.wait_for(
                lambda: station.online and not station.outbox, _real_s(station, a["timeout_s"])
            )
            return "queue delivered"
    raise ScenarioError(f"unknown step {step.name}")  # pragma: no cover - parse_scenario rejects it
