"""Event-loop benchmark suite: flowno-eventloop against asyncio, uvloop and trio.

Usage:
    python benchmarks/eventloop/run.py [--quick] [--only WORKLOAD ...] [--no-write]

Every (implementation, workload) pair runs in a fresh subprocess, best of a few repetitions,
timed with ``time.process_time`` around the workload only (interpreter start-up excluded) and
a full collection after it (so garbage left in reference cycles counts; ``--uncollected``
in a worker leaves it out).
The result is a Markdown table of operations per CPU-second and the ratio flowno/asyncio,
printed and written to ``docs/benchmarks-eventloop.md``. Then a memory check: RSS over many
sequential spawn/joins on one loop must stay flat. Then the flowno-net runner is run if it
exists (``benchmarks/net/run.py`` with ``--quick``, else ``benchmarks/net/echo.py``, smaller in
quick mode).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOC = ROOT / "docs" / "benchmarks-eventloop.md"
NET_RUNNERS = (
    (ROOT / "benchmarks" / "net" / "run.py", ["--quick"]),
    (
        ROOT / "benchmarks" / "net" / "echo.py",
        ["--total", "2000", "--repeat", "1"],
    ),
)

SIZES = {"full": 200_000, "quick": 20_000}
IMPORTS = {
    "flowno": ("flowno_eventloop",),
    "asyncio": ("asyncio",),
    "uvloop": ("asyncio", "uvloop"),
    "trio": ("trio",),
}
"""What each implementation's workloads import (before timing; an import is 25-65 ms)."""
REPEATS = {"full": 3, "quick": 2}
MEMORY_N = {"full": 1_000_000, "quick": 100_000}
MEMORY_FLAT_KIB = 4096  # allowed RSS growth between the first and the last checkpoint


def worker_main(impl: str, workload: str, n: int, repeats: int, collected: bool = True) -> None:
    """Child process: run one workload ``repeats`` times; print JSON ops per CPU-second.

    The clock stops after a full collection (``collected``), so that garbage a run leaves in
    reference cycles is paid by the run that made it: a loop whose task records leak cycles
    would otherwise look faster than one that frees them as it goes.
    """
    sys.path.insert(0, str(HERE))
    import workloads

    fn = workloads.get(impl, workload)
    for module in IMPORTS[impl]:  # imported before the clock starts: time the workload only
        importlib.import_module(module)
    best = 0.0
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        ops = fn(n)
        if collected:
            gc.collect()  # garbage the run left in reference cycles is part of its cost
        elapsed = max(time.process_time() - start, 1e-9)
        best = max(best, ops / elapsed)
    print(json.dumps({"ops_per_cpu_s": best}))


def memory_main(n: int) -> None:
    """Child process: the flat-memory check; prints JSON samples [(i, rss_kib), ...]."""
    sys.path.insert(0, str(HERE))
    import workloads

    print(json.dumps({"samples": workloads.flowno_memory(n)}))


