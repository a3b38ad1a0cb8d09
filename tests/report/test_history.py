"""Change since the previous wave and the trend on the demo study's three waves (issue 15).

The Done-when test of issue 15: on the demo study, for every category, the significant changes
reported for the latest wave are exactly the planted ones (``truth.json`` ``wave_changes``), and
each planted delta lies within the reported interval.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csat_research.core.schema import DIMENSIONS
from csat_research.demo.config import DEMO_CATEGORIES, DEMO_WAVES
from csat_research.demo.generator import write_demo_study
from csat_research.io.store import file_sha256, list_waves
from csat_research.report import history as history_module
from csat_research.report.analyse import analyse
from csat_research.report.outputs import summary
from csat_research.report.study import load_study
from csat_research.stats.change import CHANGE_KEYS

ROOT = Path(__file__).resolve().parents[2]
LATEST = DEMO_WAVES[-1]


def _params(tmp: Path, data: Path, category: str) -> Path:
    """The shipped params of ``category`` pointed at ``data`` (reports and store under ``tmp``)."""
    doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(data / category / f"{key}.csv")
    for h in doc["history"]:
        for key in ("responses", "tickets"):
            h[key]["path"] = str(data / category / "history" / h["wave"] / f"{key}.csv")
    doc["output"]["dir"] = str(tmp / "reports")
    doc["analysis"]["n_boot"] = 20
    path = tmp / f"{category}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The full demo study (n = 2000 per category and wave, three waves) and each category's
    analysed latest wave (its earlier waves analysed and stored on the way)."""
    tmp = tmp_path_factory.mktemp("waves")
    write_demo_study(tmp / "data", seed=2026, n=2000, history=True)
    results = {c: analyse(load_study(_params(tmp, tmp / "data", c))) for c in DEMO_CATEGORIES}
    truth = {c: json.loads((tmp / "data" / c / "truth.json").read_text(encoding="utf-8")) for c in DEMO_CATEGORIES}
    return tmp, results, truth


def _planted(truth: dict, res, to_wave: str = LATEST) -> dict[str, float]:
    """metric -> planted population delta of the step to ``to_wave``; the overall index's at the
    report's index weights (sum_d w_d delta_d: the unlisted dimensions' population deltas are 0)."""
    planted = {r["metric"]: r["delta"] for r in truth["wave_changes"] if r["to_wave"] == to_wave}
    if "overall_index" in planted:
        w = res.study.index_weights
        planted["overall_index"] = sum(w[d] * planted.get(d, 0.0) for d in w.index)
    return planted


@pytest.mark.parametrize("category", DEMO_CATEGORIES)
def test_significant_changes_are_exactly_the_planted_ones(demo, category):
    _, results, truth = demo
    res = results[category]
    table = res.changes.to_frame().set_index("metric")
    planted = _planted(truth[category], res)
    assert res.previous_wave == DEMO_WAVES[-2]
    assert set(table.index[table["significant"]]) == set(planted)
    for metric, delta in planted.items():
        row = table.loc[metric]
        assert row["ci_low"] <= delta <= row["ci_high"], (metric, delta, row["ci_low"], row["ci_high"])
    assert res.changes.correction == "holm" and not res.changes.weighted


def test_one_category_does_not_move_in_the_latest_step(demo):
    _, results, truth = demo
    still = [c for c in DEMO_CATEGORIES if not any(r["to_wave"] == LATEST for r in truth[c]["wave_changes"])]
    assert still == ["beauty"]
    assert not results["beauty"].changes.to_frame()["significant"].any()


