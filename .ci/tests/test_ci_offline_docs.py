"""The offline-docs check: a built page that loads anything from the network fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import check_offline_docs as check  # from .ci/, see conftest.py
import pytest

CI_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mermaid/dist/mermaid.min.js"></script>',
        '<script src="//unpkg.com/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
        '<img src="http://example.org/logo.png">',
        '<script type="module">import mermaid from "https://cdn.jsdelivr.net/npm/m.mjs";</script>',
        '<script>const m = await import("https://esm.sh/mermaid");</script>',
        "<style>@import url(https://fonts.googleapis.com/css2?family=Inter);</style>",
        '<div style="background: url(https://example.org/bg.png)"></div>',
    ],
)
def test_a_remote_load_is_found(html: str) -> None:
    assert check.remote_loads(html), html


@pytest.mark.parametrize(
    "html",
    [
        '<script src="_static/mermaid/mermaid.min.js"></script>',
        '<link rel="stylesheet" href="_static/furo.css">',
        '<a href="https://github.com/">a link loads nothing</a>',
        '<link rel="canonical" href="https://example.org/page.html">',
        '<script>mermaid.run({querySelector: "pre.mermaid"});</script>',
        '<pre class="mermaid">flowchart LR\n a --> b</pre>',
    ],
)
def test_local_files_and_links_are_fine(html: str) -> None:
    assert check.remote_loads(html) == []


def _site(tmp_path: Path, page: str) -> Path:
    (tmp_path / "index.html").write_text("<html><body>home</body></html>")
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "page.html").write_text(page)
    return tmp_path


def _run(site: Path) -> subprocess.CompletedProcess[str]:
    script = str(CI_DIR / "check_offline_docs.py")
    return subprocess.run(
        [sys.executable, script, str(site)], capture_output=True, text=True, check=False
    )


def test_the_script_names_the_page_and_fails(tmp_path: Path) -> None:
    cdn = '<script type="module">import m from "https://cdn.jsdelivr.net/npm/mermaid.mjs"</script>'
    result = _run(_site(tmp_path, cdn))
    assert result.returncode == 1
    assert "guide/page.html: inline <script> loads 'https://cdn.jsdelivr.net" in result.stdout


def test_the_script_passes_an_offline_site(tmp_path: Path) -> None:
    result = _run(_site(tmp_path, '<script src="../_static/mermaid/mermaid.min.js"></script>'))
    assert (result.returncode, result.stdout) == (0, "")


def test_the_script_refuses_a_missing_site(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 2
    assert "index.html missing" in result.stdout
