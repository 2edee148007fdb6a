"""Runtime behaviour of the public ``node`` decorator (flowno_flow._decorator)."""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator

import pytest

from flowno_flow import DraftGroupNode, DraftNode, NodeDefinitionError, node
from flowno_flow import _protocols as protocols
from flowno_flow._decorator import (
    AnyOutputsDecorator,
    MultipleOutputsDecorator,
    SingleOutputDecorator,
    node_meta_multiple_dec,
    node_meta_single_dec,
)
from flowno_flow._stream import Stream


def _here() -> str:
    """``file:line`` of the caller's line."""
    frame = sys._getframe(1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def test_bare_form_on_async_function_makes_a_draft_node_class() -> None:
    @node
    async def Add(a: int, b: int) -> int:
        return a + b

    assert issubclass(Add, DraftNode)
    assert Add.__name__ == "Add"
    draft = Add(1, 2)
    assert isinstance(draft, DraftNode)
    assert repr(draft).startswith("Add#")
    spec = Add._flowno_spec
    assert [p.name for p in spec.params] == ["a", "b"]
    assert (spec.is_streaming, spec.multiple_outputs) == (False, False)


def test_bare_form_on_async_generator_makes_a_streaming_node() -> None:
    @node
    async def Letters(word: str) -> AsyncIterator[str]:
        for ch in word:
            yield ch

    assert Letters._flowno_spec.is_streaming is True


def test_stream_in_option_marks_the_named_parameter() -> None:
    @node(stream_in=["parts"])
    async def Join(sep: str, parts: Stream[str]) -> str:
        return sep.join([p async for p in parts])

    assert [p.stream_in for p in Join._flowno_spec.params] == [False, True]


def test_multiple_outputs_option() -> None:
    @node(multiple_outputs=True)
    async def DivMod(a: int, b: int) -> tuple[int, int]:
        return a // b, a % b

    spec = DivMod._flowno_spec
    assert spec.multiple_outputs is True
    assert spec.output_count == 2


def test_class_form_makes_a_draft_node_class() -> None:
    @node
    class Tally:
        seen = 0

        async def call(self, step: int = 1) -> int:
            self.seen += step
            return self.seen

    assert issubclass(Tally, DraftNode)
    assert isinstance(Tally(2), DraftNode)


@pytest.mark.parametrize(
    ("options", "expected_type", "multiple"),
    [
        ({}, SingleOutputDecorator, False),
        ({"multiple_outputs": None}, SingleOutputDecorator, False),
        ({"multiple_outputs": False}, SingleOutputDecorator, False),
        ({"multiple_outputs": True}, MultipleOutputsDecorator, True),
    ],
)
def test_parenthesised_form_returns_a_decorator_object(
    options: dict[str, bool | None], expected_type: type, multiple: bool
) -> None:
    decorator = node(**options)  # type: ignore[call-overload]
    assert type(decorator) is expected_type
    assert isinstance(decorator, AnyOutputsDecorator)

    async def F(a: int) -> tuple[int]:
        return (a,)

    assert decorator(F)._flowno_spec.multiple_outputs is multiple


def test_stream_in_names_are_kept_as_a_tuple() -> None:
    assert node(stream_in=["a", "b"]).stream_in == ("a", "b")


def test_seed_compatible_decorator_names() -> None:
    assert node_meta_single_dec is SingleOutputDecorator
    assert node_meta_multiple_dec is MultipleOutputsDecorator


def test_plain_function_is_rejected_with_the_decoration_site() -> None:
    def plain(a: int) -> int:
        return a

    with pytest.raises(NodeDefinitionError) as caught:
        where = _here(); node(plain)  # fmt: skip  # noqa: E702
    assert isinstance(caught.value, TypeError)
    assert "plain" in str(caught.value)
    assert where in str(caught.value)


def test_decoration_site_of_the_parenthesised_form_is_where_it_is_applied() -> None:
    def plain() -> None:
        return None

    decorator = node(stream_in=[])
    with pytest.raises(NodeDefinitionError) as caught:
        where = _here(); decorator(plain)  # fmt: skip  # noqa: E702
    assert where in str(caught.value)


def test_unknown_stream_in_name_is_rejected() -> None:
    async def F(a: int) -> int:
        return a

    with pytest.raises(NodeDefinitionError, match="nope"):
        node(stream_in=["nope"])(F)


def test_stream_in_given_as_a_bare_string_is_rejected() -> None:
    async def F(a: Stream[int]) -> int:
        return 0

    with pytest.raises(NodeDefinitionError):
        node(stream_in="a")(F)  # type: ignore[call-overload]


def test_template_form_makes_a_group_class() -> None:
    @node.template
    def Pair(view: object, x: int) -> int:
        return x

    assert isinstance(Pair, type)
    assert issubclass(Pair, DraftGroupNode)
    assert Pair.__name__ == "Pair"


def test_template_rejects_async_functions() -> None:
    async def Bad(view: object) -> None:
        return None

    with pytest.raises(NodeDefinitionError):
        node.template(Bad)


ARITIES = range(7)


@pytest.mark.parametrize("n", ARITIES)
def test_typing_classes_exist_at_runtime_with_one_parameter_per_input_plus_output(n: int) -> None:
    for family in ("MonoNode", "StreamingNode", "StreamingTupleNode"):
        cls = getattr(protocols, f"{family}{n}")
        assert issubclass(cls, DraftNode)
        assert len(cls.__parameters__) == n + 1
        assert cls[(int,) * (n + 1)].__origin__ is cls


def test_every_typed_node_class_is_exported_and_documented() -> None:
    for name in protocols.__all__:
        obj = getattr(protocols, name)
        assert inspect.getdoc(obj), name
