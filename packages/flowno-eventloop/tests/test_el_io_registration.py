"""fd registrations kept between waits: when they stay, when they go, and fds closed under them."""

from __future__ import annotations

import errno
import select
import socket

import pytest

from flowno_eventloop import EventLoop, current_event_loop, sleep, spawn
from flowno_eventloop.lowlevel import READ, SelectorBackend, notify_closing, wait_readable


async def _wait(sock: socket.socket) -> None:
    await wait_readable(sock)


def _registered(fd: int) -> bool:
    loop = current_event_loop()
    assert loop is not None
    return fd in loop.selector.get_map()


def test_an_fd_stays_registered_between_waits_and_goes_at_the_end_of_the_run() -> None:
    a, b = socket.socketpair()
    loop = EventLoop()
    try:

        async def main() -> tuple[bool, int, bytes]:
            seen = b""
            for byte in (b"1", b"2", b"3"):
                b.send(byte)
                await wait_readable(a)
                seen += a.recv(1)
            stats = current_event_loop().statistics()  # type: ignore[union-attr]
            return _registered(a.fileno()), stats["io_waits"], seen

        assert loop.run_until_complete(main(), join=True) == (True, 0, b"123")
        assert loop._io.native.watched() == 0  # pyright: ignore[reportPrivateUsage]
        assert loop._io.native._selector is None  # pyright: ignore[reportPrivateUsage]
    finally:
        a.close()
        b.close()


def test_a_bare_int_fd_is_unregistered_as_soon_as_its_wait_ends() -> None:
    a, b = socket.socketpair()
    try:

        async def main() -> bool:
            b.send(b"x")
            await wait_readable(a.fileno())
            return _registered(a.fileno())

        assert EventLoop().run_until_complete(main(), join=True) is False
    finally:
        a.close()
        b.close()


def test_notify_closing_drops_the_registration_and_fails_a_waiter() -> None:
    a, b = socket.socketpair()
    try:

        async def main() -> tuple[bool, bool, int]:
            b.send(b"x")
            await wait_readable(a)
            a.recv(1)
            kept = _registered(a.fileno())
            waiter = await spawn(_wait(a))
            await sleep(0)  # the waiter parks
            notify_closing(a)
            gone = not _registered(a.fileno())
            with pytest.raises(OSError) as caught:
                await waiter.join()
            a.close()
            return kept, gone, caught.value.errno

        assert EventLoop().run_until_complete(main(), join=True) == (True, True, errno.EBADF)
    finally:
        a.close()
        b.close()


def test_an_idle_registered_fd_closed_behind_the_loops_back_and_reused_works() -> None:
    a, b = socket.socketpair()
    others: list[socket.socket] = []
    try:

        async def main() -> tuple[bool, bytes]:
            b.send(b"x")
            await wait_readable(a)  # a is now registered and idle
            a.recv(1)
            old = a.fileno()
            a.close()  # behind the loop's back: no notify_closing
            c, d = socket.socketpair()
            others.extend((c, d))
            d.send(b"y")
            await wait_readable(c)  # the same fd number, most likely: must not hang
            return c.fileno() == old or d.fileno() == old, c.recv(1)

        reused, data = EventLoop().run_until_complete(main(), join=True)
        assert data == b"y"
        assert reused  # the interesting case did happen
    finally:
        for s in (a, b, *others):
            s.close()


def test_readiness_nobody_waits_for_drops_the_interest_and_is_not_lost() -> None:
    a, b = socket.socketpair()
    c, d = socket.socketpair()
    try:

        async def main() -> tuple[bool, bool, bytes]:
            b.send(b"x")
            await wait_readable(a)  # woken; the byte is left unread
            d.send(b"y")
            await wait_readable(c)  # this poll reports a readable too, with nobody waiting
            dropped = not _registered(a.fileno())
            await wait_readable(a)  # registered again, and still readable
            return dropped, _registered(a.fileno()), a.recv(1)

        assert EventLoop().run_until_complete(main(), join=True) == (True, True, b"x")
    finally:
        for s in (a, b, c, d):
            s.close()


def test_a_cancelled_wait_keeps_the_registration_and_the_next_waiter_is_woken() -> None:
    a, b = socket.socketpair()
    try:

        async def main() -> tuple[bool, bytes]:
            first = await spawn(_wait(a))
            await sleep(0)
            await first.cancel()
            kept = _registered(a.fileno())
            second = await spawn(_wait(a))
            await sleep(0)
            b.send(b"z")
            await second.join()
            return kept, a.recv(1)

        assert EventLoop().run_until_complete(main(), join=True) == (True, b"z")
    finally:
        a.close()
        b.close()


def test_a_socket_closed_behind_the_loops_back_while_idle_does_not_break_the_poll() -> None:
    a, b = socket.socketpair()
    c, d = socket.socketpair()
    try:

        async def main() -> bytes:
            b.send(b"x")
            await wait_readable(a)  # a is registered and idle
            a.close()  # behind the loop's back
            d.send(b"y")
            await wait_readable(c)  # the loop polls with a's stale entry still on its books
            return c.recv(1)

        assert EventLoop().run_until_complete(main(), join=True) == b"y"
    finally:
        for s in (a, b, c, d):
            s.close()


@pytest.mark.skipif(not hasattr(select, "epoll"), reason="epoll only")
def test_a_closed_fd_kept_alive_by_a_duplicate_does_not_haunt_the_selector() -> None:
    a, b = socket.socketpair()
    twin = a.dup()  # keeps a's file open after a.close()
    backend = SelectorBackend()
    try:
        fd = a.fileno()
        backend.add_reader(fd)
        a.close()  # epoll keeps the registration (the file is still open through twin)
        b.send(b"x")
        assert backend.poll(0) == [(fd, READ)]
        backend.remove_reader(fd)  # epoll_ctl cannot name it any more: it stays in epoll
        assert backend.poll(0) == []  # reported once more: the backend renews its epoll
        epoll = backend._epoll  # pyright: ignore[reportPrivateUsage]
        assert epoll.poll(0) == []  # the new epoll does not know the ghost
        assert backend.watched() == 0
    finally:
        backend.close_all()
        for s in (a, b, twin):
            s.close()
