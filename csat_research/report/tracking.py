"""Presentation of the tracking results: change since the previous wave and the trend across waves.

Statistics are never computed here: :attr:`ReportResults.changes
<csat_research.report.analyse.ReportResults>` (a :class:`~csat_research.stats.change.ChangeResult`),
``trend`` and ``trend_changes`` are relabelled, ordered and formatted in the report language.
Each figure keeps the unit of its statistic: means (dimension scores, overall index) with two
decimals, shares in per cent and their changes in percentage points, NPS and its changes in
points. Only a change whose adjusted p-value is below the result's ``alpha`` is called a change
(▲ / ▼); every other metric is "stable". Without a previous wave (``changes`` is ``None``) the
report shows no change table, and without at least two waves in ``trend`` no trend.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csat_research.report.display import DisplayTable, Html
from csat_research.report.i18n import text

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.results import ReportResults
    from csat_research.stats.change import ChangeResult

__all__ = [
    "HEADLINE_METRICS", "RISE", "FALL", "change_frame", "change_heading", "change_status", "change_table",
    "correction_label", "format_change", "format_value", "has_changes", "has_trend", "metric_label", "trend_heading",
    "trend_long", "trend_table",
]

#: Headline metrics, shown before the dimensions in this order.
HEADLINE_METRICS = ("overall_index", "csat_mean", "csat_top2box", "nps")
#: Marks of a significant increase and decrease.
RISE, FALL = "▲", "▼"
#: Kind of a trend column (the trend frame has no ``kind``): everything else is a mean.
_TREND_KINDS = {"csat_top2box": "top2box", "nps": "nps"}


def has_changes(res: ReportResults) -> bool:
    """Whether the report has a previous wave to compare with (and a change table to show)."""
    return getattr(res, "changes", None) is not None and not res.changes.table.empty


def has_trend(res: ReportResults) -> bool:
    """Whether the report has a trend of at least two waves to show."""
    trend = getattr(res, "trend", None)
    return trend is not None and len(trend) >= 2


def _lang(res: ReportResults) -> str:
    return res.study.lang


def _current_wave(res: ReportResults) -> str:
    return str(res.study.params.study.wave)


def _previous_wave(res: ReportResults) -> str:
    return str(res.previous_wave) if res.previous_wave is not None else text("change.previous", _lang(res))


def metric_label(res: ReportResults, metric: str) -> str:
    """Display label of a metric: a dimension, a headline figure or a KPI; the id otherwise."""
    lang = _lang(res)
    if metric in res.study.dimensions:
        return res.study.label(metric)
    for key in (metric, f"kpi.{metric}"):
        try:
            return text(key, lang)
        except KeyError:
            continue
    return metric


def _kind(kind: str) -> str:
    return "share" if kind in ("top2box", "share") else kind


def format_value(value: float, kind: str) -> str:
    """A wave's figure in its unit: mean ``3.41``, share ``62.3%``, NPS ``+12.0`` ('' if missing)."""
    if value is None or not math.isfinite(float(value)):
        return ""
    k = _kind(kind)
    if k == "share":
        return f"{float(value):.1%}"
    if k == "nps":
        return f"{float(value):+.1f}"
    return f"{float(value):.2f}"


def _number(value: float, kind: str, *, sign: bool) -> str:
    """A change in its unit's number: means two decimals, shares in points of per cent, NPS one decimal."""
    k = _kind(kind)
    x = float(value) * 100 if k == "share" else float(value)
    spec = (".1f" if k in ("share", "nps") else ".2f")
    out = format(x, ("+" if sign else "") + spec)
    return out.replace("-", "−")


def format_change(value: float, kind: str, lang: str, *, unit: bool = True, sign: bool = True) -> str:
    """A change with its unit: ``+0.13``, ``+3.2 pp`` / ``+3.2 个百分点``, ``+5.1 pts`` / ``+5.1 点``."""
    if value is None or not math.isfinite(float(value)):
        return ""
    number = _number(value, kind, sign=sign)
    if not unit:
        return number
    return text(f"change.unit.{_kind(kind)}", lang, x=number)


def _interval(lo: float, hi: float, kind: str) -> str:
    if not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return ""
    return f"{_number(lo, kind, sign=True)} – {_number(hi, kind, sign=True)}"


