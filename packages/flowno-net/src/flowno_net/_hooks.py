# Rules of this module: the only way flowno_net calls instrumentation hooks. A hook is looked up
# by name on the current instrument (the loop's composite forwards any ``on_*`` name). When no
# instrument is active, ``instrumented()`` is False and callers skip building metadata, so the
# uninstrumented path costs one context-variable read per operation.
"""Looking up and firing socket instrumentation hooks on the current instrument."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._kernel import EMPTY_INSTRUMENT, get_current_instrument

Hook = Callable[[Any], object]


def instrumented() -> bool:
    """Whether any instrument is active (so metadata is worth building).

    >>> instrumented()
    False
    """
    return get_current_instrument() is not EMPTY_INSTRUMENT


def fire(name: str, metadata: object) -> None:
    """Call hook ``name`` with ``metadata`` if the current instrument has it.

    Args:
        name: the hook name, e.g. ``"on_socket_recv_data"``.
        metadata: the hook's single argument.

    >>> fire("on_socket_close", object())   # nobody listens: nothing happens
    """
    instrument = get_current_instrument()
    if instrument is EMPTY_INSTRUMENT:
        return
    hook: Hook | None = getattr(instrument, name, None)
    if hook is not None:
        hook(metadata)
