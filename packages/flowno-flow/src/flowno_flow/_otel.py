# Rules: an ordinary FlowInstrument that reports a run to OpenTelemetry. opentelemetry-api is
# imported only when an instrument is created (the `otel` extra), never by `import flowno_flow`.
# Spans are started and ended explicitly with a parent context; no span is ever made the
# current one (attaching a context in one task and detaching it in another after a `yield`
# is the "Failed to detach context" trap). Every span started is ended, whatever happens.
"""OpenTelemetryInstrument: one span per node evaluation under one span per run."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flowno_eventloop import TaskCancelled

from ._instrumentation import FlowInstrument
from ._stream import StreamCancelled

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from ._finalized import AnyFinalizedNode
    from ._flow import Flow
    from ._hdl_view import FlowHDLView

__all__ = ["OpenTelemetryInstrument"]

INSTRUMENTATION_NAME = "flowno_flow"


def _import_trace() -> Any:
    try:
        from opentelemetry import trace
    except ImportError as exc:
        raise ImportError(
            "OpenTelemetryInstrument needs opentelemetry-api: "
            "pip install 'flowno-flow[otel]' (the `otel` extra)"
        ) from exc
    return trace


class OpenTelemetryInstrument(FlowInstrument):
    """Reports a flow run as OpenTelemetry spans (needs the ``otel`` extra).

    A run is one span (``flowno.run``); each node evaluation is a child span named after
    the node (``Count#0``) with the attributes ``flowno.node.name``,
    ``flowno.node.attribute`` (the name the node was assigned to in the ``FlowHDL`` block,
    when ``hdl`` is given), ``flowno.node.generation`` and ``flowno.node.generation_before``
    (absent on the first evaluation); the run span has ``flowno.flow``.
    A streaming node's items are counted (``flowno.stream.items``) and recorded as
    ``stream item`` events only for the first ``first_item_events`` items and then every
    ``item_event_every``-th, so a long stream does not make one event per token. An error
    is recorded on the span of the evaluation that raised it (exception event, status
    ERROR). Spans are never made current, so nothing is attached across a streaming
    node's ``yield``, and a consumer that stops a stream early still ends every span.

    Args:
        tracer_provider: Where spans go (default: the global provider).
        hdl: The ``FlowHDL`` whose attribute names label the spans.
        first_item_events: Stream items recorded as events before sampling starts.
        item_event_every: After those, one event every this many items (0: none).

    Raises:
        ImportError: opentelemetry-api is not installed (install ``flowno-flow[otel]``).
        ValueError: ``first_item_events`` or ``item_event_every`` is negative.

    Example:
        >>> from opentelemetry.sdk.trace import TracerProvider
        >>> from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        >>> from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
        ...     InMemorySpanExporter)
        >>> from flowno_flow import FlowHDL, node
        >>> exporter = InMemorySpanExporter()
        >>> provider = TracerProvider()
        >>> provider.add_span_processor(SimpleSpanProcessor(exporter))
        >>> @node
        ... async def Two() -> int:
        ...     return 2
        >>> with FlowHDL() as f:
        ...     f.two = Two()
        >>> with OpenTelemetryInstrument(provider, hdl=f):
        ...     f.run_until_complete()
        >>> [(s.name, s.attributes["flowno.node.attribute"]) for s in exporter.get_finished_spans()
        ...  if s.name != "flowno.run"]
        [('Two#0', 'two')]
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        *,
        hdl: FlowHDLView | None = None,
        first_item_events: int = 10,
        item_event_every: int = 1000,
    ) -> None:
        if first_item_events < 0:
            raise ValueError(f"first_item_events must be >= 0, got {first_item_events}")
        if item_event_every < 0:
            raise ValueError(f"item_event_every must be >= 0, got {item_event_every}")
        self._trace = _import_trace()
        self._tracer: Tracer = self._trace.get_tracer(
            INSTRUMENTATION_NAME, tracer_provider=tracer_provider
        )
        self._hdl = hdl
        self._first_item_events = first_item_events
        self._item_event_every = item_event_every
        self._runs: dict[int, Span] = {}
        self._evaluations: dict[Any, Span] = {}
        self._items: dict[Any, int] = {}
        self._names: dict[int, str] = {}

    @property
    def open_spans(self) -> int:
        """How many spans are started and not yet ended (0 between runs)."""
        return len(self._runs) + len(self._evaluations)

    # --- the run --------------------------------------------------------------------
    def on_flow_start(self, flow: Flow) -> None:
        self._runs[id(flow)] = self._tracer.start_span(
            "flowno.run", attributes={"flowno.flow": repr(flow)}
        )
        if self._hdl is not None:  # the attribute names, read once per run
            names: Mapping[str, object] = getattr(self._hdl, "_nodes", {})
            self._names = {id(value): name for name, value in reversed(list(names.items()))}

    def on_flow_end(self, flow: Flow) -> None:
        span = self._runs.pop(id(flow), None)
        if span is not None:
            span.end()

    # --- one evaluation -------------------------------------------------------------
    @contextmanager
    def node_lifecycle(
        self, flow: Flow, node: AnyFinalizedNode, run_level: int
    ) -> Generator[None, None, None]:
        if run_level != 0:  # a generator step: its items are events of the evaluation span
            yield
            return
        span = self._start_evaluation(flow, node)
        try:
            yield
        except (TaskCancelled, StreamCancelled, GeneratorExit) as stop:  # not a failure
            span.set_attribute("flowno.node.cancelled", type(stop).__name__)
            raise
        except BaseException as error:
            self._record_error(span, error)
            raise
        finally:
            self._end_evaluation(node, span)

    def _start_evaluation(self, flow: Flow, node: AnyFinalizedNode) -> Span:
        parent = self._runs.get(id(flow))
        context = None if parent is None else self._trace.set_span_in_context(parent)
        attributes: dict[str, str] = {"flowno.node.name": repr(node)}
        if node.generation is not None:  # None before the first evaluation
            attributes["flowno.node.generation_before"] = str(node.generation)
        attribute = self._attribute_name(node)
        if attribute is not None:
            attributes["flowno.node.attribute"] = attribute
        span = self._tracer.start_span(repr(node), context=context, attributes=attributes)
        self._evaluations[node] = span
        self._items[node] = 0
        return span

    def _end_evaluation(self, node: AnyFinalizedNode, span: Span) -> None:
        self._evaluations.pop(node, None)
        items = self._items.pop(node, 0)
        span.set_attribute("flowno.node.generation", str(node.generation))
        if items:
            span.set_attribute("flowno.stream.items", items)
        span.end()

    def _record_error(self, span: Span, error: BaseException) -> None:
        span.record_exception(error)
        span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, repr(error)))

    def _attribute_name(self, node: AnyFinalizedNode) -> str | None:
        return self._names.get(id(node))

    # --- stream items and errors outside an evaluation ------------------------------
    def on_node_emitted_data(
        self, flow: Flow, node: AnyFinalizedNode, data: tuple[object, ...] | None, run_level: int
    ) -> None:
        span = self._evaluations.get(node)
        if run_level < 1 or span is None:
            return
        count = self._items[node] = self._items.get(node, 0) + 1
        every = self._item_event_every
        if count <= self._first_item_events or (every and count % every == 0):
            span.add_event("stream item", {"flowno.stream.item": count})

    def on_node_error(self, flow: Flow, node: AnyFinalizedNode, error: BaseException) -> None:
        run = self._runs.get(id(flow))  # the evaluation's own span recorded the exception
        if run is not None:
            run.add_event(
                "node error",
                {"flowno.node.name": repr(node), "exception.type": type(error).__name__},
            )
