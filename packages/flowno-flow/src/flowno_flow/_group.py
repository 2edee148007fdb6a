# Rules: templates (groups) are expanded immediately: calling a template class inside a
# FlowHDL runs the template function in a child FlowHDLView and returns what it returned
# (an inner node, a passed-in node, or a plain value). No group node ever reaches the
# engine; names assigned inside the template stay in the child view (no leaking);
# forward references passed in resolve in the caller's own table at the outermost exit.
# pyright: reportPrivateUsage=false
"""DraftGroupNode and ``make_template_class`` (the work behind ``node.template``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from ._build_context import current_registry
from ._build_errors import NodeArgumentError, NodeDefinitionError, TemplateContextError
from ._callsite import user_callsite
from ._hdl_view import FlowHDLView

__all__ = ["DraftGroupNode", "make_template_class"]


class DraftGroupNode:
    """Base class of template (group) factories made by ``node.template``.

    Calling a template class inside a ``FlowHDL`` block builds the template's nodes in a
    child view and returns the template function's result; instances never exist.

    Example:
        >>> def Nothing(view):
        ...     return 5
        >>> Group = make_template_class(Nothing)
        >>> issubclass(Group, DraftGroupNode)
        True
    """

    _flowno_template: ClassVar[Callable[..., Any]]
    _flowno_defined_at: ClassVar[str] = "<unknown>"

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        where = user_callsite()
        if current_registry() is None:
            raise TemplateContextError(
                f"template {cls.__name__} (defined at {cls._flowno_defined_at}) was called outside a "
                f"FlowHDL block at {where}; call it inside `with FlowHDL() as f:`"
            )
        template = cls._flowno_template
        view = FlowHDLView()
        _check_arguments(cls.__name__, template, view, args, kwargs, where)
        with view:
            result = template(view, *args, **kwargs)
        return result

    def call(self, *args: Any) -> Any:
        """Group nodes never run.

        Args:
            *args: Ignored.

        Raises:
            RuntimeError: always.
        """
        raise RuntimeError(f"{type(self).__name__} is a template group; it never runs")


def _check_arguments(
    name: str,
    template: Callable[..., Any],
    view: FlowHDLView,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    where: str,
) -> None:
    try:
        inspect.signature(template).bind(view, *args, **kwargs)
    except TypeError as exc:
        raise NodeArgumentError(f"template {name} called at {where}: {exc}") from exc


def make_template_class(
    func: Callable[..., Any], *, created_at: str | None = None
) -> type[DraftGroupNode]:
    """Build the template (group) class for ``def G(view, ...)``.

    Args:
        func: A plain (not async) function whose first parameter receives a FlowHDLView.
        created_at: ``"file:line"`` of the decoration (captured when ``None``).

    Returns:
        A DraftGroupNode subclass named like ``func``.

    Raises:
        NodeDefinitionError: ``func`` is async, a generator, not callable, or takes no
            view parameter.

    Example:
        >>> def Pair(view, x):
        ...     return x
        >>> make_template_class(Pair).__name__
        'Pair'
    """
    where = created_at if created_at is not None else user_callsite()
    name = getattr(func, "__qualname__", repr(func))
    if (
        not inspect.isfunction(func)
        or inspect.iscoroutinefunction(func)
        or inspect.isasyncgenfunction(func)
    ):
        raise NodeDefinitionError(
            f"node.template: {name} (decorated at {where}) must be a plain `def` taking the view first"
        )
    if inspect.isgeneratorfunction(func):
        raise NodeDefinitionError(
            f"node.template: {name} (decorated at {where}) must return, not yield"
        )
    if not inspect.signature(func).parameters:
        raise NodeDefinitionError(
            f"node.template: {name} (decorated at {where}) must take the FlowHDLView as first parameter"
        )
    namespace = {
        "_flowno_template": staticmethod(func),
        "_flowno_defined_at": where,
        "__module__": func.__module__,
        "__qualname__": func.__qualname__,
        "__doc__": func.__doc__,
    }
    return type(func.__name__, (DraftGroupNode,), namespace)
