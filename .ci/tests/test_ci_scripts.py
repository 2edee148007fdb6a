"""The release-tag check and the sibling-pin check, on a throwaway packages/ tree."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

CI_DIR = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(CI_DIR))
    spec = importlib.util.spec_from_file_location(name, CI_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_release_tag = _load("check_release_tag")
check_pins = _load("check_pins")


def _write(root: Path, dist: str, version: str, deps: list[str]) -> None:
    (root / dist).mkdir(parents=True)
    dep_list = ", ".join(f'"{d}"' for d in deps)
    (root / dist / "pyproject.toml").write_text(
        f'[project]\nname = "{dist}"\nversion = "{version}"\ndependencies = [{dep_list}]\n'
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _write(tmp_path, "flowno-eventloop", "0.1.3", ["typing_extensions>=4.6"])
    _write(tmp_path, "flowno-net", "0.1.0", ["flowno-eventloop>=0.1,<0.2"])
    _write(tmp_path, "flowno", "0.2.0", ["flowno-eventloop>=0.1,<0.2", "flowno_net>=0.1,<0.2"])
    return tmp_path


@pytest.mark.parametrize(
    ("tag", "directory"),
    [
        ("flowno-eventloop-v0.1.3", "flowno-eventloop"),
        ("flowno-net-v0.1.0", "flowno-net"),
        ("refs/tags/flowno-v0.2.0", "flowno"),
    ],
)
def test_matching_tag_names_the_package_directory(tree: Path, tag: str, directory: str) -> None:
    assert check_release_tag.package_for_tag(tag, tree) == tree / directory


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("flowno-net-v0.1.1", "pyproject.toml says 0.1.0"),
        ("flowno-v0.1.0", "says flowno 0.1.0 but"),
        ("flowno-eventloop-0.1.3", "not of the form"),
        ("flowno-flow-v0.1.0", "names 'flowno-flow', which is none of"),
        ("v0.1.0", "not of the form"),
    ],
)
def test_mismatching_tag_is_refused(tree: Path, tag: str, message: str) -> None:
    with pytest.raises(check_release_tag.TagError, match=message):
        check_release_tag.package_for_tag(tag, tree)


def test_pins_admitting_the_siblings_pass(tree: Path) -> None:
    assert check_pins.bad_pins(tree) == []


def test_pin_excluding_a_sibling_version_is_reported(tree: Path) -> None:
    _write(tree, "flowno-flow", "0.1.0", ["flowno-eventloop>=0.2,<0.3"])
    assert check_pins.bad_pins(tree) == [
        "flowno-flow: requirement 'flowno-eventloop>=0.2,<0.3' does not admit "
        "flowno-eventloop 0.1.3"
    ]


def test_the_real_tree_is_consistent() -> None:
    assert check_pins.bad_pins() == []
    for project in check_release_tag.load_projects().values():
        tag = f"{project.name}-v{project.version}"
        assert check_release_tag.package_for_tag(tag) == project.directory
