# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: they share the NodeRun records)
# Rules: how a running flow describes its nodes in errors: names (the FlowHDL
# attribute first), deadlock reports, escaped cancellations. Pure functions of
# the NodeRun records; nothing here changes them.
"""Reports and error texts of the engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from flowno_eventloop import TaskCancelled

from ._node_run import _DEAD, MISSING, NodeRun
from ._run_errors import NodeExecutionError, WaitingNode, attach_note
from ._stream import Stream
from ._types import Generation

__all__ = [
    "counts_for",
    "escaped_cancel",
    "full_name",
    "unread_consumers",
    "waiting_report",
    "with_stubborn_note",
]


def counts_for(consumer: NodeRun, k: int) -> bool:
    """Whether entry ``k`` of ``consumer`` takes part in its producer's write barrier.

    A routed entry does not: it keeps the value its route last fired with, so the
    producer never waits for a consumer that may stay dormant on another route.
    """
    return not consumer.has_routes or consumer.entry_route[k] is None


def escaped_cancel(run: NodeRun, exc: TaskCancelled, before: Generation) -> NodeExecutionError:
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


def full_name(run: NodeRun) -> str:
    """``f.boom (Boom#0)`` for a node with a FlowHDL attribute, else ``Boom#0``."""
    plain = repr(run.node)
    return plain if run.label == plain else f"{run.label} ({plain})"


def waiting_report(runs: Iterable[NodeRun]) -> list[WaitingNode]:
    """One line per blocked node: what it waits for."""
    report: list[WaitingNode] = []
    for run in runs:
        if run.wait_kind is None:
            continue
        node = run.node
        if run.wait_kind == "stall":
            stream = cast("Stream[Any]", run.wait_detail)  # see StreamDriver._stream_next
            producer = stream._producer
            at = producer.node.generation if producer is not None else None
            report.append(
                WaitingNode(
                    repr(node), f"the next chunk on {stream!r} (producer at generation {at})"
                )
            )
        elif run.wait_kind == "barrier":
            names = unread_consumers(run)
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


def unread_consumers(run: NodeRun) -> list[str]:
    """The mono consumer ports that have not read ``run``'s pending generation."""
    out: list[str] = []
    for crun, k in run.out_entries:
        port = crun.inputs[k][0]
        if (
            crun.inputs[k][3] == 0
            and crun.last_read.get(port, MISSING) != run.pending_gen
            and crun.phase != _DEAD
            and counts_for(crun, k)
        ):
            out.append(f"{crun.node!r}.input({port})")
    return out


def with_stubborn_note(
    failure: BaseException | None, stubborn: list[str], flow: object
) -> BaseException | None:
    """Name the nodes that did not stop when cancelled, on the error that ended the run.

    Args:
        failure: What ended the run (None for a normal end).
        stubborn: Labels of the nodes still alive after repeated cancellation.
        flow: The flow, for the message of a run that had no other error.

    Returns:
        ``failure`` (with a note), a RuntimeError when there was no failure, or None.
    """
    if not stubborn:
        return failure
    note = (
        f"nodes that did not stop when cancelled: {', '.join(stubborn)} (an "
        "`except Exception` around an await swallows TaskCancelled; re-raise it)"
    )
    if failure is None:
        return RuntimeError(f"{flow!r}: {note}")
    attach_note(failure, note)
    return failure
