"""What a run keeps alive per node, how its tasks end, and what its parks say."""

from __future__ import annotations

import gc
from collections import Counter

from flowno_eventloop import current_event_loop
from flowno_flow import FlowHDL, node


def _chain(size: int, probe: object) -> FlowHDL:
    @node
    async def Inc(v: int) -> int:
        if v == size - 1:
            probe()  # type: ignore[operator]
        return v + 1

    with FlowHDL() as f:
        f.n0 = Inc(0)
        for i in range(1, size):
            setattr(f, f"n{i}", Inc(getattr(f, f"n{i - 1}")))
    return f


def test_a_run_keeps_only_its_tasks_alive_per_node() -> None:
    """Few tracked objects per node while the run goes: no full collection is triggered."""
    size = 400
    seen: list[Counter[str]] = []

    def probe() -> None:
        gc.collect(1)  # the young generations only: transient tuples untracked, garbage gone
        seen.append(Counter(type(o).__name__ for o in gc.get_objects()))

    f = _chain(size, probe)
    gc.collect()
    before = Counter(type(o).__name__ for o in gc.get_objects())
    graph = sum(before.values())
    f.run_until_complete()
    assert getattr(f, f"n{size - 1}").get_data() == (size,)
    added = seen[0] - before
    assert added["generator"] < size // 10  # no generator per parked node task
    assert added["dict"] < size // 10  # no instance dict materialized per node
    assert added["list"] < size // 10  # per-run state reused
    # A task's context is a HAMT: how many internal nodes it has depends on the hashes (the
    # addresses) of the context variables set in it, so those vary from run to run.
    hamt_internals = {"hamt_bitmap_node", "hamt_array_node", "hamt_collision_node"}
    per_node = sum(n for name, n in added.items() if name not in hamt_internals) / size
    assert per_node < 8, added.most_common(10)
    assert sum(added.values()) < graph / 4  # under the threshold of a full collection


def test_idle_node_tasks_end_without_being_cancelled() -> None:
    handles: list[object] = []

    @node
    async def Source() -> int:
        return 1

    @node
    async def Sink(x: int) -> int:
        from flowno_eventloop.lowlevel import current_task_handle

        handles.append(current_task_handle())
        return x

    with FlowHDL() as f:
        f.src = Source()
        f.sink = Sink(f.src)
    f.run_until_complete()
    (handle,) = handles
    assert handle.is_finished and not handle.is_cancelled and not handle.is_error  # type: ignore[attr-defined]


def test_park_reasons_read_as_before() -> None:
    """statistics() shows the same reason text as when reasons were plain strings."""
    blocked: list[tuple[str, str]] = []

    @node
    async def Source() -> int:
        return 1

    @node
    async def Look(x: int) -> int:
        loop = current_event_loop()
        assert loop is not None
        blocked.extend(loop.statistics()["blocked"])  # type: ignore[arg-type]
        return x

    with FlowHDL() as f:
        f.src = Source()
        f.look = Look(f.src)
    f.run_until_complete()
    reasons = {reason for _, reason in blocked}
    assert "'f.src idle (its inputs are not fresh)'" in reasons
    assert any(r.endswith("supervising its nodes'") for r in reasons), reasons
