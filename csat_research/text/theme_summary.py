"""Summaries of tagged complaint themes: the share of answers per theme, overall and per
segment, and its link with an outcome (Welch's t-test); the group of each theme (service or
product).

The tags come from :func:`csat_research.text.themes.tag_themes`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError
from csat_research.text.inputs import aligned_groups, check_language, check_tags
from csat_research.text.themes import PRODUCT_DIMENSION, default_theme_lexicon

__all__ = ["theme_group", "theme_summary"]


def _theme_info(lexicon, language: str) -> dict[str, tuple[str, str]]:
    lex = default_theme_lexicon() if lexicon is None else lexicon
    if not isinstance(lex, Mapping):
        raise TypeError(
            f"lexicon must be a mapping like default_theme_lexicon(); got {type(lexicon).__name__}"
        )
    info = {}
    for theme_id, spec in (lex.get("themes") or {}).items():
        if isinstance(spec, Mapping):
            label = spec.get("label") or {}
            info[theme_id] = (
                spec.get("dimension"),
                label.get(language) if isinstance(label, Mapping) else None,
            )
    return info


def theme_summary(
    tags: pd.DataFrame,
    *,
    groups=None,
    outcome=None,
    lexicon: Mapping | None = None,
    language: str = "zh",
) -> pd.DataFrame:
    """Share of answers per theme, overall and per segment, and its link with an outcome.

    Parameters
    ----------
    tags : pandas.DataFrame
        Boolean theme columns from :func:`tag_themes` (one row per answer).
    groups : Series or sequence, optional
        Segment of each answer (new vs returning customer, category ...), aligned with
        `tags`. Rows with a missing segment count in ``"all"`` only.
    outcome : Series or sequence of numbers or bools, optional
        Satisfaction score or repurchase (0/1) of each answer, aligned with `tags`.
    lexicon : mapping, optional
        Source of ``dimension`` and ``label`` (default: the shipped lexicon).
    language : {"zh", "en"}, default "zh"
        Language of ``label``.

    Returns
    -------
    pandas.DataFrame
        One row per segment and theme (``segment == "all"`` first, then the segments in
        sorted order; themes in column order):

        * ``segment``, ``theme``, ``dimension``, ``group`` (``"service"`` for a theme in one
          of the five dimensions, ``"product"`` for a product theme), ``label`` (missing for
          unknown themes);
        * ``n`` - answers in the segment; ``n_theme`` - of them with the theme;
        * ``share`` - ``n_theme / n``.

        With `outcome` also, over answers with a non-missing outcome:

        * ``n_with``, ``n_without`` - answers with / without the theme;
        * ``mean_with``, ``mean_without`` - mean outcome with / without the theme;
        * ``difference`` - ``mean_with - mean_without``;
        * ``p_value`` - Welch's two-sample t-test of that difference (missing when either
          side has fewer than two answers or both sides are constant).

    Raises
    ------
    TypeError
        If `tags` is not a DataFrame or `outcome` is not numeric.
    DataError
        If `groups` / `outcome` do not align with `tags`, a column of `tags` is not boolean,
        or a segment is called ``"all"``.

    Notes
    -----
    The share's denominator is every row of `tags`: pass only the answered questions if
    the share among answers is wanted. The difference is descriptive, not causal.

    Examples
    --------
    >>> from csat_research.text.themes import tag_themes
    >>> tags = tag_themes(["物流太慢", "客服态度差", "物流信息不更新", "挺好的"])
    >>> summ = theme_summary(tags, outcome=[2, 1, 3, 5])
    >>> row = summ.set_index("theme").loc["logistics_updates"]
    >>> [float(row[c]) for c in ("share", "mean_with", "mean_without", "difference")]
    [0.5, 2.5, 3.0, -0.5]
    """
    tags = check_tags(tags)
    language = check_language(language)
    info = _theme_info(lexicon, language)
    if groups is not None:
        g = aligned_groups(groups, pd.Series(index=tags.index, dtype=object), "groups", "tags")
        if (g == "all").any():
            raise DataError("groups holds a segment called 'all', which names the overall rows")
    y = None
    if outcome is not None:
        y = _numeric_outcome(outcome, tags)
    segments = [("all", np.ones(len(tags), dtype=bool))]
    if groups is not None:
        for level in sorted(pd.unique(g.dropna()), key=lambda v: (str(type(v)), v)):
            segments.append((level, (g == level).to_numpy()))
    rows = []
    for segment, mask in segments:
        sub = tags[mask]
        n = len(sub)
        for theme in tags.columns:
            has = sub[theme].to_numpy(dtype=bool)
            dim, label = info.get(theme, (None, None))
            row = {
                "segment": segment,
                "theme": theme,
                "dimension": dim,
                "group": None if dim is None else _group(dim),
                "label": label,
                "n": n,
                "n_theme": int(has.sum()),
                "share": has.mean() if n else np.nan,
            }
            if y is not None:
                ys = y[mask]
                ok = ~np.isnan(ys)
                with_, without = ys[ok & has], ys[ok & ~has]
                row.update(_outcome_link(with_, without))
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("segment", "theme", "dimension", "group", "label"):
        out[col] = out[col].astype(object)
    return out


def _group(dimension: str) -> str:
    return "product" if dimension == PRODUCT_DIMENSION else "service"


def theme_group(lexicon: Mapping | None = None) -> dict[str, str]:
    """Group of each theme of a lexicon: ``"service"`` or ``"product"``.

    Parameters
    ----------
    lexicon : mapping, optional
        A lexicon like :func:`default_theme_lexicon` (default: the shipped one).

    Returns
    -------
    dict
        Theme id -> ``"service"`` (dimension one of the five service dimensions) or
        ``"product"`` (dimension :data:`PRODUCT_DIMENSION`), in lexicon order.

    Examples
    --------
    >>> groups = theme_group()
    >>> groups["slow_reply"], groups["product_quality"]
    ('service', 'product')
    """
    return {t: _group(dim) for t, (dim, _) in _theme_info(lexicon, "zh").items()}


def _numeric_outcome(outcome, tags: pd.DataFrame) -> np.ndarray:
    if isinstance(outcome, pd.Series) and (
        pd.api.types.is_numeric_dtype(outcome) or pd.api.types.is_bool_dtype(outcome)
    ):
        if len(outcome) != len(tags):
            raise DataError(f"outcome has {len(outcome)} rows but tags has {len(tags)}")
        if not outcome.index.equals(tags.index):
            raise DataError("outcome and tags must share the same index (align them first)")
        return outcome.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    y = aligned_groups(outcome, pd.Series(index=tags.index, dtype=object), "outcome", "tags")
    values = []
    for v in y.to_numpy(dtype=object):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            values.append(np.nan)
        elif isinstance(v, bool | np.bool_ | int | float | np.integer | np.floating):
            values.append(float(v))
        else:
            raise TypeError(f"outcome must be numeric or boolean; got {type(v).__name__} {v!r}")
    return np.asarray(values, dtype=float)


def _outcome_link(with_: np.ndarray, without: np.ndarray) -> dict:
    from scipy import stats

    mean_with = float(with_.mean()) if len(with_) else np.nan
    mean_without = float(without.mean()) if len(without) else np.nan
    p = np.nan
    if len(with_) >= 2 and len(without) >= 2 and (with_.var() > 0 or without.var() > 0):
        with warnings.catch_warnings():  # near-constant samples: scipy warns, result stands
            warnings.simplefilter("ignore", RuntimeWarning)
            p = float(stats.ttest_ind(with_, without, equal_var=False).pvalue)
    return {
        "n_with": len(with_),
        "n_without": len(without),
        "mean_with": mean_with,
        "mean_without": mean_without,
        "difference": mean_with - mean_without,
        "p_value": p,
    }
