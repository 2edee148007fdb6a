"""Flowno: a Python DSL for concurrent, cyclic and streaming dataflow programs.

This is the meta package. It owns no behaviour: it re-exports the unified namespace from
the three libraries (``flowno_eventloop``, ``flowno_net``, ``flowno_flow``) and keeps the
original deep module paths (``flowno.core.event_loop.queues`` ...) as thin alias modules that
hand back the very same objects.

``from flowno import ...`` offers every public name of the three libraries (the union of
their ``__all__``), each the library's own object.

On import it honours the ``FLOWNO_LOG_*`` environment variables (idempotently) through
:func:`flowno_eventloop.configure_logging_from_env`; an unknown ``FLOWNO_LOG_LEVEL`` warns and
falls back to ``ERROR`` instead of failing the import.

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
    Lock,
    TagFilter,
    azip,
    current_event_loop,
    exit,
    sleep,
    spawn,
)
from flowno_flow import (
    DraftGroupNode,
    DraftNode,
    Flow,
    FlowHDL,
    FlowHDLView,
    Stream,
    StreamCancelled,
    TerminateLimitReached,
    current_context,
    current_flow,
    current_node,
    node,
)
from flowno_net import SocketHandle, socket

from ._logging_env import configure_logging_leniently

configure_logging_leniently()

__all__ = [
    "AsyncQueue",
    "Condition",
    "DraftGroupNode",
    "DraftNode",
    "Event",
    "EventLoop",
    "Flow",
    "FlowHDL",
    "FlowHDLView",
    "Lock",
    "SocketHandle",
    "Stream",
    "StreamCancelled",
    "TagFilter",
    "TerminateLimitReached",
    "azip",
    "current_context",
    "current_event_loop",
    "current_flow",
    "current_node",
    "exit",
    "node",
    "sleep",
    "socket",
    "spawn",
]

# --- the whole public API of the three libraries ---
# Every name of their ``__all__`` is offered here too; a test keeps flowno.__all__ equal to
# that union and checks that each name is the library's own object. (A name listed above
# appears twice in __all__; that is harmless.)
import flowno_eventloop  # noqa: E402
import flowno_flow  # noqa: E402
import flowno_net  # noqa: E402
from flowno_eventloop import *  # noqa: E402, F403
from flowno_flow import *  # noqa: E402, F403
from flowno_net import *  # noqa: E402, F403

__all__ += flowno_eventloop.__all__
__all__ += flowno_net.__all__
__all__ += flowno_flow.__all__