def _p_text(p: float) -> str:
    return "" if not math.isfinite(float(p)) else ("< 0.001" if float(p) < 0.001 else f"{float(p):.3f}")


def change_status(delta: float, p_adjusted: float, significant: bool) -> str:
    """``rise``, ``fall``, ``stable`` or ``untested`` (no p-value: the metric could not be tested)."""
    if not math.isfinite(float(p_adjusted)):
        return "untested"
    if not significant:
        return "stable"
    return "rise" if float(delta) > 0 else "fall"


def _ordered(metrics: list[str], res: ReportResults) -> list[str]:
    dims = list(res.study.dimensions)
    first = [m for m in HEADLINE_METRICS if m in metrics] + [m for m in dims if m in metrics]
    return first + [m for m in metrics if m not in first]


def change_frame(res: ReportResults, changes: ChangeResult | None = None) -> pd.DataFrame:
    """The change table's rows, tidy and unformatted, headline figures first then the dimensions.

    Columns: ``metric``, ``label``, ``kind``, ``previous``, ``current``, ``delta``, ``ci_low``,
    ``ci_high``, ``p_adjusted``, ``significant``, ``status`` (:func:`change_status`). Empty
    without a previous wave. ``changes``: another family than ``res.changes`` (the KPIs').
    """
    cols = ["metric", "label", "kind", "previous", "current", "delta", "ci_low", "ci_high", "p_adjusted",
            "significant", "status"]
    changes = res.changes if changes is None else changes
    if changes is None or changes.table.empty:
        return pd.DataFrame(columns=cols)
    t = changes.table.set_index("metric", drop=False)
    t = t.loc[_ordered(list(t["metric"]), res)]
    out = t[["metric", "kind", "previous", "current", "delta", "ci_low", "ci_high", "p_adjusted",
             "significant"]].reset_index(drop=True)
    out.insert(1, "label", [metric_label(res, m) for m in out["metric"]])
    out["significant"] = out["significant"].astype(bool)
    out["status"] = [change_status(d, p, s) for d, p, s in
                     zip(out["delta"], out["p_adjusted"], out["significant"], strict=True)]
    return out[cols]


def _status_text(status: str, lang: str) -> str:
    mark = {"rise": RISE + " ", "fall": FALL + " "}.get(status, "")
    return mark + text(f"change.status.{status}", lang)


def correction_label(res: ReportResults, changes: ChangeResult | None = None) -> str:
    """Name of the multiple-comparison correction of the changes in the report language."""
    correction = (res.changes if changes is None else changes).correction
    try:
        return text(f"change.correction.{correction}", _lang(res))
    except KeyError:
        return correction


def change_heading(res: ReportResults) -> Html:
    """The section heading, naming the previous wave (``Change since 2026Q2``)."""
    return Html(f"<h2>{html.escape(text('section.changes', _lang(res), wave=_previous_wave(res)))}</h2>")


def trend_heading(res: ReportResults) -> Html:
    """The trend's section heading (a section of its own: the chart and its table on one page)."""
    return Html(f"<h2>{html.escape(text('section.trend', _lang(res)))}</h2>")


def change_table(res: ReportResults, changes: ChangeResult | None = None, *,
                 note_key: str = "change.note", caption: str | None = None) -> DisplayTable:
    """Per metric: previous and current figure (waves as headers), change with its unit, 95 % interval
    of the change, adjusted p-value and the status (▲ significant increase / ▼ significant decrease /
    stable). Empty without a previous wave. ``changes``: another family than ``res.changes``."""
    changes = res.changes if changes is None else changes
    rows = change_frame(res, changes)
    if rows.empty:
        return DisplayTable(pd.DataFrame())
    lang = _lang(res)
    prev, curr = _previous_wave(res), _current_wave(res)
    if prev == curr:  # two labels of one wave would collide as column names
        prev = f"{prev} ({text('change.previous', lang)})"
    change, ci = text("change.col.delta", lang), text("change.col.ci", lang, level=f"{changes.confidence:.0%}")
    p_adj = text("change.col.p_adjusted", lang)
    out = pd.DataFrame({
        text("change.col.metric", lang): rows["label"].to_numpy(),
        prev: [format_value(v, k) for v, k in zip(rows["previous"], rows["kind"], strict=True)],
        curr: [format_value(v, k) for v, k in zip(rows["current"], rows["kind"], strict=True)],
        change: [format_change(v, k, lang) for v, k in zip(rows["delta"], rows["kind"], strict=True)],
        ci: [_interval(lo, hi, k) for lo, hi, k in zip(rows["ci_low"], rows["ci_high"], rows["kind"], strict=True)],
        p_adj: [_p_text(p) for p in rows["p_adjusted"]],
        text("change.col.status", lang): [_status_text(s, lang) for s in rows["status"]],
    })
    n = int(np.isfinite(rows["p_adjusted"].to_numpy(dtype=float)).sum())
    note = text(note_key, lang, correction=correction_label(res, changes), n=n, alpha=changes.alpha,
                level=changes.confidence)
    return DisplayTable(out, numeric=[prev, curr, change, ci, p_adj], note=note, caption=caption)


