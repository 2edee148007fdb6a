"""``flowno.core.event_loop.event_loop``: alias of the loop (``flowno_eventloop``)."""

from flowno_eventloop import EventLoop, current_event_loop, current_task

__all__ = ["EventLoop", "current_event_loop", "current_task"]
