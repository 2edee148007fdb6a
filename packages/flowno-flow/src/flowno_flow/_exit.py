# pyright: reportPrivateUsage=false
# Rules: how `await exit(...)` inside a node ends the flow run (not the event loop).
# While a flow runs, its loop serves ExitCommand through `serve_exit`: for a task
# that is a node of a running flow, the command becomes an ExitRequest thrown in at
# the `await exit()` (the node's `finally` blocks run, its generator is closed by
# the engine) and the engine ends the run; any other task gets the loop's own
# exit. Nothing is added to the cost of an evaluation or a stream item.
"""Turning ``exit()`` inside a node into the end of the flow run."""

from __future__ import annotations

from typing import Any

from flowno_eventloop import EventLoop, TaskHandle
from flowno_eventloop.commands import ExitCommand
from flowno_eventloop.lowlevel import wake_error

__all__ = ["ExitRequest", "exit_targets", "install_exit_handler"]


class ExitRequest(BaseException):
    """A node called ``exit()``: the run ends (normally, or raising ``exception``).

    A BaseException, so that a node's ``except Exception`` does not swallow it.

    Attributes:
        value: The value given to ``exit``.
        exception: The exception the run must raise, or None for a normal end.
    """

    def __init__(self, value: object, exception: BaseException | None) -> None:
        super().__init__("exit() was called inside a node")
        self.value = value
        self.exception = exception


#: The node tasks of the flows running now (their exit() ends their flow).
exit_targets: set[TaskHandle[Any]] = set()


def serve_exit(loop: EventLoop, handle: TaskHandle[Any], command: ExitCommand) -> None:
    """The loop's ExitCommand handler while flows run on it."""
    if handle in exit_targets:
        wake_error(handle, ExitRequest(command.return_value, command.exception))
    else:
        EventLoop._cmd_exit(loop, handle, command)


def install_exit_handler(loop: EventLoop) -> None:
    """Serve ExitCommand on ``loop`` with :func:`serve_exit` (idempotent)."""
    loop.register_command(ExitCommand, serve_exit)
