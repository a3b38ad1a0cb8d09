"""Each study against the pooled rest of its portfolio: reference values (R t.test on mtcars,
Newcombe 1998 / prop.test, a hand-computed NPS), the adjustment family and bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from csat_research.core.errors import CsatWarning
from csat_research.stats.portfolio import portfolio_comparison

MTCARS = Path(__file__).resolve().parents[1] / "fixtures" / "r_datasets_mtcars.csv"


@pytest.fixture(autouse=True)
def _quiet_small_base():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*small base.*", category=CsatWarning)
        yield


@pytest.fixture(scope="module")
def mtcars_portfolio():
    """mtcars as a portfolio of three 'studies': manual cars (am = 1) and the automatic ones
    split by engine shape (vs), so that the rest of the manual cars is all automatic cars."""
    cars = pd.read_csv(MTCARS)
    return {
        "manual": cars[cars["am"] == 1],
        "auto_v": cars[(cars["am"] == 0) & (cars["vs"] == 0)],
        "auto_straight": cars[(cars["am"] == 0) & (cars["vs"] == 1)],
    }


def test_study_vs_rest_welch_equals_r_t_test(mtcars_portfolio):
    res = portfolio_comparison(mtcars_portfolio, metrics={"mpg": {"kind": "mean", "column": "mpg"}})
    t = res.to_frame().set_index("study")
    manual = t.loc["manual"]
    # R 4.x: t.test(mpg ~ am, data = mtcars)  (Welch Two Sample t-test)
    #   t = -3.7671, df = 18.332, p-value = 0.001374
    #   95 percent confidence interval: -11.280194  -3.209684
    #   mean in group 0 17.14737, mean in group 1 24.39231
    # R estimates group 0 - group 1; here delta is study (manual, group 1) - rest (group 0).
    assert manual["estimate"] == pytest.approx(24.39231, abs=5e-6)
    assert manual["rest"] == pytest.approx(17.14737, abs=5e-6)
    assert manual["ci_low"] == pytest.approx(3.209684, abs=5e-7)
    assert manual["ci_high"] == pytest.approx(11.280194, abs=5e-7)
    assert manual["p_value"] == pytest.approx(0.001374, abs=5e-7)
    assert manual["test"] == "welch_t"
    # R: mean(mtcars$mpg) = 20.09062 - the portfolio average pools every car
    assert manual["portfolio"] == pytest.approx(20.09062, abs=5e-6)
    assert res.average.set_index("metric").loc["mpg", "estimate"] == pytest.approx(20.09062, abs=5e-6)
    # the other studies: scipy's Welch test of the study against the other two pooled
    cars = pd.concat(mtcars_portfolio.values())
    for name, own in mtcars_portfolio.items():
        rest = cars.drop(index=own.index)["mpg"]
        ref = stats.ttest_ind(own["mpg"], rest, equal_var=False)
        assert t.loc[name, "p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
        assert (t.loc[name, "n"], t.loc[name, "n_rest"]) == (len(own), len(rest))


def test_study_vs_rest_share_is_newcombe_and_prop_test():
    def answers(top: int, n: int) -> pd.DataFrame:
        return pd.DataFrame({"sat": [5.0] * top + [2.0] * (n - top)})

    # study 56/70 against the rest 48/80 pooled from two studies (20/30 and 28/50)
    res = portfolio_comparison({"x": answers(56, 70), "y": answers(20, 30), "z": answers(28, 50)},
                               metrics={"csat_top2box": {"kind": "top2box", "column": "sat"}})
    x = res.to_frame().set_index("study").loc["x"]
    # Newcombe (1998), Statistics in Medicine 17:873, Table II, method 10: 56/70 - 48/80 = 0.2000,
    # 95% CI 0.0524 to 0.3339
    assert x["delta"] == pytest.approx(0.2, abs=1e-12)
    assert (x["ci_low"], x["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    # R: prop.test(c(56, 48), c(70, 80), correct = FALSE): X-squared = 7.0234, p-value = 0.008045
    assert x["p_value"] == pytest.approx(0.008045, abs=5e-7)
    assert x["test"] == "newcombe_score"
    assert x["portfolio"] == pytest.approx((56 + 48) / 150, abs=1e-12)


def test_study_vs_rest_nps_is_the_multinomial_z():
    def answers(promoters: int, passives: int, detractors: int) -> pd.DataFrame:
        return pd.DataFrame({"rec": [10.0] * promoters + [8.0] * passives + [3.0] * detractors})

    # study: NPS 30 (50 / 30 / 20 of 100); rest: NPS 10 (40 / 30 / 30 of 100) pooled from two halves
    res = portfolio_comparison({"b": answers(50, 30, 20), "a1": answers(20, 15, 15), "a2": answers(20, 15, 15)},
                               metrics={"nps": {"kind": "nps", "column": "rec"}})
    b = res.to_frame().set_index("study").loc["b"]
    # hand-computed: SE = 100 * sqrt((0.7 - 0.3**2) / 100 + (0.7 - 0.1**2) / 100) = 11.40175;
    # z = 20 / 11.40175 = 1.754116, two-sided p = 2 * pnorm(-1.754116) = 0.07941
    se = 100 * np.sqrt((0.7 - 0.3**2) / 100 + (0.7 - 0.1**2) / 100)
    assert se == pytest.approx(11.40175, abs=5e-6)
    assert b["delta"] == pytest.approx(20.0, abs=1e-9)
    assert b["p_value"] == pytest.approx(0.07941, abs=5e-6)
    assert (b["ci_low"], b["ci_high"]) == pytest.approx((20 - 1.959964 * se, 20 + 1.959964 * se), abs=1e-4)


def _two_metric_portfolio(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    shifts = {"s1": 0.5, "s2": 0.0, "s3": -0.1, "s4": 0.0, "s5": -0.6}
    return {name: pd.DataFrame({"q": np.clip(np.round(rng.normal(3.5 + d, 0.9, 150)), 1, 5),
                                "rec": rng.integers(0, 11, 150).astype(float)})
            for name, d in shifts.items()}


METRICS = {"q": {"kind": "mean", "column": "q"}, "t2b": {"kind": "top2box", "column": "q"},
           "nps": {"kind": "nps", "column": "rec"}}


def test_holm_over_the_whole_table_and_marks_follow_the_adjusted_p():
    res = portfolio_comparison(_two_metric_portfolio(), metrics=METRICS)
    t = res.to_frame()
    assert len(t) == 15 and res.correction == "holm" and res.adjust_over == "table"
    # R p.adjust(p, "holm") = statsmodels multipletests(p, method="holm") over all 15 cells
    assert t["p_adjusted"].to_numpy() == pytest.approx(multipletests(t["p_value"], method="holm")[1], rel=1e-12)
    for row in t.itertuples():
        expected = None if not row.p_adjusted < 0.05 else ("above" if row.delta > 0 else "below")
        assert row.direction == expected and row.significant == (row.p_adjusted < 0.05)
    marked = t.dropna(subset=["direction"])
    assert set(zip(marked["study"], marked["metric"])) >= {("s1", "q"), ("s5", "q")}
    assert set(marked.set_index(["study", "metric"]).loc[[("s1", "q"), ("s5", "q")], "direction"]) == {"above", "below"}


def test_per_metric_family():
    studies = _two_metric_portfolio()
    res = portfolio_comparison(studies, metrics=METRICS, adjust_over="metric")
    t = res.to_frame()
    for metric in METRICS:
        cells = t[t["metric"] == metric]
        assert cells["p_adjusted"].to_numpy() == pytest.approx(
            multipletests(cells["p_value"], method="holm")[1], rel=1e-12)


def test_a_study_without_a_metric_gets_an_untested_cell_outside_the_family():
    studies = _two_metric_portfolio()
    studies["s2"] = studies["s2"].drop(columns="rec")
    t = portfolio_comparison(studies, metrics=METRICS).to_frame()
    cell = t[(t["study"] == "s2") & (t["metric"] == "nps")].iloc[0]
    assert np.isnan(cell["p_value"]) and np.isnan(cell["p_adjusted"]) and cell["direction"] is None
    assert "no answers to 'rec'" in cell["note"]
    tested = t.dropna(subset=["p_value"])
    assert len(tested) == 14
    assert tested["p_adjusted"].to_numpy() == pytest.approx(multipletests(tested["p_value"], method="holm")[1])


def test_weighted_rest_pools_the_other_studies_with_their_weights():
    from csat_research.stats.change import compare_waves

    studies = _two_metric_portfolio()
    rng = np.random.default_rng(9)
    for frame in studies.values():
        frame["w"] = rng.uniform(0.5, 2.0, len(frame))
    res = portfolio_comparison(studies, metrics=METRICS, survey_weights="w", correction="none")
    t = res.to_frame().set_index(["study", "metric"])
    rest = pd.concat([f for n, f in studies.items() if n != "s3"], ignore_index=True)
    ref = compare_waves(rest, studies["s3"], metrics=METRICS, survey_weights="w", correction="none").to_frame()
    for row in ref.itertuples():
        assert t.loc[("s3", row.metric), "p_value"] == pytest.approx(row.p_value, rel=1e-12)
        assert t.loc[("s3", row.metric), "delta"] == pytest.approx(row.delta, rel=1e-12)
    assert res.weighted


def test_bad_input_is_named():
    one = {"a": pd.DataFrame({"q": [1.0, 2.0]})}
    with pytest.raises(ValueError, match="at least two studies"):
        portfolio_comparison(one, metrics={"q": {"kind": "mean", "column": "q"}})
    two = {"a": pd.DataFrame({"q": [1.0, 2.0]}), "b": pd.DataFrame({"q": [3.0, 2.0]})}
    with pytest.raises(ValueError, match="adjust_over"):
        portfolio_comparison(two, metrics={"q": {"kind": "mean", "column": "q"}}, adjust_over="row")
    with pytest.raises(TypeError, match="mapping of study name"):
        portfolio_comparison([two["a"], two["b"]], metrics={"q": {"kind": "mean", "column": "q"}})
    with pytest.raises(Exception, match="survey_weights.*'w'.*not found"):
        portfolio_comparison(two, metrics={"q": {"kind": "mean", "column": "q"}}, survey_weights="w")
