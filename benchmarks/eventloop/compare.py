"""Before/after comparison of flowno-eventloop against a baseline tree, with asyncio and uvloop.

Usage:
    python benchmarks/eventloop/compare.py --baseline /path/to/other/checkout [--rounds 5]
        [--n 100000] [--only WORKLOAD ...] [--uncollected]

For every workload, the rounds alternate: flowno from this tree, flowno from the baseline
tree (its ``packages/flowno-eventloop/src`` first on ``sys.path``), asyncio, and uvloop when it
is installed; each in a fresh process, timed with ``time.process_time`` (CPU time) around the
workload only (the libraries are imported before the clock starts), up to the end of a full
collection after it (with ``--uncollected``, up to the workload's end: garbage left in
reference cycles then goes unpaid). The table gives the median operations per CPU-second and
the ratios new/baseline, new/asyncio and new/uvloop. uvloop is a benchmark-only dependency.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SRC = ROOT / "packages" / "flowno-eventloop" / "src"


def run_one(impl: str, workload: str, n: int, src: Path | None, uncollected: bool) -> float:
    """One fresh process; return operations per CPU-second."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    flags = ["--uncollected"] if uncollected else []
    out = subprocess.run(
        [sys.executable, str(HERE / "run.py"), *flags, "--worker", impl, workload, str(n), "1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return float(json.loads(out.strip().splitlines()[-1])["ops_per_cpu_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument(
        "--uncollected",
        action="store_true",
        help="stop each clock before the final collection (see run.py): cyclic garbage unpaid",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import workloads

    names = args.only or list(workloads.WORKLOADS)
    base_src = args.baseline / "packages" / "flowno-eventloop" / "src"
    impls = [("new", "flowno", SRC), ("base", "flowno", base_src), ("asyncio", "asyncio", None)]
    if importlib.util.find_spec("uvloop") is not None:
        impls.append(("uvloop", "uvloop", None))
    print(
        "| workload | new ops/s | baseline | new/baseline | asyncio | new/asyncio | uvloop | new/uvloop |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        samples: dict[str, list[float]] = {label: [] for label, _, _ in impls}
        for _ in range(args.rounds):  # alternate, so drift hits every column alike
            for label, impl, src in impls:
                samples[label].append(run_one(impl, name, args.n, src, args.uncollected))
        med = {label: statistics.median(values) for label, values in samples.items()}
        new = med["new"]
        uv = med.get("uvloop")
        print(
            f"| {name} | {new:,.0f} | {med['base']:,.0f} | {new / med['base']:.3f} "
            f"| {med['asyncio']:,.0f} | {new / med['asyncio']:.2f} "
            f"| {'-' if uv is None else f'{uv:,.0f}'} | {'-' if uv is None else f'{new / uv:.2f}'} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