@pytest.mark.parametrize("category", DEMO_CATEGORIES)
def test_the_planted_design_leaves_no_metric_half_detectable(demo, category):
    """Every metric of every step moves by >= 5 standard errors (listed in wave_changes) or by < 1
    (not listed), so that a 2,000-respondent wave decides it reliably."""
    _, _, truth = demo
    table = truth[category]["waves"]["population_deltas"]
    listed = {(r["metric"], r["to_wave"]) for r in truth[category]["wave_changes"]}
    assert len(table) == (len(DEMO_WAVES) - 1) * (len(DIMENSIONS) + 3)
    for r in table:
        ratio = abs(r["se_ratio"])
        assert ratio >= 5.0 or ratio < 1.0, r
        assert ((r["metric"], r["to_wave"]) in listed) == (ratio >= 5.0)


def test_earlier_steps_are_found_in_the_trend_changes(demo):
    """The first step's planted changes are all found, within their intervals (a step without a
    planted change may show a chance finding at the family-wise rate of Holm's correction, 5 %: with
    seed 2026 baby's first step does, its overall index, adjusted p = 0.043)."""
    _, results, truth = demo
    for category in DEMO_CATEGORIES:
        res = results[category]
        tc = res.trend_changes
        assert list(tc.columns) == ["from_wave", "to_wave", "metric", "delta", "ci_low", "ci_high", "p_adjusted",
                                    "significant"]
        first = tc[tc["to_wave"] == DEMO_WAVES[1]].set_index("metric")
        weights = pd.Series(summary_weights(res, DEMO_WAVES[1]))
        planted = {r["metric"]: r["delta"] for r in truth[category]["wave_changes"] if r["to_wave"] == DEMO_WAVES[1]}
        if "overall_index" in planted:
            planted["overall_index"] = sum(weights[d] * planted.get(d, 0.0) for d in weights.index)
        assert set(planted) <= set(first.index[first["significant"]])
        for metric, delta in planted.items():
            assert first.loc[metric, "ci_low"] <= delta <= first.loc[metric, "ci_high"], (category, metric)
        latest = tc[tc["to_wave"] == LATEST].set_index("metric")
        pd.testing.assert_series_equal(latest["delta"], res.changes.to_frame().set_index("metric")["delta"])


def summary_weights(res, wave: str) -> dict[str, float]:
    """The index weights the stored summary of ``wave`` records (those the trend's step used)."""
    from csat_research.io.store import load_history, store_path

    [stored] = [w for w in load_history(store_path(res.study.params), category=res.study.category) if w.wave == wave]
    return stored.summary["index_weights"]


def test_trend_has_every_wave_oldest_first(demo):
    _, results, _ = demo
    res = results["appliances"]
    t = res.trend
    assert list(t["wave"]) == list(DEMO_WAVES)
    assert list(t.columns) == ["wave", "n_responses", "n_analysed", "overall_index", "csat_top2box", "nps",
                               *res.study.dimensions]
    assert str(t["n_responses"].dtype) == "Int64" and t["overall_index"].dtype == "float64"
    assert str(t["n_analysed"].dtype) == "Int64" and (t["n_analysed"] < t["n_responses"]).all()
    last = t.iloc[-1]
    assert last["overall_index"] == pytest.approx(res.overall.overall)
    assert last["csat_top2box"] == pytest.approx(res.csat_top2box.share)
    assert last["nps"] == pytest.approx(res.nps.nps)
    assert last["quality"] == pytest.approx(res.scores.set_index("dimension").loc["quality", "mean"])


def test_summary_json_has_the_contract_keys(demo):
    _, results, _ = demo
    res = results["baby"]
    doc = json.loads(json.dumps(summary(res)))
    assert doc["changes"]["previous_wave"] == DEMO_WAVES[-2]
    metrics = doc["changes"]["metrics"]
    assert set(metrics) == {*res.study.dimensions, "overall_index", "csat_top2box", "nps"}
    for entry in metrics.values():
        assert list(entry) == list(CHANGE_KEYS)
        assert isinstance(entry["significant"], bool)
    assert metrics["efficiency"]["significant"] and not metrics["digital"]["significant"]
    trend = doc["trend"]
    assert [t["wave"] for t in trend] == list(DEMO_WAVES)
    for t in trend:
        assert set(t) == {"wave", "overall_index", "dimensions", "csat_top2box", "nps", "n_responses", "n_analysed"}
        assert set(t["dimensions"]) == set(res.study.dimensions)
    assert trend[-1]["n_responses"] == doc["n_responses"] and trend[-1]["nps"] == doc["nps"]
    assert trend[-1]["n_analysed"] == doc["n_analysed"]


