# Rules: how `await exit(...)` inside a node ends the flow run (not the event loop).
# A node's awaitable is driven by `guarded`, which passes every command through to
# the loop unchanged except ExitCommand: that one closes the node's coroutine (its
# `finally` blocks run) and becomes an ExitRequest raised into the engine.
"""Turning ``exit()`` inside a node into the end of the flow run."""

from __future__ import annotations

import types
from collections.abc import Awaitable, Generator
from typing import Any, cast

from flowno_eventloop.commands import ExitCommand

__all__ = ["ExitRequest", "guarded"]


class ExitRequest(Exception):
    """A node called ``exit()``: the run ends (normally, or raising ``exception``).

    Attributes:
        value: The value given to ``exit``.
        exception: The exception the run must raise, or None for a normal end.
    """

    def __init__(self, value: object, exception: BaseException | None) -> None:
        super().__init__("exit() was called inside a node")
        self.value = value
        self.exception = exception


@types.coroutine
def guarded(awaitable: Awaitable[Any]) -> Generator[Any, Any, Any]:
    """Drive ``awaitable`` like ``await`` does, turning an ``exit()`` into ExitRequest.

    On ``exit()`` a GeneratorExit is thrown in at the ``await exit()``; the node's
    ``finally`` blocks run (and may still await); then ExitRequest is raised.
    """
    driven = cast("Any", awaitable)  # a coroutine or an async generator's asend/athrow
    send_value: Any = None
    error: BaseException | None = None
    request: ExitRequest | None = None
    while True:
        try:
            command = driven.send(send_value) if error is None else driven.throw(error)
        except StopIteration as stop:
            if request is not None:
                raise request from None
            return stop.value
        except (GeneratorExit, StopAsyncIteration):
            if request is None:
                raise
            raise request from None
        if type(command) is ExitCommand and request is None:
            request = ExitRequest(command.return_value, command.exception)
            send_value, error = None, GeneratorExit()
            continue
        try:
            send_value = yield command
            error = None
        except BaseException as exc:  # noqa: BLE001 - thrown into the node, like await does
            send_value, error = None, exc
