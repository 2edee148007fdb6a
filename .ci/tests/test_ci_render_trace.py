"""docs/tools/render_trace.py: Chrome trace JSON of a real flow run -> a Perfetto-like SVG."""

from __future__ import annotations

import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flowno import FlowHDL, Stream, node
from flowno_flow import ChromeTraceInstrument

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "tools" / "render_trace.py"
SVG = "{http://www.w3.org/2000/svg}"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_trace", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


rt = _load()


def _classes(svg: str, kind: str) -> list[list[str]]:
    root = ET.fromstring(svg)
    return [
        el.get("class", "").split()
        for el in root.iter()
        if el.get("class", "").split()[:1] == [kind]
    ]


def _traced_run() -> dict[str, Any]:
    @node
    async def Letters() -> AsyncIterator[str]:
        for letter in "abc":
            yield letter

    @node(stream_in=["letters"])
    async def Join(letters: Stream[str]) -> str:
        return "".join([x async for x in letters])

    with FlowHDL() as f:
        f.letters = Letters()
        f.join = Join(f.letters)
    with ChromeTraceInstrument() as trace:
        f.run_until_complete()
    assert f.join.get_data() == ("abc",)
    result: dict[str, Any] = json.loads(trace.to_json())
    return result


def test_a_real_trace_renders_a_lane_per_node_and_a_marker_per_item() -> None:
    trace = rt.parse_trace(_traced_run())
    assert [t.name for t in trace.tracks] == ["f.letters (Letters#0)", "f.join (Join#0)"]
    svg = rt.render_svg(trace, title="run")
    lanes = [el.text for el in ET.fromstring(svg).iter(f"{SVG}text") if el.get("class") == "lane"]
    assert lanes == ["f.letters (Letters#0)", "f.join (Join#0)"]
    assert len(_classes(svg, "instant")) == 3  # one per streamed letter
    node_slices = [c for c in _classes(svg, "slice") if c[1] == "node"]
    assert len(node_slices) == 2
    assert all(c[1] in ("node", "wait") for c in _classes(svg, "slice"))


def test_nested_slices_go_one_row_down_and_touching_ones_do_not() -> None:
    def x(name: str, ts: float, dur: float, cat: str = "node") -> dict[str, Any]:
        return {"ph": "X", "name": name, "cat": cat, "pid": 1, "tid": 1, "ts": ts, "dur": dur}

    events = [x("run", 0, 100), x("stalled", 10, 20, "wait"), x("run", 100, 50)]
    trace = rt.parse_trace({"traceEvents": events})
    assert [(s.name, s.start, s.depth) for s in trace.slices] == [
        ("run", 0.0, 0),
        ("stalled", 10.0, 1),
        ("run", 100.0, 0),
    ]
    assert _classes(rt.render_svg(trace), "slice") == [
        ["slice", "node"],
        ["slice", "node"],
        ["slice", "wait"],
    ]


def test_begin_end_pairs_become_slices_and_an_unmatched_end_is_an_error() -> None:
    events = [
        {"ph": "B", "name": "work", "pid": 1, "tid": 2, "ts": 5, "args": {"generation": "(1,)"}},
        {"ph": "E", "pid": 1, "tid": 2, "ts": 25},
    ]
    (work,) = rt.parse_trace(events).slices
    assert (work.name, work.start, work.dur, work.args["generation"]) == ("work", 5.0, 20.0, "(1,)")
    with pytest.raises(ValueError, match="no open 'B'"):
        rt.parse_trace(events[1:])
    with pytest.raises(ValueError, match="not a Chrome trace"):
        rt.parse_trace({"events": []})


def test_labels_shrink_to_the_generation_or_vanish_when_the_slice_is_narrow() -> None:
    events = [
        {
            "ph": "X",
            "name": "Wide#0",
            "cat": "node",
            "pid": 1,
            "tid": 1,
            "ts": 0,
            "dur": 900,
            "args": {"generation": "(4,)"},
        },
        {
            "ph": "X",
            "name": "Narrow#0",
            "cat": "node",
            "pid": 1,
            "tid": 2,
            "ts": 900,
            "dur": 80,
            "args": {"generation": "(4,)"},
        },
        {"ph": "X", "name": "Tiny#0", "cat": "node", "pid": 1, "tid": 3, "ts": 990, "dur": 1},
    ]
    root = ET.fromstring(rt.render_svg(rt.parse_trace(events), width=600))
    labels = [el.text for el in root.iter(f"{SVG}text") if el.get("class") == "label"]
    assert labels == ["Wide#0 · gen 4", "gen 4"]


def test_the_command_line_writes_the_svg_and_rejects_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "run.json"
    source.write_text(json.dumps(_traced_run()), encoding="utf-8")
    assert rt.main([str(source)]) == 0
    assert ET.parse(tmp_path / "run.svg").getroot().tag == f"{SVG}svg"
    assert "wrote" in capsys.readouterr().out
    source.write_text("{", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        rt.main([str(source), "-o", str(tmp_path / "bad.svg")])
    assert exit_info.value.code == 2
    assert not (tmp_path / "bad.svg").exists()
