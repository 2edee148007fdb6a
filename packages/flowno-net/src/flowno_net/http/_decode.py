# Rules of this module: sans-IO, incremental decoders of a response body: the content codings
# (gzip, deflate, identity) and text lines. Each is fed chunks split anywhere and flushed once
# at the end. Bad compressed data raises DecodingError.
"""Incremental body decoders: gzip / deflate and lines."""

from __future__ import annotations

import codecs
import zlib

from ._errors import DecodingError


class ContentDecoder:
    """Undo a ``Content-Encoding`` (``gzip``, ``deflate``, ``identity``) chunk by chunk.

    ``deflate`` is accepted both zlib-wrapped (what the standard says) and raw (what some
    servers send).

    Args:
        encoding: the ``Content-Encoding`` header value ("" for none).

    Raises:
        DecodingError: an encoding this client does not support.

    >>> import gzip
    >>> packed = gzip.compress(b"hello " * 3)
    >>> d = ContentDecoder("gzip")
    >>> d.decode(packed[:7]) + d.decode(packed[7:]) + d.flush()
    b'hello hello hello '
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        self._zlib: zlib._Decompress | None = None  # pyright: ignore[reportPrivateUsage]
        self._first = True
        if self.encoding == "gzip":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.encoding not in ("", "identity"):
            raise DecodingError(f"unsupported Content-Encoding {encoding!r}")

    def decode(self, data: bytes) -> bytes:
        """Decode the next chunk.

        Args:
            data: the next bytes of the body as sent.

        Returns:
            The decoded bytes available so far.

        >>> ContentDecoder("identity").decode(b"x")
        b'x'
        """
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data)
        except zlib.error as exc:
            if self.encoding == "deflate" and self._first:  # raw deflate, no zlib header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self.decode(data)
            raise DecodingError(f"invalid {self.encoding} data in the response body") from exc
        self._first = False
        return out

    def flush(self) -> bytes:
        """The last decoded bytes at the end of the body.

        >>> ContentDecoder("").flush()
        b''
        """
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error as exc:
            raise DecodingError(f"truncated {self.encoding} data in the response body") from exc


class LineDecoder:
    """Split text into lines at ``\\n``, ``\\r\\n`` and ``\\r`` (also split across chunks).

    Lines are returned without their terminator.

    Args:
        encoding: the text encoding of the bytes.

    >>> d = LineDecoder("utf-8")
    >>> d.decode(b"a\\r"), d.decode(b"\\nb\\xc3"), d.decode(b"\\xa9\\nc"), d.flush()
    (['a'], [], ['b\\xe9'], ['c'])
    """

    def __init__(self, encoding: str = "utf-8") -> None:
        self._text = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = ""
        self._skip_lf = False

    def decode(self, data: bytes) -> list[str]:
        """Decode the next chunk.

        Args:
            data: the next bytes.

        Returns:
            The lines completed by this chunk.

        >>> LineDecoder().decode(b"x\\ny")
        ['x']
        """
        text = self._text.decode(data)
        if self._skip_lf:
            self._skip_lf = False
            if text[:1] == "\n":
                text = text[1:]
        if "\r" in text:
            self._skip_lf = text[-1:] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self._pending:
            text = self._pending + text
        lines = text.split("\n")
        self._pending = lines.pop()
        return lines

    def flush(self) -> list[str]:
        """The last, unterminated line (if any) at the end of the text.

        >>> LineDecoder().flush()
        []
        """
        rest = self._pending + self._text.decode(b"", final=True)
        self._pending = ""
        return [rest] if rest else []
