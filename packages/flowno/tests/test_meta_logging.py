"""``import flowno`` honours the FLOWNO_LOG_* variables (and warns about an unknown level)."""

from __future__ import annotations

import os
import subprocess
import sys

SNIPPET = (
    "import logging, flowno\n"
    "log = logging.getLogger('flowno')\n"
    "print(logging.getLevelName(log.level), len(log.handlers), log.propagate)\n"
)


def _import_flowno(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FLOWNO_LOG_")}
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_variable_leaves_the_flowno_logger_untouched() -> None:
    result = _import_flowno()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["NOTSET", "0", "True"]


def test_level_variable_installs_a_console_handler_at_that_level() -> None:
    result = _import_flowno(FLOWNO_LOG_LEVEL="warning")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WARNING", "1", "True"]


def test_propagate_false_is_applied_even_alone() -> None:
    result = _import_flowno(FLOWNO_LOG_PROPAGATE="no")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["NOTSET", "0", "False"]


def test_a_typo_in_the_level_warns_and_falls_back_to_error() -> None:
    result = _import_flowno(FLOWNO_LOG_LEVEL="verbose", FLOWNO_LOG_CONSOLE="no")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ERROR", "0", "True"]
    assert "RuntimeWarning: FLOWNO_LOG_LEVEL='verbose' is not a logging level" in result.stderr


def test_a_known_level_in_any_case_does_not_warn() -> None:
    result = _import_flowno(FLOWNO_LOG_LEVEL="Debug", FLOWNO_LOG_CONSOLE="no")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["DEBUG", "0", "True"]
    assert "Warning" not in result.stderr


def test_importing_twice_installs_handlers_once() -> None:
    code = (
        "import importlib, logging, flowno\nimportlib.reload(flowno)\n" + SNIPPET.split("\n", 1)[1]
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FLOWNO_LOG_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "FLOWNO_LOG_LEVEL": "info"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["INFO", "1", "True"]
