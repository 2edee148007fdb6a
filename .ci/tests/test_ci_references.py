"""The outside-reference lint: what it flags, what it leaves alone, and its exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import check_references  # from .ci/, see conftest.py
import pytest

CI_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Where this departs from DESIGN.md, the reason is given.", "planning document"),
        ("see packages/flowno-flow/CONTRACT.md", "planning document"),
        ("# Rules of the engine (spec flow.md 5, 7, 8):", "specification reference"),
        ("the message (spec section 7.4)", "specification reference"),
        ('"""FLOWNO_LOG_* switches (spec §11.1)."""', "specification reference"),
        ("Every example of spec/eventloop.md", "specification reference"),
        ("# the top-level names of seed 000", "seed reference"),
        ("as the seed's own example builds", "seed reference"),
        ("seed-documented order", "seed reference"),
        ("nothing hangs (W6);", "weakness number"),
        ("binary items print as repr (N9)", "weakness number"),
        ("lockstep (S3)", "weakness number"),
        ("def test_get_on_empty_queue() -> None:  # (e09)", "example number"),
        ("[OBS] the loop spins", "review tag"),
        ("[BUG] found", "review tag"),
        ('SEED = Path("/work/shared/seeds/002.txt")', "outside path"),
        ("read ../shared/spec/net.md", "outside path"),
        ("| base (/work/wt/base) | 24,183 |", "outside path"),
        ("# The public `node` decorator (FLOW-TYPES).", "team name"),
        ("# --- beyond the original (EL-beyond) ---", "team name"),
    ],
)
def test_outside_references_are_found(line: str, kind: str) -> None:
    hits = list(check_references.find_in_text("f.py", f"ok\n{line}\n"))
    assert kind in [h.kind for h in hits], hits
    assert all(h.line == 2 for h in hits)


@pytest.mark.parametrize(
    "line",
    [
        "[Semantic Versioning](https://semver.org/spec/v2.0.0.html).",
        "spec = importlib.util.spec_from_file_location(name, path)",
        "requirement.specifier.contains(version)",
        "class NodeSpec:  # what a decorated function declares",
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"',
        "ruff rule W291 and E501",
        "random.Random(seed=42) for a reproducible run",
        "the OpenTelemetry API specifies explicit start and end",
    ],
)
def test_ordinary_text_is_not_flagged(line: str) -> None:
    assert list(check_references.find_in_text("f.py", line)) == []


def test_excluded_and_binary_names_are_not_scanned() -> None:
    names = [
        ".ci/check_references.py",
        ".ci/tests/test_ci_references.py",
        "docs/_static/mermaid/mermaid.min.js",
        "docs/_static/picture.png",
        "docs/guide/x.md",
    ]
    assert list(check_references.scanned(names)) == ["docs/guide/x.md"]


def test_the_script_fails_and_names_the_file_in_a_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "clean.md").write_text("Nothing to see.\n")
    (tmp_path / "dirty.py").write_text("x = 1\n# fixed (W5), see DESIGN.md\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    script = str(CI_DIR / "check_references.py")
    run = subprocess.run(
        [sys.executable, script, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert "dirty.py:2: planning document:" in run.stdout
    assert "dirty.py:2: weakness number:" in run.stdout
    assert "clean.md" not in run.stdout
    (tmp_path / "dirty.py").write_text("x = 1\n# fixed: a demand is never dropped\n")
    clean = subprocess.run(
        [sys.executable, script, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert (clean.returncode, clean.stdout) == (0, "")


@pytest.mark.parametrize(
    "name",
    ["packages/flowno-flow/CONTRACT.md", "packages/flowno-eventloop/KERNEL_READY", "DESIGN.md"],
)
def test_a_coordination_file_is_found_by_its_name_whatever_it_holds(name: str) -> None:
    hits = check_references.files_named(["docs/guide/x.md", name, "docs/design/kernel-contract.md"])
    assert [(h.path, h.line, h.kind) for h in hits] == [(name, 0, "planning document file")]


def test_the_script_fails_on_an_empty_coordination_file(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "KERNEL_READY").write_text("")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    run = subprocess.run(
        [sys.executable, str(CI_DIR / "check_references.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "pkg/KERNEL_READY:0: planning document file:" in run.stdout
