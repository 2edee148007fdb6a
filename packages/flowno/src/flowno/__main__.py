"""``python -m flowno`` and the ``flowno`` console script.

Commands: ``demo`` (run the streaming chat demo: see :mod:`flowno.demo`), ``version``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch ``flowno <command> [options]``; returns the process exit code.

    Examples:
        >>> main(["version"])  # doctest: +ELLIPSIS
        flowno 0.2.0 (flowno-eventloop ..., flowno-net ..., flowno-flow ...)
        0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "help"
    if command == "demo":
        from flowno.demo import main as demo_main

        return demo_main(args)
    if command == "version":
        from importlib.metadata import version

        libraries = ", ".join(
            f"{dist} {version(dist)}" for dist in ("flowno-eventloop", "flowno-net", "flowno-flow")
        )
        print(f"flowno {version('flowno')} ({libraries})")
        return 0
    print("usage: flowno {demo,version} [options]   (flowno demo --help for the demo's options)")
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    raise SystemExit(main())
