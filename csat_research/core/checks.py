"""Input checks shared by the statistics: one definition of each, one wording of each message.

Every public statistic validates its arguments at the entry with these and raises
``TypeError`` for a wrong type, ``ValueError`` for a wrong value and
:class:`~csat_research.core.errors.AnalysisError` for data that does not fit; each message names
the parameter, what is allowed and what was received.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from csat_research.core.errors import AnalysisError


def check_frame(data: object, name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame, else raise ``TypeError`` naming ``name``.

    >>> check_frame([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: data must be a pandas DataFrame; got list
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(data).__name__}")
    return data


def check_confidence(value: object, name: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1 (e.g. 0.95), as float.

    >>> check_confidence(0.9)
    0.9
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a number in (0, 1); got {type(value).__name__} {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be in (0, 1), e.g. 0.95; got {value!r}")
    return float(value)


def check_names(value: object, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Validate a sequence of column names (a bare string is refused, not iterated)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a list or tuple of column names; got {type(value).__name__} {value!r}"
        )
    names = tuple(value)
    for item in names:
        if not isinstance(item, str):
            raise TypeError(f"{name} must contain column names (str); got {type(item).__name__} {item!r}")
    if not names and not allow_empty:
        raise ValueError(f"{name} must name at least one column; got an empty {type(value).__name__}")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{name} lists columns more than once: {dupes}")
    return names


def check_columns_exist(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise :class:`AnalysisError` naming the columns of ``columns`` that ``data`` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise AnalysisError(
            f"column(s) {missing} not found in data; available columns: {list(map(str, data.columns))}"
        )


def is_categorical(series: pd.Series) -> bool:
    """True for categorical, string and object columns (not for numbers and booleans)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return False
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)


def numeric_values(series: pd.Series, role: str) -> np.ndarray:
    """A float array of a numeric or boolean column, or ``TypeError`` naming its role and name."""
    if is_categorical(series) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
    ):
        raise TypeError(
            f"{role} '{series.name}' must be numeric (scores, 0/1 codes); got dtype {series.dtype}"
        )
    return series.to_numpy(dtype=float, na_value=np.nan)
