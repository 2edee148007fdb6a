# pyright: reportPrivateUsage=false
# Rules: how the engine ends the node tasks of a run. An idle node task (parked in
# its idle park: `idle_parked`) is woken and returns by itself (the engine's
# `_stopping` flag is set); any other task is cancelled. Cancellation is repeated
# for a few loop turns; a task still alive after that is named, never awaited forever.
# With terminate_on_node_error=False a failed node and everything downstream of it
# are marked dead instead; the barriers and streams they held are released.
"""Ending node tasks: all of them at the end of a run, or a failed node and its dependents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flowno_eventloop import sleep
from flowno_eventloop.lowlevel import wake

from ._flow_reports import counts_for
from ._node_run import _DEAD, MISSING, NodeRun, set_phase

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["CANCEL_ROUNDS", "kill_downstream", "stop_node_tasks"]

CANCEL_ROUNDS = 8  # loop turns of repeated cancellation before a node counts as stubborn


async def stop_node_tasks(runs: Iterable[NodeRun]) -> list[str]:
    """End the node tasks of ``runs``; return the labels of those that would not stop.

    An idle task is woken and returns (no exception, no traceback kept per node);
    a busy one is cancelled, again at every turn: a node still alive after
    ``CANCEL_ROUNDS`` turns swallows ``TaskCancelled`` (a broad ``except Exception``
    around an await) and is left behind.

    Args:
        runs: The runtime records; those without a task are skipped.

    Returns:
        The labels of the nodes whose task is still alive.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> EventLoop().run_until_complete(stop_node_tasks([]), join=True)
        []
    """
    live = [run for run in runs if run.task is not None]
    for _ in range(CANCEL_ROUNDS):
        live = [run for run in live if run.task is not None and not run.task.is_finished]
        if not live:
            break
        for run in live:
            task = run.task
            assert task is not None
            if not (run.idle_parked and wake(task)):
                task.cancel()
        await sleep(0)
    return [run.label for run in live if run.task is not None and not run.task.is_finished]


def kill_downstream(engine: Engine, run: NodeRun) -> None:
    """Mark ``run`` and every node downstream of it dead; release what they held.

    A busy node finishes its evaluation and never resumes. The write barriers of
    their producers stop waiting for them, and their stream cursors stop holding
    the producers' channels.

    Args:
        engine: The engine of the run.
        run: The failed node's record.
    """
    todo = [run]
    while todo:
        dead = todo.pop()
        if dead.phase == _DEAD:
            continue
        set_phase(dead, _DEAD)
        for k, (i, prod, _, level) in enumerate(dead.inputs):
            if (
                level == 0
                and dead.last_read.get(i, MISSING) != prod.pending_gen
                and counts_for(dead, k)
            ):
                if prod.pending_reads > 0:
                    prod.pending_reads -= 1
                    if prod.pending_reads == 0 and prod.wait_kind == "barrier":
                        engine._unblock(prod)
            cursor = dead.cursors.get(i)
            if cursor is not None and prod.channel is not None:
                cursor.released_eval = prod.channel.eval
                engine.streams._maybe_advance(prod)
        for consumer, _, _ in dead.node.consumers:
            todo.append(engine.node_tasks[consumer])
