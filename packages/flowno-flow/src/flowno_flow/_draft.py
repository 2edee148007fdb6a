# Rules: draft nodes are pure descriptions of connections; they hold no data and never
# run. A draft registers with the innermost open FlowHDL context *before* the Constant
# nodes made for its own literal arguments. Every connection is checked when it is made
# (port exists, output index exists when the output count is known, producer not already
# finalized); forward references are resolved later, at the outermost FlowHDL exit.
# pyright: reportPrivateUsage=false
"""DraftNode, its port references, forward-reference placeholders and Constant."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar, cast, overload

from typing_extensions import TypeVarTuple, Unpack

from ._binding import PortSpec, bind_arguments
from ._build_context import current_registry
from ._build_errors import (
    NodeReuseError,
    OutputPortError,
    PortAlreadyConnectedError,
)
from ._callsite import user_callsite
from ._draft_ports import (
    DraftInputPortRef,
    DraftOutputPortRef,
    NodePlaceholder,
    OutputPortRefPlaceholder,
    Source,
    _check_index_type,
)
from ._node_spec import EMPTY, NodeSpec
from ._route import check_route, normalize_route

if TYPE_CHECKING:
    from ._finalized import FinalizedNode

__all__ = [
    "AnyDraftNode",
    "Constant",
    "DraftInputPortRef",
    "DraftNode",
    "DraftOutputPortRef",
    "NodePlaceholder",
    "OutputPortRefPlaceholder",
    "Source",
    "SuperNode",
]

_logger = logging.getLogger("flowno.flow")

_Ts = TypeVarTuple("_Ts")
_ReturnTupleT_co = TypeVar("_ReturnTupleT_co", covariant=True)
_T_co = TypeVar("_T_co", covariant=True)
_K = TypeVar("_K")


class DraftNode(Generic[Unpack[_Ts], _ReturnTupleT_co]):
    """Base class of every connectable draft node (built by calling an ``@node`` class).

    A draft only records connections; when the ``FlowHDL`` block exits it is replaced
    by a ``FinalizedNode`` that the engine runs. Do not subclass it directly: use
    ``@node``.

    Example:
        >>> from flowno_flow import node
        >>> @node
        ... async def AddNode(a: int, b: int) -> int:
        ...     return a + b
        >>> d = AddNode(1, 2)
        >>> isinstance(d, DraftNode), [repr(n)[:9] for n in d.get_input_nodes()]
        (True, ['Constant#', 'Constant#'])
    """

    _flowno_spec: ClassVar[NodeSpec]
    _flowno_counter: ClassVar[Iterator[int]]
    _flowno_is_finalized: ClassVar[bool] = False
    _flowno_quiet: ClassVar[bool] = False
    _flowno_policies: ClassVar[tuple[Any, ...]] = ()  # @node(retry=, timeout=, policies=)
    _flowno_item_timeout: ClassVar[float | None] = None  # timeout= of a streaming node
    _flowno_id: int
    _created_at: str

    def __init__(self, *args: Unpack[_Ts], **kwargs: object) -> None:
        self._flowno_init(args, kwargs)

    def _flowno_init(self, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        spec = type(self)._flowno_spec
        self._flowno_id = next(type(self)._flowno_counter)
        self._created_at = user_callsite(3)
        binding = bind_arguments(self._label, spec.params, args, kwargs)
        self._ports: tuple[PortSpec, ...] = binding.ports
        self._sources: list[Source | None] = [None] * len(binding.ports)
        self._consumers: list[tuple[AnyDraftNode, int, int]] = []
        self._finalized: FinalizedNode[Unpack[tuple[Any, ...]], Any] | None = None
        self._view: object = None
        self._flowno_state: object = self._flowno_make_state()
        for index, value in binding.values.items():
            _check_argument(value, self, index)
        registry = current_registry()
        if registry is None and not type(self)._flowno_quiet:
            _logger.warning(
                "%r created outside of a FlowHDL context at %s; it joins the flow it is first "
                "connected into",
                self,
                self._created_at,
            )
        elif registry is not None:
            registry._register_draft(self)
        for index, value in binding.values.items():
            self._connect(index, _as_source(value))

    def _flowno_make_state(self) -> object:
        return None

    def _flowno_accumulator(self) -> Callable[[object, object], object] | None:
        return None

    @property
    def _label(self) -> str:
        return f"{self!r} (created at {self._created_at})"

    def _port_label(self, port_index: int) -> str:
        name = self._ports[port_index].name
        return f"{self!r}.input({port_index}) ({name!r}, node created at {self._created_at})"

    def output(self, port_index: int) -> DraftOutputPortRef[Any]:
        """Reference output ``port_index`` (to pass as an argument or ``.connect``).

        Args:
            port_index: Output index; checked now when the node's output count is known.

        Returns:
            The output reference.

        Raises:
            OutputPortError: the node has no such output.
        """
        self._check_output_index(port_index, self._label)
        return DraftOutputPortRef(self, port_index)

    @overload
    def on(self, kind: None) -> DraftOutputPortRef[None]: ...
    @overload
    def on(self, kind: type[_K]) -> DraftOutputPortRef[_K]: ...
    def on(self, kind: type[_K] | None) -> DraftOutputPortRef[Any]:
        """The routed port of type ``kind``: it fires only when the node returns a ``kind``.

        The node's return annotation must be a union with ``kind`` as a member
        (``-> ToolCall | Answer``, or ``-> str | None`` for a "maybe" output).

        Args:
            kind: A member class of the return union (``None`` for ``NoneType``; the class
                ``list`` for a generic member ``list[int]``).

        Returns:
            The output reference (typed ``kind`` for type checkers).

        Raises:
            OutputPortError: the node does not return a union with ``kind`` in it.

        Example:
            >>> from flowno_flow import node
            >>> @node
            ... async def Parse(text: str) -> int | None:
            ...     return int(text) if text.isdigit() else None
            >>> Parse("7").on(int)
            Parse#....on(int)
        """
        route: Any = normalize_route(kind)
        self._check_route(route, self._label)
        ref: DraftOutputPortRef[Any] = DraftOutputPortRef(self, 0, route)
        return ref

    def input(self, port_index: int) -> DraftInputPortRef:
        """Reference input ``port_index`` (the target of ``producer.output(k).connect``).

        Args:
            port_index: Input index.

        Returns:
            The input reference.

        Raises:
            OutputPortError: the node has no such input.
        """
        _check_index_type(port_index, "input", self._label)
        if not 0 <= port_index < len(self._ports):
            names = ", ".join(f"{p.index}={p.name}" for p in self._ports) or "none"
            raise OutputPortError(f"{self._label} has no input {port_index} (inputs: {names})")
        return DraftInputPortRef(self, port_index)

    def get_input_nodes(self) -> list[AnyDraftNode]:
        """The producers connected to this node's inputs, in port order.

        Returns:
            One entry per connected (resolved) input port.
        """
        return [s.node for s in self._sources if isinstance(s, DraftOutputPortRef)]

    def get_output_nodes(self) -> list[AnyDraftNode]:
        """The consumers of this node, once per connection, in connection order.

        Returns:
            The consumer nodes.
        """
        return [consumer for consumer, _, _ in self._consumers]

    def get_data(self, run_level: int = 0) -> tuple[object, ...] | None:
        """Drafts hold no data.

        Args:
            run_level: Ignored.

        Raises:
            NotImplementedError: always; use the finalized node after the ``with`` block.
        """
        raise NotImplementedError(
            f"{self!r} is a draft node and holds no data (node created at {self._created_at}; "
            f"get_data called at {user_callsite()}); read it after the FlowHDL block"
        )

    def _blank_finalized(self) -> FinalizedNode[Unpack[tuple[Any, ...]], Any]:
        """A finalized twin with no connections (to drive a ``Flow`` without FlowHDL).

        Returns:
            A new FinalizedNode whose ports are all unconnected.
        """
        from ._finalized import FinalizedNode

        return FinalizedNode(self)

    def _check_output_index(self, port_index: int, label: str) -> None:
        _check_index_type(port_index, "output", label)
        count = type(self)._flowno_spec.output_count
        if port_index < 0 or (count is not None and port_index >= count):
            known = "unknown" if count is None else str(count)
            raise OutputPortError(f"{label} has no output {port_index} (it has {known} output(s))")

    def _check_route(self, route: object, label: str) -> None:
        spec = type(self)._flowno_spec
        annotation = spec.output_port_annotation(0)
        check_route(route, annotation, annotation is not EMPTY and not spec.multiple_outputs, label)
        if spec.multiple_outputs:
            raise OutputPortError(
                f"{label}.on(...): a node with multiple_outputs=True does not route by type"
            )

    def _connect(self, port_index: int, source: Source) -> None:
        self.input(port_index)
        current = self._sources[port_index]
        if current is not None:
            raise PortAlreadyConnectedError(
                f"{self._port_label(port_index)} is already connected to {current!r}"
            )
        if isinstance(source, DraftOutputPortRef):
            producer = source.node
            _check_not_finalized(producer, self, port_index)
            feeding = f"{producer._label} (feeding {self._port_label(port_index)})"
            producer._check_output_index(source.port_index, feeding)
            if source.route is not None:
                producer._check_route(source.route, feeding)
            producer._consumers.append((self, port_index, source.port_index))
        self._sources[port_index] = source

    def _flowno_call(self, args: tuple[object, ...], kwargs: dict[str, object]) -> Any:
        state = self._flowno_state
        if state is not None:
            return state.call(*args, **kwargs)  # type: ignore[attr-defined]
        return type(self)._flowno_spec.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self)._flowno_spec.name}#{self._flowno_id}"


#: A draft node of any signature.
AnyDraftNode: TypeAlias = "DraftNode[Unpack[tuple[Any, ...]], Any]"


def is_finalized_node(value: object) -> bool:
    """Whether ``value`` is a FinalizedNode (without importing it).

    Args:
        value: Anything.

    Returns:
        True for finalized nodes.

    Example:
        >>> is_finalized_node(3)
        False
    """
    return bool(getattr(type(value), "_flowno_is_finalized", False))


def as_draft(value: object) -> AnyDraftNode | None:
    """``value`` as a draft node, or ``None`` if it is not one.

    Args:
        value: Anything.

    Returns:
        The draft or ``None``.

    Example:
        >>> as_draft(3) is None
        True
    """
    if not isinstance(value, DraftNode):
        return None
    node: AnyDraftNode = cast(Any, value)
    return node


def _check_not_finalized(producer: AnyDraftNode, consumer: AnyDraftNode, port_index: int) -> None:
    if producer._finalized is not None:
        raise NodeReuseError(
            f"{producer!r} (created at {producer._created_at}) already belongs to a finalized flow; "
            f"it cannot feed {consumer._port_label(port_index)}. Create a new node instead."
        )


def _check_argument(value: object, consumer: AnyDraftNode, port_index: int) -> None:
    if is_finalized_node(value) or is_finalized_node(getattr(value, "node", None)):
        raise NodeReuseError(
            f"{value!r} is a finalized node of another flow; it cannot feed "
            f"{consumer._port_label(port_index)}. Create a new node instead."
        )
    ref = as_output_ref(value)
    draft = as_draft(value if ref is None else ref.node)
    if draft is not None:
        _check_not_finalized(draft, consumer, port_index)


def as_output_ref(value: object) -> DraftOutputPortRef[Any] | None:
    """``value`` as a draft output reference, or ``None`` if it is not one.

    Args:
        value: Anything.

    Returns:
        The reference or ``None``.

    Example:
        >>> as_output_ref("x") is None
        True
    """
    if not isinstance(value, DraftOutputPortRef):
        return None
    ref: DraftOutputPortRef[Any] = cast(Any, value)
    return ref


def _as_source(value: object) -> Source:
    if isinstance(value, DraftNode):
        return value.output(0)
    ref = as_output_ref(value)
    if ref is not None:
        return ref
    if isinstance(value, OutputPortRefPlaceholder):
        return value
    if isinstance(value, NodePlaceholder):
        return value.output(0)
    return Constant(value).output(0)


async def _constant_placeholder() -> object:  # pragma: no cover - never called
    return None


class Constant(DraftNode[Unpack[tuple[()]], tuple[object]]):
    """A node with no inputs that outputs ``value``: made for every literal argument.

    Example:
        >>> c = Constant(42)
        >>> c.value, repr(c).startswith("Constant#")
        (42, True)
    """

    _flowno_spec = NodeSpec(
        name="Constant",
        func=_constant_placeholder,
        params=(),
        is_streaming=False,
        is_class=False,
        multiple_outputs=False,
        output_annotation=EMPTY,
        output_port_annotations=None,
        defined_at="<flowno>",
    )
    _flowno_counter = itertools.count()
    _flowno_quiet = True

    def __init__(self, value: object) -> None:
        self.value = value
        self._flowno_init((), {})

    def _flowno_call(self, args: tuple[object, ...], kwargs: dict[str, object]) -> Any:
        return _return_value(self.value)


async def _return_value(value: object) -> object:
    return value


class SuperNode:
    """Kept importable for compatibility (``flowno.core.node_base.SuperNode``); unused.

    Example:
        >>> SuperNode.__name__
        'SuperNode'
    """
