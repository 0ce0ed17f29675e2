"""examples/quickstart.ipynb runs, top to bottom, on the embedded model (so it cannot rot)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"

pytestmark = pytest.mark.embedded


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_quickstart_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=480,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()  # a cell that raises fails here, with its traceback
    finally:
        nbformat.write(notebook, tmp_path / "executed.ipynb")  # to read when it fails
    report = tmp_path / "quickstart" / "report"
    assert (report / "report.html").is_file() and (report / "report.json").is_file()
    last = notebook.cells[-1].outputs
    assert any(o.get("output_type") == "display_data" and "image/png" in o["data"] for o in last)
