# exit() in a task spawned inside a node ends the flow run, like exit() in the node.
from __future__ import annotations

import pytest

from flowno_eventloop import Event, EventLoop, exit, sleep, spawn
from flowno_flow import FlowHDL, FlowInstrument, node

log: list[str] = []


async def helper(stop: bool, exception: BaseException | None = None) -> int:
    try:
        if stop:
            await exit("ignored", exception=exception)
        return 7
    finally:
        log.append("helper finally")


@node
async def Joins(stop: bool) -> int:
    h = await spawn(helper(stop))
    return await h.join()


@node
async def After(x: int) -> int:
    log.append("after ran")
    return x


def test_exit_in_a_joined_helper_ends_the_run_normally() -> None:
    log.clear()
    with FlowHDL() as f:
        f.j = Joins(True)
        f.after = After(f.j)
    f.run_until_complete()
    assert f.j.get_data() is None and f.after.get_data() is None
    assert log == ["helper finally"]


def test_a_helper_that_does_not_exit_changes_nothing() -> None:
    log.clear()
    with FlowHDL() as f:
        f.j = Joins(False)
        f.after = After(f.j)
    f.run_until_complete()
    assert f.after.get_data() == (7,)


def test_exit_with_an_exception_in_a_helper_raises_it() -> None:
    @node
    async def Raises() -> int:
        h = await spawn(helper(True, KeyError("from the helper")))
        return await h.join()

    with FlowHDL() as f:
        f.r = Raises()
    with pytest.raises(KeyError, match="from the helper"):
        f.run_until_complete()


def test_exit_in_a_helper_nobody_joins_ends_the_run() -> None:
    log.clear()

    @node
    async def FireAndForget() -> int:
        await spawn(helper(True))
        await Event().wait()  # never set: only the end of the run stops this node
        return 1

    with FlowHDL() as f:
        f.ff = FireAndForget()
    f.run_until_complete()
    assert f.ff.get_data() is None and log == ["helper finally"]


def test_the_node_joining_the_helper_is_not_reported_as_failed() -> None:
    errors: list[BaseException] = []

    class Errors(FlowInstrument):
        def on_node_error(self, flow: object, node: object, error: BaseException) -> None:
            errors.append(error)

    with FlowHDL() as f:
        f.j = Joins(True)
    with Errors():
        f.run_until_complete()
    assert errors == []


@pytest.mark.flowno
async def test_exit_in_a_helper_under_run_async_ends_the_flow_not_the_loop() -> None:
    with FlowHDL() as f:
        f.j = Joins(True)
    await f.run_async()
    await sleep(0)  # the test's loop still runs
    assert f.j.get_data() is None


def test_exit_outside_flows_still_stops_the_loop() -> None:
    loop = EventLoop()
    with FlowHDL() as f:
        f.a = After(1)
    f.run_until_complete(event_loop=loop)  # installs the flow's exit server on the loop

    async def main() -> None:
        await exit("the loop's own exit")

    assert loop.run_until_complete(main(), join=True) == "the loop's own exit"
