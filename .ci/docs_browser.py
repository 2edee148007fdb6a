"""Look at the built docs in a real headless browser (Debian's ``chromium``).

Screenshots the index, a guide page and an API page into ``<site>/../screenshots/`` and
opens every page that has a diagram: each ``<pre class="mermaid">`` must hold a drawn
``<svg>`` (and no mermaid error) in the DOM after the page's scripts ran. Pages are opened
from ``file://``, so this also proves the site draws its pictures without any network.

Usage: ``python .ci/docs_browser.py [docs/_build/html]`` (run by ``nox -s docs-browser``);
exit status 1 when a diagram is not drawn or a screenshot is missing. Standard library only.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
# page -> window height: tall enough for the guide page's diagram to be in the picture
SCREENSHOT_PAGES = {"index.html": 1600, "guide/pictures.html": 3400, "api/flowno-flow.html": 1600}
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",  # let the page's scripts run before dumping or shooting
)


class Diagram(NamedTuple):
    """One ``<pre class="mermaid">`` of a rendered page: drawn or not, and why not."""

    drawn: bool
    error: bool


class _DiagramFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.diagrams: list[Diagram] = []
        self._depth = 0  # > 0 while inside a pre.mermaid
        self._svg = False
        self._error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += 1
            self._svg = self._svg or tag == "svg"
            self._error = self._error or "error-icon" in classes or "error-text" in classes
        elif tag == "pre" and "mermaid" in classes:
            self._depth, self._svg, self._error = 1, False, False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if self._depth == 0:
                self.diagrams.append(Diagram(self._svg, self._error))

    def handle_data(self, data: str) -> None:
        if self._depth and "Syntax error in text" in data:
            self._error = True


def diagrams_in(dom: str) -> list[Diagram]:
    """The mermaid blocks of a page's DOM, each drawn (an ``<svg>`` inside) or not.

    >>> diagrams_in('<pre class="mermaid">flowchart LR\\n a --> b</pre>')
    [Diagram(drawn=False, error=False)]
    >>> diagrams_in('<pre class="mermaid" data-processed="true"><svg><g></g></svg></pre>')
    [Diagram(drawn=True, error=False)]
    """
    finder = _DiagramFinder()
    finder.feed(dom)
    finder.close()
    return finder.diagrams


def find_browser() -> str:
    """The chromium executable on PATH, or an error naming the Debian package."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no chromium on PATH: apt-get install chromium")


def _run_browser(browser: str, profile: Path, *args: str) -> str:
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def check_site(site: Path, shots: Path, browser: str) -> list[str]:
    """Screenshot the chosen pages and check every diagram; the problems found."""
    problems: list[str] = []
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flowno-docs-browser-") as tmp:
        profile = Path(tmp)  # a fresh profile: nothing cached, nothing signed in
        for page, height in SCREENSHOT_PAGES.items():
            png = shots / (page.replace("/", "-").removesuffix(".html") + ".png")
            png.unlink(missing_ok=True)
            url = (site / page).resolve().as_uri()
            _run_browser(
                browser, profile, f"--window-size=1280,{height}", f"--screenshot={png}", url
            )
            if not png.is_file() or png.stat().st_size == 0:
                problems.append(f"{page}: no screenshot")
            else:
                print(f"screenshot {png}")
        for page in sorted(site.rglob("*.html")):
            if 'class="mermaid"' not in page.read_text(encoding="utf-8"):
                continue
            dom = _run_browser(browser, profile, "--dump-dom", page.resolve().as_uri())
            found = diagrams_in(dom)
            name = page.relative_to(site)
            drawn = sum(d.drawn and not d.error for d in found)
            print(f"{name}: {drawn}/{len(found)} diagrams drawn")
            if not found:
                problems.append(f"{name}: the rendered DOM has no mermaid block")
            for i, diagram in enumerate(found, 1):
                if diagram.error:
                    problems.append(f"{name}: diagram {i} shows a mermaid syntax error")
                elif not diagram.drawn:
                    problems.append(f"{name}: diagram {i} is not drawn (no <svg>)")
    return problems


def main(argv: list[str]) -> int:
    site = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "_build" / "html"
    problems = check_site(site, site.parent / "screenshots", find_browser())
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
