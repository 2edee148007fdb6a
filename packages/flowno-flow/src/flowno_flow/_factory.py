# Rules: turn a user's async function / async generator function / class with an async
# `call` into a DraftNode subclass, once, at decoration. Every bad target is rejected here
# with a NodeDefinitionError naming the target and its file:line. Class nodes keep their
# state on a separate instance of the user class (so DraftNode's methods never shadow the
# user's), with class attributes deep-copied per node instance.
# pyright: reportPrivateUsage=false
"""make_node_class: the work behind ``@node``."""

from __future__ import annotations

import copy
import inspect
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from typing_extensions import Unpack

from ._build_errors import (
    BadSelfParameterError,
    MissingCallError,
    NodeArgumentError,
    NodeDefinitionError,
    UnknownStreamInError,
    did_you_mean,
)
from ._callsite import user_callsite
from ._draft import AnyDraftNode, DraftNode
from ._node_spec import NodeSpec

__all__ = ["make_node_class"]


def make_node_class(
    target: Any,
    *,
    multiple_outputs: bool | None = False,
    stream_in: Iterable[str] = (),
    created_at: str | None = None,
) -> type[AnyDraftNode]:
    """Build the DraftNode subclass for an async function, async generator or class.

    Args:
        target: ``async def``, async generator function, or a class with an async ``call``.
        multiple_outputs: Results (or yielded values) are the output tuple itself.
        stream_in: Names of parameters that receive a ``Stream``.
        created_at: ``"file:line"`` of the decoration (captured when ``None``).

    Returns:
        A DraftNode subclass named like the target; calling it makes a draft node.

    Raises:
        NodeDefinitionError: (a ``TypeError``) the target is not async, is a sync generator,
            or not callable; subclasses for a class without ``call``
            (``AttributeError``), a ``call`` without ``self`` (``ValueError``) and an
            unknown ``stream_in`` name (``ValueError``).

    Example:
        >>> async def Mul(a: int, b: int) -> int:
        ...     return a * b
        >>> Mul = make_node_class(Mul)
        >>> Mul.__name__, repr(Mul(2, 3))[:4]
        ('Mul', 'Mul#')
    """
    where = created_at if created_at is not None else user_callsite()
    names = _stream_in_names(target, stream_in, where)
    if inspect.isclass(target):
        return _class_node(target, bool(multiple_outputs), names, where)
    func = _check_async_function(target, where)
    spec = NodeSpec.from_function(
        func,
        multiple_outputs=bool(multiple_outputs),
        stream_in=names,
        defined_at=_defined_at(func, where),
    )
    _check_stream_in(spec, names, where)
    namespace = _namespace(func, spec)
    return type(spec.name, (DraftNode,), namespace)


def _stream_in_names(target: object, stream_in: Iterable[str], where: str) -> tuple[str, ...]:
    if isinstance(stream_in, str):
        raise UnknownStreamInError(
            f"stream_in for {_target_name(target)} (decorated at {where}) must be a list of "
            f"parameter names, not the string {stream_in!r}; write stream_in=[{stream_in!r}]"
        )
    return tuple(stream_in)


def _target_name(target: object) -> str:
    return str(getattr(target, "__qualname__", repr(target)))


def _defined_at(func: Callable[..., Any], fallback: str) -> str:
    code = getattr(func, "__code__", None)
    return fallback if code is None else f"{code.co_filename}:{code.co_firstlineno}"


def _check_async_function(target: object, where: str) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target):
        return target
    name = _target_name(target)
    if inspect.isgeneratorfunction(target):
        problem = (
            "is a sync generator function; write `async def` with `yield` (an async generator)"
        )
    elif callable(target):
        problem = "is not an async function; node functions must be `async def`"
    else:
        problem = f"is not a function or class (got {type(target).__name__})"
    raise NodeDefinitionError(f"@node: {name} (decorated at {where}) {problem}")


def _check_stream_in(spec: NodeSpec, names: tuple[str, ...], where: str) -> None:
    params = [p.name for p in spec.params]
    for name in names:
        if name not in params:
            raise UnknownStreamInError(
                f"@node(stream_in=[{name!r}]): {spec.name} (decorated at {where}) has no parameter "
                f"{name!r}{did_you_mean(name, params)}; parameters: {', '.join(params) or 'none'}"
            )


def _namespace(func: Callable[..., Any], spec: NodeSpec) -> dict[str, Any]:
    return {
        "_flowno_spec": spec,
        "_flowno_counter": itertools.count(),
        "__module__": getattr(func, "__module__", __name__),
        "__qualname__": getattr(func, "__qualname__", spec.name),
        "__doc__": getattr(func, "__doc__", None),
        "__signature__": inspect.signature(func),
    }


