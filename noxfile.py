"""The one orchestrator of the Flowno monorepo.

`python3 -m nox` runs every default session (the whole test suite, what .ci/run runs);
`python3 -m nox -s demo` installs the four packages and runs the demo; `nox -l` lists them.

Rules of this file:
- Sibling dependencies are read from packages/*/pyproject.toml, never written twice here;
  test tools come from each package's `[dependency-groups] test`, session tools from the
  root pyproject.toml's `[dependency-groups]`.
- Siblings are always installed from their local paths in the same install command, so no
  `flowno*` distribution is ever taken from an index.
- A missing interpreter is an error; pyenv interpreters are found without touching the shell.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent
PACKAGES_DIR = ROOT / "packages"
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
TYPECHECK_PYTHON = "3.10"
TOOLS_PYTHON = "3.11"
# pyright --verifytypes must find every public symbol's type known (100 %); lower it only as a
# recorded decision, never silently.
VERIFYTYPES_MIN_SCORE = 100.0
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Distribution name (= its directory under packages/) -> import name. Dependencies first.
PACKAGES = {
    "flowno-eventloop": "flowno_eventloop",
    "flowno-net": "flowno_net",
    "flowno-flow": "flowno_flow",
    "flowno": "flowno",
}


# Extras a package's own tests need (installed with it in `tests` and `isolated`).
TEST_EXTRAS = {"flowno-net": "[http]"}


def _pyproject(dist: str) -> dict[str, object]:
    return nox.project.load_toml(PACKAGES_DIR / dist / "pyproject.toml")


def sibling_closure(dist: str) -> list[str]:
    """The distribution and every sibling it needs (transitively), dependencies first."""
    needed: list[str] = []

    def visit(name: str) -> None:
        project = _pyproject(name)["project"]
        assert isinstance(project, dict)
        for requirement in project.get("dependencies", []):
            dep = canonicalize_name(Requirement(requirement).name)
            if dep in PACKAGES and dep not in needed:
                visit(dep)
        if name not in needed:
            needed.append(name)

    visit(dist)
    return needed


def test_tools(dist: str) -> tuple[str, ...]:
    return nox.project.dependency_groups(_pyproject(dist), "test")


def session_tools(group: str) -> tuple[str, ...]:
    """A `[dependency-groups]` entry of the root pyproject.toml (tools of one session)."""
    return nox.project.dependency_groups(nox.project.load_toml(ROOT / "pyproject.toml"), group)


def _local_paths(dists: list[str], *, editable: bool, extras: bool = False) -> list[str]:
    args: list[str] = []
    for name in dists:
        if editable:
            args.append("-e")
        args.append(str(PACKAGES_DIR / name) + (TEST_EXTRAS.get(name, "") if extras else ""))
    return args


# --- interpreters and installers --------------------------------------------------------


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        root = subprocess.run(
            ["pyenv", "root"], capture_output=True, text=True, check=False
        ).stdout.strip()
    path = Path(root) if root else Path.home() / ".pyenv"
    return path if (path / "versions").is_dir() else None


def _expose_pyenv_interpreters() -> None:
    """Make `python3.X` for every version in PYTHONS resolvable from pyenv's versions/.

    Only 3.11 is on PATH here; the others live in $(pyenv root)/versions/<X.Y.Z>/bin. Their
    bin dirs are prepended to PATH (newest patch release per X.Y) so nox finds them instead
    of a pyenv shim that would refuse to run.
    """
    root = _pyenv_root()
    if root is None:
        return
    bin_dirs: list[str] = []
    for minor in PYTHONS:
        candidates = sorted(
            (
                p
                for p in (root / "versions").glob(f"{minor}.*")
                if (p / "bin" / f"python{minor}").exists()
            ),
            key=lambda p: tuple(int(x) for x in p.name.split(".") if x.isdigit()),
        )
        if candidates:
            bin_dirs.append(str(candidates[-1] / "bin"))
    os.environ["PATH"] = os.pathsep.join([*bin_dirs, os.environ.get("PATH", "")])


_expose_pyenv_interpreters()
# uv: never download an interpreter, and only the default index (PyPI).
os.environ["UV_PYTHON_DOWNLOADS"] = "never"
for _var in ("UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX", "UV_FIND_LINKS"):
    os.environ.pop(_var, None)

_HAS_UV = shutil.which("uv") is not None or importlib.util.find_spec("uv") is not None
nox.options.default_venv_backend = "uv" if _HAS_UV else "virtualenv"
nox.options.error_on_missing_interpreters = True
nox.options.reuse_venv = "no" if IN_CI else "yes"
nox.options.sessions = ["tests", "lint", "typecheck", "docs", "build", "isolated", "clusters"]


# --- sessions -----------------------------------------------------------------------------


@nox.session(python=PYTHONS)
@nox.parametrize("dist", [nox.param(d, id=d) for d in PACKAGES])
def tests(session: nox.Session, dist: str) -> None:
    """One package on one Python, with only what it declares installed: tests + doctests."""
    session.install(
        *_local_paths(sibling_closure(dist), editable=True, extras=True), *test_tools(dist)
    )
    src = PACKAGES_DIR / dist / "src"
    report = ROOT / ".nox" / "_reports" / (re.sub(r"[^\w.-]+", "_", session.name) + ".xml")
    report.parent.mkdir(parents=True, exist_ok=True)
    session.run(
        "pytest", str(PACKAGES_DIR / dist / "tests"), f"--junitxml={report}", *session.posargs
    )
    # A package without any docstring example is not a failure of this session (exit 5).
    session.run("pytest", "--doctest-modules", str(src), success_codes=[0, 5])


@nox.session(python=TOOLS_PYTHON)
def clusters(session: nox.Session) -> None:
    """The Dask and Ray executors (and executor nodes) against a real local Dask cluster and a
    real local Ray."""
    eventloop = PACKAGES_DIR / "flowno-eventloop"
    session.install(
        "-e",
        f"{eventloop}[dask,ray]",
        *_local_paths(["flowno-flow"], editable=True),
        *test_tools("flowno-eventloop"),
    )
    folders = [
        str(PACKAGES_DIR / dist / "tests_clusters") for dist in ("flowno-eventloop", "flowno-flow")
    ]
    session.run("pytest", *folders, "-q", *session.posargs)


@nox.session(python=TOOLS_PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, the import contracts, sibling pins, file and function sizes, and no reference to
    outside material."""
    session.install(*_local_paths(list(PACKAGES), editable=True), *session_tools("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports", "--no-cache")
    session.run("python", ".ci/check_pins.py")
    session.run("python", ".ci/check_sizes.py")
    session.run("pytest", ".ci/tests", "-q")
    session.run(
        "pytest",
        "--doctest-modules",
        "docs/tools/render_trace.py",
        ".ci/check_references.py",
        ".ci/check_sizes.py",
        ".ci/check_offline_docs.py",
        ".ci/docs_browser.py",
        "-q",
    )
    # Last, so every other check above has already spoken: no reference to material outside
    # the repository (planning documents, numbered weaknesses, review tags).
    session.run("python", ".ci/check_references.py")


@nox.session(python=TYPECHECK_PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict and pyright strict over the four src trees; pyright --verifytypes.

    pyright finds the packages through the session's activated virtualenv (VIRTUAL_ENV and
    PATH), which --verifytypes needs; `--pythonpath` alone does not let it see them.
    """
    session.install(*_local_paths(list(PACKAGES), editable=True), *session_tools("typecheck"))
    session.run("mypy", "--strict", *(f"-p={name}" for name in PACKAGES.values()))
    session.run("pyright")
    incomplete: list[str] = []
    for name in PACKAGES.values():  # every package's score, then one verdict
        out = session.run(
            "pyright", "--verifytypes", name, "--ignoreexternal", silent=True, success_codes=[0, 1]
        )
        score = re.search(r"Type completeness score: ([\d.]+)%", str(out))
        session.log(f"{name}: type completeness {score.group(1) if score else '?'}%")
        if score is None or float(score.group(1)) < VERIFYTYPES_MIN_SCORE:
            print(out)
            incomplete.append(name)
    if incomplete:
        session.error(f"pyright --verifytypes: below {VERIFYTYPES_MIN_SCORE}% in {incomplete}")


@nox.session(python=TOOLS_PYTHON)
def docs(session: nox.Session) -> None:
    """The Sphinx site of all four packages, warnings as errors; complete and offline."""
    _build_docs(session)


@nox.session(name="docs-browser", python=TOOLS_PYTHON)
def docs_browser(session: nox.Session) -> None:
    """Not a default session: build the site, then look at it in headless chromium.

    Installs Debian's `chromium` with apt when it is missing (a browser download of its own
    cannot be fetched here), screenshots the index, a guide page and an API page into
    docs/_build/screenshots/, and fails when a diagram is not drawn.
    """
    out = _build_docs(session)
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser")):
        apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run(*apt, "update", external=True, env=env)
        session.run(
            *apt, "install", "-y", "--no-install-recommends", "chromium", external=True, env=env
        )
    session.run("python", str(ROOT / ".ci" / "docs_browser.py"), str(out))


def _build_docs(session: nox.Session) -> Path:
    session.install(*_local_paths(list(PACKAGES), editable=True), *session_tools("docs"))
    out = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(out))
    # Offline: no page loads a script, style, font or image from the network (CDN).
    session.run("python", str(ROOT / ".ci" / "check_offline_docs.py"), str(out))
    # Complete: every name of every package's __all__ is in objects.inv (says what to add).
    session.run("python", str(ROOT / ".ci" / "check_docs_inventory.py"), str(out / "objects.inv"))
    return out


@nox.session(python=TOOLS_PYTHON)
def build(session: nox.Session) -> None:
    """Wheels and sdists of all four distributions into dist/, checked by twine."""
    session.install(*session_tools("build"), *([] if _HAS_UV else ["build"]))
    out = ROOT / "dist"
    shutil.rmtree(out, ignore_errors=True)
    for dist in PACKAGES:
        _build(session, PACKAGES_DIR / dist, out)
    built = sorted(str(p) for pattern in ("*.whl", "*.tar.gz") for p in out.glob(pattern))
    if len(built) != 2 * len(PACKAGES):
        session.error(f"expected a wheel and an sdist per distribution, got {built}")
    session.run("twine", "check", "--strict", *built)


@nox.session(python=TYPECHECK_PYTHON)
@nox.parametrize("dist", [nox.param(d, id=d) for d in PACKAGES])
def isolated(session: nox.Session, dist: str) -> None:
    """The built wheel alone (plus the sibling wheels it needs), tests run outside the tree."""
    if not _HAS_UV:
        session.install("build")
    with tempfile.TemporaryDirectory(prefix=f"{dist}-isolated-") as tmp:
        work = Path(tmp)
        wheels = work / "wheels"
        for name in sibling_closure(dist):
            _build(session, PACKAGES_DIR / name, wheels, "--wheel")
        built = sorted(wheels.glob("*.whl"))
        extras = TEST_EXTRAS.get(dist, "")
        session.install(
            *(f"{w}{extras}" if w.name.startswith(PACKAGES[dist] + "-") else str(w) for w in built),
            *test_tools(dist),
        )
        # Only the tests and the root pytest configuration (warnings are errors, timeout,
        # strictness) are copied, at their repository paths; no source tree comes along.
        tests_copy = work / "packages" / dist / "tests"
        shutil.copytree(PACKAGES_DIR / dist / "tests", tests_copy)
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        session.chdir(work)
        session.run(
            "python", "-c", f"import {PACKAGES[dist]}, sys; print({PACKAGES[dist]}.__file__)"
        )
        session.run("pytest", str(tests_copy.relative_to(work)), "-q", "-p", "no:cacheprovider")
        session.chdir(ROOT)


@nox.session(python=TOOLS_PYTHON)
def demo(session: nox.Session) -> None:
    """Install the four packages and run the demo (a streaming chat in a cycle)."""
    session.install(*_local_paths(list(PACKAGES), editable=False))
    session.run("python", "-m", "flowno", "demo", *session.posargs)


@nox.session(python=False)
def release_check(session: nox.Session) -> None:
    """`nox -s release_check -- <dist>-v<version>`: does the tag match the package version?"""
    if len(session.posargs) != 1:
        session.error("usage: nox -s release_check -- <dist>-v<version>")
    session.run(sys.executable, str(ROOT / ".ci" / "check_release_tag.py"), session.posargs[0])


def _build(session: nox.Session, project: Path, out: Path, *extra: str) -> None:
    """sdist + wheel (or only what `extra` asks for) of one distribution into `out`."""
    if _HAS_UV:
        session.run("uv", "build", *extra, "--out-dir", str(out), str(project), external=True)
    else:
        session.run("python", "-m", "build", *extra, "--outdir", str(out), str(project))
