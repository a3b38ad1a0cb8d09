"""Ingest layer: survey exports and ticket logs -> one canonical frame.

This is the only module of csat_research that reads data files. :func:`read_responses`
reads a survey export (canonical CSV, other CSV / Excel / SPSS / Parquet files, Qualtrics
CSV exports, 问卷星 (wjx) exports) and returns an :class:`IngestResult` whose ``frame`` has
the canonical columns of :mod:`csat_research.core.schema`; :func:`read_tickets` does the same for
the service-ticket log. Raw files are only read, never modified.

Row numbers in messages are those a user sees: for CSV and Excel files the spreadsheet row
(the header is row 1, Qualtrics data start at row 4); for SPSS and Parquet files, which have
no header row, the 1-based case number.

Notes
-----
Policy for bad data. Structural problems (unreadable or empty file, wrong encoding, a
needed column missing) always raise :class:`~csat_research.core.errors.DataError`. Problems of
single values (a code outside the scale, text where a code is expected, a duplicate
respondent id, a negative duration) raise one ``DataError`` listing them
(``on_invalid="error"``) or move the offending rows to ``IngestResult.exclusions``
(``on_invalid="exclude"``), one line per problem with the reason; no row is ever dropped
without a record. Qualtrics responses that are unfinished (``Finished`` false) or preview /
test / spam (``Status``) are always set aside as exclusions. Soft problems (skipped answers
turned into missing values, columns not used, metadata absent) are listed in
``IngestResult.warnings`` and emitted as :class:`~csat_research.core.errors.CsatWarning`.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import math
import os
import re
import unicodedata
import warnings as _warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core import schema
from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.codebook import CATEGORIES, Codebook, Scale

__all__ = [
    "EXCLUSION_COLUMNS",
    "RESPONSE_FORMATS",
    "TICKET_FORMATS",
    "IngestResult",
    "read_responses",
    "read_tickets",
]

#: Values accepted by ``read_responses(format=...)``.
RESPONSE_FORMATS = ("auto", "csv", "excel", "spss", "parquet", "qualtrics", "wjx")
#: Values accepted by ``read_tickets(format=...)``.
TICKET_FORMATS = ("auto", "csv", "excel", "parquet")
#: Columns of ``IngestResult.exclusions`` (one row per problem of an excluded row).
EXCLUSION_COLUMNS = ("source_row", "respondent_id", "column", "source_column", "value", "reason")

_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
    ".sav": "spss", ".zsav": "spss",
    ".parquet": "parquet", ".pq": "parquet",
}
_MISSING_TOKENS = {"", "na", "nan", "n/a", "null", "none", "#n/a", "<na>", "nat"}
_TRUE = {"true", "1", "1.0", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "0.0", "no", "n", "f", "否"}
_WJX_META = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
_WJX_SKIP = {"-2": "skipped", "(跳过)": "skipped", "-3": "not shown", "(空)": "not shown"}
_QUALTRICS_SKIP = {"-99": "seen but unanswered"}
_QUALTRICS_META = ("StartDate", "EndDate", "Status", "IPAddress", "Progress",
                   "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                   "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                   "ExternalReference", "ExternalDataReference", "LocationLatitude",
                   "LocationLongitude", "DistributionChannel", "UserLanguage", "Q_RecaptchaScore",
                   "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore",
                   "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate")
_QUALTRICS_BAD_STATUS = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam",
                         "survey preview": "Survey Preview", "survey test": "Survey Test",
                         "spam": "Spam"}
_SHOW_PROBLEMS = 20


# ====================================================================== result
@dataclass(frozen=True)
class IngestResult:
    """What an ingest function read.

    Attributes
    ----------
    frame : pandas.DataFrame
        The canonical frame (responses: metadata columns, optional ``weight``, then one
        column per codebook question of the category; tickets: ``schema.TICKET_COLUMNS``).
    exclusions : pandas.DataFrame
        One row per problem of a row set aside, columns :data:`EXCLUSION_COLUMNS`:
        ``source_row`` (row as seen in the file), ``respondent_id`` (or ``ticket_id``),
        ``column`` (canonical column), ``source_column`` (header in the file), ``value``
        (as text) and ``reason``. A row with several problems appears several times.
    source : pathlib.Path
        The file read.
    format : str
        ``csv``, ``excel``, ``spss``, ``parquet``, ``qualtrics`` or ``wjx``.
    encoding : str or None
        Text encoding used (CSV, SPSS); ``None`` for Excel and Parquet.
    n_rows_read : int
        Data rows found in the file (blank rows not counted);
        ``n_rows_read == len(frame) + n_excluded``.
    warnings : tuple of str
        Soft problems, each with counts.
    column_sources : dict
        Canonical column -> the file's column it was read from.
    source_rows : tuple of int
        For each row of ``frame``, its row in the file.
    """

    frame: pd.DataFrame
    exclusions: pd.DataFrame
    source: Path
    format: str
    encoding: str | None
    n_rows_read: int
    warnings: tuple[str, ...] = ()
    column_sources: Mapping[str, str] = field(default_factory=dict)
    source_rows: tuple[int, ...] = ()

    @property
    def n_excluded(self) -> int:
        """Number of rows set aside (distinct ``source_row`` values of ``exclusions``)."""
        return int(self.exclusions["source_row"].nunique())


# ====================================================================== raw tables
@dataclass
class _Raw:
    """A file read into memory: header rows and data cells, nothing interpreted yet."""

    name: str
    container: str
    encoding: str | None
    records: list[list[Any]] | None = None  # csv / excel: every row of the sheet
    frame: pd.DataFrame | None = None  # spss / parquet: typed columns
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Table:
    """Data rows with one header per column and the file row of every data row."""

    name: str
    layout: str
    headers: list[str]
    columns: list[list[Any]]  # one list of cell values per column
    rows: list[int]
    texts: list[str] | None = None  # qualtrics row-2 question texts
    import_ids: list[str] | None = None  # qualtrics row-3 import ids
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)


@dataclass
class _Problem:
    pos: int
    column: str
    source_column: str
    value: Any
    message: str
    duplicate: bool = False


def _check_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p.name}: file not found ({p})")
    if not p.is_file():
        raise DataError(f"{p.name}: not a file ({p})")
    return p


def _container_of(p: Path, fmt: str, allowed: tuple[str, ...]) -> str:
    by_ext = _EXTENSIONS.get(p.suffix.lower())
    if fmt == "auto":
        ok = by_ext is not None and by_ext in allowed
        expect = ", ".join(e for e, c in _EXTENSIONS.items() if c in allowed)
    elif fmt in ("qualtrics", "wjx"):
        ok = by_ext in ("csv", "excel")
        expect = f".csv, .txt, .xlsx or .xls for a {fmt} export"
    else:
        return fmt
    if not ok:
        raise DataError(
            f"{p.name}: cannot tell the file format from the extension "
            f"{p.suffix or '(none)'!r}; expected {expect}, or pass format="
            f"{'/'.join(a for a in allowed if a not in ('auto', 'qualtrics', 'wjx'))}"
        )
    return by_ext


def _read_raw(p: Path, container: str, encoding: str | None) -> _Raw:
    if container == "csv":
        return _read_csv(p, encoding)
    if encoding is not None and container not in ("spss",):
        raise ValueError(
            f"encoding applies to CSV and SPSS files only; {p.name} is read as {container}, "
            f"got encoding={encoding!r}"
        )
    if container == "excel":
        return _read_excel(p)
    if container == "spss":
        return _read_spss(p, encoding)
    return _read_parquet(p)


def _decode(p: Path, data: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    """Decode CSV bytes; return (text, encoding used, notes)."""
    notes: list[str] = []
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"encoding {encoding!r} is not a known text encoding") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"{p.name}: cannot decode with encoding {encoding!r}: byte "
                f"{data[exc.start]:#04x} at offset {exc.start} (line {line}) is invalid "
                f"({exc.reason}); pass the right encoding (e.g. 'gb18030' or 'utf-8-sig') "
                "or encoding=None to detect it"
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]
            if codec == "utf-8":
                encoding = "utf-8-sig"
        if codec not in ("utf-8", "utf-8-sig") and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                notes.append(
                    f"{p.name}: decoded as {encoding!r} as requested, but the bytes are valid "
                    "UTF-8; if the text looks garbled pass encoding='utf-8' (or None)"
                )
        return text, encoding, notes
    candidates: dict[str, str] = {}
    failures: list[str] = []
    for enc in ("utf-8-sig", "gb18030"):
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            failures.append(f"{enc} fails at offset {exc.start} (line {line})")
    if len(candidates) == 2 and candidates["utf-8-sig"] != candidates["gb18030"]:
        chosen = _charset_tie_break(data)
        text = candidates[chosen]
        enc_used = chosen
    elif candidates:
        enc_used = next(iter(candidates))
        text = candidates[enc_used]
    else:
        guess = _charset_guess(data)
        if guess is None:
            raise DataError(
                f"{p.name}: cannot detect the text encoding ({'; '.join(failures)}); "
                "pass encoding="
            )
        enc_used, text = guess
        notes.append(
            f"{p.name}: encoding is neither UTF-8 nor GB18030; decoded as {enc_used!r} "
            "(guessed by charset-normalizer; pass encoding= to be sure)"
        )
    if enc_used == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
        enc_used = "utf-8"
    return text, enc_used, notes


def _charset_tie_break(data: bytes) -> str:
    """Choose utf-8-sig or gb18030 for bytes valid in both, with charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["utf_8", "gb18030"]).best()
    if best is not None and best.encoding.replace("-", "_") == "gb18030":
        return "gb18030"
    return "utf-8-sig"


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return best.encoding, str(best)


