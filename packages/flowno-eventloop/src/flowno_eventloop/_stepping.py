"""Stepping: run batches of ready packets and hand each yielded command to its handler.

Rules:
- Commands are served by ``type(command)`` through ``self._handlers`` (subclass command types
  are resolved once via the MRO and cached). Built-in handlers never raise: errors go to the
  task; a user handler that raises ends the run.
- ``_step_batches`` is the hot path (no hooks, no subclass dispatch): it serves sleep(0),
  park, spawn and join-of-finished in place and falls back to ``_step`` for anything else;
  ``_step`` is the general path (hooks, legacy packets, pending cancels).
- A batch steps the packets that were ready when it began; between batches the run looks at
  I/O, the inbox and timers only when there are any.
"""

from __future__ import annotations

import logging
from time import perf_counter
from typing import Any

from flowno_eventloop._commands import (
    SLEEP_NOW,
    TURN,
    Command,
    JoinCommand,
    ParkCommand,
)
from flowno_eventloop._errors import InstrumentHookError
from flowno_eventloop._kernel import AIO_HINT, Handler
from flowno_eventloop._spawning import Spawning
from flowno_eventloop._tasks import (
    DONE,
    PARKED,
    READY,
    RUNNING,
    WOKEN,
    TaskCancelled,
    TaskRecord,
)
from flowno_eventloop.types import AnyPacket

__all__ = ["Stepper"]

logger = logging.getLogger("flowno.eventloop")