def test_kpi_change_equals_r_prop_test_and_newcombe():
    """A share KPI's change is tested on its tickets as counted: 56 of 70 -> 48 of 80.
    R: prop.test(c(56, 48), c(70, 80), correct = FALSE)$p.value = 0.008045; Newcombe (1998),
    Table II, example (a) 56/70 - 48/80: 0.2000, 95 % CI 0.0524 to 0.3339 (hybrid score, method 10)."""
    previous = {"kpi": {"fcr": {"value": 56 / 70, "n": 70}, "median_first_response_min": {"value": 6.2, "n": 70},
                        "resolved_24h": {"value": 0.5, "n": 70}}}
    current = {"kpi": {"fcr": {"value": 48 / 80, "n": 80}, "median_first_response_min": {"value": 5.1, "n": 80}}}
    res = history_module.kpi_changes(previous, current, correction="holm")
    t = res.table.set_index("metric")
    assert list(t.index) == ["fcr"]  # the median is not a share; resolved_24h is not in both waves
    row = t.loc["fcr"]
    assert row["delta"] == pytest.approx(48 / 80 - 56 / 70)
    assert row["p_value"] == pytest.approx(0.008045, abs=5e-7)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-0.3339, -0.0524), abs=5e-5)
    assert history_module.kpi_changes(previous, {"kpi": {}}, correction="holm") is None


@pytest.mark.parametrize("category", DEMO_CATEGORIES)
def test_kpis_planted_alike_in_every_wave_show_no_change(demo, category):
    _, results, _ = demo
    res = results[category]
    t = res.kpi_changes.table
    assert "median_first_response_min" not in set(t["metric"]) and len(t) >= 6
    assert not t["significant"].any(), t[["metric", "delta", "p_adjusted"]]  # the demo plants no KPI move
    doc = json.loads(json.dumps(summary(res)))
    kpis = doc["changes"]["kpis"]
    assert set(kpis) == set(t["metric"]) and all(list(e) == list(CHANGE_KEYS) for e in kpis.values())
    assert kpis["fcr"]["current"] == pytest.approx(doc["kpi"]["fcr"]["value"])


def test_without_history_there_is_no_change_and_no_trend(tmp_path):
    from tests.report.demo_study import analysed_demo

    res = analysed_demo(tmp_path, "beauty", seed=5, n=300)
    assert (res.changes, res.previous_wave, res.trend, res.trend_changes) == (None, None, None, None)
    doc = summary(res)
    assert doc["changes"] is None and doc["trend"] is None


def test_a_second_run_reads_the_earlier_waves_from_the_store(demo, monkeypatch):
    tmp, results, _ = demo
    path = tmp / "baby.yaml"
    stored = list_waves(tmp / "reports" / "csat-store.duckdb")
    baby = stored[stored["category"] == "baby"]
    assert list(baby["wave"]) == list(DEMO_WAVES[:-1])

    def refuse(params):
        raise AssertionError(f"wave {params.study.wave} analysed again instead of read from the store")

    monkeypatch.setattr(history_module, "_analyse_wave", refuse)
    again = analyse(load_study(path))
    pd.testing.assert_frame_equal(again.changes.to_frame(), results["baby"].changes.to_frame())
    pd.testing.assert_frame_equal(again.trend, results["baby"].trend)
    pd.testing.assert_frame_equal(again.trend_changes, results["baby"].trend_changes)
    after = list_waves(tmp / "reports" / "csat-store.duckdb")
    pd.testing.assert_frame_equal(after, stored)  # nothing rewritten


