"""Display objects of a report: tables that know their numeric columns, prose, headings.

A report table is built once as a :class:`DisplayTable`: the values as they are (numbers stay
numbers), a format per numeric column, the columns to right-align and a caption. It renders
itself to escaped HTML (``_repr_html_``, so a notebook cell only says ``display(table)``) with
the layout classes the report stylesheet uses: ``csat-num`` on numeric columns, ``csat-text`` on
long text cells, ``csat-wide`` / ``csat-xwide`` on tables with many columns, ``csat-keep`` on
short tables (printed on one page, never split). Nothing downstream
has to guess from the text of a cell whether it holds a number.

Cell texts are always escaped: an open answer is data, never markup.

>>> t = DisplayTable(pd.DataFrame({"dimension": ["Quality"], "mean": [3.456]}), formats={"mean": ".2f"})
>>> t.formatted()["mean"].tolist()
['3.46']
>>> print(t.to_html())  # doctest: +NORMALIZE_WHITESPACE
<table class="csat-table csat-keep"><thead><tr><th>dimension</th><th class="csat-num">mean</th></tr></thead><tbody><tr><td>Quality</td><td class="csat-num">3.46</td></tr></tbody></table>
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["DisplayGroup", "DisplayTable", "Html", "KEEP_ROWS", "LONG_TEXT", "WIDE_COLUMNS", "XWIDE_COLUMNS"]

#: Tables with at least this many columns get class csat-wide / csat-xwide (smaller type).
WIDE_COLUMNS, XWIDE_COLUMNS = 9, 13
#: Tables with at most this many rows get class csat-keep: kept on one page in print (no row
#: left alone on the next page).
KEEP_ROWS = 12
#: Body cells with at least this many characters get class csat-text (may wrap anywhere).
LONG_TEXT = 40


@dataclass(frozen=True)
class Html:
    """A fragment of report HTML that is already safe (built here from escaped parts)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _cell_text(value: object, spec: str | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if spec is not None and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


@dataclass(frozen=True)
class DisplayTable:
    """A report table: values, number formats, numeric columns and a caption.

    Parameters
    ----------
    frame : pandas.DataFrame
        The values; numeric columns hold numbers (formatted only when displayed).
    formats : mapping
        Column -> format spec (``".2f"``, ``".1%"``, ``"+.1f"``) of numeric columns.
    numeric : sequence of str
        Text columns to right-align like numbers (intervals such as ``"3.12 – 3.40"``).
        Columns with a format or a numeric dtype are numeric anyway.
    caption : str, optional
        Shown above the table.
    note : str, optional
        Shown below the table, kept on its page (what the rows leave out, e.g. themes nobody
        mentioned).
    index : bool
        Show the frame's index as the first column (its name heads that column).
    """

    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    numeric: Sequence[str] = ()
    caption: str | None = None
    index: bool = False
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.frame is None or self.frame.empty

    def numeric_columns(self) -> list[str]:
        """The columns shown right-aligned (numeric ones that hold at least one value)."""
        out = []
        for col in self.frame.columns:
            values = self.frame[col]
            dtype = values.dtype
            if ((col in self.formats or col in self.numeric
                 or (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)))
                    and (values.notna() & (values.astype(str) != "")).any()):
                out.append(col)
        return out

    def formatted(self) -> pd.DataFrame:
        """The table as display strings (missing values empty), same index and columns."""
        out = self.frame.copy()
        for col in out.columns:
            spec = self.formats.get(col)
            out[col] = [_cell_text(v, spec) for v in out[col]]
        return out

    def to_string(self) -> str:
        return self.formatted().to_string()

    def to_html(self) -> str:
        """Escaped HTML with the report's layout classes ('' for an empty table)."""
        if self.empty:
            return ""
        shown = self.formatted()
        numeric = set(self.numeric_columns())
        n_cols = shown.shape[1] + (1 if self.index else 0)
        classes = "csat-table" + (" csat-xwide" if n_cols >= XWIDE_COLUMNS else
                                  " csat-wide" if n_cols >= WIDE_COLUMNS else "")
        if len(shown) <= KEEP_ROWS:
            classes += " csat-keep"

        def td(text: str, num: bool, tag: str = "td") -> str:
            cls = []
            if num:
                cls.append("csat-num")
            if tag == "td" and len(text) >= LONG_TEXT:
                cls.append("csat-text")
            attr = f' class="{" ".join(cls)}"' if cls else ""
            return f"<{tag}{attr}>{html.escape(text)}</{tag}>"

        head = []
        if self.index:
            head.append(td("" if shown.index.name is None else str(shown.index.name), False, "th"))
        head += [td(str(c), c in numeric, "th") for c in shown.columns]
        rows = []
        for label, row in zip(shown.index, shown.itertuples(index=False, name=None), strict=True):
            cells = [td(str(label), False, "th")] if self.index else []
            cells += [td(v, c in numeric) for c, v in zip(shown.columns, row, strict=True)]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        out = (f'<table class="{classes}"><thead><tr>{"".join(head)}</tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table>')
        if self.caption:
            out = f'<p class="csat-caption">{html.escape(self.caption)}</p>' + out
        if self.note:
            out += f'<p class="csat-note">{html.escape(self.note)}</p>'
        return out

    def _repr_html_(self) -> str:
        return self.to_html()


@dataclass(frozen=True)
class DisplayGroup:
    """Several display objects shown one after another (e.g. one table per segment)."""

    items: tuple[object, ...]

    def _repr_html_(self) -> str:
        parts = []
        for item in self.items:
            if isinstance(item, str):
                parts.append(item)
            elif hasattr(item, "_repr_html_"):
                parts.append(item._repr_html_())
        return "".join(parts)

    @classmethod
    def of(cls, items: Iterable[object]) -> DisplayGroup:
        return cls(tuple(items))
