# pyright: reportPrivateUsage=false
# Rules: the engine's per-node runtime record and the demand queue: plain data,
# no scheduling logic (that is in _scheduler.py and _flow.py).
"""NodeRun (Flow.node_tasks values) and the de-duplicating resolution queue."""

from __future__ import annotations

import itertools
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, TypeAlias

from flowno_eventloop.commands import ParkCommand

from ._parking import LazyReason, Parker
from ._scheduler import NodeActivity, is_fresh
from ._status import AnyStatus, WaitingForStartNextGeneration
from ._stream import Channel, PortCursor, Stream
from ._types import Generation, InputPortIndex

if TYPE_CHECKING:
    from flowno_eventloop import TaskHandle

    from ._finalized import AnyFinalizedNode

__all__ = [
    "NodeTaskAndStatus",
    "RouteSlot",
    "after_push",
    "recount",
    "refresh_entries",
    "set_phase",
    "update_entry",
]

Node: TypeAlias = "AnyFinalizedNode"  # the engine only uses the building half's documented members

_NO_LIMIT = ()  # newer than every real generation: never reached
_IDLE, _QUEUED, _RUNNING, _DEAD = "idle", "queued", "running", "dead"
_AWAITING = "awaiting"  # idle, but its stale producers are already on their way
_flow_ids = itertools.count()
IDLE_TEMPLATE = "{0.label} idle (its inputs are not fresh)"  # the idle park's reason


class NodeRun:
    """The engine's runtime record of one node (also the value of ``Flow.node_tasks``)."""

    __slots__ = (
        "node",
        "order",
        "task",
        "status",
        "phase",
        "go",
        "retained",
        "never_ran",
        "inputs",
        "last_read",
        "pending_reads",
        "pending_gen",
        "channel",
        "cursors",
        "resume_defaults",
        "defaulted",
        "streams",
        "wait_kind",
        "wait_detail",
        "limit",
        "last_level",
        "stream_consumers",
        "demand_order",
        "entry_fresh",
        "stale_count",
        "stale_busy",
        "out_entries",
        "entry_route",
        "has_routes",
        "entry_skip",
        "skipped",
        "routed_out",
        "policies",
        "item_timeout",
        "label",
        "port_entry",
        "parker",
        "reason",
        "idle_parked",
        "dirty",
    )

    def __init__(self, node: Node, order: int, command: ParkCommand | None = None) -> None:
        self.node: Node = node
        self.order: int = order
        self.task: TaskHandle[Any] | None = None
        self.status: AnyStatus = WaitingForStartNextGeneration(-1)
        self.phase: str = _IDLE
        self.go: bool = False
        self.retained: bool = False
        self.never_ran: bool = True
        # (port index, producer run, producer output, minimum run level) per connected port
        self.inputs: list[tuple[int, NodeRun, int, int]] = []
        self.last_read: dict[int, Generation] = {}
        self.pending_reads: int = 0  # consumers' mono ports that have not read pending_gen
        self.pending_gen: Generation = None
        self.channel: Channel | None = None
        self.cursors: dict[int, PortCursor] = {}  # my stream_in ports
        self.resume_defaults: tuple[int, ...] = ()
        self.defaulted: list[InputPortIndex] = []
        self.streams: list[Stream[Any]] = []
        self.wait_kind: str | None = None
        self.wait_detail: object = None
        self.limit: Generation = _NO_LIMIT  # from stop_at_node_generation
        self.last_level: int = -1
        self.stream_consumers: list[NodeRun] = []
        self.demand_order: list[Node] = []  # consumers by output port, then connection order
        # Incremental readiness (O(1) demand checks): per entry of `inputs`
        self.entry_fresh: list[bool] = []
        self.stale_count: int = 0  # stale entries
        self.stale_busy: int = 0  # stale entries whose producer is not idle
        self.out_entries: list[tuple[NodeRun, int]] = []  # (consumer run, its entry index)
        # Routing (``producer.on(T)`` inputs): per entry of `inputs`, its RouteSlot or None
        self.entry_route: list[RouteSlot | None] = []
        self.has_routes: bool = False
        self.entry_skip: list[bool] = []  # routed entry whose producer moved on without firing
        self.skipped: int = 0  # such entries: the node is dormant until the route fires
        self.routed_out: list[RouteSlot] = []  # my outputs' routes (fired in _push)
        draft: object = getattr(node, "draft", None)
        kind = type(draft)
        self.policies: tuple[Any, ...] = getattr(kind, "_flowno_policies", ())
        self.item_timeout: float | None = getattr(kind, "_flowno_item_timeout", None)
        self.label: str = repr(node)  # the FlowHDL attribute (f.name) once known
        self.port_entry: dict[int, int] = {}  # input port index -> its entry in `inputs`
        # The node task parks on this one object (no allocation per park, and nothing
        # new kept alive per node while it waits: cheap for the garbage collector)
        # what its task waits on, formatted only when read (the template is set per park)
        self.reason: LazyReason = LazyReason(IDLE_TEMPLATE, self)
        self.parker: Parker = Parker(command if command is not None else ParkCommand(None))
        self.idle_parked: bool = False  # its task waits in the idle park
        self.dirty: bool = False  # chunks pushed while busy: recount() when it goes idle

    @property
    def task_and_status(self) -> tuple[TaskHandle[Any] | None, AnyStatus]:
        return self.task, self.status

    def __repr__(self) -> str:
        return f"NodeTaskAndStatus({self.node!r}, {self.status!r})"


NodeTaskAndStatus = NodeRun


