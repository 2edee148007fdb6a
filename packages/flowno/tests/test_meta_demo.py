"""The demo runs the whole chat through the cycle and streams every word."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowno.demo import SCRIPT, main, run_demo


def test_demo_prints_each_turn_and_every_reply_word(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(turns=3, word_delay=0) == 3
    out = capsys.readouterr().out
    for turn, (question, reply) in enumerate(SCRIPT, start=1):
        assert f"[turn {turn}] you: {question}" in out
        assert f"[bot] {reply} \n" in out
        assert f"({len(reply.split())} words streamed)" in out
    assert out.rstrip().endswith("User -> Bot -> Screen -> NextTurn.")


def test_demo_loops_past_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(turns=len(SCRIPT) + 1, word_delay=0) == len(SCRIPT) + 1
    out = capsys.readouterr().out
    assert out.count(f"you: {SCRIPT[0][0]}") == 2


def test_demo_refuses_zero_turns() -> None:
    with pytest.raises(ValueError, match="turns must be at least 1, got 0"):
        run_demo(turns=0)


def test_demo_command_line_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--turns", "1", "--word-delay", "0", "--mermaid"]) == 0
    out = capsys.readouterr().out
    assert "The flow as Mermaid:" in out
    mermaid = out.split("The flow as Mermaid:")[1]
    for name in ("user", "bot", "screen", "next_turn"):
        assert name in mermaid


def test_python_dash_m_flowno_demo_runs_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flowno", "demo", "--turns", "2", "--word-delay", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[turn 2] you: " + SCRIPT[1][0] in result.stdout
    assert "Done: 2 replies" in result.stdout
