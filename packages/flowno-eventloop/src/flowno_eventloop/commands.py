"""Public command classes (the meta package aliases this as
``flowno.core.event_loop.commands``). See ``_commands.py`` for what each one does.

>>> from flowno_eventloop.commands import SleepCommand, Command
>>> issubclass(SleepCommand, Command)
True
"""

from flowno_eventloop._commands import (
    CancelCommand,
    Command,
    ConditionNotifyCommand,
    ConditionWaitCommand,
    EventSetCommand,
    EventWaitCommand,
    ExitCommand,
    JoinCommand,
    LockAcquireCommand,
    LockReleaseCommand,
    ParkCommand,
    QueueCloseCommand,
    QueueGetCommand,
    QueueNotifyGettersCommand,
    QueuePutCommand,
    SleepCommand,
    SocketAcceptCommand,
    SocketCommand,
    SocketRecvCommand,
    SocketSendCommand,
    SpawnCommand,
    StreamCancelCommand,
    WaitReadableCommand,
    WaitWritableCommand,
)

__all__ = [
    "CancelCommand",
    "Command",
    "ConditionNotifyCommand",
    "ConditionWaitCommand",
    "EventSetCommand",
    "EventWaitCommand",
    "ExitCommand",
    "JoinCommand",
    "LockAcquireCommand",
    "LockReleaseCommand",
    "ParkCommand",
    "QueueCloseCommand",
    "QueueGetCommand",
    "QueueNotifyGettersCommand",
    "QueuePutCommand",
    "SleepCommand",
    "SocketAcceptCommand",
    "SocketCommand",
    "SocketRecvCommand",
    "SocketSendCommand",
    "SpawnCommand",
    "StreamCancelCommand",
    "WaitReadableCommand",
    "WaitWritableCommand",
]
