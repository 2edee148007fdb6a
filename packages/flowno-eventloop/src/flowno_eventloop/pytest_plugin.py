"""pytest plugin: run ``async def`` tests and async fixtures on a fresh flowno EventLoop.

Registered as the ``pytest11`` entry point ``flowno_eventloop``, so it is active wherever
flowno-eventloop is installed, and does nothing unless asked:

- ``@pytest.mark.flowno`` on an ``async def`` test runs it on a fresh ``EventLoop`` (strict
  mode, the default). With the ini option ``flowno_mode = auto`` every ``async def`` test runs
  so, marked or not.
- Async fixtures (``async def`` and ``async def ... yield``) requested by such a test run on
  the *same* loop as the test, set up before it and torn down after it (reverse order), so
  tasks and primitives created by a fixture can be used by the test. They must be
  function-scoped. A sync fixture that depends on an async one receives a placeholder, not
  the value: make it async too.
- The ``mock_clock`` fixture gives a ``MockClock``; a test that requests it (directly or
  through a fixture) runs its loop on that clock, so ``await sleep(3600)`` takes no real time.

Rules of this module: no state outside the test item; all errors name the test or fixture.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest

from flowno_eventloop import EventLoop, MockClock

__all__ = ["mock_clock"]

MARKER = "flowno"
MODES = ("strict", "auto")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``flowno_mode`` ini option."""
    parser.addini(
        "flowno_mode",
        help="flowno_eventloop: 'strict' runs only @pytest.mark.flowno async tests on a flowno "
        "EventLoop; 'auto' runs every async def test so.",
        default="strict",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and check the mode."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}: run this async def test and its async fixtures on a fresh flowno EventLoop",
    )
    mode = _mode(config)
    if mode not in MODES:
        raise pytest.UsageError(f"flowno_mode must be one of {MODES}, got {mode!r}")


def _mode(config: pytest.Config) -> str:
    return str(config.getini("flowno_mode")).strip().lower()


def _is_async(func: object) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


def _wants_flowno(item: pytest.Item) -> bool:
    if item.get_closest_marker(MARKER) is not None:
        return True
    return _mode(item.config) == "auto" and _is_async(getattr(item, "obj", None))


@pytest.fixture
def mock_clock() -> MockClock:
    """A fresh ``MockClock``; the test's flowno loop runs on it.

    Example:
        >>> MockClock().now()
        0.0
    """
    return MockClock()


class AsyncFixture:
    """Placeholder for an async fixture value, resolved on the test's loop."""

    __slots__ = ("func", "kwargs", "name", "resolved", "value")

    def __init__(self, name: str, func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        self.name: str = name
        self.func: Callable[..., Any] = func
        self.kwargs: dict[str, Any] = kwargs
        self.resolved: bool = False
        self.value: Any = None

    def __repr__(self) -> str:
        return f"<unresolved async fixture {self.name!r} (only async tests can use it)>"


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    """Turn an async fixture of a flowno test into a placeholder the test's loop resolves."""
    item = getattr(request, "_pyfuncitem", request.node)  # the test that needs the fixture
    if not _is_async(fixturedef.func) or not _wants_flowno(item):
        return None
    if fixturedef.scope != "function":
        raise pytest.UsageError(
            f"async fixture {fixturedef.argname!r} has scope {fixturedef.scope!r}; flowno async "
            "fixtures must be function-scoped (each test gets a fresh loop)"
        )
    from _pytest.fixtures import resolve_fixture_function

    kwargs = {name: request.getfixturevalue(name) for name in fixturedef.argnames}
    func = resolve_fixture_function(fixturedef, request)
    placeholder = AsyncFixture(fixturedef.argname, func, kwargs)
    fixturedef.cached_result = (placeholder, fixturedef.cache_key(request), None)  # type: ignore[arg-type]
    return placeholder


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a flowno test (async, or sync with async fixtures) on a fresh loop."""
    uses_async_fixtures = any(isinstance(v, AsyncFixture) for v in pyfuncitem.funcargs.values())
    if not (_is_async(pyfuncitem.obj) or uses_async_fixtures) or not _wants_flowno(pyfuncitem):
        return None
    if inspect.isasyncgenfunction(pyfuncitem.obj):
        raise TypeError(f"{pyfuncitem.nodeid}: a test cannot be an async generator")
    clock = pyfuncitem.funcargs.get("mock_clock")
    loop = EventLoop(clock=clock) if isinstance(clock, MockClock) else EventLoop()
    argnames = pyfuncitem._fixtureinfo.argnames  # pyright: ignore[reportPrivateUsage]
    kwargs = {name: pyfuncitem.funcargs[name] for name in argnames}
    loop.run_until_complete(_run_test(pyfuncitem.obj, kwargs), join=True)
    return True


async def _run_test(test: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    teardowns: list[tuple[str, AsyncGenerator[Any, None]]] = []
    try:
        values = {name: await _resolve(value, teardowns) for name, value in kwargs.items()}
        result = test(**values)
        if inspect.isawaitable(result):
            await result
    finally:
        await _teardown(teardowns)


async def _resolve(value: Any, teardowns: list[tuple[str, AsyncGenerator[Any, None]]]) -> Any:
    if not isinstance(value, AsyncFixture):
        return value
    if value.resolved:
        return value.value
    kwargs = {name: await _resolve(v, teardowns) for name, v in value.kwargs.items()}
    if inspect.isasyncgenfunction(value.func):
        agen: AsyncGenerator[Any, None] = value.func(**kwargs)
        try:
            value.value = await agen.__anext__()
        except StopAsyncIteration:
            raise ValueError(f"async fixture {value.name!r} did not yield a value") from None
        teardowns.append((value.name, agen))
    else:
        value.value = await value.func(**kwargs)
    value.resolved = True
    return value.value


async def _teardown(teardowns: list[tuple[str, AsyncGenerator[Any, None]]]) -> None:
    """Finish async generator fixtures in reverse order; the first error is raised."""
    first_error: BaseException | None = None
    for name, agen in reversed(teardowns):
        try:
            await agen.__anext__()
        except StopAsyncIteration:
            continue
        except BaseException as exc:  # noqa: BLE001 - re-raised below after the others ran
            first_error = first_error or exc
            continue
        await agen.aclose()
        first_error = first_error or ValueError(f"async fixture {name!r} yielded more than once")
    if first_error is not None:
        raise first_error
