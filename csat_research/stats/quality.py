"""Data-quality screening of survey responses: careless answering, speeders and duplicates.

:func:`screen` applies six rules and returns a :class:`ScreeningResult` that keeps every
decision visible: a flag per rule and respondent, a summary per rule, the kept rows and an
audit trail of the excluded ones. The input frame is never modified and nothing is dropped
silently.

Rules (column names of ``flags``):

``trap``
    An attention / trap item answered outside its acceptable codes.
``reverse_contradiction``
    A reverse-keyed item contradicts its positively keyed twin:
    ``|twin - (min + max - reverse)| >= contradiction_gap``.
``straightline``
    The longest run of identical consecutive answers in the Likert grid reaches
    ``straightline_min_run`` (default: the whole grid).
``speeder``
    Completion time below ``speed_share`` x the median completion time.
``duplicate_id``
    A respondent id seen before (the first submission is kept).
``repeat_customer``
    A customer taking part again within ``duplicate_window_days`` of their last counted
    participation (the incentive rule "once per customer per six months").

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({
...     "respondent_id": ["r1", "r2", "r3"], "customer_id": ["c1", "c2", "c1"],
...     "submitted_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-02-01"]),
...     "duration_sec": [300.0, 60.0, 280.0],
...     "q1": [4.0, 3.0, 5.0], "q2": [5.0, 3.0, 4.0], "q3": [4.0, 3.0, 2.0], "trap": [2.0, 2.0, 4.0]})
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     res = screen(df, traps={"trap": [2]}, grid=["q1", "q2", "q3"])
>>> res.flags["reasons"].tolist()
['', 'straightline; speeder', 'trap; repeat_customer']
>>> res.kept["respondent_id"].tolist()
['r1']
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.checks import check_frame
from csat_research.core.errors import CsatWarning, DataError
from csat_research.core.schema import DEFAULT_RULE_ACTIONS, QUALITY_RULES, RULE_ACTIONS

__all__ = ["ScreeningResult", "longest_run", "screen"]



@dataclass(frozen=True, eq=False)
class ScreeningResult:
    """Outcome of :func:`screen`.

    Attributes
    ----------
    flags : pandas.DataFrame
        One row per respondent (index of the input): the id column (when given), one bool
        column per rule (:data:`QUALITY_RULES`), ``n_flags`` (rules triggered), ``reasons``
        (``"; "``-joined rule names, ``""`` when clean), ``excluded`` (a triggered rule has
        action ``"exclude"``) and ``longest_run`` (longest identical run in the grid; 0 when no
        grid was given).
    summary : pandas.DataFrame
        One row per rule: ``rule``, ``action``, ``evaluated`` (the rule was run),
        ``n_evaluated`` (respondents the rule could be evaluated for), ``n_flagged``,
        ``share`` (``n_flagged`` / all respondents), ``n_excluded`` (flagged and excluded by
        this rule; a respondent excluded by two rules counts in both rows).
    kept : pandas.DataFrame
        The input rows not excluded (a copy; flagged-only rows stay in).
    audit : pandas.DataFrame
        The excluded rows: the id column (when given), ``n_flags`` and ``reasons``, indexed
        like the input.
    actions : dict
        The action used per rule.
    """

    flags: pd.DataFrame
    summary: pd.DataFrame
    kept: pd.DataFrame
    audit: pd.DataFrame
    actions: dict[str, str] = field(default_factory=dict)

    @property
    def n_total(self) -> int:
        """Respondents screened."""
        return len(self.flags)

    @property
    def n_excluded(self) -> int:
        """Respondents excluded."""
        return int(self.flags["excluded"].sum())

    @property
    def n_kept(self) -> int:
        """Respondents kept."""
        return self.n_total - self.n_excluded

    def to_frame(self) -> pd.DataFrame:
        """The per-rule summary table."""
        return self.summary.copy()


# --------------------------------------------------------------------------- building blocks
def longest_run(block: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers per row, skipping missing answers.

    Parameters
    ----------
    block : numpy.ndarray
        n x k codes in grid order, ``NaN`` = missing.

    Returns
    -------
    numpy.ndarray
        Integer array of length n (0 for a row with no answer).

    Notes
    -----
    Missing answers neither break nor extend a run: ``[3, NaN, 3]`` is a run of 2. Vectorised
    over respondents (one pass per grid column).

    Examples
    --------
    >>> import numpy as np
    >>> longest_run(np.array([[3, 3, np.nan, 3, 1], [1, 2, 3, 4, 5], [np.nan] * 5])).tolist()
    [3, 1, 0]
    """
    a = np.asarray(block, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"`block` must be 2-D (respondents x items); got shape {a.shape}")
    n, k = a.shape
    run = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int64)
    last = np.full(n, np.nan)
    for j in range(k):
        v = a[:, j]
        answered = ~np.isnan(v)
        same = answered & (v == last)
        run = np.where(same, run + 1, np.where(answered, 1, run))
        last = np.where(answered, v, last)
        np.maximum(best, run, out=best)
    return best


