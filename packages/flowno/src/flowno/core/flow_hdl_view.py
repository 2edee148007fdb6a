"""``flowno.core.flow_hdl_view``: alias of ``flowno_flow.FlowHDLView``."""

from flowno_flow import FlowHDLView

__all__ = ["FlowHDLView"]
