"""Bad arguments to wait_future / run_in_executor: a TypeError naming the argument."""

from __future__ import annotations

from typing import Any

import pytest

from flowno_eventloop import EventLoop, run_in_executor, wait_future


def _run(main: Any) -> Any:
    loop = EventLoop()
    try:
        return loop.run_until_complete(main, join=True)
    finally:
        loop.close()


def test_wait_future_of_something_that_is_not_a_future_is_a_type_error() -> None:
    async def main() -> object:
        return await wait_future(42)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"wait_future\(.*got int"):
        _run(main())


def test_run_in_executor_of_something_that_is_not_callable_is_a_type_error() -> None:
    async def main() -> object:
        return await run_in_executor("thread", 42)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"run_in_executor\(.*got int"):
        _run(main())
