"""Small files, short functions: no source module over 500 lines, no function over 50.

Usage: python .ci/check_sizes.py [root]   (exit 1 and one line per file or function too long)

A function's length is its body's, from the first statement after the docstring to the end
of the last one (the signature and the docstring do not count). Only the packages' sources
(``packages/*/src``) are checked; tests, benchmarks and tools are not.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 50
ROOT = Path(__file__).resolve().parent.parent


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The number of lines of ``function``'s body, its docstring left out.

    Example:
        >>> tree = ast.parse('def f():\\n    "doc"\\n    a = 1\\n    return a\\n')
        >>> body_lines(tree.body[0])  # type: ignore[arg-type]
        2
    """
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    if not body:
        return 0
    end = body[-1].end_lineno or body[-1].lineno
    return end - body[0].lineno + 1


def problems_in(path: Path, text: str) -> list[str]:
    """One message per limit ``text`` (the contents of ``path``) goes over.

    Example:
        >>> problems_in(Path("m.py"), "x = 1\\n" * 501)
        ['m.py: 501 lines (at most 500)']
    """
    found: list[str] = []
    lines = text.count("\n")
    if lines > MAX_FILE_LINES:
        found.append(f"{path}: {lines} lines (at most {MAX_FILE_LINES})")
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = body_lines(node)
            if length > MAX_FUNCTION_LINES:
                found.append(
                    f"{path}:{node.lineno}: {node.name}() has {length} body lines "
                    f"(at most {MAX_FUNCTION_LINES})"
                )
    return found


def problems(root: Path = ROOT) -> list[str]:
    """Every limit gone over in the packages' sources under ``root``."""
    found: list[str] = []
    for path in sorted(root.glob("packages/*/src/**/*.py")):
        found += problems_in(path.relative_to(root), path.read_text(encoding="utf-8"))
    return found


def main(argv: list[str]) -> int:
    found = problems(Path(argv[0]) if argv else ROOT)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
