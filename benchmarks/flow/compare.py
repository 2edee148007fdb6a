"""Before/after: the flow scenarios on two source trees, in fresh processes, alternating.

Usage: python benchmarks/flow/compare.py --base PATH [--rounds 5] [--scale 1]

Each round runs every scenario once per tree, each in a fresh subprocess whose
``PYTHONPATH`` puts that tree's ``packages/*/src`` first; the order of the two
trees alternates between rounds so that a machine getting busier affects both.
Reported: the median CPU time (``time.process_time`` around the run only) per
tree and the ratio new/base. The scenarios are the ones of ``run.py`` (taken
from this tree, so both trees run the same user code).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SIZES = {
    "self-loop counter": 100_000,
    "chain of L nodes": 4_000,
    "fan-out/fan-in cycle of W": 200,
    "generator -> stream_in": 100_000,
    "3-stage stream pipeline": 50_000,
}  # the routed agent loop needs routing, so it runs on the new tree only (run.py)


def _src_path(tree: Path) -> str:
    return os.pathsep.join(str(p) for p in sorted((tree / "packages").glob("*/src")))


def _measure(tree: Path, scenario: str, size: int) -> float:
    code = (
        "import gc, json, sys, time; sys.path.insert(0, sys.argv[1]); import run; "
        "make = {name: m for name, m, *_ in run.SCENARIOS}[sys.argv[2]]; "
        "go = make(int(sys.argv[3])); gc.collect(); t = time.process_time(); go(); "
        "print(json.dumps(time.process_time() - t))"
    )
    env = {**os.environ, "PYTHONPATH": _src_path(tree)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(HERE), scenario, str(size)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="the tree to compare against")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "new": ROOT}
    print(f"| scenario | size | base CPU s (median of {args.rounds}) | new CPU s | new/base |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for scenario, size in SIZES.items():
        size = max(8, int(size * args.scale))
        times: dict[str, list[float]] = {"base": [], "new": []}
        for r in range(args.rounds):
            order = ["base", "new"] if r % 2 == 0 else ["new", "base"]
            for name in order:
                times[name].append(_measure(trees[name], scenario, size))
        base, new = statistics.median(times["base"]), statistics.median(times["new"])
        worst = max(worst, new / base)
        print(f"| {scenario} | {size} | {base:.3f} | {new:.3f} | {new / base:.3f} |", flush=True)
    print(f"worst ratio new/base: {worst:.3f} (goal <= 1.05)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
