"""The xlsx export: every report table on its own sheet, unrounded, readable by openpyxl and pandas."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from csat_research.report import xlsx

ROOT = Path(__file__).resolve().parents[2]


def test_to_excel_writes_every_table_unrounded(res, tmp_path):
    path = xlsx.to_excel(res, tmp_path / "tables.xlsx")
    xl = pd.ExcelFile(path)
    expected = {"scores", "items", "quality_summary", "excluded", "import_excluded", "reliability", "item_total",
                "verdict", "by_segment", "segment_tests", "drivers_satisfaction", "drivers_repurchase", "ipa",
                "weights", "words", "bigrams", "themes", "themes_by_segment", "detractor_words", "quotes_masked", "kpis",
                "kpi_trend"}
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
    book = openpyxl.load_workbook(xlsx.to_excel(res, tmp_path / "tables.xlsx"))
    sheet = book["scores"]
    header = [c.value for c in sheet[1]]
    assert header == list(res.scores.columns)
    assert sheet.max_row == len(res.scores) + 1
    assert sheet.cell(row=2, column=header.index("mean") + 1).value == pytest.approx(res.scores["mean"].iloc[0],
                                                                                     rel=1e-15)


def test_to_excel_keeps_open_answers_as_text(res, tmp_path):
    quotes = pd.DataFrame({"theme": ["slow_reply", "slow_reply"],
                           "quote": ["=HYPERLINK(\"http://x.example\",\"点我\")", "见 https://x.example/退货"]})
    path = xlsx.to_excel(dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=quotes)),
                           tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["quotes_masked"]
    cells = [sheet.cell(row=r, column=2) for r in (2, 3)]
    # a leading apostrophe keeps the formula-looking answer text after an edit or a CSV re-save
    assert [c.value for c in cells] == ["'" + quotes["quote"][0], quotes["quote"][1]]
    assert [c.data_type for c in cells] == ["s", "s"]  # a string, not a formula
    assert all(c.hyperlink is None for c in cells)


def test_formula_looking_text_survives_a_csv_round_trip(res, tmp_path):
    """Open answers starting with = + - @ (or a tab) are written so that no spreadsheet program reads
    them as formulas, also once the sheet is saved as CSV (read back here with the csv module)."""
    import csv

    answers = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "-2.9", "+6.8", "正常的回答"]
    quotes = pd.DataFrame({"theme": ["slow_reply"] * len(answers), "quote": answers})
    path = xlsx.to_excel(dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=quotes)),
                         tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["quotes_masked"]
    out = tmp_path / "resaved.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([[c.value for c in row] for row in sheet.iter_rows()])
    with out.open(encoding="utf-8") as f:
        cells = [row[1] for row in list(csv.reader(f))[1:]]
    for text, cell in zip(answers, cells, strict=True):
        number = text.lstrip("+-").replace(".", "", 1).isdigit()
        assert cell[0] not in "=+-@\t\r" or number, cell
        assert cell.lstrip("'") == text  # nothing else changed


def _pandas_to_excel(res, path):
    """Reference: the previous writer, pandas' ExcelWriter + DataFrame.to_excel with the same options."""
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as xw:
        for name, frame in xlsx._excel_sheets(res).items():
            if frame is None:
                continue
            f = frame.copy()
            for col in f.columns:
                if isinstance(f[col].dtype, pd.DatetimeTZDtype):
                    f[col] = f[col].dt.tz_localize(None)
            f.to_excel(xw, sheet_name=name[:31], index=False)
    return path


def _assert_reads_back_as_pandas_wrote_it(res, tmp_path):
    new = pd.read_excel(xlsx.to_excel(res, tmp_path / "new.xlsx"), sheet_name=None)
    old = pd.read_excel(_pandas_to_excel(res, tmp_path / "old.xlsx"), sheet_name=None)
    assert list(new) == list(old)  # same sheets, same order
    for name in old:
        # the one deliberate difference: formula-looking text gets a leading apostrophe
        expected = old[name].apply(lambda c: c.map(lambda v: xlsx.defuse_formula(v) if isinstance(v, str) else v)
                                   if c.dtype == object or pd.api.types.is_string_dtype(c) else c)
        pd.testing.assert_frame_equal(new[name], expected, check_dtype=True, check_exact=True, obj=name)
    return new


