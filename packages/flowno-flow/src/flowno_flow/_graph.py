# Rules: graph algorithms shared by the build checks and the scheduler, generic
# over the node type: Tarjan's strongly connected components (iterative, no
# recursion limit) and the rule that starts a cycle (its first-registered member
# whose in-cycle input ports all have defaults). No flowno types here.
"""Strongly connected components and the cycle-start rule."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

__all__ = ["cycle_starter", "strongly_connected_components"]

N = TypeVar("N", bound=Hashable)


def strongly_connected_components(
    nodes: Sequence[N], successors: Callable[[N], Sequence[N]]
) -> list[list[N]]:
    """Tarjan's algorithm, iterative (no recursion limit on long chains).

    Args:
        nodes: All nodes.
        successors: The nodes each node has an edge to.

    Returns:
        The components; members in discovery order.

    Example:
        >>> edges = {1: [2], 2: [1], 3: [1]}
        >>> sorted(sorted(c) for c in strongly_connected_components([1, 2, 3], lambda n: edges[n]))
        [[1, 2], [3]]
    """
    index_of: dict[N, int] = {}
    low: dict[N, int] = {}
    stack: list[N] = []
    on_stack: set[N] = set()
    components: list[list[N]] = []
    for root in nodes:
        if root in index_of:
            continue
        work: list[tuple[N, Iterator[N]]] = [(root, iter(successors(root)))]
        index_of[root] = low[root] = len(index_of)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index_of:
                    index_of[child] = low[child] = len(index_of)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member is node:
                        break
                components.append(component)
    return components


def cycle_starter(
    members: Sequence[N],
    in_cycle_ports: Callable[[N], Sequence[int]],
    has_default: Callable[[N, int], bool],
) -> tuple[N, tuple[int, ...]] | list[tuple[N, list[int]]]:
    """The member that starts a cycle, or what every member lacks.

    A cycle starts at its first member (in the given order, registration order)
    whose in-cycle input ports all have defaults; those ports are fed their defaults.

    Args:
        members: The cycle's members, in registration order.
        in_cycle_ports: The member's input ports fed from inside the cycle.
        has_default: Whether a port of a member has a default.

    Returns:
        ``(member, ports)`` to start with, or ``[(member, ports lacking a default)]``
        for every member when none can start the cycle.

    Example:
        >>> ports = {"a": [0], "b": [0, 1]}
        >>> cycle_starter(["a", "b"], ports.__getitem__, lambda n, p: n == "b")
        ('b', (0, 1))
        >>> cycle_starter(["a"], ports.__getitem__, lambda n, p: False)
        [('a', [0])]
    """
    missing: list[tuple[N, list[int]]] = []
    for member in members:
        ports = tuple(in_cycle_ports(member))
        lacking = [port for port in ports if not has_default(member, port)]
        if not lacking:
            return member, ports
        missing.append((member, lacking))
    return missing