class RouteSlot:
    """One routed connection ``producer.on(kind)``: when it last fired, and with what."""

    __slots__ = ("gen", "kind", "out", "value")

    def __init__(self, kind: type, out: int) -> None:
        self.kind: type = kind
        self.out: int = out
        self.gen: Generation = None  # the producer's generation when it last fired
        self.value: object = None

    def fire(self, data: tuple[object, ...] | None, gen: Generation) -> None:
        """The producer pushed ``data`` at ``gen``: fire if the value is a ``kind``."""
        if data is not None and isinstance(data[self.out], self.kind):
            self.gen = gen
            self.value = data[self.out]


class DemandQueue:
    """De-duplicating FIFO of demanded nodes (a demand pending twice is one demand)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[Node, None] = {}

    def put(self, node: Node) -> bool:
        if node in self._items:
            return False
        self._items[node] = None
        return True

    def pop(self) -> Node:
        node = next(iter(self._items))
        del self._items[node]
        return node

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, node: object) -> bool:
        return node in self._items

    def __iter__(self) -> Any:
        return iter(list(self._items))

    def __repr__(self) -> str:
        return f"ResolutionQueue({list(self._items)!r})"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
_NULL = nullcontext()
_ACTIVITY = {
    _IDLE: NodeActivity.IDLE,
    _AWAITING: NodeActivity.IDLE,
    _QUEUED: NodeActivity.BUSY,
    _RUNNING: NodeActivity.BUSY,
    _DEAD: NodeActivity.DEAD,
}


# --- incremental readiness (O(1) demand checks) ---------------------------------
def entry_fresh_now(run: NodeRun, k: int) -> bool:
    i, prod, _, level = run.inputs[k]
    gen = prod.node._state._generation
    if run.has_routes:
        slot = run.entry_route[k]
        if slot is not None:
            gen = slot.gen  # a routed input sees when its route last fired
    state = run.node._state
    mine = state._generation
    stitch = state._stitch.get(i, 0) if state._stitch else 0
    if gen is not None and mine is not None and len(gen) == len(mine) and len(gen) <= level + 1:
        # is_fresh's common case: unclipped, same depth (plain tuple order)
        if not stitch or not gen:
            return gen > mine
        head = gen[0] + stitch  # stitched_generation: the stitch moves the main generation
        return head > mine[0] or (head == mine[0] and gen[1:] > mine[1:])
    return is_fresh(mine, gen, level, stitch)


def _update_skip(run: NodeRun, k: int, fresh: bool) -> None:
    """A routed entry is skipped when its producer has newer data that did not fire it."""
    if run.entry_route[k] is None:
        return
    i, prod, _, level = run.inputs[k]
    skip = not fresh and is_fresh(
        run.node.generation, prod.node.generation, level, run.node._state.stitch_level(i)
    )
    if skip != run.entry_skip[k]:
        run.entry_skip[k] = skip
        run.skipped += 1 if skip else -1


def update_entry(run: NodeRun, k: int) -> None:
    if run.has_routes:
        fresh = entry_fresh_now(run, k)
        _update_skip(run, k, fresh)
    else:  # entry_fresh_now's common case inline (one call less per entry and push)
        i, prod, _, level = run.inputs[k]
        gen = prod.node._state._generation
        state = run.node._state
        mine = state._generation
        if gen is not None and mine is not None and len(gen) == len(mine) and len(gen) <= level + 1:
            stitch = state._stitch.get(i, 0) if state._stitch else 0
            if not stitch or not gen:
                fresh = gen > mine
            else:
                head = gen[0] + stitch
                fresh = head > mine[0] or (head == mine[0] and gen[1:] > mine[1:])
        else:
            fresh = entry_fresh_now(run, k)
    if fresh == run.entry_fresh[k]:
        return
    run.entry_fresh[k] = fresh
    delta = -1 if fresh else 1
    run.stale_count += delta
    if run.inputs[k][1].phase != _IDLE:
        run.stale_busy += delta


def refresh_entries(run: NodeRun) -> None:
    for k in range(len(run.inputs)):
        update_entry(run, k)


def recount(run: NodeRun) -> None:
    run.dirty = False
    flags = run.entry_fresh
    if len(flags) == len(run.inputs):  # refilled in place: no new list per node and run
        for k in range(len(flags)):
            flags[k] = entry_fresh_now(run, k)
    else:
        run.entry_fresh = [entry_fresh_now(run, k) for k in range(len(run.inputs))]
    run.skipped = 0
    if run.has_routes:
        run.entry_skip = [False] * len(run.inputs)
        for k, fresh in enumerate(run.entry_fresh):
            _update_skip(run, k, fresh)
    run.stale_count = run.entry_fresh.count(False)
    run.stale_busy = sum(
        1
        for k, entry in enumerate(run.inputs)
        if not run.entry_fresh[k] and entry[1].phase != _IDLE
    )


def set_phase(run: NodeRun, phase: str) -> None:
    was_busy = run.phase != _IDLE
    run.phase = phase
    if was_busy == (phase != _IDLE):
        return
    delta = 1 if was_busy is False else -1
    for consumer, k in run.out_entries:
        if not consumer.entry_fresh[k]:
            consumer.stale_busy += delta


def after_push(run: NodeRun) -> None:
    """My generation changed: my consumers' entries and my own entries may flip."""
    for consumer, k in run.out_entries:
        update_entry(consumer, k)
    k = 0
    for entry in run.inputs:  # refresh_entries(run), inline
        if entry[1] is not run:  # (an input from myself is one of my out_entries: done)
            update_entry(run, k)
        k += 1
