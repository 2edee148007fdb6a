"""``flowno.core.event_loop.instrumentation``: the loop's and the sockets' instrumentation.

The hooks live with their domain: task hooks in ``flowno_eventloop``, socket hooks in
``flowno_net``. The original had one module for both, so this module combines them:
:class:`PrintInstrument` and :class:`LogInstrument` inherit from both libraries' instruments,
the socket hooks (``[SEND]``, ``[RECV]``, ``[TLS]`` ...) from flowno-net and every other hook
from the loop. Every other name is the library's own object.
"""

from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    TaskSendMetadata,
    TaskThrowMetadata,
    get_current_instrument,
)
from flowno_eventloop.instrumentation import LogInstrument as _LoopLogInstrument
from flowno_eventloop.instrumentation import PrintInstrument as _LoopPrintInstrument
from flowno_net import (
    InstrumentationMetadata,
    ReadySocketInstrumentationMetadata,
    SocketConnectReadyMetadata,
    SocketConnectStartMetadata,
    SocketInstrument,
    SocketRecvDataMetadata,
    SocketSendDataMetadata,
    TLSHandshakeMetadata,
)
from flowno_net import SocketLogInstrument as _SocketLogInstrument
from flowno_net import SocketPrintInstrument as _SocketPrintInstrument


# flowno_eventloop.instrumentation and flowno_net each define the socket metadata classes, so
# the two bases declare the socket hooks with different (same-named) parameter types. The
# hooks of flowno-net win (first base). Remove these ignores when only one family remains.
class PrintInstrument(  # type: ignore[misc, unused-ignore]
    _SocketPrintInstrument,
    _LoopPrintInstrument,  # pyright: ignore[reportIncompatibleMethodOverride]
):
    """Prints what the loop's ``PrintInstrument`` reports plus the socket events (``[SEND]`` ...).

    Examples:
        >>> from flowno.core.event_loop.instrumentation import PrintInstrument
        >>> from flowno_eventloop.instrumentation import EventLoopInstrument
        >>> from flowno_net import SocketInstrument
        >>> isinstance(PrintInstrument(), EventLoopInstrument)
        True
        >>> isinstance(PrintInstrument(), SocketInstrument)
        True
    """


class LogInstrument(  # type: ignore[misc, unused-ignore]
    _SocketLogInstrument,
    _LoopLogInstrument,  # pyright: ignore[reportIncompatibleMethodOverride]
):
    """Logs (at DEBUG) what the loop's ``LogInstrument`` reports plus the socket events.

    Examples:
        >>> from flowno.core.event_loop.instrumentation import LogInstrument
        >>> from flowno_net import SocketInstrument
        >>> isinstance(LogInstrument(), SocketInstrument)
        True
    """


__all__ = [
    "EMPTY_INSTRUMENT",
    "EventLoopInstrument",
    "InstrumentationMetadata",
    "LogInstrument",
    "PrintInstrument",
    "ReadySocketInstrumentationMetadata",
    "SocketConnectReadyMetadata",
    "SocketConnectStartMetadata",
    "SocketInstrument",
    "SocketRecvDataMetadata",
    "SocketSendDataMetadata",
    "TLSHandshakeMetadata",
    "TaskSendMetadata",
    "TaskThrowMetadata",
    "get_current_instrument",
]
