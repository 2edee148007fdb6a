"""``flowno.core.event_loop.commands``: alias of the command classes.

The loop's commands come from ``flowno_eventloop.commands``; the socket commands are
flowno-net's (the loop knows nothing of sockets).
"""

from flowno_eventloop.commands import (
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
    SleepCommand,
    SpawnCommand,
    StreamCancelCommand,
)
from flowno_net import SocketAcceptCommand, SocketCommand, SocketRecvCommand, SocketSendCommand

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
    "SleepCommand",
    "SocketAcceptCommand",
    "SocketCommand",
    "SocketRecvCommand",
    "SocketSendCommand",
    "SpawnCommand",
    "StreamCancelCommand",
]
