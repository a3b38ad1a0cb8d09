"""Earlier waves of a study: find them (params ``history``, the study store), compare with them.

:func:`wave_history` is called by :func:`csat_research.report.analyse.analyse` once the current
wave is analysed. For each earlier wave it uses the study store when the store holds that
brand / category / wave with the same input files (same sha256), and otherwise analyses the
earlier wave's data with the current params (its own screening, scores and index weights) and
stores it, so the next report finds it. Waves the store holds that params ``history`` does not
name, with labels before the current wave, are part of the history too.

The change since the previous wave compares the respondents kept by each wave's screening
(:func:`csat_research.stats.change.compare_waves`): each dimension score (mean), the overall index
(mean of the respondents' indices, both waves at the *later* wave's index weights: the change of
the index, not of its weights), CSAT top-2-box (``overall_sat`` 4-5) and NPS, with the survey
weights when the study has them and the correction of params ``analysis.change_correction``.

Service KPIs are not compared: the store keeps no ticket-level rows, and a KPI share's test needs
its tickets (they are not independent of each other within a customer). The trend table shows
each wave's headline figures as that wave's report computed them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatError, CsatWarning, StoreError
from csat_research.io.params import StudyParams, history_params
from csat_research.io.store import (
    StoredWave,
    data_hash,
    file_sha256,
    load_history_data,
    store_path,
    store_wave,
    wave_record,
)
from csat_research.stats.change import ChangeMetric, ChangeResult, compare_waves
from csat_research.stats.kpi import KPIS
from csat_research.stats.scoring import overall_index

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.results import ReportResults
    from csat_research.report.study import Study

__all__ = ["HistoryResult", "TREND_COLUMNS", "TREND_CHANGE_COLUMNS", "kpi_changes", "wave_history"]

#: the columns of the trend table before the dimensions
TREND_COLUMNS = ("wave", "n_responses", "n_analysed", "overall_index", "csat_top2box", "nps")
#: the columns of the long table of wave-to-wave changes
TREND_CHANGE_COLUMNS = ("from_wave", "to_wave", "metric", "delta", "ci_low", "ci_high", "p_adjusted", "significant")
OVERALL = "overall_sat"
NPS = "nps"
WEIGHT = "weight"


@dataclass(frozen=True)
class HistoryResult:
    """What :func:`wave_history` found (every field None without an earlier wave)."""

    changes: ChangeResult | None = None
    previous_wave: str | None = None
    trend: pd.DataFrame | None = None
    trend_changes: pd.DataFrame | None = None
    notes: tuple[CsatWarning, ...] = ()
    kpi_changes: ChangeResult | None = None


@dataclass(frozen=True)
class _Wave:
    label: str
    summary: dict[str, Any]
    frame: pd.DataFrame  # kept respondents: dimension scores, overall_sat, nps, weight


def _files_hash(params: StudyParams) -> str:
    files = [params.data.responses.path] + ([params.data.tickets.path] if params.data.tickets is not None else [])
    return data_hash([file_sha256(f) for f in files])


def _kept(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["excluded"].astype(bool)].reset_index(drop=True)


def _rows_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The store's wide frame (:func:`csat_research.io.store.load_wave_data`) from the respondent
    rows of :func:`csat_research.report.wave.wave_responses`, without a round trip to the store."""
    frame = rows.copy()
    frame.columns = [str(v) for v in rows.columns.get_level_values(1)]
    frame = frame.loc[:, ~frame.columns.duplicated()].reset_index()
    frame["excluded"] = frame["excluded"].astype(bool)
    return frame


def _analyse_wave(params: StudyParams, analyse: Callable[[Study], ReportResults],
                  ) -> tuple[dict[str, Any], pd.DataFrame]:
    """Analyse an earlier wave with the current params: its summary and respondent rows."""
    from csat_research.report.outputs import summary_document
    from csat_research.report.study import load_study
    from csat_research.report.wave import wave_responses

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)  # its notes belong to its own report
        results = analyse(load_study(params))
    return summary_document(results), wave_responses(results)


