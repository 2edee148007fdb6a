"""Table-driven tests of the runtime connection checker (flowno_flow._typecheck)."""

# ruff: noqa: UP007, UP045 - Optional[...] and Union[...] are among the forms under test

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Generic, Literal, NewType, Optional, TypeVar, Union

import pytest

from flowno_flow._stream import Stream
from flowno_flow._typecheck import (
    connection_mismatch,
    port_output_type,
    resolved_annotations,
    type_label,
)

T = TypeVar("T")
Number = TypeVar("Number", bound=float)
IntOrStr = TypeVar("IntOrStr", int, str)
UserId = NewType("UserId", int)
EMPTY = inspect.Parameter.empty


class Animal: ...


class Dog(Animal): ...


class Box(Generic[T]): ...


class FakeStream(Generic[T]):
    """Shaped like flowno's Stream: an async iterator over T."""

    def __aiter__(self) -> FakeStream[T]:
        return self

    async def __anext__(self) -> T:
        raise StopAsyncIteration


@typing.runtime_checkable
class HasLen(typing.Protocol):
    def __len__(self) -> int: ...


COMPATIBLE: list[tuple[object, object]] = [
    (int, int),
    (Dog, Animal),
    (bool, int),
    (int, float),
    (int, complex),
    (float, complex),
    (EMPTY, int),
    (int, EMPTY),
    (Any, str),
    (str, Any),
    (str, object),
    (object, str),
    (int, T),
    (int, Number),
    (str, IntOrStr),
    (int, Optional[int]),
    (type(None), Optional[int]),
    (None, Optional[int]),
    (int, Union[str, int]),
    (Union[int, bool], int),
    (int | None, str | int | None),
    (list[int], list[int]),
    (list[int], Sequence[int]),
    (list[int], list[float]),
    (list[int], list),
    (list, list[str]),
    (dict[str, int], Mapping[str, float]),
    (dict[str, int], Iterable[str]),
    (tuple[int, str], tuple[int, str]),
    (tuple[int, int], tuple[int, ...]),
    (tuple[int, ...], tuple[float, ...]),
    (Box[int], Box[int]),
    (Literal["a", "b"], str),
    (Literal["a"], Literal["a", "b"]),
    (str, Literal["a"]),
    (Annotated[int, "meta"], int),
    (UserId, int),
    ("Unresolved", int),
    (int, "Unresolved"),
    (Callable[[int], str], Callable[[str], int]),
    (list[int], HasLen),
    (type[Dog], type[Animal]),
    (typing.NoReturn, int),
]

MISMATCHED: list[tuple[object, object, str]] = [
    (int, str, "int is not compatible with str"),
    (Animal, Dog, "Animal is not compatible with Dog"),
    (float, int, "float is not compatible with int"),
    (str, Optional[int], "str is not compatible with int | None"),
    (Optional[int], int, "int | None is not compatible with int"),
    (None, int, "None is not compatible with int"),
    (Union[int, str], int, "int | str is not compatible with int"),
    (list[int], list[str], "list[int] is not compatible with list[str]"),
    (list[int], dict[int, int], "list[int] is not compatible with dict[int, int]"),
    (list[int], Iterable[str], "list[int] is not compatible with Iterable[str]"),
    (tuple[int, str], tuple[int, ...], "tuple[int, str] is not compatible with tuple[int, ...]"),
    (tuple[int, str], tuple[str, str], "tuple[int, str] is not compatible with tuple[str, str]"),
    (Box[int], Box[str], "Box[int] is not compatible with Box[str]"),
    (
        Literal["a", "c"],
        Literal["a", "b"],
        "Literal['a', 'c'] is not compatible with Literal['a', 'b']",
    ),
    (int, Literal["a"], "int is not compatible with Literal['a']"),
    (str, Number, "str is not compatible with ~Number"),
    (float, IntOrStr, "float is not compatible with ~IntOrStr"),
    (type[Animal], type[Dog], "type[Animal] is not compatible with type[Dog]"),
    (str, UserId, "str is not compatible with UserId"),
]


@pytest.mark.parametrize(("producer", "consumer"), COMPATIBLE)
def test_compatible(producer: object, consumer: object) -> None:
    assert connection_mismatch(producer, consumer) is None


@pytest.mark.parametrize(("producer", "consumer", "reason"), MISMATCHED)
def test_mismatch_reason(producer: object, consumer: object, reason: str) -> None:
    assert connection_mismatch(producer, consumer) == reason


