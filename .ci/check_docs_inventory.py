"""Every public name of every package is in the built API reference (``objects.inv``).

For each library (``flowno_eventloop``, ``flowno_net``, ``flowno_flow``) and the meta package
``flowno``, every name of ``__all__`` must be documented on the page of the library that
defines it (a name two packages export is documented once, at its first home in dependency
order). The typing-only classes named by arity (``docs/conf.py``'s ``HIDDEN``) are exempt.
The failure message says which names to add to which page.

Usage: ``python .ci/check_docs_inventory.py [docs/_build/html/objects.inv]`` in an environment
where the packages and Sphinx are installed (the ``docs`` nox session runs it).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("flowno_eventloop", "flowno_net", "flowno_flow")
PACKAGES = (*LIBRARIES, "flowno")
PAGES = {
    "flowno_eventloop": "docs/api/flowno-eventloop.rst",
    "flowno_net": "docs/api/flowno-net.rst",
    "flowno_flow": "docs/api/flowno-flow.rst",
    "flowno": "docs/api/flowno.rst",
}


def inventory_names(data: bytes) -> set[str]:
    """The Python object names of a Sphinx ``objects.inv`` (version 2).

    >>> body = zlib.compress(b"flowno_flow.node py:decorator 1 api/x.html#$ -\\n")
    >>> inventory_names(b"# Sphinx inventory version 2\\n# Project: P\\n# Version:\\n"
    ...                 b"# The remainder of this file is compressed using zlib.\\n" + body)
    {'flowno_flow.node'}
    """
    header_lines = 4
    parts = data.split(b"\n", header_lines)
    if not parts[0].startswith(b"# Sphinx inventory version 2"):
        raise ValueError("not a Sphinx version 2 inventory")
    names: set[str] = set()
    for line in zlib.decompress(parts[header_lines]).decode().splitlines():
        match = re.match(r"(.+?)\s+py:\w+\s+-?\d+\s", line)
        if match:
            names.add(match.group(1))
    return names


def home_of(exports: dict[str, dict[str, object]], package: str, name: str) -> str:
    """The first library (dependency order) that exports the same object under ``name``."""
    obj = exports[package][name]
    for library in LIBRARIES:
        if library in exports and exports[library].get(name, _MISSING) is obj:
            return library
    return package


_MISSING = object()


def missing_by_page(
    exports: dict[str, dict[str, object]], documented: set[str], hidden: re.Pattern[str]
) -> dict[str, list[str]]:
    """Page -> the qualified names it must add (empty when the reference is complete)."""
    missing: dict[str, set[str]] = {}
    for package, names in exports.items():
        for name in names:
            if hidden.match(name):
                continue
            home = home_of(exports, package, name)
            if f"{home}.{name}" not in documented:
                missing.setdefault(PAGES[home], set()).add(f"{home}.{name}")
    return {page: sorted(names) for page, names in sorted(missing.items())}


def public_exports(packages: Iterable[str]) -> dict[str, dict[str, object]]:
    """``__all__`` of each package, name -> object."""
    exports: dict[str, dict[str, object]] = {}
    for package in packages:
        module = importlib.import_module(package)
        exports[package] = {name: getattr(module, name) for name in module.__all__}
    return exports


def hidden_pattern() -> re.Pattern[str]:
    """``HIDDEN`` of docs/conf.py: the typing-only names the reference does not list."""
    spec = importlib.util.spec_from_file_location("flowno_docs_conf", ROOT / "docs" / "conf.py")
    assert spec is not None and spec.loader is not None
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    pattern: re.Pattern[str] = conf.HIDDEN
    return pattern


def main(argv: list[str]) -> int:
    inventory = Path(argv[1]) if len(argv) > 1 else ROOT / "docs/_build/html/objects.inv"
    documented = inventory_names(inventory.read_bytes())
    missing = missing_by_page(public_exports(PACKAGES), documented, hidden_pattern())
    for page, names in missing.items():
        print(f"{page}: add {', '.join(names)} (e.g. `.. autoclass:: {names[0]}` in its group)")
    if missing:
        print("public names missing from the API reference (objects.inv)")
        return 1
    print(f"API reference complete: {len(documented)} objects in {inventory.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
