"""Event: cancelled waits leave stale entries that never wake anyone; the list stays bounded."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from flowno_eventloop import Event, EventLoop, MockClock, TaskCancelled, sleep, spawn
from flowno_eventloop.lowlevel import interrupt


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


def test_a_cancelled_waiter_is_not_woken_by_set_and_the_others_are_woken_once() -> None:
    log: list[str] = []

    async def waiter(name: str, ev: Event) -> None:
        try:
            await ev.wait()
            log.append(f"{name} woken")
        except TaskCancelled:
            log.append(f"{name} cancelled")
            raise

    async def main() -> dict[str, Any]:
        ev = Event()
        a = await spawn(waiter("a", ev))
        b = await spawn(waiter("b", ev))
        c = await spawn(waiter("c", ev))
        await b.cancel()
        stats = ev.statistics()
        woken = ev.set_nowait()
        for h in (a, c):
            await h.join()
        return {"stats": stats, "woken": woken}

    assert run(main()) == {"stats": {"set": False, "waiters": 2}, "woken": 2}
    assert log == ["b cancelled", "a woken", "c woken"]


def test_a_task_that_waits_again_after_a_cancelled_wait_is_woken() -> None:
    async def main() -> list[str]:
        ev = Event()
        log: list[str] = []

        async def waiter() -> None:
            for attempt in range(2):
                try:
                    await ev.wait()
                    log.append(f"woken on attempt {attempt}")
                    return
                except ValueError:
                    log.append(f"interrupted on attempt {attempt}")

        h = await spawn(waiter())
        interrupt(h, ValueError("again"))
        await sleep(0)
        assert ev.statistics()["waiters"] == 1
        await ev.set()
        await h.join()
        return log

    assert run(main()) == ["interrupted on attempt 0", "woken on attempt 1"]


def test_stale_entries_of_cancelled_waits_stay_bounded() -> None:
    async def main() -> tuple[int, int]:
        ev = Event()
        keep = [await spawn(ev.wait()) for _ in range(3)]
        for _ in range(1000):
            h = await spawn(ev.wait())
            await h.cancel()
        size = len(ev._waiters)  # pyright: ignore[reportPrivateUsage]
        woken = ev.set_nowait()
        for h in keep:
            await h.join()
        return size, woken

    size, woken = run(main())
    assert woken == 3
    assert size <= 2 * 64 + 3


def test_a_forgotten_wait_warns_like_a_coroutine() -> None:
    async def main() -> None:
        Event().wait()  # type: ignore[unused-coroutine]  # forgotten await
        await sleep(0)

    with pytest.warns(RuntimeWarning, match="never awaited"):
        run(main())
        gc.collect()
