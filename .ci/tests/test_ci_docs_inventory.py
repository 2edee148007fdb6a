"""The API-reference completeness check: which names are missing, and from which page."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import check_docs_inventory as check  # from .ci/, see conftest.py
import pytest

CI_DIR = Path(__file__).resolve().parent.parent


HIDDEN = re.compile(r"^MonoNode\d$")


class Thing:
    pass


SHARED = Thing()  # one object exported by two libraries


def _exports() -> dict[str, dict[str, object]]:
    node, flow = Thing(), Thing()
    return {
        "flowno_eventloop": {"EventLoop": Thing(), "BusyResourceError": SHARED},
        "flowno_net": {"socket": Thing(), "BusyResourceError": SHARED},
        "flowno_flow": {"node": node, "Flow": flow, "MonoNode1": Thing()},
        "flowno": {"node": node, "Flow": flow, "BusyResourceError": SHARED},
    }


def test_a_complete_reference_has_nothing_missing() -> None:
    documented = {
        "flowno_eventloop.EventLoop",
        "flowno_eventloop.BusyResourceError",
        "flowno_net.socket",
        "flowno_flow.node",
        "flowno_flow.Flow",
    }
    assert check.missing_by_page(_exports(), documented, HIDDEN) == {}


def test_missing_names_are_reported_on_their_home_page() -> None:
    documented = {"flowno_eventloop.EventLoop", "flowno_net.socket", "flowno_flow.Flow"}
    assert check.missing_by_page(_exports(), documented, HIDDEN) == {
        "docs/api/flowno-eventloop.rst": ["flowno_eventloop.BusyResourceError"],
        "docs/api/flowno-flow.rst": ["flowno_flow.node"],
    }


def test_a_name_documented_only_under_a_second_home_does_not_count() -> None:
    documented = {
        "flowno_eventloop.EventLoop",
        "flowno_net.BusyResourceError",  # documented at the wrong home
        "flowno_net.socket",
        "flowno_flow.node",
        "flowno_flow.Flow",
    }
    missing = check.missing_by_page(_exports(), documented, HIDDEN)
    assert missing == {"docs/api/flowno-eventloop.rst": ["flowno_eventloop.BusyResourceError"]}


def _inventory(lines: list[str]) -> bytes:
    header = (
        b"# Sphinx inventory version 2\n# Project: Flowno\n# Version: \n"
        b"# The remainder of this file is compressed using zlib.\n"
    )
    return header + zlib.compress("\n".join(lines).encode() + b"\n")


def test_inventory_names_reads_python_objects_only() -> None:
    data = _inventory(
        [
            "flowno_flow.node py:decorator 1 api/flowno-flow.html#$ -",
            "flowno_flow.Flow.run_until_complete py:method 1 api/flowno-flow.html#$ -",
            "guide/errors std:doc -1 guide/errors.html Errors and what they mean",
        ]
    )
    assert check.inventory_names(data) == {
        "flowno_flow.node",
        "flowno_flow.Flow.run_until_complete",
    }


def test_a_file_that_is_not_an_inventory_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Sphinx version 2 inventory"):
        check.inventory_names(b"<html></html>\n\n\n\n")
