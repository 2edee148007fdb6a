# Rules: a leaf module (imports nothing of flowno_flow). It holds the marker base class
# of the engine's Stream, so that build-time type checks recognise `Stream[T]`
# annotations without importing the engine.
"""StreamMarker: what build-time checks know about ``Stream``."""

from __future__ import annotations

import typing

__all__ = ["StreamMarker", "is_stream_annotation"]


class StreamMarker:
    """Base class of ``flowno_flow.Stream`` (identity only; no behaviour).

    Example:
        >>> from flowno_flow import Stream
        >>> issubclass(Stream, StreamMarker)
        True
    """

    __slots__ = ()


def is_stream_annotation(annotation: object) -> bool:
    """Whether ``annotation`` is ``Stream`` or ``Stream[T]``.

    Args:
        annotation: A (normalised) annotation.

    Returns:
        True for the engine's Stream class, bare or subscripted.

    Example:
        >>> from flowno_flow import Stream
        >>> is_stream_annotation(Stream[int]), is_stream_annotation(list[int])
        (True, False)
    """
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, StreamMarker)
