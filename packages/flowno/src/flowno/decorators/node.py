"""``flowno.decorators.node``: alias of ``flowno_flow.node``."""

from flowno_flow import node

__all__ = ["node"]
