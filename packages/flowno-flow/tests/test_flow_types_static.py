"""Runs pyright and mypy on tests/typing/typecheck_*.py and checks their verdicts.

Each checked file marks the lines that must be reported with a trailing ``# expect-error``
comment. The test asserts, per file and per checker: every marked line is reported, and no
other line is (so every ``assert_type`` holds and valid code has no false errors). Files whose
name ends in ``_pyright.py`` are checked by pyright only (mypy ignores the return type of class
decorators). The checkers run from the same environment as pytest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TYPING_DIR = Path(__file__).parent / "typing"
REPO_ROOT = Path(__file__).resolve().parents[3]
FILES = sorted(TYPING_DIR.glob("typecheck_*.py"))
MYPY_FILES = [f for f in FILES if not f.stem.endswith("_pyright")]
MARKER = "# expect-error"
MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")

Report = dict[Path, dict[int, list[str]]]


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed in this environment")
    return found


def _expected(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number for number, text in enumerate(lines, start=1) if text.rstrip().endswith(MARKER)}


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def pyright_report() -> Report:
    result = _run(
        [
            _tool("pyright"),
            "--outputjson",
            "--pythonpath",
            sys.executable,
            "-p",
            str(TYPING_DIR / "pyrightconfig.json"),
            *map(str, FILES),
        ]
    )
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"pyright did not report JSON:\n{result.stdout}\n{result.stderr}"
        ) from error
    report: Report = {}
    for diagnostic in data["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            report.setdefault(Path(diagnostic["file"]).resolve(), {}).setdefault(line, []).append(
                diagnostic["message"].splitlines()[0]
            )
    return report


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    cache = tmp_path_factory.mktemp("mypy-cache")
    result = _run(
        [
            _tool("mypy"),
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            *map(str, MYPY_FILES),
        ]
    )
    if result.returncode not in (0, 1):
        raise AssertionError(
            f"mypy crashed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    report: Report = {}
    for line in result.stdout.splitlines():
        match = MYPY_LINE.match(line)
        if match:
            path = (REPO_ROOT / match["path"]).resolve()
            report.setdefault(path, {}).setdefault(int(match["line"]), []).append(match["message"])
    return report


def _mismatches(path: Path, report: Report) -> Iterator[str]:
    found = report.get(path.resolve(), {})
    expected = _expected(path)
    for line in sorted(expected - set(found)):
        yield f"{path.name}:{line}: expected an error, none reported"
    for line in sorted(set(found) - expected):
        yield f"{path.name}:{line}: unexpected error: {found[line][0]}"


def test_typing_files_exist_and_mark_errors() -> None:
    assert len(FILES) >= 4
    assert all(_expected(f) for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_pyright_verdicts(path: Path, pyright_report: Report) -> None:
    assert list(_mismatches(path, pyright_report)) == []


@pytest.mark.parametrize("path", MYPY_FILES, ids=[f.name for f in MYPY_FILES])
def test_mypy_verdicts(path: Path, mypy_report: Report) -> None:
    assert list(_mismatches(path, mypy_report)) == []
