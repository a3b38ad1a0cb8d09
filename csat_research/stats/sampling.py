"""Stratified sample plans for CSAT survey invitations.

The survey method (DOMAIN.md) stratifies the customer frame by new vs returning customers,
high vs low purchase frequency and high vs normal order value, and high-value customers
must be covered well. Incentives are limited to once per customer per six months, so
customers who took part recently are excluded from the frame before allocation.

:func:`sample_plan` turns a customer frame into a frozen :class:`SamplePlan`: one row per
stratum with its frame size, the allocated sample size (integers that sum exactly to n),
the sampling fraction and the design weight; :meth:`SamplePlan.draw` then draws the
seeded stratified simple random sample.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.sampling import sample_plan
>>> frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(1000)],
...                       "customer_type": ["new"] * 300 + ["returning"] * 700})
>>> plan = sample_plan(frame, strata=("customer_type",), n=100, protect=None,
...                    min_per_stratum=0)
>>> plan.table[["customer_type", "N", "n_alloc", "design_weight"]]
  customer_type    N  n_alloc  design_weight
0           new  300       30           10.0
1     returning  700       70           10.0
>>> sample = plan.draw(frame, seed=1)
>>> sample["customer_type"].value_counts().sort_index().tolist()
[30, 70]
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from csat_research.core.checks import check_frame
from csat_research.core.errors import AnalysisError, CsatWarning, DataError

__all__ = ["ALLOCATIONS", "DEFAULT_PROTECT", "DEFAULT_STRATA", "SamplePlan", "largest_remainder", "sample_plan"]

#: Stratification variables of the survey method (DOMAIN.md, "Stratified sampling").
DEFAULT_STRATA = ("customer_type", "frequency_band", "value_band")
#: Allocation methods accepted by :func:`sample_plan`.
ALLOCATIONS = ("proportional", "neyman", "minimum")
#: Strata that must reach the minimum sample: "high-value customers must be covered well".
DEFAULT_PROTECT: Mapping[str, Hashable] = MappingProxyType({"value_band": "high"})
#: "Once per customer per six months".
DEFAULT_WINDOW_DAYS = 182


def largest_remainder(quotas: Sequence[float], total: int, *,
                      lower: Sequence[int] | None = None,
                      upper: Sequence[int] | None = None) -> np.ndarray:
    """Round non-negative quotas to integers summing exactly to ``total`` (Hamilton method).

    Every quota is rounded down; the units still missing go one each to the largest
    fractional remainders (ties to the earlier position). Optional integer ``lower`` and
    ``upper`` bounds are respected: a quota is first clipped to them, and a position at
    its upper bound receives no extra unit.

    Parameters
    ----------
    quotas : sequence of float
        Exact (fractional) allocations, ideally summing to ``total``.
    total : int
        Required sum.
    lower, upper : sequence of int, optional
        Bounds per position.

    Returns
    -------
    ndarray of int

    Raises
    ------
    AnalysisError
        The bounds make ``total`` impossible.

    Notes
    -----
    Validated against the Hare-quota largest remainder example of Wikipedia's "Largest
    remainder method" article (votes 47,000 / 16,000 / 15,800 / 12,000 / 6,100 / 3,100,
    10 seats -> 5, 2, 1, 1, 1, 0).

    References
    ----------
    .. [1] Balinski, M. L., & Young, H. P. (2001). Fair Representation, 2nd ed.
           Brookings (Hamilton's method).

    Examples
    --------
    >>> largest_remainder([4.7, 1.6, 1.58, 1.2, 0.61, 0.31], 10).tolist()
    [5, 2, 1, 1, 1, 0]
    """
    q = np.asarray(quotas, dtype=float)
    lo = np.zeros(len(q), dtype=int) if lower is None else np.asarray(lower, dtype=int)
    hi = np.full(len(q), total, dtype=int) if upper is None else np.asarray(upper, dtype=int)
    if lo.sum() > total or hi.sum() < total:
        raise AnalysisError(
            f"cannot allocate {total} units within the bounds (minimum {int(lo.sum())}, "
            f"maximum {int(hi.sum())})"
        )
    q = np.clip(q, lo, hi)
    base = np.clip(np.floor(q + 1e-9).astype(int), lo, hi)
    missing = total - int(base.sum())
    rema = q - base
    if missing > 0:
        order = sorted(range(len(q)), key=lambda i: (-rema[i], i))
        while missing > 0:
            progressed = False
            for i in order:
                if missing == 0:
                    break
                if base[i] < hi[i]:
                    base[i] += 1
                    missing -= 1
                    progressed = True
            if not progressed:  # pragma: no cover - excluded by the bound check above
                raise AnalysisError("largest_remainder: upper bounds reached")
    elif missing < 0:
        order = sorted(range(len(q)), key=lambda i: (rema[i], -i))
        while missing < 0:
            for i in order:
                if missing == 0:
                    break
                if base[i] > lo[i]:
                    base[i] -= 1
                    missing += 1
    return base


@dataclass(frozen=True)
class SamplePlan:
    """A stratified sample plan made by :func:`sample_plan`.

    Attributes
    ----------
    table : DataFrame
        One row per stratum: the stratum columns, ``N`` (eligible frame size), ``sd``
        (Neyman only, else NaN), ``n_exact`` (unrounded allocation), ``n_alloc`` (integer
        allocation), ``sampling_fraction`` (n_alloc / N), ``design_weight`` (N / n_alloc;
        NaN when nothing is drawn) and ``protected`` (stratum matched ``protect``).
    strata : tuple of str
    n : int
        Total sample size; ``table["n_alloc"].sum() == n``.
    allocation : str
    min_per_stratum : int
    n_frame : int
        Rows of the frame given.
    n_excluded : int
        Customers excluded because they took part within ``window_days`` before ``as_of``.
    n_eligible : int
    exclude_recent : str or None
        Column of last-participation dates used for the exclusion.
    as_of : Timestamp or None
    window_days : int
    """

    table: pd.DataFrame
    strata: tuple[str, ...]
    n: int
    allocation: str
    min_per_stratum: int
    n_frame: int
    n_excluded: int
    n_eligible: int
    exclude_recent: str | None
    as_of: pd.Timestamp | None
    window_days: int

    def to_frame(self) -> pd.DataFrame:
        """The per-stratum table (a copy)."""
        return self.table.copy()

    def eligible(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean mask of the frame rows eligible under this plan's exclusion rule."""
        return _eligible_mask(frame, self.exclude_recent, self.as_of, self.window_days)

    def draw(self, frame: pd.DataFrame, seed: int | None) -> pd.DataFrame:
        """Draw the stratified simple random sample (without replacement) of this plan.

        Parameters
        ----------
        frame : DataFrame
            The same frame the plan was made from (checked stratum by stratum).
        seed : int
            Seed of ``numpy.random.default_rng``; the same seed gives the same sample.

        Returns
        -------
        DataFrame
            The sampled rows (a copy, original index kept, frame order) with an added
            ``design_weight`` column (N_h / n_h of the row's stratum).

        Raises
        ------
        TypeError
            ``frame`` is not a DataFrame or ``seed`` is not an int.
        DataError
            The frame's eligible stratum sizes differ from the plan's ``N``.
        """
        check_frame(frame, "frame")
        if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an int (draws are always seeded), got {seed!r}")
        _check_columns(frame, self.strata, "strata")
        if not frame.index.is_unique:
            raise DataError("frame: the index must be unique to draw a sample (reset_index first)")
        ok = self.eligible(frame)
        elig = frame.loc[ok]
        keys = _stratum_keys(elig, self.strata)
        rng = np.random.default_rng(int(seed))
        chosen: list[np.ndarray] = []
        weights: dict[Hashable, float] = {}
        for _, row in self.table.iterrows():
            key = tuple(row[c] for c in self.strata)
            idx = elig.index[(keys == key).to_numpy()]
            if len(idx) != row["N"]:
                raise DataError(
                    f"frame does not match the plan: stratum {dict(zip(self.strata, key))} has "
                    f"{len(idx)} eligible rows, the plan was made for N = {int(row['N'])}"
                )
            k = int(row["n_alloc"])
            if k:
                picked = rng.choice(len(idx), size=k, replace=False)
                chosen.append(idx[np.sort(picked)].to_numpy())
                for i in idx[picked]:
                    weights[i] = float(row["design_weight"])
        taken = np.concatenate(chosen) if chosen else np.array([], dtype=object)
        out = frame.loc[frame.index.isin(taken)].copy()
        out["design_weight"] = [weights[i] for i in out.index]
        return out


def _check_columns(frame: pd.DataFrame, cols: Sequence[str], param: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(
            f"{param}: column(s) {missing} not found in the frame; available: "
            f"{list(map(str, frame.columns))}"
        )


def _stratum_keys(frame: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    return pd.Series(list(zip(*(frame[c] for c in strata))), index=frame.index, dtype=object)


def _eligible_mask(
    frame: pd.DataFrame, column: str | None, as_of: pd.Timestamp | None, window_days: int
) -> pd.Series:
    if column is None:
        return pd.Series(True, index=frame.index)
    _check_columns(frame, [column], "exclude_recent")
    last = pd.to_datetime(frame[column], errors="coerce")
    bad = int((frame[column].notna() & last.isna()).sum())
    if bad:
        raise DataError(
            f"exclude_recent: {bad} value(s) of {column!r} are not dates (missing means "
            "'never took part' and is allowed)"
        )
    if getattr(last.dt, "tz", None) is not None:
        last = last.dt.tz_localize(None)
    cutoff = as_of - pd.Timedelta(days=window_days)
    recent = last.notna() & (last > cutoff) & (last <= as_of)
    return ~recent


def _sd_per_stratum(
    frame: pd.DataFrame, keys: pd.Series, strata: tuple[str, ...], order: list[tuple],
    sd: str | Mapping | None,
) -> np.ndarray:
    if sd is None:
        raise ValueError(
            "allocation='neyman' needs sd: a numeric column of the frame (e.g. a past "
            "satisfaction score) or a mapping stratum -> standard deviation"
        )
    if isinstance(sd, str):
        _check_columns(frame, [sd], "sd")
        if not pd.api.types.is_numeric_dtype(frame[sd]):
            raise DataError(f"sd column {sd!r} must be numeric, got dtype {frame[sd].dtype}")
        out = []
        for key in order:
            x = frame.loc[(keys == key).to_numpy(), sd].dropna()
            if len(x) < 2:
                raise AnalysisError(
                    f"sd column {sd!r}: stratum {dict(zip(strata, key))} has {len(x)} "
                    "non-missing value(s); at least 2 are needed for a standard deviation"
                )
            out.append(float(x.std(ddof=1)))
        return np.array(out)
    if isinstance(sd, Mapping):
        out = []
        for key in order:
            lookup = key if len(strata) > 1 else key[0]
            if lookup not in sd and key not in sd:
                raise DataError(
                    f"sd: no standard deviation for stratum {lookup!r}; keys given: {list(sd)}"
                )
            v = sd[lookup] if lookup in sd else sd[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:
                raise ValueError(f"sd[{lookup!r}] must be a number >= 0, got {v!r}")
            out.append(float(v))
        return np.array(out)
    raise TypeError(f"sd must be a column name, a mapping or None, got {type(sd).__name__}")


def _allocate(n: int, weights: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Exact allocation proportional to ``weights`` within [lower, upper], summing to n."""
    k = len(weights)
    fixed = np.full(k, np.nan)
    while True:
        free = np.isnan(fixed)
        remaining = n - np.nansum(fixed)
        wsum = weights[free].sum()
        alloc = np.where(free, remaining * weights / wsum if wsum > 0 else 0.0, fixed)
        if wsum <= 0 and free.any():
            # nothing to share in proportion to: spread evenly over the free strata
            alloc = np.where(free, remaining / free.sum(), fixed)
        low = free & (alloc < lower - 1e-12)
        high = free & (alloc > upper + 1e-12)
        if not low.any() and not high.any():
            return alloc
        fixed[low] = lower[low]
        fixed[high] = upper[high]
        if not np.isnan(fixed).any():
            return fixed


def sample_plan(
    frame: pd.DataFrame,
    *,
    strata: Sequence[str] = DEFAULT_STRATA,
    n: int,
    allocation: str = "proportional",
    sd: str | Mapping | None = None,
    cost: Mapping | None = None,
    min_per_stratum: int = 30,
    protect: Mapping[str, Hashable] | None = DEFAULT_PROTECT,
    exclude_recent: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> SamplePlan:
    """Plan a stratified survey sample: allocation per stratum, exclusions, design weights.

    Parameters
    ----------
    frame : DataFrame
        The customer frame, one row per customer, with the stratum columns.
    strata : sequence of str
        Stratification columns (default: customer_type, frequency_band, value_band).
    n : int
        Total sample size; the integer allocation always sums to exactly ``n``.
    allocation : {"proportional", "neyman", "minimum"}
        ``proportional``: :math:`n_h \\propto N_h`. ``neyman``: :math:`n_h \\propto N_h S_h`
        (divided by :math:`\\sqrt{c_h}` when ``cost`` is given: optimum allocation).
        ``minimum``: every stratum first gets ``min_per_stratum`` (or all of it if smaller),
        the rest proportionally.
    sd : str or mapping, optional
        For Neyman: a numeric frame column whose within-stratum standard deviation is used
        (e.g. the last wave's satisfaction), or a mapping stratum -> S_h (keys: the level
        for one stratum column, a tuple of levels for several).
    cost : mapping, optional
        Cost per interview per stratum (same keys as a ``sd`` mapping), Neyman only.
    min_per_stratum : int
        Minimum sample of protected strata (all strata with ``allocation="minimum"``).
        A stratum smaller than the minimum is taken whole.
    protect : mapping, optional
        ``{column: level}`` of the strata that must reach ``min_per_stratum`` whatever the
        allocation; default ``{"value_band": "high"}`` (ignored when ``value_band`` is not a
        stratum). ``None`` or ``{}`` protects none.
    exclude_recent : str, optional
        Column with each customer's last survey participation date (missing = never).
        Customers who took part in the ``window_days`` days up to ``as_of`` are excluded
        before allocation and counted in ``n_excluded``.
    as_of : str or Timestamp
        Reference date of the exclusion; required with ``exclude_recent`` (never "today",
        so a plan is reproducible).
    window_days : int
        Exclusion window, 182 days ("once per customer per six months").

    Returns
    -------
    SamplePlan

    Raises
    ------
    TypeError
        Wrong argument types.
    DataError
        Missing columns, missing stratum codes, non-date participation values.
    AnalysisError
        ``n`` larger than the eligible frame or smaller than the protected minimums;
        Neyman standard deviations that cannot be computed.
    ValueError
        Unknown allocation, ``n`` < 1, missing ``sd`` for Neyman, missing ``as_of``.

    Warns
    -----
    CsatWarning
        Customers excluded as recent participants (count); strata with fewer eligible
        customers than the minimum (taken whole).

    Notes
    -----
    Exact allocations :math:`n_h^*` are computed with the bounds
    :math:`\\min(m, N_h) \\le n_h \\le N_h` (m = ``min_per_stratum`` for protected strata,
    else 0): strata hitting a bound are fixed and the remainder is re-allocated among the
    others (as SAS PROC SURVEYSELECT does with ALLOCMIN=). The :math:`n_h^*` are then
    rounded with the largest remainder (Hamilton) method, which keeps the total exactly n.
    Design weight :math:`N_h / n_h`. Missing stratum codes are refused: they must be
    recoded first, never silently dropped.

    Validated against the optimum-allocation example of Scheaffer, Mendenhall & Ott
    (Elementary Survey Sampling; television-viewing survey with N = 1550, 620, 930,
    S = 5, 15, 10, costs 9, 9, 16, n = 58: :math:`N_h S_h / \\sqrt{c_h}` = 2583.33,
    3100.00, 2325.00), Neyman's :math:`N_h S_h` = 7750, 9300, 9300 for equal costs, and
    the Hare largest-remainder example (5, 2, 1, 1, 1, 0 of 10 seats).

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, sec. 5.5-5.9.
    .. [2] Lohr, S. L. (2010). Sampling: Design and Analysis, 2nd ed., sec. 3.4.
    .. [3] Scheaffer, R. L., Mendenhall, W., & Ott, R. L. (2006). Elementary Survey
           Sampling, 6th ed., ch. 5.
    .. [4] SAS/STAT User's Guide, PROC SURVEYSELECT, "Sample Size Allocation".

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"value_band": ["normal"] * 950 + ["high"] * 50,
    ...                       "score_sd": [1.0] * 1000})
    >>> plan = sample_plan(frame, strata=("value_band",), n=200, min_per_stratum=30)
    >>> plan.table[["value_band", "N", "n_exact", "n_alloc", "protected"]]
      value_band    N  n_exact  n_alloc  protected
    0       high   50     30.0       30       True
    1     normal  950    170.0      170      False
    """
    check_frame(frame, "frame")
    if isinstance(strata, str) or not isinstance(strata, Sequence) or not strata:
        raise TypeError(f"strata must be a non-empty list of column names, got {strata!r}")
    strata = tuple(strata)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    if not isinstance(allocation, str) or allocation not in ALLOCATIONS:
        raise ValueError(f"allocation must be one of {list(ALLOCATIONS)}, got {allocation!r}")
    if isinstance(min_per_stratum, bool) or not isinstance(min_per_stratum, int) \
            or min_per_stratum < 0:
        raise ValueError(f"min_per_stratum must be a non-negative integer, got {min_per_stratum!r}")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days must be a positive integer, got {window_days!r}")
    if allocation != "neyman" and (sd is not None or cost is not None):
        raise ValueError(f"sd and cost are used by allocation='neyman' only, got {allocation!r}")
    _check_columns(frame, strata, "strata")
    n_na = int(frame[list(strata)].isna().any(axis=1).sum())
    if n_na:
        raise DataError(
            f"strata: {n_na} row(s) of the frame have a missing code in {list(strata)}; "
            "recode them (e.g. 'unknown') before planning"
        )
    if protect is DEFAULT_PROTECT and not set(DEFAULT_PROTECT) <= set(strata):
        protect_map: Mapping = {}
    else:
        protect_map = protect or {}
    if not isinstance(protect_map, Mapping):
        raise TypeError(f"protect must be a mapping {{column: level}} or None, got {protect!r}")
    for col in protect_map:
        if col not in strata:
            raise ValueError(f"protect: column {col!r} is not one of the strata {list(strata)}")

    as_of_ts: pd.Timestamp | None = None
    if exclude_recent is not None:
        if not isinstance(exclude_recent, str):
            raise TypeError(f"exclude_recent must be a column name, got {exclude_recent!r}")
        if as_of is None:
            raise ValueError(
                "as_of is required with exclude_recent (the reference date of the "
                "six-month rule; it is never taken from the clock)"
            )
        as_of_ts = pd.Timestamp(as_of)
        if as_of_ts.tzinfo is not None:
            as_of_ts = as_of_ts.tz_localize(None)
    ok = _eligible_mask(frame, exclude_recent, as_of_ts, window_days)
    n_excluded = int((~ok).sum())
    if n_excluded:
        warnings.warn(
            f"sample_plan: {n_excluded} of {len(frame)} customers excluded (took part within "
            f"{window_days} days before {as_of_ts.date()})",
            CsatWarning,
            stacklevel=2,
        )
    elig = frame.loc[ok]
    if n > len(elig):
        raise AnalysisError(
            f"n = {n} exceeds the {len(elig)} eligible customers of the frame "
            f"({n_excluded} excluded as recent participants)"
        )
    keys = _stratum_keys(elig, strata)
    counts = keys.value_counts()
    order = sorted(counts.index, key=lambda k: tuple(map(str, k)))
    N = np.array([counts[k] for k in order], dtype=float)

    protected = np.array(
        [all(dict(zip(strata, key))[c] == lv for c, lv in protect_map.items()) and bool(protect_map)
         for key in order]
    )
    if allocation == "minimum":
        protected = np.ones(len(order), dtype=bool)
    lower = np.where(protected, np.minimum(min_per_stratum, N), 0).astype(int)
    upper = N.astype(int)
    small = [dict(zip(strata, k)) for k, p, nh in zip(order, protected, N)
             if p and nh < min_per_stratum]
    if small:
        warnings.warn(
            f"sample_plan: {len(small)} stratum/strata have fewer than {min_per_stratum} "
            f"eligible customers and are taken whole: {small}",
            CsatWarning,
            stacklevel=2,
        )
    if lower.sum() > n:
        raise AnalysisError(
            f"n = {n} is smaller than the {int(lower.sum())} interviews the minimum of "
            f"{min_per_stratum} per protected stratum requires"
        )

    sds = np.full(len(order), np.nan)
    if allocation == "neyman":
        sds = _sd_per_stratum(elig, keys, strata, order, sd)
        size = N * sds
        if cost is not None:
            if not isinstance(cost, Mapping):
                raise TypeError(f"cost must be a mapping stratum -> cost, got {type(cost).__name__}")
            c = _sd_per_stratum(elig, keys, strata, order, cost)
            if np.any(c <= 0):
                raise ValueError("cost: every stratum's cost must be > 0")
            size = size / np.sqrt(c)
    else:
        size = N.copy()
    exact = _allocate(n, size, lower.astype(float), upper.astype(float))
    alloc = largest_remainder(exact, n, lower=lower, upper=upper)

    table = pd.DataFrame([dict(zip(strata, k)) for k in order])
    table["N"] = N.astype(int)
    table["sd"] = sds
    table["n_exact"] = exact
    table["n_alloc"] = alloc.astype(int)
    table["sampling_fraction"] = alloc / N
    with np.errstate(divide="ignore"):
        table["design_weight"] = np.where(alloc > 0, N / np.maximum(alloc, 1), np.nan)
    table["protected"] = protected
    return SamplePlan(
        table=table,
        strata=strata,
        n=n,
        allocation=allocation,
        min_per_stratum=min_per_stratum,
        n_frame=len(frame),
        n_excluded=n_excluded,
        n_eligible=len(elig),
        exclude_recent=exclude_recent,
        as_of=as_of_ts,
        window_days=window_days,
    )

