"""Export layouts: header rows, question texts and which file column feeds which column.

:func:`layout_table` turns a :class:`~csat_research.io.tables.RawFile` into a
:class:`~csat_research.io.tables.Table`, recognising Qualtrics exports (three header
rows, ImportIds in row 3; or the legacy layout: two header rows, the ids V1..V10, Q1, ... then
ResponseID, ..., Finished and the question texts) and 问卷星 (wjx) exports (columns 序号,
提交答卷时间, ...),
dropping blank rows and keeping the file row of every data row. :func:`resolve_columns`
maps file columns to canonical columns (``column_map``, canonical names, layout defaults,
then codebook labels matched against Qualtrics / wjx question texts); :func:`closest_headers`
suggests headers for a question that was not found. The layouts' metadata columns and
skip codes are here too.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from csat_research.core import schema
from csat_research.core.errors import DataError
from csat_research.io.codebook import Codebook
from csat_research.io.tables import (
    Cells,
    RawFile,
    Table,
    cell_text,
    first_few,
    is_blank,
    norm_text,
)

__all__ = [
    "QUALTRICS_BAD_STATUS",
    "QUALTRICS_GOOD_STATUS",
    "QUALTRICS_LEGACY_META",
    "QUALTRICS_META",
    "QUALTRICS_SKIP",
    "WJX_META",
    "WJX_SKIP",
    "ColumnMapping",
    "closest_headers",
    "layout_table",
    "resolve_columns",
]

WJX_META = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
WJX_SKIP = {"-2": "skipped", "(跳过)": "skipped", "-3": "not shown", "(空)": "not shown"}
QUALTRICS_SKIP = {"-99": "seen but unanswered"}
#: Metadata columns V1..V10 of a legacy Qualtrics export (their names are in row 2).
QUALTRICS_LEGACY_META = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference",
                         "EmailAddress", "IPAddress", "Status", "StartDate", "EndDate",
                         "Finished")
QUALTRICS_META = ("StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "ExternalDataReference", "LocationLatitude",
                  "LocationLongitude", "DistributionChannel", "UserLanguage", "Q_RecaptchaScore",
                  "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore",
                  "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate",
                  *QUALTRICS_LEGACY_META, "LocationAccuracy")
#: Qualtrics ``Status`` values (numeric codes of legacy and numeric exports, names of newer
#: ones; matched case-insensitively) of responses that are not real respondents: set aside.
QUALTRICS_BAD_STATUS = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam",
                        "survey preview": "Survey Preview", "survey test": "Survey Test",
                        "spam": "Spam"}
#: ``Status`` values of real responses: 0 = IP Address (a normal response), 4 = Imported,
#: 16 = Offline (the offline app). Any other value is kept and reported.
QUALTRICS_GOOD_STATUS = {"0": "IP Address", "4": "Imported", "16": "Offline",
                         "ip address": "IP Address", "imported": "Imported",
                         "offline": "Offline"}


def _row_blank(record: list[Any]) -> bool:
    for cell in record:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell and not cell.isspace():
                return False
        elif not is_blank(cell):
            return False
    return True


def _looks_qualtrics(records: list[list[Any]]) -> bool:
    if len(records) < 3:
        return False
    cells = [cell_text(c) for c in records[2] if not is_blank(c)]
    return bool(cells) and sum(c.startswith('{"ImportId"') for c in cells) >= len(cells) / 2


_LEGACY_ID = re.compile(r"^V\d+$")


def _looks_qualtrics_legacy(records: list[list[Any]]) -> bool:
    """Row 1 the ids V1, V2, V3, ..., row 2 the metadata names with ``ResponseID``."""
    if len(records) < 2:
        return False
    ids = [cell_text(c) for c in records[0][:3]]
    return ids == ["V1", "V2", "V3"] and "ResponseID" in {cell_text(c) for c in records[1]}


def _looks_wjx(records: list[list[Any]]) -> bool:
    if not records:
        return False
    head = {cell_text(c) for c in records[0]}
    return "序号" in head and ("提交答卷时间" in head or "所用时间" in head)


def _records(columnar: Any, stop: int | None = None) -> list[list[Any]]:
    """Rows of a pyarrow table of string columns as lists (the csv module's records)."""
    cols = [c.to_pylist() if stop is None else c.slice(0, stop).to_pylist() for c in columnar.columns]
    return [list(r) for r in zip(*cols, strict=True)]


def _column_values(column: Any) -> list[Any]:
    """A pyarrow string column as a list of str. A column of few distinct values (codes,
    levels) is dictionary-encoded first, so that each distinct value is one shared object, and
    kept with its codes (:class:`~csat_research.io.tables.Cells`)."""
    import pyarrow.compute as pc

    column = column.combine_chunks()
    sample = column.slice(0, 1000)
    if column.null_count or pc.count_distinct(sample).as_py() > len(sample) // 2:
        return column.to_pylist()  # ids, dates, open answers
    encoded = column.dictionary_encode()
    return Cells(encoded.dictionary.to_pylist(),
                 encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp))


