# pyright: reportPrivateUsage=false
# Rules: gathering the arguments of one evaluation, a part of the engine: per input
# port the producer's latest result (counted for its write barrier), a Stream for
# stream_in ports, a route's value for routed ports, else the default. O(ports).
"""Gathering the input values of one node evaluation (engine part)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._generation import clip_generation
from ._instrumentation import NO_OP_INSTRUMENT
from ._node_run import MISSING, NodeRun
from ._run_errors import MissingDefaultError, NodeExecutionError, missing_defaults_message
from ._types import InputPortIndex

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["gather_inputs"]


def gather_inputs(engine: Engine, run: NodeRun) -> list[object]:
    """The argument values of one evaluation of ``run``, one per input port.

    Connected mono ports read the producer's latest result (and count for its write
    barrier), ``stream_in`` ports get a Stream, routed ports their route's value;
    a port without data takes its default (recorded as defaulted) or raises
    ``MissingDefaultError``.

    Args:
        engine: The engine of the run.
        run: The record of the node about to be evaluated.

    Returns:
        The values, in port order.
    """
    node = run.node
    ports = node.input_ports
    values: list[object] = [None] * len(ports)
    connected = run.port_entry
    defaulted: list[InputPortIndex] | None = None  # made on the first default only
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
                value = engine.streams._open_stream(run, port, prod, out)
            elif run.has_routes and run.entry_route[k] is not None:
                slot = run.entry_route[k]
                value = MISSING if slot is None or slot.gen is None else slot.value
            else:
                value = _read(engine, run, i, prod, out)
        if value is MISSING:
            if not port.has_default:
                raise MissingDefaultError(missing_defaults_message([(node, [i])], cycle=False))
            value = port.default
            if defaulted is None:
                defaulted = []
            defaulted.append(InputPortIndex(i))
        values[i] = value
    if defaulted or run.defaulted:
        engine.set_defaulted_inputs(node, defaulted or [])
    return values


def _read(engine: Engine, run: NodeRun, port: int, prod: NodeRun, out: int) -> object:
    state = prod.node._state
    gen = state._generation
    if gen is not None and len(gen) == 1:  # NodeState.get_data(0) of a finished result
        slot = state._slots[0]
        data = slot[1] if slot is not None and slot[0] == gen else None
    else:
        data = state.get_data(0)
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
    if gen is None or len(gen) != 1:
        gen = clip_generation(gen, 0)
    if run.last_read.get(port, MISSING) != gen:  # barrier bookkeeping
        run.last_read[port] = gen
        if gen == prod.pending_gen and prod.pending_reads > 0:
            prod.pending_reads -= 1
            if engine._inst is not NO_OP_INSTRUMENT:
                engine._inst.on_barrier_node_read(engine.flow, prod.node, 0)
            if prod.pending_reads == 0 and prod.wait_kind == "barrier":
                engine._unblock(prod)
    return value
