"""``flowno.utilities.logging``: alias of ``flowno_eventloop.logging_utils.log_async``."""

from flowno_eventloop.logging_utils import log_async

__all__ = ["log_async"]
