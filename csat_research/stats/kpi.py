"""Service-level KPIs from the ticket log, and how waiting relates to satisfaction.

The ticket log (one row per service ticket, columns in :data:`csat_research.core.schema.TICKET_COLUMNS`)
gives the operational side of the study: did 90 % of inquiries get a first reply within
5 minutes, were 70 % resolved within 24 hours, did the bot settle ~70 % of standard
questions and did complex issues reach a human within 30 minutes (DOMAIN.md)?

* :func:`service_kpis` - one row per KPI: value, base, Wilson interval, target, met, gap;
* :func:`kpi_trend` - the same per week (or any pandas frequency);
* :func:`expectation_gap` - expected vs actual first-reply time per respondent;
* :func:`satisfaction_by_wait` - mean satisfaction with a confidence interval per band of
  actual waiting time.

Join problems (respondents without tickets, tickets of customers who did not answer the
survey) are counted and reported, never dropped silently.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.kpi import service_kpis
>>> tickets = pd.DataFrame({
...     "ticket_id": ["T1", "T2", "T3", "T4"], "customer_id": ["C1", "C1", "C2", "C3"],
...     "created_at": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-03", "2026-03-04"]),
...     "handled_by": ["bot", "human", "bot_to_human", "bot"],
...     "handoff_min": [None, None, 12.0, None],
...     "first_response_min": [0.5, 7.0, 3.0, 1.0],
...     "resolution_hours": [0.1, 30.0, 5.0, None],
...     "first_contact_resolution": [True, False, True, False],
...     "repeat_contact": [False, True, False, False],
...     "escalated": [False, True, False, False],
...     "severity": ["normal", "high", "normal", "normal"]})
>>> k = service_kpis(tickets).set_index("kpi")
>>> k.loc["first_reply_5min", ["value", "n", "target", "met"]].to_dict()
{'value': 0.75, 'n': 4, 'target': 0.9, 'met': False}
>>> round(float(k.loc["bot_containment", "value"]), 4), int(k.loc["bot_containment", "n"])
(0.3333, 3)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.core.checks import check_confidence, check_frame
from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.core.numeric import wilson_interval

__all__ = [
    "DEFAULT_TARGETS",
    "KPIS",
    "ExpectationGapResult",
    "expectation_gap",
    "kpi_trend",
    "satisfaction_by_wait",
    "service_kpis",
]

#: KPI name -> (description, True if higher is better, kind).
KPIS: Mapping[str, tuple[str, bool, str]] = {
    "first_reply_5min": ("share of tickets with a first reply within the reply limit", True, "share"),
    "resolved_24h": ("share of tickets resolved within the resolution limit (unresolved = no)",
                     True, "share"),
    "fcr": ("first-contact resolution rate", True, "share"),
    "repeat_rate": ("share of tickets followed by a repeat contact within 7 days", False, "share"),
    "bot_containment": ("share of bot-started tickets resolved by the bot without a human",
                        True, "share"),
    "handoff_30min": ("share of bot-to-human tickets handed over within the handoff limit",
                      True, "share"),
    "escalation_rate": ("share of tickets escalated to a higher tier", False, "share"),
    "high_severity_15min": ("share of high-severity tickets with a first reply within the "
                            "high-severity limit", True, "share"),
    "median_first_response_min": ("median minutes to first reply", False, "median"),
}

#: Default targets (DOMAIN.md service levels; keys shared with params.DEFAULT_TARGETS).
DEFAULT_TARGETS: Mapping[str, float | None] = {
    "first_reply_5min": 0.90,  # "90 % of inquiries get a first reply within 5 minutes"
    "resolved_24h": 0.70,  # "70 % resolved within 24 hours"
    "fcr": 0.80,  # FCR 65 % -> 82 % after training; params default 0.80
    "repeat_rate": None,
    "bot_containment": 0.70,  # "bots can settle ~70 % of standard questions"
    "handoff_30min": 0.90,  # params default; "complex issues must reach a human in 30 min"
    "escalation_rate": None,
    "high_severity_15min": 0.90,  # "15-minute response for high-urgency cases"
    "median_first_response_min": 5.8,  # "customers expect a reply in ~5.8 min"
}
#: Survey-side targets of the study params that this module accepts and ignores.
_SURVEY_TARGETS = ("csat_mean", "csat_top2box", "nps")

_REQUIRED = {
    "first_reply_5min": ("first_response_min",),
    "resolved_24h": ("resolution_hours",),
    "fcr": ("first_contact_resolution",),
    "repeat_rate": ("repeat_contact",),
    "bot_containment": ("handled_by", "resolution_hours"),
    "handoff_30min": ("handled_by", "handoff_min"),
    "escalation_rate": ("escalated",),
    "high_severity_15min": ("severity", "first_response_min"),
    "median_first_response_min": ("first_response_min",),
}
_OUT_COLUMNS = ["kpi", "value", "n", "n_missing", "ci_low", "ci_high", "target", "met", "gap",
                "higher_is_better"]


def _wilson(k: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson (1927) score interval for k successes of n (see ``csat_research.core.numeric``)."""
    if n <= 0:
        return (np.nan, np.nan)
    return wilson_interval(k / n, n, z=float(stats.norm.ppf(0.5 + confidence / 2)))


