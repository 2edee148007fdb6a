"""Sphinx configuration of the one Flowno site (all four distributions).

Built by `python3 -m nox -s docs` with warnings as errors. Docstring examples are run by the
`tests` sessions (pytest --doctest-modules), not by the Sphinx doctest builder.
"""

from __future__ import annotations

import importlib
import inspect
import re
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
exclude_patterns = ["_build", "_static", "Thumbs.db", ".DS_Store"]

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

# Diagrams are drawn in the reader's browser by the mermaid.js shipped in _static/mermaid (no
# CDN, so they draw offline and from file://); see _use_local_mermaid below.
mermaid_version = "11.12.1"  # the vendored file's version (docs/_static/mermaid/README.md)
MERMAID_SCRIPT = "mermaid/mermaid.min.js"
MERMAID_RUN = """
document.addEventListener("DOMContentLoaded", function () {
  var theme = document.body.dataset.theme;
  var dark = theme === "dark" || (theme !== "light" &&
    window.matchMedia("(prefers-color-scheme: dark)").matches);
  mermaid.initialize({startOnLoad: false, theme: dark ? "dark" : "default"});
  mermaid.run({querySelector: "pre.mermaid", suppressErrors: true});  // draw every one
});
"""

html_theme = "furo"
html_title = "Flowno"
html_static_path = ["_static"]


DOCS = Path(__file__).resolve().parent


# Top-level pages that index.md lists by name; every other docs/*.md (the benchmark tables
# written by the benchmark scripts) is listed by EXTRA_PAGES, in the Benchmarks toctree.
NAMED_PAGES = {"index", "overview", "quickstart", "changelog"}


def extra_pages() -> list[str]:
    """The top-level pages that index.md does not name, benchmark tables first."""
    stems = [p.stem for p in DOCS.glob("*.md") if p.stem not in NAMED_PAGES]
    return sorted(stems, key=lambda stem: (not stem.startswith("benchmarks-"), stem))


LIBRARIES = ("flowno_eventloop", "flowno_net", "flowno_flow")
# Typing-only classes named by arity (MonoNode0 .. MonoNode6, ...): never instantiated, named
# once in prose on the flowno-flow page, not listed one by one.
HIDDEN = re.compile(r"^(?:MonoNode|StreamingNode|StreamingTupleNode)\d(?:_\d)?$")
MORE_NAMES = re.compile(r"^\.\. flowno-more-names:: (\w+)[ \t]*$", re.MULTILINE)
DOCUMENTED = re.compile(r"^\.\. auto\w+:: (\w+)\.(\w+)[ \t]*$", re.MULTILINE)


def home_of(package: str, name: str) -> str:
    """The library whose page documents ``package.name``: the first (in dependency order)
    that exports the very same object under that name."""
    obj = getattr(importlib.import_module(package), name)
    for library in LIBRARIES:
        module = importlib.import_module(library)
        if name in getattr(module, "__all__", []) and getattr(module, name) is obj:
            return library
    return package


def _directive(package: str, name: str) -> str:
    obj = getattr(importlib.import_module(package), name)
    if inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
        return f".. auto{kind}:: {package}.{name}"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return f".. autofunction:: {package}.{name}"
    return f".. autodata:: {package}.{name}\n   :no-value:"


def more_names(package: str, page: str) -> str:
    """Directives for the names of ``package.__all__`` that ``page`` does not document yet
    (added to the library after the page was written), under an "Other names" heading."""
    documented = {name for pkg, name in DOCUMENTED.findall(page) if pkg == package}
    names = [
        name
        for name in importlib.import_module(package).__all__
        if name not in documented and not HIDDEN.match(name) and home_of(package, name) == package
    ]
    if not names:
        return ""
    heading = "Other names"
    directives = "\n\n".join(_directive(package, name) for name in sorted(names))
    return f"{heading}\n{'-' * len(heading)}\n\n{directives}\n"


def _fill_placeholders(app: Sphinx, docname: str, source: list[str]) -> None:
    """Replace EXTRA_PAGES (index toctree) and the ``flowno-*`` lines of the API pages."""
    text = source[0].replace("EXTRA_PAGES", "\n".join(extra_pages()))
    source[0] = MORE_NAMES.sub(lambda m: more_names(m.group(1), text), text)


def _skip_class_aliases(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """A module-level class stored as a class attribute (``NodeTaskStatus.Queued``) is an
    alias: document it once, where its module exports it, not again inside the class."""
    if what == "class" and isinstance(obj, type) and "." not in obj.__qualname__:
        return True
    return None


def _add_mermaid_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """On a page with a diagram: the vendored mermaid.js (a classic script) and its start."""
    from sphinxcontrib.mermaid import mermaid as mermaid_node

    if doctree is None or doctree.next_node(mermaid_node) is None:
        return
    app.add_js_file(MERMAID_SCRIPT)
    app.add_js_file(None, body=MERMAID_RUN)


def _use_local_mermaid(app: Sphinx) -> None:
    """sphinxcontrib-mermaid keeps the ``mermaid`` directive and the ``<pre class="mermaid">``
    output; its page hook, which imports mermaid as an ES module from a CDN, is replaced."""
    from sphinxcontrib.mermaid import install_js

    for listener in list(app.events.listeners.get("html-page-context", [])):
        if listener.handler is install_js:
            app.disconnect(listener.id)
    app.connect("html-page-context", _add_mermaid_scripts)


def _document_callable_instances(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """A decorator that is an instance (``flowno_flow.node``) is documented by its
    ``__call__`` docstring, the one that says how to use it (before napoleon reads it)."""
    if what not in ("decorator", "function") or inspect.isroutine(obj) or inspect.isclass(obj):
        return
    doc = inspect.getdoc(type(obj).__call__)
    if doc:
        lines[:] = doc.splitlines()


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
    _use_local_mermaid(app)
    app.connect("autodoc-process-docstring", _document_callable_instances, priority=400)
    app.connect("source-read", _fill_placeholders)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-skip-member", _skip_class_aliases)
