"""Shared test configuration for flowno-eventloop."""

from __future__ import annotations

import pytest


# --- enable pytester for the pytest-plugin tests (test_el_x_plugin.py) ---
def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
