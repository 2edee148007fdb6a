# Rules: immutable status values of a node task.
"""NodeTaskStatus: Queued, Executing, WaitingForStartNextGeneration, Error, Stalled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "EXECUTING",
    "QUEUED",
    "Error",
    "Executing",
    "NodeTaskStatus",
    "Queued",
    "Stalled",
    "WaitingForStartNextGeneration",
    "waiting_status",
]


@dataclass(frozen=True)
class Queued:
    """Resumed by the engine, waiting for its turn in the event loop.

    Example:
        >>> Queued()
        Queued()
    """


@dataclass(frozen=True)
class Executing:
    """Running its function.

    Example:
        >>> Executing()
        Executing()
    """


@dataclass(frozen=True)
class WaitingForStartNextGeneration:
    """Parked: idle until the engine resumes it.

    Attributes:
        run_level: -1 before the first run, 0 after a whole evaluation, 1 after a chunk.

    Example:
        >>> WaitingForStartNextGeneration(0)
        WaitingForStartNextGeneration(run_level=0)
    """

    run_level: int = -1


@dataclass(frozen=True)
class Error:
    """The node's function (or the engine around it) raised.

    Example:
        >>> Error()
        Error()
    """


@dataclass(frozen=True)
class Stalled:
    """Mid-run, waiting for the next item of a stream input.

    Attributes:
        stalling_input: The consumer port reference it waits on.

    Example:
        >>> Stalled("Sum#0.input(0)")
        Stalled(stalling_input='Sum#0.input(0)')
    """

    stalling_input: object


class NodeTaskStatus:
    """Namespace of the status classes (``NodeTaskStatus.Queued`` ...), as in the original.

    Example:
        >>> NodeTaskStatus.Stalled is Stalled
        True
    """

    Queued = Queued
    Executing = Executing
    WaitingForStartNextGeneration = WaitingForStartNextGeneration
    Error = Error
    Stalled = Stalled


AnyStatus = Queued | Executing | WaitingForStartNextGeneration | Error | Stalled


#: Shared instances of the statuses the engine sets most (statuses are immutable values).
QUEUED: Final[Queued] = Queued()
EXECUTING: Final[Executing] = Executing()
_WAITING = {level: WaitingForStartNextGeneration(level) for level in (-1, 0, 1)}


def waiting_status(run_level: int) -> WaitingForStartNextGeneration:
    """``WaitingForStartNextGeneration(run_level)``, shared for the usual levels.

    Args:
        run_level: The run level of the node's last output.

    Returns:
        The status value.

    Example:
        >>> waiting_status(0) == WaitingForStartNextGeneration(0), waiting_status(0) is waiting_status(0)
        (True, True)
    """
    status = _WAITING.get(run_level)
    return status if status is not None else WaitingForStartNextGeneration(run_level)
