"""Dispatch: the kernel's own commands (spawn, join, sleep, park, fd waits, exit, cancel).

Rules: each handler is called with the task already parked on its command and resumes it
with a wake (now or later) or leaves it parked; built-in handlers never raise (errors go to
the task). ``EventLoop.register_command`` adds handlers to the same table.
"""

from __future__ import annotations

import logging
from typing import Any

from flowno_eventloop._commands import (
    TURN,
    CancelCommand,
    Command,
    ExitCommand,
    JoinCommand,
    ParkCommand,
    SleepCommand,
    SpawnCommand,
    WaitReadableCommand,
    WaitWritableCommand,
)
from flowno_eventloop._io import READ, WRITE
from flowno_eventloop._kernel import NEVER, LoopExit, close_in_context
from flowno_eventloop._stepping import Stepper
from flowno_eventloop._tasks import (
    DONE,
    TaskHandle,
)

__all__ = ["Dispatch"]

logger = logging.getLogger("flowno.eventloop")


class Dispatch(Stepper):
    """The built-in command handlers (internal base class of the loop)."""

    def _install_handlers(self) -> None:
        super()._install_handlers()
        self._handlers.update(
            {
                SpawnCommand: Dispatch._cmd_spawn,
                JoinCommand: Dispatch._cmd_join,
                SleepCommand: Dispatch._cmd_sleep,
                ParkCommand: Dispatch._cmd_park,
                WaitReadableCommand: Dispatch._cmd_wait_readable,
                WaitWritableCommand: Dispatch._cmd_wait_writable,
                ExitCommand: Dispatch._cmd_exit,
                CancelCommand: Dispatch._cmd_cancel,
            }
        )

    def _cmd_spawn(self, handle: TaskHandle[Any], command: SpawnCommand[Any]) -> None:
        try:
            self._check_coroutine(command.raw_task, "spawn")
            self._check_not_a_task(command.raw_task, "spawn")
        except (TypeError, RuntimeError) as error:
            self._resume(handle._task, None, error)  # pyright: ignore[reportPrivateUsage]
            return
        child = self._new_task(command.raw_task, parent=handle, name=command.name)
        self._resume(handle._task, child.handle, None)  # pyright: ignore[reportPrivateUsage]

    def _cmd_join(self, handle: TaskHandle[Any], command: JoinCommand[Any]) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        target = command.task_handle._task  # pyright: ignore[reportPrivateUsage]
        if target.loop is not self and target.outcome is None and target.state != DONE:
            error = RuntimeError(
                f"cannot join {command.task_handle!r}: it belongs to another EventLoop"
            )
            self._resume(me, None, error)
            return
        if target.state == DONE:
            if target.outcome is None:
                self._resume(
                    me, None, RuntimeError(f"cannot join {target.coro!r}: not a task of this loop")
                )
            else:
                target.observed = True
                self._resume(me, target.result, target.exc)
            return
        if target is me:
            self._resume(me, None, RuntimeError("a task cannot join itself"))
            return
        if target.joiners is None:
            target.joiners = {}
        joiners = target.joiners
        joiners[me] = None
        self._park(me, command, lambda: joiners.pop(me, None))

    def _cmd_sleep(self, handle: TaskHandle[Any], command: SleepCommand) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        end_time = command.end_time
        if end_time <= self.clock.now():
            if command is TURN:
                self._resume(me, None, None)
            else:
                self._requeue(me)
            return
        if end_time == NEVER:  # sleep(inf): only a cancel ends it
            self._park(me, command, None)
            return
        timer = self._timers.add(command.end_time, self._wake, (me, None, None))
        self._park(me, command, timer.cancel)

    def _cmd_park(self, handle: TaskHandle[Any], command: ParkCommand) -> None:
        self._park(handle._task, command.reason, command.on_cancel)  # pyright: ignore[reportPrivateUsage]

    def _cmd_wait_readable(self, handle: TaskHandle[Any], command: WaitReadableCommand) -> None:
        self._wait_io(handle, command, command.fileobj, READ)

    def _cmd_wait_writable(self, handle: TaskHandle[Any], command: WaitWritableCommand) -> None:
        self._wait_io(handle, command, command.fileobj, WRITE)

    def _wait_io(self, handle: TaskHandle[Any], command: Command, fileobj: Any, event: int) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        io = self._io
        try:
            watch = io.add(me, fileobj, event)
        except (TypeError, ValueError, OSError, RuntimeError) as error:
            self._resume(me, None, error)
            self._wake_stale()
            return
        self._park(me, command, watch.cancel_read if event == READ else watch.cancel_write)
        if io.has_stale():
            self._wake_stale()
        if self._hooks:
            self._hook(
                "on_io_wait_start", self._inst.on_io_wait_start, me.coro, fileobj, event == READ
            )

    def _wake_stale(self) -> None:
        """Wake the fd waiters whose file was closed behind the loop's back (OSError)."""
        for stale, _, closed in self._io.take_stale():
            self._wake(stale, None, closed)

    def _cmd_exit(self, handle: TaskHandle[Any], command: ExitCommand) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        if self._exit is None:
            self._exit = LoopExit(command.return_value, command.exception)
        try:
            close_in_context(me)
        except RuntimeError as error:
            logger.error("task %r ignored GeneratorExit after exit(): %s", me.coro, error)
        self._finish(me, "ok", command.return_value, None)
        if not self._shutting_down:
            self._shutting_down = True
            for task in list(self._live.values()):
                self._cancel_task(task)

    def _cmd_cancel(self, handle: TaskHandle[Any], command: CancelCommand[Any]) -> None:
        self._cancel_task(command.task_handle._task)  # pyright: ignore[reportPrivateUsage]
        self._cmd_join(handle, JoinCommand(command.task_handle))
