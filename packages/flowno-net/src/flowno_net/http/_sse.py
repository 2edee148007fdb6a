# Rules of this module: sans-IO, no imports of the loop or sockets. The decoder follows the
# WHATWG "event stream interpretation" algorithm:
# - lines end with CRLF, LF or CR, also when a CRLF pair is split across two chunks; only those
#   three end a line (never str.splitlines, which also splits on U+2028 and friends);
# - bytes are split into lines before decoding, so a UTF-8 character split across chunks is
#   never broken (no line terminator byte occurs inside a multi-byte UTF-8 sequence); a leading
#   UTF-8 BOM is dropped, invalid bytes decode to U+FFFD;
# - an empty line dispatches the event, unless no data line came (then it only resets); the
#   event type resets after each dispatch, the last event id persists; an unterminated event at
#   the end of the stream is discarded.
"""ServerSentEvent and SSEDecoder: the text/event-stream format, without I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ServerSentEvent:
    """One event of a ``text/event-stream``.

    Attributes:
        event: the event type (``"message"`` when the stream gave none).
        data: the data lines, joined with ``"\\n"``.
        id: the last event id seen on the stream (it persists across events).
        retry: the reconnection time in milliseconds this event's block set, else ``None``.

    >>> ServerSentEvent(data='{"a": 1}').json()
    {'a': 1}
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        """Parse :attr:`data` as JSON.

        Returns:
            The decoded JSON value.

        Raises:
            json.JSONDecodeError: the data is not JSON.

        >>> ServerSentEvent(data="[1, 2]").json()
        [1, 2]
        """
        return json.loads(self.data)


class SSEDecoder:
    """Turn the bytes of a ``text/event-stream`` into :class:`ServerSentEvent` objects.

    Feed it chunks as they arrive, split anywhere; call :meth:`finish` at the end of the
    stream. ``last_event_id`` and ``retry`` (the last reconnection time, in milliseconds) are
    what a client needs to reconnect.

    >>> decoder = SSEDecoder()
    >>> decoder.feed(b"event: greet\\r\\ndata: hel")
    []
    >>> decoder.feed(b"lo\\r\\ndata: world\\r\\n\\r\\n: a comment\\n")
    [ServerSentEvent(event='greet', data='hello\\nworld', id='', retry=None)]
    >>> decoder.finish()
    []
    """

    def __init__(self) -> None:
        self._pending = b""
        self._skip_lf = False
        self._started = False
        self._data: list[bytes] = []
        self._event = b""
        self._event_retry: int | None = None
        self.last_event_id: str = ""
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode the next chunk of the stream.

        Args:
            chunk: the next bytes, split anywhere (inside a line, a CRLF or a character).

        Returns:
            The events completed by this chunk, in order (often none).

        >>> SSEDecoder().feed(b"data: 1\\r\\rdata: 2\\n\\n")
        [ServerSentEvent(event='message', data='1', id='', retry=None), ServerSentEvent(event='message', data='2', id='', retry=None)]
        """
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk[-1:] == b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        data = self._pending + chunk if self._pending else chunk
        if not self._started:
            if len(data) < len(_BOM) and _BOM.startswith(data):
                self._pending = data  # maybe the start of a BOM: wait for more
                return []
            self._started = True
            if data.startswith(_BOM):
                data = data[len(_BOM) :]
        lines = data.split(b"\n")
        self._pending = lines.pop()
        events: list[ServerSentEvent] = []
        for line in lines:
            if line:
                self._field(line)
            elif self._data:
                events.append(self._dispatch())
            else:
                self._event, self._event_retry = b"", None
        return events

    def finish(self) -> list[ServerSentEvent]:
        """End the stream: an event without its final empty line is discarded, and the
        decoder is ready for a new stream (``last_event_id`` and ``retry`` are kept).

        Returns:
            The events the end of the stream completes: always none for a well-formed stream
            (kept as a list so callers treat ``feed`` and ``finish`` alike).

        >>> decoder = SSEDecoder()
        >>> decoder.feed(b"id: 7\\ndata: cut off"), decoder.finish(), decoder.last_event_id
        ([], [], '7')
        """
        self._pending = b""
        self._skip_lf = self._started = False
        self._data, self._event, self._event_retry = [], b"", None
        return []

    def _field(self, line: bytes) -> None:
        colon = line.find(b":")
        if colon == 0:
            return  # a comment
        if colon < 0:
            name, value = line, b""
        else:
            name, value = line[:colon], line[colon + 1 :]
            if value[:1] == b" ":
                value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value
        elif name == b"id":
            if b"\0" not in value:
                self.last_event_id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():  # bytes.isdigit: ASCII digits only
            self.retry = self._event_retry = int(value)

    def _dispatch(self) -> ServerSentEvent:
        data = b"\n".join(self._data).decode("utf-8", "replace")
        event = self._event.decode("utf-8", "replace") if self._event else "message"
        retry = self._event_retry
        self._data, self._event, self._event_retry = [], b"", None
        return ServerSentEvent(event, data, self.last_event_id, retry)
