"""The pytest plugin, exercised with pytester in-process runs."""

from __future__ import annotations

import pytest

INI_STRICT = "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest -p no:benchmark\n"
INI_AUTO = INI_STRICT + "flowno_mode = auto\n"


def test_marked_async_test_runs_on_a_flowno_loop(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import pytest
        from flowno_eventloop import EventLoop, current_event_loop, sleep, spawn

        @pytest.mark.flowno
        async def test_passes():
            loop = current_event_loop()
            assert isinstance(loop, EventLoop)
            h = await spawn(sleep(0))
            await h.join()

        @pytest.mark.flowno
        async def test_fails():
            await sleep(0)
            assert 1 == 2, "inside the loop"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*inside the loop*"])


def test_each_test_gets_a_fresh_loop(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_AUTO)
    pytester.makepyfile(
        """
        from flowno_eventloop import current_event_loop
        seen = []

        async def test_one():
            seen.append(current_event_loop())

        async def test_two():
            seen.append(current_event_loop())

        def test_distinct():
            assert len(seen) == 2 and seen[0] is not seen[1]
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_strict_mode_leaves_unmarked_async_tests_alone(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        ran = []

        async def test_unmarked():
            ran.append(1)

        def test_check():
            assert ran == []
        """
    )
    result = pytester.runpytest()
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1  # only test_check; the async one is not run by us


def test_auto_mode_runs_unmarked_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_AUTO)
    pytester.makepyfile(
        """
        from flowno_eventloop import sleep, current_event_loop

        async def test_unmarked():
            assert current_event_loop() is not None
            await sleep(0)

        def test_sync_untouched():
            assert current_event_loop() is None
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_bad_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT + "flowno_mode = sometimes\n")
    pytester.makepyfile("def test_x(): pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*flowno_mode must be one of*sometimes*"])


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.flowno:*flowno EventLoop*"])


def test_mock_clock_fixture_drives_the_loop(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import time
        import pytest
        from flowno_eventloop import MockClock, current_event_loop, sleep

        @pytest.mark.flowno
        async def test_virtual_hour(mock_clock):
            assert isinstance(mock_clock, MockClock)
            assert current_event_loop().clock is mock_clock
            start = time.perf_counter()
            assert await sleep(3600) == 3600
            assert mock_clock.now() == 3600
            assert time.perf_counter() - start < 5
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_fixtures_share_the_test_loop_and_tear_down_in_order(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import pytest
        from flowno_eventloop import AsyncQueue, current_event_loop, sleep, spawn

        log = []

        @pytest.fixture
        async def queue():
            log.append("queue setup")
            await sleep(0)
            return AsyncQueue()

        @pytest.fixture
        async def producer(queue):
            async def produce():
                await queue.put("item")
            h = await spawn(produce())
            log.append("producer setup")
            yield h, current_event_loop()
            await h.join()
            log.append("producer teardown")

        @pytest.fixture
        async def outer(producer):
            log.append("outer setup")
            yield "outer"
            log.append("outer teardown")

        @pytest.mark.flowno
        async def test_uses_them(queue, producer, outer):
            handle, fixture_loop = producer
            assert fixture_loop is current_event_loop()
            assert await queue.get() == "item"
            assert outer == "outer"
            log.append("test body")

        def test_order():
            assert log == [
                "queue setup", "producer setup", "outer setup", "test body",
                "outer teardown", "producer teardown",
            ]
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_fixture_teardown_errors_are_reported(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        async def broken():
            yield 1
            raise RuntimeError("teardown broke")

        @pytest.fixture
        async def twice():
            yield 1
            yield 2

        @pytest.mark.flowno
        async def test_broken(broken):
            assert broken == 1

        @pytest.mark.flowno
        async def test_twice(twice):
            assert twice == 1
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*teardown broke*", "*yielded more than once*"])


def test_wider_scoped_async_fixture_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        async def shared():
            return 1

        @pytest.mark.flowno
        async def test_it(shared):
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*must be function-scoped*"])


def test_sync_test_with_async_fixture_under_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI_STRICT)
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        async def value():
            return 41

        @pytest.mark.flowno
        def test_sync(value):
            assert value + 1 == 42
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
