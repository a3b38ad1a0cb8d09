"""The report's tables as an Excel workbook (``tables.xlsx``): tidy, unrounded, one sheet each.

Written with xlsxwriter cell by cell (see :func:`to_excel`); strings always stay strings, so an
open answer that starts with ``=`` is never a formula. A text that a spreadsheet program would
read as a formula once the sheet is edited or re-saved as CSV (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return and is not a plain number) is written with a leading
apostrophe, as OWASP's CSV-injection advice says: ``'=HYPERLINK(...)`` stays text everywhere.
"""

from __future__ import annotations

import datetime
import io
import math
import warnings
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import is_bool, is_float, is_integer, is_scalar

from csat_research.core.files import atomic_write_bytes

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from csat_research.report.results import ReportResults


# Number formats of date, datetime and timedelta cells: pandas' defaults, so the workbook reads
# back as the pandas-written one did.
_XLSX_DATE = "YYYY-MM-DD"
_XLSX_DATETIME = "YYYY-MM-DD HH:MM:SS"
_XLSX_DAYS = "0"
_XLSX_HEADER = {"bold": True, "border": 1, "align": "center", "valign": "top"}  # pandas' classic header
_XLSX_MAX_ROWS, _XLSX_MAX_COLS = 1_048_576, 16_384
_XLSX_SHORT_STRING = 16_383  # never truncated: at most 2 UTF-16 units per character, 32,767 allowed


class _XlsxFormats:
    """The xlsxwriter Format objects of one workbook, each added once, on first use."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str | None, bool], Format] = {}

    def get(self, num_format: str | None, *, header: bool = False) -> Format | None:
        if num_format is None and not header:
            return None
        key = (num_format, header)
        fmt = self._cache.get(key)
        if fmt is None:
            props = dict(_XLSX_HEADER) if header else {}
            if num_format is not None:
                props["num_format"] = num_format
            fmt = self._cache[key] = self._book.add_format(props)
        return fmt


_FORMULA_STARTS = frozenset("=+-@\t\r")


def defuse_formula(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could read it as a formula.

    >>> defuse_formula("=1+1"), defuse_formula("@SUM(A1)"), defuse_formula("-2.9"), defuse_formula("好")
    ("'=1+1", "'@SUM(A1)", '-2.9', '好')
    """
    if value and value[0] in _FORMULA_STARTS:
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _xlsx_string(ws: Worksheet, row: int, col: int, value: str, fmt: Format | None, where: str) -> None:
    value = defuse_formula(value)
    if not value:  # "" is an empty cell (kept only if it carries a format, as a header cell does)
        ws.write_blank(row, col, None, fmt)
    elif ws.write_string(row, col, value, fmt) == -2:
        warnings.warn(f"to_excel: a cell of {where} was longer than Excel's 32,767 characters and was "
                      "truncated", UserWarning, stacklevel=4)


def _xlsx_cell(ws: Worksheet, row: int, col: int, value: object, formats: _XlsxFormats, where: str, *,
               header: bool = False) -> None:
    """Write one value as pandas' Excel writer does: missing -> empty cell, +-inf -> "inf" / "-inf",
    numpy scalars -> Python numbers, datetimes / dates with a number format, anything else as text."""
    if isinstance(value, str):
        _xlsx_string(ws, row, col, value, formats.get(None, header=header), where)
        return
    if is_scalar(value) and pd.isna(value):
        ws.write_blank(row, col, None, formats.get(None, header=header))
        return
    if getattr(value, "tzinfo", None) is not None:
        raise ValueError(f"to_excel: {where} holds timezone-aware values in an object column; Excel has no time "
                         f"zones: make them naive first (got {value!r})")
    if is_bool(value):
        ws.write_boolean(row, col, bool(value), formats.get(None, header=header))
    elif is_integer(value):
        ws.write_number(row, col, int(value), formats.get(None, header=header))
    elif is_float(value):
        value = float(value)
        if math.isinf(value):
            _xlsx_string(ws, row, col, "inf" if value > 0 else "-inf", formats.get(None, header=header), where)
        else:
            ws.write_number(row, col, value, formats.get(None, header=header))
    elif isinstance(value, Decimal):
        ws.write_number(row, col, value, formats.get(None, header=header))
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value, formats.get(_XLSX_DATETIME, header=header))
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, value, formats.get(_XLSX_DATE, header=header))
    elif isinstance(value, datetime.timedelta):
        ws.write_number(row, col, value.total_seconds() / 86400, formats.get(_XLSX_DAYS, header=header))
    else:
        _xlsx_string(ws, row, col, str(value), formats.get(None, header=header), where)


