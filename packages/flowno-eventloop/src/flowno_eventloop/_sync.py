"""Lock, Condition: library code on park/wake (``Event`` is in ``_event.py``).

Rules: waiters live on the primitive (``Waiters``, FIFO); a cancelled waiter removes itself
through its ``on_cancel``; an uncontended acquire, a release and ``notify`` never
give the turn away; misuse (non-owner release, wait/notify without the lock,
re-acquiring a held lock) raises :class:`OwnershipError` in the offending task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from flowno_eventloop._context import current_task_handle, current_task_var
from flowno_eventloop._tasks import TaskHandle
from flowno_eventloop._waiters import Waiters, checkpoint_if_cancelled
from flowno_eventloop.lowlevel import park, wake

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["Condition", "Lock", "OwnershipError"]

_current_handle = current_task_var.get

logger = logging.getLogger("flowno.eventloop.synchronization")


class OwnershipError(RuntimeError, AssertionError):
    """A lock or condition was used by a task that does not hold the lock.

    It is an ``AssertionError`` too, because the original documented one.

    Example:
        >>> issubclass(OwnershipError, AssertionError)
        True
    """


class Lock:
    """A non-reentrant mutex with FIFO waiters and direct hand-off on release.

    An uncontended acquire and a release never give the turn away.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> async def user(name, lock, log):
        ...     async with lock:
        ...         log.append(name)
        ...         await sleep(0)
        >>> async def main():
        ...     lock, log = Lock(), []
        ...     hs = [await spawn(user(n, lock, log)) for n in "abc"]
        ...     for h in hs:
        ...         await h.join()
        ...     return log, lock.is_locked()
        >>> EventLoop().run_until_complete(main(), join=True)
        (['a', 'b', 'c'], False)
    """

    __slots__ = ("_owner", "_waiters")

    def __init__(self) -> None:
        self._owner: TaskHandle[Any] | None = None
        self._waiters: Waiters[None] = Waiters()

    def is_locked(self) -> bool:
        """True while some task holds the lock.

        Example:
            >>> from flowno_eventloop import EventLoop, Lock
            >>> async def main():
            ...     lock = Lock(); await lock.acquire(); return lock.is_locked()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        return self._owner is not None

    @property
    def owner(self) -> TaskHandle[Any] | None:
        """The handle of the holding task, or None.

        Example:
            >>> from flowno_eventloop import EventLoop, Lock
            >>> async def main():
            ...     lock = Lock(); return lock.owner is None
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        return self._owner

    async def acquire(self) -> None:
        """Take the lock (without yielding if free), else wait in FIFO order.

        Raises:
            OwnershipError: The calling task already holds the lock (it would deadlock).

        Example:
            >>> from flowno_eventloop import EventLoop, Lock
            >>> async def main():
            ...     lock = Lock(); await lock.acquire(); return lock.is_locked()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        me = current_task_handle()
        if self._owner is None:
            self._owner = me
            return
        if self._owner == me:
            raise OwnershipError(f"{self!r}: the current task already holds this lock")
        self._waiters.add(me)
        try:
            await park(reason=self, on_cancel=lambda: self._waiters.discard(me))
        except BaseException:
            if self._owner == me:  # granted, then cancelled before it ran
                self._release()
            raise

    async def release(self) -> None:
        """Release the lock, handing it to the first waiter. Does not yield.

        Raises:
            OwnershipError: The calling task does not hold the lock.

        Example:
            >>> from flowno_eventloop import EventLoop, Lock
            >>> async def main():
            ...     lock = Lock(); await lock.acquire(); await lock.release(); return lock.is_locked()
            >>> EventLoop().run_until_complete(main(), join=True)
            False
        """
        me = current_task_handle()
        if self._owner != me:
            raise OwnershipError(f"{self!r} released by {me!r}, which does not hold it")
        self._release()

    def _release(self) -> None:
        if self._waiters:
            handle, _ = self._waiters.pop()
            self._owner = handle
            wake(handle)
        else:
            self._owner = None

    def _enqueue_owned_waiter(self, handle: TaskHandle[Any]) -> None:
        """Give the lock to a parked task, now or when it is released (Condition)."""
        if self._owner is None:
            self._owner = handle
            wake(handle)
        else:
            self._waiters.add(handle)

    async def __aenter__(self) -> Lock:
        await self.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None and self._owner != current_task_handle():
            return  # lost the lock while failing (e.g. cancelled in Condition.wait): keep exc
        await self.release()

    def statistics(self) -> dict[str, Any]:
        """``{"locked": bool, "owner": repr or None, "waiters": int}``.

        Example:
            >>> from flowno_eventloop import EventLoop, Lock
            >>> async def main():
            ...     return Lock().statistics()
            >>> EventLoop().run_until_complete(main(), join=True)
            {'locked': False, 'owner': None, 'waiters': 0}
        """
        return {
            "locked": self._owner is not None,
            "owner": None if self._owner is None else repr(self._owner.raw_task),
            "waiters": len(self._waiters),
        }

    def __repr__(self) -> str:
        if self._owner is None:
            return "Lock(unlocked)"
        return f"Lock(locked by {self._owner.raw_task!r})"


