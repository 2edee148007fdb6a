"""OpenTelemetryInstrument, checked with the OpenTelemetry SDK's in-memory exporter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from flowno_flow import (
    FlowHDL,
    OpenTelemetryInstrument,
    Stream,
    StreamCancelled,
    TerminateLimitReached,
    node,
)


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    yield InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def _spans(exporter: InMemorySpanExporter) -> dict[str, list[ReadableSpan]]:
    """Finished spans by name, the instance number dropped (``Words#3`` -> ``Words``)."""
    by_name: dict[str, list[ReadableSpan]] = {}
    for span in exporter.get_finished_spans():
        by_name.setdefault(span.name.split("#")[0], []).append(span)
    return by_name


@node
async def Count(previous: int = 0) -> int:
    return previous + 1


@node
async def Words(n: int) -> Any:
    for i in range(n):
        yield f"w{i} "


def test_one_span_per_evaluation_under_the_run_span(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    with FlowHDL() as f:
        f.count = Count(f.count)
    inst = OpenTelemetryInstrument(provider, hdl=f)
    with inst, pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={f.count: (2,)})
    spans = _spans(exporter)
    (run,) = spans["flowno.run"]
    evaluations = spans["Count"]
    assert len(evaluations) == 3  # generations (0,), (1,), (2,)
    assert run.context is not None
    for span in evaluations:
        assert span.parent is not None and span.parent.span_id == run.context.span_id
        assert span.attributes is not None
        assert str(span.attributes["flowno.node.name"]).startswith("Count#")
        assert span.attributes["flowno.node.attribute"] == "count"
    generations = [s.attributes["flowno.node.generation"] for s in evaluations if s.attributes]
    assert generations == ["(0,)", "(1,)", "(2,)"]
    before = [
        s.attributes.get("flowno.node.generation_before") for s in evaluations if s.attributes
    ]
    assert before == [None, "(0,)", "(1,)"]
    assert run.attributes is not None
    assert str(run.attributes["flowno.flow"]).startswith("<Flow")
    assert inst.open_spans == 0


def test_without_the_hdl_there_is_no_attribute_name(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    with FlowHDL() as f:
        f.words = Words(2)
    with OpenTelemetryInstrument(provider):
        f.run_until_complete()
    (span,) = _spans(exporter)["Words"]
    assert span.attributes is not None
    assert "flowno.node.attribute" not in span.attributes


def test_stream_items_are_counted_and_sampled(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    with FlowHDL() as f:
        f.words = Words(2500)
    inst = OpenTelemetryInstrument(provider, hdl=f, first_item_events=3, item_event_every=1000)
    with inst:
        f.run_until_complete()
    (span,) = _spans(exporter)["Words"]
    assert span.attributes is not None
    assert span.attributes["flowno.stream.items"] == 2500
    items = [e.attributes["flowno.stream.item"] for e in span.events if e.attributes]
    assert items == [1, 2, 3, 1000, 2000]
    assert inst.open_spans == 0


def test_an_error_is_recorded_on_its_evaluation_span(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    @node
    async def Fails(x: int) -> int:
        raise ValueError(f"bad {x}")

    with FlowHDL() as f:
        f.fails = Fails(3)
    inst = OpenTelemetryInstrument(provider, hdl=f)
    with inst, pytest.raises(ValueError, match="bad 3"):
        f.run_until_complete()
    spans = _spans(exporter)
    (span,) = spans["Fails"]
    assert span.status.status_code is StatusCode.ERROR
    (event,) = [e for e in span.events if e.name == "exception"]
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "bad 3"
    (run,) = spans["flowno.run"]
    assert [e.name for e in run.events] == ["node error"]
    assert inst.open_spans == 0


def test_a_consumer_that_stops_a_stream_early_ends_every_span(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    closed: list[str] = []

    @node
    async def Endless() -> Any:
        i = 0
        try:
            while True:
                yield f"t{i}"
                i += 1
        except StreamCancelled:
            closed.append("cancelled")

    @node(stream_in=["tokens"])
    async def FirstThree(tokens: Stream[str]) -> str:
        got: list[str] = []
        async for token in tokens:
            got.append(token)
            if len(got) == 3:
                await tokens.cancel()
                break
        return "".join(got)

    with FlowHDL() as f:
        f.tokens = Endless()
        f.first = FirstThree(f.tokens)
    inst = OpenTelemetryInstrument(provider, hdl=f)
    with inst:
        f.run_until_complete()
    assert f.first.get_data() == ("t0t1t2",)
    assert closed == ["cancelled"]
    spans = _spans(exporter)
    (producer,) = spans["Endless"]
    (consumer,) = spans["FirstThree"]
    assert producer.end_time is not None and consumer.end_time is not None
    assert producer.attributes is not None
    assert int(str(producer.attributes["flowno.stream.items"])) >= 3
    assert producer.status.status_code is not StatusCode.ERROR
    assert consumer.status.status_code is not StatusCode.ERROR
    assert inst.open_spans == 0


def test_no_span_is_made_current_so_no_context_is_detached(
    provider: TracerProvider, exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    from opentelemetry import trace

    seen: list[bool] = []

    @node
    async def Peek() -> Any:
        for _ in range(3):
            seen.append(trace.get_current_span().get_span_context().is_valid)
            yield 1

    with FlowHDL() as f:
        f.peek = Peek()
    with OpenTelemetryInstrument(provider):
        f.run_until_complete()
    assert seen == [False, False, False]
    assert "Failed to detach context" not in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_item_events": -1}, "first_item_events must be >= 0, got -1"),
        ({"item_event_every": -5}, "item_event_every must be >= 0, got -5"),
    ],
)
def test_bad_sampling_arguments_are_named(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpenTelemetryInstrument(**kwargs)


def test_import_flowno_flow_does_not_import_opentelemetry_and_the_error_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None  # as if opentelemetry-api were not installed\n"
        "import flowno_flow\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry.')]\n"
        "try:\n"
        "    flowno_flow.OpenTelemetryInstrument()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'flowno-flow[otel]'" in result.stdout
