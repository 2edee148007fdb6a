"""@node(executor=...): plain function bodies on thread / process pools, wired like any node."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowno_eventloop.lowlevel import wait_readable
from flowno_flow import FlowHDL, NodeDefinitionError, Retry, node

# Process-pool workers import this module by the name pytest gave it, relative to the
# repository root (import mode "importlib"), so the root must be on their sys.path.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before]
    assert leaked == [], f"threads left behind: {leaked}"


# Module-level nodes: a process pool finds their functions by module and name.
@node
async def Number(value: int = 6) -> int:
    return value


@node(executor="process")
def InProcess(x: int, offset: int = 0) -> tuple[int, int]:
    return x * x + offset, os.getpid()


@node(executor="thread", multiple_outputs=True)
def DivMod(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


@node
async def MakeLock() -> threading.Lock:
    return threading.Lock()


@node(executor="process")
def UseLock(lock: threading.Lock) -> bool:
    return lock.locked()


@node(executor="process")
def Fails(x: int) -> int:
    raise ArithmeticError(f"cannot handle {x}")


@node(executor="process")
def Branch(tag: str, started: str, gate: str) -> str:
    """Say "started" through one FIFO, then block until the gate FIFO gives a byte."""
    fd = os.open(started, os.O_WRONLY)
    os.write(fd, tag.encode())
    os.close(fd)
    fd = os.open(gate, os.O_RDONLY)
    try:
        return tag + os.read(fd, 1).decode()
    finally:
        os.close(fd)


def test_a_process_node_runs_in_a_worker_and_feeds_a_thread_node() -> None:
    with FlowHDL() as f:
        f.number = Number()
        f.square = InProcess(f.number, 1)
        f.divmod = DivMod(f.number, 4)
    f.run_until_complete()
    ((square, pid),) = f.square.get_data() or ((0, 0),)
    assert square == 37 and pid != os.getpid()
    assert f.divmod.get_data() == (1, 2)


def test_the_body_error_comes_back_with_the_remote_traceback() -> None:
    with FlowHDL() as f:
        f.number = Number()
        f.fails = Fails(f.number)
    with pytest.raises(ArithmeticError, match="cannot handle 6") as info:
        f.run_until_complete()
    assert any("raise ArithmeticError" in note for note in getattr(info.value, "__notes__", []))


def test_an_argument_that_does_not_pickle_names_the_node_and_the_parameter() -> None:
    with FlowHDL() as f:
        f.lock = MakeLock()
        f.use = UseLock(f.lock)
    with pytest.raises(pickle.PicklingError) as info:
        f.run_until_complete()
    message = str(info.value)
    assert message.startswith("node UseLock#")
    assert "argument 'lock' (lock) cannot be pickled" in message


def test_two_process_branches_run_at_the_same_time(tmp_path: Path) -> None:
    """Both workers announce their start before either may finish: they overlap."""
    started, gate = tmp_path / "started", tmp_path / "gate"
    os.mkfifo(started)
    os.mkfifo(gate)
    started_fd = os.open(started, os.O_RDWR | os.O_NONBLOCK)
    gate_fd = os.open(gate, os.O_RDWR)

    @node
    async def Release() -> str:
        seen = b""
        while len(seen) < 2:
            await wait_readable(started_fd)
            seen += os.read(started_fd, 2)
        os.write(gate_fd, b"!!")
        return "".join(sorted(seen.decode()))

    try:
        with FlowHDL() as f:
            f.a = Branch("a", str(started), str(gate))
            f.b = Branch("b", str(started), str(gate))
            f.release = Release()
        f.run_until_complete()
    finally:
        os.close(started_fd)
        os.close(gate_fd)
    assert (f.a.get_data(), f.b.get_data(), f.release.get_data()) == (("a!",), ("b!",), ("ab",))


ATTEMPTS: list[int] = []


@node(executor="thread", retry=Retry(attempts=3, delay=0.0))
def Flaky(x: int) -> int:
    ATTEMPTS.append(x)
    if len(ATTEMPTS) < 3:
        raise ConnectionError("not yet")
    return x + len(ATTEMPTS)


def test_policies_wrap_the_executor_call() -> None:
    """retry= re-runs the body on the executor: two failures, then a result."""
    ATTEMPTS.clear()
    with FlowHDL() as f:
        f.number = Number()
        f.flaky = Flaky(f.number)
    f.run_until_complete()
    assert f.flaky.get_data() == (9,)
    assert ATTEMPTS == [6, 6, 6]


def test_executor_nodes_are_drawn_like_any_other() -> None:
    with FlowHDL() as f:
        f.number = Number()
        f.square = InProcess(f.number)
    assert "InProcess" in f.to_mermaid()


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("async_function", "is async"),
        ("async_generator", "streaming nodes run on the loop"),
        ("generator", "is a generator"),
        ("stream_in", "streams are consumed on the loop"),
    ],
)
def test_only_plain_functions_take_an_executor(target: str, problem: str) -> None:
    async def async_function(x: int) -> int:
        return x

    async def async_generator(x: int) -> Any:
        yield x

    def generator(x: int) -> Any:
        yield x

    def stream_in(x: int) -> int:
        return x

    functions = {f.__name__: f for f in (async_function, async_generator, generator, stream_in)}
    decorator = node(executor="thread", stream_in=["x"] if target == "stream_in" else [])
    with pytest.raises(NodeDefinitionError, match=problem):
        decorator(functions[target])


@pytest.mark.parametrize(
    ("executor", "shown"), [("gpu", "str 'gpu'"), (42, "int 42"), (object(), "object <object")]
)
def test_a_bad_executor_is_refused_at_decoration_naming_the_node(executor: Any, shown: str) -> None:
    # Accepted before, it failed at every evaluation, in run_in_executor, without the node.
    def Work(x: int) -> int:  # noqa: N802 (a node name)
        return x

    with pytest.raises(NodeDefinitionError) as info:
        node(executor=executor)(Work)
    message = str(info.value)
    assert message.startswith("@node(executor=...): test_a_bad_executor_is_refused")
    assert "Work (decorated at " in message
    assert "executor must be 'thread', 'process' or a concurrent.futures.Executor" in message
    assert f"got {shown}" in message
