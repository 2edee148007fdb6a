"""``flowno.core.node_base``: alias of the node classes of ``flowno_flow``."""

from flowno_flow import (
    Constant,
    DraftInputPortRef,
    DraftNode,
    DraftOutputPortRef,
    FinalizedInputPortRef,
    FinalizedNode,
    FinalizedOutputPortRef,
    MissingDefaultError,
    NodePlaceholder,
    OutputPortRefPlaceholder,
    Stream,
    StreamCancelled,
    SuperNode,
)

__all__ = [
    "Constant",
    "DraftInputPortRef",
    "DraftNode",
    "DraftOutputPortRef",
    "FinalizedInputPortRef",
    "FinalizedNode",
    "FinalizedOutputPortRef",
    "MissingDefaultError",
    "NodePlaceholder",
    "OutputPortRefPlaceholder",
    "Stream",
    "StreamCancelled",
    "SuperNode",
]
