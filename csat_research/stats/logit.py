"""Satisfaction -> actual repurchase: binary logit (statsmodels underneath).

* :func:`repurchase_logit` - logistic regression of actual repurchase (0/1) on dimension
  scores plus optional segment controls, returning a frozen :class:`LogitResult` with
  coefficients, odds ratios and average marginal effects; refuses (quasi-)separated data and
  too few events per predictor;
* :func:`predicted_curve` - predicted repurchase probability (with a confidence band)
  across the range of one satisfaction score, for a plot.

The ordered logit of the repurchase *intention* scale is in :mod:`~csat_research.stats.ordinal`;
the design matrix (dummy coding, listwise deletion, weights) and the coefficient table both
models share are in :mod:`~csat_research.stats.design`, which documents the conventions.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from csat_research.core.checks import (
    check_columns_exist,
    is_categorical,
)
from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.core.numeric import single_thread_blas
from csat_research.stats.design import (
    SEPARATION_STD_COEF,
    Design,
    build_design,
    check_estimable,
    check_model_arguments,
    normal_table,
    stata_robust_factor,
)

__all__ = [
    "LogitResult",
    "predicted_curve",
    "repurchase_logit",
]


@dataclass(frozen=True, eq=False)
class LogitResult:
    """Result of :func:`repurchase_logit` (frozen).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term (``const``, predictors, controls; dummies ``column[level]``) with
        columns ``coef`` (log-odds), ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high``,
        ``odds_ratio`` (``exp(coef)``), ``or_ci_low``, ``or_ci_high``.
    marginal_effects : pandas.DataFrame
        Average marginal effects (probability scale) per non-constant term with columns
        ``ame``, ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high`` and ``kind``
        (``"derivative"`` for numeric terms, ``"discrete_change"`` for dummies of
        categorical controls).
    n_obs, n_events, n_dropped : int
        Complete cases used; count of the less frequent outcome value (the quantity of
        the events-per-predictor rule); rows removed by listwise deletion.
    pseudo_r2 : float
        McFadden's pseudo R-squared, ``1 - llf / llnull``.
    log_likelihood, aic : float
        (Weighted pseudo-) log-likelihood and ``-2 llf + 2 k``.
    converged : bool
        Whether the Newton-Raphson iterations converged.
    outcome, predictors, controls, survey_weights : str, tuple, tuple, str or None
        What was modelled.
    cov_type : str
        ``"robust"`` (sandwich x n/(n-1)) or ``"nonrobust"`` (inverse information).
    confidence : float
        Confidence level of all intervals.

    Notes
    -----
    The result keeps the complete-case design matrix, weights, estimates and covariance
    (private fields) so that :func:`predicted_curve` can average over respondents; for a
    million respondents and 8 terms that is about 64 MB.
    """

    coefficients: pd.DataFrame
    marginal_effects: pd.DataFrame
    n_obs: int
    n_events: int
    n_dropped: int
    pseudo_r2: float
    log_likelihood: float
    aic: float
    converged: bool
    outcome: str
    predictors: tuple[str, ...]
    controls: tuple[str, ...]
    survey_weights: str | None
    cov_type: str
    confidence: float
    _params: np.ndarray = field(repr=False)
    _cov: np.ndarray = field(repr=False)
    _X: np.ndarray = field(repr=False)
    _w: np.ndarray | None = field(repr=False)
    _terms: tuple[str, ...] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the coefficient table (one row per term)."""
        return self.coefficients.copy()


def _separation_precheck(design: Design, outcome: str) -> None:
    """Detect single-variable (quasi-)complete separation before fitting."""
    y = design.y
    X = design.X
    one, zero = y == 1, y == 0
    # categorical controls: any level (reference included) with a constant outcome
    for col, codes in design.level_codes.items():
        for k, level in enumerate(design.levels[col]):
            in_level = codes == k
            vals = y[in_level]
            if vals.size and (np.all(vals == vals[0])):
                raise AnalysisError(
                    f"quasi-complete separation: control '{col}' level '{level}' - all "
                    f"{vals.size} respondents have {outcome} = {int(vals[0])}, so its odds ratio "
                    "is infinite; merge the level with another or drop the control"
                )
    for j in range(1, X.shape[1]):
        term = design.terms[j]
        if design.sources[term][1] is not None:
            continue  # dummies handled above
        x1, x0 = X[one, j], X[zero, j]
        for lo, hi, lo_y, hi_y in ((x0, x1, 0, 1), (x1, x0, 1, 0)):
            if lo.max() < hi.min() or lo.max() == hi.min():
                kind = "complete" if lo.max() < hi.min() else "quasi-complete"
                raise AnalysisError(
                    f"{kind} separation: predictor '{term}' separates the outcome - every "
                    f"respondent with {outcome} = {hi_y} has {term} >= {hi.min():g} and every "
                    f"respondent with {outcome} = {lo_y} has {term} <= {lo.max():g}; the "
                    "maximum-likelihood coefficient does not exist (infinite)"
                )


