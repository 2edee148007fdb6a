"""``flowno.core.flow_hdl``: alias of ``flowno_flow.FlowHDL``."""

from flowno_flow import FlowHDL

__all__ = ["FlowHDL"]
