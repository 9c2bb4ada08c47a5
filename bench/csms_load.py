"""CSMS load benchmark: the CSMS against a bare websockets reference server, side by side, same load.

For 1,000 stations (closed loop: each station sends its next message as soon as the last is answered) and
10,000 stations (each sends one message every 10 s, like a real fleet), both servers get the same load from
separate load-generator processes over loopback. Printed for each: messages/s, p50/p99 round trip, server
RSS with every station connected, the server's CPU over the measured window (cores busy, and CPU time per
message answered [µs], user + system from ``/proc/<pid>/stat``: a figure that moves far less with the
machine's other load than messages/s), and CSMS/reference ratios. The CSMS runs as in production: schema
validation on, every state change stored in SQLite (synchronous=FULL), each answer sent after its commit
(a Heartbeat's last-seen time goes into the next commit unawaited).

Targets (issue 12), printed with each run: CSMS throughput >= 0.85x the reference's, CSMS p99 <= 2x.

``--also picows,aiohttp`` runs the same answers over other websocket libraries in each round, beside the
reference (``bench/_load/reference_*.py``): what the transport alone costs per message, library by library.

Run: ``python -m bench.csms_load [--stations 1000,10000] [--duration 10] [--procs 2] [--profile x.svg]
[--also picows,aiohttp]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._load.common import cpu_s, rss_mib

ROOT = Path(__file__).resolve().parents[1]
TARGET_THROUGHPUT = 0.85
"""The CSMS must answer at least this share of the bare reference's messages/s, in the same run."""
TARGET_P99 = 2.0
"""... with a p99 round trip at most this many times the reference's."""
REFERENCES = {
    "reference": "bench._load.reference_server",  # websockets: the reference of the targets
    "picows": "bench._load.reference_picows",
    "aiohttp": "bench._load.reference_aiohttp",
}


