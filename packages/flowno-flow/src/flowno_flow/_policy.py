# Rules: per-node policies. One evaluation of a coroutine node is a NodeCall; the
# node's policies wrap it as a chain (the first policy is the outermost) whose end
# starts the node function. A policy is any async callable
# `policy(call, proceed) -> result`; it may call `proceed()` zero, one or several
# times. Retry and Timeout are two such policies; both use only the running loop's
# clock (sleep / move_on_after), so a MockClock drives them. No engine state here.
"""NodePolicy, NodeCall, Retry, Timeout and NodeTimeoutError."""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from flowno_eventloop import TaskCancelled, move_on_after, sleep

from ._exit import ExitRequest
from ._run_errors import attach_note

if TYPE_CHECKING:
    from ._finalized import AnyFinalizedNode

__all__ = ["NodeCall", "NodePolicy", "NodeTimeoutError", "Retry", "Timeout", "run_policies"]


class NodeTimeoutError(TimeoutError):
    """A node's evaluation (or, for a streaming node, its next item) took too long.

    Args:
        node_name: The node (its FlowHDL attribute, ``f.fetch``, when it has one).
        seconds: The timeout.
        what: What did not finish in time.

    Example:
        >>> str(NodeTimeoutError("f.fetch", 2.0))
        'node f.fetch: evaluation did not finish within 2.0 s'
    """

    def __init__(self, node_name: str, seconds: float, what: str = "evaluation") -> None:
        super().__init__(f"node {node_name}: {what} did not finish within {seconds} s")
        self.node_name: str = node_name
        self.seconds: float = seconds


class NodeCall:
    """One evaluation of a coroutine node, as its policies see it.

    Attributes:
        node: The finalized node.
        label: How errors name it (``f.fetch``, else ``Fetch#0``).
        values: One input value per input port.
        attempt: 1 for the first try; a retrying policy counts it up.

    Example:
        >>> NodeCall(None, "f.x", [1]).attempt
        1
    """

    __slots__ = ("attempt", "label", "node", "values")

    def __init__(self, node: AnyFinalizedNode | None, label: str, values: Sequence[object]) -> None:
        self.node: AnyFinalizedNode | None = node
        self.label: str = label
        self.values: Sequence[object] = values
        self.attempt: int = 1

    def start(self) -> Awaitable[object]:
        """Call the node function with ``values`` (a fresh coroutine per call)."""
        if self.node is None:
            raise RuntimeError(f"{self.label}: this NodeCall has no node to call")
        coroutine: Awaitable[object] = self.node.invoke(self.values)  # type: ignore[assignment]
        return coroutine


class NodePolicy(Protocol):
    """What ``@node(policies=[...])`` accepts: wraps one evaluation of a coroutine node.

    ``proceed()`` runs the rest of the chain (in the end, the node function) and
    returns its result; a policy returns the node's result or raises.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> class Log:
        ...     async def __call__(self, call, proceed):
        ...         print("evaluating", call.label, "attempt", call.attempt)
        ...         return await proceed()
        >>> @node(policies=[Log()])
        ... async def Double(x: int) -> int:
        ...     return 2 * x
        >>> with FlowHDL() as f:
        ...     f.double = Double(21)
        >>> f.run_until_complete()
        evaluating f.double attempt 1
        >>> f.double.get_data()
        (42,)
    """

    def __call__(self, call: NodeCall, proceed: Callable[[], Awaitable[Any]], /) -> Awaitable[Any]:
        """Run the evaluation (through ``proceed``) and return its result."""
        ...


_NEVER_RETRIED = (TaskCancelled, ExitRequest)


