# Rules: an ordinary FlowInstrument that records Chrome trace events (the JSON
# format Perfetto and chrome://tracing open): one track per node, one slice per
# evaluation (name, generation), an instant per stream item, a slice for each
# wait in the queue and each stall. Nothing here changes how the flow runs.
"""ChromeTraceInstrument: export a flow run as Chrome trace-event JSON (Perfetto)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from ._instrumentation import FlowInstrument

if TYPE_CHECKING:
    from ._finalized import AnyFinalizedNode, FinalizedInputPortRef
    from ._flow import Flow
    from ._status import AnyStatus

__all__ = ["ChromeTraceInstrument"]


class ChromeTraceInstrument(FlowInstrument):
    """Records a run as Chrome trace events; ``write(path)`` saves the JSON.

    Each node gets its own track (``tid``), named after its FlowHDL attribute when it has
    one (``f.total (Total#0)``); every evaluation is a complete slice named after the node
    with its generation in ``args``; streamed items
    are instant events; time spent queued (resumed but not yet running) and
    stalled (waiting for a stream item) are slices of category ``wait``.

    Args:
        clock: Seconds as a float (default ``time.perf_counter``); pass the
            loop's clock for virtual time.

    Example:
        >>> from flowno_flow import FlowHDL, node
        >>> @node
        ... async def Two() -> int:
        ...     return 2
        >>> with FlowHDL() as f:
        ...     f.two = Two()
        >>> with ChromeTraceInstrument() as trace:
        ...     f.run_until_complete()
        >>> [e["name"] for e in trace.events if e["ph"] == "X" and e["cat"] == "node"]
        ['Two#0']
        >>> [e["args"]["name"] for e in trace.events if e["name"] == "thread_name"]
        ['f.two (Two#0)']
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self.events: list[dict[str, Any]] = []
        self._tracks: dict[Any, int] = {}
        self._since: dict[tuple[Any, str], float] = {}

    def _us(self) -> float:
        return self._clock() * 1e6

    def _tid(self, flow: Flow, node: AnyFinalizedNode) -> int:
        tid = self._tracks.get(node)
        if tid is None:
            tid = self._tracks[node] = len(self._tracks) + 1
            self.events.append(
                {
                    "ph": "M",
                    "name": "thread_name",
                    "pid": 1,
                    "tid": tid,
                    "args": {"name": _track_name(flow, node)},
                }
            )
        return tid

    def _slice(
        self,
        flow: Flow,
        node: AnyFinalizedNode,
        name: str,
        cat: str,
        start: float,
        args: dict[str, Any],
    ) -> None:
        self.events.append(
            {
                "ph": "X",
                "name": name,
                "cat": cat,
                "pid": 1,
                "tid": self._tid(flow, node),
                "ts": start,
                "dur": max(self._us() - start, 0.0),
                "args": args,
            }
        )

    @contextmanager
    def node_lifecycle(
        self, flow: Flow, node: AnyFinalizedNode, run_level: int
    ) -> Generator[None, None, None]:
        if run_level != 0:
            yield
            return
        queued = self._since.pop((node, "queued"), None)
        if queued is not None:
            self._slice(flow, node, "queued", "wait", queued, {})
        start = self._us()
        before = node.generation
        try:
            yield
        finally:
            self._slice(
                flow,
                node,
                repr(node),
                "node",
                start,
                {"generation before": str(before), "generation": str(node.generation)},
            )

    def on_node_resumed(self, flow: Flow, node: AnyFinalizedNode, run_level: int) -> None:
        self._since[(node, "queued")] = self._us()

    def on_node_stalled(
        self, flow: Flow, node: AnyFinalizedNode, stalled_input: FinalizedInputPortRef[Any]
    ) -> None:
        self._since[(node, "stalled")] = self._us()

    def on_node_status_change(
        self, flow: Flow, node: AnyFinalizedNode, old: AnyStatus, new: AnyStatus
    ) -> None:
        start = self._since.pop((node, "stalled"), None)
        if start is not None and type(new).__name__ != "Stalled":
            self._slice(
                flow,
                node,
                "stalled",
                "wait",
                start,
                {"input": repr(getattr(old, "stalling_input", ""))},
            )

    def on_node_emitted_data(
        self, flow: Flow, node: AnyFinalizedNode, data: tuple[object, ...] | None, run_level: int
    ) -> None:
        if run_level >= 1:
            self.events.append(
                {
                    "ph": "i",
                    "s": "t",
                    "name": "item",
                    "cat": "stream",
                    "pid": 1,
                    "tid": self._tid(flow, node),
                    "ts": self._us(),
                    "args": {"generation": str(node.generation)},
                }
            )

    def on_node_error(self, flow: Flow, node: AnyFinalizedNode, error: BaseException) -> None:
        self.events.append(
            {
                "ph": "i",
                "s": "t",
                "name": f"error: {type(error).__name__}",
                "cat": "error",
                "pid": 1,
                "tid": self._tid(flow, node),
                "ts": self._us(),
                "args": {"message": str(error)},
            }
        )

    def to_json(self) -> str:
        """The trace as a JSON string (``{"traceEvents": [...]}``)."""
        return json.dumps({"traceEvents": self.events, "displayTimeUnit": "ms"})

    def write(self, target: str | IO[str]) -> None:
        """Write the JSON trace to a path or an open text file.

        Args:
            target: A file path or a writable text stream.
        """
        if isinstance(target, str):
            with open(target, "w", encoding="utf-8") as out:
                out.write(self.to_json())
        else:
            target.write(self.to_json())


def _track_name(flow: Flow, node: AnyFinalizedNode) -> str:
    """``f.total (Total#0)`` for a node with a FlowHDL attribute, else ``Total#0``."""
    plain = repr(node)
    run = flow.node_tasks.get(node)
    label = plain if run is None else run.label
    return plain if label == plain else f"{label} ({plain})"
