"""``from flowno import ...`` offers the whole public API of the three libraries."""

from __future__ import annotations

import importlib

import pytest

import flowno

LIBRARIES = ("flowno_eventloop", "flowno_net", "flowno_flow")


def _union() -> dict[str, tuple[str, object]]:
    """Every name of the libraries' ``__all__`` -> (first library exporting it, the object)."""
    names: dict[str, tuple[str, object]] = {}
    for library in LIBRARIES:
        module = importlib.import_module(library)
        for name in module.__all__:
            names.setdefault(name, (library, getattr(module, name)))
    return names


def test_flowno_all_is_the_union_of_the_libraries_all() -> None:
    union = set(_union())
    offered = set(flowno.__all__)
    assert not union - offered, f"add to flowno.__all__: {sorted(union - offered)}"
    assert not offered - union, f"not exported by any library: {sorted(offered - union)}"


@pytest.mark.parametrize("name", sorted(_union()))
def test_each_name_is_the_library_object(name: str) -> None:
    library, obj = _union()[name]
    assert getattr(flowno, name) is obj, f"flowno.{name} is not {library}.{name}"


def test_a_name_exported_by_two_libraries_is_one_object() -> None:
    modules = [importlib.import_module(library) for library in LIBRARIES]
    for first in modules:
        for second in modules:
            for name in set(first.__all__) & set(second.__all__):
                assert getattr(first, name) is getattr(second, name), name


@pytest.mark.parametrize(
    "name",
    [
        "TaskGroup",
        "move_on_after",
        "fail_after",
        "CancelScope",
        "to_thread",
        "Semaphore",
        "MockClock",
        "DeadlockError",
        "serve",
        "ChromeTraceInstrument",
    ],
)
def test_names_users_asked_for_are_importable(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from flowno import {name}", namespace)  # the statement a user writes
    assert namespace[name] is getattr(flowno, name)


def test_star_import_gives_every_name() -> None:
    namespace: dict[str, object] = {}
    exec("from flowno import *", namespace)
    assert set(_union()) <= set(namespace)