def _start(module: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def _wait_port(port_file: Path, proc: subprocess.Popen, timeout_s: float = 120) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text())
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError("server did not start")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run_one(
    kind: str, stations: int, duration_s: float, procs: int, rate: float, warmup_s: float, workdir: Path,
    profile: str | None = None, round_no: int = 0,
) -> dict:
    name = f"{kind}-{stations}-{round_no}"  # each round a fresh database and port file
    port_file = workdir / f"{name}.port"
    if kind == "csms":
        server = _start("bench._load.csms_server", str(workdir / f"{name}.sqlite3"), str(port_file),
                        str(stations))
    else:
        server = _start(REFERENCES[kind], str(port_file))
    try:
        port = _wait_port(port_file, server)
        url = f"ws://127.0.0.1:{port}" + ("/ocpp" if kind == "csms" else "")
        share = stations // procs
        gens = [
            _start("bench._load.loadgen", url, str(i * share),
                   str(share if i < procs - 1 else stations - i * share),
                   str(warmup_s), str(duration_s), str(rate))
            for i in range(procs)
        ]
        for g in gens:  # every generator's measured window has opened
            json.loads(g.stdout.readline())
        cpu_start, wall_start = cpu_s(server.pid), time.perf_counter()
        spy = None
        if profile and kind == "csms":  # the measured window only: not the stations' connects and boots
            py_spy = str(Path(sys.executable).with_name("py-spy"))  # py-spy must be installed
            spy = subprocess.Popen([py_spy, "record", "-o", profile, "--pid", str(server.pid), "--duration",
                                    str(max(1, int(duration_s) - 1)), "--nonblocking",
                                    "--format", "flamegraph" if profile.endswith(".svg") else "raw"])
        results = [json.loads(g.stdout.readline()) for g in gens]
        cpu_rate = (cpu_s(server.pid) - cpu_start) / (time.perf_counter() - wall_start)  # cores busy
        if spy is not None:
            spy.wait(timeout=120)
        rss = rss_mib(server.pid)
        for g in gens:
            g.stdin.write("\n")
            g.stdin.flush()
        for g in gens:
            g.wait(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    count = sum(r["count"] for r in results)
    elapsed = max(r["elapsed_s"] for r in results)
    msgs_per_s = sum(r["count"] / r["elapsed_s"] for r in results)
    rtts = [x for r in results for x in r["rtts_ms"]]
    return {
        "kind": kind, "stations": stations, "connected": sum(r["connected"] for r in results),
        "errors": sum(r["errors"] for r in results), "msgs_per_s": count / elapsed,
        "p50_ms": statistics.median(rtts) if rtts else float("nan"), "p99_ms": _pct(rtts, 0.99),
        "rss_mib": rss,
        "cpu_share": cpu_rate, "cpu_us_per_msg": cpu_rate / msgs_per_s * 1e6 if msgs_per_s else float("nan"),
        "meter_samples_per_s": count / elapsed * 0.75 * 4,
        "error_kinds": {
            k: sum(r["error_kinds"].get(k, 0) for r in results) for r in results for k in r["error_kinds"]
        },
    }


def _report(stations: int, mode: str, rows: list[dict]) -> tuple[float, float]:
    """Print one paired run (reference, any others, then CSMS); return the CSMS's (throughput ratio, p99
    ratio) to the reference."""
    print(f"\n{stations} stations, {mode}; "
          "mix 75% MeterValues (4 samples), 12.5% Heartbeat, 12.5% StatusNotification")
    print(f"{'server':<10}{'connected':>10}{'errors':>8}{'msg/s':>10}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'RSS MiB':>9}{'CPU':>6}{'CPU us/msg':>12}")
    for r in rows:
        print(f"{r['kind']:<10}{r['connected']:>10}{r['errors']:>8}{r['msgs_per_s']:>10.0f}{r['p50_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['rss_mib']:>9.0f}{r['cpu_share']:>6.2f}{r['cpu_us_per_msg']:>12.1f}")
    for r in rows:
        if r["error_kinds"]:
            print(f"{r['kind']} errors by kind: {r['error_kinds']}")
    ref, others, csms = rows[0], rows[1:-1], rows[-1]
    for other in others:
        print(f"{other['kind']}/reference (same answers, another websocket library): throughput "
              f"{other['msgs_per_s'] / ref['msgs_per_s']:.2f}, "
              f"CPU per message {other['cpu_us_per_msg'] / ref['cpu_us_per_msg']:.2f}x")
    throughput, p99 = csms["msgs_per_s"] / ref["msgs_per_s"], csms["p99_ms"] / ref["p99_ms"]
    p50 = csms["p50_ms"] / ref["p50_ms"]
    print(f"ratio csms/reference: throughput {throughput:.2f}, p50 {p50:.2f}x, p99 {p99:.2f}x, "
          f"RSS {csms['rss_mib'] / ref['rss_mib']:.2f}x, "
          f"CPU per message {csms['cpu_us_per_msg'] / ref['cpu_us_per_msg']:.2f}x")
    _verdict(throughput, p99)
    print(f"csms meter samples stored (answered after commit): {csms['meter_samples_per_s']:.0f}/s")
    return throughput, p99


def _verdict(throughput: float, p99: float, label: str = "targets") -> None:
    met = "MET" if throughput >= TARGET_THROUGHPUT and p99 <= TARGET_P99 else "NOT MET"
    print(f"{label}: throughput ratio >= {TARGET_THROUGHPUT} (got {throughput:.2f}), "
          f"p99 ratio <= {TARGET_P99} (got {p99:.2f}): {met}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.csms_load")
    parser.add_argument("--stations", default="1000,10000")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="paired runs (reference then CSMS) per station count; medians printed after")
    parser.add_argument("--profile", help="py-spy samples of the CSMS: flame graph .svg or raw stacks")
    parser.add_argument("--also", default="",
                        help=f"other references per round: {', '.join(list(REFERENCES)[1:])}")
    args = parser.parse_args(argv)
    also = [k for k in args.also.split(",") if k]
    if unknown := [k for k in also if k not in REFERENCES or k == "reference"]:
        parser.error(f"--also: unknown {', '.join(unknown)}; choose from {', '.join(list(REFERENCES)[1:])}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"load generators: {args.procs} processes; window {args.duration:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for stations in [int(s) for s in args.stations.split(",")]:
            rate = 0.0 if stations <= 1000 else 0.1
            warmup_s = 3.0 if stations <= 1000 else 30.0  # let a reconnect storm settle before measuring
            mode = "closed loop" if rate == 0 else f"{rate:g} msg/s per station"
            ratios = []
            for n in range(args.rounds):  # paired and interleaved: a busy moment of the machine hits both
                rows = [run_one(kind, stations, args.duration, args.procs, rate, warmup_s, Path(tmp),
                                args.profile, n) for kind in ("reference", *also, "csms")]
                ratios.append(_report(stations, mode, rows))
            if args.rounds > 1:
                print(f"\n{stations} stations over {args.rounds} paired runs "
                      f"(load average now {os.getloadavg()[0]:.1f}):")
                _verdict(statistics.median(t for t, _ in ratios), statistics.median(p for _, p in ratios),
                         "median")


if __name__ == "__main__":
    main()
