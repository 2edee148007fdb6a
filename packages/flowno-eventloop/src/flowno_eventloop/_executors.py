"""``run_in_executor``: run a plain function on an executor and await it without blocking.

Rules of this module:
- Any ``concurrent.futures.Executor`` works (its ``submit`` returns something with the
  Future protocol), and so do the names ``"thread"`` and ``"process"``: the loop's own
  shared pools. They are created on first use in a run and shut down (waiting for work
  still running) when that run of the loop ends; the next run creates them again.
- The process pool starts its workers with ``forkserver`` where the platform has it
  (``spawn`` elsewhere), never with a plain ``fork`` of a process that runs threads. The
  module of the first function submitted is added to the fork server's preload list (if
  the server is not running yet), so each forked worker starts with it imported.
- After a process pool is shut down, the garbage collector runs once: the pool leaves its
  multiprocessing locks in reference cycles, and their finalizers must run now, not during a
  later call into multiprocessing's resource tracker (which cannot be re-entered and would
  report "ResourceTracker called reentrantly ... might leak").
- Waiting goes through :func:`wait_future`, so everything said there holds: other tasks
  keep running, no deadlock is reported, cancelling the task cancels the future. The
  ``"thread"`` pool is a :class:`LoopThreadPool`: ``run_in_executor("thread", ...)`` waits on
  it without a future (its worker fires the task's token), with the same guarantees.
- A call whose function, arguments or result cannot be pickled fails with
  ``pickle.PicklingError`` naming what did not pickle (found by pickling each piece again,
  only after the executor reported a failure: the successful path pickles once).
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import pickle
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, TypeAlias, TypeVar

from typing_extensions import ParamSpec

from flowno_eventloop._futures import wait_future
from flowno_eventloop._thread_pool import LoopThreadPool
from flowno_eventloop.lowlevel import current_task_handle

__all__ = ["ExecutorLike", "loop_executor", "run_in_executor"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

ExecutorLike: TypeAlias = concurrent.futures.Executor | Literal["thread", "process"]
"""An executor, or the name of one of the loop's shared pools (``"thread"``, ``"process"``)."""

_POOL_KINDS = ("thread", "process")
_pools: weakref.WeakKeyDictionary[Any, dict[str, concurrent.futures.Executor]] = (
    weakref.WeakKeyDictionary()
)


def _process_context(fn: object) -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    _preload(context, fn)
    return context


def _preload(context: Any, fn: object) -> None:
    """Have the fork server import the module(s) of the first function when it starts, so
    that the workers it forks do not each import them again (the main module is run again
    in every worker; what it imports is then already there)."""
    from multiprocessing import forkserver

    server = forkserver._forkserver  # pyright: ignore[reportPrivateUsage]
    preload = list(getattr(server, "_preload_modules", ["__main__"]))
    for module in (getattr(fn, "__module__", None), type(fn).__module__):
        if isinstance(module, str) and module not in preload and module not in _NOT_PRELOADED:
            preload.append(module)
    context.set_forkserver_preload(preload)


_NOT_PRELOADED = frozenset({"__main__", "builtins", "functools"})


def _new_pool(kind: str, loop: Any, fn: object) -> concurrent.futures.Executor:
    if kind == "thread":
        return LoopThreadPool(f"flowno-executor-{id(loop):x}")
    return concurrent.futures.ProcessPoolExecutor(mp_context=_process_context(fn))


def _shutdown_pools(loop: Any) -> None:
    """Loop thread, end of the run: shut the run's pools down (running work finishes)."""
    pools = _pools.pop(loop, {})
    for pool in pools.values():
        pool.shutdown(wait=True)
    had_processes = "process" in pools
    pools.clear()
    if had_processes:
        gc.collect()


def loop_executor(
    kind: Literal["thread", "process"], fn: object = None
) -> concurrent.futures.Executor:
    """The running loop's shared ``"thread"`` or ``"process"`` pool, created on first use.

    Call it from a task. The pool lives until the current run of the loop ends. ``fn``, the
    first function submitted, tells the process pool's fork server what to import up front.

    Raises:
        ValueError: If ``kind`` is not ``"thread"`` or ``"process"``.
        RuntimeError: Outside a task.
    """
    if kind not in _POOL_KINDS:
        raise ValueError(f"executor: expected 'thread', 'process' or an Executor, got {kind!r}")
    loop = current_task_handle().event_loop
    pools = _pools.get(loop)
    if pools is None:
        pools = _pools[loop] = {}
        loop.call_at_run_end(_shutdown_pools, loop)
    pool = pools.get(kind)
    if pool is None:
        pool = pools[kind] = _new_pool(kind, loop, fn)
    return pool


