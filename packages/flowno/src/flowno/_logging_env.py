# Rules: `import flowno` must never fail because of a logging switch. An unknown
# FLOWNO_LOG_LEVEL is reported as a RuntimeWarning and replaced by the default level; every
# other variable is handed to flowno_eventloop.configure_logging_from_env unchanged.
"""The FLOWNO_LOG_* switches as ``import flowno`` applies them."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping

from flowno_eventloop import configure_logging_from_env

__all__ = ["DEFAULT_LEVEL", "configure_logging_leniently"]

DEFAULT_LEVEL = "ERROR"


def _is_level_name(name: str) -> bool:
    try:  # a logger not registered anywhere: the same check logging applies to the level
        logging.Logger("flowno-level-check").setLevel(name.strip().upper())
    except ValueError:
        return False
    return True


def configure_logging_leniently(environ: Mapping[str, str] | None = None) -> bool:
    """Apply the FLOWNO_LOG_* switches; an unknown level warns and falls back to ERROR.

    Args:
        environ: The variables to read (default ``os.environ``).

    Returns:
        True if handlers were installed (see ``configure_logging_from_env``).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     configure_logging_leniently({"FLOWNO_LOG_LEVEL": "verbose",
        ...                                  "FLOWNO_LOG_CONSOLE": "no"})
        True
        >>> print(caught[0].message)
        FLOWNO_LOG_LEVEL='verbose' is not a logging level (one of DEBUG, INFO, WARNING, ERROR, CRITICAL); using ERROR
        >>> import logging
        >>> logging.getLogger("flowno").level == logging.ERROR
        True
        >>> configure_logging_leniently({})
        False
    """
    env = dict(os.environ if environ is None else environ)
    level = env.get("FLOWNO_LOG_LEVEL")
    if level and level.strip() and not _is_level_name(level):
        warnings.warn(
            f"FLOWNO_LOG_LEVEL={level!r} is not a logging level (one of DEBUG, INFO, "
            f"WARNING, ERROR, CRITICAL); using {DEFAULT_LEVEL}",
            RuntimeWarning,
            stacklevel=2,
        )
        env["FLOWNO_LOG_LEVEL"] = DEFAULT_LEVEL
    return configure_logging_from_env(env)