def _earlier_waves(study: Study, notes: list[CsatWarning],
                   analyse: Callable[[Study], ReportResults]) -> list[_Wave]:
    p = study.params
    store = store_path(p)
    brand, category, current = p.study.brand, p.study.category, p.study.wave
    variables = [*study.dimensions, OVERALL, NPS]
    try:
        stored = {w.wave: (w, frame) for w, frame in load_history_data(store, brand=brand, category=category,
                                                                       variables=variables) if w.wave < current}
    except StoreError as exc:
        notes.append(CsatWarning(f"the study store could not be read ({exc}); earlier waves analysed from their data",
                                 kind="history_store_unreadable", store=str(store)))
        stored = {}
    named = {h.wave: i for i, h in enumerate(p.history)}
    waves = []
    for label in sorted(set(stored) | set(named)):
        if label in named:
            hp = history_params(p, named[label])
            if label in stored and stored[label][0].data_hash == _files_hash(hp):
                waves.append(_stored(*stored[label]))
                continue
            summary, rows = _analyse_wave(hp, analyse)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", CsatWarning)
                    store_wave(store, wave_record(hp, summary, rows))
                notes.extend(w.message for w in caught if issubclass(w.category, CsatWarning))
            except CsatError as exc:
                notes.append(CsatWarning(f"earlier wave {label} not stored in the study store {store}: {exc}",
                                         kind="history_not_stored", wave=label, store=str(store)))
            waves.append(_Wave(label, summary, _kept(_rows_frame(rows))))
        else:
            waves.append(_stored(*stored[label]))
    return waves


def _stored(w: StoredWave, frame: pd.DataFrame) -> _Wave:
    return _Wave(w.wave, w.summary, _kept(frame))


def _metrics(dims: list[str], frame_cols: set[str]) -> dict[str, ChangeMetric]:
    out = {d: ChangeMetric(d, "mean") for d in dims}
    out["overall_index"] = ChangeMetric("overall_index", "mean")
    if OVERALL in frame_cols:
        out["csat_top2box"] = ChangeMetric(OVERALL, "top2box")
    if NPS in frame_cols:
        out["nps"] = ChangeMetric(NPS, "nps")
    return out


def _with_index(frame: pd.DataFrame, dims: list[str], weights: pd.Series) -> pd.DataFrame:
    """``frame`` with ``overall_index`` of its dimension scores at ``weights``."""
    index = overall_index(frame[dims], index_weights=weights.reindex(dims)).index
    return frame.assign(overall_index=index.to_numpy())


def _compare(before: _Wave, after: _Wave, dims: list[str], weights: pd.Series, *, weighted: bool,
             correction: str, notes: list[CsatWarning]) -> ChangeResult:
    common = [d for d in dims if d in before.frame.columns and d in after.frame.columns]
    a = _with_index(before.frame, common, weights)
    b = _with_index(after.frame, common, weights)
    metrics = _metrics(common, set(a.columns) & set(b.columns))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CsatWarning)
        res = compare_waves(a, b, metrics=metrics, survey_weights=WEIGHT if weighted else None,
                            correction=correction)
    notes.extend(w.message for w in caught if issubclass(w.category, CsatWarning))
    return res


