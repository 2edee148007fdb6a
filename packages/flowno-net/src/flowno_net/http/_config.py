# Rules of this module: plain configuration values of the HTTP client (timeouts, retries,
# headers), no I/O. Every bad value raises at construction, naming the argument.
"""Timeout, Retries and Headers."""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import cast


class _Unset(enum.Enum):
    """Marks a Timeout argument that was not given (it takes the default)."""

    UNSET = "unset"


_UNSET = _Unset.UNSET


def _seconds(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"Timeout: {name} must be a number of seconds or None, got {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"Timeout: {name} must be >= 0 seconds, got {value!r}")
    return float(value)


class Timeout:
    """Deadlines of a request, in seconds on the loop's clock (``None``: no deadline).

    ``connect`` covers the TCP connection, a proxy tunnel and the TLS handshake; ``read`` is
    the longest wait for the next bytes of the response (per chunk, so a long stream that
    keeps sending never times out); ``write`` covers sending the request. Those not given
    default to ``timeout``.

    Args:
        timeout: the default of the three.
        connect: the connect deadline.
        read: the per-chunk read deadline.
        write: the write deadline.

    >>> Timeout(connect=5, read=60)
    Timeout(connect=5.0, read=60.0, write=5.0)
    >>> Timeout(None)
    Timeout(connect=None, read=None, write=None)
    """

    __slots__ = ("connect", "read", "write")
    connect: float | None
    read: float | None
    write: float | None

    def __init__(
        self,
        timeout: float | None = 5.0,
        *,
        connect: float | None | _Unset = _UNSET,
        read: float | None | _Unset = _UNSET,
        write: float | None | _Unset = _UNSET,
    ) -> None:
        default = _seconds("timeout", timeout)
        self.connect = default if connect is _UNSET else _seconds("connect", connect)
        self.read = default if read is _UNSET else _seconds("read", read)
        self.write = default if write is _UNSET else _seconds("write", write)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeout):
            return NotImplemented
        return (self.connect, self.read, self.write) == (other.connect, other.read, other.write)

    def __hash__(self) -> int:
        return hash((self.connect, self.read, self.write))

    def __repr__(self) -> str:
        return f"Timeout(connect={self.connect!r}, read={self.read!r}, write={self.write!r})"


#: What ``Client(timeout=...)`` accepts.
TimeoutTypes = Timeout | float | None


def as_timeout(value: TimeoutTypes) -> Timeout:
    """The :class:`Timeout` for a ``timeout=`` argument (a number applies to all three).

    Args:
        value: a Timeout, a number of seconds, or None.

    Returns:
        The Timeout.

    >>> as_timeout(3)
    Timeout(connect=3.0, read=3.0, write=3.0)
    """
    return value if isinstance(value, Timeout) else Timeout(value)


@dataclass(frozen=True)
class Retries:
    """Opt-in retries of requests that got a "try again" status (or could not connect).

    A response whose status is in ``statuses`` is closed and the request sent again, up to
    ``attempts`` more times. The wait before retry ``n`` (0-based) is the response's
    ``Retry-After`` (seconds or an HTTP date) when it has one, else ``backoff * 2**n``; never
    more than ``max_delay``. Waits run on the loop's clock (``MockClock`` in tests).

    Args:
        attempts: how many times to retry after the first try.
        statuses: the status codes that are retried.
        backoff: the first wait when the server gives no ``Retry-After``.
        max_delay: the cap of every wait.

    >>> r = Retries(attempts=2, backoff=0.5, max_delay=10)
    >>> r.delay(0, None), r.delay(1, None), r.delay(0, "3"), r.delay(0, "9999")
    (0.5, 1.0, 3.0, 10.0)
    """

    attempts: int = 3
    statuses: frozenset[int] = field(default=frozenset({429, 502, 503, 504}))
    backoff: float = 0.5
    max_delay: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 0:
            raise ValueError(f"Retries: attempts must be >= 0, got {self.attempts!r}")
        if self.backoff < 0 or self.max_delay < 0:
            raise ValueError("Retries: backoff and max_delay must be >= 0 seconds")

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based).

        Args:
            attempt: which retry this is.
            retry_after: the response's ``Retry-After`` header, if any.

        Returns:
            The wait, capped at ``max_delay``.

        >>> Retries().delay(2, None)
        2.0
        """
        wait = parse_retry_after(retry_after) if retry_after is not None else None
        if wait is None:
            wait = self.backoff * 2**attempt
        return float(min(max(wait, 0.0), self.max_delay))


def parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date).

    Args:
        value: the header value.

    Returns:
        The seconds, or ``None`` when the value is neither form.

    >>> parse_retry_after("120"), parse_retry_after("soon")
    (120.0, None)
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # only for an HTTP-date Retry-After

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


class Headers(Mapping[str, str]):
    """Case-insensitive HTTP headers; a repeated header reads as its values joined by ", ".

    Args:
        headers: a mapping or ``(name, value)`` pairs (or ``None``).

    >>> h = Headers([("Content-Type", "text/plain"), ("Set-Cookie", "a"), ("set-cookie", "b")])
    >>> h["content-type"], h["SET-COOKIE"], h.get_list("set-cookie"), len(h)
    ('text/plain', 'a, b', ['a', 'b'], 2)
    """

    def __init__(
        self, headers: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        self._items: list[tuple[str, str]] = []
        if headers is None:
            return
        if isinstance(headers, Mapping):
            mapping = cast("Mapping[str, str]", headers)
            self._items = [(str(name), str(mapping[name])) for name in mapping]
        else:
            self._items = [(str(name), str(value)) for name, value in headers]

    def get_list(self, name: str) -> list[str]:
        """Every value of header ``name``, in order.

        Args:
            name: the header name (any case).

        Returns:
            The values (empty when absent).

        >>> Headers({"A": "1"}).get_list("a")
        ['1']
        """
        key = name.lower()
        return [value for item, value in self._items if item.lower() == key]

    def set(self, name: str, value: str) -> None:
        """Replace every value of ``name`` with ``value``.

        Args:
            name: the header name.
            value: its value.

        >>> h = Headers({"Accept": "a"}); h.set("accept", "b"); h["Accept"]
        'b'
        """
        key = name.lower()
        self._items = [(n, v) for n, v in self._items if n.lower() != key]
        self._items.append((name, value))

    def setdefault_value(self, name: str, value: str) -> None:
        """Set ``name`` to ``value`` unless it is already present.

        Args:
            name: the header name.
            value: its value.

        >>> h = Headers({"Accept": "a"}); h.setdefault_value("accept", "b"); h["accept"]
        'a'
        """
        if name not in self:
            self._items.append((name, value))

    def raw(self) -> list[tuple[bytes, bytes]]:
        """The headers as latin-1 byte pairs, in order (what goes on the wire).

        >>> Headers({"A": "1"}).raw()
        [(b'A', b'1')]
        """
        return [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self._items]

    def __getitem__(self, name: str) -> str:
        values = self.get_list(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(n.lower() == name.lower() for n, _ in self._items)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, str] = {}
        for name, _ in self._items:
            seen.setdefault(name.lower(), name.lower())
        return iter(seen)

    def __len__(self) -> int:
        return len({name.lower() for name, _ in self._items})

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


#: What ``headers=`` accepts.
HeaderTypes = Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None
