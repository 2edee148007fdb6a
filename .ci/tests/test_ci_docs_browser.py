"""The docs-browser check's reading of a rendered DOM: drawn, not drawn, or a mermaid error."""

from __future__ import annotations

import docs_browser  # from .ci/, see conftest.py
import pytest

Diagram = docs_browser.Diagram

DRAWN = '<pre class="mermaid" data-processed="true"><div><svg><g><rect/></g></svg></div></pre>'
RAW = '<pre class="mermaid">flowchart LR\n  a --> b\n</pre>'
ERROR = (
    '<pre class="mermaid" data-processed="true"><svg aria-roledescription="error"><g>'
    '<path class="error-icon"/><text class="error-text">Syntax error in text</text>'
    "</g></svg></pre>"
)


@pytest.mark.parametrize(
    ("dom", "expected"),
    [
        (DRAWN, [Diagram(drawn=True, error=False)]),
        (RAW, [Diagram(drawn=False, error=False)]),
        (ERROR, [Diagram(drawn=True, error=True)]),
        (f"<p>intro</p>{DRAWN}<pre>code</pre>{RAW}", [Diagram(True, False), Diagram(False, False)]),
        ("<pre>flowchart LR</pre><svg></svg>", []),
    ],
)
def test_diagrams_in_a_rendered_page(dom: str, expected: list[object]) -> None:
    assert docs_browser.diagrams_in(dom) == expected


def test_the_flags_keep_the_browser_off_the_network() -> None:
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        assert flag in docs_browser.FLAGS
