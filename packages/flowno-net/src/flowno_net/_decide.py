# Rules of this module: pure decisions, no I/O, no loop. Given what a non-blocking attempt
# raised, say what the caller does next. Table-driven; tested without running a loop.
"""What to do after a non-blocking socket attempt failed."""

from __future__ import annotations

import enum
import ssl


class Direction(enum.Enum):
    """The readiness an operation waits for when it would block."""

    READ = "read"
    WRITE = "write"


class Step(enum.Enum):
    """The next step after a non-blocking attempt raised."""

    WAIT_READABLE = "wait_readable"
    WAIT_WRITABLE = "wait_writable"
    RETRY = "retry"


#: Exceptions that mean "not now", in the order they are checked (the SSL ones first: they are
#: not BlockingIOError). ``None`` stands for "wait in the operation's own direction".
_RETRY_TABLE: tuple[tuple[type[BaseException], Step | None], ...] = (
    (ssl.SSLWantReadError, Step.WAIT_READABLE),
    (ssl.SSLWantWriteError, Step.WAIT_WRITABLE),
    (InterruptedError, Step.RETRY),
    (BlockingIOError, None),
)

#: The exception types that :func:`next_step` understands; anything else is a real error.
WOULD_BLOCK: tuple[type[BaseException], ...] = tuple(kind for kind, _ in _RETRY_TABLE)

_OWN_DIRECTION: dict[Direction, Step] = {
    Direction.READ: Step.WAIT_READABLE,
    Direction.WRITE: Step.WAIT_WRITABLE,
}


def next_step(exc: BaseException, direction: Direction) -> Step:
    """Decide how to continue after a non-blocking attempt raised ``exc``.

    Args:
        exc: what the attempt raised; must be one of :data:`WOULD_BLOCK`.
        direction: the readiness the operation naturally waits for.

    Returns:
        The step: wait for readability, wait for writability, or retry at once.

    Raises:
        TypeError: ``exc`` is not a "would block" exception (it is a real error).

    >>> next_step(BlockingIOError(), Direction.WRITE)
    <Step.WAIT_WRITABLE: 'wait_writable'>
    >>> next_step(ssl.SSLWantReadError(), Direction.WRITE)
    <Step.WAIT_READABLE: 'wait_readable'>
    """
    for kind, step in _RETRY_TABLE:
        if isinstance(exc, kind):
            return _OWN_DIRECTION[direction] if step is None else step
    raise TypeError(f"next_step: {type(exc).__name__} is not a would-block exception") from exc
