"""Check that a release tag `<dist>-v<version>` names a distribution at that exact version.

Usage: python .ci/check_release_tag.py flowno-net-v0.1.0
Prints the package directory (for the release workflow) and exits 0, or explains and exits 1.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _packages import PACKAGES_DIR, canonical, load_projects  # noqa: E402

TAG = re.compile(r"^(?P<dist>[A-Za-z0-9][A-Za-z0-9._-]*?)-v(?P<version>\d[^\s]*)$")


class TagError(ValueError):
    """The tag is malformed, names no distribution, or disagrees with the package version."""


def package_for_tag(tag: str, packages_dir: Path = PACKAGES_DIR) -> Path:
    """The package directory the tag releases; raises TagError when the tag does not match."""
    match = TAG.match(tag.removeprefix("refs/tags/"))
    if match is None:
        raise TagError(f"tag {tag!r} is not of the form <dist>-v<version>")
    dist, version = canonical(match["dist"]), match["version"]
    projects = load_projects(packages_dir)
    if dist not in projects:
        raise TagError(f"tag {tag!r} names {dist!r}, which is none of {sorted(projects)}")
    project = projects[dist]
    if project.version != version:
        raise TagError(
            f"tag {tag!r} says {dist} {version} but its pyproject.toml says {project.version}"
        )
    return project.directory


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(package_for_tag(argv[1]).relative_to(PACKAGES_DIR.parent))
    except TagError as error:
        print(f"release tag check failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
