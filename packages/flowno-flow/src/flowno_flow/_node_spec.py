# Rules: pure description of a node *kind* (what @node learned from the user's function
# or class): parameters, streaming-ness, outputs and their annotations. Built once at
# decoration; immutable; no graph state here.
"""NodeSpec / ParamSpec: what a decorated function or class declares."""

from __future__ import annotations

import collections.abc
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from ._typecheck import resolved_annotations, type_label

__all__ = ["EMPTY", "NodeSpec", "ParamKind", "ParamSpec", "item_type", "output_types"]

#: Marker for "no annotation" / "no default" (``inspect.Parameter.empty``).
EMPTY: Any = inspect.Parameter.empty

ParamKind: TypeAlias = Literal["positional", "var_positional", "keyword", "var_keyword"]

_KINDS: dict[Any, ParamKind] = {
    inspect.Parameter.POSITIONAL_ONLY: "positional",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
    inspect.Parameter.VAR_POSITIONAL: "var_positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a node function (``self`` excluded).

    Example:
        >>> ParamSpec("x", "positional", int, False, EMPTY, False, False).name
        'x'
    """

    name: str
    kind: ParamKind
    annotation: Any
    has_default: bool
    default: Any
    stream_in: bool
    positional_only: bool

    def render(self) -> str:
        """Render as in a signature: ``x: int = 3`` (unannotated shows ``Any``).

        Returns:
            The parameter's text.

        Example:
            >>> ParamSpec("label", "positional", str, True, "p", False, False).render()
            'label: str = p'
        """
        star = {"var_positional": "*", "var_keyword": "**"}.get(self.kind, "")
        text = f"{star}{self.name}: {render_annotation(self.annotation)}"
        return f"{text} = {self.default}" if self.has_default else text


@dataclass(frozen=True)
class NodeSpec:
    """Everything ``@node`` learned about one node kind.

    Example:
        >>> async def Add(a: int, b: int = 1) -> int:
        ...     return a + b
        >>> spec = NodeSpec.from_function(Add, multiple_outputs=False, stream_in=(),
        ...                               defined_at="x.py:1")
        >>> [p.name for p in spec.params], spec.output_count, spec.is_streaming
        (['a', 'b'], 1, False)
    """

    name: str
    func: Callable[..., Any]
    params: tuple[ParamSpec, ...]
    is_streaming: bool
    is_class: bool
    multiple_outputs: bool
    output_annotation: Any
    output_port_annotations: tuple[Any, ...] | None
    defined_at: str

    @property
    def output_count(self) -> int | None:
        """1 for single-output nodes; the annotated tuple length or ``None`` otherwise."""
        if not self.multiple_outputs:
            return 1
        ports = self.output_port_annotations
        return None if ports is None else len(ports)

    def output_port_annotation(self, index: int) -> Any:
        """The annotation of output ``index`` (``EMPTY`` when unknown).

        Args:
            index: Output port index.

        Returns:
            The type, or ``EMPTY``.

        Example:
            >>> async def F() -> int:
            ...     return 1
            >>> NodeSpec.from_function(F, multiple_outputs=False, stream_in=(),
            ...                        defined_at="x.py:1").output_port_annotation(0)
            <class 'int'>
        """
        if not self.multiple_outputs:
            return self.output_annotation if index == 0 else EMPTY
        ports = self.output_port_annotations
        if ports is None or not 0 <= index < len(ports):
            return EMPTY
        return ports[index]

    @classmethod
    def from_function(
        cls,
        func: Callable[..., Any],
        *,
        multiple_outputs: bool,
        stream_in: collections.abc.Iterable[str],
        defined_at: str,
        name: str | None = None,
        is_class: bool = False,
    ) -> NodeSpec:
        """Describe ``func`` (for a class node: its ``call``; ``self`` is skipped).

        Args:
            func: The async function or async generator function.
            multiple_outputs: Whether results are output tuples used as-is.
            stream_in: Parameter names (already validated) that receive streams.
            defined_at: ``"file:line"`` of the definition.
            name: The node name (default ``func.__name__``).
            is_class: Whether ``func`` is a class's ``call`` (skip ``self``).

        Returns:
            The spec.
        """
        hints = _type_hints(func)
        signature = inspect.signature(func)
        wanted = frozenset(stream_in)
        params = [
            _param_spec(p, hints, wanted)
            for p in list(signature.parameters.values())[1 if is_class else 0 :]
        ]
        streaming = inspect.isasyncgenfunction(func)
        returned = hints.get("return", signature.return_annotation)
        out = item_type(returned) if streaming else returned
        return cls(
            name=name or func.__name__,
            func=func,
            params=tuple(params),
            is_streaming=streaming,
            is_class=is_class,
            multiple_outputs=multiple_outputs,
            output_annotation=out,
            output_port_annotations=output_types(out) if multiple_outputs else None,
            defined_at=defined_at,
        )


def _type_hints(func: Callable[..., Any]) -> dict[str, Any]:
    # Shared with the type checks: resolves names one by one; unresolvable ones stay strings.
    return dict(resolved_annotations(func))


def _param_spec(
    param: inspect.Parameter, hints: dict[str, Any], stream_in: frozenset[str]
) -> ParamSpec:
    annotation = hints.get(param.name, param.annotation)
    return ParamSpec(
        name=param.name,
        kind=_KINDS[param.kind],
        annotation=annotation,
        has_default=param.default is not EMPTY,
        default=param.default,
        stream_in=param.name in stream_in,
        positional_only=param.kind is inspect.Parameter.POSITIONAL_ONLY,
    )


_GENERATOR_ORIGINS = (
    collections.abc.AsyncGenerator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
)


def item_type(annotation: Any) -> Any:
    """The yielded type of an async generator annotation (``EMPTY`` if unknown).

    Args:
        annotation: e.g. ``AsyncGenerator[int, None]``.

    Returns:
        The item type.

    Example:
        >>> from collections.abc import AsyncGenerator
        >>> item_type(AsyncGenerator[str, None])
        <class 'str'>
    """
    if typing.get_origin(annotation) in _GENERATOR_ORIGINS:
        args = typing.get_args(annotation)
        return args[0] if args else EMPTY
    return EMPTY


def output_types(annotation: Any) -> tuple[Any, ...] | None:
    """Per-port types of a ``multiple_outputs`` annotation ``tuple[A, B]`` (else ``None``).

    Args:
        annotation: The return (or yielded) annotation.

    Returns:
        One type per output, or ``None`` when the count is not fixed.

    Example:
        >>> output_types(tuple[int, str])
        (<class 'int'>, <class 'str'>)
        >>> output_types(tuple[int, ...]) is None
        True
    """
    if typing.get_origin(annotation) is not tuple:
        return None
    args = typing.get_args(annotation)
    if len(args) == 2 and args[1] is Ellipsis:
        return None
    if args == ((),):
        return ()
    return tuple(args)


def render_annotation(annotation: Any) -> str:
    """Render an annotation for messages: ``int``, ``list[int]``; ``Any`` when absent.

    Args:
        annotation: A type, typing construct, string or ``EMPTY``.

    Returns:
        Short text (``_typecheck.type_label``; unresolved strings are shown as written).

    Example:
        >>> render_annotation(int), render_annotation(EMPTY), render_annotation(list[int])
        ('int', 'Any', 'list[int]')
    """
    if annotation is EMPTY:
        return "Any"
    if isinstance(annotation, str):
        return annotation
    return type_label(annotation)
