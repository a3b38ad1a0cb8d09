"""Benchmarking studies against their portfolio: which brand / category differs from the rest?

:func:`portfolio_comparison` compares every study of a portfolio (the brands / categories of one
wave) with the pooled respondents of all the *other* studies, metric by metric, and adjusts the
p-values over the whole table. Each cell reuses the two-sample tests of
:mod:`csat_research.stats.change` with the rest of the portfolio as the "previous" sample and the
study as the "current" one (they are independent samples: no respondent is in two studies):

* means (dimension scores, overall index): Welch's unequal-variance t
  (:func:`~csat_research.stats.change.mean_difference`);
* shares (CSAT top-2-box): Newcombe's hybrid score interval, pooled z test
  (:func:`~csat_research.stats.change.proportion_difference`);
* NPS: multinomial variance, z test (:func:`~csat_research.stats.change.nps_difference`).

A study differs from the portfolio average (the pooled estimate over all studies) exactly when
it differs from the rest: the pooled average is a weighted mix of the study and the rest, so
``study - average = (1 - share of the study) * (study - rest)``. Testing against the rest keeps
the two samples independent, which a test against the average (that contains the study) would not.

Nothing here rounds, prints, reads files or modifies its input.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.portfolio import portfolio_comparison
>>> studies = {
...     "a": pd.DataFrame({"q": [5.0, 4.0, 4.0, 3.0] * 30}),
...     "b": pd.DataFrame({"q": [3.0, 3.0, 2.0, 4.0] * 30}),
...     "c": pd.DataFrame({"q": [4.0, 3.0, 4.0, 3.0] * 30})}
>>> res = portfolio_comparison(studies, metrics={"q": {"kind": "mean", "column": "q"}})
>>> res.to_frame()[["study", "estimate", "rest", "direction"]]
  study  estimate  rest direction
0     a       4.0  3.25     above
1     b       3.0  3.75     below
2     c       3.5  3.50      None
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.checks import check_confidence, check_frame
from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.core.numeric import adjust_pvalues
from csat_research.stats.change import ChangeMetric, compare_waves
from csat_research.stats.estimates import mean_ci, nps, top2box
from csat_research.stats.inputs import CORRECTIONS, check_alpha, check_choice

__all__ = ["ADJUST_OVER", "PortfolioResult", "portfolio_comparison"]

#: Families over which :func:`portfolio_comparison` adjusts the p-values: every cell of the
#: table at once, or each metric (column) apart.
ADJUST_OVER = ("table", "metric")

_COLUMNS = [
    "study", "metric", "kind", "test", "estimate", "rest", "portfolio", "delta", "ci_low", "ci_high",
    "p_value", "p_adjusted", "significant", "direction", "n", "n_rest", "note",
]


@dataclass(frozen=True)
class PortfolioResult:
    """Each study of a portfolio against the pooled rest, metric by metric.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per study and metric (studies in the order given, metrics in the order of
        ``metrics`` within each study): ``study``, ``metric``, ``kind``, ``test`` (``welch_t`` /
        ``newcombe_score`` / ``nps_z``), ``estimate`` (the study), ``rest`` (the pooled other
        studies), ``portfolio`` (pooled over all studies), ``delta`` (``estimate - rest``),
        ``ci_low``, ``ci_high`` (unadjusted interval of ``delta``), ``p_value`` (unadjusted),
        ``p_adjusted``, ``significant`` (``p_adjusted < alpha``), ``direction`` (``"above"`` /
        ``"below"`` when significant, else None), ``n`` and ``n_rest`` (answers used), ``note``
        (why a cell could not be tested, else None). Untested cells have NaN statistics and are
        not part of the adjustment family.
    average : pandas.DataFrame
        One row per metric: ``metric``, ``kind``, ``estimate`` (pooled over all studies),
        ``ci_low``, ``ci_high``, ``n``.
    confidence, alpha : float
        Level of the intervals; significance level of the adjusted p-values.
    correction : str
        Multiple-comparison correction (e.g. ``holm``).
    adjust_over : {"table", "metric"}
        The family of the correction.
    weighted : bool
        Whether survey weights were used.
    """

    table: pd.DataFrame = field(repr=False)
    average: pd.DataFrame = field(repr=False)
    confidence: float
    alpha: float
    correction: str
    adjust_over: str
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """The per-cell table (a copy)."""
        return self.table.copy()


def _stacked(frames: Mapping[str, pd.DataFrame], names: list[str], columns: list[str]) -> pd.DataFrame:
    parts = [frames[n].reindex(columns=columns) for n in names]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def portfolio_comparison(
    studies: Mapping[str, pd.DataFrame],
    *,
    metrics: Mapping[str, ChangeMetric | Mapping[str, Any]],
    survey_weights: str | None = None,
    confidence: float = 0.95,
    alpha: float | None = None,
    correction: str = "holm",
    adjust_over: str = "table",
) -> PortfolioResult:
    """Each study against the pooled rest of the portfolio, adjusted for multiplicity.

    Parameters
    ----------
    studies : mapping of str to pandas.DataFrame
        Study name -> one row per analysed respondent. At least two studies.
    metrics : mapping of str to ChangeMetric or dict
        Metric name -> what it is (as in :func:`csat_research.stats.change.compare_waves`):
        ``kind`` (``mean``, ``top2box``, ``share``, ``nps``), ``column`` and, for ``top2box``,
        optional ``top`` and ``scale``. A study without the column gets an untested cell.
    survey_weights : str, optional
        Column of survey weights (in every study). The rest pools the other studies'
        respondents with their own weights.
    confidence : float, default 0.95
        Confidence level of the intervals.
    alpha : float, optional
        Significance level of the adjusted p-values; ``1 - confidence`` by default.
    correction : {"holm", "bonferroni", "sidak", "holm-sidak", "fdr_bh", "none"}, default "holm"
        Multiple-comparison correction.
    adjust_over : {"table", "metric"}, default "table"
        ``table``: one family of all tested cells (studies x metrics); ``metric``: one family
        per metric (column of the league table).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    TypeError
        ``studies`` not a mapping of DataFrames, ``metrics`` not a mapping of specifications.
    ValueError
        Fewer than two studies; unknown ``kind``, ``correction`` or ``adjust_over``;
        ``confidence`` or ``alpha`` outside (0, 1).
    DataError
        Codes outside a metric's scale or bad weights (the message names the study).

    Notes
    -----
    For study *s* and metric *m*, the "previous" sample of the two-wave tests is the union of
    all other studies' respondents and the "current" one is study *s*, so ``delta`` is
    ``study - rest`` and the test is Welch's t (means), Newcombe's hybrid score interval with
    the pooled z test (shares) or the multinomial z test (NPS) of
    :mod:`csat_research.stats.change` - unweighted, the Welch cell equals R
    ``t.test(study, rest)``. The unadjusted p-values of all tested cells (``adjust_over =
    "table"``) or of each metric's cells (``"metric"``) are adjusted with ``correction`` (Holm
    1979 by default). The portfolio average of a metric is its estimate on all studies pooled
    (:mod:`csat_research.stats.estimates`); studies therefore weigh by their number of
    answers (or their weights' sum). Missing answers are left out per metric.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6, 65-70.

    Examples
    --------
    See the module docstring.
    """
    if not isinstance(studies, Mapping):
        raise TypeError(f"`studies` must be a mapping of study name -> DataFrame; got {type(studies).__name__}")
    if len(studies) < 2:
        raise ValueError(f"portfolio_comparison needs at least two studies to compare; got {len(studies)}")
    frames = {str(k): check_frame(v, f"studies[{k!r}]") for k, v in studies.items()}
    confidence = check_confidence(confidence)
    alpha = 1.0 - confidence if alpha is None else check_alpha(alpha)
    correction = check_choice(correction, CORRECTIONS, "correction")
    adjust_over = check_choice(adjust_over, ADJUST_OVER, "adjust_over")
    specs = _specs(metrics)
    names = list(frames)
    columns = sorted({s.column for s in specs.values()} | ({survey_weights} if survey_weights else set()))
    if survey_weights is not None:
        missing = [n for n in names if survey_weights not in frames[n].columns]
        if missing:
            raise DataError(f"survey_weights: column {survey_weights!r} not found in the studies {missing}")
    everyone = _stacked(frames, names, columns)
    own_rows = {n: frames[n].reindex(columns=columns) for n in names}
    rests = {n: _stacked(frames, [m for m in names if m != n], columns) for n in names}

    rows = []
    average = []
    for metric, spec in specs.items():
        avg = _pooled(everyone, spec, survey_weights, confidence)
        average.append({"metric": metric, "kind": spec.kind, **avg})
        for name in names:
            row = {"study": name, "metric": metric, "kind": spec.kind, "portfolio": avg["estimate"], "note": None}
            own = frames[name]
            if spec.column not in own.columns or own[spec.column].notna().sum() == 0:
                rows.append(row | {"note": f"no answers to {spec.column!r}"})
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CsatWarning)  # small bases: the caller says so
                    res = compare_waves(rests[name], own_rows[name], metrics={metric: spec},
                                        survey_weights=survey_weights, confidence=confidence, alpha=alpha,
                                        correction="none")
            except AnalysisError as exc:
                rows.append(row | {"note": str(exc)})
                continue
            except DataError as exc:
                raise DataError(f"portfolio_comparison: study {name!r}: {exc}") from exc
            r = res.table.iloc[0]
            rows.append(row | {
                "test": r["test"], "estimate": r["current"], "rest": r["previous"], "delta": r["delta"],
                "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p_value": r["p_value"],
                "n": int(r["n_current"]), "n_rest": int(r["n_previous"]),
            })
    table = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    p = table["p_value"].to_numpy(dtype=float)
    p_adj = np.full(p.shape, np.nan)
    groups = [np.ones(len(table), dtype=bool)] if adjust_over == "table" else [
        (table["metric"] == m).to_numpy() for m in specs]
    for member in groups:
        tested = member & np.isfinite(p)
        p_adj[tested] = adjust_pvalues(p[tested], correction)
    table["p_adjusted"] = p_adj
    table["significant"] = table["p_adjusted"].to_numpy() < alpha
    delta = table["delta"].to_numpy(dtype=float)
    table["direction"] = pd.Series([("above" if d > 0 else "below") if sig else None
                                    for sig, d in zip(table["significant"], delta, strict=True)],
                                   index=table.index, dtype=object)
    for col in ("n", "n_rest"):
        table[col] = table[col].astype("Int64")
    return PortfolioResult(table, pd.DataFrame(average), confidence, alpha, correction, adjust_over,
                           survey_weights is not None)


def _specs(metrics: Any) -> dict[str, ChangeMetric]:
    if not isinstance(metrics, Mapping) or not metrics:
        raise TypeError("`metrics` must be a non-empty mapping of metric name -> ChangeMetric or "
                        f"{{'kind': ..., 'column': ...}}; got {metrics!r}")
    out = {}
    for name, spec in metrics.items():
        if isinstance(spec, ChangeMetric):
            out[str(name)] = spec
        elif isinstance(spec, Mapping):
            out[str(name)] = ChangeMetric(**dict(spec))
        else:
            raise TypeError(f"`metrics[{name!r}]` must be a ChangeMetric or a mapping with 'kind' and 'column'; "
                            f"got {type(spec).__name__}")
    return out


def _pooled(data: pd.DataFrame, spec: ChangeMetric, weights: str | None, confidence: float) -> dict[str, float]:
    """The metric's estimate over all studies pooled (NaN when it cannot be estimated)."""
    nan = {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    values = data[spec.column]
    if values.notna().sum() == 0:
        return nan
    w = None if weights is None else data[weights]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)
            if spec.kind == "mean":
                est = mean_ci(values, survey_weights=w, confidence=confidence)
                value = est.mean
            elif spec.kind == "nps":
                est = nps(values, survey_weights=w, confidence=confidence)
                value = est.nps
            else:
                top, scale = ((1.0,), (0.0, 1.0)) if spec.kind == "share" else (spec.top, spec.scale)
                est = top2box(values.astype("float64"), survey_weights=w, top=top, scale=scale,
                              confidence=confidence)
                value = est.share
    except AnalysisError:
        return nan
    return {"estimate": float(value), "ci_low": float(est.ci_low), "ci_high": float(est.ci_high), "n": int(est.n)}
