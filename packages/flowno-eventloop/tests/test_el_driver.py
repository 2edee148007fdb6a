"""The driver API: a run driven tick by tick, with a host-driven I/O backend and waker."""

from __future__ import annotations

import socket
import threading
from typing import Any

from flowno_eventloop import EventLoop, MockClock, sleep, spawn
from flowno_eventloop.lowlevel import READ, IOBackend, LoopRun, Waker, wait_readable


class HostBackend:
    """What a host loop's backend looks like: interest recorded, readiness reported by the
    host's fd callbacks (here: the test) and handed out by ``poll`` without blocking."""

    def __init__(self) -> None:
        self.readers: set[int] = set()
        self.writers: set[int] = set()
        self.reported: list[tuple[int, int]] = []
        self.polls: list[float | None] = []
        self.wakeups = 0
        self.closed = 0

    def add_reader(self, fd: int) -> None:
        self.readers.add(fd)

    def remove_reader(self, fd: int) -> None:
        self.readers.discard(fd)

    def add_writer(self, fd: int) -> None:
        self.writers.add(fd)

    def remove_writer(self, fd: int) -> None:
        self.writers.discard(fd)

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        self.polls.append(timeout)
        reported, self.reported = self.reported, []
        return reported

    def close(self) -> None:
        self.closed += 1

    def wakeup(self) -> None:
        self.wakeups += 1


def test_a_host_backend_gets_fd_interest_and_reports_readiness() -> None:
    host = HostBackend()
    assert isinstance(host, IOBackend) and isinstance(host, Waker)
    a, b = socket.socketpair()

    async def reader() -> bytes:
        await wait_readable(a)
        return a.recv(1)

    loop = EventLoop()
    run = loop.begin_run(reader(), io=host, waker=host)
    try:
        assert isinstance(run, LoopRun)
        assert run.tick() is None and not run.done  # parked on the fd: wait for I/O
        assert host.readers == {a.fileno()}
        assert all(timeout == 0 for timeout in host.polls)  # tick never blocks
        b.send(b"x")
        host.reported.append((a.fileno(), READ))  # the host's fd callback fired
        assert run.tick() is None and run.done
        assert host.readers == {a.fileno()}  # kept registered between waits
        assert run.finish(join=True) == b"x"
        assert host.readers == set()  # dropped at the end of the run
        assert host.closed == 1
    finally:
        a.close()
        b.close()
        loop.close()


def test_tick_returns_the_next_timeout_and_a_thread_wakes_the_host() -> None:
    host = HostBackend()
    loop = EventLoop()
    made: list[Any] = []

    async def late() -> str:
        return "from a thread"

    async def main() -> str:
        await sleep(10)
        return str(await made[0].join())

    run = loop.begin_run(main(), io=host, waker=host)
    timeout = run.tick()
    assert timeout is not None and 9 < timeout <= 10  # the host waits for the next timer
    thread = threading.Thread(target=lambda: made.append(loop.create_task(late())))
    thread.start()
    thread.join()
    assert host.wakeups >= 1  # the host was told to tick again
    run.cancel()
    while not run.done:
        run.tick()
    try:
        run.finish(join=True)
    except BaseException as error:  # the root was cancelled
        assert type(error).__name__ == "TaskCancelled"
    loop.close()


def test_a_budgeted_tick_returns_while_tasks_only_switch() -> None:
    async def spinner() -> None:
        while True:
            await sleep(0)

    async def main() -> None:
        await spawn(spinner())
        await sleep(1)

    loop = EventLoop(clock=MockClock())
    run = loop.begin_run(main())
    assert run.tick(budget=0.0) == 0.0  # work left: the host must tick again soon
    assert not run.done
    run.cancel()
    while not run.done:
        run.tick(budget=0.01)
    run.finish()
    loop.close()
