"""Comparing a score across segments: group means, omnibus tests, post-hoc pairs.

"Is satisfaction different between post-95s and post-70s, between WeChat and phone users?"
is answered here, without any drawing:

* :func:`compare_means` - group table, one-way ANOVA, Welch ANOVA, Kruskal-Wallis, effect
  sizes and Tukey HSD / Games-Howell post-hoc comparisons;
* :func:`satisfaction_by_segment` - one tidy table of mean scores with confidence intervals
  for every segment level and every score, flagging small bases.

Survey weights enter the group means (weighted mean, t interval on Kish's effective n);
the tests are unweighted and say so. Every function takes the data first and keyword-only
options after it, never mutates its input, and counts the rows it cannot use instead of
dropping them silently.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.group_compare import compare_means
>>> df = pd.DataFrame({"channel": ["app"] * 4 + ["web"] * 4,
...                    "overall": [5, 4, 5, 4, 3, 4, 3, 3]})
>>> compare_means(df, value="overall", group="channel").groups["mean"].tolist()
[4.5, 3.25]
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.stats.libqsturng import qsturng
from statsmodels.stats.oneway import anova_oneway

from csat_research.core.checks import check_confidence, check_frame
from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.core.numeric import adjust_pvalues
from csat_research.stats.estimates import SMALL_BASE, mean_interval
from csat_research.stats.inputs import (
    CORRECTIONS,
    check_alpha,
    check_choice,
    require_columns,
    weights_column,
)
from csat_research.stats.survey_weights import kish_effective_n

__all__ = ["CompareMeansResult", "compare_means", "satisfaction_by_segment"]

_POSTHOCS = ("games-howell", "tukey")


@dataclass(frozen=True)
class CompareMeansResult:
    """Result of :func:`compare_means`.

    Attributes
    ----------
    groups : DataFrame
        One row per group: ``group``, ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``.
    tests : DataFrame
        One row per omnibus test (``anova``, ``welch_anova``, ``kruskal``): ``test``,
        ``statistic``, ``df1``, ``df2`` (NaN for Kruskal-Wallis), ``p_value``,
        ``effect_size`` and ``effect_size_name``.
    posthoc : DataFrame
        One row per pair: ``group1``, ``group2``, ``mean_diff`` (group1 - group2), ``se``,
        ``statistic`` (t), ``df``, ``p_unadjusted`` (two-sided t test of the pair),
        ``p_adj`` (the post-hoc method's own simultaneous p from the studentized range),
        ``p_corrected`` (``correction`` applied to ``p_unadjusted``), ``ci_low``,
        ``ci_high`` (simultaneous intervals), ``reject`` (``p_adj < alpha``).
    eta_squared, omega_squared, epsilon_squared : float
        Effect sizes of the ANOVA (eta^2, omega^2) and of Kruskal-Wallis (epsilon^2).
    posthoc_method, correction : str
    n, n_missing : int
        Values used; rows left out for a missing value or group.
    """

    groups: pd.DataFrame
    tests: pd.DataFrame
    posthoc: pd.DataFrame
    eta_squared: float
    omega_squared: float
    epsilon_squared: float
    posthoc_method: str
    correction: str
    n: int
    n_missing: int

    def to_frame(self) -> pd.DataFrame:
        """The omnibus tests table (one row per test)."""
        return self.tests.copy()


def _group_mean(x: np.ndarray, w: np.ndarray | None, confidence: float) -> tuple[float, float, float, float]:
    """Mean, sd and the interval of :func:`csat_research.stats.estimates.mean_interval` (one estimator).

    The sd is descriptive: the (weighted) standard deviation with the n / (n - 1) correction.
    """
    mean, _, lo, hi = mean_interval(x, w, confidence)
    n = len(x)
    if n < 2 or not np.isfinite(mean):
        return mean, np.nan, lo, hi
    if w is None:
        return mean, float(np.std(x, ddof=1)), lo, hi
    var = float(np.sum(w * (x - mean) ** 2) / np.sum(w)) * n / (n - 1)
    return mean, math.sqrt(var), lo, hi


#: Games-Howell p-values come from :func:`_studentized_range_sf` when the Welch df is at least
#: this and the p-value at least _SR_MIN_P; otherwise from scipy's adaptive integration.
#: Kept over scipy.stats.studentized_range.sf alone: benchmarks/bench_posthoc.py measured scipy
#: 5-13x slower on 15 pairs, 3.5-5x (+0.1-0.2 s) on one report's five compare_means; p equal to 2e-13.
_SR_MIN_DF = 10.0
_SR_MIN_P = 1e-3


@functools.cache
def _gauss_legendre(a: float, b: float, panels: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of a composite n-point Gauss-Legendre rule on [a, b]."""
    x, w = np.polynomial.legendre.leggauss(n)
    edges = np.linspace(a, b, panels + 1)
    half = np.diff(edges)[:, None] / 2
    return ((edges[:-1, None] + half) + half * x).ravel(), (half * w).ravel()


@functools.cache
def _range_nodes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes z, Phi(z) and weights phi(z) dz of the 160-node rule of :func:`_range_sf`."""
    z, wz = _gauss_legendre(-9.5, 10.5, 8, 20)
    return z, special.ndtr(z), wz * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _range_sf(w: np.ndarray, k: int) -> np.ndarray:
    """P(range of k iid standard normals > w), elementwise for an array ``w`` (w >= 0).

    :math:`k \\int \\phi(z) [\\Phi(z)^{k-1} - (\\Phi(z) - \\Phi(z - w))^{k-1}] dz` by a
    160-node Gauss-Legendre rule on [-9.5, 10.5] (the integrand is below 1e-18 outside).
    """
    z, cz, weights = _range_nodes()
    inner = cz - special.ndtr(z - np.asarray(w, dtype=float)[..., None])
    return (cz ** (k - 1) - inner ** (k - 1)) @ (k * weights)


def _log_scale_bounds(df: float, drop: float = 40.0) -> tuple[float, float]:
    """Where the log-density of t = log S, S = sqrt(chi2_df / df), is ``drop`` below its peak."""
    c = 2 * drop / df

    def below_peak(t: float) -> float:  # the log-density is -(df / 2) (e^2t - 1 - 2t) + const
        return np.expm1(2 * t) - 2 * t - c

    return (optimize.brentq(below_peak, -(c + 1) / 2 - 1, 0.0),
            optimize.brentq(below_peak, 0.0, math.sqrt(c / 2) + 1))


def _studentized_range_sf(q: np.ndarray, k: int, df: np.ndarray) -> np.ndarray:
    """Upper tail P(Q > q) of the studentized range of k means, df error degrees of freedom.

    :math:`P(Q > q) = \\int_0^\\infty g_{df}(s)\\, R_k(q s)\\, ds`, R_k the tail of the range
    of k standard normals (:func:`_range_sf`) and g the density of
    :math:`S = \\sqrt{\\chi^2_{df} / df}`; the outer integral runs over t = log s with a
    96-node Gauss-Legendre rule between the points where the density is e^-40 of its peak,
    the density normalised on the nodes. For df >= 100000 the df = infinity form R_k(q)
    is used, as in ``scipy.stats.studentized_range``. Accurate to about 1e-13 (absolute)
    for df >= 10 against a 1600 x 1600-node rule; ``scipy.stats.studentized_range.sf``
    (adaptive QUADPACK, about 8 ms a value) agrees to its own error, below 1e-10.
    """
    q = np.asarray(q, dtype=float)
    df = np.asarray(df, dtype=float)
    out = np.empty(q.shape)
    for i in np.ndindex(q.shape):
        if df[i] >= 100000:
            out[i] = _range_sf(q[i], k)
            continue
        t, wt = _gauss_legendre(*_log_scale_bounds(float(df[i])), 6, 16)
        density = np.exp(-df[i] / 2 * (np.expm1(2 * t) - 2 * t)) * wt
        out[i] = density @ _range_sf(q[i] * np.exp(t), k) / density.sum()
    return out


def _games_howell_p(q: np.ndarray, k: int, df: np.ndarray) -> np.ndarray:
    """Simultaneous p-values P(Q_{k, df} > q), capped at 1.

    The fixed rule of :func:`_studentized_range_sf` where df >= 10 and p >= 0.001 (it agrees
    with scipy to better than 1e-7 relative there); ``scipy.stats.studentized_range.sf``
    elsewhere (small df, and small p where both are only accurate to ~1e-11 absolute).
    """
    p = np.full(q.shape, np.nan)
    fast = df >= _SR_MIN_DF
    if fast.any():
        p[fast] = _studentized_range_sf(q[fast], k, df[fast])
    slow = ~fast | (p < _SR_MIN_P)
    if slow.any():
        p[slow] = stats.studentized_range.sf(q[slow], k, df[slow])
    return np.minimum(p, 1.0)


def compare_means(
    data: pd.DataFrame,
    *,
    value: str,
    group: str,
    survey_weights: str | pd.Series | None = None,
    posthoc: str = "games-howell",
    correction: str = "holm",
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> CompareMeansResult:
    """Compare a score across groups: descriptives, ANOVA, Welch, Kruskal-Wallis, post-hoc.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    value : str
        Numeric score column (e.g. a 1-5 Likert item or a dimension score).
    group : str
        Segment column (text codes).
    survey_weights : str or Series, optional
        Survey weights. They are used for the group table only (weighted mean and sd, t
        interval on Kish's effective n); the tests are computed unweighted and a
        :class:`CsatWarning` says so.
    posthoc : {"games-howell", "tukey"}
        Games-Howell (unequal variances, Welch df) or Tukey HSD (pooled variance).
    correction : {"holm", "bonferroni", "sidak", "holm-sidak", "fdr_bh", "none"}
        Correction applied to the unadjusted pairwise p-values (``p_corrected`` column).
    alpha : float
        Level of the simultaneous post-hoc intervals and of ``reject``.
    confidence : float
        Level of the group mean intervals.

    Returns
    -------
    CompareMeansResult

    Raises
    ------
    TypeError, DataError
        Wrong input type, missing column, non-numeric value column.
    AnalysisError
        Fewer than two groups, a group with fewer than 2 values, or a constant group
        (Welch ANOVA and Games-Howell need a positive variance in every group).
    ValueError
        ``posthoc``, ``correction``, ``alpha`` or ``confidence`` not allowed.

    Notes
    -----
    One-way ANOVA: :math:`F = MS_B / MS_W` on (k-1, N-k) df;
    :math:`\\eta^2 = SS_B / SS_T`;
    :math:`\\omega^2 = (SS_B - (k-1) MS_W) / (SS_T + MS_W)`.
    Welch ANOVA (Welch 1951) with weights :math:`w_i = n_i / s_i^2`, computed by
    ``statsmodels.stats.oneway.anova_oneway(samples, use_var="unequal")``.
    Kruskal-Wallis H with the tie correction (``scipy.stats.kruskal``);
    :math:`\\varepsilon^2 = H / ((N^2 - 1)/(N + 1)) = H / (N - 1)` (Tomczak & Tomczak 2014).

    Tukey HSD uses ``scipy.stats.tukey_hsd`` (Tukey-Kramer for unequal n). Games-Howell:
    :math:`t = (\\bar x_i - \\bar x_j) / \\sqrt{s_i^2/n_i + s_j^2/n_j}` with Welch-Satterthwaite
    df, :math:`p = P(Q_{k, df} > |t| \\sqrt 2)` from the studentized range distribution
    (a fixed Gauss-Legendre rule accurate to ~1e-13 where df >= 10 and p >= 0.001, which
    agrees with ``scipy.stats.studentized_range.sf`` to 1e-7 relative or better there, and
    that scipy function elsewhere), intervals
    :math:`\\pm q_{1-\\alpha; k, df} / \\sqrt 2 \\cdot se`. Both ``p_adj`` values are already
    simultaneous (family-wise); ``p_corrected`` is offered for reports that prefer
    a Holm-type correction of ordinary pairwise t tests (Welch t for Games-Howell,
    pooled-variance t for Tukey).

    Missing data: rows with a missing value or group are left out and counted in
    ``n_missing``. Group order: sorted group codes.

    Validated against the one-way ANOVA, Welch ANOVA, Kruskal-Wallis and Games-Howell
    output for the McClave & Dietrich (1991) hair colour / pain threshold data printed in
    the pingouin documentation and JASP (F = 6.791, p = 0.00411; Welch F = 5.8901,
    df2 = 8.3298, p = 0.0188; H = 10.58863, p = 0.014172; Games-Howell t and df), the
    ``scipy.stats.tukey_hsd`` documentation example, the JASP/SPSS/SAS omega-squared
    example of the MOTE documentation (F(2, 8) = 5.13, omega^2 = .43) and the
    rcompanion Kruskal-Wallis example (H = 16.842, epsilon^2 = 0.581).

    References
    ----------
    .. [1] Welch, B. L. (1951). On the comparison of several mean values: an alternative
           approach. Biometrika 38, 330-336.
    .. [2] Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures
           with unequal n's and/or variances. J. Educational Statistics 1, 113-125.
    .. [3] Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
           revisited. Trends in Sport Sciences 21, 19-25.
    .. [4] Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared statistics.
           Psychological Methods 8, 434-447.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"channel": ["app"] * 5 + ["web"] * 5 + ["phone"] * 5,
    ...                    "overall": [5, 4, 5, 4, 5, 3, 4, 3, 3, 4, 2, 3, 2, 3, 2]})
    >>> res = compare_means(df, value="overall", group="channel")
    >>> res.groups[["group", "n", "mean"]]
       group  n  mean
    0    app  5   4.6
    1  phone  5   2.4
    2    web  5   3.4
    >>> res.tests[["test", "df1", "df2"]].round(2)
              test  df1    df2
    0        anova  2.0  12.00
    1  welch_anova  2.0   8.00
    2      kruskal  2.0    NaN
    """
    check_frame(data)
    for name, val in (("value", value), ("group", group)):
        if not isinstance(val, str):
            raise TypeError(f"{name} must be a column name (str), got {type(val).__name__}")
    require_columns(data, [value, group], "value/group")
    posthoc = check_choice(posthoc, _POSTHOCS, "posthoc")
    correction = check_choice(correction, CORRECTIONS, "correction")
    alpha = check_alpha(alpha)
    confidence = check_confidence(confidence)
    if not pd.api.types.is_numeric_dtype(data[value]):
        raise DataError(
            f"value column {value!r} must be numeric, got dtype {data[value].dtype}"
        )
    w = weights_column(data, survey_weights)
    usable = data[value].notna() & data[group].notna()
    if w is not None:
        usable &= w.notna()
    n_missing = int((~usable).sum())
    if n_missing:
        warnings.warn(
            f"compare_means: {n_missing} of {len(data)} rows left out (missing {value!r} or "
            f"{group!r}{' or weight' if w is not None else ''})",
            CsatWarning,
            stacklevel=2,
        )
    keep = usable.to_numpy(dtype=bool)
    labels = data[group][keep]
    codes = sorted(labels.unique(), key=str)
    if len(codes) < 2:
        raise AnalysisError(
            f"compare_means needs at least 2 groups in {group!r}, found {len(codes)}"
        )
    # one pass over the rows: group index of every usable row, then the values per group
    row_group, uniques = pd.factorize(labels)
    members = [row_group == i for i in pd.Index(uniques).get_indexer(codes)]
    values = data[value].to_numpy(dtype=float, na_value=np.nan)[keep]
    samples = [values[m] for m in members]
    small = {str(g): len(s) for g, s in zip(codes, samples) if len(s) < 2}
    if small:
        raise AnalysisError(
            f"compare_means needs at least 2 values per group; too few in {small}"
        )
    const = [str(g) for g, s in zip(codes, samples) if np.var(s) == 0]
    if const:
        raise AnalysisError(
            f"compare_means: group(s) {const} of {group!r} have zero variance in {value!r}; "
            "Welch ANOVA and Games-Howell need a positive variance in every group"
        )

    rows = []
    w_used = None if w is None else w.to_numpy(dtype=float)[keep]
    for g, s, m in zip(codes, samples, members):
        mean, sd, lo, hi = _group_mean(s, None if w is None else w_used[m], confidence)
        rows.append({"group": g, "n": len(s), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
    group_table = pd.DataFrame(rows)
    if w is not None:
        warnings.warn(
            "compare_means: weights are applied to the group table only; the ANOVA, Welch, "
            "Kruskal-Wallis and post-hoc tests are unweighted",
            CsatWarning,
            stacklevel=2,
        )

    k = len(samples)
    n_total = int(sum(len(s) for s in samples))
    grand = np.concatenate(samples).mean()
    ss_b = float(sum(len(s) * (s.mean() - grand) ** 2 for s in samples))
    ss_w = float(sum(((s - s.mean()) ** 2).sum() for s in samples))
    ss_t = ss_b + ss_w
    ms_w = ss_w / (n_total - k)
    anova = stats.f_oneway(*samples)
    eta2 = ss_b / ss_t if ss_t > 0 else np.nan
    omega2 = (ss_b - (k - 1) * ms_w) / (ss_t + ms_w)
    welch = anova_oneway(samples, use_var="unequal")  # Welch (1951)
    kw = stats.kruskal(*samples)
    eps2 = float(kw.statistic) / (n_total - 1)
    tests = pd.DataFrame(
        [
            {"test": "anova", "statistic": float(anova.statistic), "df1": float(k - 1),
             "df2": float(n_total - k), "p_value": float(anova.pvalue),
             "effect_size": eta2, "effect_size_name": "eta_squared"},
            {"test": "welch_anova", "statistic": float(welch.statistic), "df1": float(welch.df[0]),
             "df2": float(welch.df[1]), "p_value": float(welch.pvalue), "effect_size": omega2,
             "effect_size_name": "omega_squared"},
            {"test": "kruskal", "statistic": float(kw.statistic), "df1": float(k - 1),
             "df2": np.nan, "p_value": float(kw.pvalue), "effect_size": eps2,
             "effect_size_name": "epsilon_squared"},
        ]
    )

    pairs = list(itertools.combinations(range(k), 2))
    ph_rows = []
    if posthoc == "tukey":
        res = stats.tukey_hsd(*samples)
        ci = res.confidence_interval(confidence_level=1 - alpha)
        for i, j in pairs:
            si, sj = samples[i], samples[j]
            diff = si.mean() - sj.mean()
            se = math.sqrt(ms_w * (1 / len(si) + 1 / len(sj)))
            t = diff / se
            df = n_total - k
            ph_rows.append(
                {"group1": codes[i], "group2": codes[j], "mean_diff": diff, "se": se,
                 "statistic": t, "df": float(df), "p_unadjusted": 2 * stats.t.sf(abs(t), df),
                 "p_adj": float(res.pvalue[i, j]), "ci_low": float(ci.low[i, j]),
                 "ci_high": float(ci.high[i, j])}
            )
    else:
        var_n = [s.var(ddof=1) / len(s) for s in samples]
        stats_pairs = []
        for i, j in pairs:
            si, sj = samples[i], samples[j]
            vi, vj = var_n[i], var_n[j]
            diff = si.mean() - sj.mean()
            se = math.sqrt(vi + vj)
            t = diff / se
            df = (vi + vj) ** 2 / (vi**2 / (len(si) - 1) + vj**2 / (len(sj) - 1))
            stats_pairs.append((diff, se, t, df))
        t_all = np.array([t for _, _, t, _ in stats_pairs])
        df_all = np.array([df for _, _, _, df in stats_pairs])
        p_adj = _games_howell_p(np.abs(t_all) * math.sqrt(2), k, df_all)
        # the CI quantile by Harter's table interpolation (statsmodels' qsturng, 3 digits);
        # scipy's exact ppf integrates numerically (~0.3 s a pair). The p-value is exact
        # (see _games_howell_p).
        for (i, j), (diff, se, t, df), p in zip(pairs, stats_pairs, p_adj):
            q = float(qsturng(1 - alpha, k, df))
            half = q / math.sqrt(2) * se
            ph_rows.append(
                {"group1": codes[i], "group2": codes[j], "mean_diff": diff, "se": se,
                 "statistic": t, "df": df, "p_unadjusted": 2 * stats.t.sf(abs(t), df),
                 "p_adj": float(p), "ci_low": diff - half, "ci_high": diff + half}
            )
    ph = pd.DataFrame(ph_rows)
    p_raw = ph["p_unadjusted"].to_numpy(dtype=float)
    ph["p_corrected"] = p_raw if correction == "none" else adjust_pvalues(p_raw, correction)
    ph["reject"] = ph["p_adj"] < alpha
    ph = ph[["group1", "group2", "mean_diff", "se", "statistic", "df", "p_unadjusted",
             "p_adj", "p_corrected", "ci_low", "ci_high", "reject"]]
    return CompareMeansResult(
        groups=group_table,
        tests=tests,
        posthoc=ph,
        eta_squared=eta2,
        omega_squared=float(omega2),
        epsilon_squared=eps2,
        posthoc_method=posthoc,
        correction=correction,
        n=n_total,
        n_missing=n_missing,
    )


# ----------------------------------------------------------------------------------------
# satisfaction_by_segment
# ----------------------------------------------------------------------------------------
def satisfaction_by_segment(
    data: pd.DataFrame,
    *,
    scores: Sequence[str],
    segments: Sequence[str],
    survey_weights: str | pd.Series | None = None,
    confidence: float = 0.95,
    min_base: int = SMALL_BASE,
) -> pd.DataFrame:
    """Mean of every score for every level of every segment, with confidence intervals.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    scores : sequence of str
        Numeric score columns (Likert items, dimension scores, overall satisfaction).
    segments : sequence of str
        Segment columns (customer_type, frequency_band, value_band, age_group, ...).
    survey_weights : str or Series, optional
        Survey weights: weighted means, t intervals on Kish's effective n.
    confidence : float
        Level of the intervals.
    min_base : int
        Bases below this (30 by default) are flagged ``small_base`` and warned about.

    Returns
    -------
    DataFrame
        Columns ``segment``, ``level``, ``dimension``, ``n`` (unweighted base), ``n_eff``
        (Kish effective base; equals ``n`` unweighted), ``mean``, ``sd``, ``ci_low``,
        ``ci_high``, ``small_base``. One row per segment x level x score, in the order
        given, levels sorted.

    Raises
    ------
    TypeError, DataError, ValueError
        Wrong types, unknown or non-numeric columns, empty lists, bad ``confidence``.

    Warns
    -----
    CsatWarning
        Cells with a base below ``min_base`` (how many, and the smallest base).

    Notes
    -----
    Interval: :math:`\\bar x \\pm t_{n-1, (1+c)/2}\\, s / \\sqrt n` (weighted: weighted mean,
    weighted sd and Kish's :math:`n_{eff}` in place of n). Missing data: each score uses
    the respondents who answered it; respondents without a segment code are not in any
    level of that segment (their count is not reported here: see ``crosstab``). A level
    with a single answer gets NaN sd and interval.

    Validated against R's ``t.test`` on the Cushny-Peebles ``sleep`` differences
    (mean 1.58, 95 % CI 0.7001142 to 2.4598858).

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_type": ["new", "new", "new", "returning", "returning"],
    ...                    "overall": [3, 4, 5, 4, 4]})
    >>> out = satisfaction_by_segment(df, scores=["overall"], segments=["customer_type"],
    ...                               min_base=2)
    >>> out[["segment", "level", "dimension", "n", "mean"]]
             segment      level dimension  n  mean
    0  customer_type        new   overall  3   4.0
    1  customer_type  returning   overall  2   4.0
    """
    check_frame(data)
    for name, cols in (("scores", scores), ("segments", segments)):
        if isinstance(cols, str) or not isinstance(cols, Sequence):
            raise TypeError(f"{name} must be a list of column names, got {cols!r}")
        if len(cols) == 0:
            raise ValueError(f"{name} must name at least one column, got an empty list")
    require_columns(data, list(scores) + list(segments), "scores/segments")
    confidence = check_confidence(confidence)
    if isinstance(min_base, bool) or not isinstance(min_base, int) or min_base < 0:
        raise ValueError(f"min_base must be a non-negative integer, got {min_base!r}")
    for s in scores:
        if not pd.api.types.is_numeric_dtype(data[s]):
            raise DataError(f"score column {s!r} must be numeric, got dtype {data[s].dtype}")
    w = weights_column(data, survey_weights)

    rows = []
    # each score column and its answered rows once, each segment factorized once: a level's
    # rows are then a comparison of integer codes (a million string comparisons per level before)
    w_ok = None if w is None else w.notna().to_numpy()
    w_values = None if w is None else w.to_numpy(dtype=float, na_value=np.nan)
    values = {score: data[score].to_numpy(dtype=float, na_value=np.nan) for score in scores}
    answered = {score: data[score].notna().to_numpy() & (True if w_ok is None else w_ok) for score in scores}
    for seg in segments:
        codes, uniques = pd.factorize(data[seg], use_na_sentinel=True)
        code_of = {u: k for k, u in enumerate(uniques.tolist())}
        levels = sorted(data[seg].dropna().unique(), key=str)
        for level in levels:
            in_level = codes == code_of[level]
            for score in scores:
                mask = in_level & answered[score]
                x = values[score][mask]
                wx = None if w is None else w_values[mask]
                mean, sd, lo, hi = _group_mean(x, wx, confidence)
                n_eff = float(len(x)) if wx is None else (kish_effective_n(wx) if wx.sum() > 0 else 0.0)
                rows.append(
                    {"segment": seg, "level": level, "dimension": score, "n": len(x),
                     "n_eff": n_eff, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi,
                     "small_base": len(x) < min_base}
                )
    out = pd.DataFrame(
        rows,
        columns=["segment", "level", "dimension", "n", "n_eff", "mean", "sd", "ci_low",
                 "ci_high", "small_base"],
    )
    n_small = int(out["small_base"].sum())
    if n_small:
        warnings.warn(
            f"satisfaction_by_segment: {n_small} of {len(out)} segment x score cells have a "
            f"base below {min_base} (smallest n = {int(out['n'].min())})",
            CsatWarning,
            stacklevel=2,
        )
    return out

