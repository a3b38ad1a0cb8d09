"""Confirmatory factor analysis of the measurement model (semopy, maximum likelihood).

* :func:`cfa` - fit indices (chi-square, CFI, TLI, RMSEA with its interval, SRMR), loadings,
  composite reliability, AVE, Fornell-Larcker table and HTMT (:class:`CFAResult`);
* :func:`import_semopy` - imports semopy on first use (also called by the report kernels'
  preload, :func:`csat_research.report.warmup.warm_up`).

The model is fitted to the covariance matrix of the items (one pass over the data,
:mod:`~csat_research.stats.item_moments`), never to the raw rows, so the CFA scales to millions
of respondents. Missing data: listwise deletion over the model's items.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from csat_research.core.checks import check_confidence
from csat_research.core.errors import AnalysisError, CsatWarning, ParamsError
from csat_research.core.numeric import single_thread_blas
from csat_research.stats.item_moments import (
    check_item_frame,
    check_items,
    check_model,
    cov_to_corr,
    item_moments,
)
from csat_research.stats.validity import htmt_matrix

__all__ = [
    "CFAResult",
    "cfa",
    "import_semopy",
]


@dataclass(frozen=True, eq=False)
class CFAResult:
    """Fit, loadings and validity of a confirmatory factor analysis.

    Attributes
    ----------
    chi2, dof, p_value : float, int, float
        Likelihood-ratio test of the model against the saturated model (chi2 = n F_ML).
    cfi, tli : float
        Comparative fit index and Tucker-Lewis index against the independence model.
    rmsea, rmsea_ci_low, rmsea_ci_high : float
        RMSEA and its confidence interval (level ``confidence``, 0.90 by default).
    confidence : float
        Level of the RMSEA interval.
    rmsea_pvalue : float
        p-value of the close-fit test H0: RMSEA <= 0.05.
    srmr : float
        Standardized root mean square residual (Bentler; lavaan's ``srmr``).
    chi2_baseline, dof_baseline : float, int
        Independence-model chi-square and degrees of freedom.
    n_obs, n_dropped, n_items, n_factors : int
        Respondents used (listwise), rows dropped, observed items, factors.
    converged : bool
        The optimizer reported convergence.
    orthogonal : bool
        Factors were constrained uncorrelated.
    htmt_method : str
        Mean used in ``htmt``.
    syntax : str
        The model in lavaan syntax (original names).
    loadings : pandas.DataFrame
        One row per item: ``factor``, ``item``, ``estimate`` (unstandardized; the first item
        of each factor is the marker fixed to 1), ``se``, ``z``, ``p_value`` (NaN for the
        fixed marker, flagged by ``fixed``), ``std_loading`` (lavaan ``std.all``),
        ``residual_variance``, ``fixed``.
    factors : pandas.DataFrame
        One row per factor: ``factor``, ``n_items``, ``variance``, ``composite_reliability``,
        ``ave``, ``sqrt_ave``, ``max_abs_correlation`` (largest absolute correlation with
        another factor; NaN in a one-factor model).
    factor_correlations : pandas.DataFrame
        Factor x factor correlation matrix.
    fornell_larcker : pandas.DataFrame
        Factor x factor: sqrt(AVE) on the diagonal, factor correlations off it.
    htmt : pandas.DataFrame
        Factor x factor HTMT matrix (empty for a one-factor model).
    """

    chi2: float
    dof: int
    p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    confidence: float
    rmsea_pvalue: float
    srmr: float
    chi2_baseline: float
    dof_baseline: int
    n_obs: int
    n_dropped: int
    n_items: int
    n_factors: int
    converged: bool
    orthogonal: bool
    htmt_method: str
    syntax: str
    loadings: pd.DataFrame
    factors: pd.DataFrame
    factor_correlations: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row of global fit: ``chi2, dof, p_value, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, rmsea_pvalue, srmr, n_obs, n_dropped, n_items, n_factors, converged``."""
        keys = (
            "chi2", "dof", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high",
            "rmsea_pvalue", "srmr", "n_obs", "n_dropped", "n_items", "n_factors", "converged",
        )
        return pd.DataFrame([{k: getattr(self, k) for k in keys}])


def _rmsea_ci(x2: float, df: int, n: int, level: float) -> tuple[float, float]:
    """Noncentral chi-square inversion of Browne & Cudeck (1993), as lavaan."""
    if df < 1:
        return 0.0, 0.0
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def cdf(lam: float) -> float:
        return float(stats.chi2.cdf(x2, df)) if lam <= 0 else float(stats.ncx2.cdf(x2, df, lam))

    if cdf(0.0) < upper_p:
        low = 0.0
    else:
        lam_l = optimize.brentq(lambda lam: cdf(lam) - upper_p, 0.0, max(x2, 1e-8), xtol=1e-12)
        low = math.sqrt(lam_l / (n * df))
    cap = max(float(n), 4.0 * x2)
    if cdf(cap) - lower_p > 0 or cdf(0.0) - lower_p < 0:
        high = 0.0
    else:
        lam_u = optimize.brentq(lambda lam: cdf(lam) - lower_p, 0.0, cap, xtol=1e-12)
        high = math.sqrt(lam_u / (n * df))
    return low, high


def _lavaan_syntax(spec: Mapping[str, Sequence[str]], orthogonal: bool) -> str:
    lines = [f"{f} =~ {' + '.join(its)}" for f, its in spec.items()]
    if orthogonal:
        fs = list(spec)
        lines += [f"{a} ~~ 0*{b}" for i, a in enumerate(fs) for b in fs[i + 1:]]
    return "\n".join(lines)


def import_semopy() -> Any:
    """Import semopy (heavy: it imports sympy and scikit-learn too) and return the module.

    :func:`cfa` calls it on first use; report kernels call it in their preload
    (:func:`csat_research.report.warmup.warm_up`) so that every report starts with it imported.
    """
    import semopy

    return semopy


def _fit_semopy(s_ml: np.ndarray, n: int, spec_alias: dict[str, list[str]], orthogonal: bool):
    semopy = import_semopy()  # imported lazily: heavy, and only the CFA needs it

    desc = _lavaan_syntax(spec_alias, orthogonal)
    obs = [it for its in spec_alias.values() for it in its]
    cov = pd.DataFrame(s_ml, index=pd.Index(obs), columns=pd.Index(obs))
    model = semopy.Model(desc)
    res = model.fit(cov=cov, n_samples=n, solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
    return model, res


def cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    orthogonal: bool = False,
    htmt_method: str = "arithmetic",
    confidence: float = 0.90,
) -> CFAResult:
    """Confirmatory factor analysis (ML) with fit indices, reliability and discriminant validity.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing; listwise
        deletion over the model's items).
    model : mapping of str to sequence of str
        Factor -> its item columns, e.g. ``{"efficiency": ["q1", "q2", "q3"], ...}``. Each
        item loads on exactly one factor; at least 2 items per factor.
    orthogonal : bool, default False
        Constrain the factor covariances to 0 (lavaan ``orthogonal = TRUE``).
    htmt_method : {"arithmetic", "geometric"}, default "arithmetic"
        Mean used for HTMT (see :func:`~csat_research.stats.validity.htmt`).
    confidence : float, default 0.90
        Level of the RMSEA confidence interval (lavaan's 90%).

    Returns
    -------
    CFAResult
        Global fit (``chi2, dof, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high,
        rmsea_pvalue, srmr``), counts, the ``loadings`` table, the per-factor ``factors``
        table (``composite_reliability``, ``ave``), ``factor_correlations``,
        ``fornell_larcker`` and ``htmt``; ``to_frame()`` gives the fit row.

    Raises
    ------
    TypeError
        ``data`` or ``model`` of the wrong type, non-numeric items.
    DataError
        Items missing from ``data``.
    ParamsError
        An item on two factors, bad ``htmt_method``.
    ValueError
        ``confidence`` outside (0, 1).
    AnalysisError
        A factor with fewer than 2 items, fewer respondents than items + 1, constant or
        empty items, or a model with negative degrees of freedom (not identified).

    Warns
    -----
    CsatWarning
        Rows dropped by listwise deletion (counts); no convergence; negative residual
        variances (Heywood cases); a just-identified model (df = 0).

    Notes
    -----
    The model is written in lavaan syntax (``factor =~ item1 + item2 + ...``, first loading
    fixed to 1, factor variances and covariances free, as lavaan's ``cfa()`` defaults) and
    fitted by maximum likelihood with semopy (objective ``MLW``, SLSQP, ``ftol`` 1e-12) to
    the covariance matrix with divisor n, computed in one pass. With observed
    :math:`S`, implied :math:`\\hat\\Sigma`, p items and q free parameters:

    - :math:`\\chi^2 = n[\\log|\\hat\\Sigma| + \\operatorname{tr}(S\\hat\\Sigma^{-1}) - \\log|S| - p]`,
      df = p(p+1)/2 - q; baseline :math:`\\chi^2_0 = n[\\sum\\log s_{ii} - \\log|S|]`,
      df0 = p(p-1)/2;
    - CFI = 1 - max(chi2 - df, 0) / max(chi2 - df, chi2_0 - df0, 0) (Bentler 1990);
      TLI = (chi2_0/df0 - chi2/df) / (chi2_0/df0 - 1) (Tucker & Lewis 1973);
    - RMSEA = sqrt(max(chi2/n/df - 1/n, 0)) (Steiger & Lind 1980, N as lavaan); its interval
      inverts the noncentral chi-square CDF in the noncentrality (Browne & Cudeck 1993,
      lavaan ``lav_fit_rmsea_ci``); close-fit p-value = 1 - F(chi2; df, n df 0.05^2);
    - SRMR (lavaan's default ``srmr`` = Bentler's): root mean square over the p(p+1)/2
      elements (diagonal included) of :math:`(s_{ij} - \\hat\\sigma_{ij})/\\sqrt{s_{ii}s_{jj}}`;
    - composite reliability per factor (semTools ``compRelSEM``, ``obs.var = TRUE``):
      :math:`(\\sum\\lambda_i)^2\\phi / \\mathbf 1'S_f\\mathbf 1`;
    - AVE (semTools ``AVE``): :math:`\\sum\\lambda_i^2\\phi / \\sum s_{ii}`;
    - Fornell-Larcker: sqrt(AVE) of a factor should exceed its correlations with the others;
    - HTMT from the item correlation matrix (see :func:`~csat_research.stats.validity.htmt`).

    Validated against lavaan's tutorial output for the Holzinger-Swineford three-factor
    model (chi2 = 85.306, df = 24, CFI = 0.931, TLI = 0.896, RMSEA = 0.092 [0.071, 0.114],
    SRMR = 0.065, loadings and standard errors), the same model with ``orthogonal = TRUE``,
    semTools ``compRelSEM`` / ``AVE`` / ``htmt`` and ``lavInspect(fit, "cor.lv")``
    (see ``tests/stats/test_cfa.py``).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36.

    Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for structural
    equation modeling. Structural Equation Modeling, 27(6), 952-963.

    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In
    K. A. Bollen & J. S. Long (Eds.), Testing structural equation models (pp. 136-162).

    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. Structural Equation Modeling, 6(1), 1-55.

    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import cfa
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> res = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})
    >>> round(res.chi2, 3), res.dof, round(res.cfi, 3), round(res.tli, 3)
    (85.306, 24, 0.931, 0.896)
    >>> round(res.rmsea, 3), round(res.rmsea_ci_low, 3), round(res.rmsea_ci_high, 3)
    (0.092, 0.071, 0.114)
    >>> round(res.srmr, 3)
    0.065
    >>> res.factors[["factor", "composite_reliability", "ave"]].round(3)
        factor  composite_reliability    ave
    0   visual                  0.612  0.371
    1  textual                  0.885  0.721
    2    speed                  0.686  0.424
    """
    check_item_frame(data)
    spec = check_model(model)
    if not isinstance(orthogonal, bool):
        raise TypeError(f"`orthogonal` must be bool; got {type(orthogonal).__name__}")
    if htmt_method not in ("arithmetic", "geometric"):
        raise ParamsError(f"`htmt_method` must be 'arithmetic' or 'geometric'; got {htmt_method!r}")
    confidence = check_confidence(confidence)
    names = check_items(data, [it for its in spec.values() for it in its], param="model")
    p = len(names)
    nf = len(spec)
    m = item_moments(data, names, "listwise", what="cfa")
    n = m.n_obs
    if n < p + 1:
        raise AnalysisError(
            f"cfa needs more respondents than items (n >= p + 1) for a positive definite "
            f"covariance matrix; got n = {n} for p = {p} items"
        )
    n_free = p + p + (nf if orthogonal else nf * (nf + 1) // 2) - nf  # loadings-1 + theta + phi
    dof = p * (p + 1) // 2 - n_free
    if dof < 0:
        raise AnalysisError(
            f"the model is not identified: {n_free} free parameters for {p * (p + 1) // 2} "
            f"distinct (co)variances (df = {dof}); add items or correlate the factors"
        )
    s_ml = m.ml_cov()
    if not np.linalg.eigvalsh(s_ml)[0] > 0:
        raise AnalysisError(
            "the item covariance matrix is not positive definite (linearly dependent items?)"
        )

    # aliases keep semopy's parser away from spaces, punctuation and CJK in names
    alias_item = {it: f"v{j}" for j, it in enumerate(names)}
    alias_factor = {f: f"F{j}" for j, f in enumerate(spec)}
    spec_alias = {alias_factor[f]: [alias_item[i] for i in its] for f, its in spec.items()}
    with single_thread_blas():
        fitted, res = _fit_semopy(s_ml, n, spec_alias, orthogonal)
        sigma_full = np.asarray(fitted.calc_sigma()[0])
        est = fitted.inspect()
    converged = bool(res.success)
    if not converged:
        warnings.warn(f"cfa: the ML fit did not converge ({res.message}); results are unreliable",
                      CsatWarning, stacklevel=2)

    obs_order = list(fitted.vars["observed"])
    pos = [obs_order.index(alias_item[it]) for it in names]
    sigma = sigma_full[np.ix_(pos, pos)]
    est = est.assign(
        Estimate=pd.to_numeric(est["Estimate"], errors="coerce"),
        se=pd.to_numeric(est["Std. Err"], errors="coerce"),
        z=pd.to_numeric(est["z-value"], errors="coerce"),
        p=pd.to_numeric(est["p-value"], errors="coerce"),
    )
    q = len(fitted.param_vals)
    if q != n_free:  # semopy and our count must agree, else df would be wrong
        raise AnalysisError(f"internal: semopy estimated {q} parameters, expected {n_free}")

    # global fit
    _, logdet_sig = np.linalg.slogdet(sigma)
    _, logdet_s = np.linalg.slogdet(s_ml)
    f_ml = logdet_sig + float(np.trace(s_ml @ np.linalg.inv(sigma))) - logdet_s - p
    chi2 = max(n * f_ml, 0.0)
    p_value = float(stats.chi2.sf(chi2, dof)) if dof > 0 else float("nan")
    chi2_b = n * (float(np.log(np.diag(s_ml)).sum()) - logdet_s)
    dof_b = p * (p - 1) // 2
    t1, t2 = chi2 - dof, chi2_b - dof_b
    denom = max(t1, t2, 0.0)
    cfi = 1.0 - max(t1, 0.0) / denom if denom > 0 else 1.0
    if dof > 0:
        tli = (chi2_b / dof_b - chi2 / dof) / (chi2_b / dof_b - 1.0)
        rmsea = math.sqrt(max(chi2 / n / dof - 1.0 / n, 0.0))
        rmsea_pv = float(stats.ncx2.sf(chi2, dof, n * dof * 0.05**2))
    else:
        tli, rmsea, rmsea_pv = 1.0, 0.0, float("nan")
        warnings.warn(
            "cfa: the model is just-identified (df = 0); chi-square, CFI, TLI and RMSEA are "
            "uninformative",
            CsatWarning,
            stacklevel=2,
        )
    ci_low, ci_high = _rmsea_ci(chi2, dof, n, confidence)
    sd_obs = np.sqrt(np.diag(s_ml))
    resid = (s_ml - sigma) / np.outer(sd_obs, sd_obs)
    srmr = math.sqrt(float(np.mean(resid[np.triu_indices(p)] ** 2)))

    # parameters
    inv_item = {v: k for k, v in alias_item.items()}
    inv_factor = {v: k for k, v in alias_factor.items()}
    lam = np.zeros(p)
    rows = []
    load = est[(est["op"] == "~") & est["rval"].isin(inv_factor) & est["lval"].isin(inv_item)]
    load_by_item = {r.lval: r for r in load.itertuples(index=False)}
    cov_rows = est[est["op"] == "~~"]
    cov_par: dict[frozenset[str], float] = {
        frozenset((a, b)): float(v)
        for a, b, v in zip(cov_rows["lval"], cov_rows["rval"], cov_rows["Estimate"], strict=True)
    }

    def _par(a: str, b: str) -> float:
        return cov_par.get(frozenset((a, b)), 0.0)

    fnames = list(spec)
    phi = np.array([[_par(alias_factor[a], alias_factor[b]) for b in fnames] for a in fnames])
    theta = np.array([_par(alias_item[it], alias_item[it]) for it in names])
    item_factor = np.array([fnames.index(f) for f, its in spec.items() for _ in its])
    for j, it in enumerate(names):
        r = load_by_item[alias_item[it]]
        lam[j] = float(r.Estimate)
        f = item_factor[j]
        fixed = bool(np.isnan(r.se))
        rows.append({
            "factor": fnames[f], "item": it, "estimate": lam[j],
            "se": float(r.se), "z": float(r.z), "p_value": float(r.p),
            "std_loading": lam[j] * math.sqrt(phi[f, f]) / math.sqrt(sigma[j, j]),
            "residual_variance": theta[j], "fixed": fixed,
        })
    loadings = pd.DataFrame(rows)
    heywood = [names[j] for j in range(p) if theta[j] < 0]
    if heywood or np.any(np.diag(phi) <= 0):
        warnings.warn(
            f"cfa: improper solution - {len(heywood)} item(s) with negative residual variance "
            f"{heywood} and {int(np.sum(np.diag(phi) <= 0))} factor(s) with non-positive variance",
            CsatWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        dphi = np.sqrt(np.diag(phi))
        fcor = phi / np.outer(dphi, dphi)
    np.fill_diagonal(fcor, 1.0)

    cr = np.empty(nf)
    ave = np.empty(nf)
    blocks = []
    for f in range(nf):
        ix = np.flatnonzero(item_factor == f)
        blocks.append(ix)
        cr[f] = lam[ix].sum() ** 2 * phi[f, f] / float(s_ml[np.ix_(ix, ix)].sum())
        ave[f] = float((lam[ix] ** 2).sum() * phi[f, f] / np.diag(s_ml)[ix].sum())
    sqrt_ave = np.sqrt(np.clip(ave, 0.0, None))
    if nf > 1:
        off = np.abs(fcor) - np.eye(nf) * np.abs(fcor)
        max_abs = off.max(axis=1)
    else:
        max_abs = np.full(nf, np.nan)
    factors = pd.DataFrame({
        "factor": fnames,
        "n_items": [len(spec[f]) for f in fnames],
        "variance": np.diag(phi),
        "composite_reliability": cr,
        "ave": ave,
        "sqrt_ave": sqrt_ave,
        "max_abs_correlation": max_abs,
    })
    findex = pd.Index(fnames)
    factor_corr = pd.DataFrame(fcor, index=findex, columns=findex)
    fl = fcor.copy()
    np.fill_diagonal(fl, sqrt_ave)
    fornell = pd.DataFrame(fl, index=findex, columns=findex)
    if nf > 1:
        ht = pd.DataFrame(htmt_matrix(cov_to_corr(m.cov), blocks, htmt_method), index=findex, columns=findex)
    else:
        ht = pd.DataFrame(index=findex, columns=findex, dtype=float)

    return CFAResult(
        chi2=float(chi2), dof=int(dof), p_value=p_value, cfi=float(cfi), tli=float(tli),
        rmsea=float(rmsea), rmsea_ci_low=ci_low, rmsea_ci_high=ci_high, confidence=confidence,
        rmsea_pvalue=rmsea_pv, srmr=srmr, chi2_baseline=float(chi2_b), dof_baseline=int(dof_b),
        n_obs=n, n_dropped=m.n_dropped, n_items=p, n_factors=nf, converged=converged,
        orthogonal=orthogonal, htmt_method=htmt_method, syntax=_lavaan_syntax(spec, orthogonal),
        loadings=loadings, factors=factors, factor_correlations=factor_corr,
        fornell_larcker=fornell, htmt=ht,
    )
