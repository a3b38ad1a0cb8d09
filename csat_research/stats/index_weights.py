"""Dimension weights for the overall index: AHP, expert values, or data-driven importance.

* :func:`ahp_weights` - Saaty's principal-eigenvector priorities of a pairwise comparison
  matrix with the consistency index / ratio check;
* :func:`aggregate_judgments` - element-wise geometric mean of several experts' matrices
  (Aczel & Saaty 1983);
* :func:`expert_weights` - validated expert weights;
* :func:`data_driven_weights` - relative importance of each dimension for overall
  satisfaction (delegates to :func:`csat_research.stats.drivers.relative_importance`);
* :func:`weights_table` - the candidates side by side for the report.

Examples
--------
>>> from csat_research.stats.index_weights import ahp_weights
>>> r = ahp_weights([[1, 3], [1 / 3, 1]], labels=["quality", "efficiency"])
>>> r.weights.round(2).to_dict(), r.consistency_ratio
({'quality': 0.75, 'efficiency': 0.25}, 0.0)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.checks import check_frame
from csat_research.core.errors import AnalysisError, ConsistencyError, CsatWarning
from csat_research.stats.drivers import (
    relative_importance,  # data-driven weights are relative importances
)

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "aggregate_judgments",
    "ahp_weights",
    "data_driven_weights",
    "expert_weights",
    "weights_table",
]

#: Saaty's random consistency index RI by matrix order n (Saaty 1980; 2008, Table 3 gives
#: the same values to two decimals). CR = CI / RI; for n <= 2 every reciprocal matrix is
#: consistent and CR = 0.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
}

_SUM_TOL = 1e-6


# --------------------------------------------------------------------------- matrix checks
def _matrix_and_labels(matrix: Any, labels: Sequence[str] | None, param: str) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            raise ValueError(
                f"`{param}` as a DataFrame must have the same labels in the index and the columns "
                f"(same order); got index {list(matrix.index)} and columns {list(matrix.columns)}"
            )
        frame_labels = [str(x) for x in matrix.columns]
        if labels is not None and list(labels) != frame_labels:
            raise ValueError(f"`labels` {list(labels)} do not match the labels of `{param}` {frame_labels}")
        labels = frame_labels
        values = matrix.to_numpy()
    elif isinstance(matrix, np.ndarray | list | tuple):
        values = matrix
    else:
        raise TypeError(f"`{param}` must be a square array, nested list or DataFrame; got {type(matrix).__name__}")
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{param}` must hold numbers; {exc}") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"`{param}` must be a non-empty square matrix; got shape {a.shape}")
    n = a.shape[0]
    if labels is None:
        labels = [f"c{i + 1}" for i in range(n)]
    else:
        if isinstance(labels, str) or not isinstance(labels, Sequence | pd.Index):
            raise TypeError(f"`labels` must be a sequence of names; got {type(labels).__name__}")
        labels = [str(x) for x in labels]
        if len(labels) != n:
            raise ValueError(f"`labels` has {len(labels)} name(s) but `{param}` is {n} x {n}")
        if len(set(labels)) != n:
            raise ValueError(f"`labels` must be unique; got {labels}")
    return a, list(labels)


def _check_pairwise(a: np.ndarray, labels: list[str], rtol: float, param: str) -> None:
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise ValueError(
            f"`{param}` entries must be positive finite judgments (Saaty scale 1/9..9); "
            f"cell ({labels[i]!r}, {labels[j]!r}) = {float(a[i, j]):g} ({int(bad.sum())} bad cell(s))"
        )
    diag = np.abs(np.diag(a) - 1.0) > rtol + 1e-12
    if diag.any():
        i = int(np.flatnonzero(diag)[0])
        raise ValueError(
            f"`{param}` diagonal must be 1; cell ({labels[i]!r}, {labels[i]!r}) = {float(a[i, i]):g}"
        )
    off = np.abs(a * a.T - 1.0) > rtol + 1e-12  # slack for round-off at the boundary
    if off.any():
        i, j = map(int, np.argwhere(np.triu(off, 1))[0])
        raise ValueError(
            f"`{param}` must be reciprocal, a[j, i] = 1 / a[i, j] (relative tolerance {rtol:g}); "
            f"cell ({labels[i]!r}, {labels[j]!r}) = {a[i, j]:.6g} but "
            f"({labels[j]!r}, {labels[i]!r}) = {a[j, i]:.6g}, expected {1.0 / a[i, j]:.6g}"
        )


# --------------------------------------------------------------------------- AHP
@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities of a pairwise comparison matrix and its consistency.

    Attributes
    ----------
    weights : pandas.Series
        Normalised principal right eigenvector (sums to 1), indexed by label.
    lambda_max : float
        Principal eigenvalue.
    consistency_index : float
        CI = (lambda_max - n) / (n - 1) (0 for n <= 2).
    consistency_ratio : float
        CR = CI / RI (0 for n <= 2).
    random_index : float
        Saaty's RI for this n.
    n : int
        Number of criteria.
    max_cr : float
        The limit the CR was checked against.
    consistent : bool
        ``consistency_ratio <= max_cr``.
    overridden : bool
        The matrix was inconsistent and accepted with ``allow_inconsistent=True``.
    matrix : pandas.DataFrame
        The validated matrix with labels.
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    random_index: float
    n: int
    max_cr: float
    consistent: bool
    overridden: bool
    matrix: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: ``criterion``, ``weight``."""
        return self.weights.rename("weight").rename_axis("criterion").reset_index()


