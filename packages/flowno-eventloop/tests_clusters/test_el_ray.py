"""RayExecutor against a real local Ray runtime (one per module; no mocks)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")

from flowno_eventloop import (  # noqa: E402
    EventLoop,
    TaskCancelled,
    fail_after,
    run_in_executor,
    sleep,
    spawn,
    wait_future,
)
from flowno_eventloop.executors import RayExecutor  # noqa: E402
from flowno_eventloop.lowlevel import wait_readable  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def ray_runtime() -> Iterator[None]:
    ray.init(
        num_cpus=2,
        resources={"special": 1},
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    yield
    ray.shutdown()


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


def scale(x: int, *, factor: int) -> int:
    return x * factor


def explode(message: str) -> None:
    raise RuntimeError(message)


def assigned_resources() -> dict[str, float]:
    return dict(ray.get_runtime_context().get_assigned_resources())


def say_started_then_spin(started: str, interrupted: str) -> None:
    """Remote: announce the start, run until ray.cancel interrupts, announce that too."""
    try:
        fd = os.open(started, os.O_WRONLY)
        os.write(fd, b"started")
        os.close(fd)
        while True:
            time.sleep(0.01)
    except KeyboardInterrupt:
        fd = os.open(interrupted, os.O_WRONLY)
        os.write(fd, b"interrupted")
        os.close(fd)
        raise


def test_result_with_positional_and_keyword_arguments() -> None:
    async def main() -> list[int]:
        executor = RayExecutor()
        return [await run_in_executor(executor, scale, n, factor=3) for n in range(3)]

    assert run(main()) == [0, 3, 6]


def test_error_comes_back_with_the_remote_traceback() -> None:
    async def main() -> BaseException:
        with pytest.raises(RuntimeError, match="on a ray worker") as info:
            await run_in_executor(RayExecutor(), explode, "on a ray worker")
        return info.value

    notes = getattr(run(main()), "__notes__", [])
    assert len(notes) == 1
    assert "in explode" in notes[0]


def test_per_call_resources_pass_through() -> None:
    async def main() -> dict[str, float]:
        special = RayExecutor(num_cpus=1).options(resources={"special": 1})
        return await run_in_executor(special, assigned_resources)

    assert run(main()) == {"CPU": 1.0, "special": 1.0}


def test_cancelling_the_task_cancels_a_pending_ray_task() -> None:
    """The call needs more of a resource than the cluster has, so it stays pending."""
    futures: list[Any] = []

    async def waiter() -> int:
        futures.append(RayExecutor(resources={"special": 2}).submit(scale, 1, factor=1))
        return await wait_future(futures[0])

    async def main() -> None:
        handle = await spawn(waiter())
        for _ in range(5):
            await sleep(0)
        assert not handle.done
        await handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()

    run(main())
    assert futures[0].cancelled()


def test_cancelling_the_task_interrupts_a_running_ray_task(tmp_path: Path) -> None:
    started, interrupted = tmp_path / "started", tmp_path / "interrupted"
    os.mkfifo(started)
    os.mkfifo(interrupted)
    started_fd = os.open(started, os.O_RDWR | os.O_NONBLOCK)
    interrupted_fd = os.open(interrupted, os.O_RDWR | os.O_NONBLOCK)

    async def waiter() -> None:
        await run_in_executor(RayExecutor(), say_started_then_spin, str(started), str(interrupted))

    async def main() -> tuple[bytes, bytes]:
        handle = await spawn(waiter())
        await wait_readable(started_fd)
        first = os.read(started_fd, 7)
        await handle.cancel()
        with fail_after(60):  # a guard against hanging, not a measurement
            await wait_readable(interrupted_fd)
        return first, os.read(interrupted_fd, 11)

    try:
        assert run(main()) == (b"started", b"interrupted")
    finally:
        os.close(started_fd)
        os.close(interrupted_fd)
