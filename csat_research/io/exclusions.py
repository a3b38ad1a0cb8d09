"""The problem and exclusion pipeline shared by :mod:`csat_research.io.ingest`'s readers.

A :class:`Problem` is one bad value of one row (or a row set aside for another reason).
:func:`settle` raises one ``DataError`` listing the problems (``on_invalid="error"``) or moves
their rows to the exclusions frame (columns :data:`EXCLUSION_COLUMNS`, one line per problem
with the reason); :func:`duplicates` finds repeated ids (the first occurrence is kept) and
:func:`qualtrics_status` the unfinished, preview, test and spam responses of a Qualtrics
export, which are always set aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError
from csat_research.io.layouts import QUALTRICS_BAD_STATUS, QUALTRICS_GOOD_STATUS
from csat_research.io.tables import (
    FALSE_TOKENS,
    TRUE_TOKENS,
    Table,
    fmt_value,
    norm_text,
    value_text,
)

__all__ = ["EXCLUSION_COLUMNS", "Problem", "duplicates", "qualtrics_status", "settle"]

#: Columns of ``IngestResult.exclusions`` (one row per problem of an excluded row).
EXCLUSION_COLUMNS = ("source_row", "respondent_id", "column", "source_column", "value", "reason")
_SHOW_PROBLEMS = 20


@dataclass
class Problem:
    """One bad value of a data row (``pos``: its position in the table), or why it is set aside."""

    pos: int
    column: str
    source_column: str
    value: Any
    message: str
    duplicate: bool = False


# ====================================================================== shared pipeline
def _problem_line(name: str, row: int, column: str, source: str, message: str) -> str:
    where = column if column == source else f"{source!r} ({column})"
    return f"{name} row {row}, column {where}: {message}"


def settle(
    table: Table,
    problems: list[Problem],
    *,
    on_invalid: str,
    id_values: list[Any] | None,
    pre_excluded: list[Problem],
    extra_lines: list[str],
    setting: str = "on_invalid",
) -> tuple[list[int], pd.DataFrame, list[str]]:
    """Raise for problems (``on_invalid='error'``) or set their rows aside.

    ``setting`` is the params key the error's hint names (``data.responses.on_invalid``).
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
            f"{name}: {len(problems)} invalid value(s) in {len(rows)} row(s); set {setting}: exclude "
            "in the params (on_invalid='exclude' in Python) to set these rows aside and count them:\n  "
            + "\n  ".join(shown) + more
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
            "value": value_text(p.value),
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


def duplicates(ids: list[Any], rows: list[int], skip: set[int], column: str,
               source: str) -> tuple[list[Problem], list[str]]:
    """Problems for repeated ids (first occurrence kept) and a summary line."""
    first: dict[Any, list[int]] = {}
    candidates: Any = range(len(ids))
    if len(ids) > 1000:
        # only the positions of ids that occur more than once (found column-wise) are walked
        cells = np.empty(len(ids), dtype=object)
        cells[:] = ids
        usable = np.array([v is not None for v in ids], dtype=bool)
        if skip:
            usable[np.fromiter(skip, dtype=np.intp, count=len(skip))] = False
        repeated = np.zeros(len(ids), dtype=bool)
        repeated[usable] = pd.Series(cells[usable], dtype=object).duplicated(keep=False).to_numpy()
        candidates = np.flatnonzero(repeated).tolist()
    for pos in candidates:
        value = ids[pos]
        if value is None or pos in skip:
            continue
        first.setdefault(value, []).append(pos)
    problems, parts = [], []
    for value, positions in first.items():
        if len(positions) < 2:
            continue
        parts.append(f"{value!r} at rows {', '.join(str(rows[p]) for p in positions)}")
        for pos in positions[1:]:
            problems.append(Problem(pos, column, source, value,
                                    f"duplicate {column} {value!r} (first at row "
                                    f"{rows[positions[0]]})", duplicate=True))
    summary = []
    if parts:
        summary.append(
            f"{len(parts)} duplicate {column}(s): " + "; ".join(parts[:5])
            + (f"; ... ({len(parts)} in all)" if len(parts) > 5 else "")
        )
    return problems, summary


def qualtrics_status(table: Table, notes: list[str]) -> list[Problem]:
    """Unfinished, preview, test and spam responses of a Qualtrics export."""
    out: list[Problem] = []
    heads = {h: j for j, h in enumerate(table.headers)}
    j = heads.get("Finished")
    if j is None:
        notes.append(f"{table.name}: Qualtrics export without a 'Finished' column; completion "
                     "was not checked")
    else:
        for pos, value in enumerate(table.columns[j]):
            text = norm_text(value_text(value))
            if text in TRUE_TOKENS:
                continue
            if text in FALSE_TOKENS:
                out.append(Problem(pos, "Finished", "Finished", value, "unfinished"))
            else:
                out.append(Problem(pos, "Finished", "Finished", value,
                                   f"unfinished ({fmt_value(value)} is not true/false)"))
    j = heads.get("Status")
    unknown: dict[str, int] = {}
    if j is not None:
        for pos, value in enumerate(table.columns[j]):
            key = norm_text(value_text(value))
            status = QUALTRICS_BAD_STATUS.get(key)
            if status is not None:
                code = f" ({key})" if key.isdigit() else ""
                out.append(Problem(pos, "Status", "Status", value, f"status: {status}{code}"))
            elif key and key not in QUALTRICS_GOOD_STATUS:
                unknown[value_text(value)] = unknown.get(value_text(value), 0) + 1
    if unknown:
        notes.append(f"{table.name}: {sum(unknown.values())} Qualtrics response(s) with a "
                     "Status that is neither a normal response (0/IP Address, 4/Imported, "
                     "16/Offline) nor a preview, test or spam one, kept: "
                     + ", ".join(f"{v!r} x{n}" for v, n in unknown.items()))
    if out:
        rows = {p.pos for p in out}
        reasons: dict[str, int] = {}
        for p in out:
            key = "unfinished" if p.message.startswith("unfinished") else p.message
            reasons[key] = reasons.get(key, 0) + 1
        notes.append(f"{table.name}: {len(rows)} Qualtrics response(s) set aside ("
                     + ", ".join(f"{n} {r}" for r, n in reasons.items()) + ")")
    return out
