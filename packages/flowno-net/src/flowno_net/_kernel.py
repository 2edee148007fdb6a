# Rules of this module: the one place flowno_net imports flowno_eventloop. Everything else in the
# package imports the kernel's names from here, so the contract surface used is visible at once:
# wait_readable / wait_writable / wake_error / current_task_handle (lowlevel), the instrument
# base and accessor, to_thread and TaskGroup.
"""The flowno_eventloop surface that flowno_net builds on."""

from __future__ import annotations

from flowno_eventloop import BusyResourceError, TaskGroup, current_event_loop, to_thread
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    get_current_instrument,
)
from flowno_eventloop.lowlevel import current_task_handle, wait_readable, wait_writable, wake_error

__all__ = [
    "EMPTY_INSTRUMENT",
    "BusyResourceError",
    "EventLoopInstrument",
    "TaskGroup",
    "current_event_loop",
    "current_task_handle",
    "get_current_instrument",
    "to_thread",
    "wait_readable",
    "wait_writable",
    "wake_error",
]
