"""Ingest layer: survey exports and ticket logs -> one canonical frame.

:func:`read_responses` reads a survey export (canonical CSV, other CSV / Excel / SPSS /
Parquet files, Qualtrics CSV exports, 问卷星 (wjx) exports) and returns an
:class:`IngestResult` whose ``frame`` has the canonical columns of
:mod:`csat_research.core.schema`; :func:`read_tickets` does the same for the service-ticket
log. Raw files are only read, never modified. The steps live in the modules beside this
one, the only code of csat_research that reads data files: :mod:`~csat_research.io.readers`
(files into memory, encodings), :mod:`~csat_research.io.layouts` (Qualtrics / wjx / plain
layouts, column resolution), :mod:`~csat_research.io.converters` (cell values),
:mod:`~csat_research.io.exclusions` (problems and set-aside rows) and
:mod:`~csat_research.io.tables` (what they hand each other).

Row numbers in messages are those a user sees: for CSV and Excel files the spreadsheet row
(the header is row 1, Qualtrics data start at row 4, legacy Qualtrics data at row 3); for SPSS and Parquet files, which have
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

import difflib
import os
import warnings as _warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core import schema
from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.codebook import CATEGORIES, Codebook
from csat_research.io.converters import (
    ColumnContext,
    bool_converter,
    category_converter,
    choice_converter,
    coded_converter,
    convert_unique,
    datetime_values,
    duration_converter,
    id_converter,
    nonneg_converter,
    segment_converter,
    text_converter,
    weight_converter,
)
from csat_research.io.exclusions import Problem, duplicates, qualtrics_status, settle
from csat_research.io.layouts import (
    QUALTRICS_META,
    QUALTRICS_SKIP,
    WJX_META,
    WJX_SKIP,
    closest_headers,
    layout_table,
    resolve_columns,
)
from csat_research.io.readers import check_path, container_of, read_raw
from csat_research.io.tables import (
    first_few,
    fmt_value,
    norm_text,
    to_number,
    value_text,
)

__all__ = [
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
        One row per problem of a row set aside, columns
        :data:`~csat_research.io.exclusions.EXCLUSION_COLUMNS`:
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
    encoding_detail : str
        How ``encoding`` was chosen: ``"as given"``, ``"ASCII only"``, ``"declared in the
        file"`` (SPSS), or the detection's confidence, e.g. ``"confidence 99.9 %;
        candidates: big5 99.9 %, gb18030 0.1 %"`` (see
        :func:`csat_research.io.readers.encoding_confidence`).
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
    encoding_detail: str = ""

    @property
    def n_excluded(self) -> int:
        """Number of rows set aside (distinct ``source_row`` values of ``exclusions``)."""
        return int(self.exclusions["source_row"].nunique())


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


def _check_id_column(id_column: str, cmap: Mapping[str, str]) -> None:
    """Refuse an ``id_column`` that ``column_map`` contradicts."""
    by_key = {norm_text(src): (src, target) for src, target in cmap.items()}
    if norm_text(id_column) in by_key:
        src, target = by_key[norm_text(id_column)]
        if target != schema.RESPONDENT_ID:
            raise ValueError(
                f"id_column {id_column!r} is also a column_map key, mapped to {target!r}: one "
                f"file column cannot be both the respondent id and {target}; map it with "
                f"column_map={{{src!r}: 'respondent_id'}} (or drop that entry), or choose "
                "another id_column"
            )
        return
    id_sources = [src for src, target in cmap.items() if target == schema.RESPONDENT_ID]
    if id_sources and id_column != schema.RESPONDENT_ID:
        raise ValueError(
            f"id_column {id_column!r} and column_map {{{id_sources[0]!r}: 'respondent_id'}} "
            "name two different respondent id columns; give the id column once (drop "
            "id_column or that column_map entry)"
        )


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
                checked[value_text(key)] = None
            elif qid in segments:
                if code not in codebook.segment_levels(qid):
                    raise ValueError(f"{where}: {code!r} is not a level of {qid}; allowed: "
                                     f"{', '.join(codebook.segment_levels(qid))}")
                checked[value_text(key)] = code
            else:
                scale = codebook.scale_of(qid)
                num = to_number(code) if not isinstance(code, str) else None
                if num is None or not scale.contains(num):
                    raise ValueError(f"{where}: {code!r} is not a code of {qid} "
                                     f"({scale.describe()}); use None for a missing answer")
                checked[value_text(key)] = num
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
        header rows, ImportIds in row 3; legacy exports: two header rows, V1..V10 then
        ResponseID, ..., Finished) and 问卷星 layouts (columns 序号, 提交答卷时间,
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
        Source column holding the respondent id (Qualtrics: ``ResponseId`` / legacy
        ``ResponseID`` (V1) and wjx:
        ``序号`` are used when this column is absent).
    optional : iterable of str
        Question ids that may be absent from the file (filled with missing values and
        reported in ``warnings``), e.g. ``repurchase`` when it comes from the CRM later;
        added to the items the codebook marks ``optional: true``.

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
    recoded by label when the numbering differs; user-missing values (codes declared missing
    in the file, e.g. 98 = "don't know", 99 = "no answer") become missing values and are
    counted per column in ``warnings``. A date-time outside 1677-09-21 .. 2262-04-11 (e.g.
    SPSS's day zero 1582-10-14, a date stored as 0) cannot be stored: it is an invalid value
    (file, row, column and value in the error; set aside with ``on_invalid="exclude"``),
    never turned into a missing date silently. Duplicate respondent ids: the first
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
    optional = list(dict.fromkeys([*codebook.optional_items(category), *optional]))
    allowed_targets = [*codebook.columns_for(category), schema.WEIGHT]
    cmap = _check_column_map(column_map, allowed_targets)
    _check_id_column(id_column, cmap)
    vmaps = _check_value_maps(value_maps, codebook, category)
    p = check_path(path)

    container = container_of(p, format, RESPONSE_FORMATS)
    raw = read_raw(p, container, encoding, setting="data.responses.encoding")
    table = layout_table(raw, format)
    name = table.name
    notes = list(raw.notes)
    layout = table.layout

    defaults: dict[str, str] = {}
    skip_codes: Mapping[str, str] = {}
    if layout == "qualtrics":
        defaults = {"ResponseId": schema.RESPONDENT_ID, "RecordedDate": schema.SUBMITTED_AT,
                    "EndDate": schema.SUBMITTED_AT, "Duration (in seconds)": schema.DURATION_SEC}
        skip_codes = QUALTRICS_SKIP
    elif layout == "wjx":
        defaults = {"序号": schema.RESPONDENT_ID, "提交答卷时间": schema.SUBMITTED_AT,
                    "所用时间": schema.DURATION_SEC}
        skip_codes = WJX_SKIP
    wanted = [*schema.METADATA_COLUMNS, schema.WEIGHT, *questions]
    mapping = resolve_columns(table, wanted, column_map=cmap, layout_defaults=defaults,
                              id_column=id_column, codebook=codebook)
    targets = mapping.targets

    if schema.RESPONDENT_ID not in targets:
        raise DataError(
            f"{name}: no respondent id column: expected {id_column!r}"
            + (" (or ResponseId)" if layout == "qualtrics" else " (or 序号)" if layout == "wjx"
               else "")
            + f"; columns found: {first_few(table.headers, 12)}; pass id_column= or "
            "column_map={source: 'respondent_id'}"
        )
    missing = [q for q in questions if q not in targets and q not in optional]
    if missing:
        free = [j for j in range(len(table.headers)) if j not in targets.values()]
        described = []
        for qid in missing:
            close = closest_headers(table, free, qid, codebook)
            hint = (f" [{codebook.label(qid, 'zh')}; closest header(s): "
                    f"{', '.join(repr(c) for c in close)}]") if close else ""
            described.append(qid + hint)
        raise DataError(
            f"{name}: {len(missing)} column(s) the codebook needs for category {category!r} "
            f"are missing: {'; '.join(described)}. Columns found ({len(table.headers)}): "
            f"{first_few(table.headers, 15)}. Map them with data.responses.column_map "
            "(column_map={source column: question id} in Python), or, for questions a survey "
            f"may leave out, mark them 'optional: true' in the codebook "
            f"({codebook.source}, params key instrument.codebook; optional= in Python)"
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
    pre_excluded: list[Problem] = []
    if layout == "qualtrics":
        pre_excluded = qualtrics_status(table, notes)
    pre_bad = {p.pos for p in pre_excluded}

    skipped: dict[str, int] = {}
    positional: dict[str, int] = {}
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def ctx_for(target: str) -> ColumnContext:
        return ColumnContext(table, targets[target], target, skip_codes, notes)

    # a file column is released once every column it feeds is converted (a large file's cells
    # are then held once, not twice, while the others are converted)
    uses = Counter(targets.values())

    def release(j: int) -> None:
        uses[j] -= 1
        if not uses[j]:
            table.columns[j] = []

    def run(target: str, fn: Callable) -> np.ndarray:
        j = targets[target]
        out, found, tags = convert_unique(table.columns[j], fn)
        release(j)
        problems.extend(Problem(pos, target, table.headers[j], value, msg)
                        for pos, value, msg in found if pos not in pre_bad)
        for pos, tag in tags:
            if pos in pre_bad:
                continue
            if tag == "by position":
                positional[target] = positional.get(target, 0) + 1
            else:
                skipped[tag] = skipped.get(tag, 0) + 1
        return out

    ids = run(schema.RESPONDENT_ID, id_converter(True, "respondent id"))
    values[schema.RESPONDENT_ID] = ids
    for col in (schema.CUSTOMER_ID, schema.ORDER_ID):
        if col in targets:
            values[col] = run(col, id_converter(False, col))
    if schema.SUBMITTED_AT in targets:
        j = targets[schema.SUBMITTED_AT]
        parsed, found = datetime_values(table.columns[j], required=False, notes=notes,
                                        name=name, source=table.headers[j])
        problems.extend(Problem(pos, schema.SUBMITTED_AT, table.headers[j], v, m)
                        for pos, v, m in found if pos not in pre_bad)
        values[schema.SUBMITTED_AT] = parsed
        release(j)
    if schema.DURATION_SEC in targets:
        values[schema.DURATION_SEC] = run(schema.DURATION_SEC,
                                          duration_converter(ctx_for(schema.DURATION_SEC)))
    if schema.CATEGORY in targets:
        values[schema.CATEGORY] = run(schema.CATEGORY, category_converter(category))
    if schema.WEIGHT in targets:
        values[schema.WEIGHT] = run(schema.WEIGHT, weight_converter)

    numeric = set(codebook.numeric_ids(category))
    open_ids = set(codebook.open_ids())
    for qid in questions:
        if qid not in targets:
            continue
        ctx = ctx_for(qid)
        spss_labels = table.value_labels.get(table.headers[targets[qid]])
        if qid in numeric:
            fn = coded_converter(ctx, codebook.scale_of(qid), vmaps.get(qid), spss_labels)
        elif qid in open_ids:
            fn = text_converter(ctx)
        else:
            fn = segment_converter(ctx, codebook, qid, vmaps.get(qid), spss_labels,
                                   by_position=layout in ("wjx", "qualtrics"))
        values[qid] = run(qid, fn)

    dup_problems, dup_lines = duplicates(
        ids, table.rows, pre_bad | {p.pos for p in problems if p.column == schema.RESPONDENT_ID},
        schema.RESPONDENT_ID, table.headers[targets[schema.RESPONDENT_ID]])
    problems.extend(dup_problems)

    if skipped:
        parts = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
        codes = ("-2/(跳过) = skipped, -3/(空) = not shown" if layout == "wjx"
                 else "-99 = seen but unanswered")
        notes.append(f"{name}: {sum(skipped.values())} answer(s) set to missing ({parts}; "
                     f"{codes})")
    if raw.user_missing:
        header_target = {table.headers[j]: t for t, j in targets.items()}
        per_column = [(header_target[h], found) for h, found in raw.user_missing.items()
                      if h in header_target]
        if per_column:
            total = sum(sum(found.values()) for _, found in per_column)
            notes.append(
                f"{name}: {total} answer(s) set to missing, declared missing in the SPSS file "
                "(user-missing values): " + "; ".join(
                    f"{target} {sum(found.values())} ("
                    + ", ".join(f"{code}: {n}" for code, n in found.items()) + ")"
                    for target, found in per_column)
            )
    if positional:
        described = []
        for qid, n in positional.items():
            order = ", ".join(f"{k + 1}={lv}" for k, lv in
                              enumerate(codebook.segment_levels(qid)))
            described.append(f"{qid} ({n} rows: {order})")
        notes.append(f"{name}: segment answers given as option numbers were read as the "
                     f"codebook levels in that order: {', '.join(described)}")
    known_meta = {"qualtrics": QUALTRICS_META, "wjx": WJX_META}.get(layout, ())
    # a column without header is empty (layout_table refuses values in one): e.g. the
    # trailing comma of every row of a legacy Qualtrics export
    ignored = [h for h in mapping.ignored
               if h not in known_meta and not (h.startswith("(column ") and h.endswith(")"))]
    if ignored:
        notes.append(f"{name}: {len(ignored)} column(s) not used: {first_few(ignored, 8)}")

    keep, exclusions, settle_notes = settle(
        table, problems, on_invalid=on_invalid, id_values=ids, pre_excluded=pre_excluded,
        extra_lines=[f"{name}: {line}" for line in dup_lines], setting="data.responses.on_invalid")
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
        encoding_detail=raw.encoding_detail,
    )
    _emit(notes)
    return result



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
        return got[idx]

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
    p = check_path(path)
    container = container_of(p, format, TICKET_FORMATS)
    raw = read_raw(p, container, encoding, setting="data.tickets.encoding")
    table = layout_table(raw, container)
    table.layout = container
    name = table.name
    notes = list(raw.notes)
    wanted = list(schema.TICKET_COLUMNS)
    mapping = resolve_columns(table, wanted, column_map={}, layout_defaults={},
                              id_column="ticket_id", codebook=None)
    targets = mapping.targets
    missing = [c for c in wanted if c not in targets]
    if missing:
        raise DataError(
            f"{name}: {len(missing)} ticket column(s) missing: {', '.join(missing)}; columns "
            f"found: {first_few(table.headers, 15)}"
        )
    if mapping.ignored:
        notes.append(f"{name}: {len(mapping.ignored)} column(s) not used: "
                     f"{first_few(mapping.ignored, 8)}")

    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def run(col: str, fn: Callable) -> np.ndarray:
        j = targets[col]
        out, found, _ = convert_unique(table.columns[j], fn)
        problems.extend(Problem(pos, col, table.headers[j], v, m) for pos, v, m in found)
        return out

    values["ticket_id"] = run("ticket_id", id_converter(True, "ticket id"))
    values["customer_id"] = run("customer_id", id_converter(True, "customer id"))
    values["order_id"] = run("order_id", id_converter(False, "order id"))
    j = targets["created_at"]
    parsed, found = datetime_values(table.columns[j], required=True, notes=notes, name=name,
                                    source=table.headers[j])
    problems.extend(Problem(pos, "created_at", table.headers[j], v, m) for pos, v, m in found)
    values["created_at"] = parsed
    for col, allowed in _TICKET_CHOICES.items():
        values[col] = run(col, choice_converter(allowed, col))
    for col, what in _TICKET_FLOATS.items():
        values[col] = run(col, nonneg_converter(what))
    for col in _TICKET_BOOLS:
        values[col] = run(col, bool_converter)
    jh = targets["handoff_min"]
    how, handoff = values["handled_by"], values["handoff_min"]
    handed = pd.isna(how) | (how == "bot_to_human")
    for pos in np.flatnonzero(~handed & ~np.isnan(handoff)).tolist():
        problems.append(Problem(
            pos, "handoff_min", table.headers[jh], table.columns[jh][pos],
            f"{fmt_value(float(handoff[pos]))} given but handled_by is {how[pos]!r}; handoff_min "
            "is only for bot_to_human tickets"))
    dup_problems, dup_lines = duplicates(
        values["ticket_id"], table.rows, {p.pos for p in problems if p.column == "ticket_id"},
        "ticket_id", table.headers[targets["ticket_id"]])
    problems.extend(dup_problems)
    keep, exclusions, settle_notes = settle(
        table, problems, on_invalid=on_invalid, id_values=values["ticket_id"], pre_excluded=[],
        extra_lines=[f"{name}: {line}" for line in dup_lines], setting="data.tickets.on_invalid")
    notes.extend(settle_notes)

    idx = np.asarray(keep, dtype=np.intp)
    data: dict[str, pd.Series] = {}
    for col in wanted:
        got = values[col]
        if col == "created_at":
            data[col] = pd.Series(got.iloc[idx].to_numpy(), dtype="datetime64[ns]")
        elif col in _TICKET_FLOATS:
            data[col] = pd.Series(np.asarray(got[idx], dtype="float64"))
        elif col in _TICKET_BOOLS:
            data[col] = pd.Series(got[idx].astype(bool), dtype="bool")
        else:
            data[col] = pd.Series(got[idx], dtype="str")
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
        encoding_detail=raw.encoding_detail,
    )
    _emit(notes)
    return result
