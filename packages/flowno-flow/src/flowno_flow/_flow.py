# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: _flow, _stream and _context share state)
# Rules of the engine (spec flow.md 5, 7, 8; flow-streaming.md):
# - one persistent task per node and run; it parks between evaluations and is
#   resumed by the engine (a `go` flag + wake, so no wake-up is ever lost);
# - demands go through a de-duplicating FIFO (`resolution_queue`) processed
#   synchronously right after an evaluation ends; decisions come from the pure
#   _scheduler (demand table, solve) and _stream (read/advance) modules;
# - every per-step cost is O(ports of the node): the generation is a field,
#   data keeps one slot per run level, barriers are counters (W1, W2, W4);
# - every exception in a node task (user code, input gathering, hooks) is a
#   node error: it terminates the run (or, with terminate_on_node_error=False,
#   kills the node and its dependents); nothing is swallowed, nothing hangs (W6);
# - the run always ends the same way: node tasks cancelled (their generators are
#   aclose()d by the task itself), on_flow_end fired, current_flow() reset (W11).
"""Flow: the engine that runs finalized nodes (generations, cycles, streams)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, TypeVar, cast

from flowno_eventloop import (
    EventLoop,
    TaskCancelled,
    TaskHandle,
    current_event_loop,
    sleep,
    spawn,
)
from flowno_eventloop.lowlevel import current_task_handle, park, wake

from ._context import _current_flow
from ._exit import ExitRequest, guarded
from ._flow_streams import StreamEngine
from ._generation import clip_generation, cmp_generation
from ._instrumentation import NO_OP_INSTRUMENT, FlowInstrument, get_current_flow_instrument
from ._policy import NodeCall, run_policies
from ._node_run import (
    _ACTIVITY,
    _AWAITING,
    _DEAD,
    _IDLE,
    _NO_LIMIT,
    _NULL,
    _QUEUED,
    _RUNNING,
    MISSING,
    DemandQueue,
    Node,
    NodeRun,
    NodeTaskAndStatus,
    RouteSlot,
    _flow_ids,
    after_push,
    recount,
    refresh_entries,
    set_phase,
)
from ._run_errors import (
    FlowDeadlockError,
    MissingDefaultError,
    NodeExecutionError,
    TerminateLimitReached,
    WaitingNode,
    attach_node_note,
    attach_note,
    exception_group_type,
    missing_defaults_message,
)
from ._scheduler import (
    DemandAction,
    NodeActivity,
    Pick,
    SolveGraph,
    Unbootable,
    demand_action,
    solve,
)
from ._status import (
    AnyStatus,
    Error,
    Executing,
    Queued,
    WaitingForStartNextGeneration,
)
from ._stream import (
    Channel,
    PortCursor,
    Stream,
)
from ._types import Generation, InputPortIndex

__all__ = ["Flow", "NodeTaskAndStatus"]

_R = TypeVar("_R")

_CANCEL_ROUNDS = 8  # loop turns of repeated cancellation before a node counts as stubborn

LimitSpec = Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None


class Flow(StreamEngine):
    """Runs a graph of finalized nodes on an event loop.

    Usually owned by a ``FlowHDL`` (``f._flow``); nodes are registered with
    ``add_node`` in registration order. ``run_until_complete`` runs every node
    whose inputs are new, cycles started from defaults, until nothing is left
    to do, a generation limit is reached, or a node fails.

    Attributes:
        unvisited: Registered nodes not yet reached by the scheduler.
        visited: Nodes reached at least once.
        node_tasks: ``node -> NodeTaskAndStatus`` (``.task``, ``.status``).
        resolution_queue: The pending demands (a de-duplicating FIFO).
        event_loop: The flow's EventLoop.

    Example:
        >>> flow = Flow()
        >>> flow.run_until_complete()  # nothing registered: returns at once
        >>> repr(flow).startswith("<Flow#")
        True
    """

    def __init__(self, is_finalized: bool = True) -> None:
        self._id = next(_flow_ids)
        self.event_loop: EventLoop = EventLoop()
        self.unvisited: list[Node] = []
        self.visited: set[Node] = set()
        self.node_tasks: dict[Node, NodeRun] = {}
        self.resolution_queue: DemandQueue = DemandQueue()
        self._context_factory: Callable[[Node], Any] | None = None
        self._terminate_on_error = True
        self._failure: BaseException | None = None
        self._errors: list[BaseException] = []
        self._busy = 0
        self._blocked = 0
        self._root: TaskHandle[Any] | None = None
        self._root_parked = False
        self._task_nodes: dict[TaskHandle[Any], Node] = {}
        self._inst: FlowInstrument = NO_OP_INSTRUMENT
        self._wired = False
        self._frontier: set[Node] | None = None
        self._running = False
        self._stopping = False
        self._early_tasks: list[TaskHandle[Any]] = []
        self._graph = SolveGraph(self._stale_inputs, self._is_busy, self._order, self._has_default)

    def __repr__(self) -> str:
        return f"<Flow#{self._id}>"

    # ------------------------------------------------------------------ registration
    def add_node(self, node: Node) -> None:
        """Register a finalized node (fires ``on_node_registered``).

        Args:
            node: The FinalizedNode.
        """
        if node in self.node_tasks:
            return
        self.node_tasks[node] = NodeRun(node, len(self.node_tasks))
        self.unvisited.append(node)
        self._wired = False
        get_current_flow_instrument().on_node_registered(self, node)

    def label_nodes(self, labels: Mapping[Node, str]) -> None:
        """Name registered nodes in errors and traces (FlowHDL passes ``f.<attribute>``).

        Args:
            labels: ``node -> label``; nodes not registered here are ignored.
        """
        for node, label in labels.items():
            run = self.node_tasks.get(node)
            if run is not None:
                run.label = label

    def add_nodes(self, nodes: Iterable[Node]) -> None:
        """Register several finalized nodes, in order.

        Args:
            nodes: The FinalizedNodes.
        """
        for node in nodes:
            self.add_node(node)

    def create_task(self, raw_task: Coroutine[Any, Any, _R]) -> TaskHandle[_R]:
        """Schedule an extra coroutine next to the nodes.

        Before a run it goes on the flow's own ``event_loop`` and starts when
        ``run_until_complete`` runs there; during a run it goes on the running loop.

        Args:
            raw_task: The coroutine.

        Returns:
            Its TaskHandle; ``run_until_complete`` waits for it.
        """
        running = current_event_loop() if self._running else None
        if running is not None:
            return running.create_task(raw_task)
        handle = self.event_loop.create_task(raw_task)
        self._early_tasks.append(handle)
        return handle

    def _check_loop(self, loop: EventLoop | None) -> None:
        if loop is self.event_loop:
            return
        if any(not task.is_finished for task in self._early_tasks):
            raise RuntimeError(
                f"{self!r}: tasks made with create_task() before the run wait on the flow's "
                "own event_loop; run it there, or create them from a node during the run"
            )

    # ------------------------------------------------------------------ status & defaults
    def set_node_status(self, node: Node, status: AnyStatus) -> None:
        """Set a node task's status; fires ``on_node_status_change`` on a change.

        Args:
            node: The node.
            status: The new status.
        """
        run = self.node_tasks[node]
        old = run.status
        if old == status:
            return
        run.status = status
        self._inst.on_node_status_change(self, node, old, status)

    def set_defaulted_inputs(self, node: Node, defaulted_inputs: list[InputPortIndex]) -> None:
        """Record that ``node`` is fed defaults on these ports; raise their stitch levels.

        Args:
            node: The node.
            defaulted_inputs: Input port indices fed their default to break a cycle.
        """
        run = self.node_tasks[node]
        run.defaulted = list(defaulted_inputs)
        for port in defaulted_inputs:
            node._state.raise_stitch(port)
        if defaulted_inputs and run.entry_fresh:
            refresh_entries(run)

    def clear_defaulted_inputs(self, node: Node) -> None:
        """Forget the defaulted-port record of ``node``.

        Args:
            node: The node.
        """
        self.node_tasks[node].defaulted = []

    def is_input_defaulted(self, node: Node, input_port: InputPortIndex) -> bool:
        """Whether ``input_port`` of ``node`` is fed its default in the current evaluation.

        Args:
            node: The node.
            input_port: The port index.

        Returns:
            True if defaulted.
        """
        return input_port in self.node_tasks[node].defaulted

    # ------------------------------------------------------------------ running
    def run_until_complete(
        self,
        stop_at_node_generation: LimitSpec = (),
        terminate_on_node_error: bool = False,
        _debug_max_wait_time: float | None = None,
        context_factory: Callable[[Node], Any] | None = None,
        event_loop: EventLoop | None = None,
    ) -> None:
        """Run the flow until nothing is left to do, a limit is reached or a node fails.

        Args:
            stop_at_node_generation: ``()`` or ``None`` for no limit; a generation
                tuple for every node; or ``{node: generation}`` (finalized or draft
                keys; a ``None`` value stops at that node's first output).
            terminate_on_node_error: Stop at the first node error (re-raised). If
                False, the failing node and its dependents stop, the rest finishes,
                then the error is raised (several: an ExceptionGroup).
            _debug_max_wait_time: Cap on each single blocking wait of the loop.
            context_factory: ``node -> context`` for ``current_context()``.
            event_loop: The loop to run on (for example one with a ``MockClock``);
                default: the flow's own ``event_loop``.

        Raises:
            TerminateLimitReached: a node reached its generation limit.
            MissingDefaultError: a cycle or a node input has no default to start from.
            FlowDeadlockError: no node can make progress.
            RuntimeError: the flow is already running (for example, called from one of
                its own nodes).
            Exception: a node's exception (the same object, with a note naming the node),
                or the ``exception`` a node passed to ``exit()``.
        """
        loop = self.event_loop if event_loop is None else event_loop
        self._check_loop(loop)
        self._prepare_run(stop_at_node_generation, terminate_on_node_error, context_factory)
        token = _current_flow.set(self)
        try:
            outcome = loop.run_until_complete(
                self._main(supervisor=True), join=True, _debug_max_wait_time=_debug_max_wait_time
            )
        finally:
            _current_flow.reset(token)
            self._running = False
        self._finish_run(outcome)

    async def run_async(
        self,
        stop_at_node_generation: LimitSpec = (),
        terminate_on_node_error: bool = False,
        context_factory: Callable[[Node], Any] | None = None,
    ) -> None:
        """Run the flow on the event loop that awaits this (same rules as ``run_until_complete``).

        The node tasks are spawned on the running loop, so its clock (a ``MockClock``
        in tests) drives every sleep, retry backoff and timeout of the nodes.

        Args:
            stop_at_node_generation: As for ``run_until_complete``.
            terminate_on_node_error: As for ``run_until_complete``.
            context_factory: ``node -> context`` for ``current_context()``.

        Raises:
            RuntimeError: the flow is already running, or this is not awaited inside a
                task of a running flowno event loop.
            Exception: as for ``run_until_complete``.

        Example:
            >>> from flowno_eventloop import EventLoop, MockClock
            >>> flow = Flow()
            >>> EventLoop(clock=MockClock()).run_until_complete(flow.run_async(), join=True)
        """
        if current_event_loop() is None:
            raise RuntimeError(
                f"{self!r}.run_async() must be awaited inside a task of a running flowno "
                "EventLoop; use run_until_complete() from synchronous code"
            )
        self._check_loop(current_event_loop())
        self._prepare_run(stop_at_node_generation, terminate_on_node_error, context_factory)
        token = _current_flow.set(self)
        try:
            outcome = await self._main()
        finally:
            _current_flow.reset(token)
            self._running = False
        self._finish_run(outcome)

    def _prepare_run(
        self,
        limits: LimitSpec,
        terminate_on_node_error: bool,
        context_factory: Callable[[Node], Any] | None,
    ) -> None:
        if self._running:
            inside = self._node_of_current_task()
            where = f" from inside its own node {inside!r}" if inside is not None else ""
            raise RuntimeError(
                f"{self!r} is already running: it cannot be run again{where} until the run "
                "ends (build a separate FlowHDL to run a nested flow)"
            )
        self._wire()
        self._set_limits(limits)
        self._terminate_on_error = terminate_on_node_error
        self._context_factory = context_factory
        self._failure = None
        self._errors = []
        self._running = True

    def _finish_run(self, outcome: object) -> None:
        if isinstance(outcome, ExitRequest):
            if outcome.exception is not None:
                raise outcome.exception
            return
        if isinstance(outcome, BaseException):
            raise outcome
        self._raise_collected_errors()

    async def _main(self, supervisor: bool = False) -> BaseException | None:
        """The root task: start the work, supervise, always shut down cleanly.

        Returns the exception that ended the run (raised by the caller outside the
        loop, so the loop does not log it as a crashed task).
        """
        inst = self._inst = get_current_flow_instrument()
        self._root = current_task_handle()
        if supervisor:  # the root task of the flow's own run: name it after the flow
            self._root.name = f"{self!r} supervisor"
        inst.on_flow_start(self)
        try:
            for run in self.node_tasks.values():
                self._reset_run_state(run)
                run.task = await spawn(self.evaluate_node(run.node), name=run.label)
                self._task_nodes[run.task] = run.node
            for run in self.node_tasks.values():
                recount(run)
            self._start()
            await self._supervise()
        except Exception as exc:  # noqa: BLE001 - handed to run_until_complete to raise
            failure: BaseException | None = exc
        else:
            failure = None
        finally:
            stubborn = await self._shutdown()
            inst.on_flow_end(self)
        if stubborn:
            note = (
                f"nodes that did not stop when cancelled: {', '.join(stubborn)} (an "
                "`except Exception` around an await swallows TaskCancelled; re-raise it)"
            )
            if failure is None:
                failure = RuntimeError(f"{self!r}: {note}")
            else:
                attach_note(failure, note)
        return failure

    async def _supervise(self) -> None:
        """Park the root until the run is over (quiet, failed or deadlocked)."""
        root = self._root
        assert root is not None
        while True:
            self._process_queue()
            if self._failure is not None:
                raise self._failure
            if self._busy == 0 and not self.resolution_queue:
                if not self._rescue_awaiting():
                    return
                continue
            if self._busy == self._blocked and not self.resolution_queue:
                raise FlowDeadlockError(self._waiting_report())
            self._root_parked = True
            try:
                await park(reason=f"{self!r} supervising its nodes")
            finally:
                self._root_parked = False

    def _rescue_awaiting(self) -> bool:
        """Safety net at quiescence: re-demand nodes left awaiting (True if any)."""
        stuck = [run for run in self.node_tasks.values() if run.phase == _AWAITING]
        for run in stuck:
            set_phase(run, _IDLE)
            self._demand(run.node)
        self._process_queue()
        return bool(stuck) and (self._busy > 0 or bool(self.resolution_queue))

    def _poke_root(self) -> None:
        if self._root_parked and self._root is not None:
            wake(self._root)

    async def _shutdown(self) -> list[str]:
        """Cancel every node task and wait for it; return the nodes that would not stop.

        Cancellation is repeated (every wait of a cancelled node raises again) for a few
        loop turns; a node still alive after that swallows TaskCancelled (a broad
        ``except Exception`` around an await) and is left behind, named in the result.
        """
        self._stopping = True
        live = [run for run in self.node_tasks.values() if run.task is not None]
        for _ in range(_CANCEL_ROUNDS):
            live = [run for run in live if run.task is not None and not run.task.is_finished]
            if not live:
                break
            for run in live:
                assert run.task is not None
                run.task.cancel()
            await sleep(0)
        stubborn = [run.label for run in live if run.task is not None and not run.task.is_finished]
        self._stopping = False
        self._task_nodes.clear()
        for run in self.node_tasks.values():
            run.task = None
            if run.phase != _DEAD:
                set_phase(run, _IDLE)
            run.go = False
            run.wait_kind = None
        self._busy = self._blocked = 0
        return stubborn

    def _raise_collected_errors(self) -> None:
        if not self._errors:
            return
        if len(self._errors) == 1:
            raise self._errors[0]
        group = exception_group_type()
        if group is None:
            raise self._errors[0]
        raise group("several nodes failed", [e for e in self._errors if isinstance(e, Exception)])

    # ------------------------------------------------------------------ setup
    def _wire(self) -> None:
        if self._wired:
            return
        runs = self.node_tasks
        for run in runs.values():
            run.inputs = []
            run.out_entries = []
            run.stream_consumers = []
            run.entry_route = []
            run.routed_out = []
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
                        f"which is not registered with {self!r}"
                    )
                level = port.minimum_run_level
                producer.out_entries.append((run, len(run.inputs)))
                run.inputs.append((port.index, producer, conn.port_index, level))
                slot = None if conn.route is None else RouteSlot(conn.route, conn.port_index)
                run.entry_route.append(slot)
                if slot is not None:
                    producer.routed_out.append(slot)
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
            run.has_routes = any(slot is not None for slot in run.entry_route)
        self._wired = True

    def _reset_run_state(self, run: NodeRun) -> None:
        set_phase(run, _DEAD if run.phase == _DEAD else _IDLE)
        run.go = False
        run.retained = False
        run.wait_kind = None
        run.streams = []

    def _set_limits(self, spec: LimitSpec) -> None:
        drafts = {getattr(n, "draft", None): n for n in self.node_tasks}
        for run in self.node_tasks.values():
            run.limit = _NO_LIMIT
        if spec is None or isinstance(spec, tuple):
            limit = _NO_LIMIT if spec is None else _check_limit(spec, "")
            for run in self.node_tasks.values():
                run.limit = limit
            return
        if not isinstance(spec, Mapping):
            raise TypeError(_limit_error(f"got {type(spec).__name__} {spec!r}"))
        for key, value in spec.items():
            node = key if key in self.node_tasks else drafts.get(key)
            if node is None:
                raise KeyError(f"stop_at_node_generation: {key!r} is not a node of {self!r}")
            self.node_tasks[node].limit = _check_limit(value, f" for {key!r}")

    def _start(self) -> None:
        """Start every independent piece of work at once (W10), in registration order."""
        reached: set[Node] = set()
        self._frontier = reached  # work already reached is not walked again (linear start)
        try:
            self._start_from(reached)
        finally:
            self._frontier = None

    def _start_from(self, reached: set[Node]) -> None:
        for node, run in list(self.node_tasks.items()):
            if node in reached or run.phase != _IDLE or run.skipped:
                continue
            if not (run.never_ran or self._has_fresh_input(run)):
                continue
            picks = self._solve_or_fail(node, reached)
            if picks is None:
                return
            if not any(self.node_tasks[p.node].phase == _IDLE for p in picks):
                continue
            self._inst.on_resolution_queue_put(self, node)
            self._inst.on_resolution_queue_get(self, node)
            self._apply(node, picks)

    # ------------------------------------------------------------------ graph view
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

    # ------------------------------------------------------------------ demands
    def _demand(self, node: Node) -> None:
        if self.resolution_queue.put(node):
            self._inst.on_resolution_queue_put(self, node)

    def _process_queue(self) -> None:
        queue = self.resolution_queue
        inst = self._inst
        while queue and self._failure is None:
            node = queue.pop()
            inst.on_resolution_queue_get(self, node)
            run = self.node_tasks[node]
            activity = _ACTIVITY[run.phase]
            fresh = activity is NodeActivity.IDLE and self._has_fresh_input(run)
            action = demand_action(activity, run.never_ran, fresh)
            if action is DemandAction.RETAIN:
                run.retained = True
            elif action is DemandAction.SOLVE:
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
            self._fail_with(MissingDefaultError(missing_defaults_message(members, cycle=True)))
            return None

    def _apply(self, head: Node, picks: list[Pick[Node]]) -> None:
        inst = self._inst
        inst.on_solving_nodes(self, head, [p.node for p in picks])
        for pick in picks:
            if pick.node not in self.visited:
                self.visited.add(pick.node)
                try:
                    self.unvisited.remove(pick.node)
                except ValueError:
                    pass
            inst.on_node_visited(self, pick.node)
            self._resume(self.node_tasks[pick.node], pick.default_ports)

    def _resume(self, run: NodeRun, default_ports: tuple[int, ...]) -> None:
        if run.phase not in (_IDLE, _AWAITING) or run.task is None:
            return
        set_phase(run, _QUEUED)
        self._busy += 1
        run.resume_defaults = default_ports
        run.go = True
        self.set_node_status(run.node, Queued())
        self._inst.on_node_resumed(self, run.node, run.last_level)
        wake(run.task)

    # ------------------------------------------------------------------ node task
    async def evaluate_node(self, node: Node) -> None:
        """The persistent task of one node: park, evaluate when resumed, repeat.

        Args:
            node: The node to evaluate.
        """
        run = self.node_tasks[node]
        idle = f"{run.label} idle (its inputs are not fresh)"
        try:
            while True:
                while not run.go:
                    self.set_node_status(node, WaitingForStartNextGeneration(run.last_level))
                    await park(reason=idle)
                run.go = False
                set_phase(run, _RUNNING if run.phase != _DEAD else _DEAD)
                halted = not await self._evaluate(run)
                if halted:
                    await park(reason=f"{run.label} halted (run terminating)")
                self._after_evaluation(run)
        except TaskCancelled:
            return
        except Exception as exc:  # a hook failing between evaluations: a node error too (W6)
            attach_node_note(exc, _full_name(run), node.generation)
            self._fail_with(exc)
            try:
                await park(reason=f"{run.label} halted (run terminating)")
            except TaskCancelled:
                return

    def _after_evaluation(self, run: NodeRun) -> None:
        self._busy -= 1
        if run.phase != _DEAD:
            set_phase(run, _IDLE)
        if run.retained:
            run.retained = False
            self._demand(run.node)
        self._inst.on_node_pause(self, run.node, run.last_level)
        self._process_queue()
        if self._failure is not None or (self._busy == 0 and not self.resolution_queue):
            self._poke_root()
        elif self._busy == self._blocked and not self.resolution_queue:
            self._poke_root()

    async def _evaluate(self, run: NodeRun) -> bool:
        """One evaluation. Returns False when the run must stop (failure or limit)."""
        node = run.node
        inst = self._inst
        before = node.generation
        run.never_ran = False
        self.set_node_status(node, Executing())
        try:
            with self._lifecycle(node, 0):
                values = self._gather(run)
                inst.on_defaulted_inputs_set(self, node, list(run.defaulted))
                ok = await self._call_node(run, values)
            run.last_level = 0
            return ok
        except TaskCancelled as exc:
            if self._stopping:
                raise
            return self._node_failed(run, _escaped_cancel(run, exc, before), before)
        except ExitRequest as request:  # exit() inside the node: the run ends
            self._fail_with(request)
            return False
        except Exception as exc:  # every error in a node task is a node error (W6)
            return self._node_failed(run, exc, before)
        finally:
            self._end_streams_of(run)
            self.clear_defaulted_inputs(node)

    async def _call_node(self, run: NodeRun, values: list[object]) -> bool:
        """Call the node function (through its policies) and push what it produced."""
        node = run.node
        if run.policies:
            result = await run_policies(run.policies, NodeCall(node, run.label, values))
            return await self._push(run, self._wrap(run, result, "returned"), 0)
        call = node.invoke(values)
        if inspect.iscoroutine(call):
            result = await guarded(call)
            return await self._push(run, self._wrap(run, result, "returned"), 0)
        if inspect.isasyncgen(call):
            return await self._drive_stream(run, call)
        raise TypeError(
            f"{node!r}: the node function must be `async def` (returned "
            f"{type(call).__name__}, expected a coroutine or an async generator)"
        )

    def _lifecycle(self, node: Node, level: int) -> AbstractContextManager[Any]:
        if self._inst is NO_OP_INSTRUMENT:
            return _NULL
        return self._inst.node_lifecycle(self, node, level)

    # ------------------------------------------------------------------ inputs
    def _gather(self, run: NodeRun) -> list[object]:
        node = run.node
        ports = node.input_ports
        values: list[object] = [None] * len(ports)
        connected = {entry[0]: k for k, entry in enumerate(run.inputs)}
        defaulted: list[InputPortIndex] = []
        forced = run.resume_defaults
        run.resume_defaults = ()
        for port in ports:
            i = port.index
            k = connected.get(i)
            if k is None:
                values[i] = port.default
                continue
            _, prod, out, level = run.inputs[k]
            value: object = MISSING
            if i not in forced:
                if level >= 1:
                    value = self._open_stream(run, port, prod, out)
                elif run.has_routes and run.entry_route[k] is not None:
                    slot = run.entry_route[k]
                    value = MISSING if slot is None or slot.gen is None else slot.value
                else:
                    value = self._read(run, i, prod, out)
            if value is MISSING:
                if not port.has_default:
                    raise MissingDefaultError(missing_defaults_message([(node, [i])], cycle=False))
                value = port.default
                defaulted.append(InputPortIndex(i))
            values[i] = value
        self.set_defaulted_inputs(node, defaulted)
        return values

    def _read(self, run: NodeRun, port: int, prod: NodeRun, out: int) -> object:
        data = prod.node.get_data(0)
        if data is None:
            return MISSING
        try:
            value = data[out]
        except (IndexError, TypeError, KeyError) as exc:
            raise NodeExecutionError(
                f"input {port} reads output {out} of {prod.node!r}, whose data is {data!r}",
                run.label,
                run.node.generation,
            ) from exc
        self._note_read(run, port, prod, clip_generation(prod.node.generation, 0))
        return value

    def _note_read(self, run: NodeRun, port: int, prod: NodeRun, gen: Generation) -> None:
        """Barrier bookkeeping: ``run`` read generation ``gen`` of ``prod`` on ``port``."""
        if run.last_read.get(port, MISSING) != gen:
            run.last_read[port] = gen
            if gen == prod.pending_gen and prod.pending_reads > 0:
                prod.pending_reads -= 1
                self._inst.on_barrier_node_read(self, prod.node, 0)
                if prod.pending_reads == 0 and prod.wait_kind == "barrier":
                    self._unblock(prod)

    # ------------------------------------------------------------------ outputs
    def _wrap(self, run: NodeRun, value: object, verb: str) -> tuple[object, ...]:
        node = run.node
        if not getattr(node, "multiple_outputs", False):
            return (value,)
        if not isinstance(value, tuple):
            raise TypeError(
                f"{node!r} has multiple_outputs=True but {verb} {type(value).__name__} "
                f"{value!r}; return/yield a tuple with one element per output"
            )
        values: tuple[object, ...] = value  # pyright: ignore[reportUnknownVariableType]
        count = getattr(node, "output_count", None)
        if isinstance(count, int) and len(values) != count:
            raise ValueError(f"{node!r} {verb} {len(values)} outputs, expected {count}: {values!r}")
        return values

    async def _push(self, run: NodeRun, data: tuple[object, ...] | None, level: int) -> bool:
        node = run.node
        if level == 0:
            await self._wait_readers(run, data)
        node.push_data(data, level)
        run.last_level = level
        if level == 0 and run.routed_out:
            for slot in run.routed_out:
                slot.fire(data, node.generation)
        after_push(run)
        self._inst.on_node_emitted_data(self, node, data, level)
        if level == 0:
            self._arm_barrier(run)
        if run.limit != _NO_LIMIT and cmp_generation(node.generation, run.limit) >= 0:
            self._inst.on_node_generation_limit(self, node, run.limit)
            self._fail_with(TerminateLimitReached())
            return False
        if level == 0:
            for consumer in run.demand_order:
                self._demand(consumer)
        else:
            for consumer_run in run.stream_consumers:
                if consumer_run.phase in (_IDLE, _AWAITING):
                    self._demand(consumer_run.node)
                else:
                    consumer_run.retained = True
        return True

    def _arm_barrier(self, run: NodeRun) -> None:
        run.pending_gen = clip_generation(run.node.generation, 0)
        count = 0
        for crun, k in run.out_entries:
            if crun.phase != _DEAD and crun.inputs[k][3] == 0 and _counts_for(crun, k):
                count += 1
        run.pending_reads = count

    async def _wait_readers(self, run: NodeRun, data: object) -> None:
        """Write barrier (W4): every mono consumer read my previous result first."""
        if run.pending_reads <= 0:
            return
        with self._inst.on_barrier_node_write(self, run.node, data, 0):
            while run.pending_reads > 0:
                await self._block(run, "barrier", run.pending_gen)

    # ------------------------------------------------------------------ blocking
    async def _block(self, run: NodeRun, kind: str, detail: object) -> None:
        self._process_queue()
        run.wait_kind = kind
        run.wait_detail = detail
        self._blocked += 1
        if self._failure is not None or (self._busy == self._blocked and not self.resolution_queue):
            self._poke_root()
        try:
            await park(reason=f"{run.node!r} waiting ({kind})")
        finally:
            if run.wait_kind is not None:  # pyright: ignore[reportUnnecessaryComparison]
                run.wait_kind = None
                self._blocked -= 1

    def _unblock(self, run: NodeRun) -> None:
        if run.wait_kind is None or run.task is None:
            return
        run.wait_kind = None
        self._blocked -= 1
        wake(run.task)

    # ------------------------------------------------------------------ failures
    def _fail_with(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        self._poke_root()

    def _node_failed(self, run: NodeRun, exc: Exception, before: Generation) -> bool:
        node = run.node
        if not isinstance(exc, (TerminateLimitReached, MissingDefaultError)):
            attach_node_note(exc, _full_name(run), before)
        self.set_node_status(node, Error())
        try:
            self._inst.on_node_error(self, node, exc)
        except Exception as hook_exc:  # noqa: BLE001 - reported together with the node error
            attach_node_note(hook_exc, _full_name(run), before)
            exc = hook_exc
        if self._terminate_on_error:
            self._fail_with(exc)
            return False
        self._errors.append(exc)
        self._kill_downstream(run)
        return True

    def _kill_downstream(self, run: NodeRun) -> None:
        todo = [run]
        while todo:
            dead = todo.pop()
            if dead.phase == _DEAD:
                continue
            set_phase(dead, _DEAD)  # a busy one finishes its evaluation, never resumes
            for k, (i, prod, _, level) in enumerate(dead.inputs):
                if (
                    level == 0
                    and dead.last_read.get(i, MISSING) != prod.pending_gen
                    and _counts_for(dead, k)
                ):
                    if prod.pending_reads > 0:
                        prod.pending_reads -= 1
                        if prod.pending_reads == 0 and prod.wait_kind == "barrier":
                            self._unblock(prod)
                cursor = dead.cursors.get(i)
                if cursor is not None and prod.channel is not None:
                    cursor.released_eval = prod.channel.eval
                    self._maybe_advance(prod)
            for consumer, _, _ in dead.node.consumers:
                todo.append(self.node_tasks[consumer])

    # ------------------------------------------------------------------ reports & misc
    def _waiting_report(self) -> list[WaitingNode]:
        report: list[WaitingNode] = []
        for run in self.node_tasks.values():
            if run.wait_kind is None:
                continue
            node = run.node
            if run.wait_kind == "stall":
                stream = cast("Stream[Any]", run.wait_detail)  # see StreamEngine._stream_next
                producer = stream._producer
                at = producer.node.generation if producer is not None else None
                report.append(
                    WaitingNode(
                        repr(node), f"the next chunk on {stream!r} (producer at generation {at})"
                    )
                )
            elif run.wait_kind == "barrier":
                names = self._unread_consumers(run)
                report.append(
                    WaitingNode(
                        repr(node),
                        f"{names} to read its generation {run.pending_gen} "
                        "before it pushes the next one",
                    )
                )
            else:
                channel = run.channel
                assert channel is not None
                names = [
                    f"{p.consumer.node!r}.input({p.port_index})"
                    for p in channel.ports
                    if channel.is_active(p)
                ]
                report.append(
                    WaitingNode(
                        repr(node),
                        f"its stream consumers {names} to take chunk "
                        f"{(channel.eval, channel.index)} and ask for more",
                    )
                )
        return report

    def _unread_consumers(self, run: NodeRun) -> list[str]:
        out: list[str] = []
        for crun, k in run.out_entries:
            port = crun.inputs[k][0]
            if (
                crun.inputs[k][3] == 0
                and crun.last_read.get(port, MISSING) != run.pending_gen
                and crun.phase != _DEAD
                and _counts_for(crun, k)
            ):
                out.append(f"{crun.node!r}.input({port})")
        return out

    def _node_of_current_task(self) -> Node | None:
        try:
            handle = current_task_handle()
        except RuntimeError:
            return None
        return self._task_nodes.get(handle)

    def to_mermaid(self) -> str:
        """The graph as a Mermaid flowchart (via ``_render.picture_of``)."""
        from . import _render

        return str(_render.to_mermaid(_render.picture_of(list(self.node_tasks))))

    def to_dot(self) -> str:
        """The graph as Graphviz DOT (via ``_render.picture_of``)."""
        from . import _render

        return str(_render.to_dot(_render.picture_of(list(self.node_tasks))))


def _counts_for(consumer: NodeRun, k: int) -> bool:
    """Whether entry ``k`` of ``consumer`` takes part in its producer's write barrier.

    A routed entry does not: it keeps the value its route last fired with, so the
    producer never waits for a consumer that may stay dormant on another route.
    """
    return not consumer.has_routes or consumer.entry_route[k] is None


def _escaped_cancel(run: NodeRun, exc: TaskCancelled, before: Generation) -> NodeExecutionError:
    """A TaskCancelled raised by the node's own code (the flow did not cancel the node)."""
    error = NodeExecutionError(
        f"TaskCancelled escaped the node function ({exc!r}), although the flow did not cancel "
        "the node; joining a helper task that was cancelled raises it: catch TaskCancelled "
        "around that join",
        run.label,
        before,
    )
    error.__cause__ = exc
    return error


def _limit_error(problem: str) -> str:
    return (
        f"stop_at_node_generation: {problem}; accepted forms: () or None (no limit), a "
        "generation tuple of ints for every node such as (3,), or a mapping "
        "{node: (3,) or None} (None: stop at the node's first output)"
    )


def _check_limit(value: object, where: str) -> Generation:
    if value is None:
        return None
    if isinstance(value, tuple) and all(
        isinstance(v, int) and not isinstance(v, bool)
        for v in value  # pyright: ignore[reportUnknownVariableType]
    ):
        return cast("Generation", value)
    raise TypeError(_limit_error(f"got {type(value).__name__} {value!r}{where}"))


def _full_name(run: NodeRun) -> str:
    """``f.boom (Boom#0)`` for a node with a FlowHDL attribute, else ``Boom#0``."""
    plain = repr(run.node)
    return plain if run.label == plain else f"{run.label} ({plain})"
