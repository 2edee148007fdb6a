"""Fixtures shared by the flowno-flow tests."""

from __future__ import annotations

import pytest

import flowno_flow._flow as flow_module
from flowno_eventloop import EventLoop, MockClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> MockClock:
    """Every Flow created in the test runs on one virtual clock."""
    mock = MockClock()
    monkeypatch.setattr(flow_module, "EventLoop", lambda: EventLoop(clock=mock))
    return mock
