"""``flowno.core.flow``: alias of the flow engine's names (``flowno_flow``)."""

from flowno_flow import Flow, TerminateLimitReached

__all__ = ["Flow", "TerminateLimitReached"]
