"""flowno_eventloop: a small, deterministic coroutine event loop (the Flowno kernel).

The public surface is exactly ``__all__``; low-level pieces for library authors are in
:mod:`flowno_eventloop.lowlevel`.

>>> from flowno_eventloop import EventLoop, spawn, sleep
>>> async def main():
...     h = await spawn(sleep(0))
...     await h.join()
...     return "ok"
>>> EventLoop().run_until_complete(main(), join=True)
'ok'
"""

from flowno_eventloop._clock import Clock, MockClock, MonotonicClock
from flowno_eventloop._context import current_event_loop, current_task
from flowno_eventloop._errors import BusyResourceError, DeadlockError, InstrumentHookError
from flowno_eventloop._event import Event
from flowno_eventloop._latch import CountdownLatch
from flowno_eventloop._logging import TagFilter, configure_logging_from_env
from flowno_eventloop._loop import CommandHandler, EventLoop
from flowno_eventloop._primitives import azip, exit, sleep, spawn
from flowno_eventloop._queue_sets import AsyncMapQueue, AsyncSetQueue
from flowno_eventloop._queues import AsyncQueue, QueueClosedError, QueueFull
from flowno_eventloop._sync import Condition, Lock, OwnershipError
from flowno_eventloop._tasks import CancelRequest, TaskCancelled, TaskHandle
from flowno_eventloop._timers import TimerHandle
from flowno_eventloop.instrumentation import EventLoopInstrument, get_current_instrument

__all__ = [
    "AsyncMapQueue",
    "AsyncQueue",
    "AsyncSetQueue",
    "BusyResourceError",
    "CancelRequest",
    "Clock",
    "CommandHandler",
    "Condition",
    "CountdownLatch",
    "DeadlockError",
    "Event",
    "EventLoop",
    "EventLoopInstrument",
    "InstrumentHookError",
    "Lock",
    "MockClock",
    "MonotonicClock",
    "OwnershipError",
    "QueueClosedError",
    "QueueFull",
    "TagFilter",
    "TaskCancelled",
    "TaskHandle",
    "TimerHandle",
    "azip",
    "configure_logging_from_env",
    "current_event_loop",
    "current_task",
    "exit",
    "get_current_instrument",
    "sleep",
    "spawn",
]

# --- beyond the original ---
from flowno_eventloop._executors import ExecutorLike, run_in_executor
from flowno_eventloop._futures import FutureLike, wait_future
from flowno_eventloop._semaphore import BoundedSemaphore, Semaphore
from flowno_eventloop._taskgroup import TaskGroup, TaskStatus
from flowno_eventloop._threads import from_thread_run, run_coroutine_threadsafe, to_thread
from flowno_eventloop._timeouts import (
    CancelScope,
    ScopeCancelled,
    fail_after,
    fail_at,
    move_on_after,
    move_on_at,
)

__all__ += [
    "BoundedSemaphore",
    "CancelScope",
    "ScopeCancelled",
    "Semaphore",
    "TaskGroup",
    "TaskStatus",
    "fail_after",
    "fail_at",
    "from_thread_run",
    "move_on_after",
    "move_on_at",
    "run_coroutine_threadsafe",
    "to_thread",
]
# awaiting work that runs elsewhere
__all__ += ["ExecutorLike", "FutureLike", "run_in_executor", "wait_future"]
