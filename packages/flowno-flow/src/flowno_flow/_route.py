# Rules: routing by output type, the build-time half. A route is a class T on output 0
# of a node whose return annotation is a union; `node.on(T)` is that port. Pure
# functions of annotations, no graph state, no engine (the engine's half is in
# _routing.py).
"""Which types a node can route on, and the check of ``node.on(T)``."""

from __future__ import annotations

import types
import typing
from typing import Any

from ._build_errors import OutputPortError

__all__ = ["check_route", "normalize_route", "route_label", "route_members"]

_UNION_ORIGINS: tuple[Any, ...] = (typing.Union, getattr(types, "UnionType", typing.Union))


def route_members(annotation: object) -> tuple[object, ...] | None:
    """The member types of a union return annotation (None if it is not a union).

    Args:
        annotation: A node's output annotation.

    Returns:
        The members, ``None`` written as ``NoneType``; None for a non-union.

    Example:
        >>> route_members(int | None)
        (<class 'int'>, <class 'NoneType'>)
        >>> route_members(int) is None
        True
    """
    if typing.get_origin(annotation) not in _UNION_ORIGINS:
        return None
    return tuple(typing.get_args(annotation))


def route_label(route: object) -> str:
    """How a route is written in errors and pictures (``ToolCall``, ``None``).

    Args:
        route: The route class.

    Returns:
        Its short name.

    Example:
        >>> route_label(type(None)), route_label(int)
        ('None', 'int')
    """
    if route is type(None):
        return "None"
    return str(getattr(route, "__name__", repr(route)))


def normalize_route(route: object) -> object:
    """``on(None)`` means ``on(type(None))``, the way ``None`` is written in annotations.

    Args:
        route: What was passed to ``on()``.

    Returns:
        ``NoneType`` for ``None``, else ``route`` unchanged.

    Example:
        >>> normalize_route(None), normalize_route(int)
        (<class 'NoneType'>, <class 'int'>)
    """
    return type(None) if route is None else route


def _matches(route: object, member: object) -> bool:
    """``route`` names ``member``: the class itself, or the origin of a generic member."""
    return route == member or route == typing.get_origin(member)


def check_route(route: object, annotation: object, known: bool, label: str) -> None:
    """Check ``label.on(route)`` against the producer's output annotation.

    Args:
        route: The class passed to ``on()``.
        annotation: The producer's output annotation.
        known: Whether the annotation is known (unannotated producers accept any class).
        label: The producer, for the error message.

    Raises:
        OutputPortError: ``route`` is not a class, or not a member of the union. A generic
            member such as ``list[int]`` is routed on by its class (``on(list)``).

    Example:
        >>> check_route(str, str | None, True, "X#0")
        >>> try:
        ...     check_route(int, str | None, True, "X#0")
        ... except Exception as e:
        ...     print(e)
        X#0.on(int): int is not one of the types X#0 returns (str | None); use one of: str, None
    """
    if not isinstance(route, type) or typing.get_origin(route) is not None:
        origin = typing.get_origin(route)
        hint = f" (write on({origin.__name__}))" if isinstance(origin, type) else ""
        raise OutputPortError(
            f"{label}.on({route!r}): on() takes a class (a member of the node's return "
            f"union), got {type(route).__name__} {route!r}{hint}"
        )
    if not known:
        return
    members = route_members(annotation)
    if members is None:
        shown = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        raise OutputPortError(
            f"{label}.on({route_label(route)}): the node returns {shown}, not a union; only a "
            "node annotated like `-> A | B` routes by output type"
        )
    if not any(_matches(route, member) for member in members):
        names = ", ".join(route_label(typing.get_origin(m) or m) for m in members)
        shown = " | ".join(_member_text(m) for m in members)
        raise OutputPortError(
            f"{label}.on({route_label(route)}): {route_label(route)} is not one of the types "
            f"{label} returns ({shown}); use one of: {names}"
        )


def _member_text(member: object) -> str:
    """A union member as written in an annotation (``str``, ``None``, ``list[int]``)."""
    if isinstance(member, type) and typing.get_origin(member) is None:
        return route_label(member)
    return str(member).replace("typing.", "")
