# Rules: the flow-level instrumentation hooks. Every
# hook of FlowInstrument is a no-op; the active instrument lives in a ContextVar
# and is looked up at the moment of each event. Hook errors are not swallowed:
# the engine treats them like node errors.
"""FlowInstrument and the provided instruments (print, log, minimal)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Final

from typing_extensions import Self

if TYPE_CHECKING:
    from ._finalized import AnyFinalizedNode, FinalizedInputPortRef
    from ._flow import Flow
    from ._status import AnyStatus
    from ._stream import Stream

__all__ = [
    "NO_OP_INSTRUMENT",
    "FlowInstrument",
    "LogInstrument",
    "MinimalInstrument",
    "PrintInstrument",
    "get_current_flow_instrument",
]

_logger = logging.getLogger("flowno.flow")


class FlowInstrument:
    """Base class of flow instruments: override the hooks you need.

    Activate with ``with MyInstrument(): ...``; the innermost active instrument
    receives the events (no chaining).

    Example:
        >>> class Count(FlowInstrument):
        ...     n = 0
        ...     def on_flow_start(self, flow: object) -> None:
        ...         self.n += 1
        >>> with Count() as c:
        ...     get_current_flow_instrument() is c
        True
        >>> get_current_flow_instrument() is NO_OP_INSTRUMENT
        True
    """

    _token: Token[FlowInstrument] | None = None

    def __enter__(self) -> Self:
        self._token = _current_instrument.set(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _current_instrument.reset(self._token)
            self._token = None

    # --- flow-level events -------------------------------------------------
    def on_flow_start(self, flow: Flow) -> None:
        """The run starts (``run_until_complete`` entered the loop)."""

    def on_flow_end(self, flow: Flow) -> None:
        """The run ends (always: normal completion, error or limit)."""

    def on_node_registered(self, flow: Flow, node: AnyFinalizedNode) -> None:
        """``Flow.add_node`` registered ``node``."""

    def on_node_visited(self, flow: Flow, node: AnyFinalizedNode) -> None:
        """``node`` appears in a solution set."""

    def on_resolution_queue_put(self, flow: Flow, node: AnyFinalizedNode) -> None:
        """A demand for ``node`` was queued."""

    def on_resolution_queue_get(self, flow: Flow, node: AnyFinalizedNode) -> None:
        """A demand for ``node`` was taken from the queue."""

    def on_solving_nodes(
        self, flow: Flow, head_node: AnyFinalizedNode, solution_nodes: list[AnyFinalizedNode]
    ) -> None:
        """The nodes to run for a demand were computed."""

    def on_node_status_change(
        self, flow: Flow, node: AnyFinalizedNode, old: AnyStatus, new: AnyStatus
    ) -> None:
        """A node's task status changed."""

    def on_node_stalled(
        self, flow: Flow, node: AnyFinalizedNode, stalled_input: FinalizedInputPortRef[Any]
    ) -> None:
        """A stream consumer waits for its producer's next chunk."""

    def on_node_emitted_data(
        self, flow: Flow, node: AnyFinalizedNode, data: tuple[object, ...] | None, run_level: int
    ) -> None:
        """``node`` pushed ``data`` (a final result at level 0, a chunk at level 1)."""

    def on_node_generation_limit(
        self, flow: Flow, node: AnyFinalizedNode, limit: tuple[int, ...] | None
    ) -> None:
        """``node`` reached its generation limit; ``TerminateLimitReached`` follows."""

    def on_node_error(self, flow: Flow, node: AnyFinalizedNode, error: BaseException) -> None:
        """``node`` (or the engine around it) raised ``error``."""

    def on_defaulted_inputs_set(
        self, flow: Flow, node: AnyFinalizedNode, defaulted_inputs: list[int]
    ) -> None:
        """Before each evaluation: the ports fed their default to break a cycle."""

    def on_node_resumed(self, flow: Flow, node: AnyFinalizedNode, run_level: int) -> None:
        """The engine resumed a parked node."""

    def on_node_pause(self, flow: Flow, node: AnyFinalizedNode, run_level: int) -> None:
        """A node parked (after an evaluation or a chunk)."""

    def on_barrier_node_read(self, flow: Flow, node: AnyFinalizedNode, run_level: int) -> None:
        """A consumer read ``node``'s data at ``run_level`` (releases its write barrier)."""

    # --- stream events ----------------------------------------------------
    def on_stream_start(self, stream: Stream[Any]) -> None:
        """A consumer started iterating ``stream``."""

    def on_stream_next(self, stream: Stream[Any], data: object) -> None:
        """A consumer received ``data`` from ``stream``."""

    def on_stream_end(self, stream: Stream[Any]) -> None:
        """``stream`` ended for its consumer."""

    def on_stream_error(self, stream: Stream[Any], error: BaseException) -> None:
        """``stream`` was cancelled or failed."""

    # --- context managers ---------------------------------------------------
    @contextmanager
    def node_lifecycle(
        self, flow: Flow, node: AnyFinalizedNode, run_level: int
    ) -> Generator[None, None, None]:
        """Around each evaluation (level 0) and each generator step (level 1)."""
        yield

    @contextmanager
    def on_barrier_node_write(
        self, flow: Flow, node: AnyFinalizedNode, data: object, run_level: int
    ) -> Generator[None, None, None]:
        """Around the wait for consumers to read the previous value before a push."""
        yield


