"""``flowno.core.streaming_node``: alias of the typing-only StreamingNode* classes."""

from flowno_flow import (
    StreamingNode0,
    StreamingNode1,
    StreamingNode2,
    StreamingNode3,
    StreamingNode4,
    StreamingNode5,
    StreamingNode6,
    StreamingTupleNode0,
    StreamingTupleNode1,
    StreamingTupleNode2,
    StreamingTupleNode3,
    StreamingTupleNode4,
    StreamingTupleNode5,
    StreamingTupleNode6,
)

__all__ = [
    "StreamingNode0",
    "StreamingNode1",
    "StreamingNode2",
    "StreamingNode3",
    "StreamingNode4",
    "StreamingNode5",
    "StreamingNode6",
    "StreamingTupleNode0",
    "StreamingTupleNode1",
    "StreamingTupleNode2",
    "StreamingTupleNode3",
    "StreamingTupleNode4",
    "StreamingTupleNode5",
    "StreamingTupleNode6",
]
