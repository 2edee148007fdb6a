# Rules of this module: name resolution never runs on the loop thread. Numeric addresses are
# recognised without any lookup (AI_NUMERICHOST); anything else goes through getaddrinfo in a
# worker thread via the kernel's ``to_thread``.
"""Resolving a connect address off the loop."""

from __future__ import annotations

import socket as std_socket
from typing import Any

from ._kernel import to_thread

Address = tuple[Any, ...] | str

_INET_FAMILIES = (std_socket.AF_INET, std_socket.AF_INET6)
_TUPLE_SIZES: dict[int, tuple[int, ...]] = {
    std_socket.AF_INET: (2,),
    std_socket.AF_INET6: (2, 3, 4),
}


def check_address(address: object, family: int) -> None:
    """Raise a clear error when ``address`` cannot be an address of ``family``.

    INET addresses are ``(host, port)`` (AF_INET6 also takes ``flowinfo`` and ``scope_id``)
    with a ``str`` host and an ``int`` port; other families are left to the socket module.

    Args:
        address: the address given to ``aconnect`` or ``open_listener``.
        family: the socket's address family.

    Raises:
        TypeError: the address is not a tuple of the right size and types.

    >>> check_address(("127.0.0.1", 80), std_socket.AF_INET)
    >>> check_address(("127.0.0.1",), std_socket.AF_INET)
    Traceback (most recent call last):
    ...
    TypeError: address must be (host, port) for an AF_INET socket, got ('127.0.0.1',)
    """
    sizes = _TUPLE_SIZES.get(family)
    if sizes is None:
        return
    valid = (
        isinstance(address, tuple)
        and len(address) in sizes  # pyright: ignore[reportUnknownArgumentType]
        and isinstance(address[0], str)
        and isinstance(address[1], int)
        and not isinstance(address[1], bool)
    )
    if not valid:
        name = std_socket.AddressFamily(family).name
        raise TypeError(f"address must be (host, port) for an {name} socket, got {address!r}")


def numeric_targets(address: Address, family: int, kind: int, proto: int) -> list[Address] | None:
    """Return the connect targets of ``address`` if it needs no name lookup, else ``None``.

    Args:
        address: the address given to ``aconnect``.
        family: the socket's address family.
        kind: the socket's type (SOCK_STREAM, ...).
        proto: the socket's protocol.

    Returns:
        ``[address]`` for non-INET families, numeric hosts and ``""``; ``None`` for host names.

    >>> numeric_targets(("127.0.0.1", 80), std_socket.AF_INET, std_socket.SOCK_STREAM, 0)
    [('127.0.0.1', 80)]
    >>> numeric_targets(("example.invalid", 80), std_socket.AF_INET, std_socket.SOCK_STREAM, 0)
    """
    if family not in _INET_FAMILIES or not isinstance(address, tuple) or address[0] == "":
        return [address]  # "" is the any-address: the socket module needs no lookup for it
    try:
        std_socket.getaddrinfo(
            address[0], address[1], family, kind, proto, std_socket.AI_NUMERICHOST
        )
    except std_socket.gaierror:
        return None
    return [address]


async def resolve(address: Address, family: int, kind: int, proto: int) -> list[Address]:
    """Resolve ``address`` to connect targets, in a worker thread when a lookup is needed.

    Args:
        address: ``(host, port)`` for INET sockets, a path for AF_UNIX.
        family: the socket's address family.
        kind: the socket's type.
        proto: the socket's protocol.

    Returns:
        The targets to try, in getaddrinfo order, without duplicates.

    Raises:
        TypeError: ``address`` is not a valid address of ``family``.
        socket.gaierror: the name does not resolve.

    >>> from flowno_eventloop import EventLoop
    >>> EventLoop().run_until_complete(
    ...     resolve(("localhost", 80), std_socket.AF_INET, std_socket.SOCK_STREAM, 0), join=True)
    [('127.0.0.1', 80)]
    """
    check_address(address, family)
    targets = numeric_targets(address, family, kind, proto)
    if targets is not None:
        return targets
    infos = await to_thread(std_socket.getaddrinfo, address[0], address[1], family, kind, proto)
    unique: dict[Address, None] = {}
    for info in infos:
        unique[info[4]] = None
    return list(unique)
