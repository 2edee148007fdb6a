# Rules: find the user's file:line. Frames of flowno_flow, the flowno meta package and
# typing machinery are skipped; the first other frame is the user's. Pure; cheap.
"""The user's call site, for error messages ("created at file.py:12")."""

from __future__ import annotations

import inspect

__all__ = ["user_callsite"]

_INTERNAL_MODULES = ("flowno_flow", "flowno", "typing", "typing_extensions")


def _is_internal(module_name: str) -> bool:
    for prefix in _INTERNAL_MODULES:
        if module_name == prefix or module_name.startswith(prefix + "."):
            return True
    return False


def user_callsite(skip: int = 1) -> str:
    """Return ``"path:line"`` of the innermost frame that is not flowno's own code.

    Args:
        skip: Frames to skip first (1 = the caller of ``user_callsite``).

    Returns:
        ``"path:line"``, or ``"<unknown>"`` when every frame is internal.

    Example:
        >>> path, _, line = user_callsite().rpartition(":")
        >>> line.isdigit()
        True
    """
    frame = inspect.currentframe()
    for _ in range(skip):
        frame = frame.f_back if frame is not None else None
    while frame is not None:
        if not _is_internal(str(frame.f_globals.get("__name__", ""))):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"
