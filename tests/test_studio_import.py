"""Opening a graph in LangGraph Studio imports graphs/*.py: that must start nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import interviewer.pool

GRAPHS = sorted((Path(__file__).parents[1] / "graphs").glob("*.py"))


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_importing_a_studio_graph_starts_no_model(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(interviewer.pool.ModelPool, "_start", lambda self: started.append(self))
    spec = importlib.util.spec_from_file_location(f"studio_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.graph.name == path.stem
    assert started == [] and interviewer.pool._studio == {}
    assert module.graph.context_schema is interviewer.pool.StudioContext
