"""Every bad input while building a flow gets a specific, clear error.

Each test asserts the exception type (and the builtin it subclasses for old ``except``
clauses), the node name, the port/argument and the file:line of the offending test line.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from flowno_flow import (
    ConnectionTypeError,
    FlowHDL,
    FlowHDLView,
    FlowNotFinalizedError,
    GraphBuildError,
    NodeArgumentError,
    NodeDefinitionError,
    NodeReuseError,
    NotANodeError,
    OutputPortError,
    PortAlreadyConnectedError,
    ReservedNameError,
    StreamWiringError,
    TemplateContextError,
    UnconnectedInputError,
    UndefinedReferenceError,
)
from flowno_flow._decorator import node
from flowno_flow._run_errors import MissingDefaultError
from flowno_flow._stream import Stream

FILE = __file__


def here(offset: int = 0) -> str:
    """``"this_file:line"`` of the caller's line (plus ``offset`` lines)."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return f"{FILE}:{frame.f_back.f_lineno + offset}"


@node
async def Pair(a: int, b: int) -> int:
    return a + b


@node
async def Source() -> int:
    return 1


@node
async def Text() -> str:
    return "t"


@node
async def Words() -> AsyncGenerator[str, None]:
    yield "w"


@node(multiple_outputs=True)
async def Two(x: int) -> tuple[int, str]:
    return x, str(x)


@node(stream_in=["s"])
async def Consume(s: Stream[int]) -> int:
    return 0


# -- decoration ------------------------------------------------------------------------------


def test_plain_function_is_rejected_at_decoration() -> None:
    def plain(x: int) -> int:
        return x

    with pytest.raises(NodeDefinitionError) as info:
        at = here(1)
        node(plain)
    assert isinstance(info.value, TypeError)
    assert "plain" in str(info.value) and "not an async function" in str(info.value)
    assert at in str(info.value)


def test_sync_generator_is_rejected() -> None:
    def gen() -> Any:
        yield 1

    with pytest.raises(NodeDefinitionError, match="sync generator") as info:
        at = here(1)
        node(gen)
    assert "gen" in str(info.value) and at in str(info.value)


def test_non_callable_is_rejected() -> None:
    at = here(2)
    with pytest.raises(NodeDefinitionError, match="5 .*not a function or class") as info:
        node(5)  # type: ignore[call-overload]
    assert at in str(info.value)


def test_class_without_call_is_attribute_error() -> None:
    class NoCall:
        pass

    with pytest.raises(AttributeError, match="NoCall") as info:
        at = here(1)
        node(NoCall)
    assert isinstance(info.value, NodeDefinitionError)
    assert "`call`" in str(info.value) and at in str(info.value)


def test_class_call_without_self_is_value_error() -> None:
    class Odd:
        async def call(this, x: int) -> int:  # noqa: N805
            return x

    at = here(2)
    with pytest.raises(ValueError, match="first parameter must be 'self', got 'this'") as info:
        node(Odd)
    assert isinstance(info.value, NodeDefinitionError) and "Odd.call" in str(info.value)
    assert at in str(info.value)


def test_class_with_sync_call_is_rejected() -> None:
    class Sync:
        def call(self, x: int) -> int:
            return x

    at = here(2)
    with pytest.raises(NodeDefinitionError, match="Sync.call.*not an async function") as info:
        node(Sync)
    assert at in str(info.value)


def test_stream_in_unknown_name_suggests_the_closest() -> None:
    async def Summer(values: Stream[int]) -> int:
        return 0

    with pytest.raises(
        ValueError, match=r"has no parameter 'value' \(did you mean 'values'\?\)"
    ) as info:
        at = here(1)
        node(stream_in=["value"])(Summer)
    assert isinstance(info.value, NodeDefinitionError)
    assert "Summer" in str(info.value) and at in str(info.value)


def test_stream_in_bare_string_is_rejected() -> None:
    async def Summer(values: Stream[int]) -> int:
        return 0

    at = here(2)
    with pytest.raises(NodeDefinitionError, match=r"stream_in=\['values'\]") as info:
        node(stream_in="values")(Summer)  # type: ignore[arg-type]
    assert "Summer" in str(info.value) and at in str(info.value)


def test_class_init_with_required_arguments_is_rejected() -> None:
    class NeedsArg:
        def __init__(self, size: int) -> None:
            self.size = size

        async def call(self) -> int:
            return self.size

    at = here(2)
    with pytest.raises(NodeDefinitionError, match=r"NeedsArg.__init__.*\(it has size\)") as info:
        node(NeedsArg)
    assert at in str(info.value)