def ahp_weights(
    matrix: Any,
    *,
    labels: Sequence[str] | None = None,
    max_cr: float = 0.10,
    allow_inconsistent: bool = False,
    rtol: float = 0.01,
) -> AHPResult:
    """AHP priorities (principal eigenvector) of a pairwise comparison matrix with Saaty's CR check.

    Parameters
    ----------
    matrix : array-like (n x n) or pandas.DataFrame
        Positive reciprocal judgments: ``matrix[i][j]`` = how much more important criterion i
        is than j on Saaty's 1-9 scale, ``matrix[j][i] = 1 / matrix[i][j]``, diagonal 1. A
        DataFrame's index/columns give the labels.
    labels : sequence of str, optional
        Criterion names (default ``c1..cn`` or the DataFrame labels).
    max_cr : float, default 0.10
        Largest acceptable consistency ratio (Saaty's 10 % rule).
    allow_inconsistent : bool, default False
        Accept a matrix with CR > ``max_cr`` (``overridden=True`` and a warning) instead of
        raising.
    rtol : float, default 0.01
        Relative tolerance of the diagonal and reciprocity checks (judgments typed as 0.33).

    Returns
    -------
    AHPResult

    Raises
    ------
    TypeError
        ``matrix`` is not array-like / numeric.
    ValueError
        Not square, non-positive or non-finite cells, diagonal not 1, not reciprocal (the
        offending cell is named by its labels), wrong number of labels, n > 10 (no random index).
    ConsistencyError
        CR > ``max_cr`` and ``allow_inconsistent`` is False (the message gives CR and the limit).

    Warns
    -----
    CsatWarning
        An inconsistent matrix accepted with ``allow_inconsistent=True``.

    Notes
    -----
    :math:`A w = \\lambda_{max} w` with :math:`w` the principal right eigenvector, normalised
    to :math:`\\sum w_i = 1` (Saaty 1977). :math:`CI = (\\lambda_{max} - n)/(n - 1)`,
    :math:`CR = CI / RI_n` with Saaty's random index :data:`RANDOM_INDEX`; for a consistent
    matrix :math:`a_{ij} = w_i / w_j` one has :math:`\\lambda_{max} = n` and CI = CR = 0.
    CI is clipped at 0 against floating-point round-off.

    *Missing data*: none allowed; every judgment must be given.

    Validated against Saaty (1990), house example, 8 criteria: priorities .173 .054 .188 .018
    .031 .036 .167 .333, lambda_max = 9.669, CI = .238, CR = .169; and Saaty (2008), Table 2,
    relative consumption of drinks: .177 .019 .042 .116 .190 .129 .327.

    References
    ----------
    Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
    *Journal of Mathematical Psychology*, 15, 234-281.

    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.

    Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
    *European Journal of Operational Research*, 48, 9-26.

    Saaty, T. L. (2008). Decision making with the analytic hierarchy process.
    *International Journal of Services Sciences*, 1(1), 83-98.

    Examples
    --------
    >>> m = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    >>> r = ahp_weights(m, labels=["quality", "efficiency", "digital"])
    >>> r.weights.round(4).tolist(), round(r.lambda_max, 6), r.consistency_ratio, r.consistent
    ([0.5714, 0.2857, 0.1429], 3.0, 0.0, True)
    """
    a, names = _matrix_and_labels(matrix, labels, "matrix")
    if isinstance(max_cr, bool) or not isinstance(max_cr, int | float) or not 0 <= max_cr:
        raise ValueError(f"`max_cr` must be a non-negative number, e.g. 0.10; got {max_cr!r}")
    if not isinstance(allow_inconsistent, bool):
        raise TypeError(f"`allow_inconsistent` must be bool; got {type(allow_inconsistent).__name__}")
    n = a.shape[0]
    if n not in RANDOM_INDEX:
        raise ValueError(
            f"`matrix` is {n} x {n}; Saaty's random index is tabulated for n = 1..10 only "
            "(split the criteria into a hierarchy of at most 10 per level)"
        )
    _check_pairwise(a, names, rtol, "matrix")
    eigval, eigvec = np.linalg.eig(a)
    k = int(np.argmax(eigval.real))
    lam = float(eigval[k].real)
    vec = np.abs(eigvec[:, k].real)
    w = vec / vec.sum()
    if n <= 2:
        ci_ = 0.0
        cr = 0.0
    else:
        ci_ = max(0.0, (lam - n) / (n - 1))
        cr = ci_ / RANDOM_INDEX[n]
    consistent = cr <= max_cr
    overridden = False
    if not consistent:
        msg = (
            f"AHP consistency ratio CR = {cr:.3f} exceeds max_cr = {max_cr:g} "
            f"(n = {n}, lambda_max = {lam:.4f}, CI = {ci_:.4f}, RI = {RANDOM_INDEX[n]:.2f})"
        )
        if not allow_inconsistent:
            raise ConsistencyError(msg + "; revise the judgments or pass allow_inconsistent=True")
        overridden = True
        warnings.warn(msg + "; accepted because allow_inconsistent=True", CsatWarning, stacklevel=2)
    return AHPResult(
        weights=pd.Series(w, index=names, name="weight"),
        lambda_max=lam,
        consistency_index=ci_,
        consistency_ratio=cr,
        random_index=RANDOM_INDEX[n],
        n=n,
        max_cr=float(max_cr),
        consistent=consistent,
        overridden=overridden,
        matrix=pd.DataFrame(a, index=names, columns=names),
    )