def _xlsx_sheet(ws: Worksheet, frame: pd.DataFrame, formats: _XlsxFormats, name: str) -> None:
    """One header row, then the data column by column, without the index.

    Plain numpy columns take a direct route (one xlsxwriter call per cell, no per-value type
    tests); any other column (object, category, nullable, ...) goes value by value through
    :func:`_xlsx_cell`.
    """
    n_rows, n_cols = frame.shape
    if n_rows + 1 > _XLSX_MAX_ROWS or n_cols > _XLSX_MAX_COLS:
        raise ValueError(f"to_excel: sheet {name!r} has {n_rows} rows and {n_cols} columns; an Excel sheet holds at "
                         f"most {_XLSX_MAX_ROWS - 1} data rows and {_XLSX_MAX_COLS} columns")
    for j, label in enumerate(frame.columns):
        _xlsx_cell(ws, 0, j, label, formats, f"sheet {name!r}, header", header=True)
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    for j, (label, col) in enumerate(frame.items()):  # .items(): half the cost of .iloc[:, j]
        where = f"sheet {name!r}, column {label!r}"
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.tz_localize(None)
        kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else None
        values = col.tolist()
        if kind in ("i", "u"):
            for i, v in enumerate(values, 1):
                write_number(i, j, v)
        elif kind == "b":
            for i, v in enumerate(values, 1):
                write_boolean(i, j, v)
        elif kind == "f":
            for i, v in enumerate(values, 1):
                if v != v:  # NaN: an empty cell
                    continue
                if v in (math.inf, -math.inf):
                    _xlsx_string(ws, i, j, "inf" if v > 0 else "-inf", None, where)
                else:
                    write_number(i, j, v)
        elif kind == "M":
            fmt = formats.get(_XLSX_DATETIME)
            for i, v in enumerate(values, 1):
                if v is not pd.NaT:
                    ws.write_datetime(i, j, v, fmt)
        else:
            for i, v in enumerate(values, 1):
                if type(v) is str and len(v) <= _XLSX_SHORT_STRING:  # the usual case, without the checks
                    if v:
                        write_string(i, j, defuse_formula(v) if v[0] in _FORMULA_STARTS else v)
                else:
                    _xlsx_cell(ws, i, j, v, formats, where)