STREAM_PORTS: list[tuple[object, object, bool]] = [
    (int, FakeStream[int], True),
    (bool, FakeStream[int], True),
    (str, FakeStream[int], False),
    (int, Optional[FakeStream[int]], True),
    (str, Optional[FakeStream[int]], False),
    (str, FakeStream, True),
    (str, AsyncIterator[str], True),
    (str, EMPTY, True),
    (list[int], FakeStream[list[str]], False),
]


@pytest.mark.parametrize(("chunk", "consumer", "ok"), STREAM_PORTS)
def test_stream_in_port_compares_item_type(chunk: object, consumer: object, ok: bool) -> None:
    assert (connection_mismatch(chunk, consumer, stream_in=True) is None) is ok


def test_foreign_async_iterable_without_stream_in_compares_the_whole_type() -> None:
    assert connection_mismatch(int, FakeStream[int]) == "int is not compatible with FakeStream[int]"


FLOWNO_STREAM_PORTS: list[tuple[object, object, bool]] = [
    (int, Stream[int], True),
    (int, Optional[Stream[int]], True),
    (int, Stream, True),
    (str, Stream[int], False),
    (str, Union[Stream[int], None], False),
    (list[str], Stream[list[int]], False),
]


@pytest.mark.parametrize(("chunk", "consumer", "ok"), FLOWNO_STREAM_PORTS)
def test_flowno_stream_annotation_is_unwrapped_without_flag(
    chunk: object, consumer: object, ok: bool
) -> None:
    assert (connection_mismatch(chunk, consumer) is None) is ok


PORT_TYPES: list[tuple[object, int, bool, bool, object]] = [
    (int, 0, False, False, int),
    (tuple[int, str], 0, False, False, tuple[int, str]),
    (tuple[int, str], 0, False, True, int),
    (tuple[int, str], 1, False, True, str),
    (tuple[int, str], 5, False, True, Any),
    (tuple[int, ...], 3, False, True, int),
    (int, 0, False, True, Any),
    (AsyncIterator[str], 0, True, False, str),
    (AsyncGenerator[bytes, None], 0, True, False, bytes),
    (AsyncGenerator[tuple[int, str], None], 1, True, True, str),
    (AsyncIterator, 0, True, False, Any),
    (int, 0, True, False, Any),
    (EMPTY, 0, False, False, Any),
    (None, 0, False, False, type(None)),
]


@pytest.mark.parametrize(("annotation", "port", "streaming", "multi", "expected"), PORT_TYPES)
def test_port_output_type(
    annotation: object, port: int, streaming: bool, multi: bool, expected: object
) -> None:
    got = port_output_type(annotation, port, is_streaming=streaming, multiple_outputs=multi)
    assert got == expected


def test_resolved_annotations_handles_future_annotations_and_unknown_names() -> None:
    namespace: dict[str, Any] = {}
    source = (
        "from __future__ import annotations\n"
        "class Local: ...\n"
        "def f(a: Local, b: list[int], c: Nowhere) -> Local | None: ...\n"
    )
    exec(compile(source, "<test>", "exec"), namespace)
    hints = resolved_annotations(namespace["f"])
    local = namespace["Local"]
    assert hints["a"] is local
    assert hints["b"] == list[int]
    assert hints["c"] == "Nowhere"
    assert hints["return"] == Optional[local]


def test_resolved_annotations_of_unannotated_function_is_empty() -> None:
    def f(a, b=1):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        return a

    assert resolved_annotations(f) == {}


@pytest.mark.parametrize(
    ("annotation", "label"),
    [
        (int, "int"),
        (EMPTY, "<unannotated>"),
        (None, "None"),
        (Dog, "Dog"),
        (Sequence[int], "Sequence[int]"),
    ],
)
def test_type_label(annotation: object, label: str) -> None:
    assert type_label(annotation) == label


# --- the checker as FlowHDL uses it at the block's exit -------------------------------------


def test_flowhdl_exit_reports_the_mismatch_found_by_the_checker() -> None:

    from flowno_flow import ConnectionTypeError, FlowHDL, node

    @node
    async def Letters(word: str) -> AsyncIterator[str]:
        yield word

    @node(stream_in=["codes"])
    async def Total(codes: Stream[int]) -> int:
        return 0

    @node
    async def Shout(text: str) -> str:
        return text

    with pytest.raises(ConnectionTypeError, match="str is not compatible with int"):
        with FlowHDL() as f:
            f.total = Total(Letters("abc"))
    with FlowHDL() as ok:
        ok.shout = Shout(Letters("abc"))
    assert ok.shout.input_ports[0].connected is not None
