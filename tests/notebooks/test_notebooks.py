"""The programme team's notebooks run top to bottom (nbclient, the venv's own kernel);
any cell that raises fails the test and names the notebook and the cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FIGURES = {"network_growth": 5, "handover": 0}

pytestmark = pytest.mark.slow  # a kernel and the demo per notebook: 15-20 s each


@pytest.mark.parametrize("name", ["network_growth", "handover"])
def test_notebook_runs_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    scratch = tmp_path / "tmp"  # the kernel's temporary folder (it inherits TMPDIR)
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name=NATIVE_KERNEL_NAME,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"notebooks/{name}.ipynb: a cell failed:\n{error}")
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(figures) == FIGURES[name]  # every figure drawn
    assert [p.name for p in scratch.iterdir()] == []  # the demo's copy removed, not kept