# -- calling a node -----------------------------------------------------------------------------


def test_too_many_positional_arguments() -> None:
    with FlowHDL():
        with pytest.raises(NodeArgumentError) as info:
            at = here(1)
            Pair(1, 2, 3)
    assert isinstance(info.value, TypeError)
    message = str(info.value)
    assert (
        "Pair#" in message and "takes 2 positional argument(s) (a, b) but 3 were given" in message
    )
    assert at in message


def test_unknown_keyword_argument_suggests_the_closest() -> None:
    with FlowHDL():
        with pytest.raises(
            NodeArgumentError, match=r"unexpected keyword argument 'bb' \(did you mean 'b'\?\)"
        ) as info:
            at = here(1)
            Pair(1, bb=2)
    assert "Pair#" in str(info.value) and at in str(info.value)


def test_argument_given_twice() -> None:
    with FlowHDL():
        with pytest.raises(NodeArgumentError, match="multiple values for argument 'a'") as info:
            at = here(1)
            Pair(1, a=2)
    assert "Pair#" in str(info.value) and at in str(info.value)


def test_positional_only_parameter_passed_by_keyword() -> None:
    @node
    async def Pos(a: int, /) -> int:
        return a

    with FlowHDL():
        with pytest.raises(NodeArgumentError, match="'a' is positional-only") as info:
            at = here(1)
            Pos(a=1)
    assert "Pos#" in str(info.value) and at in str(info.value)


def test_too_few_arguments_reported_at_exit_with_port_and_line() -> None:
    with pytest.raises(UnconnectedInputError) as info:
        with FlowHDL() as f:
            at = here(1)
            f.p = Pair(1)
    assert isinstance(info.value, AttributeError)
    message = str(info.value)
    assert ".input(1) is not connected and has no default value" in message
    assert "parameter 'b'" in message and at in message and "Pair#" in message


def test_every_unconnected_port_is_listed() -> None:
    with pytest.raises(UnconnectedInputError) as info:
        with FlowHDL() as f:
            f.p = Pair()
    assert "parameter 'a'" in str(info.value) and "parameter 'b'" in str(info.value)


def test_unconnected_keyword_only_parameter() -> None:
    @node
    async def Kw(*, scale: int) -> int:
        return scale

    with pytest.raises(UnconnectedInputError, match="parameter 'scale'") as info:
        with FlowHDL() as f:
            at = here(1)
            f.k = Kw()
    assert "Kw#" in str(info.value) and at in str(info.value)


# -- port indices ---------------------------------------------------------------------------------


def test_output_index_beyond_single_output() -> None:
    with FlowHDL():
        at = here(1)
        src = Source()
        with pytest.raises(OutputPortError) as info:
            src.output(1)
    assert isinstance(info.value, IndexError)
    assert "has no output 1 (it has 1 output(s))" in str(info.value) and at in str(info.value)


def test_output_index_beyond_annotated_tuple() -> None:
    with FlowHDL():
        at = here(1)
        two = Two(1)
        with pytest.raises(OutputPortError, match=r"Two#\d+ .*has no output 2 \(it has 2") as info:
            two.output(2)
    assert at in str(info.value)


def test_negative_output_index() -> None:
    with FlowHDL():
        with pytest.raises(OutputPortError, match="has no output -1"):
            Source().output(-1)


def test_output_index_through_forward_reference_checked_at_exit() -> None:
    with pytest.raises(OutputPortError) as info:
        with FlowHDL() as f:
            at = here(1)
            f.p = Pair(f.src.output(3), 1)
            f.src = Source()
    message = str(info.value)
    assert "has no output 3" in message and "Source#" in message and "feeding Pair#" in message
    assert at in message


def test_input_index_out_of_range() -> None:
    with FlowHDL():
        at = here(1)
        p = Pair(1, 2)
        with pytest.raises(
            OutputPortError, match=r"Pair#\d+ .*has no input 2 \(inputs: 0=a, 1=b\)"
        ) as info:
            p.input(2)
    assert at in str(info.value)


def test_connecting_an_already_connected_port() -> None:
    with FlowHDL():
        at = here(1)
        p = Pair(1, 2)
        with pytest.raises(PortAlreadyConnectedError) as info:
            Source().output(0).connect(p.input(0))
    assert "input(0) ('a', node created at" in str(
        info.value
    ) and "already connected to Constant#" in str(info.value)
    assert at in str(info.value)


# -- names and forward references ---------------------------------------------------------------


