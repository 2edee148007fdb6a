"""Every pin on a sibling distribution admits that sibling's current version.

Usage: python .ci/check_pins.py [packages_dir]   (exit 1 and one line per bad pin)
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _packages import PACKAGES_DIR, canonical, load_projects  # noqa: E402


def bad_pins(packages_dir: Path = PACKAGES_DIR) -> list[str]:
    """One message per dependency on a sibling whose specifier excludes the sibling's version."""
    projects = load_projects(packages_dir)
    versions = {name: Version(p.version) for name, p in projects.items()}
    problems: list[str] = []
    for name, project in projects.items():
        for text in project.dependencies:
            requirement = Requirement(text)
            sibling = canonical(requirement.name)
            if sibling in versions and not requirement.specifier.contains(
                versions[sibling], prereleases=True
            ):
                problems.append(
                    f"{name}: requirement '{text}' does not admit {sibling} {versions[sibling]}"
                )
    return problems


def main(argv: list[str]) -> int:
    packages_dir = Path(argv[1]) if len(argv) > 1 else PACKAGES_DIR
    problems = bad_pins(packages_dir)
    for line in problems:
        print(line)
    if not problems:
        print(f"sibling pins OK ({len(load_projects(packages_dir))} distributions)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
