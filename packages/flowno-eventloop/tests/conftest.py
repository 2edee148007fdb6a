"""Shared test configuration for flowno-eventloop."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest


# --- enable pytester for the pytest-plugin tests (test_el_x_plugin.py) ---
def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def no_leaked_threads() -> Iterator[None]:
    """Fail the test if it leaves a thread running (use with ``pytest.mark.usefixtures``)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before]
    assert leaked == [], f"threads left behind: {leaked}"


@pytest.fixture
def no_leaks(no_leaked_threads: None) -> Iterator[None]:
    """Like ``no_leaked_threads``, and no file descriptor may be left open either."""
    before_fds = len(os.listdir("/proc/self/fd"))
    yield
    assert len(os.listdir("/proc/self/fd")) == before_fds, "file descriptors left open"
