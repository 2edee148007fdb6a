"""Fail on references to material that is not in the repository.

A reader of the code, the docs or a commit-free checkout cannot follow a reference to a
planning document, a numbered list of weaknesses or a tag from a review: every such
reference must be the fact itself, or a link to a page of the docs. This script scans every
file git tracks (text files only) and prints one line per hit, ``path:line: kind: text``; a
tracked coordination file (``PLANNING_FILES``: found by its name, whatever it holds) is a hit
too, at line 0.

Usage: ``python .ci/check_references.py [ROOT]``; exit status 1 when something is found.

Rules of this script: standard library only; the patterns live in ``PATTERNS`` (one kind
each, with the reason in its name); the files that must spell the patterns (this script and
its test) and vendored third-party files are in ``EXCLUDED``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent

# kind -> pattern. Case-sensitive unless the pattern says (?i).
PATTERNS: dict[str, re.Pattern[str]] = {
    "planning document": re.compile(r"\bDESIGN\.md\b|\bCONTRACT\.md\b|\bKERNEL_READY\b"),
    "specification reference": re.compile(
        r"(?i)\bspec(?:'s)?\s*(?:§|section\b|sec\.|\d|ex\d|eventloop|net\b|flow|tables?\b)"
        r"|(?<![\w./])specs?/\w|§\s*\d"
    ),
    "seed reference": re.compile(
        r"(?i)\bseeds?\s+\d{1,3}\b|\bseed(?:'s|-documented|\s+examples?\b|\s+docs?\b)"
        r"|\bthe seeds?\b"
    ),
    "weakness number": re.compile(r"\b[WN]\d{1,2}\b|\(S\d{1,2}\)"),
    "example number": re.compile(r"\((?:e|ex|nx)\d{1,2}\)|\bspec's\s+(?:e|ex|nx)\d"),
    "review tag": re.compile(r"\[(?:OBS|REC|SEED|DOCS|BUG)\]"),
    "outside path": re.compile(r"\.\./shared\b|/work/(?:shared|wt)\b|\bshared/(?:spec|seeds)\b"),
    "team name": re.compile(r"\b(?:EL|FLOW|NET|META)-(?:[A-Za-z]+)\b"),
}

# Coordination files (found by name, whatever they hold): a planning document, a readiness flag.
PLANNING_FILES = re.compile(r"(?:^|/)(?:DESIGN\.md|CONTRACT\.md|KERNEL_READY)$")

EXCLUDED_FILES = {".ci/check_references.py", ".ci/tests/test_ci_references.py"}
EXCLUDED_DIRS = ("docs/_static/mermaid/",)  # vendored third-party files
TEXT_SUFFIXES = {
    ".py",
    ".pyi",
    ".md",
    ".rst",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".yml",
    ".yaml",
    ".json",
    ".sh",
    ".svg",
    ".html",
    ".css",
    ".js",
    "",
}


class Hit(NamedTuple):
    """One reference found: where, which kind, and the line's text."""

    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.text.strip()}"


def find_in_text(path: str, text: str) -> Iterator[Hit]:
    """Every hit of every pattern in ``text`` (one per line and kind).

    >>> [h.kind for h in find_in_text("x.md", "as DESIGN.md says\\nfine\\n(W5) fixed")]
    ['planning document', 'weakness number']
    """
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in PATTERNS.items():
            if pattern.search(line):
                yield Hit(path, number, kind, line)


def tracked_files(root: Path) -> list[str]:
    """The files git tracks under ``root`` (relative, POSIX separators)."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout
    return [name for name in out.decode().split("\0") if name]


def scanned(names: Iterable[str]) -> Iterator[str]:
    """The names worth reading: text files that are neither excluded nor vendored."""
    for name in names:
        if name in EXCLUDED_FILES or name.startswith(EXCLUDED_DIRS):
            continue
        if Path(name).suffix in TEXT_SUFFIXES:
            yield name


def files_named(names: Iterable[str]) -> list[Hit]:
    """The coordination files among ``names`` (line 0: the file itself is the problem).

    >>> [str(h) for h in files_named(["README.md", "pkg/KERNEL_READY"])]
    ['pkg/KERNEL_READY:0: planning document file: remove it']
    """
    return [
        Hit(name, 0, "planning document file", "remove it")
        for name in names
        if PLANNING_FILES.search(name)
    ]


def find_all(root: Path, names: Iterable[str]) -> list[Hit]:
    """Every hit in the given files under ``root`` (missing or binary files are skipped)."""
    hits: list[Hit] = []
    for name in scanned(names):
        path = root / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        hits.extend(find_in_text(name, text))
    return hits


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    names = tracked_files(root)
    hits = files_named(names) + find_all(root, names)
    for hit in hits:
        print(hit)
    if hits:
        print(
            f"{len(hits)} reference(s) to material outside the repository: write the fact "
            "itself, or link a page of the docs."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
