"""A task failure is logged only when nobody observed it; foreign-awaitable advice."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from flowno_eventloop import EventLoop, TaskGroup, sleep, spawn


async def boom() -> None:
    raise ValueError("boom")


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "raised an exception" in r.getMessage()]


def test_a_joined_failure_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> str:
        h = await spawn(boom())
        await sleep(0)
        try:
            await h.join()
        except ValueError:
            return "observed"
        return "not raised"

    with caplog.at_level(logging.ERROR, logger="flowno.eventloop"):
        assert EventLoop().run_until_complete(main(), join=True) == "observed"
    assert failures(caplog) == []


def test_a_failure_inside_a_group_or_a_joined_root_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        async with TaskGroup() as tg:
            tg.spawn(boom())

    with caplog.at_level(logging.ERROR, logger="flowno.eventloop"):
        with pytest.raises(BaseException, match="unhandled errors"):
            EventLoop().run_until_complete(main(), join=True)
        with pytest.raises(ValueError):
            EventLoop().run_until_complete(boom(), join=True)
    assert failures(caplog) == []


def test_an_unobserved_failure_is_logged_once_at_the_end_of_the_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        await spawn(boom())
        await sleep(0)

    with caplog.at_level(logging.ERROR, logger="flowno.eventloop"):
        EventLoop().run_until_complete(main())
    assert len(failures(caplog)) == 1
    assert failures(caplog)[0].endswith("raised an exception: boom")


def test_awaiting_an_asyncio_future_says_to_use_aio_call() -> None:
    import asyncio

    async def main() -> str:
        loop = asyncio.new_event_loop()
        try:
            await loop.create_future()
        except TypeError as error:
            return str(error)
        finally:
            loop.close()
        return "no error"

    assert "flowno_eventloop.aio.call(" in EventLoop().run_until_complete(main(), join=True)


def test_a_sniffio_failure_gets_the_advice(caplog: pytest.LogCaptureFixture) -> None:
    class AsyncLibraryNotFoundError(RuntimeError):
        """Stands for sniffio's error (recognised by its class name)."""

    async def uses_sniffio() -> None:
        raise AsyncLibraryNotFoundError("unknown async library, or not in async context")

    async def main() -> Any:
        h = await spawn(uses_sniffio())
        await sleep(0)
        try:
            await h.join()
        except AsyncLibraryNotFoundError as error:
            return error
        return None

    with caplog.at_level(logging.ERROR, logger="flowno.eventloop"):
        error = EventLoop().run_until_complete(main(), join=True)
        EventLoop().run_until_complete(uses_sniffio())
    if sys.version_info >= (3, 11):
        assert any("aio.call(" in note for note in error.__notes__)
    else:
        assert "aio.call(" in failures(caplog)[0]