def test_forward_reference_never_defined() -> None:
    with pytest.raises(UndefinedReferenceError) as info:
        with FlowHDL() as f:
            at = here(1)
            f.p = Pair(f.ghost, 1)
    assert isinstance(info.value, AttributeError)
    message = str(info.value)
    assert message.startswith("Node ghost is referenced, but has not been defined.")
    assert ".input(0) ('a'" in message and "non-existent node ghost" in message and at in message


def test_all_missing_names_are_listed_with_a_suggestion() -> None:
    with pytest.raises(UndefinedReferenceError) as info:
        with FlowHDL() as f:
            f.total = Pair(f.sourc, f.other)
            f.source = Source()
    message = str(info.value)
    assert "Node sourc is referenced" in message and "(did you mean 'source'?)" in message
    assert "Node other is referenced" in message


def test_forward_reference_bound_to_a_non_node() -> None:
    with pytest.raises(NotANodeError) as info:
        with FlowHDL() as f:
            at = here(1)
            f.p = Pair(f.k, 1)
            f.k = 5
    assert isinstance(info.value, AttributeError)
    message = str(info.value)
    assert message.startswith("Attribute k is not a DraftNode.") and "Pair#" in message
    assert "int: 5" in message and at in message


def test_assigning_a_keyword_name() -> None:
    with FlowHDL() as f:
        with pytest.raises(ReservedNameError) as info:
            at = here(1)
            f.run_until_complete = Source()
    assert isinstance(info.value, AttributeError)
    assert "'run_until_complete' is reserved by FlowHDL" in str(info.value) and at in str(
        info.value
    )


def test_assigning_after_the_block_exited() -> None:
    with FlowHDL() as f:
        f.s = Source()
    with pytest.raises(GraphBuildError, match="already exited"):
        f.t = 1


def test_unknown_name_after_finalization_suggests_the_closest() -> None:
    with FlowHDL() as f:
        f.source = Source()
    with pytest.raises(
        AttributeError, match=r'Attribute "sourse" not found \(did you mean \'source\'\?\)'
    ):
        f.sourse  # noqa: B018


def test_running_inside_the_block() -> None:
    with FlowHDL() as f:
        f.s = Source()
        with pytest.raises(FlowNotFinalizedError, match="has not exited yet"):
            f.run_until_complete()


def test_reentering_a_finished_block() -> None:
    f = FlowHDL()
    with f:
        f.s = Source()
    with pytest.raises(GraphBuildError, match="already exited"):
        with f:
            pass


# -- reuse ---------------------------------------------------------------------------------------


def test_finalized_node_assigned_in_another_flow() -> None:
    with FlowHDL() as f:
        f.s = Source()
    with FlowHDL() as g:
        at = here(4)
        with pytest.raises(
            NodeReuseError, match=r"Source#\d+ to 'copy'.*finalized node of another flow"
        ) as info:
            g.copy = f.s
        g.ok = Source()
    assert at in str(info.value)


def test_finalized_node_passed_as_argument() -> None:
    with FlowHDL() as f:
        f.s = Source()
    with FlowHDL():
        with pytest.raises(NodeReuseError) as info:
            at = here(1)
            Pair(f.s, 1)
    assert "finalized node of another flow" in str(info.value) and "input(0) ('a'" in str(
        info.value
    )
    assert at in str(info.value)


def test_draft_kept_from_a_finished_block() -> None:
    with FlowHDL() as f:
        at = here(1)
        kept = Source()
        f.s = kept
    with FlowHDL():
        with pytest.raises(NodeReuseError) as info:
            Pair(kept, 1)
    assert "already belongs to a finalized flow" in str(info.value) and at in str(info.value)


# -- wiring checks at exit ------------------------------------------------------------------------


def test_stream_in_port_fed_by_a_mono_node() -> None:
    with pytest.raises(StreamWiringError) as info:
        with FlowHDL() as f:
            src_at = here(1)
            f.src = Source()
            at = here(1)
            f.c = Consume(f.src)
    message = str(info.value)
    assert isinstance(info.value, AttributeError)
    assert "Consume#" in message and "('s'" in message and "is a stream_in port" in message
    assert "Source#" in message and at in message and src_at in message


def test_stream_in_port_fed_by_a_constant() -> None:
    with pytest.raises(StreamWiringError, match="the constant 5 does not stream") as info:
        with FlowHDL() as f:
            at = here(1)
            f.c = Consume(5)
    assert "Consume#" in str(info.value) and "('s'" in str(info.value) and at in str(info.value)


