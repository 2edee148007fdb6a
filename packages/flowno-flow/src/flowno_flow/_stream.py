# pyright: reportPrivateUsage=false
# (the engine's private modules are friends: _flow, _stream and _context share state)
# Rules: stream bookkeeping for one streaming producer (a Channel) and its
# stream_in consumer ports (PortCursors). Only the latest chunk is kept: the
# producer publishes chunk k+1 only when every active port took chunk k and
# one of them asks for more (lockstep), so nothing is ever skipped and
# memory is O(1) per stream. The decisions (read_decision, may_advance) are pure
# functions (the engine's hot path inlines read_decision); waking tasks is done by
# the engine (_flow_streams.py).
"""Stream, StreamCancelled and the per-producer stream bookkeeping."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._finalized import FinalizedInputPortRef, FinalizedOutputPortRef
from ._instrumentation import get_current_flow_instrument
from ._stream_marker import StreamMarker

if TYPE_CHECKING:
    from ._finalized import AnyFinalizedNode
    from ._flow_streams import StreamDriver
    from ._node_run import NodeRun

__all__ = [
    "Channel",
    "PortCursor",
    "ReadDecision",
    "Stream",
    "StreamCancelled",
    "input_port_ref",
    "may_advance",
    "read_decision",
]

_T_co = TypeVar("_T_co", covariant=True)


class StreamCancelled(Exception):
    """Thrown into a producer's generator when a consumer cancels its stream.

    Args:
        stream: The cancelling consumer's Stream.
        message: The message.

    Example:
        >>> str(StreamCancelled(None))
        'Stream was cancelled by consumer'
    """

    def __init__(
        self, stream: Stream[Any] | None, message: str = "Stream was cancelled by consumer"
    ) -> None:
        super().__init__(message)
        self.stream: Stream[Any] | None = stream


class PortCursor:
    """Reading position of one stream_in connection (consumer port <- producer output)."""

    __slots__ = (
        "consumer",
        "port_index",
        "output_index",
        "eval",
        "taken",
        "released_eval",
        "asking",
        "waiter",
        "handed",
    )

    def __init__(self, consumer: NodeRun, port_index: int, output_index: int) -> None:
        self.consumer: NodeRun = consumer
        self.port_index: int = port_index
        self.output_index: int = output_index
        self.eval: int = -1  # producer evaluation being read
        self.taken: int = -1  # index of the last chunk taken in that evaluation
        self.released_eval: int = -1  # evaluation this port no longer reads (ended/cancelled)
        self.asking: bool = False
        self.waiter: Any = None  # the consumer's NodeRun while it is parked on this port
        self.handed: bool = False  # the producer took the latest chunk for the parked consumer


class Channel:
    """The current evaluation of one streaming producer."""

    __slots__ = (
        "eval",
        "index",
        "chunk",
        "finished",
        "cancelled_eval",
        "canceller",
        "ports",
        "waiter",
    )

    def __init__(self) -> None:
        self.eval: int = -1  # main generation of the evaluation being streamed
        self.index: int = -1  # latest published chunk index in that evaluation
        self.chunk: tuple[object, ...] | None = None
        self.finished: bool = False
        self.cancelled_eval: int = -1
        self.canceller: Stream[Any] | None = None
        self.ports: list[PortCursor] = []
        self.waiter: Any = None  # parked producer task handle

    def is_active(self, port: PortCursor) -> bool:
        """Whether ``port`` still takes part in the lockstep of the current evaluation."""
        return port.released_eval != self.eval and self.cancelled_eval != self.eval

    def start_evaluation(self, eval_gen: int) -> None:
        """A new evaluation of the producer begins."""
        self.eval = eval_gen
        self.index = -1
        self.chunk = None
        self.finished = False
        self.canceller = None


class ReadDecision(enum.Enum):
    """What a consumer's ``__anext__`` does."""

    TAKE = "take"
    END = "end"
    WAIT = "wait"


