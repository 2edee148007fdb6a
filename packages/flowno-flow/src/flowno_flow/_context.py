# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: _flow, _stream and _context share state)
# Rules: the "current" accessors of a running flow. The flow lives in a
# ContextVar set for the duration of run_until_complete (and always reset, also
# after a failure); the node is looked up per task (a helper task spawned from a
# node is not that node).
"""current_flow(), current_node(), current_context()."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._finalized import AnyFinalizedNode
    from ._flow import Flow

__all__ = ["current_context", "current_flow", "current_node"]

_current_flow: ContextVar[Flow | None] = ContextVar("flowno_flow_current_flow", default=None)


def current_flow() -> Flow | None:
    """Return the Flow whose ``run_until_complete`` is running, else ``None``.

    Returns:
        The running flow (also from helper tasks spawned by its nodes).

    Example:
        >>> current_flow() is None
        True
    """
    return _current_flow.get()


def current_node() -> AnyFinalizedNode | None:
    """Return the finalized node whose task is running, else ``None``.

    ``None`` outside a flow and in helper tasks spawned from a node.

    Returns:
        The running node or ``None``.

    Example:
        >>> current_node() is None
        True
    """
    flow = _current_flow.get()
    if flow is None:
        return None
    return flow._node_of_current_task()


def current_context() -> Any:
    """Return ``context_factory(current_node())`` for the running node.

    The factory given to ``run_until_complete(context_factory=...)`` is called
    on every call (no caching).

    Returns:
        Whatever the factory returns.

    Raises:
        RuntimeError: outside a flow, outside a node, or without a factory.

    Example:
        >>> try:
        ...     current_context()
        ... except RuntimeError as e:
        ...     print(e)
        current_context() called outside of a flow
    """
    flow = _current_flow.get()
    if flow is None:
        raise RuntimeError("current_context() called outside of a flow")
    node = flow._node_of_current_task()
    if node is None:
        raise RuntimeError("current_context() called outside of a node")
    factory = flow._context_factory
    if factory is None:
        raise RuntimeError("No context factory provided to run_until_complete()")
    return factory(node)
