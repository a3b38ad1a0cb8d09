"""Fast, byte-stable CSV writing of the demo files with Arrow string kernels.

:func:`write_csv` writes the bytes ``DataFrame.to_csv(index=False, lineterminator="\\n")``
would (quoting, empty cells for missing values, integer codes, fixed decimals, ISO
date-times, ``True``/``False``) at a fraction of its time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "write_csv",
]

_CSV_SPECIAL = r'[",\r\n]'
_CSV_CHUNK_ROWS = 200_000


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _fixed(values: np.ndarray, decimals: int) -> pa.Array:
    """Floats as ``%.{decimals}f`` text (null for NaN), vectorised."""
    x = np.asarray(values, dtype=float)
    nan = np.isnan(x)
    scale = 10**decimals
    scaled = np.round(np.abs(np.where(nan, 0.0, x)) * scale).astype(np.int64)
    whole = pa.array(scaled // scale).cast(pa.large_string())
    text = whole
    if decimals:
        frac = pc.utf8_lpad(pa.array(scaled % scale).cast(pa.large_string()), width=decimals,
                            padding="0")
        text = pc.binary_join_element_wise(whole, frac, _lit("."))
    text = pc.if_else(pa.array(x < 0), pc.binary_join_element_wise(_lit("-"), text, _lit("")),
                      text)
    return pc.if_else(pa.array(nan), pa.scalar(None, pa.large_string()), text)


def _csv_text(series: pd.Series, *, decimals: int | None) -> pa.Array:
    """One column as CSV cell text (null = empty cell), formatted like ``DataFrame.to_csv``.

    Text is quoted when it contains a comma, a quote or a line break (quotes doubled);
    integer-valued float codes are written without decimals; ``decimals`` gives the fixed
    format of a float column; booleans are ``True``/``False``; datetimes ISO 8601.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        ts = pa.array(series.to_numpy(dtype="datetime64[s]"))
        return pc.strftime(ts, format="%Y-%m-%dT%H:%M:%S").cast(pa.large_string())
    if pd.api.types.is_bool_dtype(series):
        return pc.if_else(pa.array(series.to_numpy(dtype=bool)), _lit("True"), _lit("False"))
    if pd.api.types.is_float_dtype(series):
        x = series.to_numpy(dtype=float)
        if decimals is None and not np.all(np.isnan(x) | (x == np.round(x))):
            raise ValueError(f"column {series.name!r} holds non-integer floats; give its decimals")
        return _fixed(x, 0 if decimals is None else decimals)
    if pd.api.types.is_integer_dtype(series):
        return pa.array(series.to_numpy()).cast(pa.large_string())
    text = pa.array(series.astype("str"), from_pandas=True).cast(pa.large_string())
    special = pc.fill_null(pc.match_substring_regex(text, _CSV_SPECIAL), False)
    if not pc.any(special).as_py():
        return text
    quoted = pc.binary_join_element_wise(
        _lit('"'), pc.replace_substring(text, '"', '""'), _lit('"'), _lit(""))
    return pc.if_else(special, quoted, text)


def write_csv(df: pd.DataFrame, path: Path, *, decimals: Mapping[str, int]) -> None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends, fast and byte-stable.

    Produces the bytes of ``df.to_csv(index=False, lineterminator="\\n")`` with integer
    codes for float columns not in ``decimals`` and fixed decimals for those in it, but builds
    the text with vectorised Arrow string kernels (pandas' writer needs ~10 s per million rows).
    """
    for c in df.columns:
        if re.search(_CSV_SPECIAL, str(c)):
            raise ValueError(f"column name {c!r} would need quoting in {path}")
    cells = [pc.fill_null(_csv_text(df[c], decimals=decimals.get(c)), _lit(""))
             for c in df.columns]
    with open(path, "wb") as fh:
        fh.write((",".join(map(str, df.columns)) + "\n").encode("utf-8"))
        for lo in range(0, len(df), _CSV_CHUNK_ROWS):
            part = [c.slice(lo, _CSV_CHUNK_ROWS) for c in cells]
            rows = pc.binary_join_element_wise(*part, _lit(","))
            lines = pc.binary_join_element_wise(rows, _lit(""), _lit("\n"))
            joined = pc.binary_join(pa.LargeListArray.from_arrays(
                pa.array([0, len(lines)], type=pa.int64()), lines), _lit(""))
            fh.write(joined[0].as_py().encode("utf-8"))