def test_connection_type_mismatch_names_both_ends() -> None:
    with pytest.raises(ConnectionTypeError) as info:
        with FlowHDL() as f:
            text_at = here(1)
            f.t = Text()
            at = here(1)
            f.p = Pair(f.t, 1)
    assert isinstance(info.value, TypeError) and isinstance(info.value, AttributeError)
    message = str(info.value)
    assert "Text#" in message and "Pair#" in message and "('a'" in message
    assert "produces str" in message and "expects int" in message
    assert text_at in message and at in message


def test_multiple_output_port_types_are_checked_per_port() -> None:
    with pytest.raises(ConnectionTypeError, match=r"Two#\d+\.output\(1\).*produces str"):
        with FlowHDL() as f:
            f.two = Two(1)
            f.ok = Pair(f.two.output(0), 1)
            f.bad = Pair(f.two.output(1), 1)


def test_stream_item_type_is_checked() -> None:
    with pytest.raises(ConnectionTypeError, match=r"Words#\d+.*produces str") as info:
        with FlowHDL() as f:
            at = here(1)
            f.c = Consume(f.w)
            f.w = Words()
    assert "Consume#" in str(info.value) and "expects Stream[int]" in str(info.value)
    assert at in str(info.value)


def test_cycle_without_defaults_is_reported_before_anything_runs() -> None:
    ran: list[str] = []

    @node
    async def Ping(x: int, label: str = "p") -> int:
        ran.append("ping")
        return x

    @node
    class Pong:
        async def call(self, y: int, z: int = 0) -> int:
            return y

    with FlowHDL() as f:
        ping_at = here(1)
        f.ping = Ping(f.pong)
        f.pong = Pong(f.ping)
    with pytest.raises(MissingDefaultError) as info:
        f.run_until_complete()
    assert ran == []
    lines = str(info.value).splitlines()
    assert lines[0].startswith("Detected a cycle without default values.")
    assert "OR" in lines
    text = "\n".join(lines)
    assert "Ping#" in text and "Pong#" in text and ping_at in text
    signature = lines.index("  async def Ping(x: int, label: str = p)")
    assert lines[signature + 1] == " " * len("  async def Ping(") + "------"
    call = next(i for i, line in enumerate(lines) if "async def call(self, y: int" in line)
    assert lines[call + 1] == " " * len("      async def call(self, ") + "------"


def test_self_loop_without_default_gives_one_block() -> None:
    @node
    async def Ident(x: int) -> int:
        return x

    with FlowHDL() as f:
        f.x = Ident(f.x)
    with pytest.raises(MissingDefaultError) as info:
        f.run_until_complete()
    assert "OR" not in str(info.value).splitlines() and "Ident#" in str(info.value)


# -- templates ------------------------------------------------------------------------------------


@node.template
def Doubled(g: FlowHDLView, x: int) -> Any:
    return Pair(x, x)


def test_template_outside_a_flow() -> None:
    with pytest.raises(TemplateContextError) as info:
        at = here(1)
        Doubled(1)
    assert isinstance(info.value, RuntimeError)
    assert "template Doubled" in str(info.value) and at in str(info.value)


def test_template_with_wrong_arguments() -> None:
    with FlowHDL():
        with pytest.raises(
            NodeArgumentError, match="template Doubled called at .*: too many positional"
        ) as info:
            at = here(1)
            Doubled(1, 2)
    assert at in str(info.value)


def test_async_template_is_rejected() -> None:
    async def Bad(g: FlowHDLView) -> None:
        return None

    at = here(2)
    with pytest.raises(NodeDefinitionError, match="Bad.*plain `def`") as info:
        node.template(Bad)  # type: ignore[arg-type]
    assert at in str(info.value)


# -- misc -------------------------------------------------------------------------------------------


def test_draft_holds_no_data() -> None:
    with FlowHDL():
        with pytest.raises(NotImplementedError, match=r"Source#\d+ is a draft node"):
            Source().get_data()


def test_uncopyable_class_attribute() -> None:
    import threading

    @node
    class Locked:
        lock = threading.Lock()

        async def call(self) -> int:
            return 1

    with FlowHDL():
        with pytest.raises(
            NodeArgumentError,
            match=r"Locked#\d+ .*: class attribute .*Locked.lock cannot be copied",
        ) as info:
            at = here(1)
            Locked()
    assert at in str(info.value)


# -- type labels in messages ------------------------------------------------------------------


@node
async def Batches() -> list[Stream[int]]:
    return []


@node
async def WantsBatches(x: list[Stream[str]] | None) -> int:
    return 0


