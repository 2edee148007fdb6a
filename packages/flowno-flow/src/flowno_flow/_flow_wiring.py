# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules: preparing the runtime records before a run: the wiring of inputs (one
# entry per connected port, stream cursors, route slots, demand order) is built
# once per graph; the generation limits are checked and set at every run. Pure
# data, no event loop.
"""Wiring the NodeRun records and applying generation limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ._node_run import _DEAD, _IDLE, _NO_LIMIT, Node, NodeRun, RouteSlot, set_phase
from ._stream import Channel, PortCursor
from ._types import Generation

__all__ = ["LimitSpec", "reset_run_state", "set_limits", "wire"]

#: What ``stop_at_node_generation`` accepts.
LimitSpec = Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None


def wire(runs: dict[Node, NodeRun], owner: object) -> None:
    """Build each run's input entries, stream channels, routes and demand order."""
    for run in runs.values():
        run.inputs = []
        run.out_entries = []
        run.stream_consumers = []
        run.entry_route = []
        run.routed_out = []
        run.port_entry = {}
        run.has_routes = False
        ordered = sorted(run.node.consumers, key=lambda c: c[2])
        run.demand_order = list(dict.fromkeys(c[0] for c in ordered))
        if getattr(run.node, "is_streaming", False) and run.channel is None:
            run.channel = Channel()
    for run in runs.values():
        for port in run.node.input_ports:
            conn = port.connected
            if conn is None:
                continue
            producer = runs.get(conn.node)
            if producer is None:
                raise ValueError(
                    f"{run.node!r}.input({port.index}) is connected to {conn.node!r}, "
                    f"which is not registered with {owner!r}"
                )
            level = port.minimum_run_level
            run.port_entry[port.index] = len(run.inputs)
            producer.out_entries.append((run, len(run.inputs)))
            run.inputs.append((port.index, producer, conn.port_index, level))
            if conn.route is None:
                run.entry_route.append(None)
            else:
                slot = RouteSlot(conn.route, conn.port_index)
                run.entry_route.append(slot)
                producer.routed_out.append(slot)
                run.has_routes = True
            if level >= 1:
                if producer.channel is None:
                    producer.channel = Channel()
                if port.index not in run.cursors:
                    cursor = PortCursor(run, port.index, conn.port_index)
                    run.cursors[port.index] = cursor
                    producer.channel.ports.append(cursor)
                if run not in producer.stream_consumers:
                    producer.stream_consumers.append(run)
    for run in runs.values():
        run.entry_fresh = [True] * len(run.inputs)


def reset_run_state(run: NodeRun) -> None:
    """Forget what a previous run left on ``run`` (a dead node stays dead)."""
    set_phase(run, _DEAD if run.phase == _DEAD else _IDLE)
    run.go = False
    run.retained = False
    run.wait_kind = None
    if run.streams:
        run.streams = []


def set_limits(runs: dict[Node, NodeRun], spec: LimitSpec, owner: object) -> None:
    """Apply ``stop_at_node_generation`` to the runs (TypeError on a malformed value)."""
    drafts = {getattr(n, "draft", None): n for n in runs}
    for run in runs.values():
        run.limit = _NO_LIMIT
    if spec is None or isinstance(spec, tuple):
        limit = _NO_LIMIT if spec is None else _check_limit(spec, "")
        for run in runs.values():
            run.limit = limit
        return
    given = cast("object", spec)
    if not isinstance(given, Mapping):
        raise TypeError(_limit_error(f"got {type(given).__name__} {given!r}"))
    for key, value in cast("Mapping[Any, object]", given).items():
        node = key if key in runs else drafts.get(key)
        if node is None:
            raise KeyError(f"stop_at_node_generation: {key!r} is not a node of {owner!r}")
        runs[node].limit = _check_limit(value, f" for {key!r}")


def _limit_error(problem: str) -> str:
    return (
        f"stop_at_node_generation: {problem}; accepted forms: () or None (no limit), a "
        "generation tuple of non-negative ints for every node such as (3,), or a mapping "
        "{node: (3,) or None} (None: stop at the node's first output)"
    )


def _check_limit(value: object, where: str) -> Generation:
    if value is None:
        return None
    problem = f"got {type(value).__name__} {value!r}{where}"
    if isinstance(value, tuple):
        items = cast("tuple[object, ...]", value)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            if any(cast("int", v) < 0 for v in items):
                raise ValueError(_limit_error(problem))
            return cast("Generation", items)
    raise TypeError(_limit_error(problem))
