"""Value converters: one file column's cells -> canonical values, with a problem per bad cell.

A converter maps one cell to ``(value, problem)`` or ``(value, problem, tag)`` (the tag
counts skipped answers and segment answers given by position); :func:`convert_unique`
applies it once per distinct value of a column. Converters: coded scale answers (numbers,
scale labels, value maps, SPSS value labels), open text, segment levels, ids, date-times
(ISO, mixed notations, Chinese dates such as 2026年3月1日, time-zone offsets to UTC),
durations (seconds or text such as 2分5秒), non-negative numbers, survey weights, choices,
booleans and the study's category.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from csat_research.io.codebook import Codebook, Scale
from csat_research.io.tables import (
    FALSE_TOKENS,
    MISSING_TOKENS,
    TRUE_TOKENS,
    Cells,
    Table,
    fmt_value,
    is_missing,
    norm_text,
    to_number,
    value_text,
)

__all__ = [
    "ColumnContext",
    "bool_converter",
    "category_converter",
    "choice_converter",
    "coded_converter",
    "convert_unique",
    "datetime_values",
    "duration_converter",
    "id_converter",
    "nonneg_converter",
    "segment_converter",
    "text_converter",
    "weight_converter",
]

@dataclass
class ColumnContext:
    """Everything a column converter needs to know about the column and its context."""

    table: Table
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
        key = unicodedata.normalize("NFKC", value_text(value)).strip()
        return self.skip_codes.get(key)


def convert_unique(values: list[Any], fn: Callable[[Any], tuple]
                   ) -> tuple[np.ndarray, list[tuple[int, Any, str]], list[tuple[int, str]]]:
    """Apply ``fn`` once per distinct value.

    ``fn`` returns ``(converted, problem)`` or ``(converted, problem, tag)``; tags (e.g. the
    reason a skipped answer became missing) are returned per cell as ``(position, tag)``.
    The converted cells come as one array: ``float64`` when every conversion is a float,
    ``object`` otherwise. A converter with a ``bulk`` attribute (see :func:`id_converter`)
    converts a column of text cells at once when ``bulk(values)`` is not None.
    """
    bulk = getattr(fn, "bulk", None)
    if bulk is not None:
        got = bulk(values)
        if got is not None:
            return got
    if isinstance(values, Cells):  # factorized when read
        codes, uniques = values.codes, values.uniques
    else:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        try:
            codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        except TypeError:  # unhashable cells: convert one by one
            codes, uniques = np.arange(len(arr)), arr
        del arr
    # the NA sentinel -1 picks the last slot: the conversion of a missing cell
    hits = [fn(value) for value in uniques] + [fn(None)]
    first = [h[0] for h in hits]
    if all(type(v) is float for v in first):
        converted = np.array(first, dtype="float64")
    else:
        converted = np.empty(len(hits), dtype=object)
        converted[:] = first
    out = converted[codes]
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


def _all_text(values: Sequence[Any]) -> bool:
    """Whether every cell is a str (a list: the bulk paths; Cells convert per distinct value)."""
    return isinstance(values, list) and set(map(type, values)) <= {str}


def _stripped(values: list[Any]) -> np.ndarray:
    """Text cells stripped, ``None`` for empty ones, as an object array."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v.strip() or None for v in values]
    return out


