# pyright: reportPrivateUsage=false
# Rules: the stream half of the engine, a part owned by the Engine: driving a streaming
# node's generator (lazy lockstep, StreamCancelled thrown at the suspended
# yield, aclose() always), publishing chunks, and the consumer side of Stream
# (take / end / stall). Decisions come from the pure _stream.read_decision and
# _stream.may_advance; this file only moves data and wakes tasks.
"""StreamDriver: the stream side of the engine (owned by the Engine)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable
from typing import TYPE_CHECKING, Any

from flowno_eventloop import move_on_after

from ._accumulate import Accumulator
from ._generation import inc_generation
from ._instrumentation import NO_OP_INSTRUMENT
from ._node_run import MISSING, NodeRun
from ._policy import NodeTimeoutError
from ._status import EXECUTING, Stalled, waiting_status
from ._stream import (
    Channel,
    ReadDecision,
    Stream,
    StreamCancelled,
    input_port_ref,
    may_advance,
    read_decision,
)

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["StreamDriver"]


class StreamDriver:
    """The stream side of one flow's engine (owned by its Engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def _drive_stream(self, run: NodeRun, agen: AsyncGenerator[Any, Any]) -> bool:
        node = run.node
        engine = self.engine
        channel = run.channel
        if channel is None:
            channel = run.channel = Channel()
        channel.start_evaluation(inc_generation(node.generation, 1)[0])
        acc = Accumulator(repr(node), getattr(node, "accumulator", None))
        single = not getattr(node, "multiple_outputs", False)
        timed = run.item_timeout is not None
        explicit: tuple[object, ...] | None = None
        cancelled_out = thrown = False
        try:
            while True:
                if channel.index >= 0 and not may_advance(channel):
                    await self._wait_advance(run, channel)
                with engine._lifecycle(node, 1):
                    try:
                        if channel.cancelled_eval == channel.eval and not thrown:
                            thrown = True
                            chunk = await self._next_item(
                                run, agen.athrow(StreamCancelled(channel.canceller))
                            )
                        elif timed:
                            chunk = await self._next_item(run, agen.__anext__())
                        else:
                            chunk = await agen.__anext__()
                    except StopAsyncIteration:
                        break
                    except StreamCancelled:
                        cancelled_out = True
                        break
                    except RuntimeError as exc:
                        if not isinstance(exc.__cause__, StopAsyncIteration):
                            raise
                        explicit = self._explicit_final(run, exc.__cause__)
                        break
                data = (chunk,) if single else engine._wrap(run, chunk, "yielded")
                acc.add(data)
                channel.index += 1  # publish the chunk
                channel.chunk = data
                if not await engine._push(run, data, 1):
                    return False
                self._wake_readers(channel)
        finally:
            await agen.aclose()
        final = self._end_evaluation(run, channel, cancelled_out, explicit, acc)
        return await engine._push(run, final, 0)

    def _end_evaluation(
        self,
        run: NodeRun,
        channel: Channel,
        cancelled_out: bool,
        explicit: tuple[object, ...] | None,
        acc: Accumulator,
    ) -> tuple[object, ...] | None:
        """The stream ended: tell its readers; return the final data of the evaluation."""
        channel.finished = True
        self._wake_readers(channel)
        if cancelled_out:
            self._cancel_inputs_of(run)
        return explicit if explicit is not None else acc.result()

    async def _next_item(self, run: NodeRun, step: Awaitable[Any]) -> Any:
        """One step of a streaming node, within its ``timeout=`` when it has one."""
        seconds = run.item_timeout
        if seconds is None:
            return await step
        with move_on_after(seconds) as scope:
            return await step
        if scope.cancelled_caught:
            raise NodeTimeoutError(run.label, seconds, "the next item")
        raise RuntimeError(f"{run.label}: a stream step ended without a value")  # pragma: no cover

    def _explicit_final(self, run: NodeRun, stop: StopAsyncIteration) -> tuple[object, ...] | None:
        if not stop.args:
            return None
        return self.engine._wrap(run, stop.args[0], "ended with StopAsyncIteration of")

    async def _wait_advance(self, run: NodeRun, channel: Channel) -> None:
        """Lazy lockstep: wait until every active reader took my chunk and one asks.

        Called when ``may_advance(channel)`` is False.
        """
        engine = self.engine
        waiting = waiting_status(1)
        while True:
            engine.set_status(run, waiting)
            parker = engine._block(run, "channel", (channel.eval, channel.index))
            try:
                await parker
            finally:
                engine._unblocked(run)
            if may_advance(channel):
                break
        engine.set_status(run, EXECUTING)

    def _wake_readers(self, channel: Channel) -> None:
        for port in channel.ports:
            if port.waiter is not None:
                waiter, port.waiter = port.waiter, None
                self.engine._unblock(waiter)

    def _maybe_advance(self, producer: NodeRun) -> None:
        channel = producer.channel
        if channel is not None and producer.wait_kind == "channel" and may_advance(channel):
            self.engine._unblock(producer)

    def _open_stream(self, run: NodeRun, port: Any, prod: NodeRun, out: int) -> object:
        channel = prod.channel
        if channel is None or channel.eval < 0:
            return MISSING
        cursor = run.cursors[port.index]
        if cursor.eval != channel.eval:
            cursor.eval = channel.eval
            cursor.taken = -1
        stream: Stream[Any] = Stream(input_port_ref(run.node, port.index), port.connected)
        stream._flow = self
        stream._producer = prod
        stream._port = cursor
        stream._eval = channel.eval
        run.streams.append(stream)
        return stream

    async def _stream_next(self, stream: Stream[Any]) -> Any:
        prod = stream._producer
        port = stream._port
        assert prod is not None and port is not None
        channel = prod.channel
        assert channel is not None
        consumer = port.consumer
        while True:
            decision = read_decision(channel, port, stream._eval, stream._cancelled_by_me)
            if decision is ReadDecision.TAKE:
                if port.eval != channel.eval:
                    port.eval, port.taken = channel.eval, -1
                port.taken = channel.index
                port.asking = False
                assert channel.chunk is not None
                value = channel.chunk[port.output_index]
                if self.engine._inst is not NO_OP_INSTRUMENT:
                    self.engine._inst.on_stream_next(stream, value)
                if prod.wait_kind == "channel" and may_advance(channel):  # _maybe_advance
                    self.engine._unblock(prod)
                return value
            if decision is ReadDecision.END:
                stream._ended = True
                port.asking = False
                self.engine._inst.on_stream_end(stream)
                self._maybe_advance(prod)
                raise StopAsyncIteration
            port.asking = True
            if prod.wait_kind == "channel" and may_advance(channel):  # _maybe_advance
                self.engine._unblock(prod)
            engine = self.engine
            stalled = stream._stalled
            if stalled is None:  # one status value per stream
                stalled = stream._stalled = Stalled(stream.input)
            engine.set_status(consumer, stalled)
            if engine._inst is not NO_OP_INSTRUMENT:
                engine._inst.on_node_stalled(engine.flow, consumer.node, stream.input)
            port.waiter = consumer
            parker = engine._block(consumer, "stall", stream)
            try:
                await parker
            finally:
                port.waiter = None
                engine._unblocked(consumer)
            engine.set_status(consumer, EXECUTING)

    def _stream_cancel(self, stream: Stream[Any]) -> None:
        prod = stream._producer
        assert prod is not None
        channel = prod.channel
        stream._cancelled_by_me = True
        if channel is None or stream._eval != channel.eval or channel.finished:
            return
        if channel.cancelled_eval != channel.eval:
            channel.cancelled_eval = channel.eval
            channel.canceller = stream
            self.engine._inst.on_stream_error(stream, StreamCancelled(stream))
        self._wake_readers(channel)
        self._maybe_advance(prod)

    def _end_streams_of(self, run: NodeRun) -> None:
        """A consumer's evaluation ended: its streams no longer hold their producers."""
        if not run.streams:  # no new empty list per evaluation
            return
        for stream in run.streams:
            port = stream._port
            prod = stream._producer
            if port is None or prod is None:
                continue
            port.released_eval = stream._eval
            port.asking = False
            self._maybe_advance(prod)
        run.streams = []

    def _cancel_inputs_of(self, run: NodeRun) -> None:
        for stream in list(run.streams):
            self._stream_cancel(stream)
