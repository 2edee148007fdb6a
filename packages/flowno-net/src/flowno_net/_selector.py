# Rules of this module: ``sel`` is a compatibility name only. The original's process-wide
# selector (shared by every loop and thread) is gone: each EventLoop owns its selector.
# ``sel`` resolves to the running loop's selector for read-only inspection and refuses to
# register anything, so the global-selector bug cannot come back through it.
"""``sel``: a read-only accessor for the running loop's own selector."""

from __future__ import annotations

import selectors
from collections.abc import Mapping
from typing import Any, Final, NoReturn

from ._kernel import current_event_loop

_REFUSAL = (
    "flowno_net.sel.{name}: sel is no longer a shared selector (each EventLoop owns its own);"
    " wait on a file object with flowno_eventloop.lowlevel.wait_readable / wait_writable"
)


class LoopSelectorAccessor:
    """The compatibility object behind ``sel``: the running loop's selector, read-only.

    ``get_map()`` and ``get_key()`` inspect the selector of the loop running in this thread;
    ``register``, ``unregister``, ``modify`` and ``select`` raise ``RuntimeError``.

    >>> sel
    <flowno_net.sel: the running EventLoop's own selector (read-only)>
    >>> sel.register(0, selectors.EVENT_READ)
    Traceback (most recent call last):
    ...
    RuntimeError: flowno_net.sel.register: sel is no longer a shared selector (each EventLoop owns its own); wait on a file object with flowno_eventloop.lowlevel.wait_readable / wait_writable
    """

    def current(self) -> selectors.BaseSelector:
        """The selector of the loop running in this thread.

        Returns:
            The loop's selector.

        Raises:
            RuntimeError: no loop is running here.

        >>> sel.current()
        Traceback (most recent call last):
        ...
        RuntimeError: flowno_net.sel: no EventLoop is running in this thread
        """
        loop = current_event_loop()
        if loop is None:
            raise RuntimeError("flowno_net.sel: no EventLoop is running in this thread")
        return loop.selector

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        """The running loop's registrations (see ``selectors.BaseSelector.get_map``).

        Returns:
            A read-only mapping from file objects to selector keys.

        >>> LoopSelectorAccessor.get_map.__name__
        'get_map'
        """
        return self.current().get_map()

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        """The running loop's registration of ``fileobj`` (``KeyError`` if none).

        Args:
            fileobj: a file object or descriptor.

        Returns:
            The selector key.

        >>> LoopSelectorAccessor.get_key.__name__
        'get_key'
        """
        return self.current().get_key(fileobj)

    def register(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused (see the class docstring)."""
        raise RuntimeError(_REFUSAL.format(name="register"))

    def unregister(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused (see the class docstring)."""
        raise RuntimeError(_REFUSAL.format(name="unregister"))

    def modify(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused (see the class docstring)."""
        raise RuntimeError(_REFUSAL.format(name="modify"))

    def select(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused (see the class docstring)."""
        raise RuntimeError(_REFUSAL.format(name="select"))

    def __repr__(self) -> str:
        return "<flowno_net.sel: the running EventLoop's own selector (read-only)>"


#: The original's ``flowno.core.event_loop.selectors.sel``, now a per-loop accessor.
sel: Final[LoopSelectorAccessor] = LoopSelectorAccessor()
