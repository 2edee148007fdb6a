"""Run the tracing example of docs/guide/tracing.md and write its Chrome trace JSON.

Usage: ``python docs/tools/trace_example.py [OUT.json]`` (default docs/_static/flow-trace.json),
then draw it with ``python docs/tools/render_trace.py OUT.json``. Real time, about 0.15 s.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

from flowno_eventloop import sleep
from flowno_flow import ChromeTraceInstrument, FlowHDL, Stream, TerminateLimitReached, node


@node
async def Size(total: int = 0) -> int:  # closes the cycle; its default starts it
    await sleep(0.006)
    return 2 + total % 4


@node
async def Numbers(n: int) -> AsyncIterator[int]:  # a streaming producer
    for i in range(n):
        await sleep(0.006)
        yield i


@node(stream_in=["xs"])
async def Total(xs: Stream[int]) -> int:  # consumes the items as they come
    total = 0
    async for x in xs:
        await sleep(0.002)  # a little work per item
        total += x
    return total


@node
async def Report(total: int) -> None:
    await sleep(0.001)
    print("total", total)


with FlowHDL() as f:
    f.size = Size(f.total)
    f.numbers = Numbers(f.size)
    f.total = Total(f.numbers)
    f.report = Report(f.total)

with ChromeTraceInstrument() as trace:
    try:
        f.run_until_complete(stop_at_node_generation=(3,))
    except TerminateLimitReached:
        print("stopped after three turns")

trace.write(sys.argv[1] if len(sys.argv) > 1 else "docs/_static/flow-trace.json")