def _class_node(
    user_cls: type, multiple_outputs: bool, names: tuple[str, ...], where: str
) -> type[AnyDraftNode]:
    call = getattr(user_cls, "call", None)
    if call is None:
        raise MissingCallError(
            f"@node: class {user_cls.__qualname__} (decorated at {where}) has no `call` method; "
            f"define `async def call(self, ...)`"
        )
    _check_async_function(call, where)
    first = next(iter(inspect.signature(call).parameters), None)
    if first != "self":
        raise BadSelfParameterError(
            f"@node: {user_cls.__qualname__}.call (decorated at {where}): first parameter must be "
            f"'self', got {first!r}"
        )
    _check_init(user_cls, where)
    spec = NodeSpec.from_function(
        call,
        multiple_outputs=multiple_outputs,
        stream_in=names,
        defined_at=where,
        name=user_cls.__name__,
        is_class=True,
    )
    _check_stream_in(spec, names, where)
    namespace = _namespace(call, spec)
    namespace.update(
        __module__=user_cls.__module__,
        __qualname__=user_cls.__qualname__,
        __doc__=user_cls.__doc__,
        _flowno_user_class=user_cls,
    )
    node_class: Any = _StatefulNodeMeta(user_cls.__name__, (_StatefulDraftNode,), namespace)
    return node_class  # type: ignore[no-any-return]


def _check_init(user_cls: type, where: str) -> None:
    init: Any = vars_lookup(user_cls, "__init__")
    if init is object.__init__:
        return
    required = [
        p.name
        for p in list(inspect.signature(init).parameters.values())[1:]
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if required:
        raise NodeDefinitionError(
            f"@node: {user_cls.__qualname__}.__init__ (decorated at {where}) must take no "
            f"arguments besides self (it has {', '.join(required)}); node inputs belong to `call`"
        )


def vars_lookup(user_cls: type, name: str) -> object:
    """Find ``name`` on ``user_cls`` through its MRO (class attributes only).

    Args:
        user_cls: The class.
        name: Attribute name.

    Returns:
        The attribute, or ``None``.

    Example:
        >>> vars_lookup(int, "__init__") is object.__init__
        True
    """
    for klass in user_cls.__mro__:
        if name in vars(klass):
            value: object = vars(klass)[name]
            return value
    return None


def _new_state(user_cls: type) -> Any:
    new: Callable[[type], Any] = object.__new__
    return new(user_cls)  # pyright: ignore[reportUnknownVariableType]


class _StatefulNodeMeta(type):
    """Metaclass of class nodes: class attribute reads fall back to the user's class."""

    def __getattr__(cls, name: str) -> Any:
        user_cls = cls.__dict__.get("_flowno_user_class")
        if user_cls is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(user_cls, name)


def _copied_class_attributes(user_cls: type) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for klass in reversed(user_cls.__mro__[:-1]):
        for name, value in vars(klass).items():
            if name.startswith("__") or callable(value):
                continue
            if isinstance(value, (property, classmethod, staticmethod)):
                continue
            attributes[name] = value
    return attributes


class _StatefulDraftNode(DraftNode[Unpack[tuple[Any, ...]], Any]):
    """Draft of a class node: public attributes live on the user-class state object."""

    _flowno_user_class: type

    def _flowno_make_state(self) -> object:
        user_cls = type(self)._flowno_user_class
        state = _new_state(user_cls)
        for name, value in _copied_class_attributes(user_cls).items():
            try:
                copied = copy.deepcopy(value)
            except Exception as exc:
                raise NodeArgumentError(
                    f"{self._label}: class attribute {user_cls.__qualname__}.{name} cannot be copied for "
                    f"a new node instance ({exc}); create it in __init__ instead"
                ) from exc
            setattr(state, name, copied)
        if vars_lookup(user_cls, "__init__") is not object.__init__:
            state.__init__()
        return state

    def _flowno_accumulator(self) -> Callable[[object, object], object] | None:
        method = getattr(self._flowno_state, "accumulate_streamed_data", None)
        return method if callable(method) else None

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__.get("_flowno_state")
        if state is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} node has no attribute {name!r}")
        return getattr(state, name)

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__.get("_flowno_state")
        if state is not None and not name.startswith("_"):
            setattr(state, name, value)
        else:
            object.__setattr__(self, name, value)