def _resolve(executor: ExecutorLike, fn: object) -> concurrent.futures.Executor:
    if isinstance(executor, str):
        return loop_executor(executor, fn)
    if not callable(getattr(executor, "submit", None)):
        raise TypeError(
            f"executor: expected 'thread', 'process' or a concurrent.futures.Executor, "
            f"got {type(executor).__name__}"
        )
    return executor


async def run_in_executor(
    executor: ExecutorLike, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """Run the plain function ``fn(*args, **kwargs)`` on ``executor`` and return its result.

    The loop keeps running other tasks meanwhile. Cancelling the waiting task cancels the
    submitted work if it has not started (a Ray executor cancels the remote task).

    Args:
        executor: A ``concurrent.futures.Executor`` (a ``DaskExecutor``, a ``RayExecutor``
            ...) or ``"thread"`` / ``"process"`` for the loop's shared pools.
        fn: The function; for a process pool (or a cluster) it and its arguments must pickle.
        *args: Positional arguments for ``fn``.
        **kwargs: Keyword arguments for ``fn``.

    Returns:
        What ``fn`` returned.

    Raises:
        TypeError: If ``fn`` is not callable, or ``executor`` is not an executor.
        pickle.PicklingError: If ``fn``, an argument or the result does not pickle; the
            message names which one.
        Exception: Whatever ``fn`` raised; from another process with the remote traceback
            text attached as a note.

    Example:
        >>> from flowno_eventloop import EventLoop, run_in_executor
        >>> async def main() -> tuple[int, int]:
        ...     in_thread = await run_in_executor("thread", pow, 2, 8)
        ...     in_process = await run_in_executor("process", pow, 3, 4)
        ...     return in_thread, in_process
        >>> EventLoop().run_until_complete(main(), join=True)
        (256, 81)
    """
    if not callable(fn):
        raise TypeError(
            f"run_in_executor(executor, fn): fn must be callable, got {type(fn).__name__}"
        )
    pool = _resolve(executor, fn)
    if type(pool) is LoopThreadPool:
        return await pool.call(fn, args, kwargs)  # nothing to pickle: no error to explain
    try:
        return await wait_future(pool.submit(fn, *args, **kwargs))
    except Exception as exc:
        if not _is_pickling_error(exc):
            raise
        raise pickle.PicklingError(_unpicklable_message(fn, args, kwargs, exc)) from exc


def _is_pickling_error(exc: BaseException) -> bool:
    """Did pickling fail (the messages vary with the Python version and the engine)?"""
    if isinstance(exc, pickle.PicklingError):
        return True
    if not isinstance(exc, (TypeError, AttributeError)):
        return False
    text = " ".join([str(exc), *getattr(exc, "__notes__", ())]).lower()
    return any(marker in text for marker in _PICKLING_MARKERS)


# "cannot pickle ...", "Could not serialize ...", and a process pool's feeder thread failing
# in ForkingPickler.dumps ("Can't get local object ..." on 3.13).
_PICKLING_MARKERS = ("pickle", "serializ", "dumps(")


def _pieces(
    fn: object, args: tuple[object, ...], kwargs: Mapping[str, object]
) -> Iterator[tuple[str, object]]:
    yield "the function", fn
    for index, value in enumerate(args):
        yield f"argument {index}", value
    for name, value in kwargs.items():
        yield f"argument {name!r}", value


def unpicklable_piece(
    pieces: Iterator[tuple[str, object]],
) -> tuple[str, object, Exception] | None:
    """The first ``(label, value)`` whose value does not pickle, with the error; else None."""
    for label, value in pieces:
        try:
            pickle.dumps(value)
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            return label, value, exc
    return None


def _unpicklable_message(
    fn: Callable[..., object],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
    exc: BaseException,
) -> str:
    name = getattr(fn, "__qualname__", repr(fn))
    found = unpicklable_piece(_pieces(fn, args, kwargs))
    if found is None:
        return (
            f"run_in_executor({name}): the call or its result could not be pickled "
            f"to cross to the executor: {exc}"
        )
    label, value, error = found
    return (
        f"run_in_executor({name}): {label} ({type(value).__name__}) cannot be pickled "
        f"to cross to the executor: {error}"
    )
