# Rules: the implicit final value of a streaming evaluation, per
# output element: numbers are summed (running total, O(1)), str/bytes/list/tuple
# are concatenated (parts joined once at the end, never quadratic), dicts are
# merged (later keys win); chunks of any other type give the list of chunks.
# Mixing kinds (say str then int) is an error naming the node and output.
"""Accumulating the chunks of a streaming evaluation into its final value."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number
from typing import Any

__all__ = ["Accumulator"]

_SEQ_KINDS: tuple[type, ...] = (str, bytes, list, tuple)


class _Slot:
    """Accumulation of one output element."""

    __slots__ = ("kind", "total", "parts", "merged")

    def __init__(self) -> None:
        self.kind: str | type | None = None
        self.total: Any = 0
        self.parts: list[Any] = []
        self.merged: dict[Any, Any] = {}

    def add(self, value: object) -> str | None:
        kind = _kind_of(value)
        if self.kind is None:
            self.kind = kind
        elif kind != self.kind:
            return f"cannot accumulate a {type(value).__name__} chunk after {_kind_name(self.kind)} chunks"
        if kind == "number":
            self.total = self.total + value
        elif kind == "dict":
            self.merged.update(value)  # type: ignore[call-overload]
        else:
            self.parts.append(value)
        return None

    def result(self) -> object:
        if self.kind == "number":
            return self.total
        if self.kind == "dict":
            return dict(self.merged)
        if self.kind is str:
            return "".join(self.parts)
        if self.kind is bytes:
            return b"".join(self.parts)
        if self.kind is list:
            return [item for part in self.parts for item in part]
        if self.kind is tuple:
            return tuple(item for part in self.parts for item in part)
        return list(self.parts)


_EXACT_KINDS: dict[type, str | type] = {int: "number", float: "number", str: str, bytes: bytes}


def _kind_of(value: object) -> str | type:
    kind = _EXACT_KINDS.get(type(value))  # the common chunk types: no ABC check
    if kind is not None:
        return kind
    if isinstance(value, (Number, bool)):
        return "number"
    if isinstance(value, dict):
        return "dict"
    for kind in _SEQ_KINDS:
        if isinstance(value, kind):
            return kind
    return "other"


def _kind_name(kind: str | type) -> str:
    return kind.__name__ if isinstance(kind, type) else kind


class Accumulator:
    """Folds chunks (tuples, one element per output) into the final value.

    Args:
        node_name: For error messages.
        custom: A user's ``accumulate_streamed_data(acc, chunk)`` for whole chunks, if any.

    Example:
        >>> acc = Accumulator("Src#0")
        >>> for chunk in [("a", 1), ("b", 2.5)]:
        ...     acc.add(chunk)
        >>> acc.result()
        ('ab', 3.5)
        >>> Accumulator("Empty#0").result() is None
        True
    """

    __slots__ = ("_node_name", "_custom", "_slots", "_custom_acc", "_count", "_number")

    def __init__(self, node_name: str, custom: Callable[[Any, Any], Any] | None = None) -> None:
        self._node_name = node_name
        self._custom = custom
        self._slots: list[_Slot] = []
        self._custom_acc: Any = None
        self._count = 0
        # one output summed so far with chunks of exactly this type (int or float): the
        # next such chunk is one addition (and the count no longer matters: it is > 0)
        self._number: type | None = None

    def add(self, chunk: tuple[object, ...]) -> None:
        """Fold one chunk in.

        Args:
            chunk: The chunk tuple.

        Raises:
            TypeError: when a chunk's kind differs from the earlier ones.
        """
        if len(chunk) == 1 and type(chunk[0]) is self._number:
            slot = self._slots[0]
            slot.total = slot.total + chunk[0]
            return
        self._count += 1
        slots = self._slots
        if len(chunk) == 1 and len(slots) == 1:  # one output: the common chunk types inline
            slot = slots[0]
            value = chunk[0]
            kind = _EXACT_KINDS.get(type(value))
            if kind is not None and kind == slot.kind:
                if kind == "number":
                    slot.total = slot.total + value
                    self._number = type(value)  # int or float (_EXACT_KINDS)
                else:
                    slot.parts.append(value)
                return
        if self._custom is not None:
            self._custom_acc = chunk if self._count == 1 else self._custom(self._custom_acc, chunk)
            return
        while len(self._slots) < len(chunk):
            self._slots.append(_Slot())
        for i, value in enumerate(chunk):
            problem = self._slots[i].add(value)
            if problem is not None:
                raise TypeError(
                    f"{self._node_name} output {i}: {problem}; end the generator with "
                    "`raise StopAsyncIteration(final_value)` to give the final value explicitly"
                )

    def result(self) -> tuple[object, ...] | None:
        """The final data tuple, or ``None`` when no chunk was produced."""
        if self._count == 0:
            return None
        if self._custom is not None:
            acc = self._custom_acc
            return acc if isinstance(acc, tuple) else (acc,)  # pyright: ignore[reportUnknownVariableType]
        return tuple(slot.result() for slot in self._slots)