def test_to_excel_reads_back_as_the_pandas_route(res, tmp_path):
    sheets = _assert_reads_back_as_pandas_wrote_it(res, tmp_path)
    assert len(sheets) >= 30
    assert pd.api.types.is_datetime64_any_dtype(sheets["kpi_trend"]["period"])  # dates read back as dates


def _cell_types_frame():
    when = pd.Series(pd.to_datetime(["2024-03-01 12:30:15", None, "2024-12-31 00:00:00", "2025-01-02 08:00:00"]))
    return pd.DataFrame({
        "float": [1 / 3, np.nan, -2.5, np.inf],
        "int": np.array([1, -2, 3, 2**40], dtype=np.int64),
        "bool": [True, False, True, False],
        "when": when.dt.tz_localize("Asia/Shanghai"),
        "cat": pd.Categorical(["b", "a", None, "b"]),
        "text": ["=1+1", "https://x.example/退货", "", "纯文本"],
        "scalars": pd.Series([np.int64(7), np.float64(0.25), np.bool_(True), pd.NaT], dtype=object),
        "missing": pd.Series([None, pd.NA, np.nan, dt.date(2024, 1, 2)], dtype=object),
    })


def test_to_excel_cell_values_and_types(res, tmp_path):
    frame = _cell_types_frame()
    res = dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=frame))
    path = xlsx.to_excel(res, tmp_path / "cells.xlsx")
    sheet = openpyxl.load_workbook(path)["quotes_masked"]
    header = [c.value for c in sheet[1]]
    assert header == list(frame.columns)
    assert all(c.font.b and c.border.left.style == "thin" for c in sheet[1])  # pandas' classic header look
    assert sheet.max_row == len(frame) + 1
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    col = {name: [r[j] for r in rows] for j, name in enumerate(header)}
    assert col["float"] == [1 / 3, None, -2.5, "inf"]  # pandas writes +-inf as the text "inf" / "-inf"
    assert col["int"] == [1, -2, 3, 2**40] and all(type(v) is int for v in col["int"])
    assert col["bool"] == [True, False, True, False] and all(type(v) is bool for v in col["bool"])
    assert col["when"] == [dt.datetime(2024, 3, 1, 12, 30, 15), None, dt.datetime(2024, 12, 31),
                           dt.datetime(2025, 1, 2, 8)]  # wall-clock time, time zone dropped
    assert sheet.cell(row=2, column=header.index("when") + 1).number_format == "YYYY-MM-DD HH:MM:SS"
    assert col["cat"] == ["b", "a", None, "b"]
    assert col["text"] == ["'=1+1", "https://x.example/退货", None, "纯文本"]
    text_cells = [sheet.cell(row=r, column=header.index("text") + 1) for r in (2, 3)]
    assert [c.data_type for c in text_cells] == ["s", "s"]  # a string, not a formula
    assert all(c.hyperlink is None for c in text_cells)
    assert col["scalars"] == [7, 0.25, True, None]
    assert [type(v) for v in col["scalars"][:3]] == [int, float, bool]
    assert col["missing"] == [None, None, None, dt.datetime(2024, 1, 2)]
    assert sheet.cell(row=5, column=header.index("missing") + 1).number_format == "YYYY-MM-DD"
    _assert_reads_back_as_pandas_wrote_it(res, tmp_path)


def test_to_excel_rejects_timezone_aware_values_in_object_columns(res, tmp_path):
    frame = pd.DataFrame({"when": pd.Series([pd.Timestamp("2024-03-01", tz="UTC")], dtype=object)})
    res = dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=frame))
    with pytest.raises(ValueError, match=r"quotes_masked.*'when'.*timezone-aware"):
        xlsx.to_excel(res, tmp_path / "tz.xlsx")
