# Rules: pure scheduling decisions, no event loop, no I/O.
# - freshness of an input port is the stitched/clipped comparison of section 2.4;
# - what to do with a demand is a table lookup (DEMAND_TABLE);
# - the solution set of a demand is found by an *iterative* Tarjan walk over
#   stale edges (no recursion limit, O(nodes + edges) reached); busy nodes are
#   frontiers (they will demand their consumers when they push); a cycle starts
#   at its first-registered member whose in-cycle stale ports all have defaults.
"""Scheduler decisions: freshness, demand handling and the solution set of a demand."""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ._generation import clip_generation, cmp_generation, stitched_generation
from ._graph import cycle_starter, strongly_connected_components
from ._types import Generation

__all__ = [
    "DEMAND_TABLE",
    "DemandAction",
    "NodeActivity",
    "Pick",
    "SolveGraph",
    "Unbootable",
    "demand_action",
    "effective_generation",
    "is_fresh",
    "solve",
]

N = TypeVar("N", bound=Hashable)


def effective_generation(producer_gen: Generation, run_level: int, stitch: int) -> Generation:
    """The producer's generation as one consumer port sees it.

    Args:
        producer_gen: The producer's generation.
        run_level: The port's minimum run level (1 for ``stream_in``).
        stitch: The port's stitch level.

    Returns:
        ``stitched_generation(clip_generation(producer_gen, run_level), stitch)``.

    Example:
        >>> effective_generation((1, 0), 0, 0), effective_generation((1, 0), 1, 0), effective_generation((0,), 0, 1)
        ((0,), (1, 0), (1,))
    """
    return stitched_generation(clip_generation(producer_gen, run_level), stitch)


def is_fresh(
    consumer_gen: Generation, producer_gen: Generation, run_level: int, stitch: int
) -> bool:
    """Whether a connected port has data newer than the consumer's last evaluation.

    Args:
        consumer_gen: The consumer's generation.
        producer_gen: The producer's generation.
        run_level: The port's minimum run level.
        stitch: The port's stitch level.

    Returns:
        True if fresh.

    Example:
        >>> is_fresh((0,), (1,), 0, 0), is_fresh((0,), (1, 0), 0, 0), is_fresh((0,), (1, 0), 1, 0)
        (True, False, True)
    """
    return cmp_generation(effective_generation(producer_gen, run_level, stitch), consumer_gen) > 0


class NodeActivity(enum.Enum):
    """Where a node's task is, as far as demands are concerned."""

    IDLE = "idle"  # parked between evaluations
    BUSY = "busy"  # queued or inside an evaluation
    DEAD = "dead"  # failed (terminate_on_node_error=False) or downstream of a failure


class DemandAction(enum.Enum):
    """What the engine does with a demand taken from the resolution queue."""

    SOLVE = "solve"  # compute the solution set and resume its nodes
    RETAIN = "retain"  # remember it; re-queue when the node parks (never drop)
    DISCARD = "discard"  # nothing new to consume: the demand is already satisfied


#: (activity, never ran, has a fresh input) -> action.
DEMAND_TABLE: dict[tuple[NodeActivity, bool, bool], DemandAction] = {
    (NodeActivity.IDLE, True, True): DemandAction.SOLVE,
    (NodeActivity.IDLE, True, False): DemandAction.SOLVE,
    (NodeActivity.IDLE, False, True): DemandAction.SOLVE,
    (NodeActivity.IDLE, False, False): DemandAction.DISCARD,
    (NodeActivity.BUSY, True, True): DemandAction.RETAIN,
    (NodeActivity.BUSY, True, False): DemandAction.RETAIN,
    (NodeActivity.BUSY, False, True): DemandAction.RETAIN,
    (NodeActivity.BUSY, False, False): DemandAction.RETAIN,
    (NodeActivity.DEAD, True, True): DemandAction.DISCARD,
    (NodeActivity.DEAD, True, False): DemandAction.DISCARD,
    (NodeActivity.DEAD, False, True): DemandAction.DISCARD,
    (NodeActivity.DEAD, False, False): DemandAction.DISCARD,
}


