"""Change since the previous wave: is a headline figure's move between two waves real?

Each difference combines two per-wave results of :mod:`csat_research.stats.estimates`, so the
per-wave estimate and its standard error have one definition in the package:

* :func:`mean_difference` - two :class:`~csat_research.stats.estimates.MeanCIResult`
  (dimension scores, overall index, mean satisfaction, mean KPIs): Welch's unequal-variance t
  with the (survey-weighted) linearisation standard errors and a Welch-Satterthwaite df;
* :func:`proportion_difference` - two :class:`~csat_research.stats.estimates.Top2BoxResult`
  (CSAT top-2-box, share KPIs): Newcombe's hybrid score interval built from the two Wilson
  intervals, p-value from the pooled two-proportion z test;
* :func:`nps_difference` - two :class:`~csat_research.stats.estimates.NPSResult`: normal
  interval and z test from the two multinomial variances;
* :func:`compare_waves` - every metric of two wave frames at once, p-values adjusted over the
  family of comparisons (Holm by default), as a :class:`ChangeResult`.

The difference is always ``current - previous``. Nothing here rounds, prints, reads files or
modifies its input.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.change import compare_waves
>>> prev = pd.DataFrame({"q": [5.0, 4.0, 3.0, 2.0] * 50, "rec": [10, 9, 7, 3] * 50})
>>> curr = pd.DataFrame({"q": [5.0, 5.0, 4.0, 2.0] * 50, "rec": [10, 9, 9, 3] * 50})
>>> res = compare_waves(prev, curr, metrics={
...     "csat_mean": {"kind": "mean", "column": "q"},
...     "csat_top2box": {"kind": "top2box", "column": "q"},
...     "nps": {"kind": "nps", "column": "rec"}})
>>> res.to_frame()[["metric", "delta", "significant"]]
         metric  delta  significant
0     csat_mean   0.50         True
1  csat_top2box   0.25         True
2           nps  25.00         True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.core.checks import check_columns_exist, check_confidence, check_frame
from csat_research.core.errors import AnalysisError, DataError
from csat_research.core.numeric import adjust_pvalues
from csat_research.stats.estimates import (
    MeanCIResult,
    NPSResult,
    Top2BoxResult,
    mean_ci,
    nps,
    top2box,
)
from csat_research.stats.inputs import (
    CORRECTIONS,
    check_alpha,
    check_choice,
    check_scale,
)

__all__ = [
    "CHANGE_KEYS",
    "METRIC_KINDS",
    "ChangeMetric",
    "ChangeResult",
    "DifferenceResult",
    "compare_waves",
    "mean_difference",
    "nps_difference",
    "proportion_difference",
]

#: Kinds of metric :func:`compare_waves` compares, and the statistic of each.
METRIC_KINDS: Mapping[str, str] = {
    "mean": "welch_t",  # mean of a score (dimension, overall index, mean KPI)
    "top2box": "newcombe_score",  # share of answers in the top codes of a rating item
    "share": "newcombe_score",  # share of 1 / True in a 0-1 or boolean column
    "nps": "nps_z",  # Net Promoter Score of a 0-10 item
}

#: Keys of one metric in ``summary.json`` ``changes.metrics`` (issue 15's output contract).
CHANGE_KEYS = ("previous", "current", "delta", "ci_low", "ci_high", "p_value", "p_adjusted", "significant")

_DIFF_FIELDS = [
    "test", "previous", "current", "delta", "se", "statistic", "df", "ci_low", "ci_high",
    "p_value", "confidence", "n_previous", "n_current", "n_eff_previous", "n_eff_current",
]


# --------------------------------------------------------------------------- result of one test
@dataclass(frozen=True)
class DifferenceResult:
    """Difference ``current - previous`` of one statistic between two independent waves.

    Attributes
    ----------
    test : str
        ``"welch_t"``, ``"newcombe_score"`` or ``"nps_z"``.
    previous, current : float
        The statistic in each wave (mean; share 0-1; NPS points).
    delta : float
        ``current - previous``.
    se : float
        Standard error of ``delta``: :math:`\\sqrt{SE_1^2 + SE_2^2}` (for proportions the
        unpooled Wald SE, for information; the interval is Newcombe's).
    statistic : float
        t (means) or z (proportions: pooled; NPS: unpooled).
    df : float
        Welch-Satterthwaite degrees of freedom (means); ``inf`` for the z tests.
    ci_low, ci_high : float
        Interval of ``delta`` at level ``confidence`` (not adjusted for multiplicity).
    p_value : float
        Two-sided p-value of "no change" (not adjusted).
    confidence : float
        Confidence level of the interval.
    n_previous, n_current : int
        Non-missing answers used in each wave.
    n_eff_previous, n_eff_current : float
        Kish effective sample sizes (``n`` when unweighted).
    """

    test: str
    previous: float
    current: float
    delta: float
    se: float
    statistic: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float
    confidence: float
    n_previous: int
    n_current: int
    n_eff_previous: float
    n_eff_current: float

    def to_frame(self) -> pd.DataFrame:
        """One-row frame with every field (columns in the attribute order)."""
        return pd.DataFrame([{f: getattr(self, f) for f in _DIFF_FIELDS}])


def _same_kind(previous: Any, current: Any, cls: type, func: str) -> float:
    for name, value in (("previous", previous), ("current", current)):
        if not isinstance(value, cls):
            raise TypeError(
                f"{func}: `{name}` must be a {cls.__name__} (from csat_research.stats.estimates); "
                f"got {type(value).__name__}"
            )
    if not math.isclose(previous.confidence, current.confidence, rel_tol=0, abs_tol=1e-12):
        raise ValueError(
            f"{func}: both waves' results must have the same confidence level; got "
            f"previous {previous.confidence!r}, current {current.confidence!r}"
        )
    return float(current.confidence)


def _two_sided_z(delta: float, se: float) -> tuple[float, float]:
    """(z, two-sided normal p) with the degenerate ``se == 0`` case made explicit."""
    if se > 0:
        z = delta / se
        return z, float(2.0 * stats.norm.sf(abs(z)))
    if delta == 0:  # both waves constant and equal: no evidence of change
        return 0.0, 1.0
    return math.copysign(math.inf, delta), 0.0


# --------------------------------------------------------------------------- means
def mean_difference(previous: MeanCIResult, current: MeanCIResult) -> DifferenceResult:
    """Difference of two (survey-weighted) means: Welch's unequal-variance t.

    Parameters
    ----------
    previous, current : MeanCIResult
        Results of :func:`csat_research.stats.estimates.mean_ci` for each wave (same
        ``confidence``; their standard errors are used as they are).

    Returns
    -------
    DifferenceResult
        ``test = "welch_t"``; interval at the waves' confidence level.

    Raises
    ------
    TypeError
        An argument is not a ``MeanCIResult``.
    ValueError
        The two results were computed at different confidence levels.

    Notes
    -----
    With :math:`SE_k` the standard error of wave *k*'s mean from
    :func:`~csat_research.stats.estimates.mean_ci` (:math:`s/\\sqrt n` unweighted; the
    linearisation variance :math:`\\frac{n}{n-1}\\sum w_i^2(x_i-\\bar x_w)^2/(\\sum w_i)^2`
    weighted - one definition of a mean's SE in the package),

    .. math:: \\Delta = \\bar x_2 - \\bar x_1, \\quad SE_\\Delta = \\sqrt{SE_1^2 + SE_2^2},
              \\quad t = \\Delta / SE_\\Delta,

    .. math:: \\nu = \\frac{(SE_1^2 + SE_2^2)^2}{SE_1^4/\\nu_1 + SE_2^4/\\nu_2},
              \\quad \\nu_k = n_{eff,k} - 1

    (Welch 1947; Satterthwaite 1946), interval :math:`\\Delta \\pm t_{\\nu,1-\\alpha/2} SE_\\Delta`
    and p-value :math:`2\\,P(T_\\nu > |t|)`. Each wave's variance estimate carries
    :math:`\\nu_k = n_{eff,k} - 1` degrees of freedom, with :math:`n_{eff}` Kish's effective
    sample size :math:`(\\sum w)^2/\\sum w^2`: unequal weights make a variance estimate less
    stable, as if it came from fewer answers (the "equivalent sample size" of Potthoff, Woodbury
    and Manton 1992). Unweighted :math:`n_{eff} = n`, so the test is exactly R's
    ``t.test(x, y)``. (The one-wave interval of ``mean_ci`` keeps ``n - 1`` df; with the waves'
    sizes of a tracking study the two differ in the third decimal of a quantile at most.)

    Validated against R ``t.test(extra ~ group, data = sleep)`` (Welch): t = -1.8608,
    df = 17.776, p = 0.07939, 95% CI -3.3654832 to 0.2054832 (R's ``t.test(x, y)`` estimates
    ``mean(x) - mean(y)``: here ``x`` is the current wave, ``y`` the previous one), against ``scipy.stats.ttest_ind(equal_var=False)``, and weighted against a
    hand-computed case and statsmodels WLS HC1 standard errors per wave.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34, 28-35. doi:10.1093/biomet/34.1-2.28

    Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
    components. *Biometrics Bulletin*, 2, 110-114. doi:10.2307/3002019

    Potthoff, R. F., Woodbury, M. A. & Manton, K. G. (1992). "Equivalent sample size" and
    "equivalent degrees of freedom" refinements for inference using survey weights under
    superpopulation models. *JASA*, 87, 383-396. doi:10.1080/01621459.1992.10475218

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> from csat_research.stats.estimates import mean_ci
    >>> g1 = pd.Series([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    >>> g2 = pd.Series([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")    # small base (n = 10)
    ...     r = mean_difference(mean_ci(g2), mean_ci(g1))   # previous = group 2, current = group 1
    >>> round(r.statistic, 4), round(r.df, 3), round(r.p_value, 5)   # R: t.test(extra ~ group, sleep)
    (-1.8608, 17.776, 0.07939)
    """
    confidence = _same_kind(previous, current, MeanCIResult, "mean_difference")
    v1, v2 = previous.se**2, current.se**2
    nu1, nu2 = previous.n_eff - 1.0, current.n_eff - 1.0
    delta = current.mean - previous.mean
    var = v1 + v2
    se = math.sqrt(var)
    if not (nu1 > 0 and nu2 > 0 and math.isfinite(var)):
        t = df = lo = hi = p = math.nan
    elif var > 0:
        df = var**2 / (v1**2 / nu1 + v2**2 / nu2)
        t = delta / se
        q = float(stats.t.ppf(0.5 + confidence / 2, df))
        lo, hi = delta - q * se, delta + q * se
        p = float(2.0 * stats.t.sf(abs(t), df))
    else:  # both waves constant
        df = nu1 + nu2
        t, p = _two_sided_z(delta, 0.0)
        lo = hi = delta
    return DifferenceResult(
        "welch_t", previous.mean, current.mean, delta, se, t, df, lo, hi, p, confidence,
        previous.n, current.n, previous.n_eff, current.n_eff,
    )


# --------------------------------------------------------------------------- proportions
def proportion_difference(previous: Top2BoxResult, current: Top2BoxResult) -> DifferenceResult:
    """Difference of two (survey-weighted) shares: Newcombe's hybrid score interval.

    Parameters
    ----------
    previous, current : Top2BoxResult
        Results of :func:`csat_research.stats.estimates.top2box` for each wave (same
        ``confidence``); their shares, Wilson intervals and effective sizes are used.

    Returns
    -------
    DifferenceResult
        ``test = "newcombe_score"``; ``statistic`` is the pooled z, ``df`` is ``inf``.

    Raises
    ------
    TypeError
        An argument is not a ``Top2BoxResult``.
    ValueError
        The two results were computed at different confidence levels.

    Notes
    -----
    Interval: Newcombe's (1998) method 10, the hybrid score interval. With :math:`\\hat p_k` and
    the Wilson interval :math:`(l_k, u_k)` of each wave (wave 1 previous, wave 2 current) and
    :math:`\\Delta = \\hat p_2 - \\hat p_1`,

    .. math:: L = \\Delta - \\sqrt{(\\hat p_2 - l_2)^2 + (u_1 - \\hat p_1)^2}, \\quad
              U = \\Delta + \\sqrt{(u_2 - \\hat p_2)^2 + (\\hat p_1 - l_1)^2}.

    p-value: the pooled two-proportion z test (the score test of :math:`p_1 = p_2`),
    :math:`\\bar p = (n_1\\hat p_1 + n_2\\hat p_2)/(n_1 + n_2)`,
    :math:`z = \\Delta / \\sqrt{\\bar p(1-\\bar p)(1/n_1 + 1/n_2)}`, :math:`p = 2\\Phi(-|z|)`;
    :math:`z^2` is Pearson's chi-square of the 2 x 2 table, so unweighted the p-value equals R
    ``prop.test(x, n, correct = FALSE)``. The interval and the test are both score-based but not
    the same inversion: at the 5 % boundary they can disagree in the fourth decimal.

    With survey weights the shares are weighted and every :math:`n` is the Kish effective
    sample size, as in :func:`~csat_research.stats.estimates.top2box` (which computed the
    Wilson intervals with it). ``se`` is the unpooled Wald standard error, for information.

    Validated against Newcombe (1998), Table II, method 10 (e.g. 56/70 vs 48/80: difference
    0.2000, 95% CI 0.0524 to 0.3339) and R ``prop.test(c(56, 48), c(70, 80), correct = FALSE)``
    (X-squared = 7.0234, p = 0.008045).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine*, 17, 873-890.
    doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I

    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *JASA*, 22, 209-212.

    Kish, L. (1992). Weighting for unequal Pi. *Journal of Official Statistics*, 8, 183-200.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.estimates import top2box
    >>> a = pd.Series([5.0] * 48 + [1.0] * 32)    # previous: 48 / 80
    >>> b = pd.Series([5.0] * 56 + [1.0] * 14)    # current: 56 / 70
    >>> r = proportion_difference(top2box(a), top2box(b))
    >>> round(r.delta, 4), round(r.ci_low, 4), round(r.ci_high, 4)   # Newcombe (1998) Table II
    (0.2, 0.0524, 0.3339)
    """
    _same_kind(previous, current, Top2BoxResult, "proportion_difference")
    p1, p2 = previous.share, current.share
    n1, n2 = previous.n_eff, current.n_eff
    delta = p2 - p1
    lo = delta - math.sqrt((p2 - current.ci_low) ** 2 + (previous.ci_high - p1) ** 2)
    hi = delta + math.sqrt((current.ci_high - p2) ** 2 + (p1 - previous.ci_low) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    z, p = _two_sided_z(delta, math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / n1 + 1 / n2)))
    return DifferenceResult(
        "newcombe_score", p1, p2, delta, se, z, math.inf, max(lo, -1.0), min(hi, 1.0), p,
        float(current.confidence), previous.n, current.n, n1, n2,
    )


# --------------------------------------------------------------------------- NPS
def nps_difference(previous: NPSResult, current: NPSResult) -> DifferenceResult:
    """Difference of two Net Promoter Scores from their multinomial variances.

    Parameters
    ----------
    previous, current : NPSResult
        Results of :func:`csat_research.stats.estimates.nps` for each wave (same
        ``confidence``); their scores and standard errors are used.

    Returns
    -------
    DifferenceResult
        In NPS points; ``test = "nps_z"``, ``df`` is ``inf``.

    Raises
    ------
    TypeError
        An argument is not an ``NPSResult``.
    ValueError
        The two results were computed at different confidence levels.

    Notes
    -----
    Scoring promoters +1, passives 0, detractors -1 makes NPS a mean of a trinomial variable;
    with promoter and detractor shares :math:`\\hat p_k, \\hat d_k` in wave *k*,

    .. math:: Var(NPS_k) = 100^2\\,\\frac{\\hat p_k + \\hat d_k - (\\hat p_k - \\hat d_k)^2}{n_k},

    the variance of :func:`~csat_research.stats.estimates.nps` (its ``se``, used as is;
    :math:`n_k` the Kish effective size when weighted). The waves are independent, so
    :math:`SE_\\Delta = \\sqrt{SE_1^2 + SE_2^2}`, the interval is
    :math:`\\Delta \\pm z_{1-\\alpha/2} SE_\\Delta` (clipped to [-200, 200]) and the p-value
    :math:`2\\Phi(-|\\Delta| / SE_\\Delta)` (an unpooled Wald z test, the interval's own SE).

    Validated against a hand-computed example (the arithmetic is in the test) and against the
    per-wave standard errors of :func:`~csat_research.stats.estimates.nps`.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
    Statistician*, 70(4), 365-372. doi:10.1080/00031305.2016.1158124

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.estimates import nps
    >>> a = pd.Series([10.0] * 40 + [8.0] * 30 + [3.0] * 30)    # NPS 10
    >>> b = pd.Series([10.0] * 50 + [8.0] * 30 + [3.0] * 20)    # NPS 30
    >>> r = nps_difference(nps(a), nps(b))
    >>> round(r.delta, 2), round(r.se, 4)   # 100 * sqrt((0.7 - 0.1**2) / 100 + (0.7 - 0.3**2) / 100)
    (20.0, 11.4018)
    """
    confidence = _same_kind(previous, current, NPSResult, "nps_difference")
    delta = current.nps - previous.nps
    se = math.sqrt(previous.se**2 + current.se**2)
    z, p = _two_sided_z(delta, se)
    q = float(stats.norm.ppf(0.5 + confidence / 2))
    lo, hi = max(-200.0, delta - q * se), min(200.0, delta + q * se)
    return DifferenceResult(
        "nps_z", previous.nps, current.nps, delta, se, z, math.inf, lo, hi, p, confidence,
        previous.n, current.n, previous.n_eff, current.n_eff,
    )


# --------------------------------------------------------------------------- metric specification
@dataclass(frozen=True)
class ChangeMetric:
    """What one metric of :func:`compare_waves` is: a column and the kind of statistic.

    Attributes
    ----------
    column : str
        Column of both wave frames.
    kind : {"mean", "top2box", "share", "nps"}
        ``mean`` - mean of a score; ``top2box`` - share of answers in ``top`` of a rating item
        on ``scale``; ``share`` - share of 1 / True in a 0-1 or boolean column; ``nps`` - Net
        Promoter Score of a 0-10 item.
    top : tuple of float, default (4, 5)
        Top codes (``top2box`` only).
    scale : (float, float), default (1, 5)
        Allowed codes (``top2box`` only).
    """

    column: str
    kind: str
    top: tuple[float, ...] = (4.0, 5.0)
    scale: tuple[float, float] = (1.0, 5.0)

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise TypeError(f"ChangeMetric: `column` must be a column name (str); got {self.column!r}")
        check_choice(self.kind, tuple(METRIC_KINDS), "ChangeMetric: `kind`")
        check_scale(self.scale, "scale")
        if isinstance(self.top, str) or not isinstance(self.top, Sequence) or not self.top:
            raise TypeError(f"ChangeMetric: `top` must be a non-empty sequence of codes, e.g. (4, 5); got {self.top!r}")
        object.__setattr__(self, "top", tuple(float(c) for c in self.top))
        object.__setattr__(self, "scale", tuple(float(c) for c in self.scale))


_SPEC_KEYS = ("column", "kind", "top", "scale")


def _metric_specs(metrics: Any) -> dict[str, ChangeMetric]:
    if not isinstance(metrics, Mapping):
        raise TypeError(
            "`metrics` must be a mapping of metric name -> ChangeMetric or "
            f"{{'kind': ..., 'column': ...}}; got {type(metrics).__name__}"
        )
    if not metrics:
        raise ValueError("`metrics` must name at least one metric; got an empty mapping")
    out: dict[str, ChangeMetric] = {}
    for name, spec in metrics.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"`metrics` keys must be metric names (str); got {name!r}")
        if isinstance(spec, ChangeMetric):
            out[name] = spec
            continue
        if not isinstance(spec, Mapping):
            raise TypeError(
                f"`metrics[{name!r}]` must be a ChangeMetric or a mapping with 'kind' and 'column'; "
                f"got {type(spec).__name__} {spec!r}"
            )
        unknown = sorted(set(map(str, spec)) - set(_SPEC_KEYS))
        missing = [k for k in ("column", "kind") if k not in spec]
        if unknown or missing:
            raise ValueError(
                f"`metrics[{name!r}]` must have the keys 'kind' and 'column' (optional: 'top', "
                f"'scale'); missing {missing}, unknown {unknown}"
            )
        out[name] = ChangeMetric(**dict(spec))
    return out


# --------------------------------------------------------------------------- all metrics of two waves
_TABLE_COLUMNS = [
    "metric", "kind", "column", "test", "previous", "current", "delta", "se", "statistic", "df",
    "ci_low", "ci_high", "p_value", "p_adjusted", "significant", "n_previous", "n_current",
    "n_eff_previous", "n_eff_current", "n_missing_previous", "n_missing_current",
]


@dataclass(frozen=True)
class ChangeResult:
    """Change of each metric between two waves, p-values adjusted over the family.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per metric (in the order of ``metrics``): ``metric``, ``kind``, ``column``,
        ``test`` (``welch_t`` / ``newcombe_score`` / ``nps_z``), ``previous``, ``current``,
        ``delta`` (current - previous; shares 0-1, NPS in points), ``se``, ``statistic``,
        ``df``, ``ci_low``, ``ci_high`` (unadjusted interval at ``confidence``), ``p_value``
        (unadjusted), ``p_adjusted`` (``correction`` over all rows), ``significant``
        (``p_adjusted < alpha``), ``n_previous``, ``n_current``, ``n_eff_previous``,
        ``n_eff_current``, ``n_missing_previous``, ``n_missing_current``.
    confidence : float
        Confidence level of the intervals.
    alpha : float
        Significance level applied to ``p_adjusted``.
    correction : str
        Multiple-comparison correction (statsmodels name, e.g. ``holm``, ``fdr_bh``).
    weighted : bool
        Whether survey weights were used.
    """

    table: pd.DataFrame = field(repr=False)
    confidence: float
    alpha: float
    correction: str
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """The per-metric table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, dict[str, float | bool | None]]:
        """``{metric: {previous, current, delta, ci_low, ci_high, p_value, p_adjusted, significant}}``.

        The ``changes.metrics`` object of ``summary.json`` (issue 15's output contract): plain
        Python floats and bools, a non-finite number as ``None`` (JSON has no NaN).
        """
        out: dict[str, dict[str, float | bool | None]] = {}
        for row in self.table.itertuples(index=False):
            entry: dict[str, float | bool | None] = {}
            for key in CHANGE_KEYS:
                value = getattr(row, key)
                if key == "significant":
                    entry[key] = bool(value)
                else:
                    entry[key] = float(value) if math.isfinite(value) else None
            out[str(row.metric)] = entry
        return out


def _wave_weights(data: pd.DataFrame, column: str | None, wave: str) -> pd.Series | None:
    if column is None:
        return None
    if column not in data.columns:
        raise DataError(
            f"survey_weights: column {column!r} not found in the {wave} wave; available columns: "
            f"{list(map(str, data.columns))}"
        )
    w = data[column]
    if pd.api.types.is_bool_dtype(w) or not pd.api.types.is_numeric_dtype(w):
        raise DataError(f"survey_weights: column {column!r} of the {wave} wave must be numeric; got dtype {w.dtype}")
    values = w.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = list(data.index[bad][:5])
        raise DataError(
            f"survey_weights: column {column!r} of the {wave} wave must hold finite non-negative "
            f"weights; {int(bad.sum())} row(s) do not, e.g. rows {rows}"
        )
    return pd.Series(values, index=data.index)


def _wave_values(data: pd.DataFrame, spec: ChangeMetric, name: str, wave: str) -> pd.Series:
    s = data[spec.column]
    if spec.kind == "share":
        if pd.api.types.is_bool_dtype(s):
            return s.astype("float64")
        if not pd.api.types.is_numeric_dtype(s):
            raise DataError(
                f"metric {name!r}: column {spec.column!r} of the {wave} wave must be 0/1 or boolean; "
                f"got dtype {s.dtype}"
            )
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isnan(x) & (x != 0) & (x != 1)
        if bad.any():
            raise DataError(
                f"metric {name!r}: column {spec.column!r} of the {wave} wave must hold 0/1 codes; "
                f"{int(bad.sum())} value(s) are not, e.g. {np.unique(x[bad])[:5].tolist()}"
            )
        return pd.Series(x, index=s.index, name=s.name)
    return s


def _estimate(values: pd.Series, weights: pd.Series | None, spec: ChangeMetric, confidence: float) -> Any:
    if spec.kind == "mean":
        return mean_ci(values, survey_weights=weights, confidence=confidence)
    if spec.kind == "nps":
        return nps(values, survey_weights=weights, confidence=confidence)
    if spec.kind == "share":
        return top2box(values, survey_weights=weights, top=(1.0,), scale=(0.0, 1.0), confidence=confidence)
    return top2box(values, survey_weights=weights, top=spec.top, scale=spec.scale, confidence=confidence)


_DIFFERENCE = {"mean": mean_difference, "top2box": proportion_difference, "share": proportion_difference,
               "nps": nps_difference}


def compare_waves(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    metrics: Mapping[str, ChangeMetric | Mapping[str, Any]],
    survey_weights: str | None = None,
    confidence: float = 0.95,
    alpha: float | None = None,
    correction: str = "holm",
) -> ChangeResult:
    """Change of each headline metric between two independent waves, adjusted for multiplicity.

    Parameters
    ----------
    previous, current : pandas.DataFrame
        One row per respondent of the earlier and the later wave.
    metrics : mapping of str to ChangeMetric or dict
        Metric name (e.g. a dimension, ``overall_index``, ``csat_top2box``, ``nps``) -> what it
        is: a :class:`ChangeMetric` or a dict with ``kind`` (``mean``, ``top2box``, ``share``,
        ``nps``), ``column`` and, for ``top2box``, optional ``top`` and ``scale``.
    survey_weights : str, optional
        Column of survey weights present in both waves.
    confidence : float, default 0.95
        Confidence level of the intervals.
    alpha : float, optional
        Significance level of the adjusted p-values; ``1 - confidence`` by default.
    correction : {"holm", "bonferroni", "sidak", "holm-sidak", "fdr_bh", "none"}, default "holm"
        Multiple-comparison correction over the family of all ``metrics`` (Holm controls the
        family-wise error rate; ``fdr_bh`` is Benjamini-Hochberg's false discovery rate).

    Returns
    -------
    ChangeResult
        ``to_frame()``: one row per metric; ``to_dict()``: ``summary.json`` ``changes.metrics``.

    Raises
    ------
    TypeError
        ``previous`` / ``current`` not DataFrames, ``metrics`` not a mapping of specifications.
    ValueError
        Unknown ``kind`` or ``correction``, ``confidence`` or ``alpha`` outside (0, 1).
    AnalysisError
        A metric's column missing from a wave, or a wave without enough answers (the message
        names the metric and the wave).
    DataError
        Codes outside the metric's scale, weights missing, negative or not numeric (the
        message names the column and the wave).

    Warns
    -----
    CsatWarning
        Small base in a wave (from :mod:`csat_research.stats.estimates`).

    Notes
    -----
    Each wave's estimate is the one of :mod:`csat_research.stats.estimates` (``mean_ci``,
    ``top2box``, ``nps``); the difference is :func:`mean_difference` (Welch t),
    :func:`proportion_difference` (Newcombe hybrid score interval, pooled z test) or
    :func:`nps_difference` (multinomial variance, z test). The p-values of all metrics form one
    family and are adjusted with ``correction`` (Holm 1979 by default; Benjamini & Hochberg
    1995 with ``fdr_bh``; the package's :func:`csat_research.core.numeric.adjust_pvalues`, equal
    to R ``p.adjust`` and statsmodels ``multipletests``). A change is *significant* when its
    adjusted p-value is below ``alpha``; everything else is "stable". The intervals are not
    adjusted: an interval that excludes 0 can belong to a change that is not significant
    after adjustment.

    *Missing data*: per metric, missing answers are left out and counted
    (``n_missing_previous``, ``n_missing_current``). Missing weights are refused.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6, 65-70.

    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*, 57,
    289-300.

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"quality": [3.0, 4.0, 5.0, 4.0] * 40, "w": [1.0, 2.0] * 80})
    >>> curr = pd.DataFrame({"quality": [4.0, 4.0, 5.0, 5.0] * 40, "w": [1.0, 2.0] * 80})
    >>> res = compare_waves(prev, curr, metrics={"quality": ChangeMetric("quality", "mean")},
    ...                     survey_weights="w")
    >>> d = res.to_dict()["quality"]
    >>> round(d["delta"], 4), d["significant"]
    (0.5, True)
    """
    prev = check_frame(previous, "previous")
    curr = check_frame(current, "current")
    confidence = check_confidence(confidence)
    alpha = 1.0 - confidence if alpha is None else check_alpha(alpha)
    correction = check_choice(correction, CORRECTIONS, "correction")
    specs = _metric_specs(metrics)
    if survey_weights is not None and not isinstance(survey_weights, str):
        raise TypeError(
            "survey_weights must be the name of a weight column present in both waves, or None; "
            f"got {type(survey_weights).__name__}"
        )
    weights = {"previous": _wave_weights(prev, survey_weights, "previous"),
               "current": _wave_weights(curr, survey_weights, "current")}
    rows = []
    for name, spec in specs.items():
        results = {}
        for wave, data in (("previous", prev), ("current", curr)):
            try:
                check_columns_exist(data, [spec.column])
                values = _wave_values(data, spec, name, wave)
                results[wave] = _estimate(values, weights[wave], spec, confidence)
            except (AnalysisError, DataError) as exc:
                raise type(exc)(f"compare_waves: metric {name!r}, {wave} wave: {exc}") from exc
        diff = _DIFFERENCE[spec.kind](results["previous"], results["current"])
        row = {"metric": name, "kind": spec.kind, "column": spec.column}
        row.update({f: getattr(diff, f) for f in _DIFF_FIELDS if f != "confidence"})
        row["n_missing_previous"] = results["previous"].n_missing
        row["n_missing_current"] = results["current"].n_missing
        rows.append(row)
    table = pd.DataFrame(rows)
    p = table["p_value"].to_numpy(dtype=float)
    finite = np.isfinite(p)  # an untestable metric (NaN) is not part of the family
    p_adj = np.full(p.shape, np.nan)
    p_adj[finite] = adjust_pvalues(p[finite], correction)
    table["p_adjusted"] = p_adj
    table["significant"] = table["p_adjusted"].to_numpy() < alpha
    return ChangeResult(table[_TABLE_COLUMNS], confidence, alpha, correction, survey_weights is not None)
