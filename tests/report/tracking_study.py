"""A demo study tracked over three waves, for the tests of the change and trend pages.

Three waves of one category are written by the demo generator with different seeds (no planted
change between them), then one dimension is moved by editing its item answers: ``quality`` down in
2026Q2, ``efficiency`` up in 2026Q3. The current wave (2026Q3) is analysed as a report is; the
earlier waves are only loaded and scored. The tracking fields of :class:`ReportResults`
(``changes``, ``previous_wave``, ``trend``, ``trend_changes``) are filled with
:func:`csat_research.stats.change.compare_waves` from the respondent-level scores, as the
tracking of waves does, and set with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from csat_research.demo.generator import write_demo_study
from csat_research.report.analyse import ReportResults, analyse
from csat_research.report.study import Study, load_study
from csat_research.stats import estimates, scoring
from csat_research.stats.change import compare_waves

ROOT = Path(__file__).resolve().parents[2]
#: wave -> (seed of the demo generator, dimension moved, share of its answers moved one code, direction)
WAVES = {"2026Q1": (11, None, 0.0, 0), "2026Q2": (12, "quality", 0.45, -1), "2026Q3": (7, "efficiency", 0.5, +1)}


def _shift(path: Path, items: list[str], *, share: float, step: int, seed: int) -> None:
    """Move ``share`` of the answers to ``items`` one code in direction ``step`` (kept in 1-5)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    for item in items:
        values = pd.to_numeric(frame[item], errors="coerce")
        move = rng.random(len(values)) < share
        moved = (values + step).clip(1, 5)
        values = values.where(~move | values.isna(), moved)
        frame[item] = [("" if pd.isna(v) else str(int(v))) for v in values]
    frame.to_csv(path, index=False)


def _study_params(tmp: Path, category: str, wave: str, lang: str) -> Path:
    doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(tmp / wave / "data" / category / f"{key}.csv")
    doc["study"]["wave"] = wave
    doc.pop("history", None)  # one wave per params file here: the fixture compares the waves itself
    if doc["study"].get("language", "zh") != lang:
        doc["study"]["language"] = lang
        doc["study"].pop("title", None)
    doc["output"]["dir"] = str(tmp / "reports")
    doc["analysis"]["n_boot"] = 20
    path = tmp / f"{category}-{wave}-{lang}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _frame(study: Study) -> pd.DataFrame:
    """Respondent-level scores of a wave: dimensions, overall index, overall_sat, nps, weight."""
    dims = list(study.dimensions)
    d = study.data
    w = d[study.weight_column] if study.weight_column else None
    index = scoring.overall_index(d[dims], index_weights=study.index_weights, survey_weights=w).index
    return d.assign(overall_index=index)


def _metrics(study: Study) -> dict:
    out = {dim: {"kind": "mean", "column": dim} for dim in study.dimensions}
    out["overall_index"] = {"kind": "mean", "column": "overall_index"}
    out["csat_top2box"] = {"kind": "top2box", "column": "overall_sat"}
    out["nps"] = {"kind": "nps", "column": "nps"}
    return out


def _trend_row(wave: str, study: Study, frame: pd.DataFrame) -> dict:
    w = frame[study.weight_column] if study.weight_column else None
    row = {"wave": wave, "n_responses": len(frame), "n_analysed": len(frame),
           "overall_index": estimates.mean_ci(frame["overall_index"], survey_weights=w).mean,
           "csat_top2box": estimates.top2box(frame["overall_sat"], survey_weights=w).share,
           "nps": estimates.nps(frame["nps"], survey_weights=w).nps}
    for dim in study.dimensions:
        row[dim] = estimates.mean_ci(frame[dim], survey_weights=w).mean
    return row


def tracked_demo(tmp: Path, category: str = "beauty", *, lang: str = "zh", n: int = 400) -> ReportResults:
    """The analysed 2026Q3 wave of ``category`` with its changes since 2026Q2 and the trend since 2026Q1."""
    studies: dict[str, Study] = {}
    current = None
    for k, (wave, (seed, dim, share, step)) in enumerate(WAVES.items()):
        files = write_demo_study(tmp / wave / "data", seed=seed, n=n, categories=(category,), wave=wave)
        params = _study_params(tmp, category, wave, lang)
        if dim is not None:
            items = load_study(params).dimensions[dim]
            _shift(files[category]["responses"], items, share=share, step=step, seed=seed)
        studies[wave] = load_study(params)
        if k == len(WAVES) - 1:
            current = analyse(studies[wave])
    waves = list(studies)
    frames = {wave: _frame(study) for wave, study in studies.items()}
    metrics = _metrics(studies[waves[-1]])
    weights = studies[waves[-1]].weight_column
    pairs = []
    for a, b in zip(waves[:-1], waves[1:], strict=True):
        res = compare_waves(frames[a], frames[b], metrics=metrics, survey_weights=weights)
        pairs.append((a, b, res))
    trend = pd.DataFrame([_trend_row(w, studies[w], frames[w]) for w in waves])
    trend_changes = pd.concat(
        [r.table[["metric", "delta", "ci_low", "ci_high", "p_adjusted", "significant"]].assign(from_wave=a, to_wave=b)
         for a, b, r in pairs], ignore_index=True)[
        ["from_wave", "to_wave", "metric", "delta", "ci_low", "ci_high", "p_adjusted", "significant"]]
    return dataclasses.replace(current, changes=pairs[-1][2], previous_wave=waves[-2], trend=trend,
                               trend_changes=trend_changes)
