"""``flowno.utilities.logging``: alias of ``log_async`` (``flowno_eventloop``)."""

from flowno_eventloop import log_async

__all__ = ["log_async"]
