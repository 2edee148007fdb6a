"""Scaling-out benchmarks: a CPU-bound fan-out on "process" against inline, and the per-call
overhead of ``run_in_executor`` on the thread pool against asyncio's ``run_in_executor``.

Usage:
    python benchmarks/scale/run.py [--repeats N] [--seconds S] [--calls N] [--no-write]
                                   [--calls-only]

``--calls-only`` measures the per-call table alone and prints it (the page is not written).

Every measurement runs in a fresh subprocess; the two sides of a comparison alternate
(A B A B ...) so that the load of the (shared) machine hits both alike. Reported: medians of
wall time, of the CPU time of the loop's process and of the CPU time the node bodies took
(measured inside the process that ran them), and the load average before and after, written to
``docs/benchmarks-scale.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Imported at the top, as a script would import its nodes: the process pool's forkserver
# imports this main module once, so the workers it forks start with the nodes loaded.
import workloads

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOC = ROOT / "docs" / "benchmarks-scale.md"


def child_main(kind: str, mode: str, size: int) -> None:
    """Child process: run one measurement; print JSON wall, cpu and the bodies' cpu seconds.

    Mode "warm" is the process flow run a second time in the same process: the fork server
    (started by the first run, with the nodes' module imported) is still there, as in a
    long-lived program; only the run's pool and its workers are new."""
    if mode == "warm":
        workloads.fan_out("process", 0)
    wall, cpu = time.perf_counter(), time.process_time()
    overlap = 0
    if kind == "fan_out":
        spans = workloads.fan_out("process" if mode == "warm" else mode, size)
        work_cpu = sum(cpu for cpu, _, _ in spans)
        overlap = workloads.peak_overlap(spans)
    else:
        calls = (
            workloads.flowno_thread_calls if mode == "flowno" else workloads.asyncio_thread_calls
        )
        calls(size)
        work_cpu = 0.0
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"wall": wall, "cpu": cpu, "work_cpu": work_cpu, "overlap": overlap}))


def measure(kind: str, mode: str, size: int) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, mode, str(size)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind}/{mode} failed:\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def compare(
    kind: str, modes: tuple[str, str], size: int, repeats: int
) -> dict[str, dict[str, float]]:
    """Alternate the modes ``repeats`` times; medians per mode."""
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(repeats):
        for mode in modes:
            runs[mode].append(measure(kind, mode, size))
    return {
        mode: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for mode, results in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2, help="CPU seconds per node")
    parser.add_argument("--calls", type=int, default=5000, help="calls per overhead run")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--calls-only", action="store_true", help="only the per-call table, printed (no write)"
    )
    args = parser.parse_args()
    if args.calls_only:
        load_before = os.getloadavg()
        calls = compare("calls", ("flowno", "asyncio"), args.calls, args.repeats)
        print("\n".join(per_call_lines(calls, args, load_before, os.getloadavg())))
        return
    iterations = workloads.calibrate(args.seconds)
    load_before = os.getloadavg()
    fan = compare("fan_out", ("inline", "process", "warm", "pool"), iterations, args.repeats)
    fan["startup"] = compare("fan_out", ("process",), 0, args.repeats)["process"]
    calls = compare("calls", ("flowno", "asyncio"), args.calls, args.repeats)
    load_after = os.getloadavg()
    report = render(fan, calls, args, iterations, load_before, load_after)
    print(report)
    if not args.no_write:
        DOC.write_text(report, encoding="utf-8")


