"""README.md: the Quick start block that .ci/run executes, and the example at the top."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CI_DIR = Path(__file__).resolve().parent.parent
README = CI_DIR.parent / "README.md"

_spec = importlib.util.spec_from_file_location("readme_commands", CI_DIR / "readme_commands.py")
assert _spec is not None and _spec.loader is not None
readme_commands = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(readme_commands)


def test_quick_start_holds_the_demo_then_the_test_command() -> None:
    demo, test = readme_commands.quick_start_commands(README.read_text(encoding="utf-8"))
    assert demo.endswith("nox -s demo")
    assert test.endswith("python3 -m nox")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# Flowno\n", "no 'Quick start' heading"),
        ("## Quick start\n\nno block\n", "no code block"),
        ("## Quick start\n\n```bash\none\n```\n", "exactly 2 commands"),
        ("## Quick start\n\n```bash\none\n# a comment\n\ntwo\nthree\n```\n", "exactly 2 commands"),
    ],
)
def test_malformed_quick_start_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        readme_commands.quick_start_commands(text)


def test_comments_and_blank_lines_do_not_count() -> None:
    text = "## Quick Start\n\n```\n# set up\nfirst\n\nsecond\n```\n```\nthird\n```\n"
    assert readme_commands.quick_start_commands(text) == ["first", "second"]


def test_ci_run_uses_the_readme_command() -> None:
    assert "readme_commands.py test" in (CI_DIR / "run").read_text(encoding="utf-8")


def test_the_readme_example_prints_what_the_readme_says() -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert code is not None
    expected = [
        line.split("#", 1)[1].strip().removeprefix("prints:").strip()
        for line in code.group(1).splitlines()
        if line.startswith("#")
    ]
    result = subprocess.run(
        [sys.executable, "-c", code.group(1)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected


PACKAGE_READMES = sorted((CI_DIR.parent / "packages").glob("*/README.md"))


def _first_python_block(path: Path) -> str:
    code = re.search(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)
    assert code is not None, f"{path}: no python block"
    return code.group(1)


@pytest.mark.parametrize("readme", PACKAGE_READMES, ids=lambda p: p.parent.name)
def test_each_package_readme_example_prints_what_its_comments_say(readme: Path) -> None:
    code = _first_python_block(readme)
    expected = [line.rsplit("#", 1)[1].strip() for line in code.splitlines() if "print(" in line]
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected


def test_the_flowno_net_readme_server_survives_a_client_that_resets() -> None:
    """The README's handler, served by start_server: a client resets mid-exchange, the next
    client is still answered."""
    readme = CI_DIR.parent / "packages" / "flowno-net" / "README.md"
    code = _first_python_block(readme).replace("EventLoop().run_until_complete(main())", "")
    check = code + textwrap.dedent(
        """
        import struct

        async def check():
            async with await start_server(shout, "127.0.0.1", 0) as server:
                rude = socket()
                await rude.aconnect(server.address)
                await rude.sendAll(b"x" * 100_000)  # the handler is busy answering it
                rude.socket.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0))
                rude.close()  # a reset (RST), not an orderly end
                with socket() as client:
                    await client.aconnect(server.address)
                    await client.sendAll(b"still there?")
                    print(await client.recv(100))

        from socket import SOL_SOCKET, SO_LINGER
        EventLoop().run_until_complete(check(), join=True)
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", check], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["b'STILL THERE?'"]
