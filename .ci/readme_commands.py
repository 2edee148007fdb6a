"""The two commands of README.md's "Quick start": `demo` (set-up + demo) and `test`.

Usage: python .ci/readme_commands.py {demo,test}    (prints the command)
The first fenced code block under the first heading containing "Quick start" must hold
exactly two commands; .ci/run runs the second one, so CI and the README cannot drift apart.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def quick_start_commands(text: str) -> list[str]:
    """The non-empty, non-comment lines of the first code block after the Quick start heading."""
    heading = re.search(r"^#+ .*quick ?start.*$", text, re.IGNORECASE | re.MULTILINE)
    if heading is None:
        raise ValueError("README.md has no 'Quick start' heading")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text[heading.end() :], re.DOTALL | re.MULTILINE)
    if block is None:
        raise ValueError("README.md has no code block under 'Quick start'")
    lines = [line.strip() for line in block.group(1).splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    if len(commands) != 2:
        raise ValueError(f"the Quick start block must hold exactly 2 commands, not {commands}")
    return commands


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("demo", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    demo, test = quick_start_commands(README.read_text(encoding="utf-8"))
    print(demo if argv[1] == "demo" else test)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
