"""``flowno.core.flow.flow``: alias of the flow engine (``flowno_flow``)."""

from flowno_flow import (
    Flow,
    NodeTaskAndStatus,
    NodeTaskStatus,
    TerminateLimitReached,
    current_context,
    current_flow,
    current_node,
)

__all__ = [
    "Flow",
    "NodeTaskAndStatus",
    "NodeTaskStatus",
    "TerminateLimitReached",
    "current_context",
    "current_flow",
    "current_node",
]