def _check_positive(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _merge_targets(targets: Mapping[str, float | None] | None) -> dict[str, float | None]:
    merged = dict(DEFAULT_TARGETS)
    if targets is None:
        return merged
    if not isinstance(targets, Mapping):
        raise TypeError(f"targets must be a mapping kpi -> target, got {type(targets).__name__}")
    for key, value in targets.items():
        if key in _SURVEY_TARGETS:
            continue
        if key not in KPIS:
            raise ValueError(
                f"targets: unknown KPI {key!r}; allowed: {list(KPIS)} (survey targets "
                f"{list(_SURVEY_TARGETS)} are ignored here)"
            )
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise ValueError(f"targets[{key!r}] must be a number or None, got {value!r}")
        merged[key] = None if value is None else float(value)
    return merged


def _bool_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Booleans as floats (1/0, NaN for missing) and a mask of values that are not booleans.

    Accepted: object bools, 0/1 numbers and pandas booleans; numpy bool and real numeric
    columns are converted in one step, other columns value by value.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(values) & (values != 0.0) & (values != 1.0)
        return values, bad
    mapped = series.map(
        lambda v: np.nan if pd.isna(v) else (float(bool(v)) if isinstance(v, (bool, np.bool_, int,
                                                                                float, np.integer,
                                                                                np.floating))
                                             and v in (0, 1) else "bad")
    )
    bad = (mapped == "bad").to_numpy(dtype=bool)
    return mapped.mask(bad, np.nan).to_numpy(dtype=float), bad


def _share_row(kpi: str, successes: float, n: int, n_missing: int, z: float,
               target: float | None) -> dict:
    value = successes / n if n else np.nan
    lo, hi = wilson_interval(successes / n, n, z=z) if n > 0 else (np.nan, np.nan)
    return _finish(kpi, value, n, n_missing, lo, hi, target)


def _finish(kpi: str, value: float, n: int, n_missing: int, lo: float, hi: float,
            target: float | None) -> dict:
    higher = KPIS[kpi][1]
    if target is None or not np.isfinite(value):
        met, gap = None, np.nan
    else:
        gap = value - target if higher else target - value
        met = bool(gap >= 0)
    return {"kpi": kpi, "value": value, "n": int(n), "n_missing": int(n_missing),
            "ci_low": lo, "ci_high": hi, "target": np.nan if target is None else target,
            "met": met, "gap": gap, "higher_is_better": higher}


def _median_cis(samples: list[np.ndarray], confidence: float) -> list[tuple[float, float]]:
    """Distribution-free order-statistic intervals for the medians of sorted samples.

    The interval of ``scipy.stats.quantile_test(x, q=median, p=0.5).confidence_interval``
    (two-sided): ``x[(F^{-1}(a) - 1)]`` and ``x[F^{-1}(1 - a)]`` of the sorted sample, F the
    Binomial(n, 1/2) distribution and a = (1 - confidence) / 2; computed for all samples in
    one vectorised call of the binomial quantiles (equality with quantile_test is tested).
    NaN bounds for samples with fewer than 2 values or an index outside the sample.
    """
    n = np.array([len(x) for x in samples], dtype=np.int64)
    out = [(np.nan, np.nan)] * len(samples)
    ok = np.flatnonzero(n >= 2)
    if ok.size == 0:
        return out
    a = (1 - confidence) / 2
    low_index = stats.binom.ppf(a, n[ok], 0.5).astype(np.int64) - 1
    high_index = stats.binom.isf(a, n[ok], 0.5).astype(np.int64)
    for j, i in enumerate(ok):
        x, lo, hi = samples[i], low_index[j], high_index[j]
        out[i] = (float(x[lo]) if lo >= 0 else np.nan, float(x[hi]) if hi < n[i] else np.nan)
    return out


def _numeric_values(t: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(t[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _equals(t: pd.DataFrame, column: str, value: str) -> np.ndarray:
    return (t[column] == value).to_numpy(dtype=bool, na_value=False)


def _compute_kpis(t: pd.DataFrame, codes: np.ndarray, n_groups: int, targets: dict, reply: float,
                  resolve: float, handoff: float, high_limit: float,
                  confidence: float) -> list[list[dict]]:
    """KPI rows of every group of tickets: ``codes`` (0 .. n_groups - 1, -1 = left out).

    Every per-ticket indicator is computed once over the whole log and counted per group
    with ``np.bincount``; the counts are the integers of a per-group computation, so each
    group's rows equal :func:`service_kpis` on that group's tickets.
    """
    cols = set(t.columns)
    used = codes >= 0
    g = codes[used]
    z = float(stats.norm.ppf(0.5 + confidence / 2))

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(g[mask[used]], minlength=n_groups)

    size = np.bincount(g, minlength=n_groups)
    available = [kpi for kpi in KPIS if set(_REQUIRED[kpi]) <= cols]
    bools = {c: _bool_values(t[c]) for c in ("first_contact_resolution", "repeat_contact", "escalated")
             if any(c in _REQUIRED[k] for k in available)}
    if any(bad.any() for _, bad in bools.values()):
        # the first group (and, within it, the first flag in KPI order) with a bad value
        bad_counts = {c: count(bad) for c, (_, bad) in bools.items()}
        for grp in range(n_groups):
            for c, counts in bad_counts.items():
                if counts[grp]:
                    raise DataError(f"column {c!r}: {int(counts[grp])} value(s) are not booleans "
                                    "(True/False/1/0)")
    fr = _numeric_values(t, "first_response_min") if "first_response_min" in cols else None
    rh = _numeric_values(t, "resolution_hours") if "resolution_hours" in cols else None
    per_kpi: dict[str, tuple] = {}  # kpi -> (successes, n, n_missing) per group
    for kpi in available:
        if kpi == "first_reply_5min":
            # a missing first response means no reply recorded: not within the limit
            per_kpi[kpi] = (count(fr <= reply), size, count(np.isnan(fr)))
        elif kpi == "resolved_24h":
            # unresolved (NaN) is not resolved within the limit
            per_kpi[kpi] = (count(rh <= resolve), size, count(np.isnan(rh)))
        elif kpi in ("fcr", "repeat_rate", "escalation_rate"):
            values = bools[_REQUIRED[kpi][0]][0]
            ok = ~np.isnan(values)
            per_kpi[kpi] = (count(values == 1.0), count(ok), count(~ok))
        elif kpi == "bot_containment":
            hb = t["handled_by"]
            started = hb.isin(["bot", "bot_to_human"]).to_numpy(dtype=bool, na_value=False)
            contained = started & _equals(t, "handled_by", "bot") & ~np.isnan(rh)
            per_kpi[kpi] = (count(contained), count(started),
                            count(hb.isna().to_numpy(dtype=bool)))
        elif kpi == "handoff_30min":
            b2h = _equals(t, "handled_by", "bot_to_human")
            ho = _numeric_values(t, "handoff_min")
            per_kpi[kpi] = (count(b2h & (ho <= handoff)), count(b2h), count(b2h & np.isnan(ho)))
        elif kpi == "high_severity_15min":
            high = _equals(t, "severity", "high")
            per_kpi[kpi] = (count(high & (fr <= high_limit)), count(high),
                            count(high & np.isnan(fr)))
    samples: list[np.ndarray] = []  # sorted recorded first responses per group
    medians: list[tuple[float, float, float]] = []
    if "median_first_response_min" in available:
        has = ~np.isnan(fr) & used
        order = np.argsort(codes[has], kind="stable")
        values = fr[has][order]
        bounds = np.cumsum(np.bincount(codes[has], minlength=n_groups))
        samples = [np.sort(x) for x in np.split(values, bounds[:-1])]
        cis = _median_cis(samples, confidence)
        medians = [(float(np.median(x)) if len(x) else np.nan, *ci) for x, ci in zip(samples, cis)]
        per_kpi["median_first_response_min"] = (None, None, count(np.isnan(fr)))
    groups = []
    for grp in range(n_groups):
        rows = []
        for kpi in available:
            successes, n, missing = per_kpi[kpi]
            target = targets.get(kpi)
            if kpi == "median_first_response_min":
                med, lo, hi = medians[grp]
                rows.append(_finish(kpi, med, len(samples[grp]), int(missing[grp]), lo, hi, target))
            else:
                rows.append(_share_row(kpi, float(successes[grp]), int(n[grp]), int(missing[grp]),
                                       z, target))
        groups.append(rows)
    return groups


def _kpi_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=_OUT_COLUMNS)
    out["met"] = pd.Series([r["met"] for r in rows], index=out.index, dtype=object)
    return out


_VALID_HANDLED_BY = ("bot", "human", "bot_to_human")


def _validate_tickets(tickets: pd.DataFrame) -> None:
    check_frame(tickets, "tickets")
    known = [c for c in {c for req in _REQUIRED.values() for c in req} if c in tickets.columns]
    if not known:
        raise DataError(
            "tickets: none of the KPI columns is present; expected some of "
            f"{sorted({c for req in _REQUIRED.values() for c in req})}"
        )
    if "handled_by" in tickets.columns:
        bad = sorted(set(tickets["handled_by"].dropna().unique()) - set(_VALID_HANDLED_BY), key=str)
        if bad:
            raise DataError(
                f"tickets column 'handled_by': values {bad} not allowed; allowed "
                f"{list(_VALID_HANDLED_BY)}"
            )
    for col in ("first_response_min", "resolution_hours", "handoff_min"):
        if col in tickets.columns and not pd.api.types.is_numeric_dtype(tickets[col]):
            raise DataError(f"tickets column {col!r} must be numeric, got {tickets[col].dtype}")


def service_kpis(
    tickets: pd.DataFrame,
    *,
    targets: Mapping[str, float | None] | None = None,
    reply_limit_min: float = 5,
    resolve_limit_h: float = 24,
    handoff_limit_min: float = 30,
    high_severity_limit_min: float = 15,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Service-level KPIs of a ticket log with Wilson intervals, targets and gaps.

    Parameters
    ----------
    tickets : DataFrame
        Ticket log (:data:`csat_research.core.schema.TICKET_COLUMNS`). A KPI whose columns are
        absent is left out of the table.
    targets : mapping, optional
        KPI -> target, merged over :data:`DEFAULT_TARGETS` (``None`` removes a target).
        The survey targets of the study params (csat_mean, csat_top2box, nps) are accepted
        and ignored, so ``params.targets`` can be passed as is.
    reply_limit_min, resolve_limit_h, handoff_limit_min, high_severity_limit_min : float
        Limits of the first-reply (5 min), resolution (24 h), bot-to-human handoff (30 min)
        and high-severity first-reply (15 min) KPIs.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per KPI: ``kpi``, ``value``, ``n`` (base), ``n_missing``, ``ci_low``,
        ``ci_high``, ``target`` (NaN if none), ``met`` (None without target), ``gap``
        (positive = better than target, in the KPI's unit), ``higher_is_better``. KPIs in
        the order of :data:`KPIS`:

        - ``first_reply_5min``: first_response_min <= limit, base all tickets; a missing
          first response counts as *not* within the limit (``n_missing`` says how many);
        - ``resolved_24h``: resolution_hours <= limit, base all tickets, unresolved (NaN)
          counts as not resolved;
        - ``fcr``, ``repeat_rate``, ``escalation_rate``: share of True, base the tickets with
          a non-missing flag;
        - ``bot_containment``: of the tickets the bot started (``bot`` and ``bot_to_human``),
          the share handled by the bot alone (``bot``) *and* resolved;
        - ``handoff_30min``: of ``bot_to_human`` tickets, handoff_min <= limit (missing
          handoff = not within);
        - ``high_severity_15min``: of ``severity == "high"`` tickets, first reply <= limit;
        - ``median_first_response_min``: median of the recorded first responses with a
          distribution-free (order statistic) interval.

    Raises
    ------
    TypeError
        ``tickets`` not a DataFrame; ``targets`` not a mapping.
    DataError
        No KPI column at all; bad ``handled_by`` codes; non-numeric minutes/hours;
        non-boolean flags.
    ValueError
        Unknown KPI in ``targets``; non-positive limits; ``confidence`` outside (0, 1).

    Notes
    -----
    Shares use the Wilson (1927) score interval
    :math:`\\frac{\\hat p + z^2/2n}{1 + z^2/n} \\pm \\frac{z}{1 + z^2/n}
    \\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}`, which stays inside [0, 1] and behaves at 0 % and
    100 % (Newcombe 1998). The Wilson helper is private to this module (a shared one may
    later live in ``csat_research.stats.scoring``). The median interval is the binomial
    order-statistic interval of ``scipy.stats.quantile_test`` (Conover 1999), computed
    directly (equality tested). Tickets are not weighted.

    Validated against Newcombe (1998), Table I (Wilson score intervals: 81/263 ->
    0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0.0000-0.1611, 1/29 -> 0.0061-0.1718).

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
           inference. JASA 22, 209-212.
    .. [2] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
           proportion: comparison of seven methods. Statistics in Medicine 17, 857-872.
    .. [3] Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed., sec. 3.2
           (confidence interval for a quantile).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"first_response_min": [1.0, 2.0, 4.0, 9.0, None]})
    >>> service_kpis(t)[["kpi", "value", "n", "n_missing"]]
                             kpi  value  n  n_missing
    0           first_reply_5min    0.6  5          1
    1  median_first_response_min    3.0  4          1
    """
    _validate_tickets(tickets)
    merged = _merge_targets(targets)
    reply = _check_positive(reply_limit_min, "reply_limit_min")
    resolve = _check_positive(resolve_limit_h, "resolve_limit_h")
    handoff = _check_positive(handoff_limit_min, "handoff_limit_min")
    high = _check_positive(high_severity_limit_min, "high_severity_limit_min")
    confidence = check_confidence(confidence)
    if len(tickets) == 0:
        raise AnalysisError("service_kpis: the ticket log has no rows")
    rows = _compute_kpis(tickets, np.zeros(len(tickets), dtype=np.int64), 1, merged, reply, resolve,
                         handoff, high, confidence)[0]
    return _kpi_frame(rows)


def kpi_trend(
    tickets: pd.DataFrame,
    *,
    freq: str = "W",
    date: str = "created_at",
    targets: Mapping[str, float | None] | None = None,
    reply_limit_min: float = 5,
    resolve_limit_h: float = 24,
    handoff_limit_min: float = 30,
    high_severity_limit_min: float = 15,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Service KPIs per period (week by default): the :func:`service_kpis` table per period.

    Parameters
    ----------
    tickets : DataFrame
        Ticket log with a ``created_at`` datetime column (or ``date``).
    freq : str
        pandas period frequency: ``"W"`` (weeks Monday-Sunday), ``"D"``, ``"M"``, ...
    date : str
        Datetime column assigning tickets to periods.
    targets, reply_limit_min, resolve_limit_h, handoff_limit_min, high_severity_limit_min, confidence
        As in :func:`service_kpis`.

    Returns
    -------
    DataFrame
        ``period`` (Timestamp of the period start), ``period_end``, then the columns of
        :func:`service_kpis`; one row per period x KPI, periods in time order. Periods
        without tickets are not listed.

    Raises
    ------
    DataError
        ``date`` missing or not datetime-like.
    ValueError
        Unknown ``freq``; see :func:`service_kpis`.

    Warns
    -----
    CsatWarning
        Tickets without a creation time (counted) are left out of the trend.

    Notes
    -----
    Each period's rows are exactly :func:`service_kpis` on that period's tickets, so the
    formulas and the validation are those of :func:`service_kpis` (computed in one pass
    over the log and counted per period; a flag that is not boolean is reported with its
    count in the first period where it occurs).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-03-02", "2026-03-04",
    ...                                                 "2026-03-10"]),
    ...                   "first_response_min": [1.0, 8.0, 2.0]})
    >>> tr = kpi_trend(t)
    >>> tr.loc[tr["kpi"] == "first_reply_5min", ["period", "value", "n"]]
          period  value  n
    0 2026-03-02    0.5  2
    2 2026-03-09    1.0  1
    """
    _validate_tickets(tickets)
    if not isinstance(date, str) or date not in tickets.columns:
        raise DataError(f"date: column {date!r} not found in tickets")
    when = tickets[date]
    if not pd.api.types.is_datetime64_any_dtype(when):
        raise DataError(f"tickets column {date!r} must be datetime, got dtype {when.dtype}")
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_localize(None)  # periods in the local wall-clock time
    try:
        periods = when.dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"freq must be a pandas period frequency such as 'W', 'D', 'M'; "
                         f"got {freq!r} ({exc})") from None
    n_na = int(when.isna().sum())
    if n_na:
        warnings.warn(f"kpi_trend: {n_na} of {len(tickets)} tickets have no {date!r} and are "
                      "left out", CsatWarning, stacklevel=2)
    merged = _merge_targets(targets)
    reply = _check_positive(reply_limit_min, "reply_limit_min")
    resolve = _check_positive(resolve_limit_h, "resolve_limit_h")
    handoff = _check_positive(handoff_limit_min, "handoff_limit_min")
    high = _check_positive(high_severity_limit_min, "high_severity_limit_min")
    confidence = check_confidence(confidence)
    codes, uniques = pd.factorize(periods, sort=True)  # periods in time order, NaT -> -1
    if len(uniques) == 0:
        raise AnalysisError(f"kpi_trend: no ticket has a {date!r} value")
    groups = _compute_kpis(tickets, np.asarray(codes, dtype=np.int64), len(uniques), merged, reply,
                           resolve, handoff, high, confidence)
    out = _kpi_frame([row for rows in groups for row in rows])
    per_period = len(groups[0])
    out.insert(0, "period_end", uniques.end_time.normalize().repeat(per_period))
    out.insert(0, "period", uniques.start_time.repeat(per_period))
    return out


# ----------------------------------------------------------------------------------------
# survey x tickets
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpectationGapResult:
    """Result of :func:`expectation_gap`.

    Attributes
    ----------
    table : DataFrame
        One row per matched respondent: the ``on`` column, ``expected_min``,
        ``actual_min`` (the customer's median first response), ``n_tickets``,
        ``gap_min`` (actual - expected) and ``exceeded`` (actual > expected).
    n : int
        Matched respondents with an expectation.
    share_exceeded, ci_low, ci_high : float
        Share whose wait exceeded their expectation, Wilson interval.
    median_expected, median_actual : float
    n_respondents : int
        Survey rows given.
    n_missing_expected : int
        Respondents without a stated expectation.
    n_unmatched_respondents : int
        Respondents (with an expectation) without any ticket with a first response.
    n_unknown_customers : int
        Distinct ticket customers that are not in the survey.
    n_tickets_unmatched : int
        Tickets of those customers.
    n_tickets_unusable : int
        Tickets without a customer key or without a recorded first response (not used).
    """

    table: pd.DataFrame
    n: int
    share_exceeded: float
    ci_low: float
    ci_high: float
    median_expected: float
    median_actual: float
    n_respondents: int
    n_missing_expected: int
    n_unmatched_respondents: int
    n_unknown_customers: int
    n_tickets_unmatched: int
    n_tickets_unusable: int

    def to_frame(self) -> pd.DataFrame:
        """One-row summary (every attribute but ``table``)."""
        d = {k: v for k, v in self.__dict__.items() if k != "table"}
        return pd.DataFrame([d])


def _customer_wait(survey: pd.DataFrame, tickets: pd.DataFrame, on: str,
                   agg: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per survey row, the aggregated first response of the customer's tickets and their number
    (NaN without a usable ticket), plus join counts.

    The survey's and the tickets' keys are factorized together once; the duplicate check, the
    per-customer aggregation, the join and the count of tickets of customers not in the survey
    all work on those integer codes (a merge on a million string keys factorized them again)."""
    check_frame(survey, "survey")
    check_frame(tickets, "tickets")
    if not isinstance(on, str):
        raise TypeError(f"on must be a column name, got {on!r}")
    for name, df, cols in (("survey", survey, [on]),
                           ("tickets", tickets, [on, "first_response_min"])):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise DataError(f"{name}: column(s) {missing} not found")
    if agg not in ("median", "mean", "first", "max"):
        raise ValueError(f"agg must be one of ['median', 'mean', 'first', 'max'], got {agg!r}")
    if not pd.api.types.is_numeric_dtype(tickets["first_response_min"]):
        raise DataError("tickets column 'first_response_min' must be numeric")
    codes, _ = pd.factorize(pd.concat([survey[on], tickets[on]], ignore_index=True), use_na_sentinel=True)
    s_codes, t_codes = codes[: len(survey)], codes[len(survey):]
    k = int(codes.max(initial=-1)) + 1
    per_key = np.bincount(s_codes[s_codes >= 0], minlength=k)
    dup = int(per_key.sum() - np.count_nonzero(per_key))
    if dup:
        raise DataError(f"survey: {dup} duplicated {on!r} value(s); one row per respondent")
    response = tickets["first_response_min"]
    usable = response.notna().to_numpy() & (t_codes >= 0)
    t = tickets.loc[usable].reset_index(drop=True)
    key = t_codes[usable]
    if agg == "first" and "created_at" in t.columns:
        t = t.sort_values("created_at", kind="stable")
        key = key[t.index.to_numpy()]
    grouped = pd.Series(t["first_response_min"].to_numpy(), dtype=response.dtype).groupby(key, sort=False)
    # the last slot stands for a missing key (code -1)
    actual = np.full(k + 1, np.nan)
    n_tickets = np.full(k + 1, np.nan)
    value = getattr(grouped, agg)()
    actual[value.index.to_numpy()] = value.to_numpy(dtype=float)
    size = grouped.size()
    n_tickets[size.index.to_numpy()] = size.to_numpy(dtype=float)
    in_survey = np.append(per_key > 0, False)
    unknown = (t_codes >= 0) & ~in_survey[t_codes]
    counts = {
        "n_unknown_customers": int(np.unique(t_codes[unknown]).size),
        "n_tickets_unmatched": int(unknown.sum()),
        "n_tickets_unusable": int((tickets[on].isna() | tickets["first_response_min"].isna()).sum()),
    }
    return actual[s_codes], n_tickets[s_codes], counts


def expectation_gap(
    survey: pd.DataFrame,
    tickets: pd.DataFrame,
    *,
    expected: str = "expected_reply_min",
    on: str = "customer_id",
    agg: str = "median",
    confidence: float = 0.95,
) -> ExpectationGapResult:
    """Compare each respondent's expected first-reply time with the wait they actually had.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent with ``on`` and the stated expectation (minutes).
    tickets : DataFrame
        Ticket log with ``on`` and ``first_response_min``.
    expected : str
        Survey column of the expected first-reply minutes.
    on : str
        Join key (``customer_id``; ``order_id`` also works).
    agg : {"median", "mean", "first", "max"}
        How a customer's several tickets become one actual wait. Default: the median
        first response of the customer's tickets (robust to one bad ticket).
    confidence : float
        Level of the Wilson interval of ``share_exceeded``.

    Returns
    -------
    ExpectationGapResult

    Raises
    ------
    TypeError, DataError, ValueError
        Wrong types; missing columns; duplicated respondents; non-numeric values;
        bad ``agg``/``confidence``.
    AnalysisError
        No respondent could be matched to a ticket.

    Warns
    -----
    CsatWarning
        Respondents without tickets and tickets of customers outside the survey (counts).

    Notes
    -----
    Join: survey rows (many-to-one) to the per-customer aggregate of the tickets with a
    recorded first response. Respondents with no expectation, or with no such ticket, and
    tickets of customers who are not in the survey are counted in the result, never
    dropped silently. ``exceeded`` is strict (waiting exactly as long as expected is not
    exceeding). Share interval: Wilson (see :func:`service_kpis`).

    Validated through the Wilson interval against Newcombe (1998) Table I.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Statistics in Medicine 17, 857-872.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
    ...                        "expected_reply_min": [5.0, 10.0, 3.0]})
    >>> tickets = pd.DataFrame({"customer_id": ["C1", "C1", "C2"],
    ...                         "first_response_min": [4.0, 12.0, 2.0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = expectation_gap(survey, tickets)
    >>> res.table[["customer_id", "expected_min", "actual_min", "exceeded"]]
      customer_id  expected_min  actual_min  exceeded
    0          C1           5.0         8.0      True
    1          C2          10.0         2.0     False
    >>> res.share_exceeded, res.n_unmatched_respondents
    (0.5, 1)
    """
    actual, n_tickets, counts = _customer_wait(survey, tickets, on, agg)
    if not isinstance(expected, str) or expected not in survey.columns:
        raise DataError(f"expected: column {expected!r} not found in survey")
    if not pd.api.types.is_numeric_dtype(survey[expected]):
        raise DataError(f"survey column {expected!r} must be numeric minutes, got "
                        f"{survey[expected].dtype}")
    confidence = check_confidence(confidence)
    has_exp = survey[expected].notna() & survey[on].notna()
    n_missing_expected = int((~has_exp).sum())
    base = survey.loc[has_exp, [on, expected]].rename(columns={expected: "expected_min"})
    rows = has_exp.to_numpy()
    joined = base.assign(actual_min=actual[rows], n_tickets=n_tickets[rows])
    matched = joined["actual_min"].notna()
    n_unmatched = int((~matched).sum())
    table = joined.loc[matched].reset_index(drop=True)
    table["n_tickets"] = table["n_tickets"].astype(int)
    table["gap_min"] = table["actual_min"] - table["expected_min"]
    table["exceeded"] = table["actual_min"] > table["expected_min"]
    table = table[[on, "expected_min", "actual_min", "n_tickets", "gap_min", "exceeded"]]
    if n_unmatched or counts["n_unknown_customers"] or counts["n_tickets_unusable"]:
        warnings.warn(
            CsatWarning(
                f"expectation_gap: {n_unmatched} respondent(s) have no ticket with a first "
                f"response; {counts['n_tickets_unmatched']} ticket(s) of "
                f"{counts['n_unknown_customers']} customer(s) are not in the survey; "
                f"{counts['n_tickets_unusable']} ticket(s) lack a {on!r} or a first response",
                kind="tickets_unmatched", analysis="expectation_gap", n_respondents_left=n_unmatched,
                n_tickets_unmatched=int(counts["n_tickets_unmatched"]),
                n_tickets_unusable=int(counts["n_tickets_unusable"]),
            ),
            stacklevel=2,
        )
    if len(table) == 0:
        raise AnalysisError(
            f"expectation_gap: no respondent with an expectation matches a ticket on {on!r}"
        )
    k = float(table["exceeded"].sum())
    lo, hi = _wilson(k, len(table), confidence)
    return ExpectationGapResult(
        table=table,
        n=len(table),
        share_exceeded=k / len(table),
        ci_low=lo,
        ci_high=hi,
        median_expected=float(table["expected_min"].median()),
        median_actual=float(table["actual_min"].median()),
        n_respondents=len(survey),
        n_missing_expected=n_missing_expected,
        n_unmatched_respondents=n_unmatched,
        n_unknown_customers=counts["n_unknown_customers"],
        n_tickets_unmatched=counts["n_tickets_unmatched"],
        n_tickets_unusable=counts["n_tickets_unusable"],
    )


def satisfaction_by_wait(
    survey: pd.DataFrame,
    tickets: pd.DataFrame,
    *,
    score: str,
    bins: Sequence[float] = (0, 1, 5, 15, 30, 60, math.inf),
    on: str = "customer_id",
    agg: str = "median",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean satisfaction with a t interval per band of the actual first-reply wait.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent with ``on`` and ``score``.
    tickets : DataFrame
        Ticket log with ``on`` and ``first_response_min``.
    score : str
        Numeric satisfaction column (e.g. overall satisfaction 1-5).
    bins : sequence of float
        Increasing band edges in minutes; bands are left-closed ``[a, b)``.
    on, agg : str
        Join key and per-customer aggregation as in :func:`expectation_gap`.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per band: ``wait_band`` (label ``"[a, b)"``), ``lower``, ``upper``, ``n``,
        ``mean``, ``sd``, ``ci_low``, ``ci_high``. Empty bands have n = 0 and NaN
        statistics.

    Raises
    ------
    TypeError, DataError, ValueError
        As :func:`expectation_gap`; bins not increasing or fewer than two edges.

    Warns
    -----
    CsatWarning
        Respondents left out (no score, no ticket, or wait outside the bins) and tickets of
        customers not in the survey, with counts.

    Notes
    -----
    Interval :math:`\\bar x \\pm t_{n-1}\\, s/\\sqrt n`. Validated against R's ``t.test`` on
    the Cushny-Peebles ``sleep`` differences (mean 1.58, CI 0.7001142 to 2.4598858).

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6, 1-25.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
    ...                        "overall": [5, 4, 2, 3]})
    >>> tickets = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
    ...                         "first_response_min": [0.5, 0.8, 40.0, 45.0]})
    >>> out = satisfaction_by_wait(survey, tickets, score="overall", bins=(0, 1, 30, 60))
    >>> out[["wait_band", "n", "mean"]]
      wait_band  n  mean
    0    [0, 1)  2   4.5
    1   [1, 30)  0   NaN
    2  [30, 60)  2   2.5
    """
    actual, _, counts = _customer_wait(survey, tickets, on, agg)
    if not isinstance(score, str) or score not in survey.columns:
        raise DataError(f"score: column {score!r} not found in survey")
    if not pd.api.types.is_numeric_dtype(survey[score]):
        raise DataError(f"survey column {score!r} must be numeric, got {survey[score].dtype}")
    confidence = check_confidence(confidence)
    edges = np.asarray(list(bins), dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or not np.all(np.diff(edges) > 0):
        raise ValueError(f"bins must be at least two strictly increasing edges, got {bins!r}")
    rows = (survey[score].notna() & survey[on].notna()).to_numpy()
    joined = survey.loc[rows, [on, score]].assign(actual_min=actual[rows])
    band = pd.cut(joined["actual_min"], edges, right=False)
    used = band.notna()
    n_left = len(survey) - int(used.sum())
    if n_left or counts["n_unknown_customers"] or counts["n_tickets_unusable"]:
        warnings.warn(
            CsatWarning(
                f"satisfaction_by_wait: {n_left} of {len(survey)} respondents left out (no "
                f"{score!r}, no ticket or wait outside the bins); "
                f"{counts['n_tickets_unmatched']} ticket(s) of {counts['n_unknown_customers']} "
                f"customer(s) are not in the survey; {counts['n_tickets_unusable']} ticket(s) "
                f"lack a {on!r} or a first response",
                kind="cases_dropped", analysis="satisfaction_by_wait", n_used=len(survey) - n_left,
                n_total=len(survey),
            ),
            stacklevel=2,
        )
    rows = []
    for lo_edge, hi_edge, interval in zip(edges[:-1], edges[1:], band.cat.categories):
        x = joined.loc[(band == interval).to_numpy(), score].to_numpy(dtype=float)
        n = len(x)
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        if n > 1:
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
            lo, hi = mean - half, mean + half
        else:
            lo = hi = np.nan
        rows.append({"wait_band": f"[{lo_edge:g}, {hi_edge:g})", "lower": lo_edge,
                     "upper": hi_edge, "n": n, "mean": mean, "sd": sd, "ci_low": lo,
                     "ci_high": hi})
    return pd.DataFrame(rows)
