"""``flowno.core.event_loop.synchronization``: alias of the primitives of ``flowno_eventloop``."""

from flowno_eventloop import Condition, CountdownLatch, Event, Lock

__all__ = ["Condition", "CountdownLatch", "Event", "Lock"]
