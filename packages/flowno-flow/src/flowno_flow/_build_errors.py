# Rules: build-time exceptions only (decoration, node construction, FlowHDL exit).
# Every class subclasses FlownoBuildError *and* the builtin the original raised
# (TypeError, AttributeError, ValueError, IndexError), so old `except` clauses keep
# working. Messages name the node ("Add#0"), the port/argument and the user's file:line.
"""Build-time errors of flowno-flow: bad node definitions, bad arguments, bad graphs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ConnectionTypeError",
    "FlowNotFinalizedError",
    "FlownoBuildError",
    "GraphBuildError",
    "NodeArgumentError",
    "NodeDefinitionError",
    "NodeReuseError",
    "NotANodeError",
    "OutputPortError",
    "PortAlreadyConnectedError",
    "ReservedNameError",
    "StreamWiringError",
    "TemplateContextError",
    "UnconnectedInputError",
    "UndefinedReferenceError",
    "did_you_mean",
]


class FlownoBuildError(Exception):
    """Base class of every error raised while defining or wiring a flow.

    Example:
        >>> issubclass(UnconnectedInputError, FlownoBuildError)
        True
    """


class NodeDefinitionError(FlownoBuildError, TypeError):
    """``@node`` applied to something that cannot be a node.

    Raised at decoration time: a plain function, a sync generator, a class without an
    async ``call``, a ``stream_in`` name that matches no parameter.

    Example:
        >>> raise NodeDefinitionError("plain() is not async")
        Traceback (most recent call last):
        ...
        flowno_flow._build_errors.NodeDefinitionError: plain() is not async
    """


class MissingCallError(NodeDefinitionError, AttributeError):
    """A class decorated with ``@node`` has no ``call`` method (was ``AttributeError``).

    Example:
        >>> issubclass(MissingCallError, AttributeError)
        True
    """


class BadSelfParameterError(NodeDefinitionError, ValueError):
    """A class node's ``call`` does not take ``self`` first (was ``ValueError``).

    Example:
        >>> issubclass(BadSelfParameterError, ValueError)
        True
    """


class UnknownStreamInError(NodeDefinitionError, ValueError):
    """``stream_in`` names a parameter that does not exist.

    Example:
        >>> issubclass(UnknownStreamInError, ValueError)
        True
    """


class NodeArgumentError(FlownoBuildError, TypeError):
    """A node (or template) was called with arguments that do not fit its parameters.

    Example:
        >>> issubclass(NodeArgumentError, TypeError)
        True
    """


class OutputPortError(FlownoBuildError, IndexError):
    """An output or input port index that the node does not have.

    Example:
        >>> issubclass(OutputPortError, IndexError)
        True
    """


class GraphBuildError(FlownoBuildError, AttributeError):
    """A graph error found when a ``FlowHDL`` block exits (was ``AttributeError``).

    Example:
        >>> issubclass(GraphBuildError, AttributeError)
        True
    """


class UndefinedReferenceError(GraphBuildError):
    """Forward references (``f.name``) that were never defined.

    Example:
        >>> issubclass(UndefinedReferenceError, AttributeError)
        True
    """


class NotANodeError(GraphBuildError):
    """A name used as a node is bound to something that is not a node.

    Example:
        >>> issubclass(NotANodeError, GraphBuildError)
        True
    """


class UnconnectedInputError(GraphBuildError):
    """A required input port (no default value) is left unconnected.

    Example:
        >>> issubclass(UnconnectedInputError, GraphBuildError)
        True
    """


class ReservedNameError(GraphBuildError):
    """Assigning to a ``FlowHDL`` keyword such as ``run_until_complete``.

    Example:
        >>> issubclass(ReservedNameError, AttributeError)
        True
    """


class NodeReuseError(GraphBuildError):
    """A node that already belongs to another (finalized) flow is used again.

    Example:
        >>> issubclass(NodeReuseError, GraphBuildError)
        True
    """


class PortAlreadyConnectedError(GraphBuildError):
    """Connecting a second producer to an input port that already has one.

    Example:
        >>> issubclass(PortAlreadyConnectedError, GraphBuildError)
        True
    """


class StreamWiringError(GraphBuildError):
    """A ``stream_in`` port fed by a producer that cannot stream.

    Example:
        >>> issubclass(StreamWiringError, GraphBuildError)
        True
    """


class ConnectionTypeError(GraphBuildError, TypeError):
    """The annotated types at the two ends of a connection do not fit.

    Example:
        >>> issubclass(ConnectionTypeError, TypeError)
        True
    """


class FlowNotFinalizedError(FlownoBuildError, RuntimeError):
    """Running (or picturing) a ``FlowHDL`` whose ``with`` block has not exited.

    Example:
        >>> issubclass(FlowNotFinalizedError, RuntimeError)
        True
    """


class TemplateContextError(FlownoBuildError, RuntimeError):
    """A template (group) called outside any ``FlowHDL`` context.

    Example:
        >>> issubclass(TemplateContextError, RuntimeError)
        True
    """


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``.

    Args:
        name: The misspelled name.
        candidates: The names that exist.

    Returns:
        A suffix for an error message.

    Example:
        >>> did_you_mean("totl", ["total", "base"])
        " (did you mean 'total'?)"
        >>> did_you_mean("zzz", ["total"])
        ''
    """
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
