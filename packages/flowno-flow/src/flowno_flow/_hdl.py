# Rules: FlowHDL = FlowHDLView + one engine Flow. The Flow is created when the outermost
# block exits and every finalized node is registered with Flow.add_node in registration
# order. A FlowHDL opened inside another context is a view of the outer flow (nested
# blocks): it shares the outer Flow once the outer block exits.
# pyright: reportPrivateUsage=false
"""FlowHDL: build a flow in a ``with`` block, then run it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ._build_errors import FlowNotFinalizedError
from ._callsite import user_callsite
from ._draft import DraftNode, is_finalized_node
from ._flow import Flow
from ._hdl_view import AnyFinalized, FlowHDLView
from ._render import GraphPicture, picture_of, to_dot, to_mermaid
from ._run_errors import MissingDefaultError

if TYPE_CHECKING:
    from flowno_eventloop import EventLoop, TaskHandle

__all__ = ["FlowHDL"]

_R = TypeVar("_R")


class FlowHDL(FlowHDLView):
    """Context manager that builds a dataflow graph and runs it.

    Inside the ``with`` block assign draft nodes to attributes and refer to nodes that are
    defined later; when the block exits, references are resolved, the graph is checked and
    the nodes are finalized. Names starting with ``_`` are ordinary attributes.

    Example:
        >>> from flowno_flow import node
        >>> @node
        ... async def Add(a: int, b: int) -> int:
        ...     return a + b
        >>> with FlowHDL() as f:
        ...     f.total = Add(f.x, 2)
        ...     f.x = Add(1, 1)
        >>> f.total.input_ports[0].connected, f.total.input_ports[1].connected.node.value
        (Add#1.output(0), 2)
    """

    KEYWORDS: ClassVar[list[str]] = [
        "KEYWORDS",
        "run_until_complete",
        "create_task",
        "register_child_result",
        "to_mermaid",
        "to_dot",
        "run_async",
    ]

    def __init__(self) -> None:
        super().__init__(None)
        self._flow: Flow | None = None

    def _finalize_root(self) -> None:
        self._flow = Flow()
        super()._finalize_root()
        labels = {
            value: f"f.{name}" for name, value in self._nodes.items() if is_finalized_node(value)
        }
        self._flow.label_nodes(labels)
        self._flow.prepare_wiring()

    def _on_finalized(self, nodes: list[AnyFinalized]) -> None:
        flow = self._require_flow("register the finalized nodes")
        for node in nodes:
            flow.add_node(node)

    def _adopt_root(self, root: FlowHDLView) -> None:
        flow = getattr(root, "_flow", None)
        if flow is not None:
            self._flow = flow
        self._cycle_problem = root._cycle_problem

    def _require_flow(self, action: str) -> Flow:
        if self._flow is None:
            raise FlowNotFinalizedError(
                f"cannot {action} at {user_callsite()}: the FlowHDL block (created at "
                f"{self._created_at}) has not exited yet"
            )
        return self._flow

    def run_until_complete(
        self,
        stop_at_node_generation: Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None = (),
        terminate_on_node_error: bool = True,
        _debug_max_wait_time: float | None = None,
        context_factory: Callable[[Any], Any] | None = None,
        event_loop: EventLoop | None = None,
    ) -> None:
        """Run the flow until no node can run any more (or a limit/error/``exit()`` stops it).

        Args:
            stop_at_node_generation: A generation limit for every node, or a mapping from
                nodes (finalized or the drafts made in the block) to their limits.
            terminate_on_node_error: Stop the whole run at the first node error.
            _debug_max_wait_time: Bound on each event-loop wait (debugging).
            context_factory: Called as ``factory(node)`` by ``current_context()``.
            event_loop: The loop to run on (for example ``EventLoop(clock=MockClock())``);
                default: the flow's own loop.

        Raises:
            FlowNotFinalizedError: the ``with`` block has not exited.
            MissingDefaultError: a cycle has no member whose in-cycle inputs all have
                defaults (found when the block exited; raised before any node runs).
            TypeError: ``stop_at_node_generation`` is not one of its accepted forms.
            ValueError: a generation limit has a negative number.
        """
        flow = self._prepare("run the flow")
        flow.run_until_complete(
            stop_at_node_generation=_finalized_keys(stop_at_node_generation),
            terminate_on_node_error=terminate_on_node_error,
            _debug_max_wait_time=_debug_max_wait_time,
            context_factory=context_factory,
            event_loop=event_loop,
        )

    async def run_async(
        self,
        stop_at_node_generation: Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None = (),
        terminate_on_node_error: bool = True,
        context_factory: Callable[[Any], Any] | None = None,
    ) -> None:
        """Run the flow on the event loop that awaits this (a coroutine ``run_until_complete``).

        Inside a ``@pytest.mark.flowno`` test the flow runs on the test's loop, so the
        ``mock_clock`` fixture drives the nodes' sleeps, retries and timeouts.

        Args:
            stop_at_node_generation: As for ``run_until_complete``.
            terminate_on_node_error: As for ``run_until_complete``.
            context_factory: Called as ``factory(node)`` by ``current_context()``.

        Raises:
            FlowNotFinalizedError: the ``with`` block has not exited.
            MissingDefaultError: a cycle has no member whose in-cycle inputs all have
                defaults.

        Example:
            >>> from flowno_eventloop import EventLoop, MockClock, sleep
            >>> from flowno_flow import node
            >>> @node
            ... async def Slow(x: int) -> int:
            ...     await sleep(3600)
            ...     return x * 2
            >>> with FlowHDL() as f:
            ...     f.slow = Slow(21)
            >>> clock = MockClock()
            >>> EventLoop(clock=clock).run_until_complete(f.run_async(), join=True)
            >>> f.slow.get_data(), clock.now()
            ((42,), 3600.0)
        """
        flow = self._prepare("run the flow")
        await flow.run_async(
            stop_at_node_generation=_finalized_keys(stop_at_node_generation),
            terminate_on_node_error=terminate_on_node_error,
            context_factory=context_factory,
        )

    def _prepare(self, action: str) -> Flow:
        flow = self._require_flow(action)
        if self._cycle_problem is not None:
            raise MissingDefaultError(self._cycle_problem)
        return flow

    def create_task(self, raw_task: Coroutine[Any, Any, _R]) -> TaskHandle[_R]:
        """Schedule an extra coroutine on the flow's event loop (it starts with the run).

        Args:
            raw_task: The coroutine.

        Returns:
            Its task handle.
        """
        return self._require_flow("create a task").create_task(raw_task)

    def to_mermaid(self) -> str:
        """A Mermaid flowchart of the finalized graph.

        Returns:
            Mermaid source text.
        """
        return to_mermaid(self._picture())

    def to_dot(self) -> str:
        """A Graphviz (dot) picture of the finalized graph.

        Returns:
            Dot source text.
        """
        return to_dot(self._picture())

    def _picture(self) -> GraphPicture:
        self._require_flow("draw the flow")
        return picture_of(self._all_finalized(), names=self._nodes)

    def _all_finalized(self) -> list[AnyFinalized]:
        return [draft._finalized for draft in self._drafts if draft._finalized is not None]


def _finalized_keys(
    limits: Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None,
) -> Mapping[Any, tuple[int, ...] | None] | tuple[int, ...] | None:
    if not isinstance(limits, Mapping):
        return limits
    return {
        (
            key._finalized if isinstance(key, DraftNode) and key._finalized is not None else key
        ): value
        for key, value in limits.items()
    }