def run_child(args: list[str]) -> dict[str, object]:
    """Run this script in a fresh interpreter with ``args``; return its JSON line."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def available(impl: str) -> bool:
    if impl == "flowno":
        return importlib.util.find_spec("flowno_eventloop") is not None
    return impl == "asyncio" or importlib.util.find_spec(impl) is not None


def fmt_ops(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, float) else "n/a"


def speed_table(mode: str, only: list[str]) -> tuple[list[str], list[str]]:
    """Run the speed workloads; return (markdown lines, rows where flowno < asyncio)."""
    sys.path.insert(0, str(HERE))
    import workloads

    impls = [i for i in workloads.IMPLEMENTATIONS if available(i)]
    n, repeats = SIZES[mode], REPEATS[mode]
    header = [
        "workload",
        "what",
        "N",
        *[f"{i} ops/CPU-s" for i in impls],
        "flowno/asyncio",
        "flowno/uvloop",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    slower: list[str] = []
    for name, what in workloads.WORKLOADS.items():
        if only and name not in only:
            continue
        results = {
            impl: run_child(["--worker", impl, name, str(n), str(repeats)]).get(
                "ops_per_cpu_s", None
            )
            for impl in impls
        }
        flowno, asyncio_ = results.get("flowno"), results.get("asyncio")
        ratio = "n/a"
        if isinstance(flowno, float) and isinstance(asyncio_, float):
            ratio = f"{flowno / asyncio_:.2f}"
            if flowno < asyncio_:
                slower.append(name)
        uv = results.get("uvloop")
        uv_ratio = (
            f"{flowno / uv:.2f}" if isinstance(flowno, float) and isinstance(uv, float) else "n/a"
        )
        cells = [name, what, f"{n:,}", *[fmt_ops(results[i]) for i in impls], ratio, uv_ratio]
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines, slower


def memory_section(mode: str) -> tuple[list[str], bool]:
    n = MEMORY_N[mode]
    result = run_child(["--memory", str(n)])
    samples = result.get("samples")
    if not isinstance(samples, list) or not samples:
        return [f"memory check failed: {result.get('error')}"], False
    first, last = samples[0][1], samples[-1][1]
    flat = last - first <= MEMORY_FLAT_KIB
    lines = [
        f"RSS over {n:,} sequential spawn+join on one loop (KiB, after i tasks):",
        "",
        "| i | RSS KiB |",
        "|---|---|",
        *[f"| {i:,} | {rss:,} |" for i, rss in samples],
        "",
        f"growth first->last checkpoint: {last - first:,} KiB "
        f"({'flat' if flat else 'NOT FLAT'}; limit {MEMORY_FLAT_KIB:,} KiB)",
    ]
    return lines, flat


def run_net(mode: str, write: bool) -> int:
    """Run the flowno-net benchmark runner if it exists (``run.py``, else ``echo.py``)."""
    for runner, quick_args in NET_RUNNERS:
        if runner.exists():
            extra = quick_args if mode == "quick" else []
            if not write and runner.name == "echo.py":
                extra = [*extra, "--output", os.devnull]
            print(f"\n$ python {runner.relative_to(ROOT)} {' '.join(extra)}", flush=True)
            return subprocess.run([sys.executable, str(runner), *extra], check=False).returncode
    print("(no benchmarks/net runner: net benchmark skipped)")
    return 0


KEPT_FROM = "\n## Before/after"
"""Where the hand-written part of the docs page starts (comparisons with other trees)."""


def kept_sections() -> str:
    """The docs page's hand-written sections, kept when the generated part is rewritten."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    at = old.find(KEPT_FROM)
    return "" if at < 0 else old[at:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--only", nargs="*", default=[], help="run only these workloads")
    parser.add_argument("--no-write", action="store_true", help="do not write the docs file")
    parser.add_argument("--no-net", action="store_true", help="do not run benchmarks/net")
    parser.add_argument("--worker", nargs=4, metavar=("IMPL", "WORKLOAD", "N", "REPEATS"))
    parser.add_argument("--memory", type=int, metavar="N")
    parser.add_argument(
        "--uncollected",
        action="store_true",
        help="worker: stop the clock before the final collection (cyclic garbage goes unpaid)",
    )
    args = parser.parse_args(argv)
    if args.worker:
        impl, workload, n, repeats = args.worker
        worker_main(impl, workload, int(n), int(repeats), collected=not args.uncollected)
        return 0
    if args.memory:
        memory_main(args.memory)
        return 0
    mode = "quick" if args.quick else "full"
    print(f"flowno-eventloop benchmarks ({mode}); ops per CPU-second, higher is better")
    table, slower = speed_table(mode, args.only)
    mem_lines, flat = memory_section(mode)
    print("\n".join(["", *mem_lines]))
    doc = [
        "# Event-loop benchmarks",
        "",
        f"Generated by `python benchmarks/eventloop/run.py{' --quick' if args.quick else ''}` "
        f"on {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, Python "
        f"{platform.python_version()} ({platform.machine()}, {os.cpu_count()} CPUs). "
        "Each cell is the best of a few runs in a fresh process, measured in operations per "
        "CPU-second (`time.process_time`, around the workload and a full collection after "
        "it); higher is better.",
        "",
        *table,
        "",
        "## Memory",
        "",
        *mem_lines,
        "",
    ]
    if not args.no_write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text("\n".join(doc) + kept_sections(), encoding="utf-8")
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    if slower:
        print(f"flowno slower than asyncio on: {', '.join(slower)}")
    net_rc = 0 if args.no_net else run_net(mode, not args.no_write)
    return 0 if flat and net_rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
