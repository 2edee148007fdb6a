"""DaskExecutor and wait_future against a real in-process Dask LocalCluster (no mocks)."""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from flowno_eventloop import (  # noqa: E402
    EventLoop,
    TaskCancelled,
    run_in_executor,
    sleep,
    spawn,
    wait_future,
)
from flowno_eventloop.executors import DaskExecutor  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


# Module-level, so Dask pickles them by reference: the in-process worker shares GATE.
GATE = threading.Event()


def wait_for_gate() -> bool:
    return GATE.wait(30)


def scale(x: int, *, factor: int) -> int:
    return x * factor


def explode(message: str) -> None:
    raise RuntimeError(message)


def test_result_with_positional_and_keyword_arguments(client: Any) -> None:
    executor = DaskExecutor(client)

    async def main() -> list[int]:
        return [await run_in_executor(executor, scale, n, factor=10) for n in range(3)]

    assert run(main()) == [0, 10, 20]


def test_error_comes_back_with_the_remote_traceback(client: Any) -> None:
    async def main() -> BaseException:
        with pytest.raises(RuntimeError, match="on a dask worker") as info:
            await run_in_executor(DaskExecutor(client), explode, "on a dask worker")
        return info.value

    notes = getattr(run(main()), "__notes__", [])
    assert len(notes) == 1
    assert "in explode" in notes[0]


def test_a_ticker_keeps_ticking_while_a_dask_task_blocks(client: Any) -> None:
    GATE.clear()
    ticks: list[int] = []

    async def ticker() -> None:
        while len(ticks) < 20:
            ticks.append(len(ticks))
            await sleep(0)
        GATE.set()

    async def main() -> bool:
        await spawn(ticker())
        return await run_in_executor(DaskExecutor(client), wait_for_gate)

    assert run(main()) is True
    assert len(ticks) == 20


def scheduler_view(key: str, *, present: bool) -> Any:
    """Runs on the scheduler: once the task is known there (``present``) or gone from it
    (messages to the scheduler travel on other connections than this query, so it waits
    for them, on the scheduler's own loop), its resource restrictions, or "gone"."""

    async def look(dask_scheduler: Any) -> Any:
        for _ in range(2000):
            task = dask_scheduler.tasks.get(key)
            if (task is not None) == present:
                break
            await asyncio.sleep(0.005)
        return "gone" if task is None else dict(task.resource_restrictions or {})

    return look


def test_resources_pass_through_and_cancel_withdraws_the_task(client: Any) -> None:
    """No worker has a GPU, so the call stays queued with its restriction; cancelling the
    waiting task withdraws it from the scheduler."""
    needy = DaskExecutor(client, resources={"GPU": 1}).options(key="needs-a-gpu")

    async def waiter() -> int:
        return await run_in_executor(needy, scale, 1, factor=1)

    async def main() -> tuple[Any, Any]:
        handle = await spawn(waiter())
        await sleep(0)
        queued = await run_in_executor(
            "thread", client.run_on_scheduler, scheduler_view("needs-a-gpu", present=True)
        )
        await handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()
        after = await run_in_executor(
            "thread", client.run_on_scheduler, scheduler_view("needs-a-gpu", present=False)
        )
        return queued, after

    queued, after = run(main())
    assert queued == {"GPU": 1}
    assert after == "gone"


def test_cancelling_the_task_cancels_a_dask_future(client: Any) -> None:
    futures: list[Any] = []

    async def waiter() -> Any:
        futures.append(client.submit(wait_for_gate, pure=False, resources={"GPU": 1}))
        return await wait_future(futures[0])

    async def main() -> None:
        handle = await spawn(waiter())
        await sleep(0)
        await handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()

    run(main())
    assert futures[0].cancelled()


def test_an_address_is_connected_once_and_shared_by_derived_executors(client: Any) -> None:
    base = DaskExecutor(client.scheduler.address)
    derived = base.options(retries=1)

    async def main() -> int:
        return await run_in_executor(derived, scale, 2, factor=21)

    assert run(main()) == 42
    assert derived.client is base.client is not client
    connected = base.client
    derived.shutdown()  # closes the client the base created, for both
    assert connected.status == "closed"


def test_an_argument_that_does_not_serialize_is_named(client: Any) -> None:
    async def main() -> None:
        lock = threading.Lock()
        with pytest.raises(pickle.PicklingError, match=r"argument 0 \(lock\) cannot be pickled"):
            await run_in_executor(DaskExecutor(client), scale, lock, factor=1)  # type: ignore[arg-type]

    run(main())
