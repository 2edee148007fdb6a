# Rules: the stack of open FlowHDL/FlowHDLView contexts (innermost last), per thread and
# per asyncio/contextvars context (a ContextVar holding an immutable tuple). Drafts register
# with the innermost one. Only FlowHDLView pushes and pops; nothing else mutates it.
"""The stack of open building contexts."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Protocol

from ._callsite import user_callsite

if TYPE_CHECKING:
    from ._draft import AnyDraftNode

__all__ = ["DraftRegistry", "current_registry", "pop_registry", "push_registry"]


class DraftRegistry(Protocol):
    """Anything drafts can register with (a FlowHDLView)."""

    def _register_draft(self, draft: AnyDraftNode) -> None: ...


_stack: ContextVar[tuple[DraftRegistry, ...]] = ContextVar("flowno_flow_build_stack", default=())


def current_registry() -> DraftRegistry | None:
    """The innermost open context, or ``None``.

    Returns:
        The context drafts register with.

    Example:
        >>> current_registry() is None
        True
    """
    stack = _stack.get()
    return stack[-1] if stack else None


def push_registry(registry: DraftRegistry) -> DraftRegistry | None:
    """Open ``registry``; return the context that was innermost before (its parent).

    Args:
        registry: The context being entered.

    Returns:
        The previous innermost context, or ``None``.
    """
    parent = current_registry()
    _stack.set((*_stack.get(), registry))
    return parent


def pop_registry(registry: DraftRegistry) -> None:
    """Close ``registry``, which must be the innermost open context.

    Args:
        registry: The context being exited.

    Raises:
        RuntimeError: if ``registry`` is not the innermost open context.
    """
    stack = _stack.get()
    if not stack or stack[-1] is not registry:
        raise RuntimeError(
            f"FlowHDL contexts must be exited in the reverse order they were entered "
            f"(exit at {user_callsite()})"
        )
    _stack.set(stack[:-1])
