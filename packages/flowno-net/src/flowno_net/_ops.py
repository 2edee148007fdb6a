# Rules of this module: the table of socket operation kinds (which direction they wait in,
# which hooks report them, which command describes them). Pure data.
"""Operation kinds: accept, recv and send, with their hooks and wait direction."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._commands import SocketAcceptCommand, SocketCommand, SocketRecvCommand, SocketSendCommand
from ._decide import Direction, Step


@dataclass(frozen=True)
class OpKind:
    """One kind of socket operation.

    >>> RECV.direction, RECV.start_hook, RECV.ready_hook
    (<Direction.READ: 'read'>, 'on_socket_recv_start', 'on_socket_recv_ready')
    >>> SEND.own_step
    <Step.WAIT_WRITABLE: 'wait_writable'>
    """

    name: str
    direction: Direction
    command: type[SocketCommand]
    hooked: bool = True

    own_step: Step = field(init=False)
    """The wait when the plain socket call would block (``BlockingIOError``)."""

    def __post_init__(self) -> None:
        own = Step.WAIT_READABLE if self.direction is Direction.READ else Step.WAIT_WRITABLE
        object.__setattr__(self, "own_step", own)

    @property
    def start_hook(self) -> str:
        """The hook fired when the operation starts.

        >>> SEND.start_hook
        'on_socket_send_start'
        """
        return f"on_socket_{self.name}_start"

    @property
    def ready_hook(self) -> str:
        """The hook fired when the operation became possible.

        >>> ACCEPT.ready_hook
        'on_socket_accept_ready'
        """
        return f"on_socket_{self.name}_ready"


ACCEPT = OpKind("accept", Direction.READ, SocketAcceptCommand)
RECV = OpKind("recv", Direction.READ, SocketRecvCommand)
SEND = OpKind("send", Direction.WRITE, SocketSendCommand)
#: The TLS handshake: it reports through ``on_tls_handshake_complete`` only.
HANDSHAKE = OpKind("handshake", Direction.READ, SocketCommand, hooked=False)