def test_a_changed_earlier_file_is_analysed_again_and_refreshed(demo, tmp_path):
    tmp, results, _ = demo
    data = tmp_path / "data"
    shutil.copytree(tmp / "data" / "apparel", data / "apparel")
    shutil.copy(tmp / "reports" / "csat-store.duckdb", tmp_path / "store.duckdb")
    path = _params(tmp_path, data, "apparel")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["output"]["store"] = str(tmp_path / "store.duckdb")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    previous = data / "apparel" / "history" / DEMO_WAVES[-2] / "responses.csv"
    frame = pd.read_csv(previous, dtype=str, keep_default_na=False)
    frame.iloc[:-200].to_csv(previous, index=False)  # the last 200 respondents withdrawn
    res = analyse(load_study(path))
    stored = list_waves(tmp_path / "store.duckdb").set_index(["category", "wave"])
    assert stored.loc[("apparel", DEMO_WAVES[-2]), "data_hash"] != file_sha256(previous)  # responses + tickets
    old = results["apparel"].trend.set_index("wave")
    new = res.trend.set_index("wave")
    assert new.loc[DEMO_WAVES[-2], "n_responses"] == old.loc[DEMO_WAVES[-2], "n_responses"] - 200
    assert stored.loc[("apparel", DEMO_WAVES[-2]), "n_analysed"] < old.loc[DEMO_WAVES[-2], "n_responses"] - 200
    assert new.loc[DEMO_WAVES[0], "n_responses"] == old.loc[DEMO_WAVES[0], "n_responses"]


def test_a_corrupt_store_is_noted_and_rebuilt_from_the_data(demo, tmp_path):
    tmp, results, _ = demo
    path = _params(tmp_path, tmp / "data", "beauty")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    store = tmp_path / "store.duckdb"
    store.write_bytes(b"not a database " * 100)
    doc["output"]["store"] = str(store)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = analyse(load_study(path))
    kinds = {n.kind for n in res.data_notes}
    assert {"history_store_unreadable", "store_corrupt"} <= kinds
    assert list(tmp_path.glob("store.duckdb.corrupt-*"))  # moved aside, not deleted
    assert list(list_waves(store)["wave"]) == list(DEMO_WAVES[:-1])  # rebuilt from the data
    pd.testing.assert_frame_equal(res.changes.to_frame(), results["beauty"].changes.to_frame())
    from csat_research.report.data_notes import data_notes_lines

    lines = data_notes_lines(res)
    assert any("研究数据库" in line for line in lines)  # said in the report language (zh)


def test_a_weighted_study_compares_with_its_survey_weights(demo, tmp_path):
    """Raked to the population's value bands (10 % high value, over-sampled at 20 %): every wave
    keeps its own weights (stored with the wave) and the change uses them."""
    tmp, results, truth = demo
    path = _params(tmp_path, tmp / "data", "baby")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["survey_weights"] = {"margins": {"value_band": {"normal": 0.9, "high": 0.1}}}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = analyse(load_study(path))
    table = res.changes.to_frame().set_index("metric")
    assert res.changes.weighted
    unweighted = results["baby"].changes.to_frame().set_index("metric")
    assert (table["n_eff_current"] < unweighted["n_eff_current"]).all()  # unequal weights: fewer effective
    assert not table["delta"].equals(unweighted["delta"])
    assert set(table.index[table["significant"]]) == set(_planted(truth["baby"], res))


def test_validate_says_which_earlier_waves_it_compares_with(demo):
    from csat_research.report.checkup import validate_study

    tmp, _, _ = demo
    lines = validate_study(tmp / "appliances.yaml")
    [line] = [x for x in lines if x.startswith("history:")]
    assert line.startswith("history: 2 earlier wave(s) (2026Q1, 2026Q2; read from or added to the study store ")
    assert line.endswith("compared with 2026Q2: 4 significant change(s)")
