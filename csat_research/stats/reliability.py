"""Reliability and validity of the CSAT scale at a glance: the per-dimension table and the verdict.

Before dimension scores are trusted, every dimension (4-6 Likert items, codes 1-5,
``NaN`` = missing) is checked for internal consistency and the measurement model for
fit and discriminant validity:

* :func:`scale_reliability` - the per-dimension table (alpha, standardized alpha, CI, omega)
  with an overall row;
* :func:`reliability_verdict` - statistic / value / threshold / pass, the table a researcher
  reads at a glance.

The statistics themselves live in their own modules: :mod:`~csat_research.stats.alpha`
(Cronbach's alpha, item-total statistics), :mod:`~csat_research.stats.omega` (McDonald's
omega), :mod:`~csat_research.stats.cfa` (confirmatory factor analysis, composite reliability,
AVE, Fornell-Larcker) and :mod:`~csat_research.stats.validity` (HTMT), all on the one-pass
covariance summary of :mod:`~csat_research.stats.item_moments` (which describes the
missing-data policies).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.checks import check_confidence
from csat_research.core.errors import CsatWarning, ParamsError
from csat_research.stats.alpha import (
    alpha_from_moments,
    item_stats,
    warn_negative_items,
)
from csat_research.stats.cfa import CFAResult
from csat_research.stats.item_moments import (
    ItemMoments,
    as_float_matrix,
    check_item_frame,
    check_items,
    check_missing,
    check_model,
    item_moments,
)
from csat_research.stats.omega import omega_from_moments

__all__ = [
    "reliability_verdict",
    "scale_reliability",
]


# --------------------------------------------------------------------------- scale table
def scale_reliability(
    data: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]],
    *,
    missing: str = "listwise",
    confidence: float = 0.95,
    overall: bool = True,
) -> pd.DataFrame:
    """Reliability of every dimension of the scale, plus the overall item pool.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    dimensions : mapping of str to sequence of str
        Dimension -> its item columns (at least 2 each; an item may appear in one dimension
        only).
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy, applied per dimension (listwise: a respondent missing one
        efficiency item still counts for the quality dimension).
    confidence : float, default 0.95
        Level of alpha's Feldt interval.
    overall : bool, default True
        Add a row ``"overall"`` over all items of all dimensions.

    Returns
    -------
    pandas.DataFrame
        One row per dimension (in mapping order), then ``"overall"``:
        ``dimension``, ``n_items``, ``n_obs``, ``n_dropped``, ``alpha`` (raw), ``alpha_std``,
        ``ci_low``, ``ci_high`` (Feldt, raw alpha), ``omega`` (ML one-factor, model
        denominator; NaN with a CsatWarning for a 2-item dimension, where the one-factor
        model is not identified).

    Raises
    ------
    TypeError, DataError, ParamsError, AnalysisError
        As :func:`~csat_research.stats.alpha.cronbach_alpha` and
        :func:`~csat_research.stats.cfa.cfa`'s ``model`` checks.

    Warns
    -----
    CsatWarning
        Rows dropped per dimension (counts); 2-item dimensions without omega; negatively
        correlating items; Heywood cases.

    Notes
    -----
    Same formulas as :func:`~csat_research.stats.alpha.cronbach_alpha` and
    :func:`~csat_research.stats.omega.omega`. Without missing values (or with
    ``missing="pairwise"``) one covariance matrix of all items is computed and every
    dimension reads its block, so the table costs about one ``numpy.cov`` of the item pool.
    The overall omega treats all items as one factor, which understates reliability when the
    dimensions are distinct; read it next to the CFA.

    Validated through :func:`~csat_research.stats.alpha.cronbach_alpha` and
    :func:`~csat_research.stats.omega.omega` (psych / lavaan / MBESS values in
    ``tests/stats/test_alpha.py`` and ``tests/stats/test_omega.py``); the table is checked to
    equal those functions (``tests/stats/test_reliability.py``).

    References
    ----------
    Cronbach (1951); McDonald (1999); see :func:`~csat_research.stats.alpha.cronbach_alpha`
    and :func:`~csat_research.stats.omega.omega`.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.reliability import scale_reliability
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> dims = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...         "speed": ["x7", "x8", "x9"]}
    >>> tab = scale_reliability(hs, dims)
    >>> tab[["dimension", "n_items", "n_obs", "alpha", "omega"]].round(3)
      dimension  n_items  n_obs  alpha  omega
    0    visual        3    301  0.626  0.633
    1   textual        3    301  0.883  0.886
    2     speed        3    301  0.688  0.696
    3   overall        9    301  0.760  0.738
    """
    check_item_frame(data)
    spec = check_model(dimensions)
    missing = check_missing(missing)
    confidence = check_confidence(confidence)
    if not isinstance(overall, bool):
        raise TypeError(f"`overall` must be bool; got {type(overall).__name__}")
    all_items = check_items(data, [it for its in spec.values() for it in its], param="dimensions")
    blocks: list[tuple[str, list[str]]] = list(spec.items())
    if overall:
        if "overall" in spec:
            raise ParamsError("a dimension may not be called 'overall' when overall=True")
        blocks.append(("overall", all_items))

    # Without missing answers every block reads the covariance matrix of the whole item pool
    # (one pass); otherwise each block applies the missing-data policy to its own items.
    shared: ItemMoments | None = None
    index = {it: j for j, it in enumerate(all_items)}
    if np.all(np.isfinite(as_float_matrix(data, all_items).sum(axis=0))):
        shared = item_moments(data, all_items, "listwise", what="scale_reliability", warn=False)

    rows = []
    for name, its in blocks:
        what = f"scale_reliability[{name!r}]"
        if shared is not None:
            m = shared.sub([index[i] for i in its])
            m = ItemMoments(m.items, m.cov, m.n_pair, m.means, m.n_obs, m.n_total, m.n_dropped, missing)
        else:
            m = item_moments(data, its, missing, what=what)
        warn_negative_items(m, item_stats(m)["r_drop"], what)
        a = alpha_from_moments(m, standardized=False, confidence=confidence)
        if m.k >= 3:
            om = omega_from_moments(m, "model", what=what).omega
        else:
            warnings.warn(
                f"{what}: omega needs 3 or more items (a one-factor model of 2 items is not "
                f"identified); {m.k} items {list(m.items)} -> omega reported as NaN",
                CsatWarning,
                stacklevel=2,
            )
            om = float("nan")
        rows.append({
            "dimension": name, "n_items": m.k, "n_obs": m.n_obs, "n_dropped": m.n_dropped,
            "alpha": a.alpha_raw, "alpha_std": a.alpha_std, "ci_low": a.ci_low,
            "ci_high": a.ci_high, "omega": om,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- verdict
def _check_threshold(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"threshold `{name}` must be a number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ParamsError(f"threshold `{name}` must be finite; got {value!r}")
    return value


def reliability_verdict(
    result: CFAResult | None = None,
    *,
    scale: pd.DataFrame | None = None,
    alpha: float = 0.70,
    omega: float = 0.70,
    cfi: float = 0.90,
    tli: float = 0.90,
    rmsea: float = 0.08,
    srmr: float = 0.08,
    ave: float = 0.50,
    composite_reliability: float = 0.70,
    htmt: float = 0.85,
) -> pd.DataFrame:
    """Pass/fail table of the usual reliability and validity criteria.

    Parameters
    ----------
    result : CFAResult, optional
        A fitted :func:`~csat_research.stats.cfa.cfa`: global fit, per-factor CR / AVE /
        Fornell-Larcker, HTMT pairs.
    scale : pandas.DataFrame, optional
        A :func:`scale_reliability` table: per-dimension alpha and omega.
    alpha, omega, cfi, tli, composite_reliability, ave : float
        Minimum values (defaults 0.70, 0.70, 0.90, 0.90, 0.70, 0.50).
    rmsea, srmr : float
        Maximum values (defaults 0.08, 0.08).
    htmt : float
        HTMT must stay strictly below this (default 0.85).

    The keyword names equal the keys of ``csat_research.io.params.DEFAULT_THRESHOLDS``, so a
    study's thresholds pass straight through: ``reliability_verdict(fit, scale=tab,
    **params.thresholds)``.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``scope`` (``"model"``, a factor / dimension, or ``"a ~ b"`` for a
        factor pair), ``statistic``, ``value``, ``rule`` (``">="``, ``"<="``, ``"<"``,
        ``">"``), ``threshold``, ``pass`` (bool). Order: scale rows (alpha, omega per
        dimension), model fit (cfi, tli, rmsea, srmr), per factor (composite_reliability,
        ave, fornell_larcker), HTMT pairs. ``fornell_larcker`` compares sqrt(AVE) with the
        factor's largest absolute correlation (value = sqrt(AVE) - max |r|, must be > 0). A
        NaN value (e.g. omega of a 2-item dimension) never passes.

    Raises
    ------
    TypeError
        ``result`` not a CFAResult, ``scale`` not a DataFrame, a non-numeric threshold.
    ParamsError
        Neither ``result`` nor ``scale`` given, or ``scale`` lacks the needed columns.

    Notes
    -----
    Defaults follow common practice: alpha and CR >= 0.70 (Nunnally & Bernstein 1994), AVE
    >= 0.50 and the Fornell-Larcker criterion (Fornell & Larcker 1981), CFI / TLI >= 0.90,
    RMSEA and SRMR <= 0.08 (Hu & Bentler 1999 give 0.95 / 0.06 / 0.08 as stricter cut-offs),
    HTMT < 0.85 (Henseler et al. 2015). The function only compares numbers computed by
    :func:`~csat_research.stats.cfa.cfa` and :func:`scale_reliability` (validated there) with
    the thresholds; no statistic is computed here. Missing data: whatever the inputs used.

    References
    ----------
    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. Structural Equation Modeling, 6(1), 1-55.

    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135.

    Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric theory (3rd ed.). McGraw-Hill.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import cfa
    >>> from csat_research.stats.reliability import reliability_verdict
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> fit = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})
    >>> v = reliability_verdict(fit)
    >>> v[v["scope"] == "model"].round(3)
      scope statistic  value rule  threshold   pass
    0 model       cfi  0.931   >=       0.90   True
    1 model       tli  0.896   >=       0.90  False
    2 model     rmsea  0.092   <=       0.08  False
    3 model      srmr  0.065   <=       0.08   True
    """
    if result is None and scale is None:
        raise ParamsError("reliability_verdict needs `result` (a CFAResult), `scale` (a "
                          "scale_reliability table) or both; got neither")
    if result is not None and not isinstance(result, CFAResult):
        raise TypeError(f"`result` must be a CFAResult from cfa(); got {type(result).__name__}")
    th = {
        name: _check_threshold(val, name)
        for name, val in (
            ("alpha", alpha), ("omega", omega), ("cfi", cfi), ("tli", tli), ("rmsea", rmsea),
            ("srmr", srmr), ("ave", ave), ("composite_reliability", composite_reliability),
            ("htmt", htmt),
        )
    }
    rows: list[dict[str, Any]] = []

    def add(scope: str, stat: str, value: float, rule: str, threshold: float) -> None:
        value = float(value)
        ok = {
            ">=": value >= threshold, "<=": value <= threshold,
            "<": value < threshold, ">": value > threshold,
        }[rule]
        rows.append({"scope": scope, "statistic": stat, "value": value, "rule": rule,
                     "threshold": threshold, "pass": bool(ok) and not math.isnan(value)})

    if scale is not None:
        if not isinstance(scale, pd.DataFrame):
            raise TypeError(f"`scale` must be a scale_reliability() DataFrame; got {type(scale).__name__}")
        need = {"dimension", "alpha", "omega"}
        if not need <= set(scale.columns):
            raise ParamsError(
                f"`scale` must have columns {sorted(need)} (a scale_reliability() table); "
                f"got {list(scale.columns)}"
            )
        for r in scale.itertuples(index=False):
            add(str(r.dimension), "alpha", r.alpha, ">=", th["alpha"])
            add(str(r.dimension), "omega", r.omega, ">=", th["omega"])
    if result is not None:
        add("model", "cfi", result.cfi, ">=", th["cfi"])
        add("model", "tli", result.tli, ">=", th["tli"])
        add("model", "rmsea", result.rmsea, "<=", th["rmsea"])
        add("model", "srmr", result.srmr, "<=", th["srmr"])
        for r in result.factors.itertuples(index=False):
            add(r.factor, "composite_reliability", r.composite_reliability, ">=",
                th["composite_reliability"])
            add(r.factor, "ave", r.ave, ">=", th["ave"])
            if result.n_factors > 1:
                add(r.factor, "fornell_larcker", r.sqrt_ave - r.max_abs_correlation, ">", 0.0)
        fs = list(result.htmt.index)
        for i, a in enumerate(fs):
            for b in fs[i + 1:]:
                add(f"{a} ~ {b}", "htmt", result.htmt.loc[a, b], "<", th["htmt"])
    return pd.DataFrame(rows, columns=["scope", "statistic", "value", "rule", "threshold", "pass"])
