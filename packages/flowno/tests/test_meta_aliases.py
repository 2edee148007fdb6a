"""Every documented name of the original's module layout is the library's very own object.

One table drives everything: ALIASES lists (alias module, name, library module, library
name). EXPECTED_LATER lists the rows whose library does not provide the name yet; the lead
empties it when the libraries are complete. A row that is neither provided nor listed fails.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

EL, NET, FLOW = "flowno_eventloop", "flowno_net", "flowno_flow"

_ROWS: list[tuple[str, str, list[str]]] = [
    # (alias module, library public surface, names)
    ("flowno.core.event_loop.event_loop", EL, ["EventLoop", "current_event_loop", "current_task"]),
    ("flowno.core.event_loop.primitives", EL, ["azip", "exit", "sleep", "spawn"]),
    (
        "flowno.core.event_loop.queues",
        EL,
        ["AsyncMapQueue", "AsyncQueue", "AsyncSetQueue", "QueueClosedError"],
    ),
    (
        "flowno.core.event_loop.synchronization",
        EL,
        ["Condition", "CountdownLatch", "Event", "Lock"],
    ),
    ("flowno.core.event_loop.tasks", EL, ["TaskCancelled", "TaskHandle"]),
    (
        "flowno.core.event_loop.types",
        f"{EL}.types",
        [
            "AnyRawTask",
            "DeltaTime",
            "ObjectRawTask",
            "RawTask",
            "RawTaskPacket",
            "TaskHandlePacket",
            "Time",
        ],
    ),
    (
        "flowno.core.event_loop.commands",
        f"{EL}.commands",
        [
            "CancelCommand",
            "Command",
            "ConditionNotifyCommand",
            "ConditionWaitCommand",
            "EventSetCommand",
            "EventWaitCommand",
            "ExitCommand",
            "JoinCommand",
            "LockAcquireCommand",
            "LockReleaseCommand",
            "SleepCommand",
            "SpawnCommand",
            "StreamCancelCommand",
        ],
    ),
    (
        "flowno.core.event_loop.instrumentation",
        f"{EL}.instrumentation",
        [
            "EMPTY_INSTRUMENT",
            "EventLoopInstrument",
            "TaskSendMetadata",
            "TaskThrowMetadata",
            "get_current_instrument",
        ],
    ),
    (
        "flowno.core.event_loop",
        EL,
        ["EventLoop", "current_event_loop", "current_task", "exit", "sleep", "spawn"],
    ),
    ("flowno.utilities.logging", f"{EL}.logging_utils", ["log_async"]),
    ("flowno.aio", f"{EL}.aio", ["call", "iterate", "run", "stream"]),
    # flowno-net
    ("flowno.core.event_loop.selectors", NET, ["SocketHandle", "TLSSocketHandle", "sel"]),
    ("flowno.core.event_loop.primitives", NET, ["socket"]),
    ("flowno.core.event_loop", NET, ["socket"]),
    (
        "flowno.core.event_loop.commands",
        NET,
        ["SocketAcceptCommand", "SocketCommand", "SocketRecvCommand", "SocketSendCommand"],
    ),
    (
        "flowno.core.event_loop.instrumentation",
        NET,
        [
            "InstrumentationMetadata",
            "ReadySocketInstrumentationMetadata",
            "SocketConnectReadyMetadata",
            "SocketConnectStartMetadata",
            "SocketInstrument",
            "SocketRecvDataMetadata",
            "SocketSendDataMetadata",
            "TLSHandshakeMetadata",
        ],
    ),
    # flowno-flow
    (
        "flowno.core.node_base",
        FLOW,
        [
            "Constant",
            "DraftInputPortRef",
            "DraftNode",
            "DraftOutputPortRef",
            "FinalizedInputPortRef",
            "FinalizedNode",
            "FinalizedOutputPortRef",
            "MissingDefaultError",
            "NodePlaceholder",
            "OutputPortRefPlaceholder",
            "Stream",
            "StreamCancelled",
            "SuperNode",
        ],
    ),
    (
        "flowno.core.flow.flow",
        FLOW,
        [
            "Flow",
            "NodeTaskAndStatus",
            "NodeTaskStatus",
            "TerminateLimitReached",
            "current_context",
            "current_flow",
            "current_node",
        ],
    ),
    ("flowno.core.flow", FLOW, ["Flow", "TerminateLimitReached"]),
    (
        "flowno.core.flow.instrumentation",
        FLOW,
        [
            "FlowInstrument",
            "LogInstrument",
            "MinimalInstrument",
            "NO_OP_INSTRUMENT",
            "PrintInstrument",
            "get_current_flow_instrument",
        ],
    ),
    ("flowno.core.flow_hdl", FLOW, ["FlowHDL"]),
    ("flowno.core.flow_hdl_view", FLOW, ["FlowHDLView"]),
    ("flowno.core.group_node", FLOW, ["DraftGroupNode"]),
    (
        "flowno.core.types",
        FLOW,
        ["DataGeneration", "Generation", "InputPortIndex", "OutputPortIndex", "RunLevel"],
    ),
    (
        "flowno.core.mono_node",
        FLOW,
        [
            "MonoNode0",
            "MonoNode0_0",
            "MonoNode0_1",
            "MonoNode1",
            "MonoNode2",
            "MonoNode3",
            "MonoNode4",
            "MonoNode5",
            "MonoNode6",
        ],
    ),
    (
        "flowno.core.streaming_node",
        FLOW,
        [
            "StreamingNode0",
            "StreamingNode1",
            "StreamingNode2",
            "StreamingNode3",
            "StreamingNode4",
            "StreamingNode5",
            "StreamingNode6",
            "StreamingTupleNode0",
            "StreamingTupleNode1",
            "StreamingTupleNode2",
            "StreamingTupleNode3",
            "StreamingTupleNode4",
            "StreamingTupleNode5",
            "StreamingTupleNode6",
        ],
    ),
    ("flowno.decorators", FLOW, ["node"]),
    ("flowno.decorators.node", FLOW, ["node"]),
    (
        "flowno.utilities.helpers",
        FLOW,
        [
            "clip_generation",
            "cmp_generation",
            "inc_generation",
            "main_generation",
            "parent_generation",
            "stitched_generation",
        ],
    ),
    # the top-level names of the original's `flowno` package
    (
        "flowno",
        EL,
        [
            "AsyncQueue",
            "Condition",
            "Event",
            "EventLoop",
            "Lock",
            "TagFilter",
            "azip",
            "current_event_loop",
            "exit",
            "sleep",
            "spawn",
        ],
    ),
    ("flowno", NET, ["SocketHandle", "socket"]),
    (
        "flowno",
        FLOW,
        [
            "DraftGroupNode",
            "DraftNode",
            "Flow",
            "FlowHDL",
            "FlowHDLView",
            "Stream",
            "StreamCancelled",
            "TerminateLimitReached",
            "current_context",
            "current_flow",
            "current_node",
            "node",
        ],
    ),
    # Awaiting work that runs elsewhere (beyond the original).
    ("flowno", EL, ["ExecutorLike", "FutureLike", "run_in_executor", "wait_future"]),
    # per-node policies of the flow engine
    ("flowno", FLOW, ["NodeCall", "NodePolicy", "NodeTimeoutError", "Retry", "Timeout"]),
]

# (alias module, name, library module, library name), one row per documented alias.
ALIASES: list[tuple[str, str, str, str]] = [
    (alias, name, library, name) for alias, library, names in _ROWS for name in names
]

# Rows whose library does not provide the name yet (same tuples as ALIASES).
EXPECTED_LATER: list[tuple[str, str, str, str]] = []

# Exact `__all__` of the modules whose `__all__` the original documents.
EXACT_ALL = {
    "flowno.core.event_loop": [
        "EventLoop",
        "current_event_loop",
        "current_task",
        "exit",
        "sleep",
        "socket",
        "spawn",
    ],
    "flowno.core.event_loop.selectors": ["SocketHandle", "TLSSocketHandle", "sel"],
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def _row_id(row: tuple[str, str, str, str]) -> str:
    return f"{row[0]}.{row[1]}"


@pytest.mark.parametrize("row", [r for r in ALIASES if r not in EXPECTED_LATER], ids=_row_id)
def test_alias_is_the_library_object(row: tuple[str, str, str, str]) -> None:
    alias, name, library, library_name = row
    original = getattr(_module(library), library_name)
    assert getattr(_module(alias), name) is original


def test_expected_later_rows_are_really_still_missing() -> None:
    """Fails as soon as a library provides such a name: then alias it and drop the row."""
    provided = [
        f"{library}.{library_name} (alias it in {alias})"
        for alias, _, library, library_name in EXPECTED_LATER
        if hasattr(_module(library), library_name)
    ]
    assert provided == []


def test_expected_later_rows_are_real_rows() -> None:
    assert [row for row in EXPECTED_LATER if row not in ALIASES] == []


@pytest.mark.parametrize("module", sorted({row[0] for row in ALIASES}))
def test_every_public_name_of_an_alias_module_is_in_all(module: str) -> None:
    exported = set(_module(module).__all__)
    for name in exported:
        assert hasattr(_module(module), name), f"{module}.__all__ names missing {name}"
    provided = {r[1] for r in ALIASES if r[0] == module and r not in EXPECTED_LATER}
    assert provided <= exported


@pytest.mark.parametrize(("module", "names"), sorted(EXACT_ALL.items()))
def test_documented_all_is_exact(module: str, names: list[str]) -> None:
    later = {r[1] for r in EXPECTED_LATER if r[0] == module}
    assert sorted(_module(module).__all__) == sorted(set(names) - later)


def test_original_top_level_names_are_all_exported() -> None:
    import flowno

    original = {r[1] for r in ALIASES if r[0] == "flowno"}
    later = {r[1] for r in EXPECTED_LATER if r[0] == "flowno"}
    assert original - later <= set(flowno.__all__)


def test_decorators_node_attribute_is_the_decorator_and_the_submodule_imports() -> None:
    import flowno.decorators
    from flowno.decorators.node import node as from_submodule

    assert flowno.decorators.node is from_submodule