def render(
    fan: dict[str, dict[str, float]],
    calls: dict[str, dict[str, float]],
    args: argparse.Namespace,
    iterations: int,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    inline, process = fan["inline"], fan["process"]
    lines = [
        "# Benchmarks: scaling out (executors)",
        "",
        f"Measured {datetime.date.today()} on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, by "
        f"`python benchmarks/scale/run.py --repeats {args.repeats}`. Medians of {args.repeats} "
        "fresh processes per side, the sides alternating. Load average (1 min) "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after: the machine is shared, so "
        "wall times carry noise; CPU times less so.",
        "",
        f"## Fan-out: {workloads_fan_out()} CPU-bound nodes of ~{args.seconds} CPU-s "
        "(pure Python) each",
        "",
        "| mode | wall s | CPU s of the loop process | CPU s of the node bodies "
        "| bodies running at once (peak) |",
        "|---|---|---|---|---|",
        *(
            f"| {label} | {fan[mode]['wall']:.2f} | {fan[mode]['cpu']:.2f} | "
            f"{fan[mode]['work_cpu']:.2f} | {fan[mode]['overlap']:.0f} |"
            for mode, label in FAN_OUT_LABELS.items()
        ),
        "",
        f'Speed-up in wall time of `executor="process"` over inline: '
        f"**{inline['wall'] / process['wall']:.2f}x**; a bare `ProcessPoolExecutor` (no "
        f"Flowno) reaches {inline['wall'] / fan['pool']['wall']:.2f}x in the same run. Both "
        "include starting the pool and the fork server, which imports the nodes' module once "
        "per program. In a program that has run a process flow before (the fork server is "
        "still up; the run's pool is new) the speed-up is "
        f"**{inline['wall'] / fan['warm']['wall']:.2f}x**. The last column shows the executor at work: two bodies "
        "ran at the same moment, one per core. How much wall time that saves depends on the "
        "share of the CPUs the run gets: on a machine busy with other work the speed-up "
        "shrinks (and so does the bare pool's)."
        f"{autogroup_note()} The same process flow with no work in its nodes takes "
        f"{fan['startup']['wall']:.2f} s (pool start-up, worker imports, eight round trips).",
        "",
        *per_call_lines(calls, args, None, None),
    ]
    return "\n".join(lines)


def per_call_lines(
    calls: dict[str, dict[str, float]],
    args: argparse.Namespace,
    load_before: tuple[float, float, float] | None,
    load_after: tuple[float, float, float] | None,
) -> list[str]:
    """The per-call section (with the load average when it is printed alone)."""
    per_call = {m: {k: v / args.calls * 1e6 for k, v in r.items()} for m, r in calls.items()}
    load = (
        []
        if load_before is None or load_after is None
        else [f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after.", ""]
    )
    return [
        f"## Per-call overhead: {args.calls} sequential calls of a trivial function on a thread pool",
        "",
        *load,
        "| implementation | wall µs/call | CPU µs/call |",
        "|---|---|---|",
        f'| flowno `await run_in_executor("thread", f, x)` | {per_call["flowno"]["wall"]:.1f} | '
        f"{per_call['flowno']['cpu']:.1f} |",
        f"| asyncio `await loop.run_in_executor(None, f, x)` | {per_call['asyncio']['wall']:.1f} | "
        f"{per_call['asyncio']['cpu']:.1f} |",
        "",
        f"flowno/asyncio CPU per call: **{per_call['flowno']['cpu'] / per_call['asyncio']['cpu']:.2f}** "
        "(below 1 is faster). CPU time counts every thread of the process (the pool's too).",
        "",
    ]


FAN_OUT_LABELS = {
    "inline": "inline (`async def` body on the loop)",
    "process": '`@node(executor="process")`, first run of the program',
    "warm": '`@node(executor="process")`, a later run (fork server up)',
    "pool": "bare `ProcessPoolExecutor.map` (reference, no Flowno)",
}


def autogroup_note() -> str:
    """A remark when Linux shares the CPU per session (autogroup) and others are busy."""
    try:
        enabled = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return ""
    if not enabled:
        return ""
    return (
        " Linux here schedules by session (`sched_autogroup_enabled` is 1): the CPU is "
        "shared between busy sessions first, so while other sessions are busy the worker "
        "processes of this run share this session's slice and cannot add CPU to it."
    )


def workloads_fan_out() -> int:
    return workloads.FAN_OUT


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
