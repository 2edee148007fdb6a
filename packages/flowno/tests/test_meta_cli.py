"""``python -m flowno``: the command dispatcher."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from flowno.__main__ import main


def test_version_names_the_four_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"flowno {version('flowno')} (")
    for dist in ("flowno-eventloop", "flowno-net", "flowno-flow"):
        assert f"{dist} {version(dist)}" in out


@pytest.mark.parametrize(("argv", "code"), [([], 0), (["--help"], 0), (["frobnicate"], 2)])
def test_help_and_unknown_commands(
    argv: list[str], code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    assert capsys.readouterr().out.startswith("usage: flowno {demo,version}")
