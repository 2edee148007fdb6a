# Rules: the exceptions a *running* flow raises. Plain data, no engine logic.
# A user's exception escaping a node is re-raised as the same object with a note
# naming the node and generation (see `attach_node_note`); it is never wrapped.
"""Run-time errors of the flow engine."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from ._signature_text import describe_missing_defaults

__all__ = [
    "FlowDeadlockError",
    "MissingDefaultError",
    "NodeExecutionError",
    "TerminateLimitReached",
    "WaitingNode",
    "attach_node_note",
    "attach_note",
    "exception_group_type",
    "missing_defaults_message",
]


class TerminateLimitReached(Exception):
    """Raised by ``run_until_complete`` when a node reaches its generation limit.

    Example:
        >>> issubclass(TerminateLimitReached, Exception)
        True
    """


class MissingDefaultError(Exception):
    """A cycle (or a node input) has no default value to start from.

    Args:
        message: The full, human-readable message.

    Example:
        >>> str(MissingDefaultError("Detected a cycle without default values."))
        'Detected a cycle without default values.'
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class NodeExecutionError(Exception):
    """An error in the engine's own handling of a node (not in user code).

    Users' exceptions are re-raised unchanged (with a note); this type marks
    failures of the machinery around a node (gathering inputs, an
    instrumentation hook, a malformed multi-output value). The original error
    is the ``__cause__``.

    Args:
        message: What went wrong.
        node_name: ``repr`` of the node.
        generation: The node's generation at the time.

    Example:
        >>> e = NodeExecutionError("bad output", "Mul#0", (2,))
        >>> e.node_name, e.generation
        ('Mul#0', (2,))
    """

    def __init__(self, message: str, node_name: str, generation: object) -> None:
        super().__init__(f"{node_name} (generation {generation!r}): {message}")
        self.node_name = node_name
        self.generation = generation


class WaitingNode:
    """One line of a deadlock report: a node and what it waits for.

    Args:
        node_name: ``repr`` of the waiting node.
        waits_for: Human-readable description (input port, producer, generation).

    Example:
        >>> str(WaitingNode("Sum#0", "input 0 from Gen#0 at generation (0, 1)"))
        'Sum#0 waits for input 0 from Gen#0 at generation (0, 1)'
    """

    __slots__ = ("node_name", "waits_for")

    def __init__(self, node_name: str, waits_for: str) -> None:
        self.node_name = node_name
        self.waits_for = waits_for

    def __str__(self) -> str:
        return f"{self.node_name} waits for {self.waits_for}"


class FlowDeadlockError(RuntimeError):
    """No node can make progress although the flow is not finished.

    Args:
        waiting: One entry per blocked node.

    Example:
        >>> print(FlowDeadlockError([WaitingNode("A#0", "the end of B#0's stream")]))
        Flow deadlock: no node can make progress.
          A#0 waits for the end of B#0's stream
    """

    def __init__(self, waiting: Sequence[WaitingNode]) -> None:
        self.waiting: tuple[WaitingNode, ...] = tuple(waiting)
        lines = ["Flow deadlock: no node can make progress."]
        lines.extend(f"  {w}" for w in self.waiting)
        super().__init__("\n".join(lines))


def attach_node_note(exc: BaseException, node_name: str, generation: object) -> None:
    """Attach "raised in node X at generation G" to ``exc`` (``add_note`` on 3.11+).

    On Python 3.10 the note is appended to ``exc.__notes__`` by hand, which
    traceback printing ignores there but tools may read.

    Args:
        exc: The exception escaping a node.
        node_name: ``repr`` of the node.
        generation: The generation the node was computing (its generation before the run).

    Example:
        >>> e = ValueError("boom"); attach_node_note(e, "Mul#0", None)
        >>> e.__notes__
        ['raised in node Mul#0 (evaluation after generation None)']
    """
    attach_note(exc, f"raised in node {node_name} (evaluation after generation {generation!r})")


def attach_note(exc: BaseException, note: str) -> None:
    """Add ``note`` to ``exc`` once (``add_note`` on 3.11+, ``__notes__`` by hand on 3.10).

    Args:
        exc: The exception.
        note: The text.

    Example:
        >>> e = ValueError("boom"); attach_note(e, "hint"); attach_note(e, "hint")
        >>> e.__notes__
        ['hint']
    """
    existing = getattr(exc, "__notes__", None)
    if isinstance(existing, list) and note in existing:
        return
    add_note = getattr(exc, "add_note", None)
    if callable(add_note):
        add_note(note)
        return
    if isinstance(existing, list):
        notes: list[str] = existing  # pyright: ignore[reportUnknownVariableType]
        notes.append(note)
    else:
        exc.__notes__ = [note]  # type: ignore[attr-defined]


def missing_defaults_message(members: Sequence[tuple[Any, Sequence[int]]], *, cycle: bool) -> str:
    """The MissingDefaultError text (cycle form or single-node form)."""
    text = describe_missing_defaults(members)
    if cycle and not text.startswith("Detected a cycle"):
        text = (
            "Detected a cycle without default values. You must add defaults to the indicated "
            "arguments for at least ONE of the following nodes:\n" + text
        )
    return text


def exception_group_type() -> Any:
    """ExceptionGroup (the backport on Python 3.10), or None if unavailable."""
    if sys.version_info >= (3, 11):
        return ExceptionGroup  # noqa: F821 - builtin since 3.11
    try:  # Python 3.10: the backport (a dependency of flowno-eventloop there)
        from exceptiongroup import (  # type: ignore[import-not-found,unused-ignore]
            ExceptionGroup as Backport,  # pyright: ignore
        )
    except ImportError:  # pragma: no cover
        return None
    return Backport  # pyright: ignore[reportUnknownVariableType]
