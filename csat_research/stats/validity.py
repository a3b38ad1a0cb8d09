"""Discriminant validity between the factors of a measurement model: HTMT.

* :func:`htmt` - heterotrait-monotrait ratio of correlations (arithmetic or geometric means);
* :func:`htmt_matrix` - the same from an item correlation matrix, used by
  :func:`~csat_research.stats.cfa.cfa` as well.

The Fornell-Larcker criterion needs the CFA's AVE and factor correlations; it is part of
:class:`~csat_research.stats.cfa.CFAResult`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csat_research.core.errors import AnalysisError, ParamsError
from csat_research.stats.item_moments import (
    check_item_frame,
    check_items,
    check_missing,
    check_model,
    cov_to_corr,
    item_moments,
)

__all__ = [
    "htmt",
    "htmt_matrix",
]


def htmt_matrix(corr: np.ndarray, blocks: list[np.ndarray], method: str) -> np.ndarray:
    """Factor x factor HTMT matrix from item correlations and each factor's item positions."""
    a = np.abs(corr)
    nf = len(blocks)
    if method == "geometric":
        with np.errstate(divide="ignore"):
            a = np.log(a)
    mono = np.empty(nf)
    for f, ix in enumerate(blocks):
        sub = a[np.ix_(ix, ix)]
        mono[f] = sub[np.triu_indices(len(ix), 1)].mean()
    out = np.eye(nf)
    for f in range(nf):
        for g in range(f + 1, nf):
            het = a[np.ix_(blocks[f], blocks[g])].mean()
            if method == "geometric":
                val = math.exp(het - (mono[f] + mono[g]) / 2.0)
            else:
                val = het / math.sqrt(mono[f] * mono[g]) if mono[f] > 0 and mono[g] > 0 else math.inf
            out[f, g] = out[g, f] = val
    if not np.all(np.isfinite(out)):
        raise AnalysisError(
            "HTMT is undefined: some factor's items are uncorrelated with each other "
            "(monotrait correlation 0)"
        )
    return out


def htmt(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    method: str = "arithmetic",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (HTMT) between the factors of a model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    model : mapping of str to sequence of str
        Factor -> its item columns (each item on one factor; at least 2 items per factor).
    method : {"arithmetic", "geometric"}, default "arithmetic"
        ``"arithmetic"``: Henseler, Ringle & Sarstedt (2015); ``"geometric"``: HTMT2 of
        Roemer, Schuberth & Henseler (2021), the default of semTools ``htmt()`` since 0.5-6.
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy for the item correlation matrix.

    Returns
    -------
    pandas.DataFrame
        Square factor x factor matrix (index and columns = factor names, diagonal 1).

    Raises
    ------
    TypeError, DataError, ParamsError, AnalysisError
        As :func:`~csat_research.stats.cfa.cfa`; AnalysisError also when a factor's items are
        uncorrelated.

    Notes
    -----
    From the absolute item correlations :math:`|r|`: for factors :math:`a, b`, the
    heterotrait mean :math:`H_{ab}` over item pairs across the factors and the monotrait
    means :math:`M_a, M_b` over distinct item pairs within each factor,

    .. math:: HTMT_{ab} = \\frac{H_{ab}}{\\sqrt{M_a M_b}},

    with arithmetic means (Henseler et al.) or geometric means (HTMT2). Values below 0.85
    (conservative) or 0.90 support discriminant validity.

    The geometric version was validated against R ``semTools::htmt(HS.model,
    HolzingerSwineford1939)``; the arithmetic version by its defining identity (see
    ``tests/stats/test_validity.py``).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135.

    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. Industrial Management
    & Data Systems, 121(12), 2637-2650.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.validity import htmt
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> htmt(hs, model, method="geometric").round(3)
             visual  textual  speed
    visual    1.000    0.384  0.387
    textual   0.384    1.000  0.280
    speed     0.387    0.280  1.000
    """
    check_item_frame(data)
    spec = check_model(model)
    if len(spec) < 2:
        raise AnalysisError(f"HTMT compares factors and needs at least 2; `model` has {len(spec)}")
    if method not in ("arithmetic", "geometric"):
        raise ParamsError(f"`method` must be 'arithmetic' or 'geometric'; got {method!r}")
    missing = check_missing(missing)
    names = check_items(data, [it for its in spec.values() for it in its], param="model")
    m = item_moments(data, names, missing, what="htmt")
    blocks, start = [], 0
    for its in spec.values():
        blocks.append(np.arange(start, start + len(its)))
        start += len(its)
    mat = htmt_matrix(cov_to_corr(m.cov), blocks, method)
    factors = list(spec)
    return pd.DataFrame(mat, index=pd.Index(factors), columns=pd.Index(factors))
