"""Await anything that completes elsewhere: ``wait_future(fut)`` for the Future protocol.

Rules of this module:
- Built only on the public low-level API: a ``WakeToken`` (one park, woken once from any
  thread) and ``loop.hold`` / ``release``.
- The future's done-callback (which may run on any thread) fires the token; the task then
  reads the outcome of a future that is already done: nothing ever blocks on ``result()``.
- While a task waits the loop is held, so it neither reports a deadlock nor ends the run;
  the hold is released exactly once, when the wait ends (outcome or cancel).
- Cancelling the waiting task cancels the future and stops the wait at once, unless the
  outcome is already in: then the task receives it and the cancel comes at its next park.
  An outcome that arrives after the wait was given up is dropped.
- An exception computed in another process carries its remote traceback as text; it comes
  back as the same exception with that text attached as a note (``__notes__``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flowno_eventloop.lowlevel import WakeToken, current_task_handle

__all__ = ["FutureLike", "add_remote_traceback", "wait_future"]

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)

REMOTE_TRACEBACK_HEADER = "Remote traceback (where the work ran):"


class FutureLike(Protocol[_T_co]):
    """What :func:`wait_future` needs of a future: the ``concurrent.futures.Future`` protocol.

    ``concurrent.futures.Future``, ``ray.ObjectRef.future()`` and Dask's futures have it.

    Example:
        >>> import concurrent.futures
        >>> fut: FutureLike[int] = concurrent.futures.Future()
        >>> fut.cancel()
        True
    """

    def done(self) -> bool:
        """True once the future has a result, an exception or was cancelled."""
        ...

    def cancel(self) -> bool:
        """Try to cancel the work; True if it will not run."""
        ...

    def cancelled(self) -> bool:
        """True if the work was cancelled."""
        ...

    def result(self, timeout: float | None = None) -> _T_co:
        """The result (only called once the future is done)."""
        ...

    def add_done_callback(self, fn: Callable[[Any], object], /) -> None:
        """Call ``fn(future)`` once the future is done, from any thread."""
        ...


def add_remote_traceback(exc: BaseException, text: str) -> BaseException:
    """Attach ``text`` (a traceback formatted where the work ran) to ``exc`` as a note.

    Idempotent: an exception that already carries a remote traceback note is left alone.
    Returns ``exc``.

    Example:
        >>> err = add_remote_traceback(ValueError("bad"), "Traceback ...\\nValueError: bad")
        >>> err.__notes__[0].splitlines()[0]
        'Remote traceback (where the work ran):'
    """
    notes: list[str] | None = getattr(exc, "__notes__", None)
    if notes is None:
        notes = []
        exc.__notes__ = notes  # type: ignore[attr-defined]  # add_note is 3.11+
    if not any(note.startswith(REMOTE_TRACEBACK_HEADER) for note in notes):
        notes.append(f"{REMOTE_TRACEBACK_HEADER}\n{text.rstrip()}")
    return exc


def _remote_traceback_text(exc: BaseException) -> str | None:
    """The traceback text a process pool chains to an exception (as its ``__cause__``)."""
    cause = exc.__cause__
    text = getattr(cause, "tb", None)
    if type(cause).__name__ == "_RemoteTraceback" and isinstance(text, str):
        return text
    return None


class _Wait:
    """One wait: the park reason (``wait_future(<the future>)``) and its abort."""

    __slots__ = ("future",)

    def __init__(self, future: FutureLike[Any]) -> None:
        self.future = future

    def __repr__(self) -> str:
        return f"wait_future({self.future!r})"

    def abort(self) -> bool:
        """Loop thread, the waiting task is cancelled: cancel the future. Accept (stop
        waiting) unless the outcome is already in and on its way to the task (then it is
        delivered and the cancel comes at the task's next park or checkpoint)."""
        future = self.future
        future.cancel()
        return future.cancelled() or not future.done()


def _outcome(future: FutureLike[_T]) -> _T:
    """The result of a done future; an exception gets its remote traceback as a note."""
    try:
        return future.result()
    except BaseException as exc:
        text = _remote_traceback_text(exc)
        if text is not None:
            add_remote_traceback(exc, text)
        raise


async def wait_future(future: FutureLike[_T]) -> _T:
    """Wait for a ``concurrent.futures.Future`` (or anything with its protocol) without
    blocking the loop; other tasks keep running meanwhile.

    Cancelling the waiting task cancels the future. While the task waits the loop does not
    report a deadlock (work is in flight elsewhere).

    Args:
        future: The future to wait for; completed by any thread or process.

    Returns:
        The future's result.

    Raises:
        TypeError: If ``future`` has no ``add_done_callback`` (it is not a future).
        concurrent.futures.CancelledError: If the future was cancelled by someone else.
        Exception: Whatever the work raised; an exception from another process carries the
            remote traceback text as a note.

    Example:
        >>> import concurrent.futures
        >>> from flowno_eventloop import EventLoop, wait_future
        >>> async def main() -> int:
        ...     with concurrent.futures.ThreadPoolExecutor(1) as pool:
        ...         return await wait_future(pool.submit(pow, 2, 10))
        >>> EventLoop().run_until_complete(main(), join=True)
        1024
    """
    if not callable(getattr(future, "add_done_callback", None)):
        raise TypeError(
            "wait_future(future): expected a concurrent.futures.Future (or an object with its "
            f"protocol), got {type(future).__name__}"
        )
    token = WakeToken()
    loop = current_task_handle().event_loop
    loop.hold()  # work is in flight elsewhere: no deadlock while we wait
    try:
        future.add_done_callback(token.wake_threadsafe)
        wait = _Wait(future)
        done: FutureLike[_T] = await token.park(reason=wait, abort=wait.abort)
    finally:
        loop.release()
    return _outcome(done)