def _columns_exist(data: pd.DataFrame, cols: Sequence[str], param: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(
            f"column(s) {missing} named in `{param}` not found in data "
            f"(pass None to skip the rule); columns start with {list(data.columns)[:12]}"
        )


def _codes(data: pd.DataFrame, cols: Sequence[str], param: str) -> np.ndarray:
    bad = [c for c in cols if pd.api.types.is_bool_dtype(data[c])
           or not (pd.api.types.is_numeric_dtype(data[c]) or data[c].isna().all())]
    if bad:
        raise DataError(
            f"column(s) named in `{param}` must hold numeric codes; got dtypes "
            f"{ {c: str(data[c].dtype) for c in bad[:5]} }"
        )
    return data[list(cols)].to_numpy(dtype=np.float64, na_value=np.nan)


def _check_actions(actions: Mapping[str, str] | None) -> dict[str, str]:
    if actions is None:
        return dict(DEFAULT_RULE_ACTIONS)
    if not isinstance(actions, Mapping):
        raise TypeError(f"`actions` must be a mapping rule -> 'flag' | 'exclude'; got {type(actions).__name__}")
    unknown = sorted(set(actions) - set(QUALITY_RULES))
    if unknown:
        raise ValueError(f"`actions` names unknown rule(s) {unknown}; allowed: {', '.join(QUALITY_RULES)}")
    bad = {k: v for k, v in actions.items() if v not in RULE_ACTIONS}
    if bad:
        raise ValueError(f"`actions` values must be 'flag' or 'exclude'; got {bad}")
    return {**DEFAULT_RULE_ACTIONS, **dict(actions)}


def _as_names(x: Any, param: str) -> list[str]:
    if isinstance(x, str) or not isinstance(x, Sequence | pd.Index):
        raise TypeError(f"`{param}` must be a sequence of column names; got {x!r}")
    names = list(x)
    if any(not isinstance(c, str) for c in names):
        raise TypeError(f"`{param}` must hold column names (str); got {names[:5]!r}")
    return names


def _rule_trap(data: pd.DataFrame, traps: Mapping[str, Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(traps, Mapping):
        raise TypeError(f"`traps` must be a mapping item -> acceptable codes; got {type(traps).__name__}")
    items = list(traps)
    _columns_exist(data, items, "traps")
    block = _codes(data, items, "traps")
    fail = np.zeros(len(data), dtype=bool)
    evaluated = np.zeros(len(data), dtype=bool)
    for j, item in enumerate(items):
        ok_codes = traps[item]
        if isinstance(ok_codes, str) or not isinstance(ok_codes, Sequence | set | frozenset | np.ndarray):
            raise TypeError(f"`traps[{item!r}]` must be a sequence of acceptable codes; got {ok_codes!r}")
        if len(ok_codes) == 0:
            raise ValueError(f"`traps[{item!r}]` lists no acceptable code")
        v = block[:, j]
        answered = ~np.isnan(v)
        evaluated |= answered
        fail |= answered & ~np.isin(v, np.asarray(list(ok_codes), dtype=np.float64))
    return fail, evaluated


def _rule_reverse(
    data: pd.DataFrame, pairs: Mapping[str, str], lo: float, hi: float, gap: float
) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(pairs, Mapping):
        raise TypeError(f"`reverse_pairs` must be a mapping reverse item -> twin; got {type(pairs).__name__}")
    rev = list(pairs)
    twins = [pairs[r] for r in rev]
    if any(not isinstance(t, str) for t in twins):
        raise TypeError(f"`reverse_pairs` values must be column names; got {twins!r}")
    _columns_exist(data, rev + twins, "reverse_pairs")
    a = _codes(data, rev, "reverse_pairs")
    b = _codes(data, twins, "reverse_pairs")
    for block, cols in ((a, rev), (b, twins)):
        out = (block < lo) | (block > hi)
        if out.any():
            raise DataError(
                f"{int(out.sum())} code(s) in `reverse_pairs` columns lie outside the scale [{lo:g}, {hi:g}]: "
                f"values {np.unique(block[out])[:10].tolist()} in column(s) "
                f"{[cols[j] for j in np.flatnonzero(out.any(axis=0))][:10]}"
            )
    both = ~np.isnan(a) & ~np.isnan(b)
    with np.errstate(invalid="ignore"):
        contra = both & (np.abs(b - ((lo + hi) - a)) >= gap)
    return contra.any(axis=1), both.any(axis=1)


def _rule_speeder(data: pd.DataFrame, col: str, share: float) -> tuple[np.ndarray, np.ndarray]:
    _columns_exist(data, [col], "duration_col")
    d = _codes(data, [col], "duration_col")[:, 0]
    neg = d < 0
    if neg.any():
        raise DataError(f"column {col!r} (`duration_col`) holds {int(neg.sum())} negative duration(s)")
    ok = ~np.isnan(d)
    if not ok.any():
        return np.zeros(len(d), dtype=bool), ok
    median = float(np.median(d[ok]))
    with np.errstate(invalid="ignore"):
        return ok & (d < share * median), ok


def _order(data: pd.DataFrame, date_col: str | None) -> np.ndarray:
    """Positions in submission order (by date when given, ties and missing dates by row order)."""
    if date_col is None or date_col not in data.columns:
        return np.arange(len(data))
    t = data[date_col].to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(t)
    key = t.astype(np.int64).copy()
    key[nat] = np.iinfo(np.int64).max
    return np.argsort(key, kind="stable")


def _check_dates(data: pd.DataFrame, date_col: str) -> None:
    _columns_exist(data, [date_col], "date_col")
    if not pd.api.types.is_datetime64_any_dtype(data[date_col]):
        raise DataError(
            f"column {date_col!r} (`date_col`) must be datetime64; got {data[date_col].dtype} "
            "(convert with pandas.to_datetime in the ingest step)"
        )


def _rule_duplicate_id(data: pd.DataFrame, id_col: str, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _columns_exist(data, [id_col], "id_col")
    ids = data[id_col].iloc[order]
    ok_sorted = ids.notna().to_numpy()
    dup_sorted = ids.duplicated(keep="first").to_numpy() & ok_sorted
    flag = np.zeros(len(data), dtype=bool)
    flag[order] = dup_sorted
    evaluated = np.zeros(len(data), dtype=bool)
    evaluated[order] = ok_sorted
    return flag, evaluated


def _rule_repeat_customer(
    data: pd.DataFrame, customer_col: str, date_col: str, window_days: float
) -> tuple[np.ndarray, np.ndarray]:
    _columns_exist(data, [customer_col], "customer_col")
    _check_dates(data, date_col)
    n = len(data)
    cust = data[customer_col]
    t = data[date_col].to_numpy(dtype="datetime64[ns]")
    ok = cust.notna().to_numpy() & ~np.isnat(t)
    flag = np.zeros(n, dtype=bool)
    if not ok.any():
        return flag, ok
    pos = np.flatnonzero(ok)
    codes, _ = pd.factorize(cust.iloc[pos])
    tt = t[pos].astype(np.int64)
    srt = np.lexsort((np.arange(len(pos)), tt, codes))  # by customer, then time, then row
    codes, tt, pos = codes[srt], tt[srt], pos[srt]
    window = np.int64(round(window_days * 86_400 * 1e9))
    unresolved = np.ones(len(pos), dtype=bool)
    repeat = np.zeros(len(pos), dtype=bool)
    # Each pass: per customer, the first unresolved submission is an anchor (a counted
    # participation); unresolved submissions within the window after it are repeats.
    while unresolved.any():
        idx = np.flatnonzero(unresolved)
        c = codes[idx]
        first = np.r_[True, c[1:] != c[:-1]]
        anchor_t = tt[idx[first]][np.cumsum(first) - 1]
        within = (tt[idx] - anchor_t) < window
        repeat[idx[within & ~first]] = True
        unresolved[idx[within | first]] = False
    flag[pos] = repeat
    return flag, ok


# --------------------------------------------------------------------------- screen
def screen(
    data: pd.DataFrame,
    *,
    traps: Mapping[str, Sequence[float]] | None = None,
    reverse_pairs: Mapping[str, str] | None = None,
    grid: Sequence[str] | None = None,
    straightline_min_run: int | None = None,
    speed_share: float = 0.35,
    duration_col: str | None = "duration_sec",
    id_col: str | None = "respondent_id",
    customer_col: str | None = "customer_id",
    date_col: str | None = "submitted_at",
    duplicate_window_days: float = 182,
    contradiction_gap: float = 3,
    scale: tuple[float, float] = (1, 5),
    actions: Mapping[str, str] | None = None,
) -> ScreeningResult:
    """Screen survey responses for careless answering, speeding and repeated participation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (the canonical frame).
    traps : mapping of str to sequence of float, optional
        Trap item -> acceptable codes (e.g. ``{"trap_attention": [2], "trap_rude": [1, 2, 3]}``).
        ``None`` skips the rule.
    reverse_pairs : mapping of str to str, optional
        Reverse-keyed item -> its positively keyed twin. ``None`` skips the rule.
    grid : sequence of str, optional
        The Likert grid items in questionnaire order (for straightlining). ``None`` skips it.
    straightline_min_run : int, optional
        Flag when the longest identical run reaches this length; default ``len(grid)`` (the
        whole grid answered identically).
    speed_share : float, default 0.35
        Speeders take less than ``speed_share`` x the median of ``duration_col``.
    duration_col, id_col, customer_col, date_col : str or None
        Metadata columns (canonical names by default); ``None`` skips the rules needing them.
        ``date_col`` orders submissions for the duplicate rules.
    duplicate_window_days : float, default 182
        Window of the "one participation per customer per six months" rule.
    contradiction_gap : float, default 3
        Reverse/twin contradiction threshold on the twin's scale.
    scale : (float, float), default (1, 5)
        Scale of the reverse-keyed items.
    actions : mapping of rule to "flag" | "exclude", optional
        Overrides of :data:`DEFAULT_RULE_ACTIONS`.

    Returns
    -------
    ScreeningResult
        ``flags``, ``summary``, ``kept``, ``audit`` (see :class:`ScreeningResult`).

    Raises
    ------
    TypeError
        ``data`` not a DataFrame, arguments of the wrong type.
    ValueError
        Unknown rules or actions, impossible thresholds.
    DataError
        A named column is missing, non-numeric codes, reverse-pair codes off the scale,
        negative durations, ``date_col`` not datetime64.

    Warns
    -----
    CsatWarning
        When respondents are excluded (counts per rule).

    Notes
    -----
    * *trap*: flagged when any trap item is answered with a code not in its acceptable set.
    * *reverse_contradiction*: flagged when, for any pair with both answers present,
      :math:`|x_{twin} - (\\min + \\max - x_{rev})| \\ge gap` (e.g. "very satisfied with reply
      speed" and "strongly agree I waited long").
    * *straightline*: longest run of identical consecutive answers among the answered grid
      items (missing answers skipped) :math:`\\ge` ``straightline_min_run`` (Meade & Craig 2012
      "long-string" index).
    * *speeder*: :math:`duration < share \\times median(duration)` (Greszki, Meyer & Schoen
      2015 use relative speed; 0.3-0.4 of the median is common).
    * *duplicate_id*: the first submission of an id (in ``date_col`` order, then row order)
      is kept, later ones flagged.
    * *repeat_customer*: per customer in time order, a submission is counted; submissions
      less than ``duplicate_window_days`` after the last counted one are flagged; the first
      one after the window is counted again. All submissions take part, whatever the other
      rules decide.

    *Missing data*: a rule is not evaluated for a respondent whose inputs are missing (no
    trap answered, no complete reverse pair, missing duration, id, customer or date); such
    respondents are not flagged and the ``n_evaluated`` column of ``summary`` shows how many
    were evaluated. Nothing is dropped except by an ``exclude`` action, and every exclusion
    is listed in ``audit``.

    Validated on hand-made frames with known flags and on the demo study's planted careless
    respondents (``tests/test_quality.py``).

    References
    ----------
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    *Psychological Methods*, 17(3), 437-455.

    Greszki, R., Meyer, M., & Schoen, H. (2015). Exploring the effects of removing "too fast"
    responses and respondents from web surveys. *Public Opinion Quarterly*, 79(2), 471-503.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"respondent_id": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]})
    >>> r = screen(df, duration_col=None, customer_col=None, date_col=None,
    ...            actions={"duplicate_id": "flag"})
    >>> r.flags["duplicate_id"].tolist(), r.n_kept
    ([False, False, True], 3)
    >>> r.summary.loc[r.summary["rule"] == "duplicate_id", ["n_evaluated", "n_flagged"]].to_dict("records")
    [{'n_evaluated': 3, 'n_flagged': 1}]
    """
    check_frame(data)
    acts = _check_actions(actions)
    lo, hi = float(scale[0]), float(scale[1])
    if not lo < hi:
        raise ValueError(f"`scale` must be (min, max) with min < max; got {scale!r}")
    if isinstance(speed_share, bool) or not isinstance(speed_share, int | float) or not 0 < speed_share < 1:
        raise ValueError(f"`speed_share` must lie in (0, 1), e.g. 0.35; got {speed_share!r}")
    if isinstance(contradiction_gap, bool) or not isinstance(contradiction_gap, int | float) or not (
        0 < contradiction_gap <= hi - lo
    ):
        raise ValueError(f"`contradiction_gap` must lie in (0, {hi - lo:g}]; got {contradiction_gap!r}")
    if isinstance(duplicate_window_days, bool) or not isinstance(duplicate_window_days, int | float) or (
        duplicate_window_days < 0
    ):
        raise ValueError(f"`duplicate_window_days` must be a non-negative number; got {duplicate_window_days!r}")
    for name, col in (("duration_col", duration_col), ("id_col", id_col),
                      ("customer_col", customer_col), ("date_col", date_col)):
        if col is not None and not isinstance(col, str):
            raise TypeError(f"`{name}` must be a column name or None; got {col!r}")

    n = len(data)
    flags: dict[str, np.ndarray] = {}
    evaluated: dict[str, np.ndarray | None] = {}
    none = np.zeros(n, dtype=bool)

    if traps is not None:
        flags["trap"], evaluated["trap"] = _rule_trap(data, traps)
    if reverse_pairs is not None:
        flags["reverse_contradiction"], evaluated["reverse_contradiction"] = _rule_reverse(
            data, reverse_pairs, lo, hi, float(contradiction_gap)
        )
    runs = np.zeros(n, dtype=np.int64)
    if grid is not None:
        items = _as_names(grid, "grid")
        if len(items) < 2:
            raise ValueError(f"`grid` needs at least 2 items for straightlining; got {items}")
        _columns_exist(data, items, "grid")
        min_run = len(items) if straightline_min_run is None else straightline_min_run
        if isinstance(min_run, bool) or not isinstance(min_run, int | np.integer) or not 2 <= min_run <= len(items):
            raise ValueError(
                f"`straightline_min_run` must be an int in 2..{len(items)} (the grid length); got {min_run!r}"
            )
        block = _codes(data, items, "grid")
        runs = longest_run(block)
        flags["straightline"] = runs >= min_run
        evaluated["straightline"] = (~np.isnan(block)).sum(axis=1) >= min_run
    if duration_col is not None:
        flags["speeder"], evaluated["speeder"] = _rule_speeder(data, duration_col, float(speed_share))
    if date_col is not None:
        _check_dates(data, date_col)
    order = _order(data, date_col)
    if id_col is not None:
        flags["duplicate_id"], evaluated["duplicate_id"] = _rule_duplicate_id(data, id_col, order)
    if customer_col is not None and date_col is not None:
        flags["repeat_customer"], evaluated["repeat_customer"] = _rule_repeat_customer(
            data, customer_col, date_col, float(duplicate_window_days)
        )

    table = pd.DataFrame(index=data.index)
    if id_col is not None:
        table[id_col] = data[id_col].to_numpy()
    for rule in QUALITY_RULES:
        table[rule] = flags.get(rule, none)
    matrix = table[list(QUALITY_RULES)].to_numpy(dtype=bool)
    table["n_flags"] = matrix.sum(axis=1)
    # the reasons of a row: its rules joined with "; " in QUALITY_RULES order, built once per
    # distinct combination of rules (a handful), not per respondent
    reasons = np.full(n, "", dtype=object)
    flagged = np.flatnonzero(table["n_flags"].to_numpy() > 0)
    if flagged.size:
        combos, inverse = np.unique(matrix[flagged], axis=0, return_inverse=True)
        texts = np.array(["; ".join(r for r, hit in zip(QUALITY_RULES, combo) if hit) for combo in combos],
                         dtype=object)
        reasons[flagged] = texts[inverse.reshape(-1)]
    table["reasons"] = pd.Series(reasons, index=data.index, dtype=object).astype(str)
    exclude_rules = [r for r in QUALITY_RULES if acts[r] == "exclude"]
    excluded = table[exclude_rules].to_numpy(dtype=bool).any(axis=1) if exclude_rules else none
    table["excluded"] = excluded
    table["longest_run"] = runs

    rows = []
    for rule in QUALITY_RULES:
        ran = rule in flags
        f = flags.get(rule, none)
        ev = evaluated.get(rule)
        rows.append(
            {
                "rule": rule,
                "action": acts[rule],
                "evaluated": ran,
                "n_evaluated": int(ev.sum()) if ran and ev is not None else 0,
                "n_flagged": int(f.sum()),
                "share": float(f.sum() / n) if n else 0.0,
                "n_excluded": int(f.sum()) if acts[rule] == "exclude" else 0,
            }
        )
    summary = pd.DataFrame(rows)
    kept = data.iloc[np.flatnonzero(~excluded)]  # a new frame (positions taken), not a view
    audit_cols = ([id_col] if id_col is not None else []) + ["n_flags", "reasons"]
    audit = table.loc[excluded, audit_cols].copy()
    n_excl = int(excluded.sum())
    if n_excl:
        detail = ", ".join(f"{r['rule']}: {r['n_excluded']}" for r in rows if r["n_excluded"])
        warnings.warn(
            f"screen excluded {n_excl} of {n} respondents ({detail}); see ScreeningResult.audit",
            CsatWarning,
            stacklevel=2,
        )
    return ScreeningResult(table, summary, kept, audit, acts)
