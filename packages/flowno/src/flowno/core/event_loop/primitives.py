"""``flowno.core.event_loop.primitives``: alias of the awaitable primitives and ``socket``."""

from flowno_eventloop import azip, exit, sleep, spawn
from flowno_net import socket

__all__ = ["azip", "exit", "sleep", "socket", "spawn"]
