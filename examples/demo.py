"""The Flowno demo, runnable from a checkout: ``python examples/demo.py [--turns N] [--mermaid]``.

A streaming chat bot (an async generator yielding the words of canned replies, no network)
feeds a ``stream_in`` consumer that prints each word as it arrives, inside a conversation
loop (a cycle bootstrapped by a default value) that stops after N turns.

The flow itself is defined in the installed package, ``flowno/demo.py``
(packages/flowno/src/flowno/demo.py), so that ``python -m flowno demo`` ships the very same
program; read it there. This script only runs it.
"""

from flowno.demo import main

if __name__ == "__main__":
    raise SystemExit(main())
