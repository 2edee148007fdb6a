# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules of the engine (one Engine per Flow; it owns Demands and a StreamDriver):
# - one persistent task per node and run; it parks between evaluations and is
#   resumed by the engine (a `go` flag + wake, so no wake-up is ever lost);
# - demands go through a de-duplicating FIFO (`resolution_queue`) processed
#   synchronously right after an evaluation ends (Demands); decisions come from
#   the pure _scheduler and _stream modules;
# - every per-step cost is O(ports of the node): the generation is a field, data
#   keeps one slot per run level, barriers are counters;
# - every exception in a node task (user code, input gathering, hooks) is a node
#   error: it terminates the run (or, with terminate_on_node_error=False, kills the
#   node and its dependents); nothing is swallowed, nothing hangs;
# - the run always ends the same way: node tasks cancelled (their generators are
#   aclose()d by the task itself), on_flow_end fired; a node that will not stop is
#   named in a note on the error that ended the run.
"""Engine: runs the node tasks of one Flow (evaluation, data, barriers, failures)."""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AbstractContextManager
from types import AsyncGeneratorType, CoroutineType
from typing import TYPE_CHECKING, Any

from flowno_eventloop import TaskCancelled, TaskHandle, current_event_loop, spawn
from flowno_eventloop.commands import ParkCommand
from flowno_eventloop.lowlevel import current_task_handle, park, wake

from ._demands import Demands
from ._exit import ExitRequest, RunMark, flow_run_var, install_exit_handler
from ._flow_reports import escaped_cancel, full_name, waiting_report, with_stubborn_note
from ._flow_streams import StreamDriver
from ._flow_wiring import reset_run_state
from ._gathering import gather_inputs
from ._instrumentation import NO_OP_INSTRUMENT, FlowInstrument, get_current_flow_instrument
from ._node_run import (
    _AWAITING,
    _DEAD,
    _IDLE,
    _NULL,
    _RUNNING,
    IDLE_TEMPLATE,
    Node,
    NodeRun,
    recount,
    refresh_entries,
    set_phase,
)
from ._parking import BriefParker, LazyReason, Parker
from ._policy import NodeCall, run_policies
from ._pushing import commit
from ._run_errors import (
    FlowDeadlockError,
    MissingDefaultError,
    TerminateLimitReached,
    attach_node_note,
)
from ._status import EXECUTING, AnyStatus, Error, waiting_status
from ._stopping import kill_downstream, stop_node_tasks
from ._types import Generation, InputPortIndex

if TYPE_CHECKING:
    from ._flow import Flow

__all__ = ["Engine"]

_UNCALLED = object()  # _call_node: the node function is still to be called
_WAITING = {kind: f"{{0.node!r}} waiting ({kind})" for kind in ("barrier", "channel", "stall")}