def _kpi_counts(summary: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Share KPIs of a wave's summary as (tickets counted, tickets) - ``value`` is their ratio."""
    out = {}
    for name, entry in (summary.get("kpi") or {}).items():
        if KPIS.get(name, ("", True, ""))[2] != "share" or not isinstance(entry, dict):
            continue
        value, n = entry.get("value"), entry.get("n")
        if value is None or not n or not np.isfinite(value):
            continue
        out[name] = (int(round(float(value) * int(n))), int(n))
    return out


def kpi_changes(previous: dict[str, Any], current: dict[str, Any], *, correction: str) -> ChangeResult | None:
    """Change of each share KPI between two waves' summaries (``kpi``: value and n of tickets).

    Each KPI is a share of tickets, compared by :func:`compare_waves` (kind ``share``: Newcombe's
    hybrid score interval, pooled z test) on the tickets as counted (``value`` x ``n`` of ``n``),
    its own family adjusted with ``correction``. Medians (``median_first_response_min``) are not
    tested. Tickets are taken as independent, as the KPI intervals take them. None when the two
    waves share no KPI.
    """
    before, after = _kpi_counts(previous), _kpi_counts(current)
    names = [k for k in after if k in before]
    if not names:
        return None

    def frame(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
        rows = max(counts[k][1] for k in names)
        cols = {}
        for k in names:
            hits, n = counts[k]
            col = np.full(rows, np.nan)
            col[:n] = 0.0
            col[:hits] = 1.0
            cols[k] = col
        return pd.DataFrame(cols)

    return compare_waves(frame(before), frame(after), metrics={k: ChangeMetric(k, "share") for k in names},
                         correction=correction)


def _weights_of(wave: _Wave, dims: list[str], fallback: pd.Series) -> pd.Series:
    """A stored wave's index weights (its summary), else ``fallback``."""
    w = wave.summary.get("index_weights") or {}
    if sorted(w) != sorted(dims) or any(v is None for v in w.values()):
        return fallback
    s = pd.Series({d: float(w[d]) for d in dims})
    return s / s.sum()


def _trend_row(label: str, summary: dict[str, Any], dims: list[str]) -> dict[str, Any]:
    dimensions = summary.get("dimensions") or {}
    row = {"wave": label, "n_responses": summary.get("n_responses"), "n_analysed": summary.get("n_analysed"),
           "overall_index": summary.get("overall_index"),
           "csat_top2box": summary.get("csat_top2box"), "nps": summary.get("nps")}
    row.update({d: dimensions.get(d) for d in dims})
    return row


def wave_history(study: Study, *, current_summary: dict[str, Any],
                 analyse: Callable[[Study], ReportResults]) -> HistoryResult:
    """Change since the previous wave and the trend over every earlier wave of ``study``.

    Parameters
    ----------
    study : Study
        The current wave.
    current_summary : dict
        The current wave's headline figures: ``n_responses``, ``overall_index``, ``csat_top2box``,
        ``nps`` and ``dimensions`` (dimension -> mean), as in ``summary.json``.
    analyse : callable
        :func:`csat_research.report.analyse.analyse`, for an earlier wave not yet in the study
        store (passed in: this module is a step of that function).

    Returns
    -------
    HistoryResult
        ``changes`` (current vs the previous wave), ``previous_wave``, ``trend`` (one row per wave,
        oldest first, the current wave last: ``wave`` (str), ``n_responses`` and ``n_analysed`` (Int64),
        ``overall_index``, ``csat_top2box``, ``nps`` and one float column per dimension),
        ``trend_changes`` (one row per consecutive pair x metric: ``from_wave``, ``to_wave``,
        ``metric``, ``delta``, ``ci_low``, ``ci_high``, ``p_adjusted`` - adjusted within the pair -,
        ``significant``) and ``notes``; all None without an earlier wave.
    """
    p = study.params
    notes: list[CsatWarning] = []
    earlier = _earlier_waves(study, notes, analyse)
    if not earlier:
        return HistoryResult(notes=tuple(notes))
    dims = list(study.dimensions)
    d = study.data
    cols = [c for c in (*dims, OVERALL, NPS) if c in d.columns]
    frame = d[cols].reset_index(drop=True)
    weighted = study.weight_column is not None
    frame[WEIGHT] = d[study.weight_column].to_numpy() if weighted else 1.0
    current = _Wave(p.study.wave, current_summary, frame)
    waves = [*earlier, current]
    correction = p.analysis.change_correction
    weights_now = study.index_weights
    pairs = []
    changes = None
    for before, after in zip(waves, waves[1:], strict=False):
        w = weights_now if after is current else _weights_of(after, dims, weights_now)
        res = _compare(before, after, dims, w, weighted=weighted, correction=correction,
                       notes=notes if after is current else [])
        if after is current:
            changes = res
        t = res.to_frame()
        pairs.append(t.assign(from_wave=before.label, to_wave=after.label)[list(TREND_CHANGE_COLUMNS)])
    trend = pd.DataFrame([_trend_row(w.label, w.summary, dims) for w in waves],
                         columns=[*TREND_COLUMNS, *dims])
    trend["wave"] = trend["wave"].astype(object)
    for c in ("n_responses", "n_analysed"):
        trend[c] = trend[c].astype("Int64")
    for c in trend.columns[3:]:
        trend[c] = pd.to_numeric(trend[c], errors="coerce").astype(np.float64)
    trend_changes = pd.concat(pairs, ignore_index=True)
    trend_changes["significant"] = trend_changes["significant"].astype(bool)
    return HistoryResult(changes=changes, previous_wave=earlier[-1].label, trend=trend,
                         trend_changes=trend_changes, notes=tuple(notes),
                         kpi_changes=kpi_changes(earlier[-1].summary, current_summary, correction=correction))
