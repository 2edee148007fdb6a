"""Sphinx configuration of the one Flowno site (all four distributions).

Built by `python3 -m nox -s docs` with warnings as errors. Docstring examples are run by the
`tests` sessions (pytest --doctest-modules), not by the Sphinx doctest builder.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parent.parent
# Import the packages from the checkout when they are not installed (e.g. a quick local build).
for src in sorted(ROOT.glob("packages/*/src")):
    if str(src) not in sys.path:
        sys.path.append(str(src))

project = "Flowno"
author = "The Flowno authors"
copyright = "2026, The Flowno authors"  # noqa: A001 - Sphinx's name

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "sphinxcontrib.mermaid",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
myst_fence_as_directive = ["mermaid"]

autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# No network at build time: intersphinx inventories are not fetched.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "furo"
html_title = "Flowno"
html_static_path = ["_static"]


DOCS = Path(__file__).resolve().parent


# Top-level pages that index.md lists by name; every other docs/*.md (benchmark tables,
# pictures, tracing ..., written by the packages' authors) is listed by EXTRA_PAGES.
NAMED_PAGES = {"index", "overview", "quickstart", "changelog"}


def extra_pages() -> list[str]:
    """The top-level pages that index.md does not name, benchmark tables first."""
    stems = [p.stem for p in DOCS.glob("*.md") if p.stem not in NAMED_PAGES]
    return sorted(stems, key=lambda stem: (not stem.startswith("benchmarks-"), stem))


def foreign_names(package: str) -> list[str]:
    """Names of ``package.__all__`` defined in another package (documented at their home)."""
    module = importlib.import_module(package)
    return sorted(
        name
        for name in getattr(module, "__all__", [])
        if not str(getattr(getattr(module, name), "__module__", package)).startswith(package)
    )


def _fill_placeholders(app: Sphinx, docname: str, source: list[str]) -> None:
    """Replace EXTRA_PAGES (index toctree) and FOREIGN(pkg) (autodoc excludes)."""
    text = source[0].replace("EXTRA_PAGES", "\n".join(extra_pages()))
    for package in ("flowno_eventloop", "flowno_net", "flowno_flow"):
        token = f"FOREIGN({package})"
        if token in text:
            text = text.replace(token, ", ".join(foreign_names(package)) or "__none__")
    source[0] = text


def _skip_class_aliases(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """A module-level class stored as a class attribute (``NodeTaskStatus.Queued``) is an
    alias: document it once, where its module exports it, not again inside the class."""
    if what == "class" and isinstance(obj, type) and "." not in obj.__qualname__:
        return True
    return None


def _public_bases(app: Sphinx, name: str, obj: object, options: object, bases: list[Any]) -> None:
    """A public class built from private building blocks (``SocketHandle`` from its receive
    and send halves) lists its public bases only: a class of ours that its package does not
    export is replaced by its own bases."""
    public: list[Any] = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if _is_private_class(base):
            pending[:0] = list(base.__bases__)
        elif base not in public:
            public.append(base)
    bases[:] = public


def _is_private_class(base: object) -> bool:
    if not isinstance(base, type):
        return False
    package = base.__module__.split(".")[0]
    ours = package in ("flowno_eventloop", "flowno_net", "flowno_flow")
    return ours and getattr(sys.modules[package], base.__name__, None) is not base


def setup(app: Sphinx) -> None:
    app.connect("source-read", _fill_placeholders)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-skip-member", _skip_class_aliases)
