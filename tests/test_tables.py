"""The xlsx export: every report table on its own sheet, unrounded, readable by openpyxl and pandas."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from csat_research import tables
from csat_research.demo import write_demo_study
from csat_research.report import analyse
from csat_research.study import load_study

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tables")
    write_demo_study(tmp / "data", seed=7, n=400, categories=("beauty",))
    doc = yaml.safe_load((ROOT / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(tmp / "data" / "beauty" / f"{key}.csv")
    doc["output"]["dir"] = str(tmp / "reports")
    doc["analysis"]["n_boot"] = 20
    path = tmp / "beauty.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return analyse(load_study(path))


def test_to_excel_writes_every_table_unrounded(res, tmp_path):
    path = tables.to_excel(res, tmp_path / "tables.xlsx")
    xl = pd.ExcelFile(path)
    expected = {"scores", "items", "quality_summary", "excluded", "import_excluded", "reliability", "item_total",
                "verdict", "by_segment", "segment_tests", "drivers_satisfaction", "drivers_repurchase", "ipa",
                "weights", "words", "bigrams", "themes", "themes_by_segment", "quotes_masked", "kpis", "kpi_trend"}
    assert expected <= set(xl.sheet_names)
    assert sum(name.startswith("xt_") for name in xl.sheet_names) == len(res.crosstabs)
    scores = pd.read_excel(xl, sheet_name="scores")
    assert list(scores.columns) == list(res.scores.columns)
    np.testing.assert_allclose(scores["mean"], res.scores["mean"], rtol=1e-15)  # not rounded
    np.testing.assert_allclose(scores["ci_high"], res.scores["ci_high"], rtol=1e-15)
    excluded = pd.read_excel(xl, sheet_name="excluded")
    assert len(excluded) == len(res.study.screening.audit)
    kpis = pd.read_excel(xl, sheet_name="kpis")
    assert list(kpis["kpi"]) == list(res.kpis["kpi"])


def test_to_excel_reads_back_with_openpyxl(res, tmp_path):
    book = openpyxl.load_workbook(tables.to_excel(res, tmp_path / "tables.xlsx"))
    sheet = book["scores"]
    header = [c.value for c in sheet[1]]
    assert header == list(res.scores.columns)
    assert sheet.max_row == len(res.scores) + 1
    assert sheet.cell(row=2, column=header.index("mean") + 1).value == pytest.approx(res.scores["mean"].iloc[0],
                                                                                     rel=1e-15)


def test_to_excel_keeps_open_answers_as_text(res, tmp_path):
    quotes = pd.DataFrame({"theme": ["slow_reply", "slow_reply"],
                           "quote": ["=HYPERLINK(\"http://x.example\",\"点我\")", "见 https://x.example/退货"]})
    path = tables.to_excel(dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=quotes)),
                           tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["quotes_masked"]
    cells = [sheet.cell(row=r, column=2) for r in (2, 3)]
    assert [c.value for c in cells] == list(quotes["quote"])
    assert [c.data_type for c in cells] == ["s", "s"]  # a string, not a formula
    assert all(c.hyperlink is None for c in cells)
