"""The portfolio overview of a batch (csat_research.report.overview) on small stored studies:
overview.json rows and their contract, marks that follow the adjusted p-values of the
study-vs-rest tests, the latest wave only, failed studies named, a single study, the change since
the previous wave read defensively, and reports/index.html linking the overview first.

The studies are written straight into a real DuckDB study store (no notebook runs: the
end-to-end batch is tests/run/test_overview_batch.py)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from csat_research.io.store import WaveRecord, store_wave
from csat_research.report.overview import (
    ROW_KEYS,
    build_overview,
    overview_html,
    write_overview,
)
from csat_research.run.runner import (
    ReportOutcome,
    write_batch_overview,
    write_index_page,
)
from csat_research.stats.portfolio import portfolio_comparison

DIMS = ("efficiency", "quality", "communication", "after_sales", "digital")


def _responses(n: int, shift: float, seed: int, weight_scale: float | None = None) -> pd.DataFrame:
    """Respondent rows as the report hands them to the store (role, variable columns)."""
    rng = np.random.default_rng(seed)
    dims = {d: np.clip(rng.normal(3.4 + shift, 0.7, n), 1, 5) for d in DIMS}
    index = np.mean(list(dims.values()), axis=0)
    sat = np.clip(np.round(index + rng.normal(0, 0.6, n)), 1, 5)
    rec = np.clip(np.round((sat - 1) * 2.5 + rng.normal(0, 1.5, n)), 0, 10)
    excluded = np.zeros(n)
    excluded[:5] = 1.0  # five screened-out respondents: the overview must leave them out
    cols = {("respondent", "excluded"): excluded, ("respondent", "reasons"): [""] * n,
            ("respondent", "weight"): np.ones(n) if weight_scale is None else weight_scale * rng.uniform(0.5, 2, n),
            ("respondent", "overall_index"): index}
    cols |= {("dimension", d): v for d, v in dims.items()}
    cols |= {("outcome", "overall_sat"): sat, ("outcome", "nps"): rec}
    frame = pd.DataFrame(cols)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["role", "variable"])
    frame.index = pd.MultiIndex.from_arrays([np.arange(n), [f"r{i}" for i in range(n)]],
                                            names=["row_number", "respondent_id"])
    return frame


def _study(tmp: Path, category: str, *, wave: str = "2026Q3", shift: float = 0.0, seed: int = 1, n: int = 160,
           lang: str = "en", ok: bool = True, store: bool = True, changes: dict | None = None,
           formats: tuple[str, ...] = ("html",), brand: str | None = None,
           weight_scale: float | None = None) -> ReportOutcome:
    """A params file, a published report folder (summary.json) and the stored wave of one study."""
    brand = brand or f"Brand {category}"
    params = tmp / "params" / f"{category}-{wave}.yaml"
    params.parent.mkdir(exist_ok=True)
    params.write_text(yaml.safe_dump({
        "study": {"brand": brand, "category": category, "wave": wave, "language": lang},
        "data": {"responses": {"path": str(tmp / "responses.csv")}},
        "output": {"dir": str(tmp / "reports"), "formats": list(formats)},
    }, allow_unicode=True), encoding="utf-8")
    if not ok:
        return ReportOutcome(params, False, None, (), "notebook execution failed: boom")
    responses = _responses(n, shift, seed, weight_scale)
    kept = responses[responses[("respondent", "excluded")] == 0]
    summary = {
        "brand": brand, "category": category, "wave": wave, "language": lang, "n_analysed": len(kept),
        "overall_index": float(kept[("respondent", "overall_index")].mean()),
        "dimensions": {d: float(kept[("dimension", d)].mean()) for d in DIMS},
        "csat_top2box": float((kept[("outcome", "overall_sat")] >= 4).mean()),
        "nps": float(100 * ((kept[("outcome", "nps")] >= 9).mean() - (kept[("outcome", "nps")] <= 6).mean())),
    }
    if changes is not None:
        summary["changes"] = changes
    report_dir = tmp / "reports" / category / wave
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (report_dir / "report.html").write_text("<html></html>", encoding="utf-8")
    if store:
        store_wave(tmp / "reports" / "csat-store.duckdb", WaveRecord(
            brand, category, wave, summary, responses, (("responses.csv", "0" * 64),), str(params), "test"))
    return ReportOutcome(params, True, report_dir, (report_dir / "summary.json",))


@pytest.fixture
def batch(tmp_path):
    outcomes = [
        _study(tmp_path, "appliances", shift=0.45, seed=1),
        _study(tmp_path, "apparel", shift=0.0, seed=2, changes={
            "previous_wave": "2026Q2",
            "metrics": {"overall_index": {"previous": 3.2, "current": 3.4, "delta": 0.2, "ci_low": 0.1,
                                          "ci_high": 0.3, "p_value": 0.001, "p_adjusted": 0.004,
                                          "significant": True}}}),
        _study(tmp_path, "beauty", shift=-0.4, seed=3, changes={"previous_wave": None, "metrics": None}),
        _study(tmp_path, "baby", shift=0.0, seed=4, ok=False),
        _study(tmp_path, "beauty", wave="2026Q2", seed=5),
    ]
    return tmp_path, outcomes


def test_overview_json_rows_follow_the_contract_and_the_summaries(batch):
    tmp, outcomes = batch
    ov = build_overview(tmp / "reports", outcomes)
    assert ov.wave == "2026Q3" and ov.lang == "en"
    assert [(r["brand"], r["category"], r["wave"]) for r in ov.rows] == [
        ("Brand appliances", "appliances", "2026Q3"), ("Brand apparel", "apparel", "2026Q3"),
        ("Brand beauty", "beauty", "2026Q3")]
    for row, outcome in zip(ov.rows, outcomes, strict=False):
        assert tuple(row) == ROW_KEYS
        summary = json.loads((outcome.report_dir / "summary.json").read_text(encoding="utf-8"))
        assert row["n_analysed"] == summary["n_analysed"] == 155
        assert row["overall_index"] == summary["overall_index"]
        assert row["dimensions"] == summary["dimensions"]
        assert (row["csat_top2box"], row["nps"]) == (summary["csat_top2box"], summary["nps"])
        assert set(row["marks"]) == {"overall_index", *DIMS, "csat_top2box", "nps"}
        assert row["report"] == f"{row['category']}/2026Q3/report.html"
    assert ov.rows[1]["change"]["previous_wave"] == "2026Q2"
    assert ov.rows[0]["change"] is None and ov.rows[2]["change"] is None  # absent / null changes
    out = tmp / "out"
    paths = write_overview(out, ov)
    assert [p.name for p in paths] == ["overview.json", "overview.html"]  # no study wants a PDF
    assert json.loads((out / "overview.json").read_text(encoding="utf-8")) == json.loads(ov.to_json())
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o644


def test_marks_are_the_holm_adjusted_study_vs_rest_tests_on_the_analysed_respondents(batch):
    tmp, outcomes = batch
    ov = build_overview(tmp / "reports", outcomes)
    # the same tests computed here from the study rows (screened-out respondents dropped)
    frames = {}
    for category, shift, seed in (("appliances", 0.45, 1), ("apparel", 0.0, 2), ("beauty", -0.4, 3)):
        r = _responses(160, shift, seed)
        r = r[r[("respondent", "excluded")] == 0]
        frames[category] = pd.DataFrame({
            "overall_index": r[("respondent", "overall_index")].to_numpy(),
            **{d: r[("dimension", d)].to_numpy() for d in DIMS},
            "overall_sat": r[("outcome", "overall_sat")].to_numpy(), "nps": r[("outcome", "nps")].to_numpy()})
    metrics = {"overall_index": {"kind": "mean", "column": "overall_index"}}
    metrics |= {d: {"kind": "mean", "column": d} for d in DIMS}
    metrics |= {"csat_top2box": {"kind": "top2box", "column": "overall_sat"}, "nps": {"kind": "nps", "column": "nps"}}
    ref = portfolio_comparison(frames, metrics=metrics, correction="holm").to_frame().set_index(["study", "metric"])
    n_marked = 0
    for row in ov.rows:
        for metric, mark in row["marks"].items():
            expected = ref.loc[(row["category"], metric)]
            assert row["p_adjusted"][metric] == pytest.approx(expected["p_adjusted"], rel=1e-9)
            assert mark == expected["direction"]
            assert (mark is not None) == (row["p_adjusted"][metric] < 0.05)
            n_marked += mark is not None
    assert ov.rows[0]["marks"]["overall_index"] == "above" and ov.rows[2]["marks"]["overall_index"] == "below"
    assert ov.rows[1]["marks"]["overall_index"] is None
    assert 0 < n_marked < 24


def test_the_page_names_what_it_leaves_out_and_marks_cells(batch):
    tmp, outcomes = batch
    ov = build_overview(tmp / "reports", outcomes)
    page = overview_html(ov)
    assert '<html lang="en">' in page and "Portfolio overview" in page
    assert "Failed in this batch and therefore not shown: Brand baby · Baby." in page
    assert "not of the latest wave 2026Q3: Brand beauty · Beauty (2026Q2)." in page
    assert "Holm" in page and "Welch" in page and "Newcombe" in page
    assert page.count("▲") >= 2 and page.count("▼") >= 2  # legend and marked cells
    assert "+0.20" in page and "since 2026Q2" in page  # the change of the one study that has one
    assert "data:image/png;base64," in page  # the chart
    assert "Portfolio average" in page


def test_a_single_study_gets_an_overview_saying_there_is_nothing_to_compare(tmp_path):
    outcomes = [_study(tmp_path, "beauty", lang="zh")]
    ov = build_overview(tmp_path / "reports", outcomes)
    assert ov.comparison is None and ov.lang == "zh"
    assert [set(r["marks"].values()) for r in ov.rows] == [{None}]
    page = overview_html(ov)
    assert "没有可比较的对象" in page and '<html lang="zh-CN">' in page


def test_mixed_languages_give_a_chinese_overview_and_brand_names_are_text(tmp_path):
    outcomes = [_study(tmp_path, "beauty", lang="en", brand="<script>alert(1)</script>"),
                _study(tmp_path, "apparel", lang="zh", seed=7)]
    ov = build_overview(tmp_path / "reports", outcomes)
    assert ov.lang == "zh"
    page = overview_html(ov)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_study_missing_from_the_store_is_shown_without_marks(tmp_path):
    outcomes = [_study(tmp_path, "beauty"), _study(tmp_path, "apparel", seed=2, shift=0.8),
                _study(tmp_path, "baby", seed=3, store=False)]
    ov = build_overview(tmp_path / "reports", outcomes)
    baby = [r for r in ov.rows if r["category"] == "baby"][0]
    assert set(baby["marks"].values()) == {None}
    assert any("Not found in the study store" in n and "Brand baby" in n for n in ov.notes)


def test_index_links_the_overview_first(batch):
    tmp, outcomes = batch
    root = tmp / "reports"
    html_path = write_batch_overview(root, outcomes)
    assert html_path == root / "overview" / "overview.html" and html_path.is_file()
    assert sorted(p.name for p in (root / "overview").iterdir()) == ["overview.html", "overview.json"]
    assert stat.S_IMODE((root / "overview").stat().st_mode) & 0o055 == 0o055  # readable by others
    assert not [p for p in root.iterdir() if p.name.startswith(".overview")]
    page = write_index_page(root).read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert hrefs[:2] == ["overview/overview.html", "overview/overview.json"]
    assert "appliances/2026Q3/report.html" in hrefs[2:]


def test_survey_weights_count_each_study_by_its_respondents_whatever_their_scale(tmp_path):
    def overview(folder: Path, scale: float):
        folder.mkdir()
        outcomes = [_study(folder, "appliances", shift=0.3, seed=1, weight_scale=scale),
                    _study(folder, "apparel", seed=2), _study(folder, "beauty", shift=-0.2, seed=3, weight_scale=1.0)]
        return build_overview(folder / "reports", outcomes)

    small, large = overview(tmp_path / "a", 1.0), overview(tmp_path / "b", 1000.0)
    assert small.comparison.weighted and large.comparison.weighted
    for a, b in zip(small.rows, large.rows, strict=True):
        assert a["p_adjusted"] == pytest.approx(b["p_adjusted"], rel=1e-9)
    assert [r["marks"] for r in small.rows] == [r["marks"] for r in large.rows]
    avg = large.comparison.average.set_index("metric").loc["overall_index"]
    # each study counts by its respondents: the average is the mean of the three studies' weighted
    # means, weighted by their numbers of analysed respondents (155 each)
    means = large.comparison.table.query("metric == 'overall_index'")["estimate"]
    assert avg["estimate"] == pytest.approx(means.mean(), rel=1e-12)


def test_a_non_finite_number_in_a_change_is_written_as_null(tmp_path):
    nan_change = {"previous_wave": "2026Q2", "metrics": {"overall_index": {"delta": float("nan"), "significant": False}}}
    outcomes = [_study(tmp_path, "beauty", changes=nan_change), _study(tmp_path, "apparel", seed=2)]
    ov = build_overview(tmp_path / "reports", outcomes)
    assert json.loads(ov.to_json())[0]["change"]["metrics"]["overall_index"] == {"delta": None, "significant": False}
    assert "—" in overview_html(ov)
