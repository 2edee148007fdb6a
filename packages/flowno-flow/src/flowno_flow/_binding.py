# Rules: pure argument binding. Maps a node call's positional and keyword arguments to
# input ports (one port per parameter; one per extra *args value; one per extra **kwargs
# key). Raises NodeArgumentError naming the node, the argument and the call site.
"""Bind node-call arguments to input ports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._build_errors import NodeArgumentError, did_you_mean
from ._node_spec import EMPTY, ParamKind, ParamSpec

__all__ = ["Binding", "PortSpec", "bind_arguments"]


@dataclass(frozen=True)
class PortSpec:
    """One input port of one draft node.

    ``key`` is the keyword used to pass the value for keyword-only and ``**kwargs``
    ports (``None`` for positional ports).

    Example:
        >>> PortSpec(0, "x", "positional", None, int, False, EMPTY, False).label
        'x'
    """

    index: int
    name: str
    kind: ParamKind
    key: str | None
    annotation: Any
    has_default: bool
    default: Any
    stream_in: bool

    @property
    def label(self) -> str:
        """The port's name as shown in messages."""
        return self.name

    @classmethod
    def of(
        cls, index: int, param: ParamSpec, name: str | None = None, key: str | None = None
    ) -> PortSpec:
        """Make the port for ``param`` (``name``/``key`` for ``*args``/``**kwargs`` ports).

        Args:
            index: Port index.
            param: The parameter.
            name: Port name (default: the parameter name).
            key: Keyword to pass the value with.

        Returns:
            The port.
        """
        variadic = param.kind in ("var_positional", "var_keyword")
        return cls(
            index=index,
            name=name or param.name,
            kind=param.kind,
            key=key,
            annotation=param.annotation,
            has_default=param.has_default and not variadic,
            default=param.default if not variadic else EMPTY,
            stream_in=param.stream_in,
        )


@dataclass(frozen=True)
class Binding:
    """The ports of one node instance and the argument given for each bound port."""

    ports: tuple[PortSpec, ...]
    values: dict[int, object]


def bind_arguments(
    node_label: str,
    params: Sequence[ParamSpec],
    args: Sequence[object],
    kwargs: Mapping[str, object],
) -> Binding:
    """Map ``args``/``kwargs`` of a call ``Node(*args, **kwargs)`` to ports.

    Args:
        node_label: ``"Add#0 (created at file:line)"`` for messages.
        params: The node's parameters.
        args: Positional arguments.
        kwargs: Keyword arguments.

    Returns:
        The ports and the values bound to them.

    Raises:
        NodeArgumentError: too many positional arguments, an unknown or duplicated keyword,
            a positional-only parameter passed by keyword.

    Example:
        >>> from flowno_flow._node_spec import ParamSpec
        >>> ps = [ParamSpec("a", "positional", int, False, EMPTY, False, False),
        ...       ParamSpec("b", "keyword", int, True, 2, False, False)]
        >>> b = bind_arguments("F#0", ps, [1], {"b": 3})
        >>> [(p.name, p.key) for p in b.ports], b.values
        ([('a', None), ('b', 'b')], {0: 1, 1: 3})
    """
    positional = [p for p in params if p.kind == "positional"]
    star = next((p for p in params if p.kind == "var_positional"), None)
    keyword_only = [p for p in params if p.kind == "keyword"]
    var_keyword = next((p for p in params if p.kind == "var_keyword"), None)
    if len(args) > len(positional) and star is None:
        names = ", ".join(p.name for p in positional) or "no parameters"
        raise NodeArgumentError(
            f"{node_label} takes {len(positional)} positional argument(s) ({names}) "
            f"but {len(args)} were given"
        )
    ports = [PortSpec.of(i, p) for i, p in enumerate(positional)]
    values: dict[int, object] = dict(enumerate(args[: len(positional)]))
    if star is not None:
        for extra in args[len(positional) :]:
            values[len(ports)] = extra
            ports.append(
                PortSpec.of(len(ports), star, name=f"{star.name}[{len(ports) - len(positional)}]")
            )
    for param in keyword_only:
        ports.append(PortSpec.of(len(ports), param, key=param.name))
    by_name = {port.name: port for port in ports if port.kind in ("positional", "keyword")}
    for key, value in kwargs.items():
        port = _keyword_port(node_label, key, by_name, positional, values)
        if port is None:
            if var_keyword is None:
                raise NodeArgumentError(
                    f"{node_label} got an unexpected keyword argument {key!r}"
                    f"{did_you_mean(key, [p.name for p in params])}"
                )
            port = PortSpec.of(
                len(ports), var_keyword, name=f"{var_keyword.name}[{key!r}]", key=key
            )
            ports.append(port)
        values[port.index] = value
    return Binding(tuple(ports), values)


def _keyword_port(
    node_label: str,
    key: str,
    by_name: Mapping[str, PortSpec],
    positional: Sequence[ParamSpec],
    values: Mapping[int, object],
) -> PortSpec | None:
    port = by_name.get(key)
    if port is None:
        return None
    if port.kind == "positional" and positional[port.index].positional_only:
        raise NodeArgumentError(
            f"{node_label}: parameter {key!r} is positional-only; pass it by position"
        )
    if port.index in values:
        raise NodeArgumentError(f"{node_label} got multiple values for argument {key!r}")
    return port
