"""``flowno.core.flow.instrumentation``: alias of the flow instrumentation (``flowno_flow``)."""

from flowno_flow import (
    NO_OP_INSTRUMENT,
    FlowInstrument,
    LogInstrument,
    MinimalInstrument,
    PrintInstrument,
    get_current_flow_instrument,
)

__all__ = [
    "NO_OP_INSTRUMENT",
    "FlowInstrument",
    "LogInstrument",
    "MinimalInstrument",
    "PrintInstrument",
    "get_current_flow_instrument",
]
