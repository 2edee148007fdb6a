"""asyncio interop: the very same functions as :mod:`flowno_eventloop.aio`.

>>> from flowno import aio
>>> import flowno_eventloop.aio
>>> aio.call is flowno_eventloop.aio.call
True
"""

from flowno_eventloop.aio import call, iterate, run, stream

__all__ = ["call", "iterate", "run", "stream"]
