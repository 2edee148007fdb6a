# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules: committing the result of one evaluation, a part of the engine, the mirror of
# _gathering: store it (one slot per level), fire the routes, update the readiness of
# the node and its consumers, arm the write barrier, check the generation limit and
# demand the consumers. Nothing here awaits (the barrier wait is the engine's). O(ports).
"""Committing a node's final result (engine part); the generation limit check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._generation import clip_generation, cmp_generation
from ._instrumentation import NO_OP_INSTRUMENT
from ._node_run import _DEAD, _NO_LIMIT, NodeRun, after_push
from ._run_errors import TerminateLimitReached

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["arm_barrier", "commit", "limit_reached"]


def commit(engine: Engine, run: NodeRun, data: tuple[object, ...] | None) -> bool:
    """Push ``data`` as the final result of ``run`` (its write barrier is passed).

    Stores it, fires the routes, updates the readiness of the node and its consumers,
    arms the write barrier and demands the consumers.

    Args:
        engine: The engine of the run.
        run: The record of the node whose evaluation ended.
        data: The result, one element per output (None: a stream that yielded nothing).

    Returns:
        False when the run must stop (the generation limit was reached).
    """
    node = run.node
    state = node._state
    gen = state._generation
    if gen is not None and len(gen) == 1:  # the next result (NodeState.push_data, inline)
        gen = (gen[0] + 1,)
        state._generation = gen
        slots = state._slots
        slots[0] = (gen, data)
        slots[1] = slots[2] = slots[3] = None
    else:
        state.push_data(data, 0)
    run.last_level = 0
    if run.routed_out:
        for slot in run.routed_out:
            slot.fire(data, node.generation)
    after_push(run)
    inst = engine._inst
    if inst is not NO_OP_INSTRUMENT:
        inst.on_node_emitted_data(engine.flow, node, data, 0)
    arm_barrier(run)
    if run.limit != _NO_LIMIT and limit_reached(engine, run):
        return False
    queued = engine._queued
    for consumer in run.demand_order:  # Demands._demand, inline
        if consumer not in queued:
            queued[consumer] = None
            if inst is not NO_OP_INSTRUMENT:
                inst.on_resolution_queue_put(engine.flow, consumer)
    return True


def limit_reached(engine: Engine, run: NodeRun) -> bool:
    """``stop_at_node_generation``: True (and the run fails) once ``run`` reached it.

    Args:
        engine: The engine of the run.
        run: The record of the node that just pushed.

    Returns:
        True if the node's generation reached its limit.
    """
    limit = run.limit
    gen = run.node._state._generation
    if (
        gen >= limit  # same depth: plain tuple order (cmp_generation's common case)
        if gen is not None and limit is not None and len(gen) == len(limit)
        else cmp_generation(gen, limit) >= 0
    ):
        engine._inst.on_node_generation_limit(engine.flow, run.node, limit)
        engine._fail_with(TerminateLimitReached())
        return True
    return False


def arm_barrier(run: NodeRun) -> None:
    """Count the mono consumers that must read this result before the next push.

    Args:
        run: The record of the node that just pushed its result.
    """
    gen = run.node._state._generation
    run.pending_gen = gen if gen is not None and len(gen) == 1 else clip_generation(gen, 0)
    count = 0
    for crun, k in run.out_entries:  # routed entries keep their value: no barrier
        if (
            crun.phase != _DEAD
            and crun.inputs[k][3] == 0
            and (not crun.has_routes or crun.entry_route[k] is None)
        ):
            count += 1
    run.pending_reads = count
