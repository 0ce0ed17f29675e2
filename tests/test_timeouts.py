"""No test gives a subprocess more time than pytest-timeout gives the test itself (the
global limit would kill it first, with a less useful message)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
GLOBAL = tomllib.loads((TESTS.parent / "pyproject.toml").read_text())["tool"]["pytest"][
    "ini_options"
]["timeout"]


def _limits(path: Path) -> list[tuple[str, float, float]]:
    """(test, seconds its subprocesses may take in all, seconds pytest allows)."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test")):
            continue
        allowed = float(GLOBAL)
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and ast.unparse(decorator.func) == "pytest.mark.timeout"
            ):
                allowed = float(ast.literal_eval(decorator.args[0]))
        budget = sum(
            float(ast.literal_eval(kw.value))
            for call in ast.walk(node)
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "subprocess.run"
            for kw in call.keywords
            if kw.arg == "timeout"
        )
        found.append((node.name, budget, allowed))
    return found


@pytest.mark.parametrize("path", sorted(TESTS.glob("test_*.py")), ids=lambda p: p.name)
def test_subprocess_timeouts_fit_the_test_timeout(path: Path) -> None:
    for name, budget, allowed in _limits(path):
        assert budget < allowed, f"{path.name}::{name}: subprocesses {budget} s, test {allowed} s"
