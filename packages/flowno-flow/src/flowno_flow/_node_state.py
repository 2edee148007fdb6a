# Rules: the per-node runtime data, O(1) memory: one (generation, data) slot per
# run level (the newest data pushed at that level) plus one stitch counter per
# input port. Nothing here keeps history; nothing here knows about the loop.
"""NodeState: a finalized node's generation, latest data per level and stitch levels."""

from __future__ import annotations

from ._generation import clip_generation, inc_generation
from ._types import DataGeneration, Generation

__all__ = ["NodeState"]

_MAX_LEVEL = 3


class NodeState:
    """The runtime data of one finalized node.

    Keeps the node's generation, the newest data tuple pushed at each run level
    (never the history), and per input port the stitch level (how many times
    the engine fed that port its default to break a cycle).

    Example:
        >>> s = NodeState()
        >>> s.push_data((1,), 1), s.push_data((2,), 1)
        ((0, 0), (0, 1))
        >>> s.get_data(1), s.get_data(0)
        ((2,), None)
        >>> s.push_data((3,), 0), s.get_data(0), s.get_data(1)
        ((0,), (3,), None)
    """

    __slots__ = ("_generation", "_slots", "_stitch")

    def __init__(self) -> None:
        self._generation: Generation = None
        self._slots: list[tuple[DataGeneration, tuple[object, ...] | None] | None] = [None] * (
            _MAX_LEVEL + 1
        )
        self._stitch: dict[int, int] = {}

    @property
    def generation(self) -> Generation:
        """The newest generation this node produced (``None`` before its first output)."""
        return self._generation

    def push_data(self, data: tuple[object, ...] | None, run_level: int = 0) -> DataGeneration:
        """Store ``data`` as the node's newest output at ``run_level``.

        Args:
            data: One element per output port; ``None`` for a stream that yielded nothing.
            run_level: 0 for a final result, 1 for a streamed chunk.

        Returns:
            The node's new generation, ``inc_generation(old, run_level)``.

        Raises:
            ValueError: if ``run_level`` is outside 0..3.
        """
        gen = self._generation
        if run_level == 0 and gen is not None and len(gen) == 1:  # the next result: inline
            gen = (gen[0] + 1,)
            self._generation = gen
            slots = self._slots
            slots[0] = (gen, data)
            slots[1] = slots[2] = slots[3] = None
            return gen
        if run_level == 1 and gen is not None and len(gen) == 2:  # the next chunk: inline
            gen = (gen[0], gen[1] + 1)
            self._generation = gen
            slots = self._slots
            slots[1] = (gen, data)
            slots[2] = slots[3] = None
            return gen
        if not 0 <= run_level <= _MAX_LEVEL:
            raise ValueError(f"run_level must be in 0..{_MAX_LEVEL}, got {run_level}")
        gen = inc_generation(gen, run_level)
        self._generation = gen
        self._slots[run_level] = (gen, data)
        for deeper in range(run_level + 1, _MAX_LEVEL + 1):
            self._slots[deeper] = None
        return gen

    def get_data(self, run_level: int = 0) -> tuple[object, ...] | None:
        """Return the data tuple complete at ``run_level``, or ``None``.

        Mid-stream at ``(g, i)`` level 0 gives the evaluation ``(g-1,)``; a finished
        evaluation asked for level 1 gives ``None``.

        Args:
            run_level: The level asked for.

        Returns:
            The data tuple or ``None``.
        """
        if not 0 <= run_level <= _MAX_LEVEL:
            raise ValueError(f"run_level must be in 0..{_MAX_LEVEL}, got {run_level}")
        clipped = clip_generation(self._generation, run_level)
        if clipped is None or len(clipped) != run_level + 1:
            return None
        slot = self._slots[run_level]
        if slot is None or slot[0] != clipped:
            return None
        return slot[1]

    def stitch_level(self, input_port: int) -> int:
        """How many times ``input_port`` was fed its default to break a cycle.

        Args:
            input_port: Input port index.

        Returns:
            The port's stitch level (0 initially).
        """
        return self._stitch.get(input_port, 0)

    def raise_stitch(self, input_port: int) -> int:
        """Increment the stitch level of ``input_port`` and return the new value.

        Args:
            input_port: Input port index.

        Returns:
            The new stitch level.
        """
        level = self._stitch.get(input_port, 0) + 1
        self._stitch[input_port] = level
        return level

    def set_stitch_level(self, input_port: int, level: int) -> None:
        """Set the stitch level of ``input_port`` (used by ports exposing ``stitch_level_0``).

        Args:
            input_port: Input port index.
            level: The new level (>= 0).
        """
        if level < 0:
            raise ValueError(f"stitch level must be >= 0, got {level}")
        self._stitch[input_port] = level

    def reset(self) -> None:
        """Forget all data, the generation and the stitch levels (a fresh run)."""
        self._generation = None
        self._slots = [None] * (_MAX_LEVEL + 1)
        self._stitch.clear()

    def __repr__(self) -> str:
        return f"NodeState(generation={self._generation!r})"