_current_instrument: ContextVar[FlowInstrument] = ContextVar("flowno_flow_instrument")

#: The instrument in effect when none is active.
NO_OP_INSTRUMENT: Final[FlowInstrument] = FlowInstrument()


def get_current_flow_instrument() -> FlowInstrument:
    """Return the active flow instrument, or ``NO_OP_INSTRUMENT``.

    Returns:
        The innermost active instrument.

    Example:
        >>> get_current_flow_instrument() is NO_OP_INSTRUMENT
        True
    """
    return _current_instrument.get(NO_OP_INSTRUMENT)


class PrintInstrument(FlowInstrument):
    """Prints one line per event (replace ``print`` to redirect).

    Example:
        >>> lines: list[str] = []
        >>> inst = PrintInstrument(); inst.print = lines.append
        >>> inst.on_flow_start("<Flow#0>"); lines
        ['[flow] start <Flow#0>']
    """

    def __init__(self) -> None:
        self.print: Callable[[str], object] = print

    def _emit(self, text: str) -> None:
        self.print(text)

    def on_flow_start(self, flow: Flow) -> None:
        self._emit(f"[flow] start {flow}")

    def on_flow_end(self, flow: Flow) -> None:
        self._emit(f"[flow] end {flow}")

    def on_node_registered(self, flow: Flow, node: AnyFinalizedNode) -> None:
        self._emit(f"[flow] registered {node!r}")

    def on_resolution_queue_put(self, flow: Flow, node: AnyFinalizedNode) -> None:
        self._emit(f"[flow] demand {node!r}")

    def on_solving_nodes(
        self, flow: Flow, head_node: AnyFinalizedNode, solution_nodes: list[AnyFinalizedNode]
    ) -> None:
        self._emit(f"[flow] solve {head_node!r} -> {solution_nodes!r}")

    def on_node_status_change(
        self, flow: Flow, node: AnyFinalizedNode, old: AnyStatus, new: AnyStatus
    ) -> None:
        self._emit(f"[flow] status {node!r}: {old!r} -> {new!r}")

    def on_node_stalled(
        self, flow: Flow, node: AnyFinalizedNode, stalled_input: FinalizedInputPortRef[Any]
    ) -> None:
        self._emit(f"[flow] stalled {node!r} on {stalled_input!r}")

    def on_node_emitted_data(
        self, flow: Flow, node: AnyFinalizedNode, data: tuple[object, ...] | None, run_level: int
    ) -> None:
        self._emit(f"[flow] emit {node!r} gen={node.generation} run_level={run_level}")

    def on_node_generation_limit(
        self, flow: Flow, node: AnyFinalizedNode, limit: tuple[int, ...] | None
    ) -> None:
        self._emit(f"[flow] limit {node!r} reached {limit!r}")

    def on_node_error(self, flow: Flow, node: AnyFinalizedNode, error: BaseException) -> None:
        self._emit(f"[flow] error {node!r}: {type(error).__name__}: {error}")

    def on_stream_start(self, stream: Stream[Any]) -> None:
        self._emit(f"[flow] stream start {stream!r}")

    def on_stream_end(self, stream: Stream[Any]) -> None:
        self._emit(f"[flow] stream end {stream!r}")


class LogInstrument(PrintInstrument):
    """Like PrintInstrument, through the ``flowno.flow`` logger at DEBUG (lazily formatted).

    Example:
        >>> LogInstrument().on_flow_start("<Flow#0>")  # logs only if DEBUG is enabled
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        super().__init__()
        self.logger: logging.Logger = logger or _logger

    def _emit(self, text: str) -> None:
        self.logger.debug("%s", text)


class MinimalInstrument(FlowInstrument):
    """Prints only flow start/end and each node evaluation's begin/end.

    Example:
        >>> MinimalInstrument().on_flow_end("<Flow#0>")
        flow end <Flow#0>
    """

    def on_flow_start(self, flow: Flow) -> None:
        print(f"flow start {flow}")

    def on_flow_end(self, flow: Flow) -> None:
        print(f"flow end {flow}")

    @contextmanager
    def node_lifecycle(
        self, flow: Flow, node: AnyFinalizedNode, run_level: int
    ) -> Generator[None, None, None]:
        print(f"begin {node!r} run_level={run_level}")
        yield
        print(f"end {node!r} run_level={run_level}")
