"""The analyst notebook (py/examples/analyst.ipynb) runs from start to end in a real kernel, and
shows what it says it shows: the report's total, ordered statuses, Chinese labels, a chart, the
what-if's difference (issue 15)."""

from __future__ import annotations

import os
from typing import Any, Dict

import pytest

from conftest import ROOT

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Dict[str, Any]:
    """The executed notebook's outputs by cell tag: text and the kinds of data shown. It runs in
    an empty folder: nothing outside the package is needed."""
    notebook = nbformat.read(ROOT / "py" / "examples" / "analyst.ipynb", as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    # The kernel's own (inline) backend shows figures as images; a backend set for scripts would not.
    backend = os.environ.pop("MPLBACKEND", None)
    try:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
    shown: Dict[str, Any] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        data: Dict[str, str] = {}
        for o in cell.outputs:
            for mime, value in o.get("data", {}).items():
                data[mime] = value if isinstance(value, str) else "".join(value)
        for tag in cell.metadata.get("tags", []):
            shown[tag] = {"text": text, "data": data}
    return shown


def test_the_notebook_shows_the_year_its_report_and_a_chart(outputs):
    assert "20,000 claims, 560 earlier subsidies, 400 apprenticeship applications" in outputs["load"]["text"]
    assert "district" in outputs["assessed"]["data"]["text/plain"].splitlines()[0]
    status = outputs["status"]["data"]["text/plain"]
    assert status.index("approved") < status.index("rejected") < status.index("invalid")
    assert "22,484,615.43 yuan" in outputs["report"]["data"]["text/html"]  # claims and apprenticeships
    assert "就业技能培训" in outputs["by-program-zh"]["data"]["text/html"]
    assert "image/png" in outputs["plot"]["data"] and "image/png" in outputs["whatif-plot"]["data"]
    assert "Parameter(shortage.rate = 0.30; S11, S29, S30, inferred)" in outputs["parameter"]["data"]["text/plain"]
    assert "-82880.00 yuan" in outputs["whatif"]["text"]
    assert "予以补贴" in outputs["explain"]["text"]
    assert "approved: 22,484,615.43 yuan" in outputs["checks"]["text"]
