# Rules of this module: the one place flowno_net imports flowno_eventloop. Everything else in the
# package imports the kernel's names from here, so the contract surface used is visible at once:
# wait_readable / wait_writable / wake_error / notify_closing / current_task_handle (lowlevel),
# the instrument base and accessor, to_thread, TaskGroup, spawn, the sync primitives, sleep and
# timeouts.
"""The flowno_eventloop surface that flowno_net builds on."""

from __future__ import annotations

from flowno_eventloop import (
    BusyResourceError,
    Event,
    Lock,
    TaskGroup,
    TaskHandle,
    current_event_loop,
    fail_after,
    move_on_after,
    sleep,
    spawn,
    to_thread,
)
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    get_current_instrument,
)
from flowno_eventloop.lowlevel import (
    current_task_handle,
    notify_closing,
    wait_readable,
    wait_writable,
    wake_error,
)

__all__ = [
    "EMPTY_INSTRUMENT",
    "BusyResourceError",
    "Event",
    "EventLoopInstrument",
    "Lock",
    "TaskGroup",
    "TaskHandle",
    "current_event_loop",
    "current_task_handle",
    "fail_after",
    "get_current_instrument",
    "move_on_after",
    "notify_closing",
    "sleep",
    "spawn",
    "to_thread",
    "wait_readable",
    "wait_writable",
    "wake_error",
]