def coded_converter(ctx: ColumnContext, scale: Scale, value_map: Mapping[str, Any] | None,
                    spss_labels: Mapping[Any, str] | None) -> Callable:
    """Converter of a coded answer: numbers, scale labels, value maps, SPSS labels."""
    label_codes = {norm_text(k): v for k, v in scale.code_of_label().items()}
    vmap = {norm_text(k): v for k, v in (value_map or {}).items()}
    binary = not scale.numeric and scale.min == 0 and scale.max == 1
    recode: dict[float, int] = {}
    if spss_labels:
        for code, text in spss_labels.items():
            target = label_codes.get(norm_text(text))
            num = to_number(code)
            if target is not None and num is not None:
                recode[num] = target
        changed = {k: v for k, v in recode.items() if k != v}
        if changed:
            ctx.notes.append(
                f"{ctx.table.name}: column {ctx.source!r}: SPSS value labels differ from the "
                f"codebook coding; recoded by label ("
                + ", ".join(f"{fmt_value(k)}->{v}" for k, v in sorted(changed.items())) + ")"
            )
    hint = (f"a number or a label of the scale ({scale.describe()}: "
            + ", ".join(scale.labels.zh) + ")") if scale.labels else "a number"

    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return math.nan, None, reason
        if vmap:
            keys = [norm_text(value_text(value))]
            if spss_labels and value in spss_labels:
                keys.append(norm_text(spss_labels[value]))
            for key in keys:
                if key in vmap:
                    mapped = vmap[key]
                    return (math.nan if mapped is None else float(mapped)), None
        if is_missing(value):
            return math.nan, None
        if isinstance(value, (datetime, date)):
            return math.nan, f"{fmt_value(str(value))} is not {hint}"
        num = to_number(value)
        if num is None:
            text = norm_text(value)
            if text in label_codes:
                return float(label_codes[text]), None
            if binary and text in TRUE_TOKENS | FALSE_TOKENS:
                return (1.0 if text in TRUE_TOKENS else 0.0), None
            return math.nan, f"{fmt_value(value)} is not {hint}"
        if num in recode:
            num = float(recode[num])
        if math.isnan(num):
            return math.nan, None
        if not scale.min <= num <= scale.max:
            return math.nan, f"{fmt_value(num)} is outside {scale.describe()}"
        if not scale.numeric and not num.is_integer():
            return math.nan, f"{fmt_value(num)} is not a whole-number code ({scale.describe()})"
        return num, None

    return convert


def text_converter(ctx: ColumnContext) -> Callable:
    """Converter of an open answer: stripped text, ``None`` when empty."""
    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return None, None, reason
        if value is None or value is pd.NA or value is pd.NaT:
            return None, None
        if isinstance(value, (float, np.floating)) and math.isnan(value):
            return None, None
        text = value_text(value).strip()
        return (text or None), None

    def bulk(values: list[Any]) -> tuple | None:
        if ctx.skip_codes or not _all_text(values):
            return None
        return _stripped(values), [], []

    convert.bulk = bulk
    return convert


def segment_converter(ctx: ColumnContext, codebook: Codebook, seg_id: str,
                      value_map: Mapping[str, Any] | None,
                      spss_labels: Mapping[Any, str] | None, by_position: bool) -> Callable:
    """Converter of a segment answer: level ids or labels, or option numbers ``by_position``."""
    levels = codebook.segment_levels(seg_id)
    lookup = {norm_text(lv): lv for lv in levels}
    for lang in ("zh", "en"):
        for lv, text in codebook.level_labels(seg_id, lang).items():
            lookup.setdefault(norm_text(text), lv)
    vmap = {norm_text(k): v for k, v in (value_map or {}).items()}
    allowed = (f"allowed: {', '.join(levels)} (or "
               f"{', '.join(codebook.level_labels(seg_id, 'zh').values())})")

    def convert(value: Any) -> tuple[Any, str | None]:
        reason = ctx.skip_reason(value)
        if reason is not None:
            return None, None, reason
        keys = [norm_text(value_text(value))]
        if spss_labels:
            label = spss_labels.get(value)
            if label is None and to_number(value) is not None:
                label = spss_labels.get(to_number(value))
            if label is not None:
                keys.append(norm_text(label))
        for key in keys:
            if key in vmap:
                return vmap[key], None
        if is_missing(value):
            return None, None
        for key in keys:
            if key in lookup:
                return lookup[key], None
        num = to_number(value)
        if by_position and num is not None and num.is_integer() and 1 <= num <= len(levels):
            return levels[int(num) - 1], None, "by position"
        return None, f"{fmt_value(value)} is not a level of {seg_id}; {allowed}"

    return convert


def id_converter(required: bool, what: str) -> Callable:
    """Converter of an id to text (whole floats without ``.0``); empty is bad if ``required``."""
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

    def bulk(values: list[Any]) -> tuple | None:
        if not _all_text(values):
            return None
        out = _stripped(values)
        problems = ([(pos, values[pos], f"{what} is missing")
                     for pos in np.flatnonzero(pd.isna(out)).tolist()] if required else [])
        return out, problems, []

    convert.bulk = bulk
    return convert


_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


#: positions of the digits of ``YYYY-MM-DDTHH:MM:SS``; then the separators at the other ones
_ISO_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_ISO_SEPARATORS = {4: "-", 7: "-", 13: ":", 16: ":"}