def aggregate_judgments(
    matrices: Sequence[Any],
    *,
    judge_weights: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    rtol: float = 0.01,
) -> pd.DataFrame:
    """Aggregate several experts' pairwise matrices by the element-wise geometric mean.

    Parameters
    ----------
    matrices : sequence of array-like or DataFrame
        One positive reciprocal matrix per expert, all the same size (and labels).
    judge_weights : sequence of float, optional
        Weights of the experts (one per matrix, positive, summing to 1) for a weighted geometric
        mean; default equal.
    labels : sequence of str, optional
        Criterion names (default: the DataFrame labels or ``c1..cn``).
    rtol : float, default 0.01
        Tolerance of the reciprocity checks, as in :func:`ahp_weights`.

    Returns
    -------
    pandas.DataFrame
        The aggregated n x n matrix, index and columns labelled; feed it to :func:`ahp_weights`.

    Raises
    ------
    TypeError
        ``matrices`` is not a sequence.
    ValueError
        No matrix, different sizes or labels, an invalid matrix (named by its position),
        bad expert weights.

    Notes
    -----
    :math:`\\bar a_{ij} = \\prod_k a_{ij}^{(k)\\,\\lambda_k}` with :math:`\\lambda_k = 1/K`
    by default. The geometric mean is the only aggregation of ratio judgments that keeps the
    aggregate reciprocal, :math:`\\bar a_{ji} = 1/\\bar a_{ij}` (Aczel & Saaty 1983), and it is
    unanimous (identical judgments are returned unchanged).

    *Missing data*: none allowed.

    Validated against the defining properties (reciprocity, unanimity, the geometric mean of
    2 and 8 is 4) in ``tests/test_weights.py``.

    References
    ----------
    Aczel, J., & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements.
    *Journal of Mathematical Psychology*, 27, 93-102.

    Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with
    the analytic hierarchy process. *EJOR*, 108, 165-169.

    Examples
    --------
    >>> agg = aggregate_judgments([[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]], labels=["a", "b"])
    >>> agg.round(6).to_numpy().tolist()
    [[1.0, 4.0], [0.25, 1.0]]
    """
    if isinstance(matrices, np.ndarray) and matrices.ndim == 3:
        matrices = list(matrices)
    if not isinstance(matrices, Sequence) or isinstance(matrices, str):
        raise TypeError(f"`matrices` must be a sequence of matrices; got {type(matrices).__name__}")
    if len(matrices) == 0:
        raise ValueError("`matrices` is empty; give at least one expert's matrix")
    arrays = []
    names: list[str] | None = None
    for k, m in enumerate(matrices):
        a, lab = _matrix_and_labels(m, labels if not isinstance(m, pd.DataFrame) else None, f"matrices[{k}]")
        if names is None:
            names = lab
        elif a.shape != arrays[0].shape:
            raise ValueError(f"`matrices[{k}]` is {a.shape}; the first matrix is {arrays[0].shape}")
        elif isinstance(m, pd.DataFrame) and lab != names:
            raise ValueError(f"`matrices[{k}]` labels {lab} differ from the first matrix's {names}")
        _check_pairwise(a, lab, rtol, f"matrices[{k}]")
        arrays.append(a)
    if labels is not None:
        if any(isinstance(m, pd.DataFrame) for m in matrices) and [str(x) for x in labels] != names:
            raise ValueError(f"`labels` {list(labels)} do not match the labels of the DataFrame matrices {names}")
        _, names = _matrix_and_labels(arrays[0], labels, "matrices[0]")
    if judge_weights is None:
        lam = np.full(len(arrays), 1.0 / len(arrays))
    else:
        lam = np.asarray(list(judge_weights), dtype=np.float64)
        if lam.shape != (len(arrays),):
            raise ValueError(f"`judge_weights` must have one weight per matrix ({len(arrays)}); got {lam.shape}")
        if not np.all(np.isfinite(lam) & (lam > 0)):
            raise ValueError(f"`judge_weights` must be positive and finite; got {lam.tolist()}")
        if abs(lam.sum() - 1.0) > _SUM_TOL:
            raise ValueError(f"`judge_weights` must sum to 1 (within {_SUM_TOL:g}); they sum to {lam.sum():.10g}")
    logs = np.stack([np.log(a) for a in arrays])
    agg = np.exp(np.tensordot(lam, logs, axes=1))
    return pd.DataFrame(agg, index=names, columns=names)


