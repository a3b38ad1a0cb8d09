"""What the ingest steps hand each other, and how they read single cells.

:class:`RawFile` is a file read into memory (:mod:`csat_research.io.readers`), :class:`Table`
its header(s) and data rows once the layout is known (:mod:`csat_research.io.layouts`). The
cell helpers are shared by the layouts, the value converters
(:mod:`csat_research.io.converters`) and :mod:`csat_research.io.ingest`: a cell as text, a
normalised matching key, the missing and true/false tokens, numbers written as text, and
values formatted for messages.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FALSE_TOKENS",
    "MISSING_TOKENS",
    "Cells",
    "TRUE_TOKENS",
    "RawFile",
    "Table",
    "cell_text",
    "first_few",
    "fmt_value",
    "is_blank",
    "is_missing",
    "norm_text",
    "to_number",
    "value_text",
]

MISSING_TOKENS = {"", "na", "nan", "n/a", "null", "none", "#n/a", "<na>", "nat"}
TRUE_TOKENS = {"true", "1", "1.0", "yes", "y", "t", "是"}
FALSE_TOKENS = {"false", "0", "0.0", "no", "n", "f", "否"}


@dataclass
class RawFile:
    """A file read into memory: header rows and data cells, nothing interpreted yet."""

    name: str
    container: str
    encoding: str | None
    records: list[list[Any]] | None = None  # csv / excel: every row of the sheet
    #: csv read column-wise by pyarrow instead of ``records`` (every row of the file, header
    #: rows included, one string column each; set only when it reads exactly like ``records``)
    columnar: Any = None
    frame: pd.DataFrame | None = None  # spss / parquet: typed columns
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    encoding_detail: str = ""  # how the encoding was chosen ("as given", "confidence 99.9 %")
    user_missing: dict[str, dict[str, int]] = field(default_factory=dict)  # spss: per column


class Cells(Sequence):
    """A column's cells held factorized: ``codes`` (an integer array, one per cell) and
    ``uniques`` (an object array of the distinct cells). Reads like a list of the cells
    (``cells[pos]``, iteration, ``np.asarray``) without holding one: converters work on the
    distinct cells and the codes. Made by the reader that dictionary-encoded the column."""

    __slots__ = ("codes", "uniques")

    def __init__(self, uniques: list[Any], codes: np.ndarray) -> None:
        self.uniques = np.empty(len(uniques), dtype=object)
        self.uniques[:] = uniques
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, pos: Any) -> Any:
        if isinstance(pos, slice):
            return self.uniques[self.codes[pos]].tolist()
        return self.uniques[self.codes[pos]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.uniques[self.codes].tolist())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        cells = self.uniques[self.codes]
        return cells if dtype is None else cells.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Cells({list(self)!r})"


@dataclass
class Table:
    """Data rows with one header per column and the file row of every data row."""

    name: str
    layout: str
    headers: list[str]
    columns: list[Sequence[Any]]  # one list (or Cells) of cell values per column
    rows: list[int]
    texts: list[str] | None = None  # qualtrics row-2 question texts
    import_ids: list[str] | None = None  # qualtrics row-3 import ids
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)


def cell_text(value: Any) -> str:
    """A cell as stripped text (``''`` for None / NaN, whole floats without ``.0``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def norm_text(text: str) -> str:
    """Normalise a header or label for matching (NFKC, collapsed spaces, case-folded)."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, NaN or only spaces)."""
    return cell_text(value) == ""


def first_few(values: list[Any], n: int = 5) -> str:
    """The first ``n`` values joined for a message, with the total when there are more."""
    shown = ", ".join(str(v) for v in values[:n])
    return shown + (f", ... ({len(values)} in all)" if len(values) > n else "")


def fmt_value(value: Any) -> str:
    """A value as quoted in a problem message (whole numbers without ``.0``, text repr'd)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    return repr(value)


def value_text(value: Any) -> str:
    """A cell as text for the exclusions table."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def is_missing(value: Any) -> bool:
    """Whether a cell means "no answer" (None, NA, NaN or a token of :data:`MISSING_TOKENS`)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in MISSING_TOKENS


def to_number(value: Any) -> float | None:
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
