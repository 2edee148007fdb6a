# Pictures of flows: Mermaid and Graphviz DOT text.
#
# Rules of this module:
# - Pure: GraphPicture is plain immutable data; to_mermaid/to_dot are functions of it alone
#   and deterministic (declaration order in, the same text out). No graphviz dependency.
# - picture_of() is the only function that looks at graph objects, and it reads them only
#   through the small structural interface _PortView/_NodeView (FinalizedNode's attributes).
# - Styles: streaming edge = thick, edge into an input with a default = dashed, routed edge
#   (``producer.on(T)``) = dashed and labelled ``T``, back edge (closes a cycle; found by
#   DFS in declaration order) = red with a "↺" mark.
"""Draw a flow: :class:`GraphPicture` and its Mermaid / Graphviz DOT renderings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ._draft import Constant
from ._route import route_label

__all__ = ["GraphPicture", "PictureEdge", "PictureNode", "picture_of", "to_dot", "to_mermaid"]

_BACK_EDGE_COLOR = "#c0392b"


@dataclass(frozen=True)
class PictureNode:
    """One node of a picture.

    Attributes:
        id: identifier unique within the picture (``n0``, ``n1``...).
        label: what to print: the user's attribute name and the node's repr.
        type_name: the node's type (the decorated function's or class's name).
        streaming: the node yields (async generator).

    Example:
        >>> PictureNode("n0", "total: Add#0", "Add").streaming
        False
    """

    id: str
    label: str
    type_name: str
    streaming: bool = False


@dataclass(frozen=True)
class PictureEdge:
    """One connection: producer output port -> consumer input port.

    Attributes:
        src: id of the producing node.
        dst: id of the consuming node.
        out_port: the producer's output port index.
        in_port: the consumer's input port index.
        in_name: the consumer's parameter name.
        streaming: the consumer reads this input as a stream (``stream_in``).
        defaulted_input: the consumer's input has a default (where cycles can start).
        route: for a routed connection (``producer.on(T)``), the name of ``T``; else "".

    Example:
        >>> PictureEdge("n0", "n1", 0, 1, "b").label
        '0 → b[1]'
        >>> PictureEdge("n0", "n1", 0, 0, "call", route="ToolCall").label
        'on ToolCall → call[0]'
    """

    src: str
    dst: str
    out_port: int
    in_port: int
    in_name: str
    streaming: bool = False
    defaulted_input: bool = False
    route: str = ""

    @property
    def label(self) -> str:
        """``"<out port> → <input name>[<input index>]"`` (``"on <T> → ..."`` when routed)."""
        source = f"on {self.route}" if self.route else str(self.out_port)
        return f"{source} → {self.in_name}[{self.in_port}]"

    @property
    def dashed(self) -> bool:
        """Drawn dashed: the input has a default, or the edge is routed (conditional)."""
        return self.defaulted_input or bool(self.route)


@dataclass(frozen=True)
class GraphPicture:
    """A small, renderer-neutral description of a flow graph.

    Attributes:
        nodes: in declaration order.
        edges: in connection order (consumers in node order, their inputs in port order).

    Example:
        >>> pic = GraphPicture(
        ...     nodes=(PictureNode("n0", "c: Count#0", "Count"),),
        ...     edges=(PictureEdge("n0", "n0", 0, 0, "prev", defaulted_input=True),),
        ... )
        >>> pic.back_edges()
        frozenset({0})
    """

    nodes: tuple[PictureNode, ...]
    edges: tuple[PictureEdge, ...] = field(default=())

    def back_edges(self) -> frozenset[int]:
        """Indexes (into :attr:`edges`) of the edges that close a cycle.

        Found by an iterative depth-first search that starts from the nodes in declaration
        order and follows out-edges in edge order; an edge to a node still on the search stack
        is a back edge. Removing the back edges leaves an acyclic graph.

        Returns:
            The set of back-edge indexes.
        """
        return frozenset(_back_edges(self))


def to_mermaid(picture: GraphPicture, *, direction: str = "LR") -> str:
    """Render a picture as a Mermaid flowchart.

    Streaming nodes are drawn as stadiums; streaming edges are thick (``==>``), edges into
    inputs that have a default are dashed (``-.->``, thick too when streaming), back edges are
    red (a ``linkStyle`` line) and their labels start with ``↺``.

    Args:
        picture: what to draw.
        direction: Mermaid direction, ``LR`` (default) or ``TD``.

    Returns:
        The Mermaid source, one statement per line, ending with a newline.

    Example:
        >>> pic = GraphPicture(
        ...     nodes=(PictureNode("n0", "x: Src#0", "Src"), PictureNode("n1", "Show#0", "Show")),
        ...     edges=(PictureEdge("n0", "n1", 0, 0, "v"),),
        ... )
        >>> print(to_mermaid(pic), end="")
        flowchart LR
            n0["x: Src#0"]
            n1["Show#0"]
            n0 -->|"0 → v[0]"| n1
    """
    back = _back_edges(picture)
    lines = [f"flowchart {direction}"]
    lines += [f"    {_mermaid_node(node)}" for node in picture.nodes]
    lines += [f"    {_mermaid_edge(edge, i in back)}" for i, edge in enumerate(picture.edges)]
    styles = ((i, _mermaid_link_style(edge, i in back)) for i, edge in enumerate(picture.edges))
    lines += [f"    linkStyle {i} {style}" for i, style in styles if style]
    return "\n".join(lines) + "\n"


def to_dot(picture: GraphPicture, *, name: str = "flow") -> str:
    """Render a picture as a Graphviz DOT digraph (feed it to ``dot -Tsvg``).

    Streaming nodes have rounded double borders; streaming edges are bold, edges into inputs
    with a default are dashed, back edges are red, marked ``↺`` and do not constrain ranks.

    Args:
        picture: what to draw.
        name: the graph's name.

    Returns:
        The DOT source, ending with a newline.

    Example:
        >>> pic = GraphPicture(
        ...     nodes=(PictureNode("n0", "x: Src#0", "Src"), PictureNode("n1", "Show#0", "Show")),
        ...     edges=(PictureEdge("n0", "n1", 0, 0, "v"),),
        ... )
        >>> print(to_dot(pic), end="")
        digraph "flow" {
            rankdir=LR;
            node [shape=box, fontname="Helvetica"];
            edge [fontname="Helvetica", fontsize=10];
            n0 [label="x: Src#0"];
            n1 [label="Show#0"];
            n0 -> n1 [label="0 → v[0]"];
        }
    """
    back = _back_edges(picture)
    lines = [
        f"digraph {_dot_quote(name)} {{",
        "    rankdir=LR;",
        '    node [shape=box, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    lines += [f"    {_dot_node(node)}" for node in picture.nodes]
    lines += [f"    {_dot_edge(edge, i in back)}" for i, edge in enumerate(picture.edges)]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- building a picture from graph objects ---------------------------------------------------


class _OutputRefView(Protocol):
    @property
    def node(self) -> object: ...

    @property
    def port_index(self) -> int: ...


class _PortView(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def has_default(self) -> bool: ...

    @property
    def stream_in(self) -> bool: ...

    @property
    def connected(self) -> _OutputRefView | None: ...


def picture_of(nodes: Iterable[object], names: Mapping[str, object] | None = None) -> GraphPicture:
    """Build a :class:`GraphPicture` from finalized nodes (or drafts offering the same view).

    Each node must offer ``input_ports`` (each with ``index``, ``name``, ``has_default``,
    ``stream_in`` and ``connected``, an output reference with ``node`` and ``port_index`` or
    ``None``) and ``is_streaming``; ``repr(node)`` (``"Add#0"``) labels it, and a ``Constant``
    also shows its value (``"Constant#3 = 5"``). Producers reached through connections are
    added after the given nodes when they are missing.

    Args:
        nodes: the nodes, in declaration order.
        names: the flow's name table (attribute name -> node, e.g. ``FlowHDL._nodes``); a node
            bound to a name is labelled ``"name: Add#0"``. Values that are not among the nodes
            are ignored; the first name bound to a node wins.

    Returns:
        The picture.

    Example:
        >>> from types import SimpleNamespace as NS
        >>> class N(NS):
        ...     def __repr__(self) -> str:
        ...         return self.r
        >>> src = N(r="Src#0", input_ports=(), is_streaming=True)
        >>> port = NS(index=0, name="v", has_default=False, stream_in=True,
        ...           connected=NS(node=src, port_index=0))
        >>> sink = N(r="Sink#0", input_ports=(port,), is_streaming=False)
        >>> pic = picture_of([sink], names={"out": sink})
        >>> [n.label for n in pic.nodes], pic.edges[0].streaming
        (['out: Sink#0', 'Src#0'], True)
    """
    ordered = _with_producers(list(nodes))
    ids = {id(node): f"n{i}" for i, node in enumerate(ordered)}
    labels = _first_names(names or {}, ids)
    picture_nodes = tuple(_picture_node(node, ids, labels) for node in ordered)
    edges = tuple(edge for node in ordered for edge in _edges_into(node, ids))
    return GraphPicture(nodes=picture_nodes, edges=edges)


def _input_ports(node: object) -> Sequence[_PortView]:
    ports: Sequence[_PortView] = getattr(node, "input_ports", ())
    return ports


def _with_producers(nodes: list[object]) -> list[object]:
    seen = {id(node) for node in nodes}
    ordered = list(nodes)
    for node in ordered:  # grows while we walk: producers are appended once
        for port in _input_ports(node):
            producer = port.connected.node if port.connected is not None else None
            if producer is not None and id(producer) not in seen:
                seen.add(id(producer))
                ordered.append(producer)
    return ordered


def _first_names(names: Mapping[str, object], ids: Mapping[int, str]) -> dict[int, str]:
    labels: dict[int, str] = {}
    for name, value in names.items():
        if id(value) in ids:
            labels.setdefault(id(value), name)
    return labels


def _picture_node(node: object, ids: Mapping[int, str], labels: Mapping[int, str]) -> PictureNode:
    text = repr(node) + _constant_value_suffix(node)
    name = labels.get(id(node))
    return PictureNode(
        id=ids[id(node)],
        label=f"{name}: {text}" if name is not None else text,
        type_name=repr(node).split("#", 1)[0],
        streaming=bool(getattr(node, "is_streaming", False)),
    )


def _constant_value_suffix(node: object) -> str:
    """``" = 5"`` for a Constant node (draft or finalized), shortened to 24 characters."""
    draft = getattr(node, "draft", node)
    if not isinstance(draft, Constant):
        return ""
    text = repr(draft.value)
    return f" = {text if len(text) <= 24 else text[:23] + '…'}"


def _edges_into(node: object, ids: Mapping[int, str]) -> Iterator[PictureEdge]:
    for port in _input_ports(node):
        if port.connected is None:
            continue
        yield PictureEdge(
            src=ids[id(port.connected.node)],
            dst=ids[id(node)],
            out_port=int(port.connected.port_index),
            in_port=int(port.index),
            in_name=port.name,
            streaming=bool(port.stream_in),
            defaulted_input=bool(port.has_default),
            route=_route_name(port.connected),
        )


def _route_name(ref: object) -> str:
    route = getattr(ref, "route", None)
    return "" if route is None else route_label(route)


# --- cycles ---------------------------------------------------------------------------------


def _back_edges(picture: GraphPicture) -> set[int]:
    out_edges: dict[str, list[int]] = {node.id: [] for node in picture.nodes}
    for i, edge in enumerate(picture.edges):
        out_edges.setdefault(edge.src, []).append(i)
        out_edges.setdefault(edge.dst, [])
    state: dict[str, str] = {}  # missing = unvisited, "open" = on stack, "done"
    back: set[int] = set()
    for root in out_edges:
        if root not in state:
            _dfs_from(root, picture.edges, out_edges, state, back)
    return back


def _dfs_from(
    root: str,
    edges: Sequence[PictureEdge],
    out_edges: Mapping[str, list[int]],
    state: dict[str, str],
    back: set[int],
) -> None:
    state[root] = "open"
    stack: list[tuple[str, Iterator[int]]] = [(root, iter(out_edges[root]))]
    while stack:
        node_id, pending = stack[-1]
        edge_index = next(pending, None)
        if edge_index is None:
            state[node_id] = "done"
            stack.pop()
            continue
        target = edges[edge_index].dst
        if state.get(target) == "open":
            back.add(edge_index)
        elif target not in state:
            state[target] = "open"
            stack.append((target, iter(out_edges[target])))


# --- Mermaid --------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid_node(node: PictureNode) -> str:
    text = f'"{_mermaid_text(node.label)}"'
    return f"{node.id}([{text}])" if node.streaming else f"{node.id}[{text}]"


def _mermaid_edge(edge: PictureEdge, is_back: bool) -> str:
    if edge.dashed:
        arrow = "-.->"
    elif edge.streaming:
        arrow = "==>"
    else:
        arrow = "-->"
    label = _mermaid_text(("↺ " if is_back else "") + edge.label)
    return f'{edge.src} {arrow}|"{label}"| {edge.dst}'


def _mermaid_link_style(edge: PictureEdge, is_back: bool) -> str:
    """Extra style: red for back edges; thick for streaming edges that are also dashed."""
    parts = [f"stroke:{_BACK_EDGE_COLOR}", f"color:{_BACK_EDGE_COLOR}"] if is_back else []
    if edge.streaming and (edge.dashed or is_back):
        parts.append("stroke-width:3px")
    return ",".join(parts)


# --- DOT ------------------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_node(node: PictureNode) -> str:
    attributes = [f"label={_dot_quote(node.label)}"]
    if node.streaming:
        attributes.append('style="rounded", peripheries=2')
    return f"{node.id} [{', '.join(attributes)}];"


def _dot_edge(edge: PictureEdge, is_back: bool) -> str:
    label = ("↺ " if is_back else "") + edge.label
    attributes = [f"label={_dot_quote(label)}"]
    styles = [s for s, on in (("dashed", edge.dashed), ("bold", edge.streaming)) if on]
    if styles:
        attributes.append(f"style={_dot_quote(','.join(styles))}")
    if edge.streaming:
        attributes.append("penwidth=2.5")
    if is_back:
        attributes += [f"color={_dot_quote(_BACK_EDGE_COLOR)}", "constraint=false"]
    return f"{edge.src} -> {edge.dst} [{', '.join(attributes)}];"
