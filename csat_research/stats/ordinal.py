"""Satisfaction -> repurchase intention: ordered logit (proportional odds, statsmodels underneath).

* :func:`repurchase_ordered` - proportional-odds model of the repurchase *intention* scale
  (1-5) on dimension scores plus optional segment controls, returning a frozen
  :class:`OrderedLogitResult` (coefficients, odds ratios, thresholds).

Same design matrix, dummy coding, listwise deletion, weights and robust covariance as the
binary :func:`~csat_research.stats.logit.repurchase_logit` (see
:mod:`~csat_research.stats.design`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

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
    build_design,
    check_estimable,
    check_model_arguments,
    normal_table,
    row_patterns,
    stata_robust_factor,
)

__all__ = [
    "OrderedLogitResult",
    "repurchase_ordered",
]


@dataclass(frozen=True, eq=False)
class OrderedLogitResult:
    """Result of :func:`repurchase_ordered` (frozen).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term (no intercept: the thresholds take its place) with columns
        ``coef``, ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high``, ``odds_ratio``
        (proportional odds ratio of a higher category), ``or_ci_low``, ``or_ci_high``.
    thresholds : pandas.DataFrame
        One row per cut point, indexed ``"a|b"`` (between categories a and b), with
        columns ``threshold``, ``se``, ``ci_low``, ``ci_high``.
    categories : tuple
        Ordered outcome categories (as they appear in the data).
    n : pandas.Series
        Respondents per outcome category (index: categories).
    n_obs, n_dropped : int
        Complete cases used and rows removed by listwise deletion.
    pseudo_r2, log_likelihood, aic : float
        McFadden's R2 against the thresholds-only model, log-likelihood, AIC.
    converged : bool
        Whether the optimiser converged.
    outcome, predictors, controls, survey_weights, cov_type, confidence
        What was modelled and how.
    """

    coefficients: pd.DataFrame
    thresholds: pd.DataFrame
    categories: tuple
    n: pd.Series
    n_obs: int
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

    def to_frame(self) -> pd.DataFrame:
        """Coefficients and thresholds in one tidy frame with a ``kind`` column."""
        coef = self.coefficients.assign(kind="coefficient")
        thr = self.thresholds.rename(columns={"threshold": "coef"}).assign(kind="threshold")
        return pd.concat([coef, thr], axis=0)


def _ordered_model_class():
    """statsmodels' logit ``OrderedModel`` with case weights, an analytic score and Hessian.

    Each case's log-likelihood is statsmodels' own, times the case weight. The score (the
    gradient) and the Hessian are computed analytically instead of by numerical differentiation,
    through the methods statsmodels' ``GenericLikelihoodModel`` lets a subclass define
    (``score_obs``, ``score``, ``hessian``). One pass over the data at given parameters computes
    everything the three need (kept until the parameters change), so a Newton iteration costs one
    pass instead of 2k + 2 (the numerical Hessian of the score); estimates equal the stock model's
    to 1e-7 and standard errors to 1e-5 (tests/stats/test_ordinal.py).

    For a case in category y with cut points tau (tau_{-1} = -inf, tau_{K-1} = +inf), linear
    predictor e = x'b, u = tau_y - e, l = tau_{y-1} - e, P = F(u) - F(l) with the logistic F,
    density f = F (1 - F) and f' = f (1 - 2F), and a = f(u)/P, c = f(l)/P, a' = f'(u)/P,
    c' = f'(l)/P:

    * score: d log P / d e = c - a, d log P / d tau_y = a, d log P / d tau_{y-1} = -c;
    * Hessian: d2/de2 = a' - c' - (a - c)^2, d2/de dtau_y = -a' + a (a - c),
      d2/de dtau_{y-1} = c' - c (a - c), d2/dtau_y2 = a' - a^2, d2/dtau_{y-1}2 = -c' - c^2,
      d2/dtau_y dtau_{y-1} = a c; with d e / d b = x.

    The cut points are parametrised as tau_0 = t_0, tau_j = t_0 + sum_{1<=m<=j} exp(t_m)
    (statsmodels' parametrisation), so with J = d tau / d t and g = d log L / d tau the Hessian in
    t is J' H_tau J + diag(exp(t_m) sum_{j>=m} g_j) (the second derivatives of tau, m >= 1).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class _WeightedOrderedModel(OrderedModel):
        def __init__(self, endog, exog, *, case_weights=None, **kwds):
            super().__init__(endog, exog, distr="logit", **kwds)
            self.case_weights = None if case_weights is None else np.asarray(case_weights, float)

        def loglikeobs(self, params):
            ll = super().loglikeobs(params)
            return ll if self.case_weights is None else ll * self.case_weights

        def loglike(self, params):
            # Newton's last step, the results' llf and the fit summary ask at the same parameters
            key = ("loglike", np.asarray(params, dtype=float).tobytes())
            cached = self.__dict__.get("_loglike_cache")
            if cached is None or cached[0] != key:
                cached = self._loglike_cache = (key, float(self.loglikeobs(params).sum()))
            return cached[1]

        def _cases(self):
            """What every evaluation reuses (computed once): the category codes, the case weights,
            the flat positions of each case's upper and lower cut point in a cases x cut points
            matrix (the top category's upper and the bottom category's lower position point at a
            cell of the other one: their derivatives are zero), and work buffers of the design's
            and of that matrix's shape (big temporaries cost page faults at every iteration)."""
            cached = self.__dict__.get("_score_cases")
            if cached is None:
                k = self.k_levels - 1
                y = np.asarray(self.endog, dtype=np.intp)
                base = np.arange(y.size) * k
                cached = self._score_cases = {
                    "y": y,
                    "w": np.ones(y.size) if self.case_weights is None else self.case_weights,
                    "upper": base + np.minimum(y, k - 1),
                    "lower": base + np.maximum(y - 1, 0),
                    "design_buffer": np.empty(self.exog.shape),
                    "cut_buffer": np.empty((y.size, k)),
                }
            return cached

        def _cut_matrix(self, upper_values, lower_values):
            """Cases x cut points: ``upper_values`` at each case's upper cut point, ``lower_values``
            at its lower one, zero elsewhere (in the work buffer: use before the next call)."""
            cases = self._cases()
            out = cases["cut_buffer"]
            out.fill(0.0)
            flat = out.reshape(-1)
            flat[cases["upper"]] = upper_values
            flat[cases["lower"]] += lower_values
            return out

        def _terms(self, params):
            """Per-case first and second derivatives in the linear predictor and the two cut
            points of the case's category, at ``params`` (the last call's are kept)."""
            params = np.asarray(params, dtype=float)
            key = params.tobytes()
            cached = self.__dict__.get("_terms_cache")
            if cached is not None and cached[0] == key:
                return cached[1]
            k = self.k_levels - 1
            beta, t = params[:-k], params[-k:]
            increments = np.concatenate((t[:1], np.exp(t[1:])))
            cuts = np.concatenate(([-np.inf], increments.cumsum(), [np.inf]))
            y = self._cases()["y"]
            xb = self.exog.dot(beta)
            cdf_u = special.expit(cuts[y + 1] - xb)
            cdf_l = special.expit(cuts[y] - xb)
            fu = cdf_u * (1.0 - cdf_u)
            fl = cdf_l * (1.0 - cdf_l)
            prob = np.maximum(cdf_u - cdf_l, 0) + 1e-20
            a, c = fu / prob, fl / prob
            terms = {"increments": increments, "a": a, "c": c,
                     "da": fu * (1.0 - 2.0 * cdf_u) / prob, "dc": fl * (1.0 - 2.0 * cdf_l) / prob}
            self._terms_cache = (key, terms)
            return terms

        def _jacobian(self, increments):
            """d tau / d t: d tau_j / d t_0 = 1; d tau_j / d t_m = exp(t_m) for 1 <= m <= j."""
            k = increments.size
            jac = np.tril(np.ones((k, k))) * increments[None, :]
            jac[:, 0] = 1.0
            return jac

        def score_obs(self, params):
            k = self.k_levels - 1
            terms = self._terms(params)
            a, c = terms["a"], terms["c"]
            w = self._cases()["w"]
            n_beta = self.exog.shape[1]
            out = np.empty((a.size, n_beta + k))
            np.multiply(self.exog, (c - a)[:, None], out=out[:, :n_beta])
            # d log P / d tau_j, j = 0 .. K-2, then d / dt
            np.matmul(self._cut_matrix(a, -c), self._jacobian(terms["increments"]), out=out[:, n_beta:])
            if self.case_weights is not None:
                out *= w[:, None]
            return out

        def _cut_sums(self, upper_values, lower_values):
            """Per cut point j: sum over the cases whose upper cut is j of ``upper_values`` plus
            over those whose lower cut is j of ``lower_values``."""
            y = self._cases()["y"]
            K = self.k_levels
            return (np.bincount(y, weights=upper_values, minlength=K)[:-1]
                    + np.bincount(y, weights=lower_values, minlength=K)[1:])

        def _score_tau(self, params):
            terms = self._terms(params)
            w = self._cases()["w"]
            return self._cut_sums(w * terms["a"], -w * terms["c"])

        def score(self, params):
            terms = self._terms(params)
            w = self._cases()["w"]
            d_eta = w * (terms["c"] - terms["a"])
            jac = self._jacobian(terms["increments"])
            return np.concatenate((d_eta @ self.exog, self._score_tau(params) @ jac))

        def hessian(self, params):
            k = self.k_levels - 1
            terms = self._terms(params)
            a, c, da, dc = terms["a"], terms["c"], terms["da"], terms["dc"]
            cases = self._cases()
            y, w = cases["y"], cases["w"]
            X = self.exog
            n_beta = X.shape[1]
            diff = a - c
            h_ee = w * (da - dc - diff * diff)
            h_eu = w * (a * diff - da)  # with the upper cut point (zero in the top category)
            h_el = w * (dc - c * diff)  # with the lower cut point (zero in the bottom category)
            H = np.empty((n_beta + k, n_beta + k))
            weighted = np.multiply(X, h_ee[:, None], out=cases["design_buffer"])
            H[:n_beta, :n_beta] = X.T @ weighted
            jac = self._jacobian(terms["increments"])
            h_bt = (X.T @ self._cut_matrix(h_eu, h_el)) @ jac
            H[:n_beta, n_beta:] = h_bt
            H[n_beta:, :n_beta] = h_bt.T
            h_tau = np.diag(self._cut_sums(w * (da - a * a), -w * (dc + c * c)))
            if k > 1:  # cases between two finite cut points: d2 / dtau_{y-1} dtau_y = a c
                off = np.bincount(y, weights=w * a * c, minlength=k + 1)[1:k]
                h_tau[np.arange(k - 1), np.arange(1, k)] = off
                h_tau[np.arange(1, k), np.arange(k - 1)] = off
            h_tt = jac.T @ h_tau @ jac
            g = self._score_tau(params)
            curvature = terms["increments"] * np.cumsum(g[::-1])[::-1]
            curvature[0] = 0.0
            h_tt[np.diag_indices(k)] += curvature
            H[n_beta:, n_beta:] = h_tt
            return H

    return _WeightedOrderedModel


#: from this many complete rows on, the ordered logit is fitted on the distinct response
#: patterns with their counts (the same likelihood, a sum over fewer rows: a million
#: respondents with discrete scores have some ten thousand patterns, the demo study's 919,000
#: screened respondents with averaged dimension scores some 670,000); below it, on the rows
COMPRESS_MIN_ROWS = 50_000


#: Newton-Raphson iterations from the thresholds-only start before falling back to BFGS first
#: (a clean fit of survey data needs 5 to 8)
FAST_NEWTON_MAXITER = 25


def _newton(model, start: np.ndarray, cov_type: str, maxiter: int):
    """statsmodels' Newton-Raphson fit of ``model`` from ``start`` and the warnings it raised;
    the fit is None when the information matrix was singular (a diverging parameter)."""
    with warnings.catch_warnings(record=True) as caught, single_thread_blas():
        warnings.simplefilter("always")
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            try:
                fit = model.fit(start_params=start, method="newton", disp=False, maxiter=maxiter,
                                cov_type=cov_type)
            except np.linalg.LinAlgError:  # singular information: diverging parameter
                fit = None
    return fit, list(caught)


def _clean_fit(fit, caught) -> bool:
    """Whether a Newton fit converged: finite estimates, no convergence or Hessian-inversion
    warning, and the final (mean) score at most 1e-6."""
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
    )

    if fit is None or not np.all(np.isfinite(fit.params)):
        return False
    score = np.asarray(fit.mle_retvals.get("score", np.zeros(1)), dtype=float)
    return not (
        any(issubclass(c.category, (ConvergenceWarning, HessianInversionWarning)) for c in caught)
        or not fit.mle_retvals.get("converged", True)
        or not np.all(np.isfinite(score))
        or np.max(np.abs(score)) > 1e-6
    )


