"""McDonald's omega total from a maximum-likelihood one-factor model of the items.

* :func:`omega` - omega total with the model's loadings (:class:`OmegaResult`);
* :func:`omega_from_moments` - the same from a covariance summary
  (:mod:`~csat_research.stats.item_moments`), used by the scale table of
  :mod:`~csat_research.stats.reliability`.

The one-factor model is fitted to the covariance matrix (one pass over the data), never to the
raw rows again, so omega scales to millions of respondents.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from csat_research.core.errors import AnalysisError, CsatWarning, ParamsError
from csat_research.core.numeric import single_thread_blas
from csat_research.stats.item_moments import (
    ItemMoments,
    check_item_frame,
    check_items,
    check_missing,
    cov_to_corr,
    item_moments,
)

__all__ = [
    "OmegaResult",
    "omega",
    "omega_from_moments",
]

# factanal's lower bound for uniquenesses of the correlation matrix (R stats::factanal).
_UNIQUENESS_LOWER = 0.005


def _ml_one_factor(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Maximum-likelihood one-factor model of a correlation matrix (R ``factanal`` algorithm).

    Returns standardized loadings, uniquenesses and the optimizer's convergence flag.
    """
    p = r.shape[0]
    eig = np.linalg.eigvalsh(r)
    if not eig[0] > 1e-10:
        raise AnalysisError(
            f"the item correlation matrix is not positive definite (smallest eigenvalue "
            f"{eig[0]:.3g}); items are linearly dependent or the pairwise matrix is "
            "inconsistent - remove duplicated items, or pass missing='listwise' instead of 'pairwise'"
        )

    def scaled_eig(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sc = 1.0 / np.sqrt(psi)
        return np.linalg.eigh(r * np.outer(sc, sc))

    def loadings(psi: np.ndarray, vals: np.ndarray, vecs: np.ndarray) -> np.ndarray:
        return np.sqrt(psi) * vecs[:, -1] * math.sqrt(max(vals[-1] - 1.0, 0.0))

    def fun(psi: np.ndarray) -> float:
        vals = np.linalg.eigvalsh(r * np.outer(1.0 / np.sqrt(psi), 1.0 / np.sqrt(psi)))
        e = vals[:-1]
        return -(float(np.sum(np.log(e) - e)) - 1.0 + p)

    def grad(psi: np.ndarray) -> np.ndarray:
        vals, vecs = scaled_eig(psi)
        lam = loadings(psi, vals, vecs)
        return (lam**2 + psi - 1.0) / psi**2

    start = (1.0 - 0.5 / p) / np.diag(np.linalg.inv(r))
    start = np.clip(start, _UNIQUENESS_LOWER, 1.0)
    res = optimize.minimize(
        fun, start, jac=grad, method="L-BFGS-B",
        bounds=[(_UNIQUENESS_LOWER, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
    )
    psi = res.x
    vals, vecs = scaled_eig(psi)
    lam = loadings(psi, vals, vecs)
    if lam.sum() < 0:
        lam = -lam
    # L-BFGS-B may stop on a line-search failure at an exact optimum (3 items: the fit is
    # perfect); judge convergence by the projected gradient instead of its status alone.
    g = grad(psi)
    at_low = (psi <= _UNIQUENESS_LOWER + 1e-12) & (g > 0)
    at_high = (psi >= 1.0 - 1e-12) & (g < 0)
    proj = np.where(at_low | at_high, 0.0, g)
    return lam, psi, bool(res.success or np.max(np.abs(proj)) < 1e-6)


@dataclass(frozen=True, eq=False)
class OmegaResult:
    """McDonald's omega total of one scale from a one-factor model.

    Attributes
    ----------
    omega : float
        Omega total (see ``denominator``).
    n_obs, n_items, n_dropped : int
        Respondents used, items, rows not used (as in
        :class:`~csat_research.stats.alpha.AlphaResult`).
    missing : str
        Missing-data policy.
    denominator : str
        ``"model"``: :math:`(\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum\\theta)`;
        ``"observed"``: :math:`(\\sum\\lambda)^2 / \\mathbf 1'S\\mathbf 1`.
    estimator : str
        Description of the estimator.
    converged : bool
        Whether the optimizer reported convergence.
    heywood : bool
        Whether some uniqueness sits at the lower bound (a Heywood case).
    loadings : pandas.DataFrame
        One row per item: ``item``, ``loading`` (unstandardized, covariance with divisor
        n), ``std_loading``, ``residual_variance`` (unstandardized), ``std_residual_variance``
        (uniqueness).
    items : tuple of str
        The item columns.
    """

    omega: float
    n_obs: int
    n_items: int
    n_dropped: int
    missing: str
    denominator: str
    estimator: str
    converged: bool
    heywood: bool
    loadings: pd.DataFrame
    items: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row: ``omega, n_obs, n_items, n_dropped, missing, denominator, estimator,
        converged, heywood``."""
        return pd.DataFrame(
            [{
                "omega": self.omega, "n_obs": self.n_obs, "n_items": self.n_items,
                "n_dropped": self.n_dropped, "missing": self.missing,
                "denominator": self.denominator, "estimator": self.estimator,
                "converged": self.converged, "heywood": self.heywood,
            }]
        )


_OMEGA_ESTIMATOR = "ML one-factor model of the correlation matrix (factanal algorithm), rescaled"


def omega_from_moments(m: ItemMoments, denominator: str, *, what: str = "omega") -> OmegaResult:
    """:class:`OmegaResult` of a covariance summary (3+ items); warns on Heywood cases."""
    if m.k < 3:
        raise AnalysisError(
            f"omega needs a one-factor model, identified from 3 items on; got {m.k}: {list(m.items)}"
        )
    s_ml = m.ml_cov()
    with single_thread_blas():
        lam_std, psi_std, converged = _ml_one_factor(cov_to_corr(s_ml))
    sd = np.sqrt(np.diag(s_ml))
    lam = lam_std * sd
    theta = psi_std * sd**2
    if denominator == "model":
        value = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    else:
        value = lam.sum() ** 2 / float(s_ml.sum())
    heywood_items = [m.items[j] for j in range(m.k) if psi_std[j] <= _UNIQUENESS_LOWER * 1.001]
    if heywood_items:
        warnings.warn(
            f"{what}: Heywood case - {len(heywood_items)} of {m.k} item(s) {heywood_items} have a "
            f"uniqueness at the lower bound {_UNIQUENESS_LOWER} (loading ~1); omega may be "
            "overstated",
            CsatWarning,
            stacklevel=3,
        )
    if not converged:
        warnings.warn(
            f"{what}: the one-factor ML fit did not report convergence; treat omega with care",
            CsatWarning,
            stacklevel=3,
        )
    table = pd.DataFrame(
        {
            "item": list(m.items),
            "loading": lam,
            "std_loading": lam_std,
            "residual_variance": theta,
            "std_residual_variance": psi_std,
        }
    )
    return OmegaResult(
        omega=float(value), n_obs=m.n_obs, n_items=m.k, n_dropped=m.n_dropped,
        missing=m.missing, denominator=denominator, estimator=_OMEGA_ESTIMATOR,
        converged=converged, heywood=bool(heywood_items), loadings=table, items=m.items,
    )


def omega(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    missing: str = "listwise",
    denominator: str = "model",
) -> OmegaResult:
    """McDonald's omega total from a maximum-likelihood one-factor model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    items : sequence of str, optional
        Item columns (default: every column). At least 3 (a one-factor model with 2 items is
        not identified).
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy, as in :func:`~csat_research.stats.alpha.cronbach_alpha`.
    denominator : {"model", "observed"}, default "model"
        Total variance of the sum score: model-implied (McDonald 1999; MBESS
        ``ci.reliability(type="omega")``, semTools ``reliability()`` "omega") or observed
        (semTools ``compRelSEM(obs.var = TRUE)``).

    Returns
    -------
    OmegaResult
        ``omega``, counts, ``converged``, ``heywood`` and a per-item ``loadings`` table;
        ``to_frame()`` gives one row.

    Raises
    ------
    TypeError, DataError, ParamsError
        As :func:`~csat_research.stats.alpha.cronbach_alpha`.
    AnalysisError
        As :func:`~csat_research.stats.alpha.cronbach_alpha`, fewer than 3 items, or a
        correlation matrix that is not positive definite.

    Warns
    -----
    CsatWarning
        Rows dropped (with counts); a Heywood case; no convergence.

    Notes
    -----
    Estimator: the one-factor model :math:`\\Sigma = \\lambda\\lambda' + \\Theta` is fitted by
    maximum likelihood to the item correlation matrix with R ``factanal``'s algorithm
    (Jöreskog 1967): for uniquenesses :math:`\\psi` the loadings follow from the largest
    eigenvalue :math:`\\theta_1` and eigenvector :math:`u` of
    :math:`\\Psi^{-1/2}R\\Psi^{-1/2}` as :math:`\\lambda = \\Psi^{1/2}u\\sqrt{\\theta_1 - 1}`,
    and :math:`\\psi` minimises :math:`-\\sum_{j>1}(\\log\\theta_j - \\theta_j) - 1 + p` by
    L-BFGS-B on :math:`[0.005, 1]`. ML is scale-equivariant, so loadings and residual
    variances are rescaled by the item standard deviations (covariance with divisor n, as
    lavaan) to give the unstandardized solution, which equals lavaan's
    ``cfa("f =~ ...", std.lv = TRUE)``. Then

    .. math::

        \\omega = \\frac{(\\sum_i\\lambda_i)^2}{(\\sum_i\\lambda_i)^2 + \\sum_i\\theta_i}
        \\quad\\text{or}\\quad \\frac{(\\sum_i\\lambda_i)^2}{\\mathbf 1'S\\mathbf 1}.

    The fit uses only the covariance matrix (one pass over the data), so omega costs about
    one ``numpy.cov`` plus a few milliseconds, even for a million respondents. Missing data
    as in :func:`~csat_research.stats.alpha.cronbach_alpha` (pairwise: the pairwise covariance
    matrix, which must be positive definite).

    Validated against lavaan's one-factor estimates on HolzingerSwineford1939 (three-item
    factors) and MBESS ``ci.reliability(attitude, type = "omega")`` = 0.8563268 on R's
    ``attitude`` data (see ``tests/stats/test_omega.py``).

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Mahwah, NJ: Erlbaum.

    Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
    Psychometrika, 32(4), 443-482.

    Raykov, T. (2001). Estimation of congeneric scale reliability using covariance
    structure analysis with nonlinear constraints. British Journal of Mathematical and
    Statistical Psychology, 54, 315-323.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.omega import omega
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 4, 5, 3, 2, 4], "q2": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                    "q3": [1, 3, 4, 4, 5, 2, 2, 3], "q4": [2, 1, 4, 5, 5, 3, 1, 3]})
    >>> res = omega(df)
    >>> round(res.omega, 3), res.n_items, res.heywood
    (0.944, 4, False)
    >>> res.loadings[["item", "std_loading"]].round(3)
      item  std_loading
    0   q1        0.973
    1   q2        0.841
    2   q3        0.887
    3   q4        0.890
    """
    check_item_frame(data)
    names = check_items(data, items)
    if len(names) < 3:
        raise AnalysisError(
            f"omega needs a one-factor model, identified from 3 items on; got {len(names)}: {names}"
        )
    missing = check_missing(missing)
    if denominator not in ("model", "observed"):
        raise ParamsError(f"`denominator` must be 'model' or 'observed'; got {denominator!r}")
    m = item_moments(data, names, missing, what="omega")
    return omega_from_moments(m, denominator)
