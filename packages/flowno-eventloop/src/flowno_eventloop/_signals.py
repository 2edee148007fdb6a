"""Opt-in signal handling: a state dump on SIGINT/SIGTERM/SIGUSR1, chained and restored.

Rules: installed only when the loop was built with ``handle_signals=True`` and only on the
main thread; the previous handler is always called afterwards (so SIGINT still raises
KeyboardInterrupt and SIGTERM still terminates) and restored on exit.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["SignalGuard"]

logger = logging.getLogger("flowno.eventloop")

_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
_SIGNALS = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGUSR1")) if s is not None
)


def dump_state(loop: EventLoop, signame: str) -> str:
    """Return the debug dump the handlers log (also useful on its own)."""
    stats = loop.statistics()
    lines = [f"=== EVENT LOOP DEBUG INFO (Signal {signame} received) ==="]
    for key in ("live_tasks", "ready", "parked", "timers", "io_waits", "holds", "steps"):
        lines.append(f"{key}: {stats[key]}")
    for task, reason in stats["blocked"][:5]:
        lines.append(f"  blocked: {task} on {reason}")
    return "\n".join(lines)


class SignalGuard:
    """Installs the dump handlers for one run and restores the previous ones."""

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop
        self._previous: dict[int, _Handler] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            logger.debug("signal handlers not installed: not on the main thread")
            return
        for signum in _SIGNALS:
            self._previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self._handle)
        logger.debug("signal handlers installed")

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
        logger.debug("signal handlers restored")

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        logger.warning(dump_state(self._loop, signal.Signals(signum).name))
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL or previous is None:
            signal.signal(signum, signal.SIG_DFL)
            self._previous.pop(signum, None)
            signal.raise_signal(signum)