def _logit_ame(
    params: np.ndarray,
    cov: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None,
    terms: Sequence[str],
    sources: Mapping[str, tuple[str, str | None]],
    confidence: float,
) -> pd.DataFrame:
    """Average marginal effects with delta-method standard errors."""
    ww = np.ones(X.shape[0]) if w is None else w
    wsum = ww.sum()
    eta = X @ params
    p = special.expit(eta)
    s = ww * p * (1.0 - p)  # weighted density
    rows = []
    # columns belonging to each categorical control (for discrete changes)
    groups: dict[str, list[int]] = {}
    for j, term in enumerate(terms):
        if j == 0:
            continue
        col, level = sources[term]
        if level is not None:
            groups.setdefault(col, []).append(j)
    for j, term in enumerate(terms):
        if j == 0:
            continue
        col, level = sources[term]
        if level is None:
            ame = params[j] * s.sum() / wsum
            # d ame / d beta_k = mean_w[ p(1-p) (1{k=j} + beta_j (1-2p) x_k) ]
            grad = params[j] * (X.T @ (s * (1.0 - 2.0 * p))) / wsum
            grad[j] += s.sum() / wsum
            kind = "derivative"
        else:
            # discrete change from the reference level to `level`, other dummies of the
            # same control set to 0 (Stata margins, dydx(i.control))
            others = groups[col]
            base_eta = eta - X[:, others] @ params[others]
            p1 = special.expit(base_eta + params[j])
            p0 = special.expit(base_eta)
            ame = float(np.sum(ww * (p1 - p0)) / wsum)
            d1 = ww * p1 * (1 - p1)
            d0 = ww * p0 * (1 - p0)
            # gradient of mean_w[L(x1'b) - L(x0'b)]: the control's own dummies are 0 in
            # both counterfactual rows except dummy j (= 1 in x1)
            grad = (X.T @ (d1 - d0)) / wsum
            grad[others] = 0.0
            grad[j] = np.sum(d1) / wsum
            kind = "discrete_change"
        se = float(np.sqrt(grad @ cov @ grad))
        rows.append((term, float(ame), se, kind))
    q = stats.norm.ppf(0.5 + confidence / 2.0)
    frame = pd.DataFrame(rows, columns=["term", "ame", "se", "kind"]).set_index("term")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame.insert(2, "z", frame["ame"] / frame["se"])
    frame.insert(3, "p_value", 2.0 * stats.norm.sf(np.abs(frame["z"])))
    frame.insert(4, "ci_low", frame["ame"] - q * frame["se"])
    frame.insert(5, "ci_high", frame["ame"] + q * frame["se"])
    return frame


