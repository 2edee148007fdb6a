"""Shared reading of packages/*/pyproject.toml for the .ci scripts (standard library only)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomllib  # the .ci scripts run on the tools' Python (3.11+)

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_DIR = ROOT / "packages"


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Project:
    """One distribution: its directory, name, version and dependency strings."""

    def __init__(self, directory: Path, table: dict[str, Any]) -> None:
        self.directory = directory
        self.name = canonical(str(table["name"]))
        self.version = str(table["version"])
        self.dependencies = [str(d) for d in table.get("dependencies", [])]


def load_projects(packages_dir: Path = PACKAGES_DIR) -> dict[str, Project]:
    """Distribution name -> Project, for every packages/*/pyproject.toml."""
    projects: dict[str, Project] = {}
    for pyproject in sorted(packages_dir.glob("*/pyproject.toml")):
        with open(pyproject, "rb") as f:
            project = Project(pyproject.parent, tomllib.load(f)["project"])
        projects[project.name] = project
    return projects
