"""Type aliases of the original ``flowno.core.event_loop.types`` module.

Rules: typing only, no runtime behaviour; every alias is public and stable.

>>> from flowno_eventloop.types import Time
>>> Time is float
True
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeAlias, TypeVar

_Y = TypeVar("_Y")
_S = TypeVar("_S")
_R = TypeVar("_R")
_E = TypeVar("_E", bound=BaseException)

Time: TypeAlias = float
"""A point on the loop's clock, in seconds (monotonic, not epoch)."""
DeltaTime: TypeAlias = float
"""A duration in seconds."""

RawTask: TypeAlias = Coroutine[_Y, _S, _R]
"""A coroutine driven by the loop: yields ``_Y``, is sent ``_S``, returns ``_R``."""
AnyRawTask: TypeAlias = Coroutine[Any, Any, Any]
ObjectRawTask: TypeAlias = Coroutine[Any, object, object]

RawTaskPacket: TypeAlias = tuple[Coroutine[_Y, _S, _R], Any, _E | None]
"""A ready-queue entry: ``(task, value_to_send, exception_to_throw_or_None)``."""
TaskHandlePacket: TypeAlias = tuple[Coroutine[_Y, _S, _R], Any, _E | None]
"""Same shape as :data:`RawTaskPacket` (the original had both names)."""
AnyPacket: TypeAlias = tuple[Coroutine[Any, Any, Any], Any, BaseException | None]

_Address: TypeAlias = tuple[Any, ...] | str

__all__ = [
    "AnyPacket",
    "AnyRawTask",
    "DeltaTime",
    "ObjectRawTask",
    "RawTask",
    "RawTaskPacket",
    "TaskHandlePacket",
    "Time",
]