@dataclass(frozen=True)
class Retry:
    """Retry a failed evaluation with exponential backoff, on the loop's clock.

    The wait before attempt ``n + 1`` is ``min(delay * backoff ** (n - 1), max_delay)``,
    spread by ``± jitter`` (a fraction; 0 by default, so runs are deterministic).
    Only errors of the ``retry_on`` types are retried; cancellation and ``exit()`` never.

    Args:
        attempts: Total attempts (>= 1), the first one included.
        backoff: Factor between successive waits (>= 1).
        delay: Wait before the second attempt, in seconds.
        max_delay: Cap on any wait.
        retry_on: Exception types that are retried.
        jitter: Random spread of each wait, as a fraction in [0, 1].

    Example:
        >>> [Retry(attempts=4, backoff=2.0, delay=0.5).wait_before(n) for n in (2, 3, 4)]
        [0.5, 1.0, 2.0]
    """

    attempts: int = 3
    backoff: float = 2.0
    delay: float = 1.0
    max_delay: float = math.inf
    retry_on: tuple[type[BaseException], ...] = (Exception,)
    jitter: float = 0.0
    _random: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        attempts = cast("object", self.attempts)  # checked: callers may pass anything
        if isinstance(attempts, bool) or not isinstance(attempts, int):
            raise TypeError(f"Retry(attempts=...) must be an int, got {attempts!r}")
        if attempts < 1:
            raise ValueError(f"Retry(attempts=...) must be >= 1, got {attempts}")
        for name, minimum in (("backoff", 1.0), ("delay", 0.0), ("max_delay", 0.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
                raise ValueError(f"Retry({name}=...) must be a number >= {minimum}, got {value!r}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"Retry(jitter=...) must be within [0, 1], got {self.jitter!r}")
        given = cast("object", self.retry_on)
        kinds = cast("tuple[object, ...]", given) if isinstance(given, tuple) else (given,)
        object.__setattr__(self, "retry_on", kinds)  # a single class is accepted too
        if not kinds or not all(
            isinstance(k, type) and issubclass(k, BaseException) for k in kinds
        ):
            raise TypeError(
                f"Retry(retry_on=...) must be a tuple of exception types, got {self.retry_on!r}"
            )

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2 for the first retry).

        Args:
            attempt: The attempt about to start (>= 2).

        Returns:
            The wait in seconds.
        """
        base = min(self.delay * self.backoff ** (attempt - 2), self.max_delay)
        if self.jitter:
            base *= 1.0 + self.jitter * self._random.uniform(-1.0, 1.0)
        return base

    async def __call__(self, call: NodeCall, proceed: Callable[[], Awaitable[Any]], /) -> Any:
        """Run ``proceed`` until it succeeds or the attempts are used up."""
        kinds = self.retry_on
        while True:
            try:
                return await proceed()
            except _NEVER_RETRIED:
                raise
            except kinds as exc:
                if call.attempt >= self.attempts:
                    attach_note(exc, f"{call.label}: failed after {call.attempt} attempt(s)")
                    raise
            call.attempt += 1
            await sleep(self.wait_before(call.attempt))


@dataclass(frozen=True)
class Timeout:
    """Fail one evaluation (one attempt, under Retry) that runs longer than ``seconds``.

    Args:
        seconds: The limit, on the loop's clock.

    Example:
        >>> Timeout(2.5).seconds
        2.5
    """

    seconds: float

    def __post_init__(self) -> None:
        check_timeout(self.seconds)

    async def __call__(self, call: NodeCall, proceed: Callable[[], Awaitable[Any]], /) -> Any:
        """Run ``proceed``; raise NodeTimeoutError naming the node when it is too slow."""
        with move_on_after(self.seconds) as scope:
            return await proceed()
        if scope.cancelled_caught:
            raise NodeTimeoutError(call.label, self.seconds)
        raise RuntimeError(f"{call.label}: evaluation ended without a result")  # pragma: no cover


def check_timeout(seconds: object) -> float:
    """Validate a ``timeout=`` value.

    Args:
        seconds: The value given.

    Returns:
        It, as a float.

    Raises:
        TypeError: not a number.
        ValueError: not > 0.

    Example:
        >>> check_timeout(3)
        3.0
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {seconds!r}")
    if not seconds > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {seconds!r}")
    return float(seconds)


async def run_policies(policies: Sequence[NodePolicy], call: NodeCall, index: int = 0) -> Any:
    """Run ``call`` through ``policies[index:]`` (outermost first), then the node itself.

    Args:
        policies: The chain.
        call: The evaluation.
        index: Where in the chain to start.

    Returns:
        The node function's result.
    """
    if index == len(policies):
        return await call.start()
    return await policies[index](call, lambda: run_policies(policies, call, index + 1))
