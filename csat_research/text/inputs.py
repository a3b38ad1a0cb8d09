"""Shared inputs of the open-answer modules: argument checks, package data, limits.

Used by several modules of :mod:`csat_research.text` (:mod:`~csat_research.text.tokenize`,
:mod:`~csat_research.text.pii`, :mod:`~csat_research.text.frequencies`,
:mod:`~csat_research.text.themes`, :mod:`~csat_research.text.quotes`). Public so that those
modules can share them; they are no analysis of their own. Every check raises with the
argument's name in its message.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError

__all__ = [
    "LANGUAGES",
    "MEMO_LIMIT",
    "aligned_groups",
    "check_int",
    "check_language",
    "check_str",
    "check_tags",
    "check_words",
    "data_lines",
    "data_text",
    "gc_paused",
    "is_han",
    "text_series",
]

LANGUAGES = ("zh", "en")
"""Answer languages of the open-answer analyses."""

MEMO_LIMIT = 500_000
"""Most memoised entries (segmentations, clause themes) a memo holds before it is cleared."""

_DATA = "data"

# --------------------------------------------------------------------------------------
# package data
# --------------------------------------------------------------------------------------


def data_text(name: str) -> str:
    """Text of the package data file ``csat_research/data/<name>`` (UTF-8)."""
    return resources.files("csat_research").joinpath(_DATA, name).read_text(encoding="utf-8")


def data_lines(name: str) -> list[str]:
    """Stripped lines of a package data file, without blank lines, ``#`` comments and BOM."""
    lines = []
    for line in data_text(name).splitlines():
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------


def check_language(language) -> str:
    """`language` if it is one of :data:`LANGUAGES`; TypeError / ValueError otherwise."""
    if not isinstance(language, str):
        raise TypeError(
            f"language must be a str, one of {LANGUAGES}; got {type(language).__name__}"
        )
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}; got {language!r}")
    return language


def check_str(text, name: str) -> str:
    """`text` if it is a str; TypeError otherwise."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str; got {type(text).__name__}")
    return text


def check_words(words, name: str) -> tuple[str, ...]:
    """`words` as a tuple of str; TypeError for a single string or a non-str item."""
    if isinstance(words, str | bytes):
        raise TypeError(f"{name} must be an iterable of str, not a single string; got {words!r}")
    if not isinstance(words, Iterable):
        raise TypeError(f"{name} must be an iterable of str; got {type(words).__name__}")
    words = tuple(words)
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"{name} must hold str only; got {type(w).__name__} {w!r}")
    return words


def text_series(texts, name: str = "texts") -> pd.Series:
    """`texts` as an object Series of str / None (index kept); TypeError on anything else."""
    if isinstance(texts, str | bytes):
        raise TypeError(f"{name} must be a sequence of texts (list, Series), not a single string")
    if isinstance(texts, pd.DataFrame):
        raise TypeError(
            f"{name} must be a Series or sequence of str, not a DataFrame; pick a column"
        )
    if isinstance(texts, pd.Series):
        s = texts
    elif isinstance(texts, pd.Index | np.ndarray | list | tuple):
        s = pd.Series(list(texts), dtype=object)
    elif isinstance(texts, Iterable):
        s = pd.Series(list(texts), dtype=object)
    else:
        raise TypeError(f"{name} must be a Series or sequence of str; got {type(texts).__name__}")
    values = s.to_numpy(dtype=object, na_value=None)
    isna = pd.isna(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return pd.Series(np.where(isna, None, values), index=s.index, dtype=object, name=s.name)
    for pos, (v, missing) in enumerate(zip(values, isna)):
        if not missing and not isinstance(v, str):
            label = s.index[pos]
            raise TypeError(
                f"{name} must hold str or missing values; row {label!r} holds "
                f"{type(v).__name__} {v!r}"
            )
    values = np.where(isna, None, values)
    return pd.Series(values, index=s.index, dtype=object, name=s.name)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside the block, as it was after it.

    Building many small containers (the token lists of 70,000 answers) triggers collections that
    walk every live container again and again, and find no cycle in them: 0.1-0.5 s of a 1.1-1.5 s
    segmentation of 74,699 real reviews (``benchmarks/bench_text.py --real``). Reference counting
    still frees everything; only cycles wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_int(value, name: str, *, minimum: int, allow_none: bool = False):
    """`value` as an int >= `minimum` (None passes if `allow_none`); TypeError / ValueError."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    return int(value)


def aligned_groups(groups, s: pd.Series, name: str, other: str = "texts") -> pd.Series:
    """`groups` (one label per row of `s`) as an object Series on the index of `s`.

    A Series must have the length and index of `s`, a sequence its length (DataError
    otherwise); `other` names `s` in the messages.
    """
    if isinstance(groups, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, one per text; got a single string")
    if isinstance(groups, pd.DataFrame):
        raise TypeError(f"{name} must be a Series or sequence, not a DataFrame")
    if isinstance(groups, pd.Series):
        if len(groups) != len(s):
            raise DataError(f"{name} has {len(groups)} rows but {other} has {len(s)}")
        if not groups.index.equals(s.index):
            raise DataError(f"{name} and {other} must share the same index (align them first)")
        return pd.Series(groups.to_numpy(dtype=object), index=s.index)
    if not isinstance(groups, Iterable):
        raise TypeError(f"{name} must be a Series or sequence; got {type(groups).__name__}")
    values = list(groups)
    if len(values) != len(s):
        raise DataError(f"{name} has {len(values)} values but {other} has {len(s)}")
    return pd.Series(values, index=s.index, dtype=object)


def check_tags(tags) -> pd.DataFrame:
    """`tags` if it is a DataFrame of boolean theme columns (as from ``tag_themes``)."""
    if not isinstance(tags, pd.DataFrame):
        raise TypeError(f"tags must be the DataFrame of tag_themes(); got {type(tags).__name__}")
    if tags.shape[1] == 0:
        raise DataError("tags has no theme column")
    bad = [c for c in tags.columns if not pd.api.types.is_bool_dtype(tags[c])]
    if bad:
        raise DataError(f"tags columns must be boolean (from tag_themes); not boolean: {bad}")
    return tags


def is_han(ch: str) -> bool:
    """Whether `ch` is a CJK unified ideograph (U+4E00 to U+9FFF)."""
    return "\u4e00" <= ch <= "\u9fff"
