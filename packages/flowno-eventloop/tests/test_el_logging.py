"""FLOWNO_LOG_* switches, TagFilter, the loop's own log lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowno_eventloop import EventLoop, MockClock, TagFilter, configure_logging_from_env, sleep


@pytest.fixture()
def flowno_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("flowno")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield logger
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    logger.setLevel(saved[0])
    for h in saved[1]:
        logger.addHandler(h)
    logger.propagate = saved[2]


async def fails() -> None:
    raise ValueError("bad input")


def emit_tagged() -> None:
    logging.getLogger("flowno.demo").warning("untagged warning")
    logging.getLogger("flowno.demo").warning("tagged warning", extra={"tag": "demo"})
    EventLoop().run_until_complete(fails())


def lines(text: str) -> list[str]:
    return [line.split(" - ", 1)[1] for line in text.splitlines() if " - " in line]


def test_documented_tag_filter(
    flowno_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    assert configure_logging_from_env(
        {"FLOWNO_LOG_LEVEL": "warning", "FLOWNO_LOG_TAG_FILTER": "demo"}
    )
    emit_tagged()
    assert lines(capsys.readouterr().err) == ["WARNING:flowno.demo:tagged warning"]


def test_documented_level_only(
    flowno_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging_from_env({"FLOWNO_LOG_LEVEL": "warning"})
    emit_tagged()
    got = lines(capsys.readouterr().err)
    assert got[:2] == ["WARNING:flowno.demo:untagged warning", "WARNING:flowno.demo:tagged warning"]
    assert got[2].startswith("ERROR:flowno.eventloop:Task <coroutine object fails at 0x")
    assert got[2].endswith("raised an exception: bad input")


def test_info_lines_and_idempotence(
    flowno_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"FLOWNO_LOG_LEVEL": "info", "FLOWNO_LOG_TAG_FILTER": " Flow , HTTP"}
    configure_logging_from_env(env)
    configure_logging_from_env(env)
    assert len(flowno_logger.handlers) == 1
    # the INFO lines are untagged, so this tag filter drops them (as in the original)
    assert capsys.readouterr().err == ""
    configure_logging_from_env({"FLOWNO_LOG_LEVEL": "info"})
    assert lines(capsys.readouterr().err) == [
        "INFO:flowno:Log level set to INFO",
        "INFO:flowno:Log filter set to ['all']",
    ]


def test_file_console_and_propagate(
    flowno_logger: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "flowno.log"
    configure_logging_from_env(
        {"FLOWNO_LOG_FILE": str(log_file), "FLOWNO_LOG_CONSOLE": "No", "FLOWNO_LOG_PROPAGATE": "0"}
    )
    assert flowno_logger.propagate is False
    logging.getLogger("flowno.x").error("to the file")
    assert capsys.readouterr().err == ""
    for h in flowno_logger.handlers:
        h.flush()
    assert "ERROR:flowno.x:to the file" in log_file.read_text()


def test_unwritable_log_file_is_reported(
    flowno_logger: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "missing-dir" / "x.log"
    configure_logging_from_env({"FLOWNO_LOG_FILE": str(bad)})
    assert f"Failed to create log file '{bad}'" in capsys.readouterr().err


def test_no_variables_leaves_logger_alone(flowno_logger: logging.Logger) -> None:
    before = (flowno_logger.level, list(flowno_logger.handlers))
    assert configure_logging_from_env({}) is False
    assert (flowno_logger.level, list(flowno_logger.handlers)) == before


def test_unknown_level(flowno_logger: logging.Logger) -> None:
    with pytest.raises(ValueError, match="Unknown level: 'VERBOSE'"):
        configure_logging_from_env({"FLOWNO_LOG_LEVEL": "verbose"})


def test_tag_filter_all() -> None:
    record = logging.LogRecord("flowno", logging.INFO, __file__, 1, "m", None, None)
    assert TagFilter(["ALL"]).filter(record)
    assert not TagFilter(["flow"]).filter(record)


def test_debug_wait_clamp_logs_error(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await sleep(0.004)

    EventLoop().run_until_complete(main(), _debug_max_wait_time=0.001)
    assert "exceeds max wait time 0.001" in caplog.text


def test_library_adds_no_handlers() -> None:
    import flowno_eventloop  # noqa: F401

    assert all(
        not logging.getLogger(name).handlers
        for name in ("flowno.eventloop", "flowno.eventloop.queues", "flowno.utilities.logging")
    )


def test_mock_clock_validation() -> None:
    with pytest.raises(ValueError):
        MockClock(autojump_threshold=-1)
    with pytest.raises(ValueError):
        MockClock().jump(-1)
