# ruff: noqa: E402  (each part appends its imports in its own block, after __all__)
"""flowno_flow: Flowno's dataflow DSL (``@node``, ``FlowHDL``) and its engine (``Flow``).

Build a flow with ``@node`` and ``FlowHDL``, run it with ``run_until_complete`` (or
``await f.run_async()`` on a running loop); route by output type with ``f.node.on(T)`` and
give nodes ``retry=`` / ``timeout=`` policies. The public names are listed in ``__all__``.

Example:
    >>> from flowno_flow import FlowHDL, node
    >>> @node
    ... async def Double(x: int) -> int:
    ...     return 2 * x
    >>> with FlowHDL() as f:
    ...     f.double = Double(21)
    >>> f.run_until_complete()
    >>> f.double.get_data()
    (42,)
"""

from ._build_errors import (
    ConnectionTypeError,
    FlownoBuildError,
    FlowNotFinalizedError,
    GraphBuildError,
    NodeArgumentError,
    NodeDefinitionError,
    NodeReuseError,
    NotANodeError,
    OutputPortError,
    PortAlreadyConnectedError,
    ReservedNameError,
    StreamWiringError,
    TemplateContextError,
    UnconnectedInputError,
    UndefinedReferenceError,
)
from ._draft import (
    Constant,
    DraftInputPortRef,
    DraftNode,
    DraftOutputPortRef,
    NodePlaceholder,
    OutputPortRefPlaceholder,
    SuperNode,
)
from ._finalized import (
    FinalizedInputPort,
    FinalizedInputPortRef,
    FinalizedNode,
    FinalizedOutputPortRef,
)
from ._group import DraftGroupNode
from ._hdl import FlowHDL
from ._hdl_view import FlowHDLView

__all__ = [
    "Constant",
    "ConnectionTypeError",
    "DraftGroupNode",
    "DraftInputPortRef",
    "DraftNode",
    "DraftOutputPortRef",
    "FinalizedInputPort",
    "FinalizedInputPortRef",
    "FinalizedNode",
    "FinalizedOutputPortRef",
    "FlowHDL",
    "FlowHDLView",
    "FlowNotFinalizedError",
    "FlownoBuildError",
    "GraphBuildError",
    "NodeArgumentError",
    "NodeDefinitionError",
    "NodePlaceholder",
    "NodeReuseError",
    "NotANodeError",
    "OutputPortError",
    "OutputPortRefPlaceholder",
    "PortAlreadyConnectedError",
    "ReservedNameError",
    "StreamWiringError",
    "SuperNode",
    "TemplateContextError",
    "UnconnectedInputError",
    "UndefinedReferenceError",
]

# --- engine ---
from ._context import current_context, current_flow, current_node
from ._flow import Flow, NodeTaskAndStatus
from ._generation import (
    clip_generation,
    cmp_generation,
    inc_generation,
    main_generation,
    parent_generation,
    stitched_generation,
)
from ._instrumentation import (
    NO_OP_INSTRUMENT,
    FlowInstrument,
    LogInstrument,
    MinimalInstrument,
    PrintInstrument,
    get_current_flow_instrument,
)
from ._node_state import NodeState
from ._policy import NodeCall, NodePolicy, NodeTimeoutError, Retry, Timeout
from ._run_errors import (
    FlowDeadlockError,
    MissingDefaultError,
    NodeExecutionError,
    TerminateLimitReached,
)
from ._status import (
    Error,
    Executing,
    NodeTaskStatus,
    Queued,
    Stalled,
    WaitingForStartNextGeneration,
)
from ._stream import Stream, StreamCancelled
from ._trace import ChromeTraceInstrument
from ._types import DataGeneration, Generation, InputPortIndex, OutputPortIndex, RunLevel

__all__ += [
    "NO_OP_INSTRUMENT",
    "ChromeTraceInstrument",
    "DataGeneration",
    "Error",
    "Executing",
    "Flow",
    "FlowDeadlockError",
    "FlowInstrument",
    "Generation",
    "InputPortIndex",
    "LogInstrument",
    "MinimalInstrument",
    "MissingDefaultError",
    "NodeCall",
    "NodeExecutionError",
    "NodePolicy",
    "NodeState",
    "NodeTaskAndStatus",
    "NodeTaskStatus",
    "NodeTimeoutError",
    "OutputPortIndex",
    "PrintInstrument",
    "Queued",
    "Retry",
    "RunLevel",
    "Stalled",
    "Stream",
    "StreamCancelled",
    "TerminateLimitReached",
    "Timeout",
    "WaitingForStartNextGeneration",
    "clip_generation",
    "cmp_generation",
    "current_context",
    "current_flow",
    "current_node",
    "get_current_flow_instrument",
    "inc_generation",
    "main_generation",
    "parent_generation",
    "stitched_generation",
]

# --- types ---
from . import _protocols
from ._decorator import node
from ._protocols import *  # noqa: F403 - the typing-only node classes, listed in _protocols.__all__
from ._render import GraphPicture, PictureEdge, PictureNode, picture_of, to_dot, to_mermaid
from ._typecheck import connection_mismatch

__all__ += [
    "GraphPicture",
    "PictureEdge",
    "PictureNode",
    "connection_mismatch",
    "node",
    "picture_of",
    "to_dot",
    "to_mermaid",
]
__all__ += _protocols.__all__
