"""``flowno.core.event_loop.types``: alias of ``flowno_eventloop.types``."""

from flowno_eventloop.types import (
    AnyRawTask,
    DeltaTime,
    ObjectRawTask,
    RawTask,
    RawTaskPacket,
    TaskHandlePacket,
    Time,
)

__all__ = [
    "AnyRawTask",
    "DeltaTime",
    "ObjectRawTask",
    "RawTask",
    "RawTaskPacket",
    "TaskHandlePacket",
    "Time",
]