def demand_action(activity: NodeActivity, never_ran: bool, has_fresh_input: bool) -> DemandAction:
    """Look up what to do with a demand (see ``DEMAND_TABLE``).

    Args:
        activity: The demanded node's activity.
        never_ran: True before the node's first evaluation.
        has_fresh_input: True if some connected input is fresh.

    Returns:
        The action.

    Example:
        >>> demand_action(NodeActivity.IDLE, False, False)
        <DemandAction.DISCARD: 'discard'>
    """
    return DEMAND_TABLE[(activity, never_ran, has_fresh_input)]


@dataclass(frozen=True)
class SolveGraph(Generic[N]):
    """The read-only view of the graph that ``solve`` needs.

    Attributes:
        stale_inputs: ``node -> [(input port, producer), ...]`` for the stale
            connected ports, in port order.
        is_busy: ``node -> bool``: queued/running/dead nodes are not walked past.
        order: ``node -> int``: registration order (deterministic cycle start).
        has_default: ``(node, port) -> bool``.
    """

    stale_inputs: Callable[[N], Sequence[tuple[int, N]]]
    is_busy: Callable[[N], bool]
    order: Callable[[N], int]
    has_default: Callable[[N, int], bool]


@dataclass(frozen=True)
class Pick(Generic[N]):
    """One node to resume, and the ports it must take defaults on (cycle start)."""

    node: N
    default_ports: tuple[int, ...] = ()


class Unbootable(Exception, Generic[N]):
    """A cycle none of whose members has defaults on all its in-cycle ports.

    Attributes:
        members: ``[(node, [ports lacking a default]), ...]`` in registration order.
    """

    def __init__(self, members: list[tuple[N, list[int]]]) -> None:
        super().__init__(f"cycle without defaults: {[m for m, _ in members]!r}")
        self.members = members


def solve(
    head: N,
    graph: SolveGraph[N],
    reached: set[N] | None = None,
    waiting: list[N] | None = None,
) -> list[Pick[N]]:
    """The nodes to resume so that ``head`` can eventually run.

    Walks upstream from ``head`` along stale input ports, stopping at busy
    nodes, groups what it reached into strongly connected components, and from
    each leaf component (no stale edge leaving it) picks one node: a lone node
    trivially, in a cycle the first-registered member whose in-cycle stale ports
    all have defaults (those ports are fed their defaults).

    Args:
        head: The demanded node.
        graph: The graph view.
        reached: If given, every node the walk reached is added to it.
        waiting: If given, receives the idle nodes outside cycles that wait for
            producers already on their way (they need no new walk until demanded).

    Returns:
        The picks, in depth-first order from ``head``, without duplicates.

    Raises:
        Unbootable: a leaf cycle has no member with the needed defaults.

    Example:
        >>> edges = {"c": [(0, "b")], "b": [(0, "a")], "a": []}
        >>> g = SolveGraph(lambda n: edges[n], lambda n: False, "abc".index, lambda n, p: False)
        >>> [p.node for p in solve("c", g)]
        ['a']
        >>> cyc = {"x": [(0, "y")], "y": [(0, "x")]}
        >>> g2 = SolveGraph(lambda n: cyc[n], lambda n: False, "xy".index, lambda n, p: n == "y")
        >>> solve("x", g2)
        [Pick(node='y', default_ports=(0,))]
    """
    comp_of, comps, edges_of = _tarjan(head, graph)
    walk = _Walk(comp_of, edges_of, graph)
    picks: list[Pick[N]] = []
    for comp_id in _dfs_component_order(head, comp_of, edges_of, graph):
        members = comps[comp_id]
        if _has_outgoing_stale(comp_id, members, comp_of, edges_of):
            pick = _self_contained_starter(members, comp_id, walk)
        else:
            pick = _pick_member(members, comp_id, walk)
        if pick is not None:
            picks.append(pick)
    if waiting is not None:
        waiting.extend(_waiting_nodes(comps, edges_of))
    if reached is not None:
        reached.update(comp_of)
    return picks


