# pyright: reportPrivateUsage=false
# Rules: how the engine ends the node tasks of a run. An idle node task (parked on
# its Parker with its idle reason) is woken and returns by itself (the engine's
# `_stopping` flag is set); any other task is cancelled. Cancellation is repeated
# for a few loop turns; a task still alive after that is named, never awaited forever.
"""Ending the node tasks of a run: wake the idle ones, cancel the others."""

from __future__ import annotations

from collections.abc import Iterable

from flowno_eventloop import sleep
from flowno_eventloop.lowlevel import wake

from ._node_run import NodeRun

__all__ = ["CANCEL_ROUNDS", "stop_node_tasks"]

CANCEL_ROUNDS = 8  # loop turns of repeated cancellation before a node counts as stubborn


def _is_idle_parked(run: NodeRun) -> bool:
    parker = run.parker
    return parker.parked and parker.command.reason is run.idle_reason


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
            if not (_is_idle_parked(run) and wake(task)):
                task.cancel()
        await sleep(0)
    return [run.label for run in live if run.task is not None and not run.task.is_finished]
