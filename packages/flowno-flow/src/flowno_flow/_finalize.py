# Rules: turn the drafts of one outermost FlowHDL block into FinalizedNodes, in this
# order: adopt stray drafts, resolve forward references, check the graph, build the
# finalized twins, copy the wiring. Any error leaves the drafts un-finalized.
# pyright: reportPrivateUsage=false
"""Finalization of a draft graph (the outermost ``with FlowHDL()`` exit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._build_checks import check_graph, cycle_without_defaults
from ._build_errors import NodeReuseError, NotANodeError, UndefinedReferenceError, did_you_mean
from ._draft import (
    AnyDraftNode,
    DraftOutputPortRef,
    NodePlaceholder,
    OutputPortRefPlaceholder,
    as_draft,
    as_output_ref,
    is_finalized_node,
)
from ._finalized import FinalizedNode, FinalizedOutputPortRef

__all__ = ["finalize_drafts"]

AnyFinalized = FinalizedNode[Any, Any]


def finalize_drafts(
    drafts: list[AnyDraftNode], owner: object
) -> tuple[dict[AnyDraftNode, AnyFinalized], str | None]:
    """Resolve, check and finalize ``drafts`` (registration order) of the context ``owner``.

    Args:
        drafts: Every draft registered in the block (children included); stray drafts
            created outside any context that these connect to are adopted (appended).
        owner: The outermost context (drafts of other contexts are rejected).

    Returns:
        Draft -> finalized twin (registration order), and the MissingDefaultError message
        of a cycle that cannot start (``None`` if every cycle can): it is raised when the
        flow is run, so that a graph that is only built (only drawn, never run) is fine.

    Raises:
        UndefinedReferenceError, NotANodeError, NodeReuseError, and the errors of
        ``check_graph``.
    """
    _resolve_placeholders(drafts)
    _adopt_strays(drafts, owner)
    check_graph(drafts)
    cycle_problem = cycle_without_defaults(drafts)
    finalized: dict[AnyDraftNode, AnyFinalized] = {draft: FinalizedNode(draft) for draft in drafts}
    _wire(finalized)
    for draft, twin in finalized.items():
        draft._finalized = twin
    return finalized, cycle_problem


def _adopt_strays(drafts: list[AnyDraftNode], owner: object) -> None:
    known = set(drafts)
    position = 0
    while position < len(drafts):
        consumer = drafts[position]
        for index, source in enumerate(consumer._sources):
            if not isinstance(source, DraftOutputPortRef):
                continue
            producer = source.node
            if producer in known:
                continue
            if producer._view is not None and producer._view is not owner:
                raise NodeReuseError(
                    f"{producer!r} (created at {producer._created_at}) belongs to another FlowHDL "
                    f"block; it cannot feed {consumer._port_label(index)}"
                )
            producer._view = owner
            known.add(producer)
            drafts.append(producer)
        position += 1


def _lookup(placeholder: NodePlaceholder) -> object:
    seen: set[int] = set()
    value: object = placeholder
    while isinstance(value, NodePlaceholder):
        table: Mapping[str, Any] = getattr(value.view, "_nodes", {})
        if id(value) in seen or value.name not in table:
            return _Missing(value, table)
        seen.add(id(value))
        value = table[value.name]
    return value


class _Missing:
    def __init__(self, placeholder: NodePlaceholder, table: Mapping[str, Any]) -> None:
        self.placeholder = placeholder
        self.table = table


def _resolve_placeholders(drafts: list[AnyDraftNode]) -> None:
    missing: list[str] = []
    for consumer in list(drafts):
        for index, source in enumerate(consumer._sources):
            if not isinstance(source, OutputPortRefPlaceholder):
                continue
            target = _lookup(source.placeholder)
            if isinstance(target, _Missing):
                missing.append(_missing_text(target, consumer, index))
                continue
            consumer._sources[index] = None
            consumer._connect(index, _as_output(target, source, consumer, index))
    if missing:
        raise UndefinedReferenceError("\n".join(missing))


def _missing_text(missing: _Missing, consumer: AnyDraftNode, index: int) -> str:
    name = missing.placeholder.name
    return (
        f"Node {name} is referenced, but has not been defined. Cannot connect "
        f"{consumer._port_label(index)} to non-existent node {name} (referenced at "
        f"{missing.placeholder.created_at}){did_you_mean(name, missing.table)}"
    )


def _as_output(
    target: object, source: OutputPortRefPlaceholder, consumer: AnyDraftNode, index: int
) -> DraftOutputPortRef[Any]:
    name = source.name
    draft = as_draft(target)
    if draft is not None:
        ref: DraftOutputPortRef[Any] = DraftOutputPortRef(draft, source.port_index, source.route)
        return ref
    bound = as_output_ref(target)
    if bound is not None and source.port_index == 0 and source.route is None:
        return bound
    where = consumer._port_label(index)
    if bound is not None:
        raise NotANodeError(
            f"Attribute {name} is the output reference {bound!r}, not a node, so it has no "
            f"output({source.port_index}) (referenced at {source.placeholder.created_at}); "
            f"cannot connect {where}"
        )
    if is_finalized_node(target):
        raise NodeReuseError(
            f"Attribute {name} is a finalized node of another flow ({target!r}); cannot connect {where}"
        )
    raise NotANodeError(
        f"Attribute {name} is not a DraftNode. Cannot connect {where} to non-DraftNode {name} "
        f"(it is {type(target).__name__}: {target!r})"
    )


def _wire(finalized: Mapping[AnyDraftNode, AnyFinalized]) -> None:
    for draft, twin in finalized.items():
        for index, source in enumerate(draft._sources):
            if isinstance(source, DraftOutputPortRef):
                twin.input_ports[index].connected = FinalizedOutputPortRef(
                    finalized[source.node], source.port_index, source.route
                )
        # A consumer outside this flow (its own block failed to finalize) is not wired.
        twin.consumers.extend(
            (finalized[consumer], port, output)
            for consumer, port, output in draft._consumers
            if consumer in finalized
        )
