"""Every script in examples/ prints exactly the lines under "Prints:" in its docstring."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if p.name != "demo.py")


def expected_output(script: Path) -> list[str]:
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    _, marker, block = docstring.partition("Prints:\n")
    assert marker, f"{script.name}: its docstring has no 'Prints:' section"
    return textwrap.dedent(block).strip().splitlines()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_prints_its_documented_output(script: Path) -> None:
    result = _run(str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected_output(script)


def test_demo_script_runs_the_packaged_demo() -> None:
    result = _run(str(EXAMPLES / "demo.py"), "--turns", "1", "--word-delay", "0")
    assert result.returncode == 0, result.stderr
    assert "[turn 1] you: Hi! What is Flowno?" in result.stdout
    assert "Done: 1 replies" in result.stdout
