"""``flowno.core.event_loop.queues``: alias of the queues of ``flowno_eventloop``."""

from flowno_eventloop import AsyncMapQueue, AsyncQueue, AsyncSetQueue, QueueClosedError

__all__ = ["AsyncMapQueue", "AsyncQueue", "AsyncSetQueue", "QueueClosedError"]