# --------------------------------------------------------------------------- expert and data weights
def _weights_series(mapping: Any, param: str) -> pd.Series:
    if isinstance(mapping, AHPResult):
        return mapping.weights.astype("float64")
    if isinstance(mapping, pd.Series):
        items = list(mapping.items())
    elif isinstance(mapping, Mapping):
        items = list(mapping.items())
    else:
        raise TypeError(f"`{param}` must be a mapping name -> weight; got {type(mapping).__name__}")
    if not items:
        raise ValueError(f"`{param}` is empty")
    keys = [k for k, _ in items]
    bad_keys = [k for k in keys if not isinstance(k, str)]
    if bad_keys:
        raise TypeError(f"`{param}` keys must be names (str); got {bad_keys[:5]!r}")
    try:
        values = np.asarray([float(v) for _, v in items], dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`{param}` values must be numbers; got {[v for _, v in items]!r}") from None
    return pd.Series(values, index=keys, name="weight")


def expert_weights(mapping: Mapping[str, float] | pd.Series, *, atol: float = _SUM_TOL) -> pd.Series:
    """Validate expert-assigned dimension weights.

    Parameters
    ----------
    mapping : mapping of str to float or pandas.Series
        Dimension -> weight, e.g. ``{"efficiency": 0.3, "quality": 0.4, ...}``.
    atol : float, default 1e-6
        Allowed absolute deviation of the sum from 1.

    Returns
    -------
    pandas.Series
        The weights (name ``"weight"``), in the given order.

    Raises
    ------
    TypeError
        Not a mapping, non-str keys, non-numeric values.
    ValueError
        Empty, non-positive or non-finite weights (named), sum differing from 1.

    Notes
    -----
    Weights are not renormalised: a sum other than 1 is refused so that a typo cannot
    silently rescale the overall index. Validated by the defining checks in the tests.

    Examples
    --------
    >>> expert_weights({"efficiency": 0.3, "quality": 0.4, "digital": 0.3}).tolist()
    [0.3, 0.4, 0.3]
    """
    w = _weights_series(mapping, "mapping")
    bad = w[~(np.isfinite(w) & (w > 0))]
    if len(bad):
        raise ValueError(f"expert weights must be positive and finite; got {bad.to_dict()}")
    total = float(w.sum())
    if abs(total - 1.0) > atol:
        raise ValueError(f"expert weights must sum to 1 (within {atol:g}); they sum to {total:.10g}")
    return w


def data_driven_weights(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    method: str = "shapley",
    survey_weights: str | None = None,
) -> pd.Series:
    """Data-driven dimension weights: relative importance for overall satisfaction, summing to 1.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the outcome (e.g. ``overall_sat``) and the dimension
        scores as columns.
    outcome : str
        Outcome column.
    predictors : sequence of str
        Dimension score columns.
    method : str, default "shapley"
        Passed to :func:`csat_research.stats.drivers.relative_importance` (e.g. Shapley / LMG R²
        decomposition, or ``"johnson"`` relative weights).
    survey_weights : str, optional
        Column of survey weights, passed to ``relative_importance``.

    Returns
    -------
    pandas.Series
        Weight per predictor (name ``"weight"``), in the order of ``predictors``, summing to 1.

    Raises
    ------
    TypeError
        Wrong types.
    AnalysisError
        The importance table lacks a predictor, has negative or all-zero importances.
    ImportError
        :mod:`csat_research.stats.drivers` is not available.

    Notes
    -----
    :math:`w_d = I_d / \\sum_k I_k` with :math:`I_d` the ``importance`` column returned by
    ``relative_importance`` (for the Shapley / LMG decomposition of R², the share of R²
    attributable to dimension d; Lindeman, Merenda & Gold 1980; Gromping 2006). Missing-data
    handling is that of ``relative_importance``.

    Validated against the drivers module's own reference tests; here the normalisation and
    the checks are tested.

    References
    ----------
    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.

    Gromping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. *Journal of Statistical Software*, 17(1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.normal(size=(200, 2)), columns=["quality", "efficiency"])
    >>> d["overall_sat"] = 2 * d["quality"] + d["efficiency"] + rng.normal(size=200)
    >>> w = data_driven_weights(d, outcome="overall_sat", predictors=["quality", "efficiency"])
    >>> round(float(w.sum()), 6), bool(w["quality"] > w["efficiency"])
    (1.0, True)
    """
    check_frame(data)
    if not isinstance(outcome, str):
        raise TypeError(f"`outcome` must be a column name (str); got {type(outcome).__name__}")
    if isinstance(predictors, str) or not isinstance(predictors, Sequence):
        raise TypeError(f"`predictors` must be a sequence of column names; got {predictors!r}")
    preds = list(predictors)
    if not preds:
        raise ValueError("`predictors` is empty")
    table = relative_importance(data, outcome=outcome, predictors=preds, method=method,
                                survey_weights=survey_weights)
    if not isinstance(table, pd.DataFrame) or "importance" not in table.columns:
        raise AnalysisError(
            "relative_importance must return a DataFrame indexed by predictor with an "
            f"'importance' column; got {type(table).__name__} with columns "
            f"{list(getattr(table, 'columns', []))}"
        )
    missing = [p for p in preds if p not in table.index]
    if missing:
        raise AnalysisError(f"relative_importance returned no importance for predictor(s) {missing}")
    imp = table.loc[preds, "importance"].astype("float64")
    bad = imp[~np.isfinite(imp) | (imp < 0)]
    if len(bad):
        raise AnalysisError(
            f"relative importances must be finite and non-negative to serve as weights; got {bad.to_dict()}"
        )
    total = float(imp.sum())
    if total <= 0:
        raise AnalysisError("relative importances are all zero; the dimensions explain nothing of the outcome")
    w = (imp / total).rename("weight")
    w.index = pd.Index([str(i) for i in w.index])
    return w


def weights_table(
    *,
    expert: Mapping[str, float] | pd.Series | None = None,
    data: Mapping[str, float] | pd.Series | None = None,
    ahp: AHPResult | Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """Candidate dimension weights side by side, for the report.

    Parameters
    ----------
    expert, data, ahp : mapping, pandas.Series or AHPResult, optional
        Weights from the three sources (at least one); each must sum to 1 over the same
        dimensions.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``dimension`` and one column per source given (``expert``,
        ``data``, ``ahp``, in that order).

    Raises
    ------
    TypeError
        Wrong types.
    ValueError
        No source given, sources over different dimensions (named), a source not summing to 1,
        non-positive weights.

    Notes
    -----
    Presentation only: the weights are validated (as :func:`expert_weights`, zero allowed
    for data-driven weights) and aligned; nothing is rescaled.

    Examples
    --------
    >>> t = weights_table(expert={"quality": 0.4, "efficiency": 0.6},
    ...                   ahp={"quality": 0.75, "efficiency": 0.25})
    >>> t.to_dict("records")
    [{'dimension': 'quality', 'expert': 0.4, 'ahp': 0.75}, {'dimension': 'efficiency', 'expert': 0.6, 'ahp': 0.25}]
    """
    sources = {name: obj for name, obj in (("expert", expert), ("data", data), ("ahp", ahp)) if obj is not None}
    if not sources:
        raise ValueError("weights_table needs at least one of `expert`, `data`, `ahp`")
    columns: dict[str, pd.Series] = {}
    first: list[str] | None = None
    for name, obj in sources.items():
        w = _weights_series(obj, name)
        bad = w[~(np.isfinite(w) & (w >= 0))]
        if len(bad):
            raise ValueError(f"`{name}` weights must be non-negative and finite; got {bad.to_dict()}")
        if abs(float(w.sum()) - 1.0) > _SUM_TOL:
            raise ValueError(f"`{name}` weights must sum to 1 (within {_SUM_TOL:g}); they sum to {float(w.sum()):.10g}")
        if first is None:
            first = list(w.index)
        elif set(w.index) != set(first):
            raise ValueError(
                f"`{name}` weights cover {sorted(w.index)} but the first source covers {sorted(first)}; "
                f"missing {sorted(set(first) - set(w.index))}, unexpected {sorted(set(w.index) - set(first))}"
            )
        columns[name] = w
    order = list(next(iter(columns.values())).index)
    out = pd.DataFrame({name: w.reindex(order) for name, w in columns.items()})
    return out.rename_axis("dimension").reset_index()
