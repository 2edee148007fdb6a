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
from flowno_eventloop.lowlevel import wake

from ._accumulate import Accumulator
from ._generation import inc_generation
from ._instrumentation import NO_OP_INSTRUMENT
from ._node_run import _AWAITING, _IDLE, _NO_LIMIT, MISSING, NodeRun, update_entry
from ._policy import NodeTimeoutError
from ._pushing import limit_reached
from ._status import EXECUTING, Stalled, waiting_status
from ._stream import (
    Channel,
    PortCursor,
    Stream,
    StreamCancelled,
    input_port_ref,
    may_advance,
)

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["StreamDriver"]

_CHUNK, _STOPPED, _CANCELLED = "chunk", "stopped", "cancelled"  # outcomes of a step
_WAITING_CHUNK = waiting_status(1)  # a producer waiting for a reader to ask


class StreamDriver:
    """The stream side of one flow's engine (owned by its Engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def _drive_stream(self, run: NodeRun, agen: AsyncGenerator[Any, Any]) -> bool:
        """Drive a streaming node's generator in lazy lockstep; push its final result.

        Returns False when the run must stop (failure or generation limit).
        """
        channel = self._open_channel(run)
        acc = Accumulator(repr(run.node), getattr(run.node, "accumulator", None))
        try:
            ended = await self._pump(run, channel, agen, acc)
        finally:
            await agen.aclose()
        if ended is None:
            return False
        cancelled_out, explicit = ended
        final = self._end_evaluation(run, channel, cancelled_out, explicit, acc)
        return await self.engine._push(run, final)

    async def _pump(
        self, run: NodeRun, channel: Channel, agen: AsyncGenerator[Any, Any], acc: Accumulator
    ) -> tuple[bool, tuple[object, ...] | None] | None:
        """Step the generator and publish its chunks until it ends.

        The hot path (no instrument, no ``timeout=``, no cancellation pending) steps the
        generator directly and parks in place; the rest goes through ``_guarded_step``
        (lifecycle, timeout, ``StreamCancelled``). Returns ``(cancelled out, explicit
        final)``, or None when the run must stop (the generation limit was reached).
        """
        engine = self.engine
        single = not getattr(run.node, "multiple_outputs", False)
        plain = engine._inst is NO_OP_INSTRUMENT and run.item_timeout is None
        solo = channel.ports[0] if len(channel.ports) == 1 else None
        thrown = False
        while True:
            if plain and channel.cancelled_eval != channel.eval:
                try:
                    chunk = await agen.__anext__()
                except StopAsyncIteration:
                    return False, None
                except StreamCancelled:
                    return True, None
                except RuntimeError as exc:
                    if not isinstance(exc.__cause__, StopAsyncIteration):
                        raise
                    return False, self._explicit_final(run, exc.__cause__)
            else:
                throw = channel.cancelled_eval == channel.eval and not thrown
                thrown = thrown or throw
                outcome, chunk = await self._guarded_step(run, channel, agen, throw)
                if outcome is not _CHUNK:
                    return outcome is _CANCELLED, chunk
            data = (chunk,) if single else engine._wrap(run, chunk, "yielded")
            handed = self._publish(run, channel, data, acc)
            if handed is None:
                return None
            while True:  # lazy lockstep: wait until a reader asks (may_advance)
                if handed:  # the only reader took the chunk and has not asked yet
                    handed = False
                elif (
                    solo is not None  # may_advance's common answer for one port, inline
                    and solo.asking
                    and solo.eval == channel.eval
                    and solo.taken >= channel.index
                ) or may_advance(channel):
                    break
                if plain:  # set_status without an instrument: one store
                    run.status = _WAITING_CHUNK
                else:
                    engine.set_status(run, _WAITING_CHUNK)
                try:
                    await engine._block(run, "channel", channel)
                finally:
                    engine._unblocked(run)
            if plain:
                run.status = EXECUTING
            else:
                engine.set_status(run, EXECUTING)

    def _open_channel(self, run: NodeRun) -> Channel:
        """The producer's channel, started for a new evaluation."""
        channel = run.channel
        if channel is None:
            channel = run.channel = Channel()
        channel.start_evaluation(inc_generation(run.node.generation, 1)[0])
        return channel

    async def _guarded_step(
        self, run: NodeRun, channel: Channel, agen: AsyncGenerator[Any, Any], throw: bool
    ) -> tuple[object, Any]:
        """One step of the generator inside the node's lifecycle, within its timeout.

        Returns ``(_CHUNK, chunk)``, or how the stream ended: ``(_STOPPED, explicit
        final or None)`` or ``(_CANCELLED, None)``. ``throw``: throw ``StreamCancelled``
        in (a consumer cancelled the stream).
        """
        with self.engine._lifecycle(run.node, 1):
            try:
                if throw:
                    step = agen.athrow(StreamCancelled(channel.canceller))
                    chunk = await self._next_item(run, step)
                elif run.item_timeout is not None:
                    chunk = await self._next_item(run, agen.__anext__())
                else:
                    chunk = await agen.__anext__()
            except StopAsyncIteration:
                return _STOPPED, None
            except StreamCancelled:
                return _CANCELLED, None
            except RuntimeError as exc:
                if not isinstance(exc.__cause__, StopAsyncIteration):
                    raise
                return _STOPPED, self._explicit_final(run, exc.__cause__)
        return _CHUNK, chunk

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

    def _publish(
        self, run: NodeRun, channel: Channel, data: tuple[object, ...], acc: Accumulator
    ) -> bool | None:
        """Publish a chunk: accumulate it, push it at level 1, demand idle readers, wake
        parked ones.

        The readiness of busy nodes (this one, and its consumers that are running) is not
        updated per chunk: they are marked ``dirty`` and recounted when they go idle.

        Returns:
            None when the run must stop (the generation limit was reached); True when
            the chunk was handed over to the only reader, parked waiting for it (see
            ``_hand_over``); else False.
        """
        acc.add(data)
        channel.index += 1
        channel.chunk = data
        state = run.node._state
        gen = state._generation
        if gen is not None and len(gen) == 2:  # the next chunk (NodeState.push_data, inline)
            gen = (gen[0], gen[1] + 1)
            state._generation = gen
            slots = state._slots
            slots[1] = (gen, data)
            slots[2] = slots[3] = None
        else:
            state.push_data(data, 1)
        run.last_level = 1
        run.dirty = True  # my own input entries: recounted when my evaluation ends
        for consumer, k in run.out_entries:
            phase = consumer.phase
            if phase is _IDLE or phase is _AWAITING:
                update_entry(consumer, k)
            else:
                consumer.dirty = True
        engine = self.engine
        inst = engine._inst
        if inst is not NO_OP_INSTRUMENT:
            inst.on_node_emitted_data(engine.flow, run.node, data, 1)
        if run.limit != _NO_LIMIT and limit_reached(engine, run):
            return None
        for consumer in run.stream_consumers:
            phase = consumer.phase
            if phase is _IDLE or phase is _AWAITING:
                engine.demands._demand(consumer.node)
            else:
                consumer.retained = True
        if len(channel.ports) == 1 and inst is NO_OP_INSTRUMENT:
            return self._hand_over(channel, channel.ports[0])
        self._wake_readers(channel)
        return False

    def _hand_over(self, channel: Channel, port: PortCursor) -> bool:
        """Wake the only reader; if it is parked waiting, take the chunk for it.

        The reader then returns the chunk as soon as it resumes (``_stream_next``), and
        the producer knows the lockstep holds it back (nobody asks yet). Only without an
        instrument (``on_stream_next`` fires in the reader). True if handed over.
        """
        reader = port.waiter
        if reader is None:
            return False
        port.waiter = None
        if reader.wait_kind is None or reader.task is None:
            return False
        reader.wait_kind = None
        self.engine._blocked -= 1
        if not wake(reader.task):  # (woken otherwise already: it reads the chunk itself)
            return False
        current = channel.eval
        if port.released_eval == current or channel.cancelled_eval == current:
            return False  # (the port holds nobody back: the producer must look again)
        if port.eval != current:
            port.eval = current
        port.taken = channel.index
        port.asking = False
        port.handed = True
        return True

    def _wake_readers(self, channel: Channel) -> None:
        engine = self.engine
        for port in channel.ports:
            waiter = port.waiter
            if waiter is not None:
                port.waiter = None
                if waiter.wait_kind is not None and waiter.task is not None:  # _unblock, inline
                    waiter.wait_kind = None
                    engine._blocked -= 1
                    wake(waiter.task)

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
        """The next chunk for ``stream`` (``read_decision``, inline): take, end or stall."""
        port: PortCursor = stream._port  # type: ignore[assignment]  # set by _open_stream
        prod: NodeRun = stream._producer  # type: ignore[assignment]
        channel: Channel = prod.channel  # type: ignore[assignment]
        engine = self.engine
        while True:
            current = channel.eval
            if stream._cancelled_by_me or stream._eval != current:
                return self._end_stream(stream, prod, port)
            if (port.taken if port.eval == current else -1) < channel.index:
                return self._take(stream, prod, port, channel)
            if channel.finished or channel.cancelled_eval == current:
                return self._end_stream(stream, prod, port)
            port.asking = True
            if prod.wait_kind == "channel" and (  # _maybe_advance; one active port: it may
                (len(channel.ports) == 1 and port.eval == current and port.released_eval != current)
                or may_advance(channel)
            ):
                prod.wait_kind = None  # engine._unblock, inline
                engine._blocked -= 1
                wake(prod.task)  # type: ignore[arg-type]  # (a blocked task is running)
            consumer = port.consumer
            if engine._inst is NO_OP_INSTRUMENT:  # set_status without an instrument: one store
                consumer.status = stream._stalled or self._stalled_status(stream)
            else:
                self._stall_hooks(stream, consumer)
            port.waiter = consumer
            parker = engine._block(consumer, "stall", stream)
            try:
                await parker
            finally:
                port.waiter = None
                handed, port.handed = port.handed, False
                if consumer.wait_kind is not None:  # engine._unblocked, inline
                    consumer.wait_kind = None
                    engine._blocked -= 1
            if engine._inst is NO_OP_INSTRUMENT:  # set_status without an instrument: one store
                consumer.status = EXECUTING
                if handed:  # the producer took the chunk for me (_hand_over)
                    return channel.chunk[port.output_index]  # type: ignore[index]
            else:
                engine.set_status(consumer, EXECUTING)

    def _take(self, stream: Stream[Any], prod: NodeRun, port: PortCursor, channel: Channel) -> Any:
        """Take the latest chunk (the port took every earlier one)."""
        if port.eval != channel.eval:
            port.eval, port.taken = channel.eval, -1
        port.taken = channel.index
        port.asking = False
        assert channel.chunk is not None
        value = channel.chunk[port.output_index]
        engine = self.engine
        if engine._inst is not NO_OP_INSTRUMENT:
            engine._inst.on_stream_next(stream, value)
        if prod.wait_kind == "channel" and (  # one active port that took it: nobody asks
            len(channel.ports) != 1
            or port.released_eval == channel.eval
            or channel.cancelled_eval == channel.eval
        ):
            if may_advance(channel):  # _maybe_advance
                engine._unblock(prod)
        return value

    def _end_stream(self, stream: Stream[Any], prod: NodeRun, port: PortCursor) -> Any:
        stream._ended = True
        port.asking = False
        self.engine._inst.on_stream_end(stream)
        self._maybe_advance(prod)
        raise StopAsyncIteration

    def _stalled_status(self, stream: Stream[Any]) -> Stalled:
        """The consumer's ``Stalled`` status on ``stream`` (one value per stream)."""
        stalled = stream._stalled
        if stalled is None:
            stalled = stream._stalled = Stalled(stream.input)
        return stalled  # type: ignore[no-any-return]

    def _stall_hooks(self, stream: Stream[Any], consumer: NodeRun) -> None:
        """Set the consumer's Stalled status and fire ``on_node_stalled`` (an instrument)."""
        engine = self.engine
        engine.set_status(consumer, self._stalled_status(stream))
        engine._inst.on_node_stalled(engine.flow, consumer.node, stream.input)

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