def read_decision(
    channel: Channel, port: PortCursor, stream_eval: int, cancelled_by_me: bool
) -> ReadDecision:
    """Decide a read (pure).

    Args:
        channel: The producer's channel.
        port: The reading port.
        stream_eval: The producer evaluation the Stream was created for.
        cancelled_by_me: The reading Stream called ``cancel()``.

    Returns:
        TAKE the next chunk, END the stream, or WAIT for the producer.

    Example:
        >>> ch = Channel(); ch.start_evaluation(0); ch.index = 0
        >>> p = PortCursor(None, 0, 0)  # type: ignore[arg-type]
        >>> read_decision(ch, p, 0, False), read_decision(ch, p, 0, True)
        (<ReadDecision.TAKE: 'take'>, <ReadDecision.END: 'end'>)
    """
    if cancelled_by_me or stream_eval != channel.eval:
        return ReadDecision.END
    taken = port.taken if port.eval == channel.eval else -1
    if taken < channel.index:
        return ReadDecision.TAKE
    if channel.finished or channel.cancelled_eval == channel.eval:
        return ReadDecision.END
    return ReadDecision.WAIT


def may_advance(channel: Channel) -> bool:
    """Whether the producer may compute its next chunk (pure; lazy lockstep).

    True when no port takes part in the current evaluation any more (nobody to
    wait for), or when every active port took the latest chunk and at least one
    asks for more.

    Args:
        channel: The producer's channel.

    Returns:
        True if the producer may advance its generator.

    Example:
        >>> ch = Channel(); ch.start_evaluation(0); ch.index = 0
        >>> may_advance(ch)
        True
        >>> p = PortCursor(None, 0, 0); ch.ports.append(p)  # type: ignore[arg-type]
        >>> may_advance(ch)
        False
        >>> p.eval, p.taken, p.asking = 0, 0, True
        >>> may_advance(ch)
        True
    """
    asking = False
    any_active = False
    current = channel.eval
    if channel.cancelled_eval == current:
        return True  # no port takes part any more
    for port in channel.ports:
        if port.released_eval == current:  # not active (Channel.is_active, inline)
            continue
        any_active = True
        if port.eval != current or port.taken < channel.index:
            return False
        asking = asking or port.asking
    return asking or not any_active


class Stream(StreamMarker, Generic[_T_co], AsyncIterator[_T_co]):
    """The chunks of one producer output, for one consumer port and one evaluation.

    Created by the engine for each evaluation of a stream_in consumer; iterate
    it with ``async for``. ``await stream.cancel()`` ends the producer's current
    evaluation for every consumer (``StreamCancelled`` is thrown into it).

    Args:
        input: The consumer's input port reference.
        output: The producer's output port reference.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> @node
        ... async def Double(x: int) -> int:
        ...     return 2 * x
        >>> with FlowHDL() as f:
        ...     f.first = Double(1)
        ...     f.second = Double(f.first)
        >>> Stream(f.second.input(0), f.first.output(0))
        Stream(Double#0.output(0)->Double#1.input(0), run_level=1)
    """

    def __init__(  # `input` shadows the builtin: the original's parameter name
        self, input: FinalizedInputPortRef[Any], output: FinalizedOutputPortRef[Any]
    ) -> None:
        self.input: FinalizedInputPortRef[Any] = input
        self.output: FinalizedOutputPortRef[Any] = output
        self.run_level: int = 1
        self._flow: StreamDriver | None = None
        self._producer: NodeRun | None = None
        self._port: PortCursor | None = None
        self._eval = -1
        self._cancelled_by_me = False
        self._ended = False
        self._stalled: Any = None  # the consumer's Stalled status on this stream, made once

    def __repr__(self) -> str:
        return f"Stream({self.output}->{self.input}, run_level={self.run_level})"

    def __aiter__(self) -> Stream[_T_co]:
        get_current_flow_instrument().on_stream_start(self)
        return self

    def __anext__(self) -> Awaitable[_T_co]:
        flow = self._flow
        if flow is None or self._ended:
            return _stop_iteration()
        return flow._stream_next(self)  # the awaitable itself: no coroutine of our own

    async def cancel(self) -> None:
        """Cancel the producer's current evaluation (no-op if it already finished).

        The producer gets ``StreamCancelled`` at its suspended ``yield``; this
        stream ends at once; sibling consumers see the end after the chunk they
        all took. Does not raise in the consumer.
        """
        if self._flow is not None:
            self._flow._stream_cancel(self)


async def _stop_iteration() -> Any:
    raise StopAsyncIteration


def input_port_ref(node: AnyFinalizedNode, index: int) -> FinalizedInputPortRef[Any]:
    """The consumer port reference a Stream names."""
    return FinalizedInputPortRef(node, index)
