"""Flow engine benchmarks: cost per generation / item must not grow with the run.

Usage: python benchmarks/flow/run.py [--quick] [--write docs/benchmarks-flow.md]

Six scenarios, each at sizes n, 2n, 4n, 8n; prints throughput and the fitted
exponent of CPU time against size (least squares on log-log; 1.0 = linear).
Goals: exponent <= 1.15 everywhere, >= 50,000 self-loop generations per CPU
second, 1,000,000 items through the 3-stage pipeline without loss, memory
growth < 4 MiB over 1,000,000 generations of a cycle (tracemalloc), and a routed
agent loop of 100,000 turns that ends by itself.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable

from flowno_flow import FlowHDL, Stream, TerminateLimitReached, node


def _run(f: FlowHDL, **kwargs: object) -> None:
    try:
        f.run_until_complete(**kwargs)  # type: ignore[arg-type]
    except TerminateLimitReached:
        pass


def self_loop(size: int) -> Callable[[], None]:
    @node
    async def Count(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        f.c = Count(f.c)

    def go() -> None:
        _run(f, stop_at_node_generation=(size,))
        assert f.c.get_data() == (size + 1,)

    return go


def chain(size: int) -> Callable[[], None]:
    @node
    async def Inc(v: int) -> int:
        return v + 1

    with FlowHDL() as f:
        f.n0 = Inc(0)
        for i in range(1, size):
            setattr(f, f"n{i}", Inc(getattr(f, f"n{i - 1}")))

    def go() -> None:
        f.run_until_complete()
        assert getattr(f, f"n{size - 1}").get_data() == (size,)

    return go


def fan_cycle(size: int) -> Callable[[], None]:
    """W workers fed by a hub and summed back into it, 20 turns of the cycle."""

    @node
    async def Hub(total: int = 0) -> int:
        return total % 7

    @node
    async def Work(x: int, k: int) -> int:
        return x + k

    @node
    async def Gather(*xs: int) -> int:
        return sum(xs)

    with FlowHDL() as f:
        f.hub = Hub(f.gather)
        workers = [Work(f.hub, k) for k in range(size)]
        f.gather = Gather(*workers)

    def go() -> None:
        _run(f, stop_at_node_generation={f.hub: (20,)})

    return go


def stream_sum(size: int) -> Callable[[], None]:
    @node
    async def Gen(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            yield i

    @node(stream_in=["xs"])
    async def Sum(xs: Stream[int]) -> int:
        total = 0
        async for x in xs:
            total += x
        return total

    with FlowHDL() as f:
        f.g = Gen(size)
        f.s = Sum(f.g)

    def go() -> None:
        f.run_until_complete()
        assert f.s.get_data() == (size * (size - 1) // 2,)

    return go


def pipeline(size: int) -> Callable[[], None]:
    @node
    async def Gen(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            yield i

    @node(stream_in=["xs"])
    async def Double(xs: Stream[int]):  # type: ignore[no-untyped-def]
        async for x in xs:
            yield 2 * x

    @node(stream_in=["xs"])
    async def Count(xs: Stream[int]) -> tuple[int, int]:
        count = total = 0
        async for x in xs:
            count += 1
            total += x
        return count, total

    with FlowHDL() as f:
        f.g = Gen(size)
        f.d = Double(f.g)
        f.c = Count(f.d)

    def go() -> None:
        f.run_until_complete()
        assert f.c.get_data() == ((size, size * (size - 1)),), "items lost"

    return go


def agent_loop(size: int) -> Callable[[], None]:
    """A routed cycle: the agent calls a tool ``size`` times, then answers (no limits)."""

    @node
    async def Agent(turns: int, result: int | None = None) -> ToolCall | Answer:
        done = 0 if result is None else result
        return Answer(done) if done >= turns else ToolCall(done)

    @node
    async def RunTool(call: ToolCall) -> int:
        return call.done + 1

    @node
    async def Show(answer: Answer) -> int:
        return answer.turns

    with FlowHDL() as f:
        f.agent = Agent(size, f.tool)
        f.tool = RunTool(f.agent.on(ToolCall))
        f.show = Show(f.agent.on(Answer))

    def go() -> None:
        f.run_until_complete()
        assert f.show.get_data() == (size,)

    return go


class ToolCall:
    __slots__ = ("done",)

    def __init__(self, done: int) -> None:
        self.done = done


class Answer:
    __slots__ = ("turns",)

    def __init__(self, turns: int) -> None:
        self.turns = turns


# (name, builder, base size n, size unit, evaluations per size unit, throughput unit)
SCENARIOS: list[tuple[str, Callable[[int], Callable[[], None]], int, str, int, str]] = [
    ("self-loop counter", self_loop, 25_000, "generations", 1, "generations"),
    ("chain of L nodes", chain, 500, "nodes", 1, "node runs"),
    ("fan-out/fan-in cycle of W", fan_cycle, 50, "workers (20 turns)", 20, "worker runs"),
    ("generator -> stream_in", stream_sum, 25_000, "items", 1, "items"),
    ("3-stage stream pipeline", pipeline, 12_500, "items", 1, "items"),
    ("routed agent loop", agent_loop, 12_500, "turns", 1, "turns"),
]


def cpu_time(make: Callable[[int], Callable[[], None]], size: int, repeat: int = 1) -> float:
    """Best CPU time of ``repeat`` fresh runs (the minimum filters out a busy machine)."""
    best = math.inf
    for _ in range(repeat):
        go = make(size)
        gc.collect()
        start = time.process_time()
        go()
        best = min(best, time.process_time() - start)
    return best


def exponent(sizes: list[int], times: list[float]) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def memory_growth(generations: int) -> float:
    """MiB traced after ``generations`` turns of a 2-node cycle minus after 1,000."""

    @node
    async def A(x: int = 0) -> int:
        return x + 1

    @node
    async def B(x: int) -> int:
        return x

    with FlowHDL() as f:
        f.a = A(f.b)
        f.b = B(f.a)
    tracemalloc.start()
    _run(f, stop_at_node_generation={f.a: (1_000,)})
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    _run(f, stop_at_node_generation={f.a: (generations,)})
    gc.collect()
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (end - base) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes / 8, smaller goals checks")
    parser.add_argument("--write", metavar="PATH", help="write the Markdown table to PATH")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per size (default 3)")
    args = parser.parse_args()
    scale = 8 if args.quick else 1
    lines = [
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{'--quick' if args.quick else 'full'} run, best of {args.repeat}, CPU seconds "
        "(time.process_time).",
        "",
        "| scenario | sizes | CPU s at each size | throughput at 8n | exponent |",
        "|---|---|---|---|---|",
    ]
    ok = True
    for name, make, base, unit, per_unit, rate_unit in SCENARIOS:
        n = max(base // scale, 8)
        sizes = [n, 2 * n, 4 * n, 8 * n]
        times = [cpu_time(make, s, args.repeat) for s in sizes]
        exp = exponent(sizes, times)
        rate = sizes[-1] * per_unit / times[-1]
        ok &= exp <= 1.15
        lines.append(
            f"| {name} | {', '.join(map(str, sizes))} {unit} | "
            f"{', '.join(f'{t:.3f}' for t in times)} | {rate:,.0f} {rate_unit}/s | {exp:.2f} |"
        )
        print(lines[-1], flush=True)
    loop_rate = 200_000 // scale / cpu_time(self_loop, 200_000 // scale)
    items = 1_000_000 // scale
    pipe_time = cpu_time(pipeline, items)
    growth = memory_growth(1_000_000 // scale)
    turns = 100_000 // scale
    agent_time = cpu_time(agent_loop, turns)
    ok &= loop_rate >= 50_000 and growth < 4
    lines += [
        "",
        f"- self-loop: {loop_rate:,.0f} generations per CPU second (goal >= 50,000)",
        f"- 3-stage pipeline: {items:,} items in {pipe_time:.1f} CPU s, none lost "
        f"({items / pipe_time:,.0f} items/s)",
        f"- memory growth over {1_000_000 // scale:,} generations of a 2-node cycle: "
        f"{growth:.3f} MiB (goal < 4 MiB)",
        f"- routed agent loop: {turns:,} turns in {agent_time:.2f} CPU s "
        f"({turns / agent_time:,.0f} turns/s), ending by itself",
    ]
    print("\n".join(lines[-4:]))
    if args.write:
        with open(args.write, "w", encoding="utf-8") as out:
            out.write(
                "# Flow engine benchmarks\n\nGenerated by `python benchmarks/flow/run.py"
                f"{' --quick' if args.quick else ''}`.\n\n" + "\n".join(lines) + "\n"
            )
    print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
