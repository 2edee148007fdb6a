"""The FLOWNO_LOG_* environment switches, as an idempotent function.

Rules: the library never adds handlers on import; only :func:`configure_logging_from_env`
(called by the ``flowno`` meta package, or by the user) touches the ``flowno`` logger.
Calling it again replaces what it installed before (no duplicate handlers).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping

__all__ = ["LOG_FORMAT", "TagFilter", "configure_logging_from_env"]

LOG_FORMAT = "%(asctime)s - %(levelname)s:%(name)s:%(message)s"
_FALSE = ("false", "0", "no")


class TagFilter(logging.Filter):
    """Pass records whose ``tag`` (``extra={"tag": ...}``) is in ``tags``; ``"all"`` passes all.

    An untagged record counts as tag ``"all"``, so a filter without ``"all"`` drops it.

    Example:
        >>> f = TagFilter(["demo"])
        >>> rec = logging.LogRecord("flowno.x", logging.WARNING, __file__, 1, "m", None, None)
        >>> f.filter(rec)
        False
        >>> rec.tag = "Demo"
        >>> f.filter(rec)
        True
    """

    def __init__(self, tags: Iterable[str]) -> None:
        super().__init__()
        self.tags: list[str] = [t.strip().lower() for t in tags]

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass ``record`` if its ``tag`` attribute (``"all"`` when absent) is one of the tags.

        Example:
            >>> rec = logging.LogRecord("flowno.x", logging.INFO, __file__, 1, "m", None, None)
            >>> TagFilter(["all"]).filter(rec), TagFilter(["net"]).filter(rec)
            (True, False)
        """
        if "all" in self.tags:
            return True
        tag = getattr(record, "tag", "all")
        return str(tag).lower() in self.tags


def _is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _FALSE


def configure_logging_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Apply FLOWNO_LOG_LEVEL / _TAG_FILTER / _FILE / _CONSOLE / _PROPAGATE to ``flowno``.

    Handlers are installed only if LEVEL, FILE or CONSOLE is set; then the ``flowno`` logger's
    handlers are replaced by a stderr handler (unless CONSOLE is false/0/no) and a file
    handler (if FILE), with :data:`LOG_FORMAT` and a :class:`TagFilter`, and two INFO lines
    are logged. PROPAGATE=false/0/no is applied in any case. Idempotent.

    Args:
        environ: The variables to read (default ``os.environ``).

    Returns:
        True if handlers were installed.

    Raises:
        ValueError: ``FLOWNO_LOG_LEVEL`` is not a level name (``Unknown level: 'X'``).

    Example:
        >>> configure_logging_from_env({})
        False
        >>> configure_logging_from_env({"FLOWNO_LOG_LEVEL": "verbose"})
        Traceback (most recent call last):
        ...
        ValueError: Unknown level: 'VERBOSE'
    """
    env = os.environ if environ is None else environ
    root = logging.getLogger("flowno")
    if _is_false(env.get("FLOWNO_LOG_PROPAGATE")):
        root.propagate = False
    level_name = env.get("FLOWNO_LOG_LEVEL")
    log_file = env.get("FLOWNO_LOG_FILE")
    console = env.get("FLOWNO_LOG_CONSOLE")
    if level_name is None and log_file is None and console is None:
        return False
    level = (level_name or "ERROR").strip().upper()
    root.setLevel(level)  # raises ValueError("Unknown level: 'X'")
    tags = TagFilter((env.get("FLOWNO_LOG_TAG_FILTER") or "ALL").split(","))
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = []
    if not _is_false(console):
        handlers.append(logging.StreamHandler(sys.stderr))
    file_error: OSError | None = None
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, mode="a"))
        except OSError as error:
            file_error = error
    for handler in handlers:
        handler.setLevel(level)
        handler.setFormatter(formatter)
        handler.addFilter(tags)
        root.addHandler(handler)
    if file_error is not None:
        root.error("Failed to create log file '%s': %s", log_file, file_error)
    root.info("Log level set to %s", level)
    root.info("Log filter set to %s", tags.tags)
    return True
