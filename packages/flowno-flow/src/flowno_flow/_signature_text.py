# Rules: pure text rendering of node signatures with underlined parameters, for the
# "cycle without defaults" message. Shared with the engine.
# pyright: reportPrivateUsage=false
"""Render node signatures and the MissingDefaultError message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from ._node_spec import NodeSpec

__all__ = ["MISSING_DEFAULTS_HEADER", "describe_missing_defaults", "signature_lines"]

MISSING_DEFAULTS_HEADER = (
    "Detected a cycle without default values. You must add defaults to the indicated "
    "arguments for at least ONE of the following nodes:"
)


def signature_lines(spec: NodeSpec, underline: Sequence[str], indent: str = "  ") -> list[str]:
    """Render ``spec``'s signature, with dashes under the parameters named in ``underline``.

    Args:
        spec: The node kind.
        underline: Parameter names to underline.
        indent: Prefix of every line.

    Returns:
        The signature line(s) followed by the underline row.

    Example:
        >>> async def Ping(x: int, label: str = "p") -> int:
        ...     return x
        >>> spec = NodeSpec.from_function(Ping, multiple_outputs=False, stream_in=(), defined_at="f:1")
        >>> print("\\n".join(signature_lines(spec, ["x"])))
          async def Ping(x: int, label: str = p)
                         ------
    """
    head: list[str] = []
    if spec.is_class:
        head.append(f"{indent}class {spec.name}:")
        start, close = f"{indent}    async def call(self", "): ..."
        pieces = [""]
    else:
        start, close = f"{indent}async def {spec.name}(", ")"
        pieces = []
    marks: list[bool] = [False] * len(pieces)
    starred = any(p.kind == "var_positional" for p in spec.params)
    for param in spec.params:
        if param.kind == "keyword" and not starred:
            pieces.append("*")
            marks.append(False)
            starred = True
        pieces.append(param.render())
        marks.append(param.name in underline)
    line, under = start, " " * len(start)
    for position, (piece, marked) in enumerate(zip(pieces, marks, strict=True)):
        separator = ", " if position > 0 else ""
        line += separator + piece
        under += " " * len(separator) + ("-" if marked else " ") * len(piece)
    line += close
    return [*head, line, under.rstrip()]


def _block(node: Any, ports: Sequence[int]) -> list[str]:
    draft: object = getattr(node, "draft", node)
    spec = cast(NodeSpec, getattr(type(draft), "_flowno_spec"))  # noqa: B009
    draft_ports: Sequence[Any] = getattr(draft, "_ports")  # noqa: B009
    names = [str(draft_ports[index].name).split("[")[0] for index in ports]
    return [
        f"  {node!r} must have defaults for EACH/ALL the underlined parameters:",
        f"  Defined at {spec.defined_at}",
        f"  Created at {getattr(draft, '_created_at', '<unknown>')}",
        "  Full Signature:",
        *signature_lines(spec, names),
    ]


def describe_missing_defaults(blocks: Sequence[tuple[Any, Sequence[int]]]) -> str:
    """The MissingDefaultError message: one block per node, joined by ``OR`` lines.

    Args:
        blocks: ``(node, port indices that would need defaults)``; node is a DraftNode or
            FinalizedNode.

    Returns:
        The message; its first line starts ``Detected a cycle without default values.``.

    Example:
        >>> from flowno_flow._factory import make_node_class
        >>> async def Ident(x: int) -> int:
        ...     return x
        >>> text = describe_missing_defaults([(make_node_class(Ident)(1), [0])])
        >>> text.splitlines()[0].startswith("Detected a cycle without default values.")
        True
    """
    lines = [MISSING_DEFAULTS_HEADER]
    for position, (node, ports) in enumerate(blocks):
        if position:
            lines.append("OR")
        lines.extend(_block(node, ports))
    return "\n".join(lines)
