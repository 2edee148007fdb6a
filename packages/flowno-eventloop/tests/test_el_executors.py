"""run_in_executor on thread and process pools: results, errors, cancellation, pickling,
the loop keeps running, the loop's pools are shut down when the run ends."""

from __future__ import annotations

import concurrent.futures
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from flowno_eventloop import (
    EventLoop,
    TaskCancelled,
    run_in_executor,
    sleep,
    spawn,
)
from flowno_eventloop.lowlevel import wait_readable

# Process-pool workers import this module by the name pytest gave it, relative to the
# repository root (import mode "importlib"), so the root must be on their sys.path.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)


pytestmark = pytest.mark.usefixtures("no_leaked_threads")


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


# Module-level functions: a process pool imports them by name in its workers.
def where(tag: str, *, times: int = 1) -> tuple[str, int, str]:
    return tag * times, os.getpid(), threading.current_thread().name


def fail(message: str) -> None:
    raise ValueError(message)


def give_lock() -> threading.Lock:
    return threading.Lock()


def signal_then_wait(started: str, gate: str) -> bytes:
    """Worker: say "started" through one FIFO, then block reading two bytes from another."""
    fd = os.open(started, os.O_WRONLY)
    os.write(fd, b"started")
    os.close(fd)
    fd = os.open(gate, os.O_RDONLY)
    try:
        return os.read(fd, 2)
    finally:
        os.close(fd)


def test_thread_pool_runs_the_function_with_its_arguments() -> None:
    async def main() -> tuple[str, int, str]:
        return await run_in_executor("thread", where, "ab", times=2)

    value, pid, thread_name = run(main())
    assert (value, pid) == ("abab", os.getpid())
    assert thread_name.startswith("flowno-executor")


def test_process_pool_runs_the_function_in_another_process() -> None:
    async def main() -> list[tuple[str, int, str]]:
        return [await run_in_executor("process", where, "x", times=3) for _ in range(2)]

    results = run(main())
    assert [r[0] for r in results] == ["xxx", "xxx"]
    assert all(pid != os.getpid() for _, pid, _ in results)


def test_any_executor_works() -> None:
    async def main() -> str:
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mine") as pool:
            return (await run_in_executor(pool, where, "y"))[2]

    assert run(main()).startswith("mine")


def test_thread_exception_is_the_same_exception_with_the_worker_frames() -> None:
    async def main() -> BaseException:
        with pytest.raises(ValueError, match="from a thread") as info:
            await run_in_executor("thread", fail, "from a thread")
        return info.value

    err = run(main())
    frames = []
    tb = err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "fail" in frames


def test_process_exception_carries_the_remote_traceback() -> None:
    async def main() -> BaseException:
        with pytest.raises(ValueError, match="from a process") as info:
            await run_in_executor("process", fail, "from a process")
        return info.value

    notes = getattr(run(main()), "__notes__", [])
    assert len(notes) == 1
    assert "in fail\n    raise ValueError(message)" in notes[0]


def test_cancelling_the_task_cancels_work_that_has_not_started() -> None:
    gate = threading.Event()
    ran: list[str] = []

    async def main() -> bool:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            busy = await spawn(run_in_executor(pool, gate.wait, 10))
            queued = await spawn(run_in_executor(pool, ran.append, "queued job ran"))
            await sleep(0)
            await queued.cancel()
            with pytest.raises(TaskCancelled):
                await queued.join()
            gate.set()
            assert await busy.join() is True
        return queued.is_cancelled

    assert run(main()) is True
    assert ran == []


def test_unpicklable_function_is_named() -> None:
    async def main() -> None:
        with pytest.raises(pickle.PicklingError, match=r"the function \(function\) cannot"):
            await run_in_executor("process", lambda: 1)

    run(main())


def test_unpicklable_argument_is_named() -> None:
    async def main() -> None:
        with pytest.raises(pickle.PicklingError, match=r"argument 'tag' \(lock\) cannot"):
            await run_in_executor("process", where, tag=threading.Lock())  # type: ignore[arg-type]
        with pytest.raises(pickle.PicklingError, match=r"argument 0 \(lock\) cannot"):
            await run_in_executor("process", where, threading.Lock())  # type: ignore[arg-type]

    run(main())


def test_unpicklable_result_is_reported() -> None:
    async def main() -> None:
        with pytest.raises(pickle.PicklingError, match="or its result could not be pickled"):
            await run_in_executor("process", give_lock)

    run(main())


def test_a_ticker_keeps_ticking_while_a_process_blocks(tmp_path: Path) -> None:
    """The worker says it started, then blocks until the ticker, after 20 ticks on the loop,
    lets it go; both FIFOs are held open read-write on the loop side, so no open blocks."""
    started, gate = tmp_path / "started", tmp_path / "gate"
    os.mkfifo(started)
    os.mkfifo(gate)
    started_fd = os.open(started, os.O_RDWR | os.O_NONBLOCK)
    gate_fd = os.open(gate, os.O_RDWR)
    ticks: list[int] = []

    async def ticker() -> None:
        await wait_readable(started_fd)
        assert os.read(started_fd, 7) == b"started"
        while len(ticks) < 20:
            ticks.append(len(ticks))
            await sleep(0)
        os.write(gate_fd, b"go")

    async def main() -> bytes:
        await spawn(ticker())
        return await run_in_executor("process", signal_then_wait, str(started), str(gate))

    try:
        assert run(main()) == b"go"
    finally:
        os.close(started_fd)
        os.close(gate_fd)
    assert len(ticks) == 20


def test_a_ticker_keeps_ticking_while_a_thread_blocks() -> None:
    gate = threading.Event()
    ticks: list[int] = []

    async def ticker() -> None:
        while len(ticks) < 20:
            ticks.append(len(ticks))
            await sleep(0)
        gate.set()

    async def main() -> bool:
        await spawn(ticker())
        return await run_in_executor("thread", gate.wait, 30)

    assert run(main()) is True
    assert len(ticks) == 20


def test_the_loops_pools_are_shut_down_when_the_run_ends() -> None:
    loop = EventLoop()

    async def main() -> str:
        return (await run_in_executor("thread", where, "t"))[2]

    first = loop.run_until_complete(main(), join=True)
    assert not [t for t in threading.enumerate() if t.name.startswith("flowno-executor")]
    second = loop.run_until_complete(main(), join=True)  # a new pool for the new run
    assert first.startswith("flowno-executor") and second.startswith("flowno-executor")


def test_bad_executor_arguments() -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="expected 'thread', 'process'"):
            await run_in_executor("threads", where, "x")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="got int"):
            await run_in_executor(3, where, "x")  # type: ignore[arg-type]

    run(main())


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_importing_the_package_imports_neither_dask_nor_ray() -> None:
    code = (
        "import sys, flowno_eventloop, flowno_eventloop.executors\n"
        "heavy = {'dask', 'distributed', 'ray'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    assert run_python(code) == "[]"


def test_a_missing_engine_names_the_extra() -> None:
    """Ray and Dask are blocked in a fresh interpreter (as if not installed)."""
    code = (
        "import sys\n"
        "sys.modules['ray'] = None; sys.modules['distributed'] = None\n"
        "from flowno_eventloop.executors import DaskExecutor, RayExecutor\n"
        "for attempt in (lambda: RayExecutor().submit(print), lambda: DaskExecutor().client):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    assert run_python(code).splitlines() == [
        "ray is not installed; install the extra: pip install 'flowno-eventloop[ray]'",
        "distributed is not installed; install the extra: pip install 'flowno-eventloop[dask]'",
    ]