def _columnar_table(raw: RawFile, fmt: str) -> Table | None:
    """The :class:`Table` of a CSV read column-wise (:func:`csat_research.io.readers.read_raw`),
    built column by column, when the file is a plain one-header-row table without blank rows or
    unnamed columns; None otherwise (the row-by-row path below reads it, with its notes and
    errors)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columnar = raw.columnar
    head = _records(columnar, 3)
    if fmt in ("qualtrics", "wjx") or _looks_qualtrics(head) or _looks_qualtrics_legacy(head) or _looks_wjx(head):
        return None
    if columnar.num_rows < 2 or any(_row_blank(r) for r in head):
        return None
    # a blank row is blank in its first column: check the rows whose first cell is blank
    first = columnar.column(0)
    blank_firsts = [v for v in pc.unique(first).to_pylist() if not v or v.isspace()]
    if blank_firsts:
        candidates = pc.indices_nonzero(pc.is_in(first, value_set=pa.array(blank_firsts, pa.string()))).to_pylist()
        if any(_row_blank([c[i].as_py() for c in columnar.columns]) for i in candidates):
            return None
    headers = [cell_text(c) for c in head[0]]
    if not all(headers):
        return None
    n_rows = columnar.num_rows
    pending = list(columnar.slice(1).columns)
    raw.columnar = columnar = None  # each Arrow column is released once converted
    columns = []
    for j in range(len(pending)):
        columns.append(_column_values(pending[j]))
        pending[j] = None
    return Table(raw.name, raw.container, headers, columns, list(range(2, n_rows + 1)),
                 value_labels=raw.value_labels)


def layout_table(raw: RawFile, fmt: str) -> Table:
    """Split a raw file into headers and data rows, detecting Qualtrics / wjx layouts."""
    name = raw.name
    if raw.frame is not None:
        frame = raw.frame
        if frame.shape[0] == 0:
            raise DataError(f"{name}: the file has columns but no data rows")
        headers = [str(c).strip() for c in frame.columns]
        columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
        return Table(name, raw.container, headers, columns, list(range(1, len(frame) + 1)),
                     value_labels=raw.value_labels)

    if raw.columnar is not None:
        table = _columnar_table(raw, fmt)
        if table is not None:
            return table
        raw.records = _records(raw.columnar)  # read row by row below, as the csv module gives them
        raw.columnar = None
    records = raw.records or []
    blank = [_row_blank(r) for r in records]
    last = max((i for i, b in enumerate(blank) if not b), default=-1)
    records = records[: last + 1]
    if not records:
        raise DataError(f"{name}: the file is empty")

    legacy = _looks_qualtrics_legacy(records)
    if fmt == "qualtrics" and not (_looks_qualtrics(records) or legacy):
        found = ", ".join(repr(cell_text(c)) for c in (records[2] if len(records) > 2 else [])[:3])
        first = ", ".join(repr(cell_text(c)) for c in records[0][:3])
        raise DataError(
            f"{name}: does not look like a Qualtrics export: row 3 should hold import ids "
            f"like {{\"ImportId\":\"QID1\"}} (found {found or 'no row 3'}), or, in a legacy "
            f"export, row 1 the ids V1, V2, V3, ... (found {first}) and row 2 ResponseID, "
            "ResponseSet, ..."
        )
    if fmt == "wjx" and not _looks_wjx(records):
        found = ", ".join(repr(cell_text(c)) for c in records[0][:6])
        raise DataError(
            f"{name}: does not look like a 问卷星 (wjx) export: the first columns should be "
            f"{', '.join(WJX_META)}; found {found}"
        )
    if fmt in ("qualtrics", "auto", "csv", "excel") and _looks_qualtrics(records):
        layout, n_header = "qualtrics", 3
    elif fmt in ("qualtrics", "auto", "csv", "excel") and legacy:
        layout, n_header = "qualtrics", 2
    elif fmt == "wjx" or (fmt in ("auto", "csv", "excel") and _looks_wjx(records)):
        layout, n_header = "wjx", 1
    else:
        layout, n_header = raw.container, 1

    width = max(len(r) for r in records)
    header_rows = [[cell_text(c) for c in r] + [""] * (width - len(r))
                   for r in records[:n_header]]
    headers = list(header_rows[0])
    if layout == "qualtrics" and n_header == 2:  # legacy: V1..V10 are named in row 2
        headers = [header_rows[1][j] if _LEGACY_ID.match(h) and header_rows[1][j] else h
                   for j, h in enumerate(headers)]
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
            f"{first_few(blank_rows)})"
        )
    columns = [list(col) for col in zip(*data_rows, strict=True)]
    for j in range(width):
        if headers[j].startswith("(column "):
            filled = [row_numbers[k] for k, v in enumerate(columns[j]) if not is_blank(v)]
            if filled:
                raise DataError(
                    f"{name} row {filled[0]}: {len(filled)} value(s) in column {j + 1}, which "
                    "has no header"
                )
    table = Table(name, layout, headers, columns, row_numbers, value_labels=raw.value_labels)
    if layout == "qualtrics":
        table.texts = header_rows[1]
        table.import_ids = ([_import_id(c) for c in header_rows[2]] if n_header == 3
                            else header_rows[0])  # legacy: V1, ..., Q1 stay usable
    return table


def _import_id(cell: str) -> str:
    try:
        value = json.loads(cell)
    except (ValueError, TypeError):
        return cell
    return str(value.get("ImportId", cell)) if isinstance(value, dict) else cell


_WJX_PREFIX = re.compile(r"^\s*\d+\s*[、.:：]\s*")
_WJX_MATRIX = re.compile(r"^\s*\d+\s*\((.*)\)\s*$")


def _question_texts(table: Table, j: int) -> list[str]:
    """Candidate question texts of column ``j`` (used to match codebook labels)."""
    header = unicodedata.normalize("NFKC", table.headers[j]).strip()
    texts = [header]
    if table.layout == "qualtrics" and table.texts:
        text = table.texts[j].strip()
        # matrix rows: "question - statement" (legacy exports: "question-statement")
        texts += [text, text.rsplit(" - ", 1)[-1], text.rsplit("-", 1)[-1].strip()]
    elif table.layout == "wjx":
        m = _WJX_MATRIX.match(header)
        rest = m.group(1) if m else _WJX_PREFIX.sub("", header)
        texts += [rest, re.split(r"[—-]+", rest)[-1]]
    return [t for t in dict.fromkeys(texts) if t]


def _strip_punct(text: str) -> str:
    return norm_text(text).strip(" ?？:：。.")


@dataclass
class ColumnMapping:
    """Which source column feeds each canonical column, and the headers not used."""

    targets: dict[str, int]  # canonical column -> source column index
    ignored: list[str]


def resolve_columns(
    table: Table,
    wanted: list[str],
    *,
    column_map: Mapping[str, str],
    layout_defaults: Mapping[str, str],
    id_column: str,
    codebook: Codebook | None,
) -> ColumnMapping:
    """Decide which source column feeds each canonical column."""
    name = table.name
    by_header: dict[str, list[int]] = {}
    for j, h in enumerate(table.headers):
        by_header.setdefault(norm_text(h), []).append(j)
        if table.import_ids and table.import_ids[j]:
            by_header.setdefault(norm_text(table.import_ids[j]), []).append(j)

    def find(header: str) -> int | None:
        hits = sorted(set(by_header.get(norm_text(header), [])))
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
        if j is not None and j in used:
            taken = next(t for t, k in targets.items() if k == j)
            raise DataError(
                f"{name}: id_column {id_column!r} is column {j + 1} of the file, which "
                f"column_map already maps to {taken!r}; map that column to 'respondent_id' "
                "or choose another id_column"
            )
        if j is not None:
            take(schema.RESPONDENT_ID, j)
        elif id_column != schema.RESPONDENT_ID:
            raise DataError(
                f"{name}: id_column {id_column!r} is not a column of the file; columns found: "
                f"{first_few(table.headers, 12)}"
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
    return ColumnMapping(targets, ignored)


def closest_headers(table: Table, free: list[int], qid: str, codebook: Codebook) -> list[str]:
    """Up to two unused headers that look most like question ``qid`` (for hints)."""
    try:
        keys = [qid, codebook.label(qid, "zh"), codebook.label(qid, "en")]
    except ValueError:
        keys = [qid]
    scored = []
    for j in free:
        texts = _question_texts(table, j)
        score = max(difflib.SequenceMatcher(None, norm_text(k), norm_text(t)).ratio()
                    for k in keys for t in texts)
        if score >= 0.35:
            scored.append((score, j))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [table.headers[j] for _, j in scored[:2]]
