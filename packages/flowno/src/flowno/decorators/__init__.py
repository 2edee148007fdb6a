"""``flowno.decorators``: alias of the ``node`` decorator (``flowno_flow.node``).

As in the original, the attribute ``flowno.decorators.node`` is the decorator itself (it
shadows the submodule of the same name, which stays importable as
``from flowno.decorators.node import node``).
"""

from flowno.decorators.node import node

__all__ = ["node"]
