"""Fail when a built docs page loads anything from the network (a CDN script, a web font).

The site must read the same offline, in an air-gapped mirror and from ``file://``: every
script, stylesheet, image, font and module import comes from the site itself. Ordinary links
(``<a href="https://...">``) are fine: they load nothing.

Usage: ``python .ci/check_offline_docs.py [docs/_build/html]``; exit status 1 on a finding,
one line per finding: ``page: what``. Standard library only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
# Loads hidden in inline scripts and styles: ES module imports, fetches, CSS url()/@import.
INLINE_LOADS = re.compile(
    r"""(?:\bimport\b[^;'"]*|\bimport\s*\(\s*|\bfetch\s*\(\s*|url\(\s*|@import\s+)"""
    r"""['"]?((?:https?:)?//[^'")\s]+)""",
    re.IGNORECASE,
)
CDN_HOSTS = re.compile(
    r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|fonts\.googleapis\.com"
    r"|fonts\.gstatic\.com|ajax\.googleapis\.com|esm\.sh|cdn\.skypack\.dev",
    re.IGNORECASE,
)
# (tag, attribute) pairs that make the browser load a resource.
LOADING = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut icon"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for attribute, value in values.items():
            if (tag, attribute) in LOADING and REMOTE.match(value):
                self.found.append(f"<{tag} {attribute}={value!r}>")
        rel = values.get("rel", "").lower()
        if tag == "link" and rel in LOADING_LINK_RELS and REMOTE.match(values.get("href", "")):
            self.found.append(f"<link rel={rel!r} href={values['href']!r}>")
        if tag in ("script", "style"):
            self._inline = tag
        style = values.get("style", "")
        self.found.extend(f"style url {url!r}" for url in INLINE_LOADS.findall(style))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inline:
            self._inline = None

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self.found.extend(
                f"inline <{self._inline}> loads {url!r}" for url in INLINE_LOADS.findall(data)
            )


def remote_loads(html: str) -> list[str]:
    """What a page would fetch from the network.

    >>> remote_loads('<script src="https://cdn.jsdelivr.net/npm/x.js"></script><a href="https://x.org">x</a>')
    ["<script src='https://cdn.jsdelivr.net/npm/x.js'>"]
    >>> remote_loads('<script type="module">import m from "_static/m.mjs";</script>')
    []
    """
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def findings(site: Path) -> Iterator[str]:
    """``page: what`` for every remote load of every page, and for CDN names in scripts."""
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site)
        html = page.read_text(encoding="utf-8")
        for what in remote_loads(html):
            yield f"{relative}: {what}"
        for line in html.splitlines():
            if CDN_HOSTS.search(line) and "<a " not in line:
                yield f"{relative}: names a CDN: {line.strip()[:120]}"


def main(argv: list[str]) -> int:
    site = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"{site}: no built site (index.html missing); build the docs first")
        return 2
    found = list(findings(site))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} network load(s) in the built docs: ship the file in docs/_static")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
