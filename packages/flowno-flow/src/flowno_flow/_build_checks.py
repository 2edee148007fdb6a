# Rules: pure checks of a resolved draft graph (every placeholder already replaced by a
# real connection). Each check raises one error listing every offending port of its kind,
# naming nodes, ports and the user's file:line. No graph mutation here.
# pyright: reportPrivateUsage=false
"""Finalization checks: unconnected ports, stream wiring, connection types, cycles."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from ._build_errors import ConnectionTypeError, StreamWiringError, UnconnectedInputError
from ._draft import AnyDraftNode, Constant, DraftOutputPortRef
from ._graph import cycle_starter, strongly_connected_components
from ._node_spec import EMPTY, render_annotation
from ._signature_text import describe_missing_defaults
from ._typecheck import connection_mismatch

__all__ = ["check_graph", "cycle_without_defaults"]


def check_graph(drafts: Sequence[AnyDraftNode]) -> None:
    """Run every finalization check on the resolved drafts (registration order).

    Args:
        drafts: All drafts of the flow, every connection resolved.

    Raises:
        UnconnectedInputError: required ports without a producer.
        StreamWiringError: ``stream_in`` ports fed by producers that cannot stream.
        ConnectionTypeError: annotated ends whose types do not fit.
    """
    _check_unconnected(drafts)
    _check_stream_wiring(drafts)
    _check_types(drafts)


def _connections(
    drafts: Sequence[AnyDraftNode],
) -> Iterator[tuple[AnyDraftNode, int, DraftOutputPortRef[Any]]]:
    for consumer in drafts:
        for index, source in enumerate(consumer._sources):
            if isinstance(source, DraftOutputPortRef):
                yield consumer, index, source


def _port_text(node: AnyDraftNode, index: int) -> str:
    return node._port_label(index)


def _check_unconnected(drafts: Sequence[AnyDraftNode]) -> None:
    problems = [
        f"{node!r}.input({port.index}) is not connected and has no default value "
        f"(parameter {port.name!r}; node created at {node._created_at})"
        for node in drafts
        for port in node._ports
        if node._sources[port.index] is None and not port.has_default
    ]
    if problems:
        raise UnconnectedInputError("\n".join(problems))


def _producer_text(source: DraftOutputPortRef[Any]) -> str:
    producer = source.node
    if isinstance(producer, Constant):
        return f"the constant {producer.value!r}"
    return f"{source!r} (created at {producer._created_at})"


def _check_stream_wiring(drafts: Sequence[AnyDraftNode]) -> None:
    problems = [
        f"{_port_text(node, index)} is a stream_in port, but its producer {_producer_text(source)} "
        f"does not stream (it is not an async generator); connect a streaming node or remove "
        f"{node._ports[index].name!r} from stream_in"
        for node, index, source in _connections(drafts)
        if node._ports[index].stream_in and not type(source.node)._flowno_spec.is_streaming
    ]
    problems += [
        f"{_port_text(node, index)} is a stream_in port fed by the routed port {source!r}; "
        "routes fire on a node's final value only, so connect a stream_in port to the "
        "node itself"
        for node, index, source in _connections(drafts)
        if node._ports[index].stream_in and source.route is not None
    ]
    if problems:
        raise StreamWiringError("\n".join(problems))


def _check_types(drafts: Sequence[AnyDraftNode]) -> None:
    problems: list[str] = []
    for node, index, source in _connections(drafts):
        producer_type = (
            type(source.node)._flowno_spec.output_port_annotation(source.port_index)
            if source.route is None
            else source.route
        )
        port = node._ports[index]
        if producer_type is EMPTY or port.annotation is EMPTY or isinstance(source.node, Constant):
            continue
        reason = connection_mismatch(producer_type, port.annotation, stream_in=port.stream_in)
        if reason is not None:
            problems.append(
                f"type mismatch: {_producer_text(source)} produces {render_annotation(producer_type)} "
                f"but {_port_text(node, index)} expects {render_annotation(port.annotation)}: {reason}"
            )
    if problems:
        raise ConnectionTypeError("\n".join(problems))


def cycle_without_defaults(drafts: Sequence[AnyDraftNode]) -> str | None:
    """The MissingDefaultError message for the first cycle that cannot start, or ``None``.

    A cycle can start when one member has defaults on all its in-cycle input ports.

    Args:
        drafts: All drafts of the flow (registration order), every connection resolved.

    Returns:
        The message, or ``None`` when every cycle can start.
    """
    order = {node: position for position, node in enumerate(drafts)}
    consumers = {node: [c for c, _, _ in node._consumers if c in order] for node in drafts}
    for component in strongly_connected_components(drafts, lambda n: consumers[n]):
        is_cycle = len(component) > 1 or any(
            src is component[0] for src in component[0].get_input_nodes()
        )
        if not is_cycle:
            continue
        members = set(component)
        start = cycle_starter(
            sorted(component, key=order.__getitem__),
            functools.partial(_in_cycle_ports, members=members),
            lambda node, port: bool(node._ports[port].has_default),
        )
        if isinstance(start, list):
            return describe_missing_defaults(start)
    return None


def _in_cycle_ports(node: AnyDraftNode, members: set[AnyDraftNode]) -> list[int]:
    return [
        index
        for index, source in enumerate(node._sources)
        if isinstance(source, DraftOutputPortRef) and source.node in members
    ]
