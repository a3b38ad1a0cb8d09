"""What a report writes besides its pages: ``summary.json`` (headline figures), ``tables.xlsx`` and
``report.pptx`` (the deck, :mod:`csat_research.report.deck`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.files import atomic_write_text
from csat_research.report.deck import write_deck
from csat_research.report.i18n import text
from csat_research.report.results import ReportResults
from csat_research.report.wave import WAVE_FILE, write_wave
from csat_research.report.xlsx import to_excel


def summary(results: ReportResults) -> dict[str, Any]:
    """The headline figures in machine-readable form (``summary.json``)."""
    s = results.study
    p = s.params

    def f(x: Any) -> float | None:
        return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)

    cfa = results.cfa
    kpis = {}
    if results.kpis is not None:
        for row in results.kpis.itertuples():
            kpis[row.kpi] = {"value": f(row.value), "target": f(row.target), "met": None if pd.isna(row.met) else bool(row.met),
                             "n": int(row.n)}
    targets = p.targets
    rel = results.reliability.set_index("dimension") if "dimension" in results.reliability else results.reliability
    return {
        "brand": p.study.brand,
        "category": p.study.category,
        "wave": p.study.wave,
        "language": p.study.language,
        "n_responses": int(s.responses.n_rows_read),
        "n_import_excluded": int(s.responses.n_excluded),
        "n_screened": int(s.screening.n_total),
        "n_excluded": int(s.responses.n_excluded + s.screening.n_excluded),
        "n_analysed": int(len(s.data)),
        "exclusions_by_rule": {r.rule: int(r.n_excluded) for r in s.screening.summary.itertuples()},
        "overall_index": f(results.overall.overall),
        "index_weights": {k: f(v) for k, v in s.index_weights.items()},
        "weighting_method": p.weighting.method,
        "dimensions": {r.dimension: f(r.mean) for r in results.scores.itertuples()},
        "dimensions_100": {r.dimension: f(r.score_100) for r in results.scores.itertuples()},
        "weakest_dimension": results.weakest_dimension,
        "csat_mean": f(results.csat_mean.mean),
        "csat_top2box": f(results.csat_top2box.share),
        "csat_top2box_ci": [f(results.csat_top2box.ci_low), f(results.csat_top2box.ci_high)],
        "nps": f(results.nps.nps),
        "nps_ci": [f(results.nps.ci_low), f(results.nps.ci_high)],
        "targets": {k: f(v) for k, v in targets.items()},
        "alpha": {d: f(rel.loc[d, "alpha"]) for d in s.dimensions if d in rel.index},
        "omega": {d: f(rel.loc[d, "omega"]) for d in s.dimensions if d in rel.index and "omega" in rel},
        "cfa": None if cfa is None else {
            "chi2": f(cfa.chi2), "dof": int(cfa.dof), "p_value": f(cfa.p_value), "cfi": f(cfa.cfi), "tli": f(cfa.tli),
            "rmsea": f(cfa.rmsea), "rmsea_ci": [f(cfa.rmsea_ci_low), f(cfa.rmsea_ci_high)], "srmr": f(cfa.srmr),
        },
        "top_drivers": results.top_drivers,
        "top_drivers_satisfaction": list(results.drivers_satisfaction.sort_values("importance", ascending=False).index),
        "repurchase_odds_ratios": None if results.logit_dimensions is None else {
            t: f(v) for t, v in results.logit_dimensions.coefficients["odds_ratio"].items() if t != "const"
        },
        "top_themes": results.top_themes,
        "emerging_topics": _emerging(results),
        "kpi": kpis,
        "changes": _changes(results),
        "trend": _trend(results),
        "notes": list(results.notes),
    }


def _changes(results: ReportResults) -> dict[str, Any] | None:
    """Change since the previous wave (issue 15's contract): ``previous_wave`` and, per metric,
    ``previous``, ``current``, ``delta``, ``ci_low``, ``ci_high``, ``p_value``, ``p_adjusted``,
    ``significant``; None without an earlier wave."""
    if results.changes is None:
        return None
    kpis = getattr(results, "kpi_changes", None)
    return {"previous_wave": results.previous_wave, "metrics": results.changes.to_dict(),
            "kpis": None if kpis is None else kpis.to_dict()}


def _trend(results: ReportResults) -> list[dict[str, Any]] | None:
    """Headline figures of every wave, oldest first (the current wave last); None without history."""
    t = results.trend
    if t is None:
        return None
    dims = [c for c in t.columns if c not in _TREND_HEAD]

    def f(x: Any) -> float | None:
        return None if x is None or pd.isna(x) else float(x)

    return [{"wave": str(r["wave"]), "overall_index": f(r["overall_index"]),
             "dimensions": {d: f(r[d]) for d in dims}, "csat_top2box": f(r["csat_top2box"]), "nps": f(r["nps"]),
             "n_responses": None if pd.isna(r["n_responses"]) else int(r["n_responses"]),
             "n_analysed": None if pd.isna(r.get("n_analysed")) else int(r["n_analysed"])}
            for r in t.to_dict("records")]


#: the columns of ``ReportResults.trend`` before the dimensions
_TREND_HEAD = ("wave", "n_responses", "n_analysed", "overall_index", "csat_top2box", "nps")


def _emerging(results: ReportResults) -> dict[str, Any] | None:
    """Emerging topics of negative answers no theme matched: counts and topics (no quotes)."""
    em = None if results.text is None else results.text.emerging
    if em is None:
        return None
    return {
        "n_untagged_negative": em.n_untagged, "n_short": em.n_short, "n_unassigned": em.n_unassigned,
        "n_dropped": em.n_dropped, "too_few": em.too_few,
        "topics": [{"topic": int(t.topic), "top_words": list(t.top_words), "n": int(t.n), "share": float(t.share)}
                   for t in em.topics.itertuples()],
    }


def summary_document(results: ReportResults) -> dict[str, Any]:
    """``summary.json`` as written: the headline figures (:func:`summary`) plus the cover texts."""
    s = results.study
    p = s.params
    doc = summary(results)
    doc["title"] = p.study.title or text("outputs.title", s.lang, brand=p.study.brand)
    doc["subtitle"] = f"{text('category.' + p.study.category, s.lang)} · {text('report.subtitle', s.lang)} · {p.study.wave}"
    doc["meta_line"] = text("outputs.meta_line", s.lang, brand=p.study.brand, wave=p.study.wave, n=len(s.data))
    return doc


def write_outputs(results: ReportResults, output_dir: str | Path) -> dict[str, Path]:
    """Write ``summary.json`` (headline figures plus cover texts), ``tables.xlsx`` and ``report.pptx``
    (the last two when ``output.formats`` names xlsx / pptx), and the wave's respondent rows
    (:data:`~csat_research.report.wave.WAVE_FILE`) that the runner stores in the study store."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    p = results.study.params
    doc = summary_document(results)
    paths = {"summary": out / "summary.json"}
    atomic_write_text(paths["summary"], json.dumps(doc, ensure_ascii=False, indent=2))
    paths["wave"] = out / WAVE_FILE
    write_wave(results, paths["wave"])
    if "xlsx" in p.output.formats:
        paths["xlsx"] = to_excel(results, out / "tables.xlsx")
    if "pptx" in p.output.formats:
        paths["pptx"] = write_deck(results, out / "report.pptx", summary=doc)
    return paths