def test_connection_type_error_prints_short_type_labels() -> None:
    with pytest.raises(ConnectionTypeError) as info:
        with FlowHDL() as f:
            f.c = WantsBatches(f.b)
            f.b = Batches()
    message = str(info.value)
    assert "produces list[Stream[int]]" in message
    assert "expects list[Stream[str]] | None" in message
    assert "flowno_flow." not in message and "typing." not in message


def test_stream_consumer_type_error_has_no_module_path() -> None:
    with pytest.raises(ConnectionTypeError) as info:
        with FlowHDL() as f:
            f.c = Consume(f.w)
            f.w = Words()
    message = str(info.value)
    assert "expects Stream[int]: str is not compatible with int" in message
    assert "_stream" not in message


def test_cycle_message_prints_short_type_labels() -> None:
    @node
    async def Loop(s: Stream[int] | None, n: list[int]) -> list[int]:
        return n

    with FlowHDL() as f:
        f.loop = Loop(None, f.loop)
    with pytest.raises(MissingDefaultError) as info:
        f.run_until_complete()
    assert "async def Loop(s: Stream[int] | None, n: list[int])" in str(info.value)
    assert "flowno_flow." not in str(info.value)


# -- misuse of port references and finished blocks ----------------------------------------------


def test_connect_to_a_node_instead_of_its_input() -> None:
    with FlowHDL():
        source = Source()
        p = Pair(source, 1)
        at = here(2)
        with pytest.raises(NodeArgumentError) as info:
            source.output(0).connect(p)  # type: ignore[arg-type]
    message = str(info.value)
    assert isinstance(info.value, TypeError)
    assert "Source#" in message and ".output(0).connect()" in message
    assert "Pair#" in message and ".input(i)" in message and at in message


def test_forward_reference_connect_to_a_value() -> None:
    with FlowHDL() as f:
        at = here(2)
        with pytest.raises(NodeArgumentError, match=r"got int: 3") as info:
            f.later.output(0).connect(3)
        f.later = Source()
    assert "OutputPortRefPlaceholder(name='later', port_index=0).connect()" in str(info.value)
    assert at in str(info.value)


def test_non_integer_port_indices() -> None:
    with FlowHDL():
        created = here(1)
        p = Pair(1, 2)
        at = here(2)
        with pytest.raises(NodeArgumentError) as info:
            p.output("a")  # type: ignore[call-overload]
        with pytest.raises(NodeArgumentError, match="input port index must be an int, got float"):
            p.input(1.0)  # type: ignore[arg-type]
    message = str(info.value)
    assert "Pair#" in message and "output port index must be an int, got str 'a'" in message
    assert created in message and at in message


def test_output_of_a_name_bound_to_an_output_reference() -> None:
    at = here(3)
    with pytest.raises(NotANodeError) as info:
        with FlowHDL() as f:
            f.p = Pair(f.k.output(1), 1)
            f.k = Two(1).output(0)
    message = str(info.value)
    assert "Attribute k is the output reference Two#" in message and "output(1)" in message
    assert "Pair#" in message and "('a'" in message and at in message


def test_producer_of_another_open_block_names_the_port() -> None:
    other_context = contextvars.Context()
    first = FlowHDL()
    other_context.run(first.__enter__)
    theirs: Any = other_context.run(Source)
    at = here(3)
    with pytest.raises(NodeReuseError) as info:
        with FlowHDL() as f:
            f.p = Pair(1, theirs)
    other_context.run(first.__exit__, None, None, None)
    assert theirs._finalized is not None and theirs._finalized.consumers == []
    message = str(info.value)
    assert "belongs to another FlowHDL block" in message and "Source#" in message
    assert "Pair#" in message and "('b'" in message and at in message


def test_block_errors_name_the_call_site() -> None:
    f = FlowHDL()
    created = here(-1)
    with f:
        f.s = Source()
        running = here(2)
        with pytest.raises(FlowNotFinalizedError) as not_done:
            f.run_until_complete()
    entering = here(2)
    with pytest.raises(GraphBuildError) as entered:
        with f:
            pass
    reading = here(2)
    with pytest.raises(AttributeError) as missing:
        f.nope  # noqa: B018
    for info, at in ((not_done, running), (entered, entering), (missing, reading)):
        assert at in str(info.value) and created in str(info.value)


def test_draft_get_data_names_where_it_was_made() -> None:
    with FlowHDL():
        created = here(1)
        source = Source()
        with pytest.raises(NotImplementedError) as info:
            source.get_data()
    assert created in str(info.value)
