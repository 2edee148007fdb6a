"""``flowno.core.group_node``: alias of ``flowno_flow.DraftGroupNode``."""

from flowno_flow import DraftGroupNode

__all__ = ["DraftGroupNode"]