class Stepper(Spawning):
    """Stepping of ready tasks (internal base class of the loop)."""

    steps: int
    batches: int

    def _install_handlers(self) -> None:
        super()._install_handlers()
        self._plain_dispatch = type(self)._handle_command is Stepper._handle_command

    def _run_ready(self) -> None:
        """Step batch after batch of ready packets while nothing else needs a look.

        A batch is the packets ready when it began. Between two batches the loop goes back to
        ``_run`` (selector poll, inbox, due timers) only if an fd is watched, a callback is
        queued or a timer exists; otherwise it goes straight on with the next batch. So I/O
        and timers are looked at exactly as often as with one batch per ``_run`` round, and a
        plain run of task switches pays nothing for them.
        """
        self._stuck_since = None
        if not self._hooks and self._plain_dispatch:
            self._step_batches()
            return
        tasks = self.tasks
        while True:
            self.batches += 1
            for _ in range(len(tasks)):
                if not tasks or self._stop:
                    return
                self._step(tasks.popleft())
            if (
                not tasks
                or self._stop
                or self._io.watches
                or self._inbox
                or len(self._timers)
                or (self._slice_end is not None and perf_counter() >= self._slice_end)
            ):
                return

    def _step_batches(self) -> None:
        """``_run_ready`` with ``_step`` inlined for the common case (no hooks, no subclass
        dispatch, a ready task); ``sleep(0)``, turns (a spawn ends in one, see
        ``Spawning._spawn_here``), parks and the common end (returned, nobody to wake, not
        the root) are served in place, every other command by ``_serve_other`` and every
        other end by ``_ended``.

        ``self._stop`` can only become true when a task finishes or a handler runs, so it is
        checked after those and not on the fast paths.
        """
        tasks, live_get, live_pop = self.tasks, self._live.get, self._live.pop
        popleft, append, root = tasks.popleft, tasks.append, self._root
        watches, inbox, timers = self._io.watches, self._inbox, self._timers
        ready, woken, running, parked, done = READY, WOKEN, RUNNING, PARKED, DONE
        turn, sleep_now, park_cmd, slice_end = TURN, SLEEP_NOW, ParkCommand, self._slice_end
        ended, serve_other, steps, batches = self._ended, self._serve_other, 0, 0
        try:
            while True:
                batches, count = batches + 1, len(tasks)
                while count and tasks:  # (legacy code may empty the queue meanwhile)
                    count -= 1
                    coro, value, exc = packet = popleft()
                    task = live_get(coro)
                    if task is None or task.state > woken or task.cancel_pending is not None:
                        if self._step_then_stop(packet):
                            return
                        continue
                    task.state = running
                    steps += 1
                    try:
                        if exc is None:
                            cmd = task.context.run(coro.send, value)  # type: ignore[union-attr]
                        else:
                            cmd = task.context.run(coro.throw, exc)  # type: ignore[union-attr]
                    except BaseException as end:
                        if type(end) is StopIteration and task.joiners is None and task is not root:
                            task.state, task.outcome, task.result = done, "ok", end.value
                            task.cancel_pending = task.context = task.handle = None  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]
                            live_pop(task.coro, None)  # (no record <-> handle cycle: both freed)
                        elif ended(task, end):
                            return
                        continue
                    if cmd is sleep_now:  # sleep(0): a checkpoint (a cancel lands at its turn)
                        task.state = ready
                        append((coro, None, None))
                    elif cmd is turn:  # a turn that is not a cancellation point
                        task.state = woken
                        append((coro, None, None))
                    elif type(cmd) is park_cmd:
                        task.state, task.reason, task.on_cancel = parked, cmd.reason, cmd.on_cancel
                        if task.cancel_pending is not None:
                            self._deliver_cancel(task)
                    elif serve_other(task, packet, cmd):
                        return
                if not tasks or watches or inbox or timers.pending:
                    return
                if slice_end is not None and not batches & 15 and perf_counter() >= slice_end:
                    return  # a tick's time budget is spent (checked every 16 batches)
        finally:
            self.steps, self.batches = self.steps + steps, self.batches + batches

    def _step_then_stop(self, packet: AnyPacket) -> bool:
        """``_step`` one packet (the general path); True if the run must stop."""
        self._step(packet)
        return self._stop

    def _serve_other(self, task: TaskRecord, packet: AnyPacket, command: Any) -> bool:
        """A command of the hot loop that is not a turn nor a park; True if the run must stop.

        A join of a finished task is served in place; any other command goes to its handler
        (by type) or to ``_dispatch`` (a spawn comes here only when ``spawn()`` could not queue
        the child itself: see ``Spawning._spawn_here``).
        """
        kind = type(command)  # pyright: ignore[reportUnknownVariableType]
        if kind is JoinCommand:
            target = command.task_handle._task
            if target.outcome is not None:  # already finished: re-queue now
                target.observed = True
                task.state = WOKEN
                self.tasks.append((task.coro, target.result, target.exc))
                return False
        handler = self._handlers.get(kind)  # pyright: ignore[reportUnknownArgumentType]
        if handler is None:
            self._dispatch(task, packet, command)
        else:
            self._serve(task, handler, command)
        return self._stop

    def _ended(self, task: TaskRecord, ended: BaseException) -> bool:
        """The task's coroutine returned or raised: record it; True if the run must stop.

        A ``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``...) is
        recorded, then re-raised out of the run.
        """
        if isinstance(ended, StopIteration):
            self._finish(task, "ok", ended.value, None)
        elif isinstance(ended, TaskCancelled):
            self._finish(task, "cancelled", None, ended)
        else:
            self._finish(task, "error", None, ended)
            if not isinstance(ended, Exception):
                raise ended
        return self._stop

    def _serve(self, task: TaskRecord, handler: Handler, command: Command) -> None:
        """Run a command handler with the (running) task parked on the command."""
        task.state = PARKED
        task.reason = command
        task.on_cancel = None
        self._call_handler(task, handler, command)
        if task.cancel_pending is not None and task.state == PARKED:
            self._deliver_cancel(task)  # cancelled while it ran: now that it waits

    def _call_handler(self, task: TaskRecord, handler: Handler, command: Command) -> None:
        """Built-in handlers never raise: their errors go to the task; others end the run."""
        try:
            handler(self, task.handle, command)
        except InstrumentHookError:
            raise
        except Exception as error:
            if not _is_builtin_handler(handler):
                raise
            logger.error("internal error in %r; sent to the task", handler, exc_info=error)
            self._resume(task, None, error)

    def _step(self, packet: AnyPacket) -> None:
        coro, value, exc = packet
        task = self._live.get(coro)
        if task is None:
            task = self._delegates.get(coro) or self._adopt(coro)
            if task is None:
                return
        state = task.state
        if state == DONE:
            return
        if state == PARKED:  # a packet a legacy subclass queued for its own command: a wake
            self._unpark(task)
        elif state == READY and task.cancel_pending is not None:  # not a wake: cancel now
            exc = self._take_cancel(task) or exc
        if self._hooks:
            self._before_step_hooks(task, value, exc)
        task.state = RUNNING
        self.steps += 1
        self._stepping = task
        context = task.context
        assert context is not None
        try:
            if exc is None:
                command = context.run(coro.send, value)
            else:
                command = context.run(coro.throw, exc)
        except StopIteration as stop:
            self._finish(task, "ok", stop.value, None)
        except TaskCancelled as cancelled:
            self._finish(task, "cancelled", None, cancelled)
        except Exception as error:
            self._finish(task, "error", None, error)
        except BaseException as fatal:
            self._finish(task, "error", None, fatal)
            raise
        else:
            try:
                if self._hooks:
                    self._after_step_hooks(coro, value, exc, command)
            finally:
                if task.coro is not coro:  # a delegate ended and gave the task its coroutine back
                    packet = (task.coro, value, exc)
                self._dispatch(task, packet, command)
        finally:
            self._stepping = None

    def _after_step_hooks(
        self, coro: Any, value: Any, exc: BaseException | None, command: object
    ) -> None:
        """Fire after_send/after_throw for a step that yielded ``command``."""
        if exc is None:
            self._hook("on_task_after_send", self._on_task_after_send, coro, value, command)
        else:
            self._hook("on_task_after_throw", self._on_task_after_throw, coro, exc, command)

    def _before_step_hooks(self, task: TaskRecord, value: Any, exc: BaseException | None) -> None:
        """Fire before_send/before_throw; on failure put the packet back and re-raise."""
        try:
            if exc is None:
                self._hook("on_task_before_send", self._on_task_before_send, task.coro, value)
            else:
                self._hook("on_task_before_throw", self._on_task_before_throw, task.coro, exc)
        except InstrumentHookError:
            self.tasks.appendleft((task.coro, value, exc))
            raise

    def _dispatch(self, task: TaskRecord, packet: AnyPacket, command: object) -> None:
        if not self._handle_command(packet, command):  # type: ignore[arg-type]
            if task.state == RUNNING:
                self._resume(task, None, TypeError(foreign_message(command)))
            return
        if task.state == RUNNING:  # handled by a subclass that will append to self.tasks
            self._park(task, command, None)
        if task.cancel_pending is not None and task.state == PARKED:
            self._deliver_cancel(task)

    def _handle_command(self, current_task_packet: AnyPacket, command: Command) -> bool:
        """Serve ``command`` for the task of ``current_task_packet``; False if unknown.

        The original's extension hook: a subclass calls ``super()._handle_command`` first and
        handles its own commands when it returns False (resuming the task by appending
        ``(task, value, None)`` to ``self.tasks``, or with ``wake``).
        """
        handler = self._handler_for(type(command))
        if handler is None:
            return False
        task = self._stepping
        if task is None or task.coro is not current_task_packet[0]:
            task = self._live[current_task_packet[0]]
        if task.state != PARKED:
            self._serve(task, handler, command)  # parked first, so the handler can wake() it
        else:  # a subclass parked it already
            self._park(task, command, None)
            self._call_handler(task, handler, command)
        return True

    def _handler_for(self, command_type: type) -> Handler | None:
        handler = self._handlers.get(command_type)
        if handler is not None or command_type in self._no_handler:
            return handler
        for base in command_type.__mro__[1:]:
            handler = self._handlers.get(base)
            if handler is not None:
                self._handlers[command_type] = handler
                return handler
        self._no_handler.add(command_type)
        return None


def _is_builtin_handler(handler: object) -> bool:
    return getattr(handler, "__module__", None) in BUILTIN_HANDLER_MODULES


BUILTIN_HANDLER_MODULES = ("flowno_eventloop._dispatch", "flowno_eventloop._compat_commands")


def foreign_message(command: object) -> str:
    return (
        f"a flowno task awaited {command!r} ({type(command).__qualname__}), which the flowno "
        "EventLoop does not understand; foreign awaitables (asyncio, trio...) do not work "
        f"here: {AIO_HINT}"
    )
