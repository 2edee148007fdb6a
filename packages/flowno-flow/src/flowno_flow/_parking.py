# Rules: the engine's parks make no generator and format no text. A Parker holds
# one ready-made ParkCommand and is its own awaitable iterator: nothing is
# allocated per park and nothing new stays alive while a task waits (the idle
# park of every node task). A BriefParker hands the loop a tuple iterator over its
# command: one small C object per park, no Python frame besides __await__ (the
# short waits of streams and barriers). A park reason is text computed only when
# someone reads it (DeadlockError, statistics()), never on the hot path.
"""Parker: a reusable, allocation-free park for the engine's tasks; lazy park reasons."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

from flowno_eventloop.commands import ParkCommand

__all__ = ["BriefParker", "LazyReason", "Parker"]


class LazyReason:
    """A park reason whose text, ``template.format(subject)``, is made when it is read.

    ``repr`` gives the ``repr`` of the text, exactly as if the text itself had been
    the reason; ``str`` gives the text.

    Example:
        >>> r = LazyReason("{0} waiting (barrier)", "Count#0")
        >>> repr(r), str(r)
        ("'Count#0 waiting (barrier)'", 'Count#0 waiting (barrier)')
    """

    __slots__ = ("subject", "template")

    def __init__(self, template: str, subject: object) -> None:
        self.template: str = template
        self.subject: object = subject

    def __repr__(self) -> str:
        return repr(self.template.format(self.subject))

    def __str__(self) -> str:
        return self.template.format(self.subject)


class Parker:
    """``await parker`` parks the current task on one fixed ``ParkCommand``.

    The same object is awaited again and again (by one task at a time): each await
    yields its command to the loop and returns the value the task is woken with;
    an error woken in (``wake_error``, a cancel) is raised at the ``await``.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> from flowno_eventloop.lowlevel import current_task_handle, wake
        >>> from flowno_eventloop.commands import ParkCommand
        >>> parker, seen = Parker(ParkCommand("demo")), []
        >>> async def waiter():
        ...     seen.append(current_task_handle())
        ...     return [await parker, await parker]
        >>> async def main():
        ...     h = await spawn(waiter())
        ...     await sleep(0)
        ...     wake(seen[0], 1)
        ...     await sleep(0)
        ...     wake(seen[0], 2)
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        [1, 2]
    """

    __slots__ = ("_parked", "command")

    def __init__(self, command: ParkCommand) -> None:
        self.command: ParkCommand = command  # may be shared: set its reason before each await
        self._parked = False

    def __await__(self) -> Generator[Any, Any, Any]:
        self._parked = False  # a previous await may have ended by an exception
        return self  # type: ignore[return-value]  # pyright: ignore[reportReturnType]

    def __iter__(self) -> Parker:
        return self

    @property
    def parked(self) -> bool:
        """True while a task is suspended in ``await`` on this parker.

        Example:
            >>> Parker(ParkCommand("demo")).parked
            False
        """
        return self._parked

    def __next__(self) -> ParkCommand:
        if self._parked:
            self._parked = False
            raise StopIteration
        self._parked = True
        return self.command

    def send(self, value: object) -> ParkCommand:
        """Resume with ``value`` (the loop's wake): ends the await, returning ``value``.

        Args:
            value: The value the task was woken with.

        Returns:
            The command, on the first step of an await (never on a resume).

        Example:
            >>> p = Parker(ParkCommand("demo"))
            >>> _ = p.__await__(); type(next(p)).__name__
            'ParkCommand'
            >>> try:
            ...     p.send(7)
            ... except StopIteration as stop:
            ...     stop.value
            7
        """
        if self._parked:
            self._parked = False
            raise StopIteration(value)
        self._parked = True
        return self.command

    def throw(
        self, kind: object, value: BaseException | None = None, traceback: object = None
    ) -> ParkCommand:
        """An error woken in (``wake_error``, a cancel): raised at the ``await``.

        Args:
            kind: The exception (or its class, with ``value`` the instance).
            value: The exception instance, if ``kind`` is a class.
            traceback: Ignored (the exception keeps its own).

        Returns:
            Never returns.

        Example:
            >>> p = Parker(ParkCommand("demo"))
            >>> _ = p.__await__(); _ = next(p)
            >>> try:
            ...     p.throw(KeyError("k"))
            ... except KeyError as e:
            ...     e, p.parked
            (KeyError('k'), False)
        """
        self._parked = False
        if value is not None:
            raise value
        if isinstance(kind, BaseException):
            raise kind
        raise cast("type[BaseException]", kind)()


class BriefParker:
    """``await brief`` parks the current task on ``command``, for short waits.

    Each await costs one Python call and a tuple iterator (a small C object that
    lives while the task waits). Wake the task with None (``wake(handle)``): a plain
    iterator cannot be sent a value, so a value other than None raises AttributeError
    at the ``await``. An error woken in is raised at the ``await``.

    Args:
        command: The park command (may be shared: set its reason before each await).

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> from flowno_eventloop.lowlevel import current_task_handle, wake
        >>> from flowno_eventloop.commands import ParkCommand
        >>> brief, seen = BriefParker(ParkCommand("demo")), []
        >>> async def waiter():
        ...     seen.append(current_task_handle())
        ...     await brief
        ...     await brief
        ...     return "woken twice"
        >>> async def main():
        ...     h = await spawn(waiter())
        ...     await sleep(0)
        ...     wake(seen[0])
        ...     await sleep(0)
        ...     wake(seen[0])
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        'woken twice'
    """

    __slots__ = ("_one",)

    def __init__(self, command: ParkCommand) -> None:
        self._one: tuple[ParkCommand] = (command,)

    def __await__(self) -> Generator[Any, Any, None]:
        return iter(self._one)  # type: ignore[return-value]  # pyright: ignore[reportReturnType]
