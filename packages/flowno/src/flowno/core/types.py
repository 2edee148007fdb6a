"""``flowno.core.types``: alias of the flow's type names (``flowno_flow``)."""

from flowno_flow import DataGeneration, Generation, InputPortIndex, OutputPortIndex, RunLevel

__all__ = ["DataGeneration", "Generation", "InputPortIndex", "OutputPortIndex", "RunLevel"]
