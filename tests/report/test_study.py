"""The whole study pipeline (import -> screening -> scoring -> analyses) recovers the demo's planted truth.

Each category of the demo study (seed 2026, n = 2,000, as `make report` writes it) is loaded
through its shipped params file and analysed with `report.analyse`; the results are compared with
`truth.json`, which the generator wrote from the values it planted.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from csat_research.core.errors import DataError
from csat_research.demo.generator import write_demo_study
from csat_research.report.analyse import analyse
from csat_research.report.checkup import validate_study
from csat_research.report.data_notes import data_notes_lines
from csat_research.report.outputs import summary
from csat_research.report.study import load_study
from csat_research.run.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("appliances", "apparel", "beauty", "baby")


def _params(tmp: Path, category: str, data: Path, **analysis) -> Path:
    doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(data / category / f"{key}.csv")
    doc["output"]["dir"] = str(tmp / "reports")
    doc["analysis"].update(analysis)
    path = tmp / f"{category}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("study")
    data = tmp / "data"
    write_demo_study(data, seed=2026, n=2000)
    out = {}
    for c in CATEGORIES:
        study = load_study(_params(tmp, c, data, n_boot=20))
        truth = json.loads((data / c / "truth.json").read_text(encoding="utf-8"))
        out[c] = (study, analyse(study), truth)
    return out


@pytest.mark.parametrize("category", CATEGORIES)
def test_screening_finds_planted_careless_respondents(studies, category):
    study, _, truth = studies[category]
    planted = {r for ids in truth["careless"].values() for r in ids}
    excluded = set(study.screening.audit["respondent_id"])
    hits = len(planted & excluded)
    assert hits / len(excluded) >= 0.9  # precision
    assert hits / len(planted) >= 0.9  # recall


@pytest.mark.parametrize("category", CATEGORIES)
def test_scores_and_loadings_recover_the_truth(studies, category):
    _, res, truth = studies[category]
    means = res.scores.set_index("dimension")["mean"]
    for dim, planted in truth["observed_dimension_means_clean"].items():
        assert means[dim] == pytest.approx(planted, abs=0.02), dim
    assert res.weakest_dimension == truth["weakest_dimension"]
    # standardized CFA loadings against the planted loadings of the latent item model
    items = truth["latent"]["items"]
    est = res.cfa.loadings.set_index("item")["std_loading"]
    planted = np.array([items[i]["loading"] for i in est.index])
    assert np.abs(est.to_numpy() - planted).mean() < 0.06
    assert np.corrcoef(est.to_numpy(), planted)[0, 1] > 0.85


@pytest.mark.parametrize("category", CATEGORIES)
def test_drivers_themes_and_kpis_recover_the_truth(studies, category):
    _, res, truth = studies[category]
    assert res.drivers_satisfaction["importance"].idxmax() == truth["most_important_dimension"]
    assert res.top_themes[:2] == truth["top_themes"][:2]
    kpis = res.kpis.set_index("kpi")["value"]
    for name in ("first_reply_5min", "resolved_24h", "fcr", "handoff_30min"):
        assert kpis[name] == pytest.approx(truth["kpi"]["realised"][name], abs=1e-6), name


def test_summary_is_json_and_complete(studies):
    _, res, _ = studies["beauty"]
    doc = json.loads(json.dumps(summary(res)))
    assert doc["n_analysed"] + doc["n_excluded"] == doc["n_responses"]
    assert doc["index_weights"] and abs(sum(doc["index_weights"].values()) - 1) < 1e-9
    assert doc["weighting_method"] == "data"


def test_ahp_params_give_consistent_weights(studies):
    study, _, _ = studies["appliances"]
    assert study.ahp is not None and study.ahp.consistency_ratio < 0.10
    assert study.index_weights.idxmax() == "quality"


def test_cli_validate_ok_and_broken(studies, tmp_path, capsys):
    study, _, _ = studies["beauty"]
    assert cli_main(["validate", str(study.params.source)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "screening:" in out and "index weights (data)" in out
    # the exclusions are found in a file of the report, not in a Python object
    assert "tables.xlsx, sheet 'excluded'" in out and "ScreeningResult" not in out
    broken = tmp_path / "broken.yaml"
    broken.write_text(study.params.source.read_text(encoding="utf-8").replace("category: beauty", "category: toys"),
                      encoding="utf-8")
    assert cli_main(["validate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "FAIL" in err and "study.category: 'toys' is not allowed" in err


def test_raked_survey_weights_reach_every_estimate(studies, tmp_path):
    study, res, _ = studies["apparel"]
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    # population margins: 30 % new customers (the sample has ~40 %), 35 % high value
    doc["survey_weights"] = {"margins": {"customer_type": {"new": 0.30, "returning": 0.70},
                                         "value_band": {"normal": 0.65, "high": 0.35}}}
    path = tmp_path / "weighted.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    weighted = load_study(path)
    assert weighted.weight_column == "weight"
    w = weighted.data["weight"]
    share_new = w[weighted.data["customer_type"] == "new"].sum() / w.sum()
    share_high = w[weighted.data["value_band"] == "high"].sum() / w.sum()
    assert share_new == pytest.approx(0.30, abs=1e-6) and share_high == pytest.approx(0.35, abs=1e-6)
    wres = analyse(weighted)
    # the weighted mean of overall satisfaction is the weighted average, not the plain mean
    d = weighted.data.dropna(subset=["overall_sat"])
    expected = float((d["overall_sat"] * d["weight"]).sum() / d["weight"].sum())
    assert wres.csat_mean.mean == pytest.approx(expected, rel=1e-9)
    assert wres.csat_mean.mean != pytest.approx(res.csat_mean.mean, abs=1e-4)
    assert wres.logit_dimensions.survey_weights == "weight"


def test_data_driven_index_weights_use_the_survey_weights(studies, tmp_path):
    """Data-driven index weights are fitted on the same (survey-weighted) data the report shows."""
    from csat_research.stats.index_weights import data_driven_weights

    study, _, _ = studies["apparel"]
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    doc["weighting"] = {"method": "data"}
    doc["survey_weights"] = {"margins": {"customer_type": {"new": 0.30, "returning": 0.70},
                                         "value_band": {"normal": 0.65, "high": 0.35}}}
    path = tmp_path / "weighted_data.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    weighted = load_study(path)
    dims = list(weighted.dimensions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = data_driven_weights(weighted.data, outcome="overall_sat", predictors=dims, survey_weights="weight")
        unweighted = data_driven_weights(weighted.data, outcome="overall_sat", predictors=dims)
    pd.testing.assert_series_equal(weighted.index_weights, expected.reindex(dims), check_names=False)
    assert not np.allclose(weighted.index_weights.to_numpy(), unweighted.reindex(dims).to_numpy(), atol=1e-6)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"survey_weights": {"column": "wt"}}, r"survey_weights\.column: no column 'wt' in the responses"),
        ({"weighting": {"method": "expert", "expert": {"efficiency": 0.5, "quality": 0.5}}},
         r"weighting\.expert: weights must name exactly the dimensions .*differs in \['after_sales', 'communication'"),
        ({"weighting": {"method": "ahp", "ahp": {"labels": ["a", "b"], "matrices": [[[1, 2], [0.5, 1]]]}}},
         r"weighting\.ahp\.labels: must be the dimensions"),
        # a deliberately inconsistent panel: efficiency > quality > communication > efficiency
        ({"weighting": {"method": "ahp", "ahp": {"matrices": [[[1, 9, 1 / 9, 1, 1], [1 / 9, 1, 9, 1, 1],
                                                              [9, 1 / 9, 1, 1, 1], [1, 1, 1, 1, 1],
                                                              [1, 1, 1, 1, 1]]]}}},
         r"weighting\.ahp: .*consistency ratio"),
    ],
)
def test_study_refuses_bad_weighting_and_weights(studies, tmp_path, patch, message):
    from csat_research.core.errors import ParamsError

    study, _, _ = studies["baby"]
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    doc.update(patch)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError, match=message) as info:
        load_study(path)
    assert "bad.yaml" in str(info.value)


def test_inconsistent_ahp_accepted_only_with_override(studies, tmp_path):
    study, _, _ = studies["baby"]
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    doc["weighting"] = {"method": "ahp", "ahp": {"allow_inconsistent": True, "matrices": [
        [[1, 9, 1 / 9, 1, 1], [1 / 9, 1, 9, 1, 1], [9, 1 / 9, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]]}}
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    s = load_study(path)
    assert s.ahp.overridden and s.ahp.consistency_ratio > 0.10
    from csat_research.report.narrative import method_text

    res = analyse(s)
    assert any("accepted only by an explicit override" in line for line in method_text(res))


def test_ticket_rows_set_aside_from_params(studies, tmp_path):
    """data.tickets.on_invalid: exclude (the hint of a ticket-log error) is a real setting."""
    study, _, _ = studies["beauty"]
    log = pd.read_csv(study.params.data.tickets.path, dtype=str, keep_default_na=False)
    log.loc[3, "handled_by"] = "robot"
    bad = tmp_path / "tickets.csv"
    log.to_csv(bad, index=False)
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    doc["data"]["responses"]["path"] = str(study.params.data.responses.path)
    doc["data"]["tickets"] = {"path": str(bad)}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"set data\.tickets\.on_invalid: exclude"):
        load_study(path)
    doc["data"]["tickets"]["on_invalid"] = "exclude"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_study(path)
    assert loaded.tickets.n_excluded == 1 and len(loaded.tickets.frame) == len(log) - 1


def test_export_without_an_optional_item_is_analysed_with_the_items_present(studies, tmp_path):
    """A wave whose export lacks an item the codebook marks `optional: true` is not refused."""
    study, _, _ = studies["beauty"]
    frame = pd.read_csv(study.params.data.responses.path, dtype=str, keep_default_na=False)
    trimmed = tmp_path / "responses.csv"
    frame.drop(columns=["aft_member_priority"]).to_csv(trimmed, index=False)
    doc = yaml.safe_load(study.params.source.read_text(encoding="utf-8"))
    doc["data"]["responses"]["path"] = str(trimmed)
    doc["data"]["tickets"]["path"] = str(study.params.data.tickets.path)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_study(path)
        res = analyse(loaded)
    assert loaded.dimensions["after_sales"] == ["aft_policy_clarity", "aft_return_convenience",
                                                "aft_warranty", "bty_allergy_return"]
    assert "aft_member_priority" not in set(res.item_scores["item"])
    assert "aft_member_priority" not in set(res.cfa.loadings["item"])
    assert "aft_warranty" in set(res.cfa.loadings["item"])
    assert res.scores.set_index("dimension")["mean"].notna().all()
    assert loaded.absent_items == ["aft_member_priority"]
    assert "本次导出数据不含1个可选题目（会员专属优先服务）：得分、信度与模型均基于现有题目计算。" in \
        data_notes_lines(res)
    lines = validate_study(path)
    assert f"responses: {trimmed} (csv, utf-8, encoding as given): 2000 rows read, 2000 " \
           "imported, 0 set aside" in lines
    assert ("warning: responses.csv: 1 optional question(s) not in the file, left missing: "
            "aft_member_priority") in lines
    # a required item is still refused, naming it and the codebook key
    frame.drop(columns=["aft_policy_clarity"]).to_csv(trimmed, index=False)
    with pytest.raises(DataError, match=r"responses.csv: 1 column\(s\) the codebook needs for "
                                        r"category 'beauty' are missing: aft_policy_clarity\..*"
                                        r"params key instrument.codebook"):
        load_study(path)


@pytest.mark.parametrize("category", CATEGORIES)
def test_study_keeps_each_imported_row_once_and_gives_the_import_back(studies, category):
    """The study holds the kept rows (screening.kept) and the screened-out rows (excluded_rows),
    not a second copy of the whole import (issue 17); import_frame() is the import, as read."""
    from csat_research.io.ingest import read_responses

    study, _, _ = studies[category]
    src = study.params.data.responses
    read = read_responses(src.path, codebook=study.codebook, category=category, format=src.format,
                          encoding=src.encoding, column_map=src.column_map or None,
                          value_maps=src.value_maps or None, on_invalid=src.on_invalid).frame
    pd.testing.assert_frame_equal(study.import_frame(), read, check_exact=True)
    assert len(study.responses.frame) == 0
    assert list(study.responses.frame.columns) == list(read.columns)
    assert (study.responses.frame.dtypes == read.dtypes).all()
    excluded = study.screening.flags.index[study.screening.flags["excluded"]]
    assert list(study.excluded_rows.index) == list(excluded) and len(excluded) > 0
    assert not study.excluded_rows.index.isin(study.screening.kept.index).any()
    two = ["respondent_id", "overall_sat"]
    pd.testing.assert_frame_equal(study.import_frame(two), read[two], check_exact=True)
