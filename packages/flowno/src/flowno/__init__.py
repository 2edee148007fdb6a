"""Flowno: a Python DSL for concurrent, cyclic and streaming dataflow programs.

This is the meta package. It owns no behaviour: it re-exports the unified namespace from
the three libraries (``flowno_eventloop``, ``flowno_net``, ``flowno_flow``) and keeps the
original deep module paths (``flowno.core.event_loop.queues`` ...) as thin alias modules that
hand back the very same objects.

On import it honours the ``FLOWNO_LOG_*`` environment variables (idempotently) through
:func:`flowno_eventloop.configure_logging_from_env`.

>>> from flowno import node, FlowHDL, EventLoop, socket
>>> import flowno_eventloop
>>> EventLoop is flowno_eventloop.EventLoop
True
"""

# Rules of this package: every name is imported from a library's public surface, never
# redefined (the two exceptions are the combined PrintInstrument/LogInstrument of
# flowno.core.event_loop.instrumentation and the demo); nothing here has state.

from flowno_eventloop import (
    AsyncQueue,
    Condition,
    Event,
    EventLoop,
    ExecutorLike,
    FutureLike,
    Lock,
    QueueFull,
    TagFilter,
    TaskStatus,
    azip,
    configure_logging_from_env,
    current_event_loop,
    exit,
    run_in_executor,
    sleep,
    spawn,
    wait_future,
)
from flowno_flow import (
    DraftGroupNode,
    DraftNode,
    Flow,
    FlowHDL,
    FlowHDLView,
    NodeCall,
    NodePolicy,
    NodeTimeoutError,
    Retry,
    Stream,
    StreamCancelled,
    TerminateLimitReached,
    Timeout,
    current_context,
    current_flow,
    current_node,
    node,
)
from flowno_net import SocketHandle, socket

configure_logging_from_env()

__all__ = [
    "AsyncQueue",
    "Condition",
    "DraftGroupNode",
    "DraftNode",
    "Event",
    "EventLoop",
    "ExecutorLike",
    "Flow",
    "FlowHDL",
    "FlowHDLView",
    "FutureLike",
    "Lock",
    "NodeCall",
    "NodePolicy",
    "NodeTimeoutError",
    "QueueFull",
    "Retry",
    "SocketHandle",
    "Stream",
    "StreamCancelled",
    "TagFilter",
    "TaskStatus",
    "TerminateLimitReached",
    "Timeout",
    "azip",
    "current_context",
    "current_event_loop",
    "current_flow",
    "current_node",
    "exit",
    "node",
    "run_in_executor",
    "sleep",
    "socket",
    "spawn",
    "wait_future",
]
