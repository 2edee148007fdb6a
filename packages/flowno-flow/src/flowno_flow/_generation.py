# Rules: pure functions over generation tuples; no
# state, no imports from the engine. Every function is O(len(generation)).
"""The generation algebra: ordering, increment, clip, stitch."""

from __future__ import annotations

from ._types import Generation

__all__ = [
    "clip_generation",
    "cmp_generation",
    "inc_generation",
    "main_generation",
    "parent_generation",
    "stitched_generation",
]


def cmp_generation(a: Generation, b: Generation) -> int:
    """Compare two generations: -1 if ``a`` is older, 0 if equal, 1 if newer.

    ``None`` is older than every tuple; over the common prefix the first
    difference decides; a prefix is *newer* than its extensions (a final
    result outranks the chunks that led to it).

    Args:
        a: First generation.
        b: Second generation.

    Returns:
        -1, 0 or 1.

    Example:
        >>> cmp_generation((0, 1), (0,)), cmp_generation((1,), (0, 5)), cmp_generation(None, None)
        (-1, 1, 0)
    """
    if a is None or b is None:
        return (a is not None) - (b is not None)
    for x, y in zip(a, b):  # noqa: B905 - lengths differ on purpose (prefix rule)
        if x != y:
            return -1 if x < y else 1
    if len(a) == len(b):
        return 0
    return -1 if len(a) > len(b) else 1


def inc_generation(gen: Generation, run_level: int) -> tuple[int, ...]:
    """Return the smallest generation of length ``run_level + 1`` newer than ``gen``.

    Args:
        gen: The current generation.
        run_level: 0 for a final result, 1 for a streamed chunk.

    Returns:
        The next generation at that level.

    Example:
        >>> inc_generation(None, 1), inc_generation((0, 2), 0), inc_generation((1, 2, 3), 1)
        ((0, 0), (0,), (1, 3))
    """
    if run_level < 0:
        raise ValueError(f"run_level must be >= 0, got {run_level}")
    if gen is None:
        return (0,) * (run_level + 1)
    depth = run_level + 1
    if len(gen) > depth:
        head = gen[:depth]
        if run_level == 0:
            # Closing a stream: the final of the same evaluation (a prefix is newer).
            return head
        # Example: (1, 2, 3) at level 1 gives (1, 3).
        return head[:-1] + (head[-1] + 1,)
    if len(gen) == depth:
        return gen[:-1] + (gen[-1] + 1,)
    # gen is shallower (a finished evaluation): open the next one.
    return (gen[0] + 1,) + (0,) * run_level if len(gen) == 1 else _deepen(gen, depth)


def _deepen(gen: tuple[int, ...], depth: int) -> tuple[int, ...]:
    """Next generation of ``depth`` elements after the finished prefix ``gen``."""
    bumped = gen[:-1] + (gen[-1] + 1,)
    return bumped + (0,) * (depth - len(bumped))


def clip_generation(gen: Generation, run_level: int) -> Generation:
    """Return the newest generation not newer than ``gen`` with at most ``run_level + 1`` parts.

    "The latest thing at this level that is already complete"; ``None`` if
    there is none.

    Args:
        gen: The generation to clip.
        run_level: The level to clip to.

    Returns:
        The clipped generation or ``None``.

    Example:
        >>> clip_generation((1, 0), 0), clip_generation((0, 0), 0), clip_generation((1, 2, 3), 1)
        ((0,), None, (1, 1))
    """
    if gen is None:
        return None
    depth = run_level + 1
    if len(gen) <= depth:
        return gen
    head = gen[:depth]
    # head is newer than gen (prefix rule); step back to the previous complete one.
    for i in range(depth - 1, -1, -1):
        if head[i] > 0:
            return head[:i] + (head[i] - 1,)
    return None


def main_generation(gen: Generation) -> Generation:
    """Return the evaluation a generation belongs to: ``(g[0],)``.

    Args:
        gen: A generation.

    Returns:
        ``(gen[0],)``, or ``gen`` itself for ``None`` or ``()``.

    Example:
        >>> main_generation((3, 7)), main_generation(None)
        ((3,), None)
    """
    if not gen:
        return gen
    return (gen[0],)


def parent_generation(gen: Generation) -> Generation:
    """Drop the last element of a generation (``()`` and ``None`` give ``None``).

    Args:
        gen: A generation.

    Returns:
        The parent generation.

    Example:
        >>> parent_generation((1, 4)), parent_generation((1,)), parent_generation(())
        ((1,), (), None)
    """
    if not gen:
        return None
    return gen[:-1]


def stitched_generation(gen: Generation, stitch: int) -> Generation:
    """Shift a generation by a port's stitch level (adds to the first element).

    Args:
        gen: A producer's (clipped) generation.
        stitch: How many times the port was fed its default.

    Returns:
        The generation as the port sees it; ``(stitch - 1,)`` for ``None``
        when ``stitch > 0``.

    Example:
        >>> stitched_generation((0, 3), 2), stitched_generation(None, 1), stitched_generation(None, 0)
        ((2, 3), (0,), None)
    """
    if gen is None:
        return (stitch - 1,) if stitch > 0 else None
    if not gen or stitch == 0:
        return gen
    return (gen[0] + stitch,) + gen[1:]