def _tarjan(
    head: N, graph: SolveGraph[N]
) -> tuple[dict[N, int], list[list[N]], dict[N, Sequence[tuple[int, N]]]]:
    """Strongly connected components over the stale edges reachable from ``head``."""
    edges_of: dict[N, Sequence[tuple[int, N]]] = {}

    def producers(n: N) -> list[N]:
        if n not in edges_of:
            busy = n != head and graph.is_busy(n)
            edges_of[n] = () if busy else graph.stale_inputs(n)
        return [p for _, p in edges_of[n]]

    comps = strongly_connected_components([head], producers)
    comp_of = {member: i for i, comp in enumerate(comps) for member in comp}
    return comp_of, comps, edges_of


def _dfs_component_order(
    head: N,
    comp_of: dict[N, int],
    edges_of: dict[N, Sequence[tuple[int, N]]],
    graph: SolveGraph[N],
) -> list[int]:
    """Components in depth-first pre-order from ``head`` (input ports in order)."""
    seen_nodes: set[N] = {head}
    seen_comps: set[int] = set()
    order: list[int] = []
    stack: list[N] = [head]
    while stack:
        node = stack.pop()
        cid = comp_of[node]
        if cid not in seen_comps:
            seen_comps.add(cid)
            order.append(cid)
        for _, producer in reversed(edges_of.get(node, ())):
            if producer not in seen_nodes:
                seen_nodes.add(producer)
                stack.append(producer)
    return order


def _waiting_nodes(comps: list[list[N]], edges_of: dict[N, Sequence[tuple[int, N]]]) -> list[N]:
    """Walked nodes outside cycles with stale inputs: their producers are on the way."""
    out: list[N] = []
    for members in comps:
        if len(members) != 1:
            continue
        only = members[0]
        edges = edges_of.get(only, ())
        if edges and all(p != only for _, p in edges):
            out.append(only)
    return out


def _has_outgoing_stale(
    comp_id: int,
    members: list[N],
    comp_of: dict[N, int],
    edges_of: dict[N, Sequence[tuple[int, N]]],
) -> bool:
    return any(comp_of[p] != comp_id for m in members for _, p in edges_of.get(m, ()))


@dataclass(frozen=True)
class _Walk(Generic[N]):
    """What one solve() walk found: components and the stale edges of each node."""

    comp_of: dict[N, int]
    edges_of: dict[N, Sequence[tuple[int, N]]]
    graph: SolveGraph[N]


def _self_contained_starter(members: list[N], comp_id: int, walk: _Walk[N]) -> Pick[N] | None:
    """In a cycle that also waits for outside producers, a member that needs nothing from outside.

    Such a member (all its stale ports inside the cycle, all with defaults) can
    start the cycle at once instead of after the outside producers (this keeps
    the bootstrap of a W-wide cycle linear in W).
    """
    comp_of, edges_of, graph = walk.comp_of, walk.edges_of, walk.graph
    if len(members) == 1 and all(p != members[0] for _, p in edges_of.get(members[0], ())):
        return None
    for member in sorted(members, key=graph.order):
        edges = edges_of.get(member, ())
        if graph.is_busy(member) or not edges:
            continue
        if all(comp_of[p] == comp_id and graph.has_default(member, port) for port, p in edges):
            return Pick(member, tuple(port for port, _ in edges))
    return None


def _pick_member(members: list[N], comp_id: int, walk: _Walk[N]) -> Pick[N] | None:
    """The node of a leaf component to resume; None if the component is busy."""
    comp_of, edges_of, graph = walk.comp_of, walk.edges_of, walk.graph
    if len(members) == 1 and not edges_of.get(members[0]):
        only = members[0]
        return None if graph.is_busy(only) else Pick(only)
    start = cycle_starter(
        sorted(members, key=graph.order),
        lambda m: [port for port, p in edges_of.get(m, ()) if comp_of[p] == comp_id],
        graph.has_default,
    )
    if isinstance(start, list):
        raise Unbootable(start)
    return Pick(start[0], start[1])
