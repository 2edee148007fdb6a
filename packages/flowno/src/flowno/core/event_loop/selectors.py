"""``flowno.core.event_loop.selectors``: alias of the socket handles of ``flowno_net``."""

from flowno_net import SocketHandle, TLSSocketHandle, sel

__all__ = ["SocketHandle", "TLSSocketHandle", "sel"]
