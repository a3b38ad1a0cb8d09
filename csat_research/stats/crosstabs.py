"""Cross tables of two segment variables: shares, chi-square, residuals, column letters.

Cross analysis is how the reports answer "does the preferred channel differ between
post-95s and post-70s, between new and returning customers?". :func:`crosstab` gives the
counts, column shares, Pearson chi-square, Cramer's V, Agresti's adjusted standardized
residuals and SPSS-style column-proportion letters of one such table, computed without any
drawing; survey weights enter through Kish's effective sample size.

The function takes the data first and keyword-only options after it, never mutates its
input, and counts the rows it cannot use instead of dropping them silently.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.crosstabs import crosstab
>>> df = pd.DataFrame({"customer_type": ["new"] * 40 + ["returning"] * 60,
...                    "channel": ["app"] * 30 + ["web"] * 10 + ["app"] * 20 + ["web"] * 40})
>>> res = crosstab(df, row="channel", col="customer_type")
>>> res.counts
customer_type  new  returning
channel
app             30         20
web             10         40
>>> round(res.cramers_v, 3)
0.408
"""

from __future__ import annotations

import itertools
import math
import string
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.core.checks import check_frame
from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.core.numeric import adjust_pvalues
from csat_research.stats.inputs import (
    CORRECTIONS,
    check_alpha,
    check_choice,
    require_columns,
    weights_column,
)
from csat_research.stats.survey_weights import kish_effective_n

__all__ = ["CrosstabResult", "crosstab"]

#: Expected cell count below which the chi-square approximation is doubtful (Cochran's rule).
_MIN_EXPECTED = 5.0


def _letters(k: int) -> list[str]:
    """Column letters A, B, ..., Z, AA, AB, ... as in SPSS Custom Tables."""
    out = []
    for i in range(k):
        name, j = "", i
        while True:
            name = string.ascii_uppercase[j % 26] + name
            j = j // 26 - 1
            if j < 0:
                break
        out.append(name)
    return out


