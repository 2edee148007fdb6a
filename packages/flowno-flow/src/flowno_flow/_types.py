# Rules: type aliases only, no runtime behaviour. Shared by the building half
# (the building half) and the engine; keep stable.
"""Type aliases of the dataflow layer: generations, run levels, port indices."""

from __future__ import annotations

from typing import Literal, NewType, TypeAlias

#: A node's version: a tuple of non-negative ints, ``None`` = never produced.
Generation: TypeAlias = tuple[int, ...] | None
#: The generation of one piece of data (never ``None``).
DataGeneration: TypeAlias = tuple[int, ...]
#: Depth of a generation minus one: 0 = final result, 1 = streamed chunk.
RunLevel: TypeAlias = Literal[0, 1, 2, 3]
#: Index of an input port (one per positional parameter).
InputPortIndex = NewType("InputPortIndex", int)
#: Index of an output port (one per element of the output tuple).
OutputPortIndex = NewType("OutputPortIndex", int)

__all__ = ["DataGeneration", "Generation", "InputPortIndex", "OutputPortIndex", "RunLevel"]
