# Rules: the FlowHDL attribute protocol. Public names are node-table entries; `_` names
# and KEYWORDS are plain attributes. Reading an undefined name inside the block gives a
# NodePlaceholder bound to *this* view (so templates and nested blocks resolve names in
# their own table: no leaking). Only the outermost context finalizes; children hand
# their drafts to their parent when they exit.
# pyright: reportPrivateUsage=false
"""FlowHDLView: a namespace of draft nodes with forward references."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar

from typing_extensions import Self

from ._build_context import pop_registry, push_registry
from ._build_errors import GraphBuildError, NodeReuseError, ReservedNameError, did_you_mean
from ._callsite import user_callsite
from ._draft import AnyDraftNode, NodePlaceholder, as_draft, as_output_ref, is_finalized_node
from ._finalize import finalize_drafts
from ._finalized import FinalizedNode, FinalizedOutputPortRef

__all__ = ["FlowHDLView"]

AnyFinalized = FinalizedNode[Any, Any]


def _empty_list() -> list[Any]:
    return []


class FlowHDLView:
    """A namespace of draft nodes: ``view.name = Node(...)``, forward references allowed.

    Used as a context manager. Opened inside another context it is a *child* (template
    groups, nested blocks): its drafts join the parent's flow, its names stay its own.
    The outermost context finalizes everything when it exits.

    Example:
        >>> from flowno_flow import node
        >>> @node
        ... async def One() -> int:
        ...     return 1
        >>> registered = []
        >>> with FlowHDLView(registered.append) as v:
        ...     v.later_user = One()
        ...     print(v.not_yet)
        NodePlaceholder(name='not_yet')
        >>> registered, type(v.later_user).__name__
        ([One#0], 'FinalizedNode')
    """

    KEYWORDS: ClassVar[list[str]] = ["register_child_result"]

    @dataclass
    class FinalizationResult:
        """What a child context hands to its parent when it exits.

        ``nodes`` is the child's name table, ``finalized_nodes`` stays empty until the
        outermost exit (finalization happens once, for the whole flow), ``drafts`` are the
        drafts registered in the child (in order), ``view`` the child itself.
        """

        nodes: dict[str, Any]
        finalized_nodes: dict[AnyDraftNode, AnyFinalized]
        drafts: list[AnyDraftNode] = field(default_factory=_empty_list)
        view: FlowHDLView | None = None

    def __init__(
        self, on_register_finalized_node: Callable[[AnyFinalized], None] | None = None
    ) -> None:
        self._nodes: dict[str, Any] = {}
        self._on_register_finalized_node = on_register_finalized_node
        self._drafts: list[AnyDraftNode] = []
        self._children: list[FlowHDLView] = []
        self._parent: FlowHDLView | None = None
        self._is_finalized = False
        self._cycle_problem: str | None = None
        self._created_at = user_callsite()

    # -- attribute protocol -------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name in type(self).KEYWORDS:
            raise ReservedNameError(
                f"{name!r} is reserved by {type(self).__name__} and cannot name a node "
                f"(at {user_callsite()}); choose another name"
            )
        if self._is_finalized:
            raise GraphBuildError(
                f"cannot assign {name!r}: this {type(self).__name__} block (created at "
                f"{self._created_at}) has already exited (at {user_callsite()})"
            )
        _check_assignable(name, value)
        self._nodes[name] = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        nodes: dict[str, Any] = self.__dict__.get("_nodes", {})
        if name in nodes:
            return nodes[name]
        if not self.__dict__.get("_is_finalized", False):
            return NodePlaceholder(name, self, user_callsite())
        raise AttributeError(
            f'Attribute "{name}" not found{did_you_mean(name, nodes)} '
            f"(read at {user_callsite()}; the block was created at "
            f"{self.__dict__.get('_created_at', '<unknown>')})"
        )

    # -- context protocol ---------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._is_finalized:
            raise GraphBuildError(
                f"this {type(self).__name__} block (created at {self._created_at}) has already "
                f"exited; it cannot be entered again (at {user_callsite()}); create a new one"
            )
        parent = push_registry(self)
        self._parent = parent if isinstance(parent, FlowHDLView) else None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pop_registry(self)
        if self._parent is not None:
            self._parent.register_child_result(self._child_result())
            return
        try:
            self._finalize_root()
        except Exception as error:
            if exc is None:
                raise
            _note(exc, f"(also, finalizing the flow failed: {type(error).__name__}: {error})")

    def register_child_result(self, result: FinalizationResult) -> None:
        """Adopt what a child context (template group, nested block) registered.

        Args:
            result: The child's name table, drafts and view.
        """
        for draft in result.drafts:
            self._register_draft(draft)
        if isinstance(result.view, FlowHDLView):
            self._children.append(result.view)

    def _child_result(self) -> FinalizationResult:
        return FlowHDLView.FinalizationResult(dict(self._nodes), {}, list(self._drafts), self)

    def _register_draft(self, draft: AnyDraftNode) -> None:
        draft._view = self
        self._drafts.append(draft)

    # -- finalization -------------------------------------------------------------------

    def _finalize_root(self) -> None:
        finalized, self._cycle_problem = finalize_drafts(self._drafts, self)
        self._on_finalized(list(finalized.values()))
        self._replace_names(finalized)

    def _on_finalized(self, nodes: list[AnyFinalized]) -> None:
        callback = self._on_register_finalized_node
        if callback is not None:
            for node in nodes:
                callback(node)

    def _replace_names(self, finalized: dict[AnyDraftNode, AnyFinalized]) -> None:
        for name, value in self._nodes.items():
            self._nodes[name] = _finalized_value(value, finalized)
        self._is_finalized = True
        for child in self._children:
            child._adopt_root(self)
            child._replace_names(finalized)

    def _adopt_root(self, root: FlowHDLView) -> None:
        """Hook for nested blocks (FlowHDL shares the root's flow)."""


def _finalized_value(value: Any, finalized: dict[AnyDraftNode, AnyFinalized]) -> Any:
    if isinstance(value, NodePlaceholder):
        value = _follow(value)
    draft = as_draft(value)
    if draft is not None:
        return finalized.get(draft, draft)
    bound = as_output_ref(value)
    if bound is not None and bound.node in finalized:
        ref: FinalizedOutputPortRef[Any] = FinalizedOutputPortRef(
            finalized[bound.node], bound.port_index
        )
        return ref
    return value


def _follow(placeholder: NodePlaceholder) -> Any:
    value: Any = placeholder
    for _ in range(1000):
        table = getattr(value.view, "_nodes", {})
        if value.name not in table:
            return placeholder
        value = table[value.name]
        if not isinstance(value, NodePlaceholder):
            return value
    return placeholder


def _check_assignable(name: str, value: Any) -> None:
    if is_finalized_node(value):
        raise NodeReuseError(
            f"cannot assign {value!r} to {name!r} (at {user_callsite()}): it is a finalized node of "
            f"another flow; create a new node instead"
        )
    draft = as_draft(value)
    if draft is not None and draft._finalized is not None:
        raise NodeReuseError(
            f"cannot assign {value!r} to {name!r} (at {user_callsite()}): it already belongs to a "
            f"finalized flow (created at {draft._created_at}); create a new node instead"
        )


def _note(exc: BaseException, text: str) -> None:
    if sys.version_info >= (3, 11):
        exc.add_note(text)