def _excel_sheets(res: ReportResults) -> dict[str, pd.DataFrame | None]:
    """The tables of :func:`to_excel` by sheet name, in sheet order (``None``: no such table)."""
    sheets: dict[str, pd.DataFrame | None] = {
        "scores": res.scores,
        "items": res.item_scores,
        "quality_summary": res.study.screening.summary,
        "excluded": res.study.screening.audit.reset_index(),
        "import_excluded": res.study.responses.exclusions,
        "reliability": res.reliability,
        "item_total": res.item_total.reset_index(),
        "verdict": res.verdict,
        "by_segment": res.by_segment,
        "segment_tests": res.segment_tests,
        "drivers_satisfaction": res.drivers_satisfaction.reset_index(),
        "drivers_repurchase": res.drivers_repurchase.reset_index(),
        "ipa": res.ipa.reset_index(),
        "weights": res.index_weights_by_method.reset_index(),
    }
    if res.cfa is not None:
        sheets["cfa_loadings"] = res.cfa.loadings
        sheets["cfa_factors"] = res.cfa.factors.reset_index()
        sheets["htmt"] = res.cfa.htmt.reset_index()
    for name, m in (("logit_overall", res.logit_overall), ("logit_dimensions", res.logit_dimensions)):
        if m is not None:
            sheets[name] = m.coefficients.reset_index()
            sheets[name + "_ame"] = m.marginal_effects.reset_index()
    if res.ordered is not None:
        sheets["ordered_intention"] = res.ordered.coefficients.reset_index()
        sheets["ordered_thresholds"] = res.ordered.thresholds.rename_axis("cut").reset_index()
    for (r, c), ct in res.crosstabs.items():
        sheets[f"xt_{r}_{c}"[:31]] = ct.to_frame()
    if res.text is not None:
        sheets["words"] = res.text.words
        sheets["bigrams"] = res.text.bigrams
        sheets["themes"] = res.text.themes
        sheets["themes_by_segment"] = res.text.themes_by_segment
        sheets["detractor_words"] = res.text.contrast
        sheets["quotes_masked"] = res.text.quotes
        if res.text.emerging is not None:
            em = res.text.emerging.topics.assign(
                top_words=lambda t: t["top_words"].map(" ".join),
                quotes=lambda t: t["quotes"].map(" | ".join))
            sheets["emerging_topics"] = em
    if res.kpis is not None:
        sheets["kpis"] = res.kpis
        sheets["kpi_trend"] = res.kpi_trend
    # tracking (only with earlier waves): the change since the previous wave and the trend
    changes = getattr(res, "changes", None)
    if changes is not None:
        sheets["changes"] = changes.table.assign(previous_wave=res.previous_wave, correction=changes.correction)
    kpi_changes = getattr(res, "kpi_changes", None)
    if kpi_changes is not None:
        sheets["kpi_changes"] = kpi_changes.table.assign(previous_wave=res.previous_wave,
                                                         correction=kpi_changes.correction)
    if getattr(res, "trend", None) is not None:
        sheets["trend"] = res.trend
    if getattr(res, "trend_changes", None) is not None:
        sheets["trend_changes"] = res.trend_changes
    return sheets


def to_excel(res: ReportResults, path: str | Path) -> Path:
    """Write the report tables (tidy, unrounded) to an .xlsx workbook, one sheet per table.

    Parameters
    ----------
    res : ReportResults
        The output of :func:`csat_research.report.analyse.analyse`.
    path : str or Path
        The workbook to write (replaced if it exists; written under a temporary name
        and renamed into place, :func:`csat_research.core.files.atomic_write_bytes`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        A table holds timezone-aware datetimes in an object column, or is larger than an Excel
        sheet.
    ReportError
        The folder of ``path`` does not exist or the file cannot be written.

    Notes
    -----
    One sheet per table, in a fixed order, with the table's columns (index reset where it carries
    data, never written), one bold header row and the values as they are: numbers unrounded (the
    16 significant digits xlsxwriter writes), integers, booleans, datetimes (time zones dropped)
    as Excel dates, missing values as empty cells and text always as text (an open answer
    starting with "=" or holding a URL is neither a formula nor a link; +-inf is the text "inf").

    Cells are written with xlsxwriter directly rather than through ``DataFrame.to_excel``:
    pandas builds and styles an ``ExcelCell`` object per cell, two thirds of the export's CPU
    time (demo report: 90 ms -> 50 ms; the rest is xlsxwriter's XML and zip). The workbook reads
    back with :func:`pandas.read_excel` exactly as the pandas-written one did;
    ``tests/report/test_xlsx.py`` compares both routes.
    """
    import xlsxwriter  # 15 ms of imports, paid by the export only

    path = Path(path)
    # Assembled in memory (no temporary file per sheet), then written under a temporary name and
    # renamed into place. Strings stay strings: an open answer starting with "=" or holding a URL
    # is data, never a formula or a link.
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        formats = _XlsxFormats(book)
        for name, frame in _excel_sheets(res).items():
            if frame is None:
                continue
            _xlsx_sheet(book.add_worksheet(name[:31]), frame, formats, name[:31])
    return atomic_write_bytes(path, buffer.getvalue())
