"""Shared test configuration for flowno-eventloop."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest


# --- EL-beyond: enable pytester for the pytest-plugin tests (test_el_x_plugin.py) ---
def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def no_leaks() -> Iterator[None]:
    """Fail the test if it leaves a thread running or a file descriptor open."""
    before_threads = set(threading.enumerate())
    before_fds = len(os.listdir("/proc/self/fd"))
    yield
    leaked = [t for t in threading.enumerate() if t not in before_threads]
    assert leaked == [], f"threads left behind: {leaked}"
    assert len(os.listdir("/proc/self/fd")) == before_fds, "file descriptors left open"