def kpi_change_table(res: ReportResults) -> DisplayTable:
    """The change of each share KPI since the previous wave (tickets counted), its own family of
    comparisons; empty without one."""
    changes = getattr(res, "kpi_changes", None)
    if changes is None or not has_changes(res):
        return DisplayTable(pd.DataFrame())
    return change_table(res, changes, note_key="change.kpi_note", caption=text("change.kpi_caption", _lang(res)))


def _trend_metrics(res: ReportResults) -> list[str]:
    cols = [c for c in res.trend.columns if c not in ("wave", "n_responses", "n_analysed")]
    return _ordered(cols, res)


def _significant_into(res: ReportResults) -> set[tuple[str, str, str]]:
    """(to_wave, metric, rise/fall) of every significant wave-to-wave change."""
    tc = getattr(res, "trend_changes", None)
    if tc is None or tc.empty:
        return set()
    sig = tc[tc["significant"].astype(bool)]
    return {(str(w), str(m), "rise" if d > 0 else "fall")
            for w, m, d in zip(sig["to_wave"], sig["metric"], sig["delta"], strict=True)}


def trend_long(res: ReportResults, *, metrics: list[str] | None = None) -> pd.DataFrame:
    """The trend in long form for :func:`csat_research.report.plots.trend_lines`: ``wave``,
    ``metric``, ``label``, ``value``, ``significant`` (a significant change from the wave before).

    ``metrics`` default: the overall index and the dimensions (the metrics on the 1-5 scale).
    """
    cols = ["wave", "metric", "label", "value", "significant"]
    if not has_trend(res):
        return pd.DataFrame(columns=cols)
    if metrics is None:
        metrics = [m for m in ("overall_index", *res.study.dimensions) if m in res.trend.columns]
    marks = {(w, m) for w, m, _ in _significant_into(res)}
    rows = [{"wave": str(w), "metric": m, "label": metric_label(res, m), "value": float(v),
             "significant": (str(w), m) in marks}
            for m in metrics for w, v in zip(res.trend["wave"], res.trend[m], strict=True)]
    return pd.DataFrame(rows, columns=cols)


def trend_table(res: ReportResults) -> DisplayTable:
    """Each metric (rows) in each wave (columns, oldest first), with ▲ / ▼ before a figure that
    changed significantly from the wave before; the last row gives each wave's n."""
    if not has_trend(res):
        return DisplayTable(pd.DataFrame())
    lang = _lang(res)
    trend = res.trend
    marks = {(w, m): s for w, m, s in _significant_into(res)}
    waves = [str(w) for w in trend["wave"]]
    rows = []
    for m in _trend_metrics(res):
        kind = _TREND_KINDS.get(m, "mean")
        row = {text("change.col.metric", lang): metric_label(res, m)}
        for w, v in zip(waves, trend[m], strict=True):
            mark = {"rise": f"{RISE} ", "fall": f"{FALL} "}.get(marks.get((w, m), ""), "")
            row[w] = mark + format_value(v, kind)  # the mark first: the figures stay right-aligned
        rows.append(row)
    n_col = "n_analysed" if "n_analysed" in trend else "n_responses" if "n_responses" in trend else None
    if n_col is not None:  # the respondents analysed, as the executive summary counts them
        rows.append({text("change.col.metric", lang): text("change.trend_n", lang),
                     **{w: "" if pd.isna(n) else f"{int(n):,}" for w, n in zip(waves, trend[n_col], strict=True)}})
    return DisplayTable(pd.DataFrame(rows), numeric=waves, note=text("change.trend_note", lang))
