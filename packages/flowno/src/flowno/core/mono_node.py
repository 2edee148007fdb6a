"""``flowno.core.mono_node``: alias of the typing-only MonoNode* classes (``flowno_flow``)."""

from flowno_flow import (
    MonoNode0,
    MonoNode0_0,
    MonoNode0_1,
    MonoNode1,
    MonoNode2,
    MonoNode3,
    MonoNode4,
    MonoNode5,
    MonoNode6,
)

__all__ = [
    "MonoNode0",
    "MonoNode0_0",
    "MonoNode0_1",
    "MonoNode1",
    "MonoNode2",
    "MonoNode3",
    "MonoNode4",
    "MonoNode5",
    "MonoNode6",
]