def _read_csv(p: Path, encoding: str | None) -> _Raw:
    data = p.read_bytes()
    text, enc, notes = _decode(p, data, encoding)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        raise DataError(f"{p.name}: not a readable CSV file: {exc}") from None
    return _Raw(p.name, "csv", enc, records=records, notes=notes)


def _read_excel(p: Path) -> _Raw:
    notes: list[str] = []
    if p.suffix.lower() == ".xls":
        import xlrd

        try:
            book = xlrd.open_workbook(str(p), on_demand=True)
        except Exception as exc:  # xlrd raises several unrelated classes
            raise DataError(f"{p.name}: not a readable .xls workbook: {exc}") from None
        try:
            if book.nsheets > 1:
                notes.append(f"{p.name}: workbook has {book.nsheets} sheets; read the first "
                             f"({book.sheet_names()[0]!r})")
            sheet = book.sheet_by_index(0)
            records = []
            for r in range(sheet.nrows):
                row = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(cell.value))
                    else:
                        row.append(cell.value)
                records.append(row)
        finally:
            book.release_resources()
        return _Raw(p.name, "excel", None, records=records, notes=notes)

    import openpyxl

    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / openpyxl raise several unrelated classes
        raise DataError(f"{p.name}: not a readable .xlsx workbook: {exc}") from None
    try:
        if len(book.worksheets) > 1:
            notes.append(f"{p.name}: workbook has {len(book.worksheets)} sheets; read the "
                         f"first ({book.sheetnames[0]!r})")
        sheet = book.worksheets[0]
        records = [list(r) for r in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    return _Raw(p.name, "excel", None, records=records, notes=notes)


def _read_spss(p: Path, encoding: str | None) -> _Raw:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), encoding=encoding, apply_value_formats=False,
                                          user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        hint = f" with encoding {encoding!r}" if encoding else ""
        raise DataError(f"{p.name}: cannot read the SPSS file{hint}: {exc}") from None
    used = encoding or meta.file_encoding or None
    notes = []
    if encoding is not None:
        try:
            declared = pyreadstat.read_sav(str(p), metadataonly=True)[1].file_encoding
            differs = declared and codecs.lookup(declared).name != codecs.lookup(encoding).name
        except Exception:  # noqa: BLE001 - only a hint; the data were read already
            declared, differs = None, False
        if differs:
            notes.append(f"{p.name}: the file declares encoding {declared!r} but was read as "
                         f"{encoding!r} as requested; if text looks garbled pass encoding=None")
    labels = {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    return _Raw(p.name, "spss", used, frame=frame, value_labels=labels, notes=notes)


def _read_parquet(p: Path) -> _Raw:
    try:
        frame = pd.read_parquet(p, engine="pyarrow")
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise DataError(f"{p.name}: not a readable Parquet file: {exc}") from None
    return _Raw(p.name, "parquet", None, frame=frame)


# ====================================================================== layouts
def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(text: str) -> str:
    """Normalise a header or label for matching (NFKC, collapsed spaces, case-folded)."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _is_blank(value: Any) -> bool:
    return _cell_text(value) == ""


def _row_blank(record: list[Any]) -> bool:
    for cell in record:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell and not cell.isspace():
                return False
        elif not _is_blank(cell):
            return False
    return True


def _looks_qualtrics(records: list[list[Any]]) -> bool:
    if len(records) < 3:
        return False
    cells = [_cell_text(c) for c in records[2] if not _is_blank(c)]
    return bool(cells) and sum(c.startswith('{"ImportId"') for c in cells) >= len(cells) / 2


def _looks_wjx(records: list[list[Any]]) -> bool:
    if not records:
        return False
    head = {_cell_text(c) for c in records[0]}
    return "序号" in head and ("提交答卷时间" in head or "所用时间" in head)


def _layout(raw: _Raw, fmt: str) -> _Table:
    """Split a raw file into headers and data rows, detecting Qualtrics / wjx layouts."""
    name = raw.name
    if raw.frame is not None:
        frame = raw.frame
        if frame.shape[0] == 0:
            raise DataError(f"{name}: the file has columns but no data rows")
        headers = [str(c).strip() for c in frame.columns]
        columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
        return _Table(name, raw.container, headers, columns, list(range(1, len(frame) + 1)),
                      value_labels=raw.value_labels)

    records = raw.records or []
    blank = [_row_blank(r) for r in records]
    last = max((i for i, b in enumerate(blank) if not b), default=-1)
    records = records[: last + 1]
    if not records:
        raise DataError(f"{name}: the file is empty")

    if fmt == "qualtrics" and not _looks_qualtrics(records):
        found = ", ".join(repr(_cell_text(c)) for c in (records[2] if len(records) > 2 else [])[:3])
        raise DataError(
            f"{name}: does not look like a Qualtrics export: row 3 should hold import ids "
            f"like {{\"ImportId\":\"QID1\"}}; found {found or 'no row 3'}"
        )
    if fmt == "wjx" and not _looks_wjx(records):
        found = ", ".join(repr(_cell_text(c)) for c in records[0][:6])
        raise DataError(
            f"{name}: does not look like a 问卷星 (wjx) export: the first columns should be "
            f"{', '.join(_WJX_META)}; found {found}"
        )
    if fmt == "qualtrics" or (fmt in ("auto", "csv", "excel") and _looks_qualtrics(records)):
        layout, n_header = "qualtrics", 3
    elif fmt == "wjx" or (fmt in ("auto", "csv", "excel") and _looks_wjx(records)):
        layout, n_header = "wjx", 1
    else:
        layout, n_header = raw.container, 1

    width = max(len(r) for r in records)
    header_rows = [[_cell_text(c) for c in r] + [""] * (width - len(r))
                   for r in records[:n_header]]
    headers = header_rows[0]
    for j, h in enumerate(headers):
        if not h:
            headers[j] = f"(column {j + 1})"
    data_rows: list[list[Any]] = []
    row_numbers: list[int] = []
    blank_rows: list[int] = []
    for i, rec in enumerate(records[n_header:], start=n_header + 1):
        if blank[i - 1]:
            blank_rows.append(i)
            continue
        data_rows.append(rec if len(rec) == width else list(rec) + [None] * (width - len(rec)))
        row_numbers.append(i)
    if not data_rows:
        raise DataError(f"{name}: the file has a header but no data rows")
    if blank_rows:
        raw.notes.append(
            f"{name}: {len(blank_rows)} blank row(s) skipped (rows "
            f"{_first_few(blank_rows)})"
        )
    columns = [list(col) for col in zip(*data_rows, strict=True)]
    for j in range(width):
        if headers[j].startswith("(column "):
            filled = [row_numbers[k] for k, v in enumerate(columns[j]) if not _is_blank(v)]
            if filled:
                raise DataError(
                    f"{name} row {filled[0]}: {len(filled)} value(s) in column {j + 1}, which "
                    "has no header"
                )
    table = _Table(name, layout, headers, columns, row_numbers, value_labels=raw.value_labels)
    if layout == "qualtrics":
        table.texts = header_rows[1]
        table.import_ids = [_import_id(c) for c in header_rows[2]]
    return table


def _import_id(cell: str) -> str:
    try:
        value = json.loads(cell)
    except (ValueError, TypeError):
        return cell
    return str(value.get("ImportId", cell)) if isinstance(value, dict) else cell


def _first_few(values: list[Any], n: int = 5) -> str:
    shown = ", ".join(str(v) for v in values[:n])
    return shown + (f", ... ({len(values)} in all)" if len(values) > n else "")


# ====================================================================== column mapping
_WJX_PREFIX = re.compile(r"^\s*\d+\s*[、.:：]\s*")
_WJX_MATRIX = re.compile(r"^\s*\d+\s*\((.*)\)\s*$")


def _question_texts(table: _Table, j: int) -> list[str]:
    """Candidate question texts of column ``j`` (used to match codebook labels)."""
    header = unicodedata.normalize("NFKC", table.headers[j]).strip()
    texts = [header]
    if table.layout == "qualtrics" and table.texts:
        text = table.texts[j].strip()
        texts += [text, text.rsplit(" - ", 1)[-1]]
    elif table.layout == "wjx":
        m = _WJX_MATRIX.match(header)
        rest = m.group(1) if m else _WJX_PREFIX.sub("", header)
        texts += [rest, re.split(r"[—-]+", rest)[-1]]
    return [t for t in dict.fromkeys(texts) if t]


def _strip_punct(text: str) -> str:
    return _norm(text).strip(" ?？:：。.")


@dataclass
class _Mapping:
    targets: dict[str, int]  # canonical column -> source column index
    ignored: list[str]


def _resolve_columns(
    table: _Table,
    wanted: list[str],
    *,
    column_map: Mapping[str, str],
    layout_defaults: Mapping[str, str],
    id_column: str,
    codebook: Codebook | None,
) -> _Mapping:
    """Decide which source column feeds each canonical column."""
    name = table.name
    by_header: dict[str, list[int]] = {}
    for j, h in enumerate(table.headers):
        by_header.setdefault(_norm(h), []).append(j)
        if table.import_ids and table.import_ids[j]:
            by_header.setdefault(_norm(table.import_ids[j]), []).append(j)

    def find(header: str) -> int | None:
        hits = sorted(set(by_header.get(_norm(header), [])))
        if len(hits) > 1:
            raise DataError(
                f"{name}: column {header!r} appears {len(hits)} times (columns "
                f"{', '.join(str(h + 1) for h in hits)}); headers used must be unique"
            )
        return hits[0] if hits else None

    targets: dict[str, int] = {}
    used: set[int] = set()

    def take(target: str, j: int) -> None:
        targets[target] = j
        used.add(j)

    for src, target in column_map.items():
        j = find(src)
        if j is None:
            close = difflib.get_close_matches(src, table.headers, n=3, cutoff=0.4)
            hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
            raise DataError(
                f"{name}: column_map key {src!r} is not a column of the file{hint}"
            )
        take(target, j)
    if schema.RESPONDENT_ID in wanted and schema.RESPONDENT_ID not in targets:
        j = find(id_column)
        if j is not None and j not in used:
            take(schema.RESPONDENT_ID, j)
        elif id_column != schema.RESPONDENT_ID:
            raise DataError(
                f"{name}: id_column {id_column!r} is not a column of the file; columns found: "
                f"{_first_few(table.headers, 12)}"
            )
    for target in wanted:
        if target in targets:
            continue
        j = find(target)
        if j is not None and j not in used:
            take(target, j)
    for src, target in layout_defaults.items():
        if target in targets:
            continue
        j = find(src)
        if j is not None and j not in used:
            take(target, j)
    if codebook is not None and table.layout in ("qualtrics", "wjx"):
        labels: dict[str, list[str]] = {}
        for qid in wanted:
            try:
                texts = [codebook.label(qid, "zh"), codebook.label(qid, "en")]
            except ValueError:
                continue
            for text in texts:
                labels.setdefault(_strip_punct(text), []).append(qid)
        found: dict[str, list[int]] = {}
        for j in range(len(table.headers)):
            if j in used:
                continue
            hits = {q for t in _question_texts(table, j) for q in labels.get(_strip_punct(t), [])}
            hits -= set(targets)
            if len(hits) == 1:
                found.setdefault(hits.pop(), []).append(j)
        for qid, columns in found.items():
            if len(columns) == 1:  # a label shared by several columns is left to column_map
                take(qid, columns[0])
    ignored = [h for j, h in enumerate(table.headers) if j not in used]
    return _Mapping(targets, ignored)


def _closest_headers(table: _Table, free: list[int], qid: str, codebook: Codebook) -> list[str]:
    try:
        keys = [qid, codebook.label(qid, "zh"), codebook.label(qid, "en")]
    except ValueError:
        keys = [qid]
    scored = []
    for j in free:
        texts = _question_texts(table, j)
        score = max(difflib.SequenceMatcher(None, _norm(k), _norm(t)).ratio()
                    for k in keys for t in texts)
        if score >= 0.35:
            scored.append((score, j))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [table.headers[j] for _, j in scored[:2]]


# ====================================================================== value converters
def _fmt_value(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    return repr(value)


def _value_text(value: Any) -> str:
    """A cell as text for the exclusions table."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in _MISSING_TOKENS


def _number(value: Any) -> float | None:
    """Parse a number; ``None`` when the cell is not a number."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


@dataclass
class _Convert:
    """Everything a column converter needs to know about the column and its context."""

    table: _Table
    j: int
    column: str
    skip_codes: Mapping[str, str]
    notes: list[str]

    @property
    def source(self) -> str:
        return self.table.headers[self.j]

    def skip_reason(self, value: Any) -> str | None:
        if not self.skip_codes or value is None:
            return None
        key = unicodedata.normalize("NFKC", _value_text(value)).strip()
        return self.skip_codes.get(key)


def _convert_unique(values: list[Any], fn: Callable[[Any], tuple]
                    ) -> tuple[list[Any], list[tuple[int, Any, str]], list[tuple[int, str]]]:
    """Apply ``fn`` once per distinct value.

    ``fn`` returns ``(converted, problem)`` or ``(converted, problem, tag)``; tags (e.g. the
    reason a skipped answer became missing) are returned per cell as ``(position, tag)``.
    """
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    try:
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    except TypeError:  # unhashable cells: convert one by one
        codes, uniques = np.arange(len(arr)), arr
    # the NA sentinel -1 picks the last slot: the conversion of a missing cell
    hits = [fn(value) for value in uniques] + [fn(None)]
    converted = np.empty(len(hits), dtype=object)
    converted[:] = [h[0] for h in hits]
    out = converted[codes].tolist()
    problems: list[tuple[int, Any, str]] = []
    tags: list[tuple[int, str]] = []
    bad = [k for k, h in enumerate(hits) if h[1] is not None]
    tagged = [k for k, h in enumerate(hits) if len(h) > 2 and h[2] is not None]
    if bad or tagged:
        slot = np.where(codes < 0, len(hits) - 1, codes)
        for pos in np.flatnonzero(np.isin(slot, bad)).tolist():
            problems.append((pos, values[pos], hits[slot[pos]][1]))
        for pos in np.flatnonzero(np.isin(slot, tagged)).tolist():
            tags.append((pos, hits[slot[pos]][2]))
    return out, problems, tags


def _coded_converter(ctx: _Convert, scale: Scale, value_map: Mapping[str, Any] | None,
                     spss_labels: Mapping[Any, str] | None) -> Callable:
    label_codes = {_norm(k): v for k, v in scale.code_of_label().items()}
    vmap = {_norm(k): v for k, v in (value_map or {}).items()}
    binary = not scale.numeric and scale.min == 0 and scale.max == 1
    recode: dict[float, int] = {}
    if spss_labels:
        for code, text in spss_labels.items():
            target = label_codes.get(_norm(text))
            num = _number(code)
            if target is not None and num is not None:
                recode[num] = target
        changed = {k: v for k, v in recode.items() if k != v}
        if changed:
            ctx.notes.append(
                f"{ctx.table.name}: column {ctx.source!r}: SPSS value labels differ from the "
                f"codebook coding; recoded by label ("
                + ", ".join(f"{_fmt_value(k)}->{v}" for k, v in sorted(changed.items())) + ")"
            )
    hint = (f"a number or a label of the scale ({scale.describe()}: "
            + ", ".join(scale.labels.zh) + ")") if scale.labels else "a number"

    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return math.nan, None, reason
        if vmap:
            keys = [_norm(_value_text(value))]
            if spss_labels and value in spss_labels:
                keys.append(_norm(spss_labels[value]))
            for key in keys:
                if key in vmap:
                    mapped = vmap[key]
                    return (math.nan if mapped is None else float(mapped)), None
        if _is_missing(value):
            return math.nan, None
        if isinstance(value, (datetime, date)):
            return math.nan, f"{_fmt_value(str(value))} is not {hint}"
        num = _number(value)
        if num is None:
            text = _norm(value)
            if text in label_codes:
                return float(label_codes[text]), None
            if binary and text in _TRUE | _FALSE:
                return (1.0 if text in _TRUE else 0.0), None
            return math.nan, f"{_fmt_value(value)} is not {hint}"
        if num in recode:
            num = float(recode[num])
        if math.isnan(num):
            return math.nan, None
        if not scale.min <= num <= scale.max:
            return math.nan, f"{_fmt_value(num)} is outside {scale.describe()}"
        if not scale.numeric and not num.is_integer():
            return math.nan, f"{_fmt_value(num)} is not a whole-number code ({scale.describe()})"
        return num, None

    return convert


def _text_converter(ctx: _Convert) -> Callable:
    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return None, None, reason
        if value is None or value is pd.NA or value is pd.NaT:
            return None, None
        if isinstance(value, (float, np.floating)) and math.isnan(value):
            return None, None
        text = _value_text(value).strip()
        return (text or None), None

    return convert


def _segment_converter(ctx: _Convert, codebook: Codebook, seg_id: str,
                       value_map: Mapping[str, Any] | None,
                       spss_labels: Mapping[Any, str] | None, by_position: bool) -> Callable:
    levels = codebook.segment_levels(seg_id)
    lookup = {_norm(lv): lv for lv in levels}
    for lang in ("zh", "en"):
        for lv, text in codebook.level_labels(seg_id, lang).items():
            lookup.setdefault(_norm(text), lv)
    vmap = {_norm(k): v for k, v in (value_map or {}).items()}
    allowed = (f"allowed: {', '.join(levels)} (or "
               f"{', '.join(codebook.level_labels(seg_id, 'zh').values())})")

    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return None, None, reason
        keys = [_norm(_value_text(value))]
        if spss_labels:
            label = spss_labels.get(value)
            if label is None and _number(value) is not None:
                label = spss_labels.get(_number(value))
            if label is not None:
                keys.append(_norm(label))
        for key in keys:
            if key in vmap:
                return vmap[key], None
        if _is_missing(value):
            return None, None
        for key in keys:
            if key in lookup:
                return lookup[key], None
        num = _number(value)
        if by_position and num is not None and num.is_integer() and 1 <= num <= len(levels):
            return levels[int(num) - 1], None, "by position"
        return None, f"{_fmt_value(value)} is not a level of {seg_id}; {allowed}"

    return convert


def _id_converter(required: bool, what: str) -> Callable:
    def convert(value: Any) -> tuple[Any, str | None]:
        if value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)):
            text = ""
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        if not text:
            return None, (f"{what} is missing" if required else None)
        return text, None

    return convert


_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


def _datetime_values(values: list[Any], *, required: bool, notes: list[str], name: str,
                     source: str) -> tuple[pd.Series, list[tuple[int, Any, str]]]:
    """Parse date-times; returns a datetime64[ns] series and the problems."""
    texts: list[Any] = []
    for value in values:
        if _is_missing(value):
            texts.append(None)
        elif isinstance(value, (datetime, date, pd.Timestamp, np.datetime64)):
            texts.append(pd.Timestamp(value).isoformat())
        else:
            text = _CN_DATE.sub(r"\1-\2-\3 ", str(value).strip()).strip()
            texts.append(text)
    series = pd.Series(texts, dtype=object)
    parsed = _parse_datetimes(series, notes, name, source)
    problems = []
    for pos in np.flatnonzero(parsed.isna().to_numpy()).tolist():
        value = values[pos]
        if texts[pos] is not None:
            problems.append((pos, value, f"{_fmt_value(value)} is not a date-time"))
        elif required:
            problems.append((pos, value, "date-time is missing"))
    return parsed, problems


def _parse_datetimes(series: pd.Series, notes: list[str], name: str, source: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    todo = series.notna()
    for fmt in ("ISO8601", "mixed"):
        if not todo.any():
            break
        part = series[todo]
        try:
            got = pd.to_datetime(part, errors="coerce", format=fmt)
        except (ValueError, TypeError):
            got = pd.to_datetime(part, errors="coerce", format=fmt, utc=True)
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            notes.append(f"{name}: column {source!r}: {int(got.notna().sum())} date-times "
                         "had a time-zone offset and were converted to UTC")
            got = got.dt.tz_convert(None)
        ok = got.notna()
        out.loc[got.index[ok]] = got[ok].astype("datetime64[ns]")
        todo = todo & out.isna()
    return out


_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?"
                       r"\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?"
                       r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s))?$")


def _duration_converter(ctx: _Convert) -> Callable:
    def convert(value: Any) -> tuple[Any, str | None]:
        if _is_missing(value):
            return math.nan, None
        num = _number(value)
        if num is None:
            text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
            m = _DURATION.match(text)
            if not text or m is None or not any(m.groups()):
                return math.nan, (f"{_fmt_value(value)} is not a duration (seconds, or text "
                                  "like '125秒' / '2分5秒')")
            h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            num = h * 3600 + mi * 60 + s
        if math.isnan(num) or num < 0:
            return math.nan, f"{_fmt_value(num)} is negative; a duration must be >= 0"
        return num, None

    return convert


def _nonneg_converter(what: str) -> Callable:
    def convert(value: Any) -> tuple[Any, str | None]:
        if _is_missing(value):
            return math.nan, None
        num = _number(value)
        if num is None:
            return math.nan, f"{_fmt_value(value)} is not a number ({what})"
        if math.isinf(num) or num < 0:
            return math.nan, f"{_fmt_value(num)} is negative; {what} must be >= 0"
        return num, None

    return convert


def _weight_converter(value: Any) -> tuple[Any, str | None]:
    num = None if _is_missing(value) else _number(value)
    if num is None:
        return math.nan, (f"{_fmt_value(value)} is not a weight" if not _is_missing(value)
                          else "weight is missing")
    if not math.isfinite(num) or num <= 0:
        return math.nan, f"{_fmt_value(num)} is not a positive weight"
    return num, None


def _choice_converter(allowed: tuple[str, ...], what: str) -> Callable:
    lookup = {a.casefold(): a for a in allowed}

    def convert(value: Any) -> tuple[Any, str | None]:
        if _is_missing(value):
            return None, f"{what} is missing; allowed: {', '.join(allowed)}"
        hit = lookup.get(_norm(value))
        if hit is None:
            return None, f"{_fmt_value(value)} is not allowed; allowed: {', '.join(allowed)}"
        return hit, None

    return convert


def _bool_converter(value: Any) -> tuple[Any, str | None]:
    if _is_missing(value):
        return None, "value is missing; expected true/false"
    text = _norm(_value_text(value))
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, (f"{_fmt_value(value)} is not true/false "
                  "(accepted: true/false, 1/0, yes/no, 是/否)")


# ====================================================================== shared pipeline
def _problem_line(name: str, row: int, column: str, source: str, message: str) -> str:
    where = column if column == source else f"{source!r} ({column})"
    return f"{name} row {row}, column {where}: {message}"


def _settle(
    table: _Table,
    problems: list[_Problem],
    *,
    on_invalid: str,
    id_values: list[Any] | None,
    pre_excluded: list[_Problem],
    extra_lines: list[str],
) -> tuple[list[int], pd.DataFrame, list[str]]:
    """Raise for problems (``on_invalid='error'``) or set their rows aside.

    Returns the kept positions, the exclusions frame and warning texts.
    """
    name = table.name
    if problems and on_invalid == "error":
        rows = {p.pos for p in problems}
        lines = extra_lines + [
            _problem_line(name, table.rows[p.pos], p.column, p.source_column, p.message)
            for p in sorted(problems, key=lambda p: p.pos)
            if not p.duplicate
        ]
        shown = lines[:_SHOW_PROBLEMS]
        more = f"\n  ... and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
        raise DataError(
            f"{name}: {len(problems)} invalid value(s) in {len(rows)} row(s); pass "
            "on_invalid='exclude' to set these rows aside:\n  " + "\n  ".join(shown) + more
        )
    every = pre_excluded + problems
    bad = {p.pos for p in every}
    keep = [pos for pos in range(len(table.rows)) if pos not in bad]
    records = [
        {
            "source_row": table.rows[p.pos],
            "respondent_id": (None if id_values is None else id_values[p.pos]),
            "column": p.column,
            "source_column": p.source_column,
            "value": _value_text(p.value),
            "reason": p.message,
        }
        for p in sorted(every, key=lambda p: p.pos)
    ]
    exclusions = pd.DataFrame.from_records(records, columns=list(EXCLUSION_COLUMNS))
    exclusions["source_row"] = exclusions["source_row"].astype("int64")
    for col in EXCLUSION_COLUMNS[1:]:
        exclusions[col] = exclusions[col].astype("str")
    notes = []
    if problems:
        notes.append(f"{name}: {len({p.pos for p in problems})} row(s) excluded for "
                     f"{len(problems)} invalid value(s); see exclusions")
    return keep, exclusions, notes


def _duplicates(ids: list[Any], rows: list[int], skip: set[int], column: str,
                source: str) -> tuple[list[_Problem], list[str]]:
    """Problems for repeated ids (first occurrence kept) and a summary line."""
    first: dict[Any, list[int]] = {}
    for pos, value in enumerate(ids):
        if value is None or pos in skip:
            continue
        first.setdefault(value, []).append(pos)
    problems, parts = [], []
    for value, positions in first.items():
        if len(positions) < 2:
            continue
        parts.append(f"{value!r} at rows {', '.join(str(rows[p]) for p in positions)}")
        for pos in positions[1:]:
            problems.append(_Problem(pos, column, source, value,
                                     f"duplicate {column} {value!r} (first at row "
                                     f"{rows[positions[0]]})", duplicate=True))
    summary = []
    if parts:
        summary.append(
            f"{len(parts)} duplicate {column}(s): " + "; ".join(parts[:5])
            + (f"; ... ({len(parts)} in all)" if len(parts) > 5 else "")
        )
    return problems, summary


def _emit(messages: list[str]) -> None:
    for message in messages:
        _warnings.warn(message, CsatWarning, stacklevel=3)


# ====================================================================== read_responses
def _check_options(codebook: Any, category: Any, fmt: Any, on_invalid: Any) -> None:
    if not isinstance(codebook, Codebook):
        raise TypeError(f"codebook must be a Codebook (see load_codebook), got "
                        f"{type(codebook).__name__}")
    if not isinstance(category, str) or category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}; got {category!r}")
    if fmt not in RESPONSE_FORMATS:
        raise ValueError(f"format must be one of {', '.join(RESPONSE_FORMATS)}; got {fmt!r}")
    if on_invalid not in ("error", "exclude"):
        raise ValueError(f"on_invalid must be 'error' or 'exclude'; got {on_invalid!r}")


def _check_column_map(column_map: Any, allowed: list[str]) -> dict[str, str]:
    if column_map is None:
        return {}
    if not isinstance(column_map, Mapping):
        raise TypeError(f"column_map must be a mapping (source column -> question id), got "
                        f"{type(column_map).__name__}")
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for src, target in column_map.items():
        if not isinstance(src, str) or not isinstance(target, str):
            raise TypeError(f"column_map entries must be str -> str; got {src!r}: {target!r}")
        if target not in allowed:
            close = difflib.get_close_matches(target, allowed, n=3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise ValueError(
                f"column_map[{src!r}]: {target!r} is not a canonical column for this "
                f"category{hint}"
            )
        if target in seen:
            raise ValueError(f"column_map: {src!r} and {seen[target]!r} both map to {target!r}")
        seen[target] = src
        out[src] = target
    return out


def _check_value_maps(value_maps: Any, codebook: Codebook, category: str
                      ) -> dict[str, dict[str, Any]]:
    if value_maps is None:
        return {}
    if not isinstance(value_maps, Mapping):
        raise TypeError(f"value_maps must be a mapping (question id -> {{text: code}}), got "
                        f"{type(value_maps).__name__}")
    numeric = set(codebook.numeric_ids(category))
    segments = set(codebook.segment_ids())
    out: dict[str, dict[str, Any]] = {}
    for qid, mapping in value_maps.items():
        if qid not in numeric | segments:
            close = difflib.get_close_matches(str(qid), [*numeric, *segments], n=3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise ValueError(f"value_maps: {qid!r} is not a coded question or segment of "
                             f"category {category!r}{hint}")
        if not isinstance(mapping, Mapping):
            raise TypeError(f"value_maps[{qid!r}] must be a mapping, got "
                            f"{type(mapping).__name__}")
        checked: dict[str, Any] = {}
        for key, code in mapping.items():
            where = f"value_maps[{qid!r}][{key!r}]"
            if code is None:
                checked[_value_text(key)] = None
            elif qid in segments:
                if code not in codebook.segment_levels(qid):
                    raise ValueError(f"{where}: {code!r} is not a level of {qid}; allowed: "
                                     f"{', '.join(codebook.segment_levels(qid))}")
                checked[_value_text(key)] = code
            else:
                scale = codebook.scale_of(qid)
                num = _number(code) if not isinstance(code, str) else None
                if num is None or not scale.contains(num):
                    raise ValueError(f"{where}: {code!r} is not a code of {qid} "
                                     f"({scale.describe()}); use None for a missing answer")
                checked[_value_text(key)] = num
        out[qid] = checked
    return out


def read_responses(
    path: str | os.PathLike[str],
    *,
    codebook: Codebook,
    category: str,
    format: str = "auto",  # noqa: A002 - public name
    encoding: str | None = None,
    column_map: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[Any, Any]] | None = None,
    on_invalid: str = "error",
    id_column: str = "respondent_id",
    optional: Iterable[str] = (),
) -> IngestResult:
    """Read a survey export into the canonical frame.

    Parameters
    ----------
    path : str or os.PathLike
        The export file (``.csv``, ``.xlsx``, ``.xls``, ``.sav``, ``.parquet``).
    codebook : Codebook
        The instrument (:func:`csat_research.io.codebook.load_codebook`).
    category : str
        Product category of the study (decides the category-specific items).
    format : {"auto", "csv", "excel", "spss", "parquet", "qualtrics", "wjx"}
        ``auto`` chooses the reader from the extension and recognises Qualtrics (three
        header rows, ImportIds in row 3) and 问卷星 layouts (columns 序号, 提交答卷时间,
        ...).
        ``csv`` / ``excel`` force the reader but still recognise those layouts.
    encoding : str, optional
        Text encoding of a CSV (detected when ``None``: UTF-8 with or without BOM,
        else GB18030, charset-normalizer breaking ties) or SPSS file (``None``: the
        encoding recorded in the file).
    column_map : mapping, optional
        Source column (header, Qualtrics export tag or ImportId) -> canonical column.
        Columns already named like the canonical columns need no entry; Qualtrics and wjx
        question columns whose text equals a codebook label are matched automatically.
    value_maps : mapping, optional
        Question id -> {source text or code: codebook code (``None`` = missing)}, applied
        before the codebook's own scale / level labels.
    on_invalid : {"error", "exclude"}
        What to do with invalid values: raise one DataError listing them, or set the rows
        aside in ``exclusions``.
    id_column : str
        Source column holding the respondent id (Qualtrics: ``ResponseId`` and wjx:
        ``序号`` are used when this column is absent).
    optional : iterable of str
        Question ids that may be absent from the file (filled with missing values and
        reported in ``warnings``), e.g. ``repurchase`` when it comes from the CRM later.

    Returns
    -------
    IngestResult
        ``frame`` with the columns ``codebook.columns_for(category)`` (plus ``weight`` when
        the file has one): ids, ``category`` and open / segment answers as text,
        ``submitted_at`` as ``datetime64[ns]``, ``duration_sec`` and every coded answer as
        ``float64`` with ``NaN`` for skipped / not shown questions.

    Raises
    ------
    DataError
        Unreadable, empty or header-only file; wrong encoding; needed columns missing;
        with ``on_invalid="error"`` invalid values (out-of-range or non-numeric codes,
        unknown segment levels, bad dates or durations, duplicate or missing respondent
        ids), each with file, row, column and value.
    TypeError, ValueError
        Invalid arguments.

    Notes
    -----
    Skipped (-2, "(跳过)") and not-shown (-3, "(空)") answers of wjx exports, and "-99"
    (seen but unanswered) of Qualtrics exports become missing values and are counted in
    ``warnings``. In wjx and Qualtrics exports a segment answered by option number
    (``1``, ``2``, ...) is read as the codebook level in that position (and reported).
    For SPSS files, numeric codes whose value label equals a codebook scale label are
    recoded by label when the numbering differs. Duplicate respondent ids: the first
    occurrence is kept, later ones are invalid rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from csat_research.io.codebook import load_codebook
    >>> cb = load_codebook()
    >>> cols = cb.columns_for("beauty")
    >>> row = {c: 4 for c in cb.numeric_ids("beauty")}
    >>> row.update(respondent_id="R1", category="beauty", nps=9, repurchase=1,
    ...            expected_reply_min=5, customer_type="new")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = pd.DataFrame([row], columns=cols).to_csv(folder / "wave.csv", index=False)
    >>> res = read_responses(folder / "wave.csv", codebook=cb, category="beauty")
    >>> res.frame[["respondent_id", "nps", "customer_type"]]
      respondent_id  nps customer_type
    0            R1  9.0           new
    >>> res.format, res.encoding, res.n_rows_read
    ('csv', 'utf-8', 1)
    """
    _check_options(codebook, category, format, on_invalid)
    if encoding is not None and not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str or None, got {type(encoding).__name__}")
    if not isinstance(id_column, str) or not id_column:
        raise TypeError(f"id_column must be a non-empty str, got {id_column!r}")
    questions = codebook.question_ids(category)
    optional = list(optional) if not isinstance(optional, str) else [optional]
    for qid in optional:
        if qid not in questions:
            raise ValueError(f"optional: {qid!r} is not a question of category {category!r}")
    allowed_targets = [*codebook.columns_for(category), schema.WEIGHT]
    cmap = _check_column_map(column_map, allowed_targets)
    vmaps = _check_value_maps(value_maps, codebook, category)
    p = _check_path(path)

    container = _container_of(p, format, RESPONSE_FORMATS)
    raw = _read_raw(p, container, encoding)
    table = _layout(raw, format)
    name = table.name
    notes = list(raw.notes)
    layout = table.layout

    defaults: dict[str, str] = {}
    skip_codes: Mapping[str, str] = {}
    if layout == "qualtrics":
        defaults = {"ResponseId": schema.RESPONDENT_ID, "RecordedDate": schema.SUBMITTED_AT,
                    "EndDate": schema.SUBMITTED_AT, "Duration (in seconds)": schema.DURATION_SEC}
        skip_codes = _QUALTRICS_SKIP
    elif layout == "wjx":
        defaults = {"序号": schema.RESPONDENT_ID, "提交答卷时间": schema.SUBMITTED_AT,
                    "所用时间": schema.DURATION_SEC}
        skip_codes = _WJX_SKIP
    wanted = [*schema.METADATA_COLUMNS, schema.WEIGHT, *questions]
    mapping = _resolve_columns(table, wanted, column_map=cmap, layout_defaults=defaults,
                               id_column=id_column, codebook=codebook)
    targets = mapping.targets

    if schema.RESPONDENT_ID not in targets:
        raise DataError(
            f"{name}: no respondent id column: expected {id_column!r}"
            + (" (or ResponseId)" if layout == "qualtrics" else " (or 序号)" if layout == "wjx"
               else "")
            + f"; columns found: {_first_few(table.headers, 12)}; pass id_column= or "
            "column_map={source: 'respondent_id'}"
        )
    missing = [q for q in questions if q not in targets and q not in optional]
    if missing:
        free = [j for j in range(len(table.headers)) if j not in targets.values()]
        described = []
        for qid in missing:
            close = _closest_headers(table, free, qid, codebook)
            hint = (f" [{codebook.label(qid, 'zh')}; closest header(s): "
                    f"{', '.join(repr(c) for c in close)}]") if close else ""
            described.append(qid + hint)
        raise DataError(
            f"{name}: {len(missing)} column(s) the codebook needs for category {category!r} "
            f"are missing: {'; '.join(described)}. Columns found ({len(table.headers)}): "
            f"{_first_few(table.headers, 15)}. Map them with column_map={{source column: "
            "question id} or list absent questions in optional="
        )
    absent_meta = [c for c in (schema.CUSTOMER_ID, schema.ORDER_ID, schema.SUBMITTED_AT,
                               schema.DURATION_SEC) if c not in targets]
    if absent_meta:
        notes.append(f"{name}: {len(absent_meta)} metadata column(s) not in the file, left "
                     f"missing: {', '.join(absent_meta)}")
    absent_optional = [q for q in optional if q not in targets]
    if absent_optional:
        notes.append(f"{name}: {len(absent_optional)} optional question(s) not in the file, "
                     f"left missing: {', '.join(absent_optional)}")

    # ---- Qualtrics: unfinished / preview responses are set aside first
    pre_excluded: list[_Problem] = []
    if layout == "qualtrics":
        pre_excluded = _qualtrics_status(table, notes)
    pre_bad = {p.pos for p in pre_excluded}

    skipped: dict[str, int] = {}
    positional: dict[str, int] = {}
    problems: list[_Problem] = []
    values: dict[str, Any] = {}

    def ctx_for(target: str) -> _Convert:
        return _Convert(table, targets[target], target, skip_codes, notes)

    def run(target: str, fn: Callable) -> list[Any]:
        j = targets[target]
        out, found, tags = _convert_unique(table.columns[j], fn)
        problems.extend(_Problem(pos, target, table.headers[j], value, msg)
                        for pos, value, msg in found if pos not in pre_bad)
        for pos, tag in tags:
            if pos in pre_bad:
                continue
            if tag == "by position":
                positional[target] = positional.get(target, 0) + 1
            else:
                skipped[tag] = skipped.get(tag, 0) + 1
        return out

    ids = run(schema.RESPONDENT_ID, _id_converter(True, "respondent id"))
    values[schema.RESPONDENT_ID] = ids
    for col in (schema.CUSTOMER_ID, schema.ORDER_ID):
        if col in targets:
            values[col] = run(col, _id_converter(False, col))
    if schema.SUBMITTED_AT in targets:
        j = targets[schema.SUBMITTED_AT]
        parsed, found = _datetime_values(table.columns[j], required=False, notes=notes,
                                         name=name, source=table.headers[j])
        problems.extend(_Problem(pos, schema.SUBMITTED_AT, table.headers[j], v, m)
                        for pos, v, m in found if pos not in pre_bad)
        values[schema.SUBMITTED_AT] = parsed
    if schema.DURATION_SEC in targets:
        values[schema.DURATION_SEC] = run(schema.DURATION_SEC,
                                          _duration_converter(ctx_for(schema.DURATION_SEC)))
    if schema.CATEGORY in targets:
        values[schema.CATEGORY] = run(schema.CATEGORY, _category_converter(category))
    if schema.WEIGHT in targets:
        values[schema.WEIGHT] = run(schema.WEIGHT, _weight_converter)

    numeric = set(codebook.numeric_ids(category))
    open_ids = set(codebook.open_ids())
    for qid in questions:
        if qid not in targets:
            continue
        ctx = ctx_for(qid)
        spss_labels = table.value_labels.get(table.headers[targets[qid]])
        if qid in numeric:
            fn = _coded_converter(ctx, codebook.scale_of(qid), vmaps.get(qid), spss_labels)
        elif qid in open_ids:
            fn = _text_converter(ctx)
        else:
            fn = _segment_converter(ctx, codebook, qid, vmaps.get(qid), spss_labels,
                                    by_position=layout in ("wjx", "qualtrics"))
        values[qid] = run(qid, fn)

    dup_problems, dup_lines = _duplicates(
        ids, table.rows, pre_bad | {p.pos for p in problems if p.column == schema.RESPONDENT_ID},
        schema.RESPONDENT_ID, table.headers[targets[schema.RESPONDENT_ID]])
    problems.extend(dup_problems)

    if skipped:
        parts = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
        codes = ("-2/(跳过) = skipped, -3/(空) = not shown" if layout == "wjx"
                 else "-99 = seen but unanswered")
        notes.append(f"{name}: {sum(skipped.values())} answer(s) set to missing ({parts}; "
                     f"{codes})")
    if positional:
        described = []
        for qid, n in positional.items():
            order = ", ".join(f"{k + 1}={lv}" for k, lv in
                              enumerate(codebook.segment_levels(qid)))
            described.append(f"{qid} ({n} rows: {order})")
        notes.append(f"{name}: segment answers given as option numbers were read as the "
                     f"codebook levels in that order: {', '.join(described)}")
    known_meta = {"qualtrics": _QUALTRICS_META, "wjx": _WJX_META}.get(layout, ())
    ignored = [h for h in mapping.ignored if h not in known_meta]
    if ignored:
        notes.append(f"{name}: {len(ignored)} column(s) not used: {_first_few(ignored, 8)}")

    keep, exclusions, settle_notes = _settle(
        table, problems, on_invalid=on_invalid, id_values=ids, pre_excluded=pre_excluded,
        extra_lines=[f"{name}: {line}" for line in dup_lines])
    notes.extend(settle_notes)

    frame = _build_frame(values, keep, category, questions, numeric, targets)
    sources = {t: table.headers[j] for t, j in targets.items()}
    result = IngestResult(
        frame=frame,
        exclusions=exclusions,
        source=p,
        format=layout,
        encoding=raw.encoding,
        n_rows_read=len(table.rows),
        warnings=tuple(notes),
        column_sources=sources,
        source_rows=tuple(table.rows[pos] for pos in keep),
    )
    _emit(notes)
    return result


def _category_converter(category: str) -> Callable:
    def convert(value: Any) -> tuple[Any, str | None]:
        if _is_missing(value):
            return category, None
        text = _value_text(value).strip()
        if text != category:
            return None, f"{_fmt_value(text)} is not the category being read ({category!r})"
        return text, None

    return convert


def _qualtrics_status(table: _Table, notes: list[str]) -> list[_Problem]:
    """Unfinished, preview, test and spam responses of a Qualtrics export."""
    out: list[_Problem] = []
    heads = {h: j for j, h in enumerate(table.headers)}
    j = heads.get("Finished")
    if j is None:
        notes.append(f"{table.name}: Qualtrics export without a 'Finished' column; completion "
                     "was not checked")
    else:
        for pos, value in enumerate(table.columns[j]):
            text = _norm(_value_text(value))
            if text in _TRUE:
                continue
            if text in _FALSE:
                out.append(_Problem(pos, "Finished", "Finished", value, "unfinished"))
            else:
                out.append(_Problem(pos, "Finished", "Finished", value,
                                    f"unfinished ({_fmt_value(value)} is not true/false)"))
    j = heads.get("Status")
    if j is not None:
        for pos, value in enumerate(table.columns[j]):
            status = _QUALTRICS_BAD_STATUS.get(_norm(_value_text(value)))
            if status is not None:
                out.append(_Problem(pos, "Status", "Status", value, f"status: {status}"))
    if out:
        rows = {p.pos for p in out}
        reasons: dict[str, int] = {}
        for p in out:
            key = "unfinished" if p.message.startswith("unfinished") else p.message
            reasons[key] = reasons.get(key, 0) + 1
        notes.append(f"{table.name}: {len(rows)} Qualtrics response(s) set aside ("
                     + ", ".join(f"{n} {r}" for r, n in reasons.items()) + ")")
    return out


def _build_frame(values: dict[str, Any], keep: list[int], category: str, questions: list[str],
                 numeric: set[str], targets: Mapping[str, int]) -> pd.DataFrame:
    n = len(keep)
    idx = np.asarray(keep, dtype=np.intp)

    def pick(col: str) -> list[Any] | None:
        got = values.get(col)
        if got is None:
            return None
        if isinstance(got, pd.Series):
            return got.iloc[idx]
        return [got[i] for i in keep]

    def text(col: str) -> pd.Series:
        got = pick(col)
        return pd.Series([None] * n if got is None else got, dtype="str")

    def floats(col: str) -> pd.Series:
        got = pick(col)
        if got is None:
            return pd.Series(np.full(n, np.nan), dtype="float64")
        return pd.Series(np.asarray(got, dtype="float64"), dtype="float64")

    data: dict[str, pd.Series] = {
        schema.RESPONDENT_ID: text(schema.RESPONDENT_ID),
        schema.CUSTOMER_ID: text(schema.CUSTOMER_ID),
        schema.ORDER_ID: text(schema.ORDER_ID),
    }
    submitted = pick(schema.SUBMITTED_AT)
    data[schema.SUBMITTED_AT] = (pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
                                 if submitted is None else
                                 pd.Series(submitted.to_numpy(), dtype="datetime64[ns]"))
    data[schema.DURATION_SEC] = floats(schema.DURATION_SEC)
    data[schema.CATEGORY] = pd.Series([category] * n, dtype="str")
    if schema.WEIGHT in targets:
        data[schema.WEIGHT] = floats(schema.WEIGHT)
    for qid in questions:
        data[qid] = floats(qid) if qid in numeric else text(qid)
    return pd.DataFrame(data)


# ====================================================================== read_tickets
_TICKET_CHOICES = {
    "channel": ("wechat", "app", "web", "phone"),
    "issue_type": ("logistics", "refund", "return", "product", "other"),
    "handled_by": ("bot", "human", "bot_to_human"),
    "severity": ("high", "normal"),
}
_TICKET_FLOATS = {
    "handoff_min": "minutes to handoff",
    "first_response_min": "minutes to the first reply",
    "resolution_hours": "hours to resolution",
}
_TICKET_BOOLS = ("first_contact_resolution", "repeat_contact", "escalated")


def read_tickets(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    format: str = "auto",  # noqa: A002 - public name
    on_invalid: str = "error",
) -> IngestResult:
    """Read the service-ticket log (columns :data:`csat_research.core.schema.TICKET_COLUMNS`).

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv``, ``.xlsx``, ``.xls`` or ``.parquet`` file with one row per ticket.
    encoding : str, optional
        Text encoding of a CSV file (detected when ``None``).
    format : {"auto", "csv", "excel", "parquet"}
        Reader; ``auto`` goes by the extension.
    on_invalid : {"error", "exclude"}
        Raise for invalid values, or set the rows aside in ``exclusions`` (whose
        ``respondent_id`` column then holds the ticket id).

    Returns
    -------
    IngestResult
        ``frame`` with the ticket columns in schema order: ids and categories as text,
        ``created_at`` as ``datetime64[ns]``, minutes / hours as ``float64`` (``NaN`` when
        unknown), the three flags as ``bool``.

    Raises
    ------
    DataError
        Unreadable or empty file, missing columns, and (``on_invalid="error"``) invalid
        values: unknown channel / issue_type / handled_by / severity, negative or
        non-numeric times, ``handoff_min`` on a ticket not handed from bot to human,
        non-boolean flags, bad dates, missing or duplicate ticket ids.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> row = dict(ticket_id="T1", customer_id="C1", order_id="O1",
    ...            created_at="2026-01-05 10:00", channel="app", issue_type="refund",
    ...            handled_by="bot_to_human", handoff_min=3.5, first_response_min=1,
    ...            resolution_hours=20, first_contact_resolution=True,
    ...            repeat_contact=False, escalated=False, severity="normal")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame([row]).to_csv(folder / "tickets.csv", index=False)
    >>> res = read_tickets(folder / "tickets.csv")
    >>> res.frame[["handled_by", "handoff_min", "escalated"]]
         handled_by  handoff_min  escalated
    0  bot_to_human          3.5      False
    """
    if format not in TICKET_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TICKET_FORMATS)}; got {format!r}")
    if on_invalid not in ("error", "exclude"):
        raise ValueError(f"on_invalid must be 'error' or 'exclude'; got {on_invalid!r}")
    if encoding is not None and not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str or None, got {type(encoding).__name__}")
    p = _check_path(path)
    container = _container_of(p, format, TICKET_FORMATS)
    raw = _read_raw(p, container, encoding)
    table = _layout(raw, container)
    table.layout = container
    name = table.name
    notes = list(raw.notes)
    wanted = list(schema.TICKET_COLUMNS)
    mapping = _resolve_columns(table, wanted, column_map={}, layout_defaults={},
                               id_column="ticket_id", codebook=None)
    targets = mapping.targets
    missing = [c for c in wanted if c not in targets]
    if missing:
        raise DataError(
            f"{name}: {len(missing)} ticket column(s) missing: {', '.join(missing)}; columns "
            f"found: {_first_few(table.headers, 15)}"
        )
    if mapping.ignored:
        notes.append(f"{name}: {len(mapping.ignored)} column(s) not used: "
                     f"{_first_few(mapping.ignored, 8)}")

    problems: list[_Problem] = []
    values: dict[str, Any] = {}

    def run(col: str, fn: Callable) -> list[Any]:
        j = targets[col]
        out, found, _ = _convert_unique(table.columns[j], fn)
        problems.extend(_Problem(pos, col, table.headers[j], v, m) for pos, v, m in found)
        return out

    values["ticket_id"] = run("ticket_id", _id_converter(True, "ticket id"))
    values["customer_id"] = run("customer_id", _id_converter(True, "customer id"))
    values["order_id"] = run("order_id", _id_converter(False, "order id"))
    j = targets["created_at"]
    parsed, found = _datetime_values(table.columns[j], required=True, notes=notes, name=name,
                                     source=table.headers[j])
    problems.extend(_Problem(pos, "created_at", table.headers[j], v, m) for pos, v, m in found)
    values["created_at"] = parsed
    for col, allowed in _TICKET_CHOICES.items():
        values[col] = run(col, _choice_converter(allowed, col))
    for col, what in _TICKET_FLOATS.items():
        values[col] = run(col, _nonneg_converter(what))
    for col in _TICKET_BOOLS:
        values[col] = run(col, _bool_converter)
    jh = targets["handoff_min"]
    for pos, (how, handoff) in enumerate(zip(values["handled_by"], values["handoff_min"],
                                             strict=True)):
        if how is not None and how != "bot_to_human" and not math.isnan(handoff):
            problems.append(_Problem(
                pos, "handoff_min", table.headers[jh], table.columns[jh][pos],
                f"{_fmt_value(handoff)} given but handled_by is {how!r}; handoff_min is only "
                "for bot_to_human tickets"))
    dup_problems, dup_lines = _duplicates(
        values["ticket_id"], table.rows, {p.pos for p in problems if p.column == "ticket_id"},
        "ticket_id", table.headers[targets["ticket_id"]])
    problems.extend(dup_problems)
    keep, exclusions, settle_notes = _settle(
        table, problems, on_invalid=on_invalid, id_values=values["ticket_id"], pre_excluded=[],
        extra_lines=[f"{name}: {line}" for line in dup_lines])
    notes.extend(settle_notes)

    idx = np.asarray(keep, dtype=np.intp)
    data: dict[str, pd.Series] = {}
    for col in wanted:
        got = values[col]
        if col == "created_at":
            data[col] = pd.Series(got.iloc[idx].to_numpy(), dtype="datetime64[ns]")
        elif col in _TICKET_FLOATS:
            data[col] = pd.Series(np.asarray([got[i] for i in keep], dtype="float64"))
        elif col in _TICKET_BOOLS:
            data[col] = pd.Series([bool(got[i]) for i in keep], dtype="bool")
        else:
            data[col] = pd.Series([got[i] for i in keep], dtype="str")
    result = IngestResult(
        frame=pd.DataFrame(data, columns=wanted),
        exclusions=exclusions,
        source=p,
        format=container,
        encoding=raw.encoding,
        n_rows_read=len(table.rows),
        warnings=tuple(notes),
        column_sources={c: table.headers[j] for c, j in targets.items()},
        source_rows=tuple(table.rows[pos] for pos in keep),
    )
    _emit(notes)
    return result
