# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules: the demand side of the engine. A demand goes through the de-duplicating
# FIFO (`resolution_queue`); what to do with it is the pure demand table of
# _scheduler; the common answers (all inputs fresh: run; all stale producers busy:
# wait; a routed input skipped: dormant) are O(1) from the incremental readiness
# counters, the rest is `solve()` over the stale edges. Nothing here awaits.
"""Demands: starting the work of a run, solving demands, resuming nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowno_eventloop.lowlevel import wake

from ._instrumentation import NO_OP_INSTRUMENT
from ._node_run import _ACTIVITY, _AWAITING, _IDLE, _QUEUED, Node, NodeRun, set_phase
from ._run_errors import MissingDefaultError, missing_defaults_message
from ._scheduler import (
    DEMAND_TABLE,
    DemandAction,
    Pick,
    SolveGraph,
    Unbootable,
    solve,
)
from ._status import QUEUED

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["Demands"]

#: DEMAND_TABLE by the run's phase (strings: no enum hashing per demand).
_ACTION = {
    (phase, never_ran, fresh): DEMAND_TABLE[(activity, never_ran, fresh)]
    for phase, activity in _ACTIVITY.items()
    for never_ran in (False, True)
    for fresh in (False, True)
}


class Demands:
    """The demand side of one flow's engine (owned by its Engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.flow = engine.flow
        self.node_tasks = engine.node_tasks
        self.resolution_queue = engine.resolution_queue
        self._frontier: set[Node] | None = None
        self._graph = SolveGraph(self._stale_inputs, self._is_busy, self._order, self._has_default)

    def _start(self) -> None:
        """Start every independent piece of work at once, in registration order."""
        reached: set[Node] = set()
        self._frontier = reached  # work already reached is not walked again (linear start)
        try:
            self._start_from(reached)
        finally:
            self._frontier = None

    def _start_from(self, reached: set[Node]) -> None:
        for run in list(self.node_tasks.values()):  # no (node, run) tuple per node
            node = run.node
            if node in reached or run.phase != _IDLE or run.skipped:
                continue
            if not (run.never_ran or self._has_fresh_input(run)):
                continue
            picks = self._solve_or_fail(node, reached)
            if picks is None:
                return
            if not any(self.node_tasks[p.node].phase == _IDLE for p in picks):
                continue
            self.engine._inst.on_resolution_queue_put(self.flow, node)
            self.engine._inst.on_resolution_queue_get(self.flow, node)
            self._apply(node, picks)

    def _is_busy(self, node: Node) -> bool:
        frontier = self._frontier
        run = self.node_tasks[node]
        return run.phase != _IDLE or run.skipped > 0 or (frontier is not None and node in frontier)

    def _order(self, node: Node) -> int:
        return self.node_tasks[node].order

    def _has_default(self, node: Node, port: int) -> bool:
        return bool(node.input_ports[port].has_default)

    def _stale_inputs(self, node: Node) -> list[tuple[int, Node]]:
        run = self.node_tasks[node]
        fresh = run.entry_fresh
        return [(entry[0], entry[1].node) for k, entry in enumerate(run.inputs) if not fresh[k]]

    def _has_fresh_input(self, run: NodeRun) -> bool:
        return run.stale_count < len(run.inputs)

    def _demand(self, node: Node) -> None:
        items = self.resolution_queue._items  # DemandQueue.put, without its call
        if node in items:
            return
        items[node] = None
        if self.engine._inst is not NO_OP_INSTRUMENT:
            self.engine._inst.on_resolution_queue_put(self.flow, node)

    def _process_queue(self) -> None:
        items = self.resolution_queue._items
        engine = self.engine
        inst = engine._inst
        hooks = inst is not NO_OP_INSTRUMENT
        while items and engine._failure is None:
            node = next(iter(items))  # DemandQueue.pop, without its call
            del items[node]
            if hooks:
                inst.on_resolution_queue_get(self.flow, node)
            run = self.node_tasks[node]
            phase = run.phase
            fresh = (phase is _IDLE or phase is _AWAITING) and run.stale_count < len(run.inputs)
            action = _ACTION[(phase, run.never_ran, fresh)]  # demand_action, inline
            if action is DemandAction.RETAIN:
                run.retained = True
            elif action is DemandAction.SOLVE:
                if run.stale_count == 0 and not hooks:  # all inputs fresh: resume it
                    self._visit(node)
                    self._resume(run, ())
                    continue
                waiting: list[Node] = []
                picks = self._fast_solve(run)
                if picks is None:
                    picks = self._solve_or_fail(node, None, waiting)
                elif not picks and not run.skipped:
                    waiting.append(node)
                if picks is None:
                    return
                self._apply(node, picks)
                self._mark_awaiting(waiting)

    def _fast_solve(self, run: NodeRun) -> list[Pick[Node]] | None:
        """O(1) answers: all inputs fresh -> the node itself; all stale ones busy -> nothing."""
        if run.stale_count == 0:
            return [Pick(run.node)]
        if run.stale_count == run.stale_busy or run.skipped:  # dormant: wait for the route
            return []
        return None

    def _mark_awaiting(self, nodes: list[Node]) -> None:
        for node in nodes:
            run = self.node_tasks[node]
            if run.phase == _IDLE:
                set_phase(run, _AWAITING)

    def _solve_or_fail(
        self, node: Node, reached: set[Node] | None = None, waiting: list[Node] | None = None
    ) -> list[Pick[Node]] | None:
        try:
            return solve(node, self._graph, reached, waiting)
        except Unbootable as exc:  # pyright: ignore[reportUnknownVariableType]
            members: list[tuple[Node, list[int]]] = exc.members  # pyright: ignore
            self.engine._fail_with(
                MissingDefaultError(missing_defaults_message(members, cycle=True))
            )
            return None

    def _apply(self, head: Node, picks: list[Pick[Node]]) -> None:
        inst = self.engine._inst
        inst.on_solving_nodes(self.flow, head, [p.node for p in picks])
        for pick in picks:
            self._visit(pick.node)
            inst.on_node_visited(self.flow, pick.node)
            self._resume(self.node_tasks[pick.node], pick.default_ports)

    def _visit(self, node: Node) -> None:
        visited = self.flow.visited
        if node not in visited:
            visited.add(node)
            try:
                self.flow.unvisited.remove(node)
            except ValueError:
                pass

    def _resume(self, run: NodeRun, default_ports: tuple[int, ...]) -> None:
        phase = run.phase
        if (phase is not _IDLE and phase is not _AWAITING) or run.task is None:
            return
        set_phase(run, _QUEUED)
        engine = self.engine
        engine._busy += 1
        run.resume_defaults = default_ports
        run.go = True
        if engine._inst is NO_OP_INSTRUMENT:  # set_status without an instrument: one store
            run.status = QUEUED
        else:
            engine.set_status(run, QUEUED)
            engine._inst.on_node_resumed(self.flow, run.node, run.last_level)
        if run.idle_parked:  # else it is running and sees `go` before it parks
            wake(run.task)
