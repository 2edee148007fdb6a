"""SSEDecoder: a corpus fed whole and in every two-piece split, and random streams in random
chunks (Hypothesis) always decode to the same events."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowno_net.http import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.finish()


def E(data: str, event: str = "message", id: str = "", retry: int | None = None) -> ServerSentEvent:  # noqa: A002, N802
    return ServerSentEvent(event, data, id, retry)


CORPUS: list[tuple[bytes, list[ServerSentEvent]]] = [
    (b"data: hello\n\n", [E("hello")]),
    (b"data: a\r\n\r\ndata: b\r\rdata: c\n\n", [E("a"), E("b"), E("c")]),
    (b"data:no space\ndata:  two spaces\n\n", [E("no space\n two spaces")]),
    (b": comment\n:\ndata: x\n\n", [E("x")]),
    (b"event: add\ndata: 1\n\ndata: 2\n\n", [E("1", "add"), E("2")]),
    (b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n", [E("a", id="7"), E("b", id="7"), E("c")]),
    (b"id: a\0b\ndata: x\n\n", [E("x")]),
    (b"retry: 1500\ndata: x\n\nretry: 1x\ndata: y\n\n", [E("x", retry=1500), E("y")]),
    (b"data\ndata\n\n", [E("\n")]),
    (b"data: \n\n", [E("")]),
    (b"event: lonely\n\ndata: after\n\n", [E("after")]),
    (b"\xef\xbb\xbfdata: bom\n\n", [E("bom")]),
    (b"data: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n\n", [E("caf\u00e9 \u20ac \U0001f600")]),
    ("data: a\u2028b\u0085c\x0cd\n\n".encode(), [E("a\u2028b\u0085c\x0cd")]),
    (b"data: bad \xff byte\n\n", [E("bad \ufffd byte")]),
    (b"data: trailing cr\r\r", [E("trailing cr")]),
    (b"data: unterminated\n", []),
    (b"data: unterminated", []),
    (b"unknown: field\ndata: x\nDATA: ignored\n\n", [E("x")]),
    (b"data: x\n\n\n\n", [E("x")]),
]


@pytest.mark.parametrize(("stream", "expected"), CORPUS)
def test_corpus_whole_and_split_at_every_position(
    stream: bytes, expected: list[ServerSentEvent]
) -> None:
    assert decode(stream) == expected
    for cut in range(len(stream) + 1):
        assert decode(stream[:cut], stream[cut:]) == expected, cut
    assert decode(*(stream[i : i + 1] for i in range(len(stream)))) == expected


def test_a_bom_only_at_the_start_is_dropped() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata: x\n\n") == [E("x")]
    assert decode(b"data: \xef\xbb\xbfx\n\n") == [E("\ufeffx")]


def test_last_event_id_and_retry_persist_on_the_decoder() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 42\nretry: 3000\ndata: x\n\ndata: y\n\n")
    assert (decoder.last_event_id, decoder.retry) == ("42", 3000)


def test_json_data() -> None:
    assert decode(b'data: {"token": "hi"}\n\n')[0].json() == {"token": "hi"}


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12
)
_FIELDS = st.lists(
    st.one_of(
        st.tuples(st.just("data"), _TEXT),
        st.tuples(st.just("event"), _TEXT.filter(bool)),
        st.tuples(st.just("id"), _TEXT.filter(lambda t: "\0" not in t)),
        st.tuples(st.just("retry"), st.integers(0, 10**6).map(str)),
        st.tuples(st.just(""), _TEXT),  # a comment
    ),
    max_size=5,
)


def _serialise(
    blocks: list[list[tuple[str, str]]], eol: str
) -> tuple[bytes, list[ServerSentEvent]]:
    """The stream text of ``blocks`` and the events a conforming decoder must produce."""
    out: list[str] = []
    expected: list[ServerSentEvent] = []
    last_id = ""
    for fields in blocks:
        data: list[str] = []
        event, retry = "", None
        for name, value in fields:
            out.append(f"{name}: {value}{eol}")
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id":
                last_id = value
            elif name == "retry":
                retry = int(value)
        out.append(eol)
        if data:
            expected.append(ServerSentEvent(event or "message", "\n".join(data), last_id, retry))
    return "".join(out).encode(), expected


@settings(max_examples=300, deadline=None)
@given(
    blocks=st.lists(_FIELDS, max_size=6),
    eol=st.sampled_from(["\n", "\r", "\r\n"]),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_random_streams_in_random_chunks_decode_to_their_events(
    blocks: list[list[tuple[str, str]]], eol: str, cuts: list[int]
) -> None:
    stream, expected = _serialise(blocks, eol)
    points = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    chunks = [stream[a:b] for a, b in zip(points, points[1:], strict=False)]
    assert decode(stream) == expected
    assert decode(*chunks) == expected
