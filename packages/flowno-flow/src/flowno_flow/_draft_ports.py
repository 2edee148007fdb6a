# pyright: reportPrivateUsage=false
# Rules: the references a draft connection is made of: output and input port
# references, forward-reference placeholders (resolved at the outermost FlowHDL
# exit) and routed ports (`node.on(T)`). Plain data plus argument checks; the
# connecting itself is DraftNode._connect.
"""Draft port references and forward-reference placeholders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from ._build_errors import NodeArgumentError
from ._callsite import user_callsite
from ._route import check_route, normalize_route, route_label

if TYPE_CHECKING:
    from ._draft import AnyDraftNode

__all__ = [
    "DraftInputPortRef",
    "DraftOutputPortRef",
    "NodePlaceholder",
    "OutputPortRefPlaceholder",
    "Source",
]

_T_co = TypeVar("_T_co", covariant=True)


class DraftOutputPortRef(Generic[_T_co]):
    """Output ``port_index`` of a draft node: ``producer.output(k)``.

    Example:
        >>> from flowno_flow import Constant
        >>> Constant(3).output(0)
        Constant#....output(0)
    """

    __slots__ = ("node", "port_index", "route")

    def __init__(self, node: AnyDraftNode, port_index: int, route: type | None = None) -> None:
        self.node: AnyDraftNode = node
        self.port_index: int = port_index
        self.route: type | None = route  # set by node.on(T): fires only for T values

    def connect(self, target: DraftInputPortRef) -> None:
        """Connect this output to ``target`` (``producer.output(k).connect(consumer.input(i))``).

        Args:
            target: The consumer's input port reference.

        Raises:
            PortAlreadyConnectedError: the input port already has a producer.
            NodeArgumentError: ``target`` is not an input port reference.
        """
        _input_target(self, target).node._connect(target.port_index, self)

    def __repr__(self) -> str:
        if self.route is not None:
            return f"{self.node!r}.on({route_label(self.route)})"
        return f"{self.node!r}.output({self.port_index})"


class DraftInputPortRef:
    """Input ``port_index`` of a draft node: ``consumer.input(i)``.

    Example:
        >>> from flowno_flow import Constant
        >>> Constant(3).input  # doctest: +ELLIPSIS
        <bound method DraftNode.input of Constant#...>
    """

    __slots__ = ("node", "port_index")

    def __init__(self, node: AnyDraftNode, port_index: int) -> None:
        self.node: AnyDraftNode = node
        self.port_index: int = port_index

    def __repr__(self) -> str:
        return f"{self.node!r}.input({self.port_index})"


class NodePlaceholder:
    """A forward reference ``f.name`` to a node not defined yet in a FlowHDL block.

    Resolved against the name table of the context it was read from, when the outermost
    ``FlowHDL`` block exits.

    Example:
        >>> NodePlaceholder("later")
        NodePlaceholder(name='later')
    """

    __slots__ = ("created_at", "name", "view")

    def __init__(self, name: str, view: object = None, created_at: str | None = None) -> None:
        self.name: str = name
        self.view: object = view
        self.created_at: str = created_at if created_at is not None else user_callsite(2)

    def output(self, port_index: int) -> OutputPortRefPlaceholder:
        """A forward reference to output ``port_index`` of the named node.

        Args:
            port_index: Output port index (checked at finalization).

        Returns:
            The output reference placeholder.

        Example:
            >>> NodePlaceholder("x").output(1)
            OutputPortRefPlaceholder(name='x', port_index=1)
        """
        _check_index_type(port_index, "output", f"{self.name} (referenced at {self.created_at})")
        return OutputPortRefPlaceholder(self, port_index)

    def on(self, kind: type | None) -> OutputPortRefPlaceholder:
        """A forward reference to the routed port ``kind`` of the named node.

        Args:
            kind: A member of the node's return union (checked at finalization).

        Returns:
            The output reference placeholder.

        Example:
            >>> NodePlaceholder("agent").on(str)
            OutputPortRefPlaceholder(name='agent', route=str)
        """
        route: Any = normalize_route(kind)
        check_route(route, None, False, f"{self.name} (referenced at {self.created_at})")
        return OutputPortRefPlaceholder(self, 0, route)

    def __repr__(self) -> str:
        return f"NodePlaceholder(name={self.name!r})"


class OutputPortRefPlaceholder:
    """A forward reference to output ``port_index`` of the node named ``placeholder.name``.

    Example:
        >>> OutputPortRefPlaceholder(NodePlaceholder("x"), 0).name
        'x'
    """

    __slots__ = ("placeholder", "port_index", "route")

    def __init__(
        self, placeholder: NodePlaceholder, port_index: int, route: type | None = None
    ) -> None:
        self.placeholder: NodePlaceholder = placeholder
        self.port_index: int = port_index
        self.route: type | None = route

    @property
    def name(self) -> str:
        """The referenced name."""
        return self.placeholder.name

    def connect(self, target: DraftInputPortRef) -> None:
        """Connect the (future) output to ``target``; resolved at finalization.

        Args:
            target: The consumer's input port reference.

        Raises:
            NodeArgumentError: ``target`` is not an input port reference.
        """
        _input_target(self, target).node._connect(target.port_index, self)

    def __repr__(self) -> str:
        if self.route is not None:
            return f"OutputPortRefPlaceholder(name={self.name!r}, route={route_label(self.route)})"
        return f"OutputPortRefPlaceholder(name={self.name!r}, port_index={self.port_index})"


def _input_target(source: object, target: object) -> DraftInputPortRef:
    if isinstance(target, DraftInputPortRef):
        return target
    got = f"{type(target).__name__}: {target!r}"
    is_node = hasattr(type(target), "_flowno_spec")
    hint = f"{target!r}.input(i)" if is_node else "consumer.input(i)"
    raise NodeArgumentError(
        f"{source!r}.connect() at {user_callsite()} needs an input port reference such as "
        f"{hint}, got {got}"
    )


def _check_index_type(port_index: object, what: str, label: str) -> None:
    if not isinstance(port_index, int) or isinstance(port_index, bool):
        raise NodeArgumentError(
            f"{label}: {what} port index must be an int, got {type(port_index).__name__} "
            f"{port_index!r} (at {user_callsite()})"
        )


#: What an input port can be connected to while drafting.
Source: TypeAlias = "DraftOutputPortRef[Any] | OutputPortRefPlaceholder"
