"""The Flowno demo: a streaming chat bot in a conversation loop, no network.

Run it with ``python -m flowno demo`` (or ``flowno demo``, or ``python examples/demo.py``).

The flow is a cycle of four nodes::

    User ──> Bot ══> Screen ──> NextTurn
     ^  \\__________________________/  |
     └─────────────────────────────────┘

- ``User`` asks the question of turn ``turn`` (its default ``turn=0`` bootstraps the cycle);
- ``Bot`` is a streaming node: an async generator yielding the words of a canned reply;
- ``Screen`` consumes that stream (``stream_in``) and prints each word the moment it arrives;
- ``NextTurn`` closes the cycle by handing ``turn + 1`` back to ``User``.

The run stops after ``turns`` replies via ``stop_at_node_generation``.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncGenerator, Sequence
from typing import NamedTuple

from flowno import FlowHDL, Stream, TerminateLimitReached, node, sleep

SCRIPT: tuple[tuple[str, str], ...] = (
    (
        "Hi! What is Flowno?",
        "Flowno is a small Python DSL for dataflow: you write async nodes, wire them in a"
        " FlowHDL block, and its own event loop runs them concurrently.",
    ),
    (
        "How does this chat keep going?",
        "My reply feeds the next turn and the next turn feeds your question: a cycle,"
        " started by the default value turn=0.",
    ),
    (
        "And why do the words trickle in?",
        "Each word is one item of a stream: the screen prints it the moment my generator"
        " yields it, before the reply is complete.",
    ),
)


class Question(NamedTuple):
    """One user message of the conversation."""

    turn: int
    text: str


def build_chat(word_delay: float) -> FlowHDL:
    """Build the chat flow; each bot word is delayed by ``word_delay`` seconds."""

    @node
    async def User(turn: int = 0) -> Question:
        text = SCRIPT[turn % len(SCRIPT)][0]
        print(f"\n[turn {turn + 1}] you: {text}")
        return Question(turn, text)

    @node
    async def Bot(question: Question) -> AsyncGenerator[str, None]:
        for word in SCRIPT[question.turn % len(SCRIPT)][1].split():
            await sleep(word_delay)
            yield word + " "

    @node(stream_in=["words"])
    async def Screen(words: Stream[str]) -> str:
        print("[bot] ", end="", flush=True)
        reply = ""
        async for word in words:
            print(word, end="", flush=True)
            reply += word
        print()
        return reply.strip()

    @node
    async def NextTurn(question: Question, reply: str) -> int:
        print(f"        ({len(reply.split())} words streamed)")
        return question.turn + 1

    flow = FlowHDL()
    with flow as f:
        f.user = User(f.next_turn)
        f.bot = Bot(f.user)
        f.screen = Screen(f.bot)
        f.next_turn = NextTurn(f.user, f.screen)
    return flow


def run_demo(turns: int = 3, word_delay: float = 0.03, mermaid: bool = False) -> int:
    """Run the chat for ``turns`` replies and print it live; returns the number of replies.

    Examples:
        >>> run_demo(turns=1, word_delay=0)  # doctest: +ELLIPSIS
        Flowno demo: a streaming chat in a cycle (1 turns)
        <BLANKLINE>
        [turn 1] you: Hi! What is Flowno?
        [bot] Flowno is a small Python DSL for dataflow: ...
                (26 words streamed)
        <BLANKLINE>
        Done: 1 replies streamed word by word through the cycle User -> Bot -> Screen -> NextTurn.
        1
    """
    if turns < 1:
        raise ValueError(f"turns must be at least 1, got {turns}")
    print(f"Flowno demo: a streaming chat in a cycle ({turns} turns)")
    f = build_chat(word_delay)
    if mermaid:
        print("\nThe flow as Mermaid:\n")
        print(f.to_mermaid())
    try:
        f.run_until_complete(stop_at_node_generation={f.next_turn: (turns - 1,)})
    except TerminateLimitReached:
        pass
    replies = f.screen.generation[0] + 1 if f.screen.generation else 0
    print(
        f"\nDone: {replies} replies streamed word by word through the cycle"
        " User -> Bot -> Screen -> NextTurn."
    )
    return replies


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the demo: ``[--turns N] [--word-delay SECONDS] [--mermaid]``."""
    parser = argparse.ArgumentParser(
        prog="flowno demo", description="Flowno demo: a streaming chat bot in a conversation loop."
    )
    parser.add_argument("--turns", type=int, default=3, help="replies before stopping")
    parser.add_argument("--word-delay", type=float, default=0.03, help="seconds per word")
    parser.add_argument("--mermaid", action="store_true", help="print the graph as Mermaid")
    args = parser.parse_args(argv)
    run_demo(args.turns, args.word_delay, args.mermaid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
