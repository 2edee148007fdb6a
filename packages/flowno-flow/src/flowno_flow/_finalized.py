# Rules: the runtime twin of a draft, built only by finalization (or _blank_finalized).
# Static facts (ports, wiring, outputs, how to call the user function) are fixed at
# finalization; runtime data lives in self._state (the engine's NodeState) and is
# O(1) per access. Unknown attribute reads and public writes forward to the draft.
# pyright: reportPrivateUsage=false
"""FinalizedNode and the finalized port types."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from typing_extensions import TypeVarTuple, Unpack

from ._binding import PortSpec
from ._node_spec import ParamKind
from ._node_state import NodeState
from ._route import route_label
from ._types import Generation

if TYPE_CHECKING:
    from ._draft import AnyDraftNode

__all__ = [
    "AnyFinalizedNode",
    "FinalizedInputPort",
    "FinalizedInputPortRef",
    "FinalizedNode",
    "FinalizedOutputPortRef",
]

_Ts = TypeVarTuple("_Ts")
_ReturnTupleT_co = TypeVar("_ReturnTupleT_co", covariant=True)
_T = TypeVar("_T")

#: A finalized node of any signature.
AnyFinalizedNode: TypeAlias = "FinalizedNode[Unpack[tuple[Any, ...]], Any]"


@dataclass(frozen=True, eq=True)
class FinalizedOutputPortRef(Generic[_T]):
    """Output ``port_index`` of a finalized node.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> @node
        ... async def Mul(a: int, b: int) -> int:
        ...     return a * b
        >>> with FlowHDL() as f:
        ...     f.product = Mul(2, 3)
        >>> ref = f.product.output(0)
        >>> isinstance(ref, FinalizedOutputPortRef), ref.node is f.product, ref.port_index
        (True, True, 0)
    """

    node: AnyFinalizedNode
    port_index: int
    route: type | None = None  # a routed port (``node.on(T)``) fires only for T values

    def __repr__(self) -> str:
        if self.route is not None:
            return f"{self.node!r}.on({route_label(self.route)})"
        return f"{self.node!r}.output({self.port_index})"


@dataclass(frozen=True, eq=True)
class FinalizedInputPortRef(Generic[_T]):
    """Input ``port_index`` of a finalized node.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> @node
        ... async def Neg(x: int) -> int:
        ...     return -x
        >>> with FlowHDL() as f:
        ...     f.negated = Neg(1)
        >>> ref = f.negated.input(0)
        >>> isinstance(ref, FinalizedInputPortRef), ref.node is f.negated, ref.port_index
        (True, True, 0)
    """

    node: AnyFinalizedNode
    port_index: int

    def __repr__(self) -> str:
        return f"{self.node!r}.input({self.port_index})"


@dataclass(eq=False)
class FinalizedInputPort:
    """Static description of one input port of a finalized node (engine: read-only).

    ``stitch_level_0`` reads/writes the owner's ``NodeState`` stitch level for this port.

    Example:
        >>> p = FinalizedInputPort(0, "x", "positional", None, int, False, None, False)
        >>> p.minimum_run_level, p.connected
        (0, None)
    """

    index: int
    name: str
    kind: ParamKind
    key: str | None
    annotation: Any
    has_default: bool
    default: Any
    stream_in: bool
    connected: FinalizedOutputPortRef[Any] | None = None
    _state: NodeState | None = field(default=None, repr=False)

    @property
    def minimum_run_level(self) -> int:
        """1 for ``stream_in`` ports (they consume chunks), else 0."""
        return 1 if self.stream_in else 0

    @property
    def stitch_level_0(self) -> int:
        """How many times the engine fed this port its default to break a cycle."""
        return 0 if self._state is None else self._state.stitch_level(self.index)

    @stitch_level_0.setter
    def stitch_level_0(self, level: int) -> None:
        if self._state is None:
            raise RuntimeError(f"input port {self.name!r} belongs to no finalized node")
        self._state.set_stitch_level(self.index, level)

    @classmethod
    def of(cls, port: PortSpec, state: NodeState) -> FinalizedInputPort:
        """The finalized (not yet wired) twin of a draft port.

        Args:
            port: The draft port.
            state: The owner's runtime state.

        Returns:
            The finalized port, ``connected=None``.
        """
        return cls(
            port.index,
            port.name,
            port.kind,
            port.key,
            port.annotation,
            port.has_default,
            port.default,
            port.stream_in,
            None,
            state,
        )


_NO_KEYWORDS: dict[str, object] = {}  # the keyword arguments of a call without any (only unpacked)

_OWN_FIELDS = frozenset(
    {
        "draft",
        "name",
        "created_at",
        "defined_at",
        "input_ports",
        "consumers",
        "output_count",
        "multiple_outputs",
        "is_streaming",
        "output_annotation",
        "accumulator",
    }
)


class FinalizedNode(Generic[Unpack[_Ts], _ReturnTupleT_co]):
    """The runtime twin of a draft node, created when the ``FlowHDL`` block exits.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> @node
        ... async def Neg(v: int = 1) -> int:
        ...     return -v
        >>> with FlowHDL() as f:
        ...     f.neg = Neg(2)
        >>> fin = f.neg
        >>> fin.generation, fin.get_data()
        (None, None)
        >>> f.run_until_complete()
        >>> fin.generation, fin.get_data()
        ((0,), (-2,))
    """

    _flowno_is_finalized: ClassVar[bool] = True
    _state: NodeState
    _positional_count: int
    _keyword_ports: tuple[tuple[int, str], ...]

    draft: AnyDraftNode
    name: str
    created_at: str
    defined_at: str
    input_ports: tuple[FinalizedInputPort, ...]
    consumers: list[tuple[FinalizedNode[Unpack[tuple[Any, ...]], Any], int, int]]
    output_count: int | None
    multiple_outputs: bool
    is_streaming: bool
    output_annotation: Any
    accumulator: Callable[[object, object], object] | None

    def __init__(self, draft: AnyDraftNode) -> None:
        spec = type(draft)._flowno_spec
        state = NodeState()
        ports = tuple(FinalizedInputPort.of(port, state) for port in draft._ports)
        own = object.__setattr__
        own(self, "_state", state)
        own(self, "draft", draft)
        own(self, "name", repr(draft))
        own(self, "created_at", draft._created_at)
        own(self, "defined_at", spec.defined_at)
        own(self, "input_ports", ports)
        own(self, "consumers", [])
        own(self, "output_count", spec.output_count)
        own(self, "multiple_outputs", spec.multiple_outputs)
        own(self, "is_streaming", spec.is_streaming)
        own(self, "output_annotation", spec.output_annotation)
        own(self, "accumulator", draft._flowno_accumulator())
        own(self, "_positional_count", sum(1 for p in ports if p.key is None))
        own(self, "_keyword_ports", tuple((p.index, p.key) for p in ports if p.key is not None))

    @property
    def _input_ports(self) -> tuple[FinalizedInputPort, ...]:
        return self.input_ports

    @property
    def generation(self) -> Generation:
        """The newest generation this node produced (``None`` before its first output)."""
        return self._state.generation

    def get_data(self, run_level: int = 0) -> tuple[object, ...] | None:
        """The data tuple complete at ``run_level``, or ``None``.

        Args:
            run_level: 0 for final results, 1 for the current stream chunk.

        Returns:
            One element per output port, or ``None``.
        """
        return self._state.get_data(run_level)

    def push_data(self, data: tuple[object, ...] | None, run_level: int = 0) -> tuple[int, ...]:
        """Store ``data`` as the newest output at ``run_level`` (engine use).

        Args:
            data: One element per output port; ``None`` for a stream that yielded nothing.
            run_level: 0 for final results, 1 for stream chunks.

        Returns:
            The new generation.
        """
        return self._state.push_data(data, run_level)

    def output_port_annotation(self, port_index: int) -> Any:
        """The annotated type of output ``port_index`` (``inspect.Parameter.empty`` if unknown).

        Args:
            port_index: Output index.

        Returns:
            The annotation.
        """
        return type(self.draft)._flowno_spec.output_port_annotation(port_index)

    def output(self, port_index: int) -> FinalizedOutputPortRef[Any]:
        """Reference output ``port_index``.

        Args:
            port_index: Output index.

        Returns:
            The reference.
        """
        return FinalizedOutputPortRef(self, port_index)

    def input(self, port_index: int) -> FinalizedInputPortRef[Any]:
        """Reference input ``port_index``.

        Args:
            port_index: Input index.

        Returns:
            The reference.
        """
        return FinalizedInputPortRef(self, port_index)

    def invoke(
        self, values: Sequence[object]
    ) -> Coroutine[Any, Any, Any] | AsyncGenerator[Any, Any]:
        """Call the user function with one value per input port (engine use).

        Positional and ``*args`` ports are passed by position, keyword-only and
        ``**kwargs`` ports by keyword.

        Args:
            values: One value per input port, in port order.

        Returns:
            The coroutine (mono node) or async generator (streaming node).
        """
        # plain attribute reads: touching ``self.__dict__`` would materialize a
        # GC-tracked dict per node for the rest of its life
        keywords = self._keyword_ports
        if keywords:
            args = tuple(values[: self._positional_count])
            kwargs = {key: values[index] for index, key in keywords}
        else:  # positional ports only (they come first): no slice, no new dict
            args, kwargs = tuple(values), _NO_KEYWORDS
        result: Any = self.draft._flowno_call(args, kwargs)
        return result  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        draft = self.__dict__.get("draft")
        if draft is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(draft, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in _OWN_FIELDS:
            object.__setattr__(self, name, value)
        else:
            setattr(self.draft, name, value)

    def __repr__(self) -> str:
        return self.name
