"""Instrument plumbing: the loop's hook methods and the current instrument.

Rules: a hook that raises ends the run with ``InstrumentHookError`` (chained); the task is
not blamed. Hooks run only when an instrument is active or a subclass overrides one of the
``_on_task_*`` methods (then the general stepping path runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowno_eventloop._errors import InstrumentHookError
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    TaskSendMetadata,
    TaskThrowMetadata,
    get_current_instrument,
)

__all__ = ["HOOK_NAMES", "InstrumentPlumbing"]

HOOK_NAMES = (
    "_on_task_before_send",
    "_on_task_after_send",
    "_on_task_before_throw",
    "_on_task_after_throw",
    "_on_task_completed",
    "_on_task_error",
    "_on_task_cancelled",
)


class InstrumentPlumbing:
    """The hook half of the loop (internal base class)."""

    _inst: EventLoopInstrument
    _hooks: bool
    _hooks_overridden: bool

    def _refresh_instrument(self) -> None:
        inst = get_current_instrument()
        self._inst = inst
        self._hooks = inst is not EMPTY_INSTRUMENT or self._hooks_overridden

    def _hook(self, name: str, hook: Callable[..., object], *args: Any) -> None:
        try:
            hook(*args)
        except Exception as error:
            raise InstrumentHookError(f"instrument hook {name} raised {error!r}") from error

    def _on_task_before_send(self, task: Any, value: Any) -> None:
        self._inst.on_task_before_send(TaskSendMetadata(task, value))

    def _on_task_after_send(self, task: Any, value: Any, command: Any) -> None:
        self._inst.on_task_after_send(TaskSendMetadata(task, value), command)

    def _on_task_before_throw(self, task: Any, exc: BaseException) -> None:
        self._inst.on_task_before_throw(TaskThrowMetadata(task, exc))

    def _on_task_after_throw(self, task: Any, exc: BaseException, command: Any) -> None:
        self._inst.on_task_after_throw(TaskThrowMetadata(task, exc), command)

    def _on_task_completed(self, task: Any, result: Any) -> None:
        self._inst.on_task_completed(task, result)

    def _on_task_error(self, task: Any, exc: Exception) -> None:
        self._inst.on_task_error(task, exc)

    def _on_task_cancelled(self, task: Any, exc: Exception) -> None:
        self._inst.on_task_cancelled(task, exc)
