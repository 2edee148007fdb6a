# Runtime connection type checks.
#
# Rules of this module:
# - Pure: no graph objects, no I/O, no state. Input: annotations; output: a reason or None.
# - Lenient by design: a build-time error must never reject a program a static checker accepts.
#   Anything we cannot decide cheaply (Any, object, TypeVars, Protocols, unresolved forward
#   references, Callable signatures, ...) counts as compatible.
# - One decision per kind of annotation, dispatched through a small table; no deep recursion
#   beyond the nesting of the annotations themselves.
"""Is a producer's annotated output type compatible with a consumer's annotated input type?

Decision rules:

* unannotated, ``Any``, ``object`` (as consumer), TypeVars without bound, Protocols, strings that
  could not be resolved: compatible;
* plain classes: subclass relation, plus the PEP 484 numeric tower (``int`` into ``float``,
  ``int``/``float`` into ``complex``);
* unions: every producer member must fit some consumer member; ``Optional[X]`` is ``X | None``;
* ``Literal``: a producer literal fits when its values are instances of the consumer type;
  a non-literal producer fits a literal consumer when one of the literal values is an
  instance of it (lenient);
* generics are compared by origin (``list`` into ``Sequence`` is fine); their arguments are
  compared pairwise, covariantly, when both sides have the same number of arguments
  (``tuple[X, ...]`` is expanded). So ``list[int]`` into ``list[str]`` is a mismatch, while
  ``list[int]`` into ``list[float]`` is accepted although a strict checker would say
  ``list`` is invariant;
* ``stream_in`` consumers: ``Stream[T]`` (or ``Stream[T] | None``, or any async iterable of
  ``T``) is compared by ``T`` against the producer's chunk type.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, Final, Union

import typing_extensions

from ._stream_marker import is_stream_annotation

__all__ = [
    "connection_mismatch",
    "port_output_type",
    "resolved_annotations",
    "type_label",
]

_CALLABLE_ORIGIN: Final[object] = collections.abc.Callable
_NUMERIC_TOWER: Final[dict[type, tuple[type, ...]]] = {
    float: (int,),
    complex: (int, float),
}
_UNION_ORIGINS: tuple[object, ...] = (Union, types.UnionType)
_ANY_FORMS: tuple[object, ...] = (Any, typing_extensions.Any)
_LITERAL_FORMS: tuple[object, ...] = (typing.Literal, typing_extensions.Literal)
_BOTTOM_FORMS: tuple[object, ...] = (typing.NoReturn, typing_extensions.Never)
_STREAM_RESULT_ORIGINS: tuple[object, ...] = (
    collections.abc.AsyncGenerator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
)


def connection_mismatch(
    producer_type: object, consumer_type: object, *, stream_in: bool = False
) -> str | None:
    """Explain why values of ``producer_type`` cannot feed a port annotated ``consumer_type``.

    Args:
        producer_type: the annotation of the producer's output port (for a streaming producer
            feeding a ``stream_in`` port: its chunk type). ``inspect.Parameter.empty`` means
            unannotated.
        consumer_type: the annotation of the consumer's input parameter.
        stream_in: the consumer port is a ``stream_in`` port: its annotation is ``Stream[T]``
            (optionally ``| None``), or any async iterable of ``T``, and ``T`` is compared with
            ``producer_type``. Without the flag, a consumer annotated with flowno's own
            ``Stream[T]`` (optionally ``| None``) is unwrapped the same way.

    Returns:
        ``None`` when the connection is compatible (or cannot be decided cheaply), else a
        short reason such as ``"int is not compatible with str"``.

    Examples:
        >>> connection_mismatch(int, str)
        'int is not compatible with str'
        >>> connection_mismatch(int, float) is None
        True
        >>> connection_mismatch(list[int], "list[str]") is None  # unresolved string: unknown
        True
        >>> from flowno_flow import Stream
        >>> connection_mismatch(str, Stream[int] | None)
        'str is not compatible with int'
    """
    if stream_in or _mentions_flowno_stream(consumer_type):
        consumer_type = _stream_item_type(consumer_type)
    if _is_compatible(_normalize(producer_type), _normalize(consumer_type)):
        return None
    return f"{type_label(producer_type)} is not compatible with {type_label(consumer_type)}"


def port_output_type(
    return_annotation: object,
    port_index: int,
    *,
    is_streaming: bool,
    multiple_outputs: bool,
) -> object:
    """The annotation of one output port, derived from the node function's return annotation.

    Streaming nodes (async generators) annotated ``AsyncGenerator[X, ...]``,
    ``AsyncIterator[X]`` or ``AsyncIterable[X]`` produce chunks of type ``X``; their final value
    has that type too. ``multiple_outputs`` nodes annotated ``tuple[A, B]`` give ``A`` on port 0
    and ``B`` on port 1. Anything else gives ``Any``.

    Args:
        return_annotation: the resolved return annotation of the node function.
        port_index: the output port.
        is_streaming: the function is an async generator function.
        multiple_outputs: the node was declared with ``multiple_outputs=True``.

    Returns:
        The port's type, or ``typing.Any`` when it is unknown.

    Examples:
        >>> from collections.abc import AsyncIterator
        >>> port_output_type(AsyncIterator[str], 0, is_streaming=True, multiple_outputs=False)
        <class 'str'>
        >>> port_output_type(tuple[int, str], 1, is_streaming=False, multiple_outputs=True)
        <class 'str'>
    """
    annotation = _normalize(return_annotation)
    if is_streaming:
        annotation = _stream_result_item(annotation)
    if not multiple_outputs:
        return annotation
    return _tuple_element(annotation, port_index)


def resolved_annotations(func: Callable[..., object]) -> dict[str, object]:
    """The annotations of ``func`` with forward references resolved in its globals.

    Works with ``from __future__ import annotations``. A name that cannot be resolved keeps its
    string form (which :func:`connection_mismatch` treats as unknown, i.e. compatible) instead
    of failing the whole function.

    Args:
        func: a function (or method) whose parameter and return annotations are wanted.

    Returns:
        A mapping from parameter name (and ``"return"``) to the resolved annotation.

    Examples:
        >>> def f(a: int, b: "Missing") -> str: ...  # noqa: F821
        >>> resolved_annotations(f)
        {'a': <class 'int'>, 'b': 'Missing', 'return': <class 'str'>}
    """
    try:
        return dict(typing.get_type_hints(func, include_extras=True))
    except Exception:  # noqa: BLE001 - fall back to resolving one name at a time
        return _resolve_one_by_one(func)


def type_label(annotation: object) -> str:
    """A short human-readable name for an annotation, used in error messages.

    Args:
        annotation: any annotation.

    Returns:
        ``int`` for classes, ``list[int]`` for generics, ``<unannotated>`` for a missing one.

    Examples:
        >>> type_label(int), type_label(list[int]), type_label(int | None)
        ('int', 'list[int]', 'int | None')
    """
    if annotation is inspect.Parameter.empty:
        return "<unannotated>"
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Ellipsis:
        return "..."
    if isinstance(annotation, typing.TypeVar):
        return f"~{annotation.__name__}"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in _UNION_ORIGINS:
        return " | ".join(type_label(a) for a in args)
    if origin in _LITERAL_FORMS:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None and args:
        return f"{type_label(origin)}[{', '.join(type_label(a) for a in args)}]"
    name = getattr(annotation, "__qualname__", None) or getattr(annotation, "__name__", None)
    if isinstance(name, str) and hasattr(annotation, "__module__"):
        return name
    return repr(annotation).replace("typing.", "").replace("collections.abc.", "")


# --- normalization -------------------------------------------------------------------------


def _normalize(annotation: object) -> object:
    """Map the many spellings of "unknown" to ``Any`` and strip wrappers that do not matter."""
    if annotation is inspect.Parameter.empty or isinstance(annotation, (str, typing.ForwardRef)):
        return Any
    if annotation is None:
        return type(None)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated or origin is typing_extensions.Annotated:
        return _normalize(typing.get_args(annotation)[0])
    supertype = getattr(annotation, "__supertype__", None)  # typing.NewType
    if supertype is not None:
        return _normalize(supertype)
    return annotation


def _resolve_one_by_one(func: Callable[..., object]) -> dict[str, object]:
    raw: dict[str, object] = dict(getattr(func, "__annotations__", {}))
    namespace = dict(getattr(func, "__globals__", {}))
    return {name: _eval_or_keep(value, namespace) for name, value in raw.items()}


def _eval_or_keep(value: object, namespace: dict[str, object]) -> object:
    if not isinstance(value, str):
        return value
    try:
        return eval(value, namespace)  # noqa: S307 - this is what get_type_hints does too
    except Exception:  # noqa: BLE001 - unresolvable names stay strings (= unknown)
        return value


def _stream_item_type(consumer_type: object) -> object:
    """``Stream[T]`` -> ``T``; ``Stream[T] | None`` -> ``T``; bare ``Stream`` -> ``Any``."""
    consumer_type = _normalize(consumer_type)
    members = _union_members(consumer_type)
    items = [_stream_arg(m) for m in members if m is not type(None)]
    if not items:
        return Any
    return items[0] if len(items) == 1 else Union[tuple(items)]  # noqa: UP007 - built at run time


def _mentions_flowno_stream(consumer_type: object) -> bool:
    members = _union_members(_normalize(consumer_type))
    return any(is_stream_annotation(m) for m in members)


def _stream_arg(annotation: object) -> object:
    """``Stream[T]`` (or any other async iterable of ``T``) -> ``T``; bare ``Stream`` -> Any."""
    origin = typing.get_origin(annotation) or annotation
    if not (isinstance(origin, type) and issubclass(origin, collections.abc.AsyncIterable)):
        return annotation
    args = typing.get_args(annotation)
    return args[0] if args else Any


def _stream_result_item(annotation: object) -> object:
    if annotation in _STREAM_RESULT_ORIGINS:
        return Any
    if typing.get_origin(annotation) in _STREAM_RESULT_ORIGINS:
        return typing.get_args(annotation)[0]
    return Any


def _tuple_element(annotation: object, index: int) -> object:
    if typing.get_origin(annotation) is not tuple:
        return Any
    args = typing.get_args(annotation)
    if len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return args[index] if 0 <= index < len(args) else Any


def _union_members(annotation: object) -> tuple[object, ...]:
    if typing.get_origin(annotation) in _UNION_ORIGINS:
        return tuple(_normalize(a) for a in typing.get_args(annotation))
    return (annotation,)


# --- the decision ---------------------------------------------------------------------------


def _is_compatible(producer: object, consumer: object) -> bool:
    if _is_unknown(producer) or _is_unknown(consumer) or producer in _BOTTOM_FORMS:
        return True
    producer_members = _union_members(producer)
    if len(producer_members) > 1:
        return all(_is_compatible(p, consumer) for p in producer_members)
    consumer_members = _union_members(consumer)
    if len(consumer_members) > 1:
        return any(_is_compatible(producer, c) for c in consumer_members)
    if isinstance(consumer, typing.TypeVar):
        return _fits_typevar(producer, consumer)
    return _is_compatible_single(producer, consumer)


def _is_unknown(annotation: object) -> bool:
    if annotation in _ANY_FORMS or annotation is object:
        return True
    if isinstance(annotation, typing.TypeVar):
        return annotation.__bound__ is None and not annotation.__constraints__
    if isinstance(annotation, (typing.ParamSpec, typing_extensions.ParamSpec)):
        return True
    return bool(getattr(annotation, "_is_protocol", False))


def _fits_typevar(producer: object, consumer: typing.TypeVar) -> bool:
    if consumer.__bound__ is not None:
        return _is_compatible(producer, _normalize(consumer.__bound__))
    return any(_is_compatible(producer, _normalize(c)) for c in consumer.__constraints__)


def _is_compatible_single(producer: object, consumer: object) -> bool:
    producer_literal = typing.get_origin(producer) in _LITERAL_FORMS
    consumer_literal = typing.get_origin(consumer) in _LITERAL_FORMS
    if consumer_literal:
        return _fits_literal_consumer(producer, consumer, producer_literal)
    if producer_literal:
        return all(_value_fits(v, consumer) for v in typing.get_args(producer))
    return _fits_class_or_generic(producer, consumer)


def _fits_literal_consumer(producer: object, consumer: object, producer_literal: bool) -> bool:
    allowed = typing.get_args(consumer)
    if producer_literal:
        return set(typing.get_args(producer)) <= set(allowed)
    return any(_value_fits(v, producer) for v in allowed)


def _value_fits(value: object, annotation: object) -> bool:
    return _is_compatible(type(value), annotation)


def _fits_class_or_generic(producer: object, consumer: object) -> bool:
    producer_origin = typing.get_origin(producer) or producer
    consumer_origin = typing.get_origin(consumer) or consumer
    if not (isinstance(producer_origin, type) and isinstance(consumer_origin, type)):
        return True  # some special form we do not model (Callable signatures, Self ...)
    if not _class_fits(producer_origin, consumer_origin):
        return False
    return _args_fit(producer, consumer)


def _class_fits(producer: type, consumer: type) -> bool:
    if issubclass(producer, consumer):
        return True
    return producer in _NUMERIC_TOWER.get(consumer, ())


def _args_fit(producer: object, consumer: object) -> bool:
    producer_args = _expand_args(producer, typing.get_args(consumer))
    consumer_args = _expand_args(consumer, producer_args)
    if not producer_args or not consumer_args or len(producer_args) != len(consumer_args):
        return True
    pairs = zip(producer_args, consumer_args, strict=True)
    return all(_is_compatible(_normalize(p), _normalize(c)) for p, c in pairs)


def _expand_args(annotation: object, other_args: tuple[object, ...]) -> tuple[object, ...]:
    """Expand ``tuple[X, ...]`` to as many ``X`` as the other side has elements."""
    args = typing.get_args(annotation)
    if len(args) == 2 and args[1] is Ellipsis:
        count = len(other_args) if other_args and other_args[-1] is not Ellipsis else 1
        return (args[0],) * count
    if typing.get_origin(annotation) is _CALLABLE_ORIGIN:
        return ()
    return args
