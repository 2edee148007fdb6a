# pyright: reportPrivateUsage=false
# Rules: how `await exit(...)` inside a flow run ends the run (not the event loop).
# A run marks its tasks through a context variable, set in the root task's context
# before the node tasks are spawned: node tasks inherit it, and so do the tasks a
# node spawns (helpers). While flows run, the loop serves ExitCommand through an
# ExitServer (installed once per loop, it keeps the handler it replaced):
# - a node task gets an ExitRequest thrown in at its `await exit()` (its `finally`
#   blocks run, its generator is closed by the engine) and the engine ends the run;
# - a helper task of a running flow ends that run the same way; the helper itself
#   is cancelled at its `await exit()` (its `finally` blocks run; a node joining it
#   is stopped with the run, not reported as failed);
# - any other task (or a helper outliving its run) gets the replaced handler: the
#   loop's own exit. Nothing is added to the cost of an evaluation or a stream item.
"""Turning ``exit()`` inside a flow run into the end of that run."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from flowno_eventloop import TaskCancelled, TaskHandle
from flowno_eventloop.commands import ExitCommand
from flowno_eventloop.lowlevel import command_handler, task_context, wake_error

if TYPE_CHECKING:
    from flowno_eventloop import CommandHandler, EventLoop

__all__ = [
    "ExitRequest",
    "ExitServer",
    "RunExitTarget",
    "RunMark",
    "flow_run_var",
    "install_exit_handler",
]


class ExitRequest(BaseException):
    """``exit()`` was called in a flow run: the run ends (normally, or raising ``exception``).

    A BaseException, so that a node's ``except Exception`` does not swallow it.

    Attributes:
        value: The value given to ``exit``.
        exception: The exception the run must raise, or None for a normal end.

    Example:
        >>> r = ExitRequest("v", None)
        >>> r.value, r.exception, isinstance(r, Exception)
        ('v', None, False)
    """

    def __init__(self, value: object, exception: BaseException | None) -> None:
        super().__init__("exit() was called inside a node")
        self.value = value
        self.exception = exception


class RunExitTarget(Protocol):
    """What the exit server needs of a running flow (the engine)."""

    def is_node_task(self, handle: TaskHandle[Any]) -> bool:
        """True if ``handle`` is one of the run's node tasks."""
        ...

    def end_by_exit(self, request: ExitRequest) -> None:
        """End the run with ``request``."""
        ...


class RunMark:
    """One run of a flow, as seen by its tasks: the engine, and whether the run goes on.

    Example:
        >>> mark = RunMark(None)
        >>> mark.live
        True
    """

    __slots__ = ("engine", "live")

    def __init__(self, engine: RunExitTarget | None) -> None:
        self.engine: RunExitTarget | None = engine
        self.live: bool = True


#: The flow run the current task belongs to (node tasks and the tasks they spawn).
flow_run_var: ContextVar[RunMark | None] = ContextVar("flowno_flow_run", default=None)


class ExitServer:
    """The loop's ExitCommand handler while flows run on it (see the module rules).

    Example:
        >>> from flowno_eventloop import EventLoop, exit
        >>> loop = EventLoop()
        >>> install_exit_handler(loop)
        >>> async def main():  # not in a flow: the loop's own exit
        ...     await exit("bye")
        >>> loop.run_until_complete(main(), join=True)
        'bye'
    """

    __slots__ = ("replaced",)

    def __init__(self, replaced: CommandHandler) -> None:
        self.replaced: CommandHandler = replaced

    def __call__(self, loop: EventLoop, handle: TaskHandle[Any], command: ExitCommand) -> None:
        context = task_context(handle)
        mark = None if context is None else context.get(flow_run_var)
        engine = None if mark is None or not mark.live else mark.engine
        if engine is None:  # not in a flow run, or a helper task outliving its run
            self.replaced(loop, handle, command)
            return
        request = ExitRequest(command.return_value, command.exception)
        if engine.is_node_task(handle):
            wake_error(handle, request)
        else:  # a helper task spawned inside a node
            engine.end_by_exit(request)
            wake_error(handle, TaskCancelled(handle))


def install_exit_handler(loop: EventLoop) -> None:
    """Serve ExitCommand on ``loop`` with an :class:`ExitServer` (idempotent).

    Args:
        loop: The loop a flow is about to run on.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> from flowno_eventloop.lowlevel import command_handler
        >>> loop = EventLoop()
        >>> install_exit_handler(loop); install_exit_handler(loop)
        >>> server = command_handler(loop, ExitCommand)
        >>> isinstance(server, ExitServer), isinstance(server.replaced, ExitServer)
        (True, False)
    """
    current = command_handler(loop, ExitCommand)
    if isinstance(current, ExitServer):
        return
    if current is None:  # pragma: no cover - every EventLoop serves ExitCommand
        raise RuntimeError(f"{loop!r} has no handler for ExitCommand")
    loop.register_command(ExitCommand, ExitServer(current))
