"""What a report can compute from a study, decided before each analysis runs.

A real wave has a rare segment level whose three respondents all gave the same answer, an item
everyone answered alike, a repurchase column without a single "no", or only 80 respondents.
None of these may abort the report: :func:`~csat_research.report.analyse.analyse` asks these
functions what can be computed, runs that, and records what could not be as a
:class:`~csat_research.core.errors.CsatWarning` whose ``kind`` and ``facts``
:mod:`csat_research.report.data_notes` (and the section concerned) turn into a sentence in the
report's language. The kinds:

``segment_untested``
    levels of a segment left out of its significance test (fewer than 2 respondents, or
    everyone of the level gave the same answer); facts ``segment``, ``levels`` (level -> n),
    ``reason`` (``small`` / ``constant``), ``tested`` (whether a test of the other levels ran).
``constant_item``
    items with one answer only, left out of alpha, omega and the factor model; facts
    ``items``, ``dimensions`` (the dimension of each), ``n``.
``outcome_constant``
    a model whose outcome does not vary (everyone repurchased); facts ``analysis``,
    ``outcome``, ``value``, ``n``.
``small_study``
    a study of at most :data:`SMALL_STUDY` respondents; facts ``n``, ``limit``, ``skipped``
    (the analyses that need more respondents and were therefore not run).
``not_estimated``
    an analysis that raised :class:`~csat_research.core.errors.AnalysisError` for another
    reason (too few events per predictor, a factor model that does not converge); facts
    ``analysis``, ``reason`` (the English message, for the researcher).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatWarning

__all__ = ["SMALL_STUDY", "constant_items", "levels_to_test", "constant_outcome",
           "not_estimated"]

#: a study of at most this many analysed respondents is "small": the report says so in its notes,
#: and does not fit the confirmatory factor model (about 60 free parameters for the five
#: dimensions: a common rule asks for 5 respondents or more per parameter, and ML estimates of a
#: model this size on 100 cases or fewer often fail to converge)
SMALL_STUDY = 100


def constant_items(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]]) -> tuple[dict[str, list[str]],
                                                                                         CsatWarning | None]:
    """The dimensions without their constant items (and without dimensions left with < 2 items).

    An item is constant when its answered values (``NaN`` ignored) take at most one value.
    Returns the reduced dimensions and a ``constant_item`` warning (``None`` when no item is
    constant).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3], "b": [4, 4, 4], "c": [2, 3, 3], "d": [1, 1, 2]})
    >>> dims, w = constant_items(df, {"x": ["a", "b", "c"], "y": ["d"]})
    >>> dims, w.kind, w.facts["items"]
    ({'x': ['a', 'c'], 'y': ['d']}, 'constant_item', ('b',))
    """
    const: dict[str, str] = {}
    values: dict[str, float] = {}
    out: dict[str, list[str]] = {}
    for dim, items in dimensions.items():
        kept = []
        for item in items:
            col = data[item]
            if col.dtype == np.float64:  # item codes: one pass for the smallest and largest answer
                v = col.to_numpy()
                answered_v = v[~np.isnan(v)]
                constant = answered_v.size == 0 or answered_v.min() == answered_v.max()
                first = float(answered_v[0]) if answered_v.size else float("nan")
            else:
                answered = col.dropna()
                constant = answered.nunique() <= 1
                first = float(answered.iloc[0]) if len(answered) else float("nan")
            if constant:
                const[item] = dim
                values[item] = first
            else:
                kept.append(item)
        out[dim] = kept
    if not const:
        return out, None
    shown = ", ".join(f"{i} (all {values[i]:g})" for i in const)
    return out, CsatWarning(
        f"constant item(s) {shown} left out of alpha, omega and the factor model: an item with one "
        "answer only carries no information about reliability",
        kind="constant_item", items=tuple(const), dimensions=dict(const), values=values, n=int(len(data)),
    )


def levels_to_test(data: pd.DataFrame, *, value: str, group: str) -> tuple[list[object], list[CsatWarning]]:
    """Levels of ``group`` whose ``value`` can enter a comparison of means (2+ values, not all alike).

    Returns the testable levels and one ``segment_untested`` warning per reason (``small``:
    fewer than 2 respondents; ``constant``: everyone of the level gave the same answer).

    Examples
    --------
    >>> df = pd.DataFrame({"age": ["a"] * 4 + ["b"] * 3 + ["c"], "sat": [1, 2, 3, 4, 4, 4, 4, 5]})
    >>> levels, notes = levels_to_test(df, value="sat", group="age")
    >>> levels, [(w.facts["reason"], w.facts["levels"]) for w in notes]
    (['a'], [('small', {'c': 1}), ('constant', {'b': 3})])
    """
    usable = data[[value, group]].dropna()
    sizes = usable.groupby(group, observed=True, sort=True)[value].agg(["size", "nunique"])
    small = {str(k): int(r["size"]) for k, r in sizes.iterrows() if r["size"] < 2}
    const = {str(k): int(r["size"]) for k, r in sizes.iterrows() if r["size"] >= 2 and r["nunique"] < 2}
    ok = [k for k, r in sizes.iterrows() if r["size"] >= 2 and r["nunique"] >= 2]
    tested = len(ok) >= 2
    notes = []
    for reason, levels in (("small", small), ("constant", const)):
        if levels:
            why = "fewer than 2 respondents" if reason == "small" else "zero variance (everyone gave the same answer)"
            notes.append(CsatWarning(
                f"{group}: level(s) {levels} (level: n) left out of the test of {value!r} across "
                f"{group!r}: {why}" + ("" if tested else f"; fewer than 2 testable levels remain, no test of {group!r}"),
                kind="segment_untested", segment=group, value=value, levels=levels, reason=reason, tested=tested,
            ))
    return ok, notes


def constant_outcome(data: pd.DataFrame, *, analysis: str, outcome: str,
                     predictors: Sequence[str] = ()) -> CsatWarning | None:
    """An ``outcome_constant`` warning when ``outcome`` takes one value in the complete rows, else ``None``.

    Examples
    --------
    >>> df = pd.DataFrame({"rep": [1, 1, 1], "sat": [3, 4, None]})
    >>> constant_outcome(df, analysis="repurchase_logit", outcome="rep", predictors=["sat"]).facts["value"]
    1.0
    """
    rows = data[[outcome, *predictors]].dropna()
    y = rows[outcome]
    if y.nunique() > 1 or y.empty:
        return None
    value = float(y.iloc[0])
    return CsatWarning(
        f"{analysis}: outcome {outcome!r} is {value:g} for all {len(y)} complete rows; a model "
        "needs variation in its outcome, not estimated",
        kind="outcome_constant", analysis=analysis, outcome=outcome, value=value, n=int(len(y)),
    )


def not_estimated(analysis: str, exc: Exception, **facts: object) -> CsatWarning:
    """The ``not_estimated`` warning of an analysis that raised ``exc`` (``facts``: e.g. its outcome)."""
    return CsatWarning(f"{analysis} not estimated: {exc}", kind="not_estimated", analysis=analysis, reason=str(exc),
                       **facts)