def _plain_iso(values: list[Any]) -> pd.Series | None:
    """The column parsed at once when every cell is a plain ``YYYY-MM-DDTHH:MM:SS`` text (or
    with a space for the ``T``) of a real date-time within datetime64[ns]'s range - the
    date-times of a large CSV export: the same values ``pd.to_datetime(format="ISO8601")`` gives
    them, in a fraction of the time. The cells' characters are checked position by position,
    then NumPy parses them (refusing a day, hour, minute or second that does not exist). None
    for any other column (a missing cell, another format): it is parsed cell by cell below, with
    its problems."""
    texts = np.asarray(values)
    if texts.dtype != np.dtype("<U19") or texts.ndim != 1:
        return None
    chars = texts.view(np.uint32).reshape(len(texts), 19)
    digits = chars[:, _ISO_DIGITS]
    if ((digits < ord("0")) | (digits > ord("9"))).any():
        return None
    if any((chars[:, k] != ord(c)).any() for k, c in _ISO_SEPARATORS.items()):
        return None
    if ((chars[:, 10] != ord("T")) & (chars[:, 10] != ord(" "))).any():
        return None
    try:
        stamps = texts.astype("datetime64[s]")
    except ValueError:  # e.g. 2026-02-30
        return None
    low, high = (np.datetime64(pd.Timestamp.min.ceil("s").to_pydatetime(), "s"),
                 np.datetime64(pd.Timestamp.max.floor("s").to_pydatetime(), "s"))
    if np.isnat(stamps).any() or stamps.min() < low or stamps.max() > high:
        return None
    return pd.Series(stamps.astype("datetime64[ns]"), dtype="datetime64[ns]")


def datetime_values(values: list[Any], *, required: bool, notes: list[str], name: str,
                    source: str) -> tuple[pd.Series, list[tuple[int, Any, str]]]:
    """Parse date-times; returns a datetime64[ns] series and the problems."""
    if len(values) and (plain := _plain_iso(values)) is not None:
        return plain, []
    texts: list[Any] = []
    cells = pd.Series(np.array(values, dtype=object) if len(values) else [], dtype=object)
    if len(values) and pd.api.types.infer_dtype(cells, skipna=False) == "string":
        # every cell is text (CSV): the loop below, column-wise (the same str methods)
        stripped = cells.str.strip()
        missing = stripped.str.casefold().isin(MISSING_TOKENS).to_numpy()
        if stripped.str.contains("年", regex=False).any():
            stripped = stripped.str.replace(_CN_DATE, r"\1-\2-\3 ", regex=True).str.strip()
        stripped[missing] = None
        texts = stripped.tolist()
        values = []  # the loop below has nothing left to do
    for value in values:
        if is_missing(value):
            texts.append(None)
        elif isinstance(value, (datetime, date, pd.Timestamp, np.datetime64)):
            try:
                texts.append(pd.Timestamp(value).as_unit("ns").isoformat())
            except (OverflowError, ValueError):  # OutOfBoundsDatetime is a ValueError
                texts.append(value)  # refused below, with the value and the fix
        else:
            text = _CN_DATE.sub(r"\1-\2-\3 ", str(value).strip()).strip()
            texts.append(text)
    series = pd.Series(texts, dtype=object)
    parsed, out_of_range = _parse_datetimes(series, notes, name, source)
    problems = []
    for pos in np.flatnonzero(parsed.isna().to_numpy()).tolist():
        value = cells.iat[pos]
        if pos in out_of_range:
            problems.append((pos, value, _out_of_range(out_of_range[pos])))
        elif texts[pos] is not None:
            problems.append((pos, value, f"{fmt_value(value)} is not a date-time"))
        elif required:
            problems.append((pos, value, "date-time is missing"))
    return parsed, problems


#: SPSS stores dates as seconds since 1582-10-14: a date stored as 0 (a common stand-in for
#: "no date") reads as that day.
_SPSS_DAY_ZERO = pd.Timestamp("1582-10-14").date()


def _out_of_range(stamp: Any) -> str:
    """Why a date-time outside 1677-09-22 .. 2262-04-11 is refused, and what to do."""
    shown = stamp.isoformat(sep=" ") if hasattr(stamp, "isoformat") else str(stamp)
    try:
        day = getattr(stamp, "date", lambda: None)()
    except (NotImplementedError, ValueError, OverflowError):  # year 0: no Python date
        day = None
    zero = (" (1582-10-14 is day 0 of SPSS dates: a date stored as 0, often meant as "
            "missing)" if day == _SPSS_DAY_ZERO else "")
    return (f"{shown} is outside the date-times that can be stored ({pd.Timestamp.min:%Y-%m-%d} "
            f"to {pd.Timestamp.max:%Y-%m-%d}){zero}; correct it in the file, or empty the cell "
            "(SPSS: system-missing) if the date is unknown")