@dataclass(frozen=True)
class CrosstabResult:
    """Result of :func:`crosstab` (all tables indexed by row level x column level).

    Attributes
    ----------
    counts : DataFrame
        Cell counts (weighted totals when ``survey_weights`` were given).
    col_shares : DataFrame
        Column percentages as shares: each column sums to 1.
    expected : DataFrame
        Expected counts under independence on the scale the test used (the raw counts, or
        the weighted table rescaled to the Kish effective sample size).
    adjusted_residuals : DataFrame
        Agresti's adjusted standardized residuals, approximately N(0, 1) under independence.
    letters : DataFrame
        Per cell, the letters (space separated) of the columns whose proportion this cell's
        column significantly exceeds in the same row; ``""`` when none.
    column_letters : Series
        Letter of each column level (A, B, C, ...).
    chi2, dof, p_value : float, int, float
        Pearson chi-square test of independence (no continuity correction).
    cramers_v : float
        Cramer's V = sqrt(X2 / (n (min(r, c) - 1))), with n the test's sample size.
    n : int
        Respondents used (rows with both codes and a usable weight).
    n_effective : float
        Sample size of the test: ``n`` unweighted, Kish's effective n when weighted.
    n_missing : int
        Rows left out because the row or column code (or the weight) was missing.
    n_small_expected : int
        Cells whose expected count is below 5.
    weighted : bool
    correction : str
    alpha : float
    """

    counts: pd.DataFrame
    col_shares: pd.DataFrame
    expected: pd.DataFrame
    adjusted_residuals: pd.DataFrame
    letters: pd.DataFrame
    column_letters: pd.Series
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    n: int
    n_effective: float
    n_missing: int
    n_small_expected: int
    weighted: bool
    correction: str
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per cell.

        Columns: ``row``, ``col``, ``letter`` (of the column), ``count``, ``col_share``,
        ``expected``, ``adjusted_residual``, ``greater_than`` (letters).
        """
        rows = []
        for r in self.counts.index:
            for c in self.counts.columns:
                rows.append(
                    {
                        "row": r,
                        "col": c,
                        "letter": self.column_letters[c],
                        "count": float(self.counts.at[r, c]),
                        "col_share": float(self.col_shares.at[r, c]),
                        "expected": float(self.expected.at[r, c]),
                        "adjusted_residual": float(self.adjusted_residuals.at[r, c]),
                        "greater_than": self.letters.at[r, c],
                    }
                )
        return pd.DataFrame(rows)


def _column_proportion_letters(
    counts: np.ndarray, bases: np.ndarray, *, correction: str, alpha: float
) -> np.ndarray:
    """Pairwise pooled two-proportion z-tests within each row; return letters per cell."""
    n_rows, n_cols = counts.shape
    letters = _letters(n_cols)
    out = np.full((n_rows, n_cols), "", dtype=object)
    pairs = list(itertools.combinations(range(n_cols), 2))
    if not pairs:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        props = counts / bases
    for i in range(n_rows):
        pvals, diffs = [], []
        for a, b in pairs:
            na, nb = bases[a], bases[b]
            pa, pb = props[i, a], props[i, b]
            if na <= 0 or nb <= 0:
                pvals.append(np.nan)
                diffs.append(0.0)
                continue
            pooled = (pa * na + pb * nb) / (na + nb)
            se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
            if se == 0 or not np.isfinite(se):
                pvals.append(np.nan)  # identical 0 % or 100 %: no test (SPSS prints ".")
                diffs.append(0.0)
                continue
            z = (pa - pb) / se
            pvals.append(2 * stats.norm.sf(abs(z)))
            diffs.append(pa - pb)
        p = np.asarray(pvals, dtype=float)
        ok = np.isfinite(p)
        adj = np.full_like(p, np.nan)
        if ok.any():
            adj[ok] = p[ok] if correction == "none" else adjust_pvalues(p[ok], correction)
        for (a, b), pa_adj, d in zip(pairs, adj, diffs):
            if np.isfinite(pa_adj) and pa_adj < alpha:
                winner, loser = (a, b) if d > 0 else (b, a)
                out[i, winner] = (out[i, winner] + " " + letters[loser]).strip()
    # keep letters in column order inside each cell
    for i in range(n_rows):
        for j in range(n_cols):
            if out[i, j]:
                out[i, j] = " ".join(sorted(out[i, j].split(), key=lambda s: (len(s), s)))
    return out


def crosstab(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    survey_weights: str | pd.Series | None = None,
    correction: str = "holm",
    alpha: float = 0.05,
) -> CrosstabResult:
    """Cross table of two segment variables with chi-square, Cramer's V and column letters.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    row, col : str
        Column names of the two categorical variables (text codes). Levels are ordered as
        they sort (categoricals keep their category order; unused categories are dropped).
    survey_weights : str or Series, optional
        Survey weight column (or a Series aligned to ``data``). Weights must be >= 0.
    correction : {"holm", "bonferroni", "sidak", "holm-sidak", "fdr_bh", "none"}
        Multiple-comparison correction applied, within each row, to the pairwise
        column-proportion tests (SPSS Custom Tables uses Bonferroni).
    alpha : float
        Significance level of the column-proportion letters.

    Returns
    -------
    CrosstabResult
        See :class:`CrosstabResult`.

    Raises
    ------
    TypeError
        ``data`` is not a DataFrame, ``survey_weights`` has a wrong type.
    DataError
        A column is missing, weights are negative.
    AnalysisError
        ``row`` equals ``col``, or fewer than two levels remain in either variable.
    ValueError
        ``correction`` or ``alpha`` out of range.

    Warns
    -----
    CsatWarning
        Rows left out for missing codes or weights (with the count); cells with expected
        count below 5 (with the count and the smallest expected count).

    Notes
    -----
    Pearson's statistic is :math:`X^2 = \\sum_{ij} (n_{ij} - \\mu_{ij})^2 / \\mu_{ij}` with
    :math:`\\mu_{ij} = n_{i+} n_{+j} / n`, on :math:`(r-1)(c-1)` degrees of freedom, no
    continuity correction. Cramer's :math:`V = \\sqrt{X^2 / (n\\,(\\min(r, c) - 1))}`.
    Adjusted residuals (Agresti 2002, sec. 3.3.1):
    :math:`(n_{ij} - \\mu_{ij}) / \\sqrt{\\mu_{ij} (1 - p_{i+})(1 - p_{+j})}`.

    Column-proportion letters: for every row and every pair of columns a and b, the pooled
    two-proportion z test :math:`z = (p_a - p_b) / \\sqrt{\\bar p (1 - \\bar p)(1/n_a + 1/n_b)}`;
    the p-values of a row are corrected together; a significant pair puts the letter of the
    smaller column into the cell of the larger one. Pairs where both columns are 0 % or
    100 % are not tested.

    **Weighted tables.** The counts are weighted totals. The chi-square, Cramer's V, the
    expected counts and the adjusted residuals are computed on the weighted table rescaled
    to Kish's effective sample size :math:`n_{eff} = (\\sum w)^2 / \\sum w^2`: this is the
    first-order design-effect correction :math:`X^2_{w} / \\mathrm{deff}_{Kish}`, where
    :math:`X^2_w` is Pearson's statistic of the weighted table scaled to total n (a Rao-Scott
    first-order correction in which every cell has the Kish weighting design effect); it
    ignores clustering, so it is not a full Rao-Scott correction from a design. The
    column-proportion tests use each column's own Kish effective base.

    Missing data: rows with a missing row code, column code or weight are left out and
    counted in ``n_missing`` (a :class:`CsatWarning` says how many).

    Validated against Agresti (2002) Table 3.2 (party identification by gender: X2 = 30.1,
    adjusted residuals 4.50, 0.70, -5.32), the SciPy documentation of
    ``scipy.stats.contingency.association`` (Cramer's V 0.1862) and the statsmodels
    documentation of ``proportions_ztest`` (p = 0.159).

    References
    ----------
    .. [1] Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley. Sections 2.4, 3.3.
    .. [2] Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
    .. [3] Rao, J. N. K., & Scott, A. J. (1981). The analysis of categorical data from
           complex sample surveys. JASA 76, 221-230.
    .. [4] IBM SPSS Custom Tables: column proportions tests (z tests with Bonferroni).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age_group": ["post95"] * 50 + ["post70"] * 50,
    ...                    "preferred_channel": ["im"] * 40 + ["phone"] * 10
    ...                                       + ["im"] * 15 + ["phone"] * 35})
    >>> res = crosstab(df, row="preferred_channel", col="age_group")
    >>> res.column_letters.to_dict()
    {'post70': 'A', 'post95': 'B'}
    >>> res.letters.loc["im", "post95"], res.letters.loc["phone", "post70"]
    ('A', 'B')
    >>> round(res.chi2, 2), res.dof
    (25.25, 1)
    """
    check_frame(data)
    for name, value in (("row", row), ("col", col)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a column name (str), got {type(value).__name__}")
    if row == col:
        raise AnalysisError(f"row and col must be different columns, got {row!r} twice")
    require_columns(data, [row, col], "row/col")
    correction = check_choice(correction, CORRECTIONS, "correction")
    alpha = check_alpha(alpha)
    w = weights_column(data, survey_weights)

    usable = data[row].notna() & data[col].notna()
    if w is not None:
        usable &= w.notna()
    n_missing = int((~usable).sum())
    if n_missing:
        warnings.warn(
            f"crosstab: {n_missing} of {len(data)} rows left out (missing {row!r}, {col!r}"
            f"{' or weight' if w is not None else ''})",
            CsatWarning,
            stacklevel=2,
        )
    sub = data.loc[usable, [row, col]]
    wt = np.ones(len(sub)) if w is None else w[usable].to_numpy(dtype=float)
    table = (
        pd.DataFrame({"r": sub[row].array, "c": sub[col].array, "w": wt})  # .array keeps a categorical's order
        .groupby(["r", "c"], observed=True, sort=True)["w"]
        .sum()
        .unstack("c", fill_value=0.0)
    )
    table.index.name, table.columns.name = row, col
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise AnalysisError(
            f"crosstab needs at least 2 levels in each variable; {row!r} has {table.shape[0]} "
            f"and {col!r} has {table.shape[1]} among {len(sub)} usable rows"
        )
    obs = table.to_numpy(dtype=float)
    total = obs.sum()
    if total <= 0:
        raise AnalysisError("crosstab: the weights of the usable rows sum to 0")

    n_eff = float(len(sub)) if w is None else kish_effective_n(wt)
    scaled = obs * (n_eff / total)  # equals obs when unweighted
    row_p = scaled.sum(axis=1) / n_eff
    col_p = scaled.sum(axis=0) / n_eff
    expected = np.outer(row_p, col_p) * n_eff
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = float(np.nansum(np.where(expected > 0, (scaled - expected) ** 2 / expected, 0.0)))
        adj = (scaled - expected) / np.sqrt(expected * np.outer(1 - row_p, 1 - col_p))
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    p_value = float(stats.chi2.sf(chi2, dof))
    cramers_v = math.sqrt(chi2 / (n_eff * (min(obs.shape) - 1)))
    n_small = int((expected < _MIN_EXPECTED).sum())
    if n_small:
        warnings.warn(
            CsatWarning(
                f"crosstab {row!r} x {col!r}: {n_small} of {expected.size} cells "
                f"({100 * n_small / expected.size:.0f}%) have an expected count below 5 "
                f"(smallest {expected.min():.2f}); the chi-square approximation may be poor",
                kind="small_expected", row=row, col=col, n_small=n_small, n_cells=int(expected.size),
                smallest=float(expected.min()),
            ),
            stacklevel=2,
        )

    # column bases for the proportion tests: raw n or each column's Kish effective n
    if w is None:
        bases = obs.sum(axis=0)
    else:
        col_codes = sub[col].to_numpy()
        col_weights = (wt[col_codes == c] for c in table.columns)
        bases = np.array([kish_effective_n(cw) if cw.sum() > 0 else 0.0 for cw in col_weights])
    shares = obs / obs.sum(axis=0, keepdims=True)
    letter_cells = _column_proportion_letters(
        shares * bases, bases, correction=correction, alpha=alpha
    )
    idx, cols = table.index, table.columns
    return CrosstabResult(
        counts=table.astype("int64") if w is None else table,
        col_shares=pd.DataFrame(shares, index=idx, columns=cols),
        expected=pd.DataFrame(expected, index=idx, columns=cols),
        adjusted_residuals=pd.DataFrame(adj, index=idx, columns=cols),
        letters=pd.DataFrame(letter_cells, index=idx, columns=cols),
        column_letters=pd.Series(_letters(len(cols)), index=cols, name="letter"),
        chi2=chi2,
        dof=dof,
        p_value=p_value,
        cramers_v=cramers_v,
        n=len(sub),
        n_effective=n_eff,
        n_missing=n_missing,
        n_small_expected=n_small,
        weighted=w is not None,
        correction=correction,
        alpha=alpha,
    )