class Condition:
    """A condition variable bound to a :class:`Lock` (its own one by default).

    :meth:`wait` releases the lock and parks; :meth:`notify` moves waiters (FIFO) to the
    lock's queue, so they return from ``wait`` holding the lock. ``notify(n)`` wakes ``n``.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> async def main():
        ...     cond, ready = Condition(), []
        ...     async def waiter():
        ...         async with cond:
        ...             while not ready:
        ...                 await cond.wait()
        ...             return ready[0], cond.lock.is_locked()
        ...     h = await spawn(waiter())
        ...     await sleep(0)
        ...     async with cond:
        ...         ready.append("data")
        ...         await cond.notify()
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        ('data', True)
    """

    __slots__ = ("_lock", "_waiters")

    def __init__(self, lock: Lock | None = None) -> None:
        self._lock = lock if lock is not None else Lock()
        self._waiters: Waiters[None] = Waiters()

    @property
    def lock(self) -> Lock:
        """The associated lock.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     c = Condition(); return c.lock.is_locked()
            >>> EventLoop().run_until_complete(main(), join=True)
            False
        """
        return self._lock

    def _check_owner(self, action: str) -> TaskHandle[Any]:
        me = current_task_handle()
        if self._lock.owner != me:
            raise OwnershipError(
                f"Condition.{action}() needs the lock held by the caller: {self!r}"
            )
        return me

    async def wait(self) -> None:
        """Release the lock, wait for a notify, return holding the lock again.

        If cancelled while waiting, the task re-acquires the lock before the cancellation
        propagates (so ``async with cond`` stays balanced).

        Example:
            >>> from flowno_eventloop import EventLoop, Condition, spawn, sleep
            >>> async def main():
            ...     c = Condition()
            ...     async def waiter():
            ...         async with c:
            ...             await c.wait()
            ...             return c.lock.is_locked()
            ...     h = await spawn(waiter()); await sleep(0)
            ...     c.notify_nowait()
            ...     return await h.join()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        me = self._check_owner("wait")
        await park(reason=self, abort=self._begin_wait(me))
        await checkpoint_if_cancelled()  # a cancel that came while waiting: lock held again

    def _begin_wait(self, me: TaskHandle[Any]) -> Callable[[], bool]:
        """Queue ``me`` as a waiter and release the lock; return the park's abort.

        A cancel while waiting is refused: the waiter moves to the lock's queue instead, so
        it wakes holding the lock again and the cancel is thrown in right after. A task that
        is being closed (not parked any more) just leaves both queues.
        """
        lock = self._lock
        self._waiters.add(me)
        lock._release()  # pyright: ignore[reportPrivateUsage]

        def abort() -> bool:
            closing = me.state != "parked"
            if self._waiters.discard(me):
                if closing:
                    return True
                lock._enqueue_owned_waiter(me)  # pyright: ignore[reportPrivateUsage]
            elif closing:
                lock._waiters.discard(me)  # pyright: ignore[reportPrivateUsage]
                return True
            return False

        return abort

    async def notify(self, n: int = 1) -> None:
        """Move up to ``n`` waiters (FIFO) to the lock's queue. Needs the lock; no yield.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     c = Condition()
            ...     async with c:
            ...         await c.notify(2)
            ...     return c.statistics()['waiters']
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        self._check_owner("notify")
        self._move(n)

    async def notify_all(self) -> None:
        """Move every waiter to the lock's queue. Needs the lock; no yield.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     c = Condition()
            ...     async with c:
            ...         await c.notify_all()
            ...     return 'ok'
            >>> EventLoop().run_until_complete(main(), join=True)
            'ok'
        """
        self._check_owner("notify_all")
        self._move(len(self._waiters))

    def notify_nowait(self, event_loop: EventLoop | None = None) -> bool:
        """Synchronously notify one waiter (no lock needed); True if there was one.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     return Condition().notify_nowait()
            >>> EventLoop().run_until_complete(main(), join=True)
            False
        """
        return self._move(1) == 1

    def notify_all_nowait(self, event_loop: EventLoop | None = None) -> int:
        """Synchronously notify every waiter (no lock needed); returns how many.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     return Condition().notify_all_nowait()
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        return self._move(len(self._waiters))

    def _move(self, n: int) -> int:
        moved = 0
        while moved < n and self._waiters:
            handle, _ = self._waiters.pop()
            self._lock._enqueue_owned_waiter(handle)  # pyright: ignore[reportPrivateUsage]
            moved += 1
        return moved

    async def __aenter__(self) -> Condition:
        await self._lock.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._lock.__aexit__(exc_type, exc, tb)

    def statistics(self) -> dict[str, Any]:
        """``{"waiters": int, "lock": lock.statistics()}``.

        Example:
            >>> from flowno_eventloop import EventLoop, Condition
            >>> async def main():
            ...     return Condition().statistics()['waiters']
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        return {"waiters": len(self._waiters), "lock": self._lock.statistics()}

    def __repr__(self) -> str:
        return f"Condition(lock={self._lock!r})"