def _parse_datetimes(series: pd.Series, notes: list[str], name: str, source: str
                     ) -> tuple[pd.Series, dict[int, Any]]:
    """Parse to datetime64[ns]; also the date-times outside its range, by position."""
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    out_of_range: dict[int, Any] = {}
    for pos, value in enumerate(series.tolist()):
        if isinstance(value, (datetime, date, np.datetime64)):
            out_of_range[pos] = value
    todo = series.notna() & ~series.index.isin(list(out_of_range))
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
        if ok.any():
            low = got[ok] < pd.Timestamp.min
            high = got[ok] > pd.Timestamp.max
            for idx in got[ok].index[(low | high).to_numpy()]:
                out_of_range[int(series.index.get_loc(idx))] = got[idx]
            ok = ok & ~got.index.isin(list(got[ok].index[(low | high).to_numpy()]))
        out.loc[got.index[ok]] = got[ok].astype("datetime64[ns]")
        todo = todo & out.isna() & ~series.index.isin(
            [series.index[p] for p in out_of_range])
    return out, out_of_range


_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?"
                       r"\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?"
                       r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s))?$")


def duration_converter(ctx: ColumnContext) -> Callable:
    """Converter of a duration in seconds (a number, or text like '125秒' / '2分5秒')."""
    def convert(value: Any) -> tuple[Any, str | None]:
        if is_missing(value):
            return math.nan, None
        num = to_number(value)
        if num is None:
            text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
            m = _DURATION.match(text)
            if not text or m is None or not any(m.groups()):
                return math.nan, (f"{fmt_value(value)} is not a duration (seconds, or text "
                                  "like '125秒' / '2分5秒')")
            h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            num = h * 3600 + mi * 60 + s
        if math.isnan(num) or num < 0:
            return math.nan, f"{fmt_value(num)} is negative; a duration must be >= 0"
        return num, None

    return convert


def nonneg_converter(what: str) -> Callable:
    """Converter of a non-negative number (``what`` names it in messages)."""
    def convert(value: Any) -> tuple[Any, str | None]:
        if is_missing(value):
            return math.nan, None
        num = to_number(value)
        if num is None:
            return math.nan, f"{fmt_value(value)} is not a number ({what})"
        if math.isinf(num) or num < 0:
            return math.nan, f"{fmt_value(num)} is negative; {what} must be >= 0"
        return num, None

    return convert


def weight_converter(value: Any) -> tuple[Any, str | None]:
    """Convert a survey weight: a positive finite number, required."""
    num = None if is_missing(value) else to_number(value)
    if num is None:
        return math.nan, (f"{fmt_value(value)} is not a weight" if not is_missing(value)
                          else "weight is missing")
    if not math.isfinite(num) or num <= 0:
        return math.nan, f"{fmt_value(num)} is not a positive weight"
    return num, None


def choice_converter(allowed: tuple[str, ...], what: str) -> Callable:
    """Converter of a required choice among ``allowed`` (case-insensitive)."""
    lookup = {a.casefold(): a for a in allowed}

    def convert(value: Any) -> tuple[Any, str | None]:
        if is_missing(value):
            return None, f"{what} is missing; allowed: {', '.join(allowed)}"
        hit = lookup.get(norm_text(value))
        if hit is None:
            return None, f"{fmt_value(value)} is not allowed; allowed: {', '.join(allowed)}"
        return hit, None

    return convert


def bool_converter(value: Any) -> tuple[Any, str | None]:
    """Convert a required flag: true/false, 1/0, yes/no, 是/否."""
    if is_missing(value):
        return None, "value is missing; expected true/false"
    text = norm_text(value_text(value))
    if text in TRUE_TOKENS:
        return True, None
    if text in FALSE_TOKENS:
        return False, None
    return None, (f"{fmt_value(value)} is not true/false "
                  "(accepted: true/false, 1/0, yes/no, 是/否)")


def category_converter(category: str) -> Callable:
    """Converter of the category column: empty or equal to ``category``."""
    def convert(value: Any) -> tuple[Any, str | None]:
        if is_missing(value):
            return category, None
        text = value_text(value).strip()
        if text != category:
            return None, f"{fmt_value(text)} is not the category being read ({category!r})"
        return text, None

    return convert