class Engine:
    """The running half of a Flow: node tasks, data, barriers, failures.

    ``Flow`` keeps the public API and owns one Engine; the Engine owns the
    demand side (``demands``) and the stream side (``streams``).
    """

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.node_tasks: dict[Node, NodeRun] = flow.node_tasks
        self.resolution_queue = flow.resolution_queue
        self._queued = flow.resolution_queue._items  # its dict: truth tested without a call
        self._terminate_on_error = True
        self._failure: BaseException | None = None
        self._errors: list[BaseException] = []
        self._busy = 0
        self._blocked = 0
        self._root: TaskHandle[Any] | None = None
        self._root_parked = False
        self._task_nodes: dict[TaskHandle[Any], Node] = {}
        self._inst: FlowInstrument = NO_OP_INSTRUMENT
        self._stopping = False
        self.demands = Demands(self)
        self.streams = StreamDriver(self)
        # one park command for all the tasks of this engine (one thread): each park sets
        # its reason right before it yields the command, and the loop reads it at once
        self.park_command = ParkCommand(None)
        self._brief = BriefParker(self.park_command)
        self._root_parker = Parker(ParkCommand(LazyReason("{0!r} supervising its nodes", flow)))

    def set_node_status(self, node: Node, status: AnyStatus) -> None:
        """Set a node task's status; fires ``on_node_status_change`` on a change."""
        self.set_status(self.node_tasks[node], status)

    def set_status(self, run: NodeRun, status: AnyStatus) -> None:
        """``set_node_status`` by record: without an instrument, one attribute store."""
        if self._inst is NO_OP_INSTRUMENT:
            run.status = status
            return
        node = run.node
        old = run.status
        if old == status:
            return
        run.status = status
        self._inst.on_node_status_change(self.flow, node, old, status)

    def set_defaulted_inputs(self, node: Node, defaulted_inputs: list[InputPortIndex]) -> None:
        """Record that ``node`` is fed defaults on these ports; raise their stitch levels."""
        run = self.node_tasks[node]
        if defaulted_inputs or run.defaulted:  # no new list per evaluation when empty
            run.defaulted = list(defaulted_inputs)
        for port in defaulted_inputs:
            node._state.raise_stitch(port)
        if defaulted_inputs and run.entry_fresh:
            refresh_entries(run)

    def clear_defaulted_inputs(self, node: Node) -> None:
        """Forget the defaulted-port record of ``node``."""
        run = self.node_tasks[node]
        if run.defaulted:
            run.defaulted = []

    async def _main(self, supervisor: bool = False) -> BaseException | None:
        """The root task: start the work, supervise, always shut down cleanly.

        Returns the exception that ended the run (raised by the caller outside the
        loop, so the loop does not log it as a crashed task).
        """
        inst = self._inst = get_current_flow_instrument()
        self._root = current_task_handle()
        if supervisor:  # the root task of the flow's own run: name it after the flow
            self._root.name = f"{self.flow!r} supervisor"
        inst.on_flow_start(self.flow)
        loop = current_event_loop()
        assert loop is not None
        install_exit_handler(loop)
        mark = RunMark(self)
        token = flow_run_var.set(mark)  # inherited by the node tasks and what they spawn
        try:
            for run in self.node_tasks.values():
                reset_run_state(run)
                run.task = await spawn(self.evaluate_node(run.node), name=run.label)
                self._task_nodes[run.task] = run.node
            for run in self.node_tasks.values():
                recount(run)
            self.demands._start()
            await self._supervise()
        except (Exception, ExitRequest) as exc:  # handed to run_until_complete to raise
            failure: BaseException | None = exc
        else:
            failure = None
        finally:
            mark.live = False
            flow_run_var.reset(token)
            stubborn = await self._shutdown()
            inst.on_flow_end(self.flow)
        return with_stubborn_note(failure, stubborn, self.flow)

    async def _supervise(self) -> None:
        """Park the root until the run is over (quiet, failed or deadlocked)."""
        root = self._root
        assert root is not None
        while True:
            self.demands._process_queue()
            if self._failure is not None:
                raise self._failure
            if self._busy == 0 and not self.resolution_queue:
                if not self._rescue_awaiting():
                    return
                continue
            if self._busy == self._blocked and not self.resolution_queue:
                raise FlowDeadlockError(waiting_report(self.node_tasks.values()))
            self._root_parked = True
            try:
                await self._root_parker
            finally:
                self._root_parked = False

    def _rescue_awaiting(self) -> bool:
        """Safety net at quiescence: re-demand nodes left awaiting (True if any)."""
        stuck = [run for run in self.node_tasks.values() if run.phase == _AWAITING]
        for run in stuck:
            set_phase(run, _IDLE)
            self.demands._demand(run.node)
        self.demands._process_queue()
        return bool(stuck) and (self._busy > 0 or bool(self.resolution_queue))

    def is_node_task(self, handle: TaskHandle[Any]) -> bool:
        """True if ``handle`` is a node task of the current run."""
        return handle in self._task_nodes

    def end_by_exit(self, request: ExitRequest) -> None:
        """``exit()`` in a task spawned inside a node: the run ends with ``request``."""
        self._fail_with(request)

    def _poke_root(self) -> None:
        if self._root_parked and self._root is not None:
            wake(self._root)

    async def _shutdown(self) -> list[str]:
        """End every node task (see ``stop_node_tasks``); return the nodes that would not stop."""
        self._stopping = True
        stubborn = await stop_node_tasks(self.node_tasks.values())
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

    async def evaluate_node(self, node: Node) -> None:
        """The persistent task of one node: park, evaluate when resumed, repeat.

        Args:
            node: The node to evaluate.
        """
        run = self.node_tasks[node]
        parker, reason = run.parker, run.reason
        command = parker.command
        try:
            while True:
                while not run.go:
                    self.set_status(run, waiting_status(run.last_level))
                    reason.template = IDLE_TEMPLATE
                    command.reason = reason
                    run.idle_parked = True
                    try:
                        await parker
                    finally:
                        run.idle_parked = False
                    if self._stopping:  # woken by _shutdown: end without a cancellation
                        return
                run.go = False
                if run.phase is not _DEAD:  # queued -> running: both busy, nothing to recount
                    run.phase = _RUNNING
                halted = not await self._evaluate(run)
                if halted:
                    await park(reason=f"{run.label} halted (run terminating)")
                self._after_evaluation(run)
        except TaskCancelled:
            return
        except Exception as exc:  # a hook failing between evaluations: a node error too
            attach_node_note(exc, full_name(run), node.generation)
            self._fail_with(exc)
            try:
                await park(reason=f"{run.label} halted (run terminating)")
            except TaskCancelled:
                return

    def _after_evaluation(self, run: NodeRun) -> None:
        self._busy -= 1
        if run.dirty:  # chunks were pushed while it ran: its readiness, exact again
            recount(run)
        if run.phase != _DEAD:
            set_phase(run, _IDLE)
        if run.retained:
            run.retained = False
            self.demands._demand(run.node)
        if self._inst is not NO_OP_INSTRUMENT:
            self._inst.on_node_pause(self.flow, run.node, run.last_level)
        if self._queued:
            self.demands._process_queue()
        if self._failure is not None or (self._busy == 0 and not self._queued):
            self._poke_root()
        elif self._busy == self._blocked and not self._queued:
            self._poke_root()

    async def _evaluate(self, run: NodeRun) -> bool:
        """One evaluation. Returns False when the run must stop (failure or limit)."""
        node = run.node
        inst = self._inst
        before = node._state._generation
        run.never_ran = False
        try:
            if inst is NO_OP_INSTRUMENT:  # no lifecycle context to enter and leave
                run.status = EXECUTING  # set_status without an instrument: one store
                values = gather_inputs(self, run)
                call: Any = _UNCALLED if run.policies else node.invoke(values)
                if isinstance(call, CoroutineType):  # a mono node: no coroutine of ours
                    value: object = await call  # pyright: ignore[reportUnknownVariableType]
                    data = self._wrap(run, value, "returned")  # pyright: ignore[reportUnknownArgumentType]
                    if run.pending_reads > 0:  # _push, inline
                        await self._wait_readers(run, data)
                    ok = commit(self, run, data)
                else:
                    ok = await self._call_node(run, values, call)
            else:
                self.set_status(run, EXECUTING)
                with inst.node_lifecycle(self.flow, node, 0):
                    values = gather_inputs(self, run)
                    inst.on_defaulted_inputs_set(self.flow, node, list(run.defaulted))
                    ok = await self._call_node(run, values, _UNCALLED)
            run.last_level = 0
            return ok
        except TaskCancelled as exc:
            if self._stopping or exc.by is run.task:  # a real cancellation of this node
                raise
            if isinstance(self._failure, ExitRequest):  # a helper's exit() ends the run
                return False
            return self._node_failed(run, escaped_cancel(run, exc, before), before)
        except ExitRequest as request:  # exit() inside the node: the run ends
            self._fail_with(request)
            return False
        except Exception as exc:  # every error in a node task is a node error
            return self._node_failed(run, exc, before)
        finally:
            self.streams._end_streams_of(run)
            self.clear_defaulted_inputs(node)

    def _call_node(self, run: NodeRun, values: list[object], call: Any) -> Awaitable[bool]:
        """Call the node function (through its policies); the awaitable pushes its result.

        ``call``: what ``node.invoke(values)`` returned already, or ``_UNCALLED``. A
        streaming node's drive is returned as is (no coroutine of ours around it).
        """
        node = run.node
        if run.policies:
            return self._call_with_policies(run, values)
        if call is _UNCALLED:
            call = node.invoke(values)
        if isinstance(call, CoroutineType):  # inspect.iscoroutine, without its call
            return self._push_result(run, call)  # pyright: ignore[reportUnknownArgumentType]
        if isinstance(call, AsyncGeneratorType):  # inspect.isasyncgen
            return self.streams._drive_stream(run, call)  # pyright: ignore[reportUnknownArgumentType]
        raise TypeError(
            f"{node!r}: the node function must be `async def` (returned "
            f"{type(call).__name__}, expected a coroutine or an async generator)"
        )

    async def _push_result(self, run: NodeRun, call: Awaitable[Any]) -> bool:
        return await self._push(run, self._wrap(run, await call, "returned"))

    async def _call_with_policies(self, run: NodeRun, values: list[object]) -> bool:
        result = await run_policies(run.policies, NodeCall(run.node, run.label, values))
        return await self._push(run, self._wrap(run, result, "returned"))

    def _lifecycle(self, node: Node, level: int) -> AbstractContextManager[Any]:
        if self._inst is NO_OP_INSTRUMENT:
            return _NULL
        return self._inst.node_lifecycle(self.flow, node, level)

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

    async def _push(self, run: NodeRun, data: tuple[object, ...] | None) -> bool:
        """Push a final result (level 0) after the write barrier (chunks: ``StreamDriver``).

        Returns False when the run must stop (the generation limit was reached).
        """
        if run.pending_reads > 0:
            await self._wait_readers(run, data)
        return commit(self, run, data)

    async def _wait_readers(self, run: NodeRun, data: object) -> None:
        """Write barrier: every mono consumer read my previous result first."""
        if run.pending_reads <= 0:
            return
        with self._inst.on_barrier_node_write(self.flow, run.node, data, 0):
            while run.pending_reads > 0:
                parker = self._block(run, "barrier", run.pending_gen)
                try:
                    await parker
                finally:
                    self._unblocked(run)

    def _block(self, run: NodeRun, kind: str, detail: object) -> BriefParker:
        """Mark ``run`` blocked on ``kind`` and return the parker its task must await.

        The caller awaits it inside ``try``/``finally: self._unblocked(run)`` (no
        coroutine of its own per park).
        """
        if self._queued:
            self.demands._process_queue()
        run.wait_kind = kind
        run.wait_detail = detail
        self._blocked += 1
        if self._failure is not None or (self._busy == self._blocked and not self._queued):
            self._poke_root()
        reason = run.reason  # one per node: its text is made only when read
        reason.template = _WAITING[kind]
        self.park_command.reason = reason
        return self._brief

    def _unblocked(self, run: NodeRun) -> None:
        """The task of ``run`` resumed (woken, or an error thrown in): no longer blocked."""
        if run.wait_kind is not None:
            run.wait_kind = None
            self._blocked -= 1

    def _unblock(self, run: NodeRun) -> None:
        if run.wait_kind is None or run.task is None:
            return
        run.wait_kind = None
        self._blocked -= 1
        wake(run.task)

    def _fail_with(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        self._poke_root()

    def _node_failed(self, run: NodeRun, exc: Exception, before: Generation) -> bool:
        node = run.node
        if not isinstance(exc, (TerminateLimitReached, MissingDefaultError)):
            attach_node_note(exc, full_name(run), before)
        self.set_node_status(node, Error())
        try:
            self._inst.on_node_error(self.flow, node, exc)
        except Exception as hook_exc:  # noqa: BLE001 - reported together with the node error
            attach_node_note(hook_exc, full_name(run), before)
            exc = hook_exc
        if self._terminate_on_error:
            self._fail_with(exc)
            return False
        self._errors.append(exc)
        kill_downstream(self, run)
        return True

    def _node_of_current_task(self) -> Node | None:
        try:
            handle = current_task_handle()
        except RuntimeError:
            return None
        return self._task_nodes.get(handle)
