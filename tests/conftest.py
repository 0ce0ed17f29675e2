from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.pool import ModelPool
from interviewer.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no INTERVIEWER_* or OPENAI_API_KEY from the developer's shell."""
    import os

    for name in list(os.environ):
        if name.startswith("INTERVIEWER_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name)


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"cache_dir": str(tmp_path / "cache")})


@pytest.fixture(scope="session")
def embedded_pool() -> Iterator[ModelPool]:
    """One real embedded server (Gemma-3-270M on llama.cpp) for the whole session."""
    settings = load_settings(overrides={"cache": False})
    with ModelPool(settings) as pool:
        yield pool