def _pattern_hc0(model, params: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """statsmodels' HC0 sandwich ``H^-1 (S'S) H^-1`` of the respondent-level model, from the
    pattern-level ``model``: respondent i of pattern p has score s_p (its weight included), the
    pattern's case-weighted score row is counts_p s_p, so sum_i s_i s_i' = sum_p row_p row_p' /
    counts_p; the Hessian is the same sum either way."""
    hessian_inv = np.linalg.inv(model.hessian(params))
    rows = model.score_obs(params) / np.sqrt(counts)[:, None]
    return hessian_inv @ (rows.T @ rows) @ hessian_inv.T


def _logistic_density(z: np.ndarray) -> np.ndarray:
    """f(z) = F(z) (1 - F(z)) of the logistic distribution; 0 at +-inf."""
    p = special.expit(z)
    return p * (1.0 - p)


def repurchase_ordered(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    controls: Sequence[str] = (),
    survey_weights: str | None = None,
    robust: bool = True,
    confidence: float = 0.95,
) -> OrderedLogitResult:
    r"""Ordered logit (proportional odds) of the repurchase-intention scale.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. Not modified.
    outcome : str
        Ordinal outcome: numeric codes (e.g. ``repurchase_intent`` 1-5, ordered by value)
        or an ordered pandas ``Categorical`` (ordered by its categories). At least three
        observed categories.
    predictors, controls, survey_weights, robust, confidence
        As in :func:`~csat_research.stats.logit.repurchase_logit` (same dummy coding,
        weighting and robust covariance with the n/(n-1) factor).

    Returns
    -------
    OrderedLogitResult
        ``coefficients`` (``coef``, ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high``,
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high``), ``thresholds`` (``threshold``,
        ``se``, ``ci_low``, ``ci_high``), ``categories``, ``n`` per category, fit
        statistics.

    Raises
    ------
    TypeError, ValueError
        As in :func:`~csat_research.stats.logit.repurchase_logit`.
    AnalysisError
        Missing columns; constant outcome or fewer than three categories; unordered text
        outcome; constant/collinear terms; a diverging coefficient (separation).

    Warns
    -----
    CsatWarning
        Rows dropped; categories with fewer than 5 respondents (unstable thresholds);
        non-convergence.

    Notes
    -----
    Model: :math:`\Pr(y_i \le k) = \Lambda(\tau_k - x_i^\top\beta)`, k = 1..K-1, fitted
    by maximum likelihood with ``statsmodels.miscmodels.ordinal_model.OrderedModel``
    (Newton-Raphson with the analytic Hessian from zero slopes and thresholds at the logits
    of the cumulative shares, until the parameters change by less than 1e-8; if that does
    not converge within ``FAST_NEWTON_MAXITER`` iterations, BFGS from the same start, then
    Newton-Raphson; ``converged`` is False when the final score exceeds 1e-6). From
    ``COMPRESS_MIN_ROWS`` complete rows on, the likelihood is summed over the distinct
    response patterns times their counts (the same sum). statsmodels parametrises the
    thresholds as :math:`\tau_1` and :math:`\log(\tau_k - \tau_{k-1})`; the thresholds and
    their standard errors are transformed back by the delta method. A positive
    coefficient means higher scores go with higher intention; ``odds_ratio`` is the
    proportional odds ratio of being in a higher category. McFadden's R2 uses the
    thresholds-only model, :math:`\ell_0 = \sum_k W_k \log(W_k / W)`. Weights multiply
    each respondent's log-likelihood contribution (pseudo-ML, sandwich variance).
    Missing data: listwise deletion. Validated against R ``MASS::polr`` on the UCLA
    ``ologit`` example (statsmodels' reference values) - see ``tests/test_models.py``.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42(2), 109-142.
    UCLA OARC Statistical Consulting. Ordinal logistic regression, R data analysis
    examples (``ologit.dta``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(11)
    >>> n = 1500
    >>> df = pd.DataFrame({"quality": rng.integers(1, 6, n).astype(float)})
    >>> latent = 0.9 * df["quality"] + rng.logistic(size=n)
    >>> df["repurchase_intent"] = np.digitize(latent, [1.5, 2.5, 3.5, 4.5]) + 1
    >>> res = repurchase_ordered(df, outcome="repurchase_intent", predictors=["quality"])
    >>> list(res.thresholds.index)
    ['1|2', '2|3', '3|4', '4|5']
    >>> bool(res.coefficients.loc["quality", "ci_low"] < 0.9 < res.coefficients.loc["quality", "ci_high"])
    True
    """
    data, predictors, controls, confidence = check_model_arguments(
        data, outcome=outcome, predictors=predictors, controls=controls, survey_weights=survey_weights,
        robust=robust, confidence=confidence,
    )
    check_columns_exist(data, [outcome])
    out = data[outcome]
    if is_categorical(out) and not (isinstance(out.dtype, pd.CategoricalDtype) and out.cat.ordered):
        raise AnalysisError(
            f"outcome '{outcome}' must be numeric codes or an ordered Categorical; got unordered "
            f"dtype {out.dtype} - the order of text categories is unknown"
        )
    design = build_design(
        data, outcome=outcome, predictors=predictors, controls=controls, survey_weights=survey_weights,
        function="repurchase_ordered",
    )
    raw = design.raw_y
    if isinstance(raw.dtype, pd.CategoricalDtype):
        present = set(raw.astype(object))
        categories = tuple(c for c in raw.cat.categories if c in present)
        codes = pd.Categorical(raw.astype(object), categories=list(categories)).codes
    else:
        yv = design.y
        categories_f = np.unique(yv)
        categories = tuple(int(c) if float(c).is_integer() else float(c) for c in categories_f)
        codes = np.searchsorted(categories_f, yv)
    codes = np.asarray(codes, dtype=np.int64)
    K = len(categories)
    if K == 1:
        raise AnalysisError(
            f"outcome '{outcome}' is constant ({categories[0]}) in all {codes.size} complete rows"
        )
    if K == 2:
        raise AnalysisError(
            f"outcome '{outcome}' has only two categories {list(categories)}; use repurchase_logit "
            "for a binary outcome"
        )
    check_estimable(design)
    counts = np.bincount(codes, minlength=K)
    sparse = [(categories[k], int(counts[k])) for k in range(K) if counts[k] < 5]
    if sparse:
        warnings.warn(
            CsatWarning(
                f"repurchase_ordered: outcome categories with fewer than 5 respondents {sparse}; "
                "their thresholds are unstable - consider merging categories",
                kind="sparse_categories", analysis="repurchase_ordered", outcome=outcome,
                counts={str(c): n for c, n in sparse},
            ),
            stacklevel=2,
        )
    if survey_weights is not None and not robust:
        warnings.warn(
            "repurchase_ordered: robust=False with survey weights gives model-based standard "
            "errors that treat the weights as precision weights; use robust=True",
            CsatWarning,
            stacklevel=2,
        )
    X = design.X[:, 1:]  # OrderedModel forbids a constant
    terms = design.terms[1:]
    w = design.survey_weights
    Model = _ordered_model_class()
    ww = np.ones(codes.size) if w is None else w
    compressed = codes.size >= COMPRESS_MIN_ROWS
    # hasconst=False skips statsmodels' implicit-constant search (two SVDs): check_estimable
    # has shown that no combination of the terms is constant
    with single_thread_blas():  # small matrices: BLAS threads would only spin (about 0.1 CPU-s)
        if compressed:
            # the likelihood is a sum over respondents: over the distinct (outcome, terms,
            # weight) patterns, each weighted by its count times its weight, it is the same sum
            rows, w_u, counts_u = row_patterns(np.column_stack([codes, X]), ww)
            # (a contiguous design: the products with it are the time of every Newton iteration)
            model = Model(rows[:, 0].astype(np.int64), np.ascontiguousarray(rows[:, 1:]),
                          case_weights=counts_u * w_u, hasconst=False)
        else:
            model = Model(codes, X, case_weights=w, hasconst=False)
    k_x = X.shape[1]
    # start: zero slopes, thresholds at the logits of the cumulative (weighted) shares
    wcounts = np.bincount(codes, weights=ww, minlength=K)
    cum = np.cumsum(wcounts)[:-1] / wcounts.sum()
    tau0 = special.logit(cum)
    start = np.concatenate([np.zeros(k_x), tau0[:1], np.log(np.diff(tau0))])
    cov_type = "HC0" if robust and not compressed else "nonrobust"
    # Newton-Raphson (analytic Hessian) from the thresholds-only model converges in a handful of
    # iterations on survey data; if it does not converge cleanly, BFGS first, then Newton
    first = None
    fit, caught = _newton(model, start, cov_type, maxiter=FAST_NEWTON_MAXITER)
    if not _clean_fit(fit, caught):
        with warnings.catch_warnings(record=True) as caught, single_thread_blas():
            warnings.simplefilter("always")
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                first = model.fit(
                    start_params=start, method="bfgs", disp=False, maxiter=2000, skip_hessian=True
                )
        fit, caught_newton = _newton(model, first.params, cov_type, maxiter=100)
        caught = [*caught, *caught_newton]
    params = np.asarray(first.params if fit is None else fit.params, dtype=float)  # fit None: first set
    # each term's (weighted) spread, for the separation check: over the patterns when compressed
    # (the same weighted sums over fewer rows)
    Xs, ws = (model.exog, model.case_weights) if compressed else (X, ww)
    sd = np.sqrt(np.average((Xs - np.average(Xs, axis=0, weights=ws)) ** 2, axis=0, weights=ws))
    std_coef = np.abs(params[:k_x]) * sd
    if fit is None or not np.all(np.isfinite(params)) or np.max(std_coef) > SEPARATION_STD_COEF:
        j = int(np.nanargmax(std_coef))
        raise AnalysisError(
            f"(quasi-)complete separation: term '{terms[j]}' has coefficient {params[j]:.3g} "
            f"({std_coef[j]:.3g} log-odds per standard deviation) and the information matrix is "
            f"{'singular' if fit is None else 'near-singular'}; the maximum-likelihood estimate "
            "does not exist - merge sparse categories/levels or drop the term"
        )
    converged = _clean_fit(fit, caught)
    if not converged:
        warnings.warn(
            "repurchase_ordered: the optimiser did not converge; estimates are unreliable",
            CsatWarning,
            stacklevel=2,
        )
    if robust and compressed:
        cov = _pattern_hc0(model, fit.params, counts_u)
    else:
        cov = np.asarray(fit.cov_params(), dtype=float)
    if robust:
        cov = cov * stata_robust_factor(codes.size)
    coefficients = normal_table(params[:k_x], cov[:k_x, :k_x], terms, confidence)
    # thresholds: tau_1 = a_1, tau_m = a_1 + sum_{j=2..m} exp(a_j)
    a = params[k_x:]
    tau = np.concatenate([a[:1], a[0] + np.cumsum(np.exp(a[1:]))])
    J = np.zeros((K - 1, K - 1))
    J[:, 0] = 1.0
    for m in range(1, K - 1):
        J[m, 1 : m + 1] = np.exp(a[1 : m + 1])
    cov_tau = J @ cov[k_x:, k_x:] @ J.T
    se_tau = np.sqrt(np.diag(cov_tau))
    q = stats.norm.ppf(0.5 + confidence / 2.0)
    labels = [f"{categories[k]}|{categories[k + 1]}" for k in range(K - 1)]
    thresholds = pd.DataFrame(
        {"threshold": tau, "se": se_tau, "ci_low": tau - q * se_tau, "ci_high": tau + q * se_tau},
        index=pd.Index(labels, name="threshold"),
    )
    llf = float(fit.llf)
    shares = wcounts / wcounts.sum()
    llnull = float(np.sum(wcounts[wcounts > 0] * np.log(shares[wcounts > 0])))
    return OrderedLogitResult(
        coefficients=coefficients,
        thresholds=thresholds,
        categories=categories,
        n=pd.Series(counts, index=pd.Index(list(categories), name=outcome), name="n"),
        n_obs=int(codes.size),
        n_dropped=design.n_dropped,
        pseudo_r2=1.0 - llf / llnull,
        log_likelihood=llf,
        aic=-2.0 * llf + 2.0 * params.size,
        converged=converged,
        outcome=outcome,
        predictors=predictors,
        controls=controls,
        survey_weights=survey_weights,
        cov_type="robust" if robust else "nonrobust",
        confidence=confidence,
    )
