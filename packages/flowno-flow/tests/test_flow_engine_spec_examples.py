# Every documented flow and stream example, run as a test.
# Examples of bugs fixed on purpose expect the fixed output (reason in FIXED).
# Time is virtual (MockClock): `time.time()` in the examples reads the loop clock.
from __future__ import annotations

import re
import sys
import types

import pytest

import flowno_flow._flow as flow_module
from flowno_eventloop import EventLoop, MockClock

CASES: list[tuple[str, str, str, str]] = [
    (
        "flow-streaming_16",
        'from flowno_flow import node, FlowHDL, Stream, TerminateLimitReached\nfrom flowno_flow import FlowInstrument\n\n@node\nasync def Beats(prev: str = ""):\n    for b in ("x", "y"):\n        yield b + str(len(prev))\n\n@node(stream_in=["beats"])\nasync def Join(beats: Stream[str]) -> str:\n    return "-".join([b async for b in beats])\n\nclass Gens(FlowInstrument):\n    def on_node_emitted_data(self, flow, n, data, rl):\n        print(f"{n!r:8} rl={rl} gen={n.generation} data={data} | get_data(0)={n.get_data(0)} get_data(1)={n.get_data(1)}")\n\nwith FlowHDL() as f:\n    f.beats = Beats(f.join)\n    f.join = Join(f.beats)\ntry:\n    with Gens():\n        f.run_until_complete(stop_at_node_generation={f.join: (1,)})\nexcept TerminateLimitReached:\n    print("limit reached")\n',
        "Beats#0  rl=1 gen=(0, 0) data=('x0',) | get_data(0)=None get_data(1)=('x0',)\nBeats#0  rl=1 gen=(0, 1) data=('y0',) | get_data(0)=None get_data(1)=('y0',)\nBeats#0  rl=0 gen=(0,) data=('x0y0',) | get_data(0)=('x0y0',) get_data(1)=None\nJoin#0   rl=0 gen=(0,) data=('x0-y0',) | get_data(0)=('x0-y0',) get_data(1)=None\nBeats#0  rl=1 gen=(1, 0) data=('x5',) | get_data(0)=('x0y0',) get_data(1)=('x5',)\nBeats#0  rl=1 gen=(1, 1) data=('y5',) | get_data(0)=('x0y0',) get_data(1)=('y5',)\nBeats#0  rl=0 gen=(1,) data=('x5y5',) | get_data(0)=('x5y5',) get_data(1)=None\nJoin#0   rl=0 gen=(1,) data=('x5-y5',) | get_data(0)=('x5-y5',) get_data(1)=None\nlimit reached\n",
        "",
    ),
    (
        "flow-streaming_17",
        'from flowno_flow import node, FlowHDL\n\n@node\nasync def Chatty():\n    try:\n        for i in range(3):\n            print("chatty", i)\n            yield i\n        print("chatty finished")\n    finally:\n        print("chatty cleanup")\n\nwith FlowHDL() as f:\n    f.c = Chatty()\nf.run_until_complete()\nprint("generation:", f.c.generation, "final:", f.c.get_data(0), "last chunk:", f.c.get_data(1))\n',
        "chatty 0\nchatty 1\nchatty 2\nchatty finished\nchatty cleanup\ngeneration: (0,) final: (3,) last chunk: None\n",
        "S7: a producer without consumers runs to completion (and is closed)",
    ),
    (
        "flow-streaming_18",
        'from flowno_flow import node, FlowHDL\n\ndef final_value(chunks):\n    @node\n    async def Src():\n        for c in chunks:\n            yield c\n    @node\n    async def Sink(v="<default used>"):\n        return v\n    with FlowHDL() as f:\n        f.src = Src()\n        f.sink = Sink(f.src)\n    f.run_until_complete()\n    return f.src.get_data(), f.sink.get_data()\n\nfor chunks in (["a", "b"], [1, 2, 3], [True, True], [1, 2.5], [[1]], [[1], [2]], [[1], [2], [3]], [{"k": 1}, {"k": 2}]):\n    print(f"{chunks!r:28} -> {final_value(chunks)}")\n',
        "['a', 'b']                   -> (('ab',), ('ab',))\n[1, 2, 3]                    -> ((6,), (6,))\n[True, True]                 -> ((2,), (2,))\n[1, 2.5]                     -> ((3.5,), (3.5,))\n[[1]]                        -> (([1],), ([1],))\n[[1], [2]]                   -> (([1, 2],), ([1, 2],))\n[[1], [2], [3]]              -> (([1, 2, 3],), ([1, 2, 3],))\n[{'k': 1}, {'k': 2}]         -> (({'k': 2},), ({'k': 2},))\n",
        "accumulation of numbers/lists/dicts",
    ),
    (
        "flow-streaming_19",
        'from flowno_flow import node, FlowHDL\n\n@node\nasync def Words():\n    yield "ab"\n    yield "cd"\n\n@node\nasync def Numbers():\n    yield 4\n    yield 5\n\n@node\nasync def Explicit():\n    yield "partial-1"\n    yield "partial-2"\n    raise StopAsyncIteration("the real answer")\n\n@node\nasync def Show(label: str, v):\n    print(label, repr(v))\n\nwith FlowHDL() as f:\n    f.w = Words(); f.n = Numbers(); f.e = Explicit()\n    f.s1 = Show("words:", f.w)\n    f.s2 = Show("numbers:", f.n)\n    f.s3 = Show("explicit:", f.e)\nf.run_until_complete()\n',
        "words: 'abcd'\nnumbers: 9\nexplicit: 'the real answer'\n",
        "",
    ),
    (
        "flow-streaming_20",
        'from flowno_flow import node, FlowHDL, Stream\n\n@node\nasync def Letters(word: str):\n    for ch in word:\n        print("produce", ch)\n        yield ch\n\n@node(stream_in=["chars"])\nasync def Codes(chars: Stream[str]):\n    async for ch in chars:\n        print("  encode", ch)\n        yield ord(ch)\n\n@node(stream_in=["codes"])\nasync def Total(codes: Stream[int]) -> int:\n    acc = 0\n    async for c in codes:\n        print("    add", c)\n        acc += c\n    return acc\n\nwith FlowHDL() as f:\n    f.letters = Letters("abc")\n    f.codes = Codes(f.letters)\n    f.total = Total(f.codes)\nf.run_until_complete()\nfor name in ("letters", "codes", "total"):\n    n = getattr(f, name)\n    print(name, n.generation, n.get_data(0), n.get_data(1))\n',
        "produce a\n  encode a\n    add 97\nproduce b\n  encode b\n    add 98\nproduce c\n  encode c\n    add 99\nletters (0,) ('abc',) None\ncodes (0,) (294,) None\ntotal (0,) (294,) None\n",
        "",
    ),
    (
        "flow-streaming_21",
        'from flowno_flow import node, FlowHDL, Stream\nfrom flowno_eventloop import sleep\nfrom flowno_flow import FlowInstrument\n\n@node\nasync def Drip():\n    for i in range(3):\n        await sleep(0.05)\n        print(f"{_CLOCK.now() - T0:.2f} drip {i}")\n        yield i\n\n@node(stream_in=["s"])\nasync def Cup(s: Stream[int]) -> int:\n    total = 0\n    async for v in s:\n        print(f"{_CLOCK.now() - T0:.2f}   cup got {v}")\n        total += v\n    return total\n\nclass Stalls(FlowInstrument):\n    def on_node_stalled(self, flow, n, stalled_input):\n        print(f"{_CLOCK.now() - T0:.2f}   {n!r} stalled on {stalled_input!r}")\n\nwith FlowHDL() as f:\n    f.drip = Drip()\n    f.cup = Cup(f.drip)\nT0 = _CLOCK.now()\nwith Stalls():\n    f.run_until_complete()\nprint(f.cup.get_data())\n',
        "0.05 drip 0\n0.05   cup got 0\n0.05   Cup#0 stalled on Cup#0.input(0)\n0.10 drip 1\n0.10   cup got 1\n0.10   Cup#0 stalled on Cup#0.input(0)\n0.15 drip 2\n0.15   cup got 2\n0.15   Cup#0 stalled on Cup#0.input(0)\n(3,)\n",
        "",
    ),
    (
        "flow-streaming_22",
        'from flowno_flow import node, FlowHDL, Stream\nfrom flowno_eventloop import sleep\n\n@node\nasync def Feed():\n    for i in range(4):\n        print(f"{_CLOCK.now() - T0:.2f} feed {i}")\n        yield i\n\n@node(stream_in=["s"])\nasync def Quick(s: Stream[int]):\n    seen = []\n    async for v in s:\n        await sleep(0.005)\n        seen.append(v)\n    return seen\n\n@node(stream_in=["s"])\nasync def Lazy(s: Stream[int]):\n    seen = []\n    async for v in s:\n        print(f"{_CLOCK.now() - T0:.2f}   lazy {v}")\n        await sleep(0.05)\n        seen.append(v)\n    return seen\n\nwith FlowHDL() as f:\n    f.feed = Feed()\n    f.quick = Quick(f.feed)\n    f.lazy = Lazy(f.feed)\nT0 = _CLOCK.now()\nf.run_until_complete()\nprint(f.quick.get_data(), f.lazy.get_data())\n',
        "0.00 feed 0\n0.00   lazy 0\n0.01 feed 1\n0.05   lazy 1\n0.05 feed 2\n0.10   lazy 2\n0.10 feed 3\n0.15   lazy 3\n([0, 1, 2, 3],) ([0, 1, 2, 3],)\n",
        "S3: deterministic lockstep of several stream consumers",
    ),
    (
        "flow-streaming_23",
        'from flowno_flow import node, FlowHDL, Stream\nfrom flowno_eventloop import sleep\n\n@node\nasync def Burst():\n    for i in range(3):\n        yield i\n\n@node(stream_in=["s"])\nasync def Eager(s: Stream[int]):\n    out = []\n    async for v in s:\n        await sleep(0.001)      # makes Eager request the next chunk while Burst is idle\n        out.append(v)\n    print("eager done", out)\n    return out\n\n@node\nasync def Gate() -> str:\n    await sleep(0.05)\n    return "open"\n\n@node(stream_in=["s"])\nasync def Tardy(s: Stream[int], gate: str):\n    print("tardy starting")\n    return [v async for v in s]\n\nwith FlowHDL() as f:\n    f.burst = Burst()\n    f.eager = Eager(f.burst)\n    f.gate = Gate()\n    f.tardy = Tardy(f.burst, f.gate)\nf.run_until_complete()\nprint("finished", f.tardy.get_data())\n',
        "tardy starting\neager done [0, 1, 2]\nfinished ([0, 1, 2],)\n",
        "a late stream consumer gets the whole stream",
    ),
    (
        "flow-streaming_24",
        'from flowno_flow import node, FlowHDL, Stream, TerminateLimitReached\n\n@node(stream_in=["parts"])\nasync def Reader(parts: Stream[str] | None = None) -> int:\n    if parts is None:\n        print("Reader: no stream yet (default)")\n        return 2\n    got = [p async for p in parts]\n    print("Reader: got", got)\n    return len(got) + 1\n\n@node\nasync def Writer(n: int):\n    for i in range(n):\n        print(f"Writer: chunk {i}")\n        yield f"c{i}"\n\nwith FlowHDL() as f:\n    f.reader = Reader(f.writer)\n    f.writer = Writer(f.reader)\ntry:\n    f.run_until_complete(stop_at_node_generation={f.reader: (2,)})\nexcept TerminateLimitReached:\n    print("limit reached; reader", f.reader.generation, f.reader.get_data(), "writer", f.writer.generation)\n',
        "Reader: no stream yet (default)\nWriter: chunk 0\nWriter: chunk 1\nReader: got ['c0', 'c1']\nWriter: chunk 0\nWriter: chunk 1\nWriter: chunk 2\nReader: got ['c0', 'c1', 'c2']\nlimit reached; reader (2,) (4,) writer (1,)\n",
        "",
    ),
    (
        "flow-streaming_25",
        'from flowno_flow import node, FlowHDL, Stream\nfrom flowno_eventloop import azip\n\n@node\nasync def Evens():\n    for i in (0, 2, 4):\n        yield i\n\n@node\nasync def Odds():\n    for i in (1, 3):\n        yield i\n\n@node(stream_in=["a", "b"])\nasync def Zip(a: Stream[int], b: Stream[int]):\n    return [pair async for pair in azip(a, b)]\n\nwith FlowHDL() as f:\n    f.z = Zip(f.e, f.o)\n    f.e = Evens()\n    f.o = Odds()\nf.run_until_complete()\nprint(f.z.get_data(), f.e.generation, f.o.generation)\n',
        "([(0, 1), (2, 3)],) (0,) (0,)\n",
        "S7: the longer producer runs to completion after azip stops",
    ),
    (
        "flow-streaming_26",
        'from flowno_flow import node, FlowHDL, Stream, StreamCancelled\n\n@node\nasync def Digits():\n    try:\n        for d in range(10):\n            print("digits: yield", d)\n            yield d\n    except StreamCancelled as exc:\n        print("digits: got StreamCancelled:", exc)\n        raise\n\n@node(stream_in=["ds"])\nasync def FirstThree(ds: Stream[int]):\n    taken = []\n    async for d in ds:\n        taken.append(d)\n        if len(taken) == 3:\n            await ds.cancel()\n            print("first3: cancelled")\n    # the loop above keeps iterating after cancel(); the stream then ends\n    return taken\n\n@node\nasync def Whole(total: int):\n    print("whole got", total)\n\nwith FlowHDL() as f:\n    f.d = Digits()\n    f.first = FirstThree(f.d)\n    f.whole = Whole(f.d)\nf.run_until_complete()\nprint(f.first.get_data(), f.d.get_data())\n',
        "digits: yield 0\ndigits: yield 1\ndigits: yield 2\nfirst3: cancelled\ndigits: got StreamCancelled: Stream was cancelled by consumer\nwhole got 3\n([0, 1, 2],) (3,)\n",
        "",
    ),
    (
        "flow-streaming_27",
        'from flowno_flow import node, FlowHDL, Stream, StreamCancelled\n\n@node\nasync def Source():\n    try:\n        for i in range(100):\n            yield i\n    except StreamCancelled:\n        print("source: cancelled")\n        raise\n\n@node(stream_in=["xs"])\nasync def Relay(xs: Stream[int]):\n    try:\n        async for x in xs:\n            yield x * 2\n    except StreamCancelled:\n        print("relay: cancelled (re-raising)")\n        raise\n\n@node(stream_in=["xs"])\nasync def Head(xs: Stream[int]):\n    out = []\n    async for x in xs:\n        out.append(x)\n        if len(out) == 2:\n            await xs.cancel()\n            break\n    return out\n\n@node(stream_in=["xs"])\nasync def Everything(xs: Stream[int]):\n    return [x async for x in xs]\n\nwith FlowHDL() as f:\n    f.src = Source()\n    f.relay = Relay(f.src)\n    f.head = Head(f.relay)\n    f.all = Everything(f.relay)      # sibling of Head on the same stream\nf.run_until_complete()\nprint("head:", f.head.get_data(), "sibling:", f.all.get_data(), "relay final:", f.relay.get_data(), "source final:", f.src.get_data())\n',
        "relay: cancelled (re-raising)\nsource: cancelled\nhead: ([0, 2],) sibling: ([0, 2],) relay final: (2,) source final: (1,)\n",
        "lazy lockstep: Source published 0 and 1 before the cancellation reached it",
    ),
    (
        "flow-streaming_28",
        'from flowno_flow import node, FlowHDL, Stream, TerminateLimitReached\n\n@node\nasync def Count(limit: int = 4):\n    for i in range(limit):\n        yield i\n\n@node(stream_in=["s"])\nclass Picky:\n    round = 0\n    async def call(self, s: Stream[int]) -> int:\n        self.round += 1\n        got = []\n        async for v in s:\n            got.append(v)\n            if self.round == 1 and len(got) == 2:\n                await s.cancel()        # first round: stop early\n        print(f"round {self.round}: {got}")\n        return len(got) + 1             # becomes the next limit\n\nwith FlowHDL() as f:\n    f.count = Count(f.picky)\n    f.picky = Picky(f.count)\ntry:\n    f.run_until_complete(stop_at_node_generation={f.picky: (2,)})\nexcept TerminateLimitReached:\n    print("limit; picky:", f.picky.generation, f.picky.get_data(), "count:", f.count.generation)\n',
        "round 1: [0, 1]\nround 2: [0, 1, 2]\nround 3: [0, 1, 2, 3]\nlimit; picky: (2,) (5,) count: (2,)\n",
        "",
    ),
    (
        "flow-streaming_29",
        'from flowno_flow import node, FlowHDL, Stream\n\n@node(multiple_outputs=True)\nasync def NameAndLen():\n    for w in ("ox", "yak"):\n        yield (w, len(w))\n\n@node(stream_in=["s"])\nasync def Collect(s: Stream):\n    return [v async for v in s]\n\n@node\nasync def Final(v):\n    return v\n\nwith FlowHDL() as f:\n    f.src = NameAndLen()\n    f.names = Collect(f.src.output(0))\n    f.lens = Collect(f.src.output(1))      # expected [2, 3]\n    f.fin0 = Final(f.src.output(0))\n    f.fin1 = Final(f.src.output(1))\nf.run_until_complete()\nprint("names:", f.names.get_data(), "lens:", f.lens.get_data())\nprint("finals:", f.src.get_data(), f.fin0.get_data(), f.fin1.get_data())\n',
        "names: (['ox', 'yak'],) lens: ([2, 3],)\nfinals: ('oxyak', 5) ('oxyak',) (5,)\n",
        "each output of a multi-output stream on its own port",
    ),
    (
        "flow_01",
        'from flowno_flow import node, FlowHDL\n\n@node\nasync def Mul(a: int, b: int) -> int:\n    return a * b\n\n@node\nasync def Neg(v: int) -> int:\n    return -v\n\nwith FlowHDL() as f:\n    f.prod = Mul(3, 4)\n    f.neg = Neg(f.prod)\n    print("inside :", type(f.prod).__name__, f.prod)\n\nprint("outside:", type(f.prod).__name__, f.prod, f.prod.generation, f.prod.get_data())\nf.run_until_complete()\nprint("after  :", f.prod.get_data(), f.neg.get_data(), f.neg.generation)\nprint("level 1:", f.neg.get_data(run_level=1))\n',
        "inside : Mul Mul#0\noutside: FinalizedNode Mul#0 None None\nafter  : (12,) (-12,) (0,)\nlevel 1: None\n",
        "",
    ),
    (
        "flow_02",
        "from flowno_flow import node, FlowHDL, TerminateLimitReached\n\n@node\nclass Tally:\n    seen = 0            # copied onto each instance\n    history = []        # NOTE: the same list object is shared by all instances\n\n    async def call(self, step: int = 1):\n        self.seen += step\n        self.history.append(step)\n        return self.seen\n\nwith FlowHDL() as f:\n    f.t = Tally(f.t)         # self-loop: feeds its own output back in\ntry:\n    f.run_until_complete(stop_at_node_generation=(3,))\nexcept TerminateLimitReached:\n    pass\nprint(f.t.get_data(), f.t.seen, f.t.history, Tally.history)\n",
        "(8,) 8 [1, 1, 2, 4] []\n",
        "class attributes are deep-copied per instance",
    ),
    (
        "flow_03",
        'from flowno_flow import node, FlowHDL\n\n@node(multiple_outputs=True)\nasync def DivMod(a: int, b: int):\n    return a // b, a % b\n\n@node\nasync def Show(label: str, v):\n    print(label, v)\n    return v\n\nwith FlowHDL() as f:\n    f.dm = DivMod(17, 5)\n    f.q = Show("quotient", f.dm.output(0))\n    f.r = Show("remainder", f.dm.output(1))\n    f.first = Show("node passed directly ->", f.dm)\nf.run_until_complete()\nprint(f.dm.get_data(), f.q.get_data(), f.r.get_data())\n',
        "quotient 3\nnode passed directly -> 3\nremainder 2\n(3, 2) (3,) (2,)\n",
        "",
    ),
    (
        "flow_04",
        'from flowno_flow import node, FlowHDL\n\n@node\nasync def Greet(name: str, punct: str = "!") -> str:\n    return f"hello {name}{punct}"\n\n@node\nasync def Shout(text: str) -> str:\n    return text.upper()\n\nwith FlowHDL() as f:\n    f.loud = Shout(f.msg)          # f.msg is not defined yet: placeholder\n    print("placeholder:", f.later_thing)\n    f.msg = Greet("ada")           # punct falls back to its default\n\nf.run_until_complete()\nprint(f.loud.get_data(), f.msg.get_data())\n',
        "placeholder: NodePlaceholder(name='later_thing')\n('HELLO ADA!',) ('hello ada!',)\n",
        "",
    ),
    (
        "flow_05",
        'from flowno_flow import node, FlowHDL\n\n@node\nasync def Root(name: str) -> str:\n    print("run", name)\n    return name\n\n@node\nasync def Then(name: str, dep: str) -> str:\n    print("run", name, "after", dep)\n    return name\n\n@node\nasync def Merge(name: str, x: str, y: str) -> str:\n    print("run", name, "after", x, "and", y)\n    return name\n\nwith FlowHDL() as f:\n    f.top = Root("top")\n    f.left = Then("left", f.top)\n    f.left2 = Then("left2", f.left)\n    f.right = Then("right", f.top)\n    f.join = Merge("join", f.left2, f.right)\nf.run_until_complete()\nprint("---- same graph, declared bottom-up")\nwith FlowHDL() as g:\n    g.join = Merge("join", g.left2, g.right)\n    g.right = Then("right", g.top)\n    g.left2 = Then("left2", g.left)\n    g.left = Then("left", g.top)\n    g.top = Root("top")\ng.run_until_complete()\n',
        "run top\nrun left after top\nrun right after top\nrun left2 after left\nrun join after left2 and right\n---- same graph, declared bottom-up\nrun top\nrun right after top\nrun left after top\nrun left2 after left\nrun join after left2 and right\n",
        "",
    ),
    (
        "flow_06",
        'from flowno_flow import node, FlowHDL\nfrom flowno_eventloop import sleep\n\n@node\nasync def Wait(name: str, secs: float) -> str:\n    print(f"{_CLOCK.now() - T0:.1f} start {name}")\n    await sleep(secs)\n    return name\n\n@node\nasync def Both(a: str, b: str) -> str:\n    return a + b\n\nwith FlowHDL() as f:          # sources declared first\n    f.a = Wait("a", 0.2)\n    f.b = Wait("b", 0.2)\n    f.ab = Both(f.a, f.b)\nT0 = _CLOCK.now(); f.run_until_complete(); print(f"sources first: {_CLOCK.now() - T0:.1f}s")\n\nwith FlowHDL() as g:          # sink declared first\n    g.ab = Both(g.a, g.b)\n    g.a = Wait("a", 0.2)\n    g.b = Wait("b", 0.2)\nT0 = _CLOCK.now(); g.run_until_complete(); print(f"sink first:    {_CLOCK.now() - T0:.1f}s")\n',
        "0.0 start a\n0.0 start b\nsources first: 0.2s\n0.0 start a\n0.0 start b\nsink first:    0.2s\n",
        "sources run concurrently whatever the declaration order",
    ),
    (
        "flow_07",
        'from flowno_flow import node, FlowHDL, TerminateLimitReached\nfrom flowno_eventloop import sleep\n\n@node\nasync def Tick(n: int = -1) -> int:\n    await sleep(0.01)\n    print("tick", n + 1)\n    return n + 1\n\n@node\nasync def Sluggish(v: int):\n    print("  sluggish got", v)\n    await sleep(0.035)\n\nwith FlowHDL() as f:\n    f.tick = Tick(f.tick)\n    f.slow = Sluggish(f.tick)\ntry:\n    f.run_until_complete(stop_at_node_generation={f.tick: (6,)})\nexcept TerminateLimitReached:\n    pass\nprint("generations:", f.tick.generation, f.slow.generation)\n',
        "tick 0\n  sluggish got 0\ntick 1\ntick 2\n  sluggish got 1\ntick 3\n  sluggish got 2\ntick 4\n  sluggish got 3\ntick 5\n  sluggish got 4\ntick 6\n  sluggish got 5\ngenerations: (6,) (4,)\n",
        "back-pressure gives lockstep instead of sampling",
    ),
    (
        "flow_08",
        'from flowno_flow import node, FlowHDL, TerminateLimitReached\n\n@node\nasync def Halve(n: int = 40) -> int:      # default bootstraps the loop\n    print(f"Halve({n})")\n    return n // 2\n\n@node\nasync def AddThree(n: int) -> int:\n    print(f"AddThree({n})")\n    return n + 3\n\nwith FlowHDL() as f:\n    f.h = Halve(f.a)\n    f.a = AddThree(f.h)\n\ntry:\n    f.run_until_complete(stop_at_node_generation=(2,))\nexcept TerminateLimitReached as e:\n    print("stopped:", type(e).__name__)\nprint("h:", f.h.generation, f.h.get_data(), " a:", f.a.generation, f.a.get_data())\nprint("stitch on Halve input 0:", f.h._input_ports[0].stitch_level_0)\n',
        "Halve(40)\nAddThree(20)\nHalve(23)\nAddThree(11)\nHalve(14)\nstopped: TerminateLimitReached\nh: (2,) (7,)  a: (1,) (14,)\nstitch on Halve input 0: 1\n",
        "",
    ),
    (
        "flow_09",
        'from flowno_flow import node, FlowHDL, TerminateLimitReached\nfrom flowno_eventloop import sleep\n\n@node\nasync def Rate() -> float:\n    print("Rate")\n    return 0.5\n\n@node\nasync def Grow(balance: float = 100.0, rate: float = 0.0) -> float:\n    print(f"Grow({balance}, {rate})")\n    return balance * (1 + rate)\n\n@node\nasync def Report(b: float):\n    print(f"Report({b})")\n\nwith FlowHDL() as f:\n    f.bal = Grow(f.bal, f.rate)\n    f.rate = Rate()\n    f.rep = Report(f.bal)\ntry:\n    f.run_until_complete(stop_at_node_generation={f.bal: (2,)})\nexcept TerminateLimitReached:\n    pass\nprint(f.rate.generation, f.bal.generation, f.rep.generation)\n',
        "Rate\nGrow(100.0, 0.5)\nReport(150.0)\nRate\nGrow(150.0, 0.5)\nReport(225.0)\nRate\nGrow(225.0, 0.5)\n(2,) (2,) (1,)\n",
        "",
    ),
    (
        "flow_11",
        'from flowno_flow import node, FlowHDL\n\nclass Budget(Exception):\n    pass\n\n@node\nasync def Spend(amount: int) -> int:\n    if amount > 10:\n        raise Budget(f"too much: {amount}")\n    return amount\n\n@node\nasync def Log(v: int):\n    print("never printed", v)\n\nfor flag in (True, False):\n    with FlowHDL() as f:\n        f.s = Spend(25)\n        f.l = Log(f.s)\n    try:\n        f.run_until_complete(terminate_on_node_error=flag)\n    except Budget as e:\n        print(f"terminate_on_node_error={flag}: raised {type(e).__name__}({e})")\n',
        "terminate_on_node_error=True: raised Budget(too much: 25)\nterminate_on_node_error=False: raised Budget(too much: 25)\n",
        "",
    ),
    (
        "flow_13",
        'from dataclasses import dataclass\nfrom flowno_flow import node, FlowHDL, current_context, current_node, current_flow\n\n@dataclass\nclass Ctx:\n    node_label: str\n    tenant: str\n\nmade = []\ndef factory(n):\n    made.append(repr(n))\n    return Ctx(repr(n), "acme")\n\n@node\nasync def Work(x: int) -> str:\n    ctx = current_context()\n    return f"{ctx.tenant}:{ctx.node_label}:{current_node()!r}:{current_flow()!r}:{x}"\n\nwith FlowHDL() as f:\n    f.w = Work(7)\nf.run_until_complete(context_factory=factory)\nprint(f.w.get_data(), made)\nprint("outside a flow:", current_node(), current_flow())\ntry:\n    current_context()\nexcept RuntimeError as e:\n    print("RuntimeError:", e)\n\nwith FlowHDL() as g:\n    g.w = Work(8)\ntry:\n    g.run_until_complete()          # no factory given\nexcept RuntimeError as e:\n    print("RuntimeError:", e)\n',
        "('acme:Work#0:Work#0:<Flow#0>:7',) ['Work#0']\noutside a flow: None None\nRuntimeError: current_context() called outside of a flow\nRuntimeError: No context factory provided to run_until_complete()\n",
        "",
    ),
    (
        "flow_14",
        'from contextlib import contextmanager\nfrom flowno_flow import node, FlowHDL\nfrom flowno_flow import FlowInstrument\n\nevents = []\nclass Recorder(FlowInstrument):\n    def on_flow_start(self, flow): events.append("flow_start")\n    def on_flow_end(self, flow): events.append("flow_end")\n    def on_node_registered(self, flow, n): events.append(f"registered {n!r}")\n    def on_resolution_queue_put(self, flow, n): events.append(f"queue_put {n!r}")\n    def on_solving_nodes(self, flow, head, sol): events.append(f"solve {head!r} -> {sol!r}")\n    def on_node_emitted_data(self, flow, n, data, rl): events.append(f"emit {n!r} {data} rl={rl}")\n    @contextmanager\n    def node_lifecycle(self, flow, n, run_level):\n        events.append(f"begin {n!r}")\n        yield\n        events.append(f"end {n!r}")\n\n@node\nasync def Two() -> int:\n    return 2\n\n@node\nasync def Cube(v: int) -> int:\n    return v ** 3\n\nwith Recorder():\n    with FlowHDL() as f:\n        f.two = Two()\n        f.cube = Cube(f.two)\n    f.run_until_complete()\nprint("\\n".join(events))\n',
        "registered Two#0\nregistered Cube#0\nflow_start\nqueue_put Two#0\nsolve Two#0 -> [Two#0]\nbegin Two#0\nemit Two#0 (2,) rl=0\nqueue_put Cube#0\nend Two#0\nsolve Cube#0 -> [Cube#0]\nbegin Cube#0\nemit Cube#0 (8,) rl=0\nend Cube#0\nflow_end\n",
        "",
    ),
    (
        "flow_15",
        'from collections import Counter\nfrom flowno_flow import node, FlowHDL\n\nruns = Counter()\n\nclass Runaway(Exception):\n    pass\n\n@node(multiple_outputs=True)\nasync def Split(x: int):\n    runs["Split"] += 1\n    if runs["Split"] > 5:\n        raise Runaway(f"Split ran {runs[\'Split\'] - 1} times in an acyclic graph")\n    return x, x + 1\n\n@node\nasync def Add(a: int, b: int) -> int:\n    runs["Add"] += 1\n    return a + b\n\nwith FlowHDL() as f:\n    f.sp = Split(1)\n    f.both = Add(f.sp.output(0), f.sp.output(1))   # consumes both ports of Split\n    f.one = Add(f.sp, 100)                          # consumes port 0 only\ntry:\n    f.run_until_complete()\n    print("finished normally", dict(runs))\nexcept Runaway as e:\n    print("Runaway:", e, dict(runs))\n',
        "finished normally {'Split': 1, 'Add': 2}\n",
        "an acyclic graph finishes (each node runs once)",
    ),
]


def _normalise(text: str) -> str:
    return re.sub(r"<Flow#\d+>", "<Flow#N>", text)


@pytest.mark.parametrize(("name", "code", "expected", "why"), CASES, ids=[c[0] for c in CASES])
def test_spec_example(
    name: str,
    code: str,
    expected: str,
    why: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = MockClock()
    monkeypatch.setattr(flow_module, "EventLoop", lambda: EventLoop(clock=clock))
    module = types.ModuleType(f"spec_{name.replace('-', '_')}")
    module.__dict__["_CLOCK"] = clock
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - the spec's own example
    assert _normalise(capsys.readouterr().out) == _normalise(expected), why
