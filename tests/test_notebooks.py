"""Notebooks: parameters cell, orchestration only, committed without outputs, and they run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import papermill as pm
import pytest
import yaml

from csat_research.demo.generator import write_demo_study

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_both_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"csat_report.ipynb", "explore.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_hygiene(path):
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    params_src = "".join(tagged[0]["source"])
    assert "params_path" in params_src
    # the parameters cell holds primitives only
    for line in params_src.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert re.fullmatch(r"\s*\w+\s*=\s*(\".*\"|'.*'|-?\d+(\.\d+)?|True|False|None)\s*", line), line
    for c in code:
        src = "".join(c["source"])
        assert not re.search(r"^\s*(def|class) ", src, re.M), "notebooks orchestrate only"
        assert len(src.splitlines()) <= 25
        assert not c.get("outputs"), "commit notebooks cleared"


def test_report_notebook_reads_as_a_document():
    """Each section's code cell follows a markdown note for the researcher, kept out of client pages."""
    cells = _cells(ROOT / "notebooks" / "csat_report.ipynb")
    for before, cell in zip(cells, cells[1:]):
        if cell["cell_type"] == "code":
            assert before["cell_type"] == "markdown", "".join(cell["source"])[:80]
    notes = [c for c in cells if c["cell_type"] == "markdown"]
    assert notes and all({"researcher-note", "remove_cell"} <= set(c["metadata"].get("tags", [])) for c in notes)
    # no loops over tables in the report notebook: library functions return the display objects
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert not re.search(r"^\s*for .* in .*:", code, re.M)


def test_explore_notebook_runs_on_small_demo(tmp_path):
    data = tmp_path / "data"
    write_demo_study(data, seed=11, n=300, categories=("apparel",))
    doc = yaml.safe_load((ROOT / "params" / "apparel.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    doc["data"]["responses"]["path"] = str(data / "apparel" / "responses.csv")
    doc["data"]["tickets"]["path"] = str(data / "apparel" / "tickets.csv")
    params = tmp_path / "apparel.yaml"
    params.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out), parameters={"params_path": str(params)},
                        cwd=str(ROOT / "notebooks"), progress_bar=False)
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)
    assert '"output_type": "error"' not in text
    # the CFA fit indices and the logit table were displayed
    assert "cfi" in text and "odds_ratio" in text and "customer_type[returning]" in text
