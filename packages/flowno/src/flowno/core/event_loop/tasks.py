"""``flowno.core.event_loop.tasks``: alias of the task handle of ``flowno_eventloop``."""

from flowno_eventloop import TaskCancelled, TaskHandle

__all__ = ["TaskCancelled", "TaskHandle"]
