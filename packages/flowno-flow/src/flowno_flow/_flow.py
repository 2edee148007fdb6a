# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules: Flow is the public face of the engine: registration, statuses, the run
# entry points (run_until_complete on a loop, run_async on the running loop) and
# the run's outcome. The running itself is the Engine's (_engine.py), which owns
# the demand side (_demands.py) and the stream side (_flow_streams.py); wiring and
# limits are _flow_wiring.py, error texts _flow_reports.py. A flow runs once at a
# time; `exit()` in a node ends the run (ExitRequest), not the loop.
"""Flow: runs finalized nodes (generations, cycles, routes, streams) on an event loop."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from flowno_eventloop import EventLoop, TaskHandle, current_event_loop

from ._context import _current_flow
from ._engine import Engine
from ._exit import ExitRequest
from ._flow_wiring import LimitSpec, set_limits, wire
from ._instrumentation import get_current_flow_instrument
from ._node_run import DemandQueue, Node, NodeRun, NodeTaskAndStatus, _flow_ids
from ._run_errors import exception_group_type
from ._status import AnyStatus
from ._types import InputPortIndex

__all__ = ["Flow", "NodeTaskAndStatus"]

_R = TypeVar("_R")


class Flow:
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
        self._wired = False
        self._running = False
        self._early_tasks: list[TaskHandle[Any]] = []
        self._engine = Engine(self)

    def __repr__(self) -> str:
        return f"<Flow#{self._id}>"

    def add_node(self, node: Node) -> None:
        """Register a finalized node (fires ``on_node_registered``).

        Args:
            node: The FinalizedNode.
        """
        if node in self.node_tasks:
            return
        self.node_tasks[node] = NodeRun(node, len(self.node_tasks), self._engine.park_command)
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

    def prepare_wiring(self) -> None:
        """Build the runtime wiring of the registered nodes now (else at the next run).

        ``FlowHDL`` calls it when its block exits, so that a run starts with the graph
        already wired; registering another node later wires again at the next run.
        """
        if not self._wired:
            wire(self.node_tasks, self)
            self._wired = True

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

    def set_node_status(self, node: Node, status: AnyStatus) -> None:
        """Set a node task's status; fires ``on_node_status_change`` on a change.

        Args:
            node: The node.
            status: The new status.
        """
        self._engine.set_node_status(node, status)

    def set_defaulted_inputs(self, node: Node, defaulted_inputs: list[InputPortIndex]) -> None:
        """Record that ``node`` is fed defaults on these ports; raise their stitch levels.

        Args:
            node: The node.
            defaulted_inputs: Input port indices fed their default to break a cycle.
        """
        self._engine.set_defaulted_inputs(node, defaulted_inputs)

    def clear_defaulted_inputs(self, node: Node) -> None:
        """Forget the defaulted-port record of ``node``.

        Args:
            node: The node.
        """
        self._engine.clear_defaulted_inputs(node)

    def is_input_defaulted(self, node: Node, input_port: InputPortIndex) -> bool:
        """Whether ``input_port`` of ``node`` is fed its default in the current evaluation.

        Args:
            node: The node.
            input_port: The port index.

        Returns:
            True if defaulted.
        """
        return input_port in self.node_tasks[node].defaulted

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
                self._engine._main(supervisor=True),
                join=True,
                _debug_max_wait_time=_debug_max_wait_time,
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
            outcome = await self._engine._main()
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
        self.prepare_wiring()
        set_limits(self.node_tasks, limits, self)
        engine = self._engine
        engine._terminate_on_error = terminate_on_node_error
        engine._failure = None
        engine._errors = []
        self._context_factory = context_factory
        self._running = True

    def _finish_run(self, outcome: object) -> None:
        if isinstance(outcome, ExitRequest):
            if outcome.exception is not None:
                raise outcome.exception
            return
        if isinstance(outcome, BaseException):
            raise outcome
        self._raise_collected_errors()

    def _raise_collected_errors(self) -> None:
        errors = self._engine._errors
        if not errors:
            return
        if len(errors) == 1:
            raise errors[0]
        group = exception_group_type()
        if group is None:
            raise errors[0]
        raise group("several nodes failed", [e for e in errors if isinstance(e, Exception)])

    async def evaluate_node(self, node: Node) -> None:
        """The persistent task of one node: park, evaluate when resumed, repeat.

        Args:
            node: The node to evaluate.
        """
        await self._engine.evaluate_node(node)

    def _node_of_current_task(self) -> Node | None:
        return self._engine._node_of_current_task()

    def to_mermaid(self) -> str:
        """The graph as a Mermaid flowchart (via ``_render.picture_of``)."""
        from . import _render

        return str(_render.to_mermaid(_render.picture_of(list(self.node_tasks))))

    def to_dot(self) -> str:
        """The graph as Graphviz DOT (via ``_render.picture_of``)."""
        from . import _render

        return str(_render.to_dot(_render.picture_of(list(self.node_tasks))))
