"""``flowno.core.event_loop``: alias of the event loop's documented names.

>>> from flowno.core.event_loop import EventLoop
>>> import flowno_eventloop
>>> EventLoop is flowno_eventloop.EventLoop
True
"""

from flowno_eventloop import EventLoop, current_event_loop, current_task, exit, sleep, spawn
from flowno_net import socket

__all__ = ["EventLoop", "current_event_loop", "current_task", "exit", "sleep", "socket", "spawn"]
