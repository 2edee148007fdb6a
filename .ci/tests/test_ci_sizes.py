"""The size check: files and functions over the limits are named, the real tree has none."""

from __future__ import annotations

from pathlib import Path

from check_sizes import MAX_FUNCTION_LINES, main, problems, problems_in


def _function(name: str, statements: int) -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(statements))
    return f'def {name}():\n    """A docstring does not count."""\n{body}'


def test_a_function_at_the_limit_passes() -> None:
    assert problems_in(Path("m.py"), _function("ok", MAX_FUNCTION_LINES)) == []


def test_a_function_over_the_limit_is_named_with_its_line() -> None:
    text = "import os\n\n\n" + _function("long", MAX_FUNCTION_LINES + 1)
    assert problems_in(Path("pkg/m.py"), text) == [
        f"pkg/m.py:4: long() has {MAX_FUNCTION_LINES + 1} body lines (at most 50)"
    ]


def test_a_method_over_the_limit_is_found_inside_its_class() -> None:
    method = _function("meth", MAX_FUNCTION_LINES + 2).replace("\n", "\n    ")
    text = f"class C:\n    {method}\n"
    assert [p.split(": ", 1)[1] for p in problems_in(Path("m.py"), text)] == [
        f"meth() has {MAX_FUNCTION_LINES + 2} body lines (at most 50)"
    ]


def test_only_package_sources_are_checked(tmp_path: Path) -> None:
    source = tmp_path / "packages" / "p" / "src" / "p" / "m.py"
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n" * 501, encoding="utf-8")
    elsewhere = tmp_path / "packages" / "p" / "tests" / "test_m.py"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_text("x = 1\n" * 900, encoding="utf-8")
    assert problems(tmp_path) == [f"{Path('packages/p/src/p/m.py')}: 501 lines (at most 500)"]
    assert main([str(tmp_path)]) == 1


def test_the_real_tree_is_within_the_limits() -> None:
    assert problems() == []