def _fit_binary(y: np.ndarray, X: np.ndarray, w: np.ndarray | None, start: np.ndarray, cov_type: str):
    """Newton-Raphson logit fit: statsmodels Logit without weights, GLM var_weights with."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    if w is None:
        return Logit(y, X, check_rank=False).fit(
            start_params=start, method="newton", maxiter=100, tol=1e-10, disp=False, cov_type=cov_type
        )
    return GLM(y, X, family=families.Binomial(), var_weights=w).fit(
        start_params=start, method="newton", maxiter=100, tol=1e-10, cov_type=cov_type
    )


def repurchase_logit(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    controls: Sequence[str] = (),
    survey_weights: str | None = None,
    robust: bool = True,
    confidence: float = 0.95,
    min_events_per_predictor: float = 10,
) -> LogitResult:
    r"""Logistic regression of actual repurchase (0/1) on satisfaction scores.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. Not modified.
    outcome : str
        Binary outcome column (0/1 or bool), e.g. ``"repurchase"``.
    predictors : sequence of str
        Numeric predictor columns, e.g. the five dimension scores.
    controls : sequence of str, default ()
        Adjustment columns. Numeric columns enter linearly; text/categorical columns
        (``customer_type``, ``value_band``, ...) are dummy-coded with the first level as
        reference and terms named ``column[level]``.
    survey_weights : str, optional
        Column of non-negative survey weights (see Notes).
    robust : bool, default True
        Heteroskedasticity-robust (Huber-White sandwich) standard errors with the
        small-sample factor n/(n-1) (Stata's ``vce(robust)`` for ML models; statsmodels'
        ``cov_type="HC0"`` times n/(n-1)). ``False``: inverse observed information.
    confidence : float, default 0.95
        Confidence level of all intervals.
    min_events_per_predictor : float, default 10
        Refuse the model when the less frequent outcome has fewer than this many
        respondents per estimated (non-constant) term (Peduzzi et al. 1996).

    Returns
    -------
    LogitResult
        Frozen result; ``coefficients`` has columns ``coef``, ``se``, ``z``, ``p_value``,
        ``ci_low``, ``ci_high``, ``odds_ratio``, ``or_ci_low``, ``or_ci_high``;
        ``marginal_effects`` has ``ame``, ``se``, ``z``, ``p_value``, ``ci_low``,
        ``ci_high``, ``kind``.

    Raises
    ------
    TypeError
        ``data`` is not a DataFrame, names are not strings, a predictor is not numeric.
    ValueError
        Bad ``confidence``, duplicated names, a column used twice.
    AnalysisError
        Missing columns (named); non-binary or constant outcome; a constant or perfectly
        collinear term; (quasi-)complete separation (the predictor, or the control level,
        is named); fewer events per predictor than ``min_events_per_predictor`` (the
        message gives n_events, n_predictors and the minimum).

    Warns
    -----
    CsatWarning
        Rows dropped by listwise deletion (with counts); non-convergence; model-based
        standard errors requested together with survey weights.

    Notes
    -----
    Model: :math:`\Pr(y_i = 1) = \Lambda(x_i^\top\beta)`, :math:`\Lambda(t) = 1/(1+e^{-t})`,
    fitted by Newton-Raphson with analytic derivatives until the parameters change by less
    than 1e-10 (``statsmodels`` ``Logit`` without weights, ``GLM`` with the Binomial family
    and ``var_weights`` with weights; both give identical estimates when all weights are
    1). Starting values: slopes 0, intercept at the logit of the event share. Odds ratios are
    :math:`e^{\beta}` with intervals :math:`e^{\beta \pm z_{1-\alpha/2} se}`.

    Robust covariance: :math:`V = \frac{n}{n-1} H^{-1} \big(\sum_i w_i^2 (y_i-p_i)^2 x_i x_i^\top\big) H^{-1}`
    with :math:`H = \sum_i w_i p_i (1-p_i) x_i x_i^\top` (:math:`w_i = 1` without weights).
    statsmodels' own ``cov_type="HC1"`` applies no factor for ML models (it equals HC0),
    so the factor is applied here explicitly to match Stata.

    Survey weights are passed to GLM as ``var_weights`` (not ``freq_weights``): each
    respondent stays one observation whose log-likelihood contribution is multiplied by
    :math:`w_i`. Point estimates are identical under both choices (pseudo-MLE). The
    difference is in the variance: ``freq_weights`` would treat :math:`\sum w_i` as the
    number of independent observations, so model-based SEs shrink as weights are scaled
    up (wrong for sampling/post-stratification weights); with ``var_weights`` and the
    sandwich the variance is invariant to rescaling the weights and equals the
    with-replacement design-based variance of Stata ``logit [pweight=w], vce(robust)`` /
    ``svyglm`` without strata or clusters. Hence ``robust=True`` is the only sensible
    choice with weights (a warning is issued otherwise).

    Average marginal effects (AME): for a numeric term
    :math:`\mathrm{AME}_j = \bar w^{-1}\sum_i w_i p_i(1-p_i)\beta_j`; for a dummy of a
    categorical control, the average discrete change :math:`\Pr(\text{level}) -
    \Pr(\text{reference})` with every respondent switched (Stata ``margins,
    dydx(i.control)``); standard errors by the delta method with the covariance above.
    They reproduce ``statsmodels`` ``get_margeff(at="overall")`` (which does not support
    GLM weights, hence the own implementation) and Stata ``margins``.

    Separation: before fitting, every numeric term is checked for single-variable
    (quasi-)complete separation and every level of a categorical control for a constant
    outcome; after fitting, a statsmodels ``PerfectSeparationWarning`` or a standardised
    coefficient :math:`|\beta_j| \cdot sd(x_j) > 10` is refused, naming the term.

    Missing data: listwise deletion (counted, warned). Validated against the statsmodels
    documentation (Spector & Mazzeo logit: coefficients, McFadden pseudo R2 0.3740,
    ``get_margeff`` table) and Stata output stored in statsmodels' test suite
    (``logit``, ``glm ..., vce(robust)``, ``margins``); see ``tests/test_models.py``.

    References
    ----------
    Spector, L. and Mazzeo, M. (1980). Probit analysis and economic education. Journal of
    Economic Education 11(2), 37-44.
    Peduzzi, P. et al. (1996). A simulation study of the number of events per variable
    in logistic regression analysis. Journal of Clinical Epidemiology 49(12), 1373-1379.
    Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood
    estimates in logistic regression models. Biometrika 71(1), 1-10.
    Lumley, T. and Scott, A. (2017). Fitting regression models to survey data.
    Statistical Science 32(2), 265-278.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> n = 2000
    >>> df = pd.DataFrame({"quality": rng.integers(1, 6, n).astype(float),
    ...                    "efficiency": rng.integers(1, 6, n).astype(float),
    ...                    "customer_type": rng.choice(["new", "returning"], n)})
    >>> eta = -4 + 0.8 * df["quality"] + 0.3 * df["efficiency"]
    >>> df["repurchase"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    >>> res = repurchase_logit(df, outcome="repurchase",
    ...                        predictors=["quality", "efficiency"], controls=["customer_type"])
    >>> list(res.coefficients.index)
    ['const', 'quality', 'efficiency', 'customer_type[returning]']
    >>> bool(res.coefficients.loc["quality", "ci_low"] < 0.8 < res.coefficients.loc["quality", "ci_high"])
    True
    >>> res.n_obs, res.n_dropped
    (2000, 0)
    """
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationWarning,
    )

    data, predictors, controls, confidence = check_model_arguments(
        data, outcome=outcome, predictors=predictors, controls=controls, survey_weights=survey_weights,
        robust=robust, confidence=confidence,
    )
    if isinstance(min_events_per_predictor, bool) or not isinstance(min_events_per_predictor, (int, float)):
        raise TypeError(f"min_events_per_predictor must be a number; got {min_events_per_predictor!r}")
    if min_events_per_predictor < 0:
        raise ValueError(f"min_events_per_predictor must be >= 0; got {min_events_per_predictor!r}")

    check_columns_exist(data, [outcome])
    if is_categorical(data[outcome]):
        raise AnalysisError(
            f"outcome '{outcome}' must be binary 0/1 (numeric or bool); got text/categorical "
            f"dtype {data[outcome].dtype} - recode it to 0/1"
        )
    design = build_design(
        data, outcome=outcome, predictors=predictors, controls=controls, survey_weights=survey_weights,
        function="repurchase_logit",
    )
    y = design.y
    values = np.unique(y)
    if values.size == 1:
        raise AnalysisError(
            f"outcome '{outcome}' is constant ({values[0]:g}) in all {y.size} complete rows; "
            "a logit needs both 0 and 1"
        )
    if not set(values.tolist()) <= {0.0, 1.0}:
        shown = values[:10].tolist()
        raise AnalysisError(
            f"outcome '{outcome}' must be binary 0/1 for a logit; found {values.size} distinct "
            f"values {shown}{' ...' if values.size > 10 else ''} - use repurchase_ordered for a "
            "rating scale"
        )
    n_events = int(min((y == 1).sum(), (y == 0).sum()))
    n_pred_terms = design.X.shape[1] - 1
    if n_events < min_events_per_predictor * n_pred_terms:
        raise AnalysisError(
            f"too few events per predictor: n_events = {n_events} (the less frequent value of "
            f"'{outcome}') for n_predictors = {n_pred_terms} estimated terms gives "
            f"{n_events / n_pred_terms:.1f} per predictor; the minimum is "
            f"min_events_per_predictor = {min_events_per_predictor:g}"
        )
    check_estimable(design)
    _separation_precheck(design, outcome)
    if survey_weights is not None and not robust:
        warnings.warn(
            "repurchase_logit: robust=False with survey weights gives model-based standard "
            "errors that treat the weights as precision weights; use robust=True",
            CsatWarning,
            stacklevel=2,
        )

    X, w = design.X, design.survey_weights
    ww = np.ones(len(y)) if w is None else w
    share = float(np.average(y, weights=ww))
    start = np.zeros(X.shape[1])
    start[0] = special.logit(share)
    cov_type = "HC0" if robust else "nonrobust"
    with warnings.catch_warnings(record=True) as caught, single_thread_blas():  # small matrices
        warnings.simplefilter("always")
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            try:
                fit = _fit_binary(y, X, w, start, cov_type)
            except np.linalg.LinAlgError:
                fit = None
    if fit is None:
        raise AnalysisError(
            "(quasi-)complete separation: the information matrix became singular while the "
            "fitted probabilities ran to 0/1; the maximum-likelihood estimate does not exist - "
            "merge sparse levels, drop a term or use penalised regression"
        )
    separation_flag = any(issubclass(c.category, PerfectSeparationWarning) for c in caught)
    params = np.asarray(fit.params, dtype=float)
    mean = np.average(X, axis=0, weights=ww)
    sd = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=ww))
    std_coef = np.abs(params) * sd
    std_coef[0] = 0.0
    if separation_flag or np.nanmax(std_coef) > SEPARATION_STD_COEF or not np.all(np.isfinite(params)):
        j = int(np.nanargmax(std_coef))
        raise AnalysisError(
            f"(quasi-)complete separation: the fitted probabilities run to 0/1 and term "
            f"'{design.terms[j]}' has coefficient {params[j]:.3g} ({std_coef[j]:.3g} log-odds per "
            "standard deviation); the maximum-likelihood estimate does not exist - merge sparse "
            "levels, drop the term or use penalised regression"
        )
    converged = bool(fit.mle_retvals.get("converged", False))
    if not converged or any(issubclass(c.category, ConvergenceWarning) for c in caught):
        converged = False
        warnings.warn(
            "repurchase_logit: Newton-Raphson did not converge in 100 iterations; estimates are "
            "unreliable",
            CsatWarning,
            stacklevel=2,
        )
    cov = np.asarray(fit.cov_params(), dtype=float)
    if robust:
        cov = cov * stata_robust_factor(len(y))
    coefficients = normal_table(params, cov, design.terms, confidence)
    ame = _logit_ame(params, cov, X, w, design.terms, design.sources, confidence)
    llf = float(fit.llf)
    # intercept-only model: the MLE is the (weighted) event share
    llnull = float(np.sum(ww * (y * np.log(share) + (1.0 - y) * np.log1p(-share))))
    return LogitResult(
        coefficients=coefficients,
        marginal_effects=ame,
        n_obs=int(len(y)),
        n_events=n_events,
        n_dropped=design.n_dropped,
        pseudo_r2=1.0 - llf / llnull,
        log_likelihood=llf,
        aic=-2.0 * llf + 2.0 * X.shape[1],
        converged=converged,
        outcome=outcome,
        predictors=predictors,
        controls=controls,
        survey_weights=survey_weights,
        cov_type="robust" if robust else "nonrobust",
        confidence=confidence,
        _params=params,
        _cov=cov,
        _X=X,
        _w=w,
        _terms=design.terms,
    )


def predicted_curve(
    result: LogitResult,
    *,
    variable: str,
    grid: Sequence[float] | np.ndarray | None = None,
    at: str = "mean",
) -> pd.DataFrame:
    r"""Predicted repurchase probability across the range of one score, with a CI band.

    Parameters
    ----------
    result : LogitResult
        A fitted :func:`repurchase_logit` result.
    variable : str
        A numeric term of the model (a predictor or numeric control), e.g. ``"quality"``.
    grid : sequence of float, optional
        Values of ``variable``; default 41 equally spaced points from its observed minimum
        to maximum (1 to 5 for a dimension score).
    at : {"mean", "average"}, default "mean"
        ``"mean"``: adjusted prediction with every other term (dummies included) at its
        (weighted) sample mean (Stata ``margins, at(...) atmeans``). ``"average"``: average
        predictive margin - every respondent's other values kept as observed and the
        predicted probabilities averaged (Stata ``margins, at(...)``).

    Returns
    -------
    pandas.DataFrame
        One row per grid value with columns ``value``, ``probability``, ``se``
        (delta method, probability scale), ``ci_low``, ``ci_high``.

    Raises
    ------
    TypeError
        ``result`` is not a :class:`LogitResult`; ``grid`` is not numeric.
    ValueError
        Unknown ``at``; ``variable`` not a numeric term of the model; empty or non-finite
        grid.

    Notes
    -----
    ``at="mean"``: :math:`\hat p(g) = \Lambda(\bar x_g^\top\hat\beta)` where
    :math:`\bar x_g` is the weighted mean design row with ``variable`` set to g;
    ``at="average"``: :math:`\hat p(g) = \sum_i w_i \Lambda(x_{i,g}^\top\hat\beta) / \sum_i w_i`.
    In both cases the interval is computed on the logit scale and transformed back,
    :math:`\Lambda(\mathrm{logit}\,\hat p \pm z\, se_\eta)` with
    :math:`se_\eta = se_p / (\hat p(1-\hat p))`, so the band stays inside (0, 1) (Stata's
    ``margins`` reports the symmetric probability-scale interval instead; the point
    estimates and ``se`` are the same). The covariance is the one of the fit (robust by
    default). Validated against Stata ``margins, dydx(gpa) atmeans`` (slope of the curve)
    and statsmodels ``get_prediction`` (``GLMResults`` for ``"mean"``, ``LogitResults`` with
    ``average=True`` for ``"average"``).

    References
    ----------
    Williams, R. (2012). Using the margins command to estimate and interpret adjusted
    predictions and marginal effects. The Stata Journal 12(2), 308-331.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"quality": rng.integers(1, 6, 1500).astype(float)})
    >>> df["repurchase"] = (rng.random(1500) < 1 / (1 + np.exp(3 - 0.9 * df["quality"]))).astype(int)
    >>> res = repurchase_logit(df, outcome="repurchase", predictors=["quality"])
    >>> curve = predicted_curve(res, variable="quality", grid=[1, 3, 5])
    >>> list(curve.columns)
    ['value', 'probability', 'se', 'ci_low', 'ci_high']
    >>> bool(curve["probability"].is_monotonic_increasing)
    True
    """
    if not isinstance(result, LogitResult):
        raise TypeError(f"result must be a LogitResult from repurchase_logit; got {type(result).__name__}")
    if at not in ("mean", "average"):
        raise ValueError(f"at must be 'mean' or 'average'; got {at!r}")
    numeric_terms = [t for t in (*result.predictors, *result.controls) if t in result._terms]
    if variable not in numeric_terms:
        raise ValueError(
            f"variable must be a numeric term of the model {numeric_terms}; got {variable!r}"
        )
    j = result._terms.index(variable)
    X, beta, V = result._X, result._params, result._cov
    w = np.ones(X.shape[0]) if result._w is None else result._w
    if grid is None:
        g = np.linspace(X[:, j].min(), X[:, j].max(), 41)
    else:
        try:
            g = np.asarray(grid, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"grid must be a sequence of numbers; got {grid!r}") from exc
        if g.size == 0 or not np.all(np.isfinite(g)):
            raise ValueError(f"grid must contain at least one finite value; got {grid!r}")
    q = stats.norm.ppf(0.5 + result.confidence / 2.0)
    prob = np.empty(g.size)
    se = np.empty(g.size)
    if at == "mean":
        xbar = np.average(X, axis=0, weights=w)
        rows = np.tile(xbar, (g.size, 1))
        rows[:, j] = g
        eta = rows @ beta
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", rows, V, rows))
        prob = special.expit(eta)
        se = prob * (1 - prob) * se_eta
    else:
        base = X @ beta - X[:, j] * beta[j]
        wsum = w.sum()
        for k, gv in enumerate(g):
            p = special.expit(base + gv * beta[j])
            s = w * p * (1 - p)
            grad = X.T @ s
            grad[j] = gv * s.sum()
            grad /= wsum
            prob[k] = np.sum(w * p) / wsum
            se[k] = np.sqrt(grad @ V @ grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_eta = se / (prob * (1 - prob))
        eta = special.logit(prob)
    return pd.DataFrame(
        {
            "value": g,
            "probability": prob,
            "se": se,
            "ci_low": special.expit(eta - q * se_eta),
            "ci_high": special.expit(eta + q * se_eta),
        }
    )

