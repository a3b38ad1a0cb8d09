"""Tests of csat_research.stats.kpi: service KPIs, trends and survey x ticket joins."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.stats.kpi import (
    DEFAULT_TARGETS,
    KPIS,
    _wilson,
    expectation_gap,
    kpi_trend,
    satisfaction_by_wait,
    service_kpis,
)


def _tickets(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    handled = rng.choice(["bot", "human", "bot_to_human"], n, p=[0.5, 0.3, 0.2])
    resolution = rng.exponential(12.0, n)
    resolution[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "ticket_id": [f"T{i:04d}" for i in range(n)],
        "customer_id": [f"C{i % 25:03d}" for i in range(n)],
        "created_at": pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, 21, n), "D"),
        "channel": rng.choice(["wechat", "app", "web", "phone"], n),
        "handled_by": handled,
        "handoff_min": np.where(handled == "bot_to_human", rng.exponential(20.0, n), np.nan),
        "first_response_min": rng.exponential(4.0, n),
        "resolution_hours": resolution,
        "first_contact_resolution": rng.random(n) < 0.7,
        "repeat_contact": rng.random(n) < 0.2,
        "escalated": rng.random(n) < 0.1,
        "severity": rng.choice(["high", "normal"], n, p=[0.2, 0.8]),
    })


# ------------------------------------------------------------------------ Wilson / KPIs
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [  # Newcombe (1998), Table I, method 3 (Wilson score, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_newcombe_table(k, n, low, high):
    lo, hi = _wilson(k, n, 0.95)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_service_kpis_shares_use_wilson_newcombe():
    # 263 tickets, 81 answered within 5 minutes -> 0.308, Wilson 0.2553-0.3662 (Newcombe).
    t = pd.DataFrame({"first_response_min": [1.0] * 81 + [20.0] * 182})
    row = service_kpis(t).set_index("kpi").loc["first_reply_5min"]
    assert row["value"] == pytest.approx(81 / 263)
    assert row["ci_low"] == pytest.approx(0.2553, abs=5e-5)
    assert row["ci_high"] == pytest.approx(0.3662, abs=5e-5)
    assert row["n"] == 263 and row["target"] == 0.90 and row["met"] is False
    assert row["gap"] == pytest.approx(81 / 263 - 0.90)


def test_service_kpis_definitions_on_a_hand_made_log():
    t = pd.DataFrame({
        "handled_by": ["bot", "bot", "bot", "bot_to_human", "bot_to_human", "human"],
        "handoff_min": [np.nan, np.nan, np.nan, 10.0, 45.0, np.nan],
        "first_response_min": [0.2, 0.3, np.nan, 4.0, 6.0, 20.0],
        "resolution_hours": [1.0, np.nan, 2.0, 30.0, 3.0, 23.0],
        "first_contact_resolution": [True, False, True, None, False, True],
        "repeat_contact": [False, True, False, False, True, False],
        "escalated": [0, 0, 0, 1, 0, 1],
        "severity": ["high", "normal", "high", "high", "normal", "normal"],
    })
    k = service_kpis(t).set_index("kpi")
    assert list(k.index) == list(KPIS)
    # missing first response counts as not within 5 min: 3 of 6
    assert k.at["first_reply_5min", "value"] == pytest.approx(3 / 6)
    assert k.at["first_reply_5min", "n_missing"] == 1
    # unresolved counts as not resolved: 1.0, 2.0, 3.0, 23.0 -> 4 of 6
    assert k.at["resolved_24h", "value"] == pytest.approx(4 / 6)
    assert (k.at["fcr", "value"], k.at["fcr", "n"], k.at["fcr", "n_missing"]) == (0.6, 5, 1)
    assert k.at["repeat_rate", "value"] == pytest.approx(2 / 6)
    # bot-started: 5 tickets; bot alone and resolved: 2
    assert (k.at["bot_containment", "value"], k.at["bot_containment", "n"]) == (0.4, 5)
    assert (k.at["handoff_30min", "value"], k.at["handoff_30min", "n"]) == (0.5, 2)
    assert k.at["escalation_rate", "value"] == pytest.approx(2 / 6)
    # high severity: first responses 0.2, NaN, 4.0 -> 2 of 3 within 15 min
    assert k.at["high_severity_15min", "value"] == pytest.approx(2 / 3)
    assert k.at["median_first_response_min", "value"] == pytest.approx(4.0)
    # repeat_rate is "lower is better": gap sign follows that
    k2 = service_kpis(t, targets={"repeat_rate": 0.5}).set_index("kpi")
    assert k2.at["repeat_rate", "gap"] == pytest.approx(0.5 - 2 / 6)
    assert k2.at["repeat_rate", "met"] is True
    assert k.at["repeat_rate", "met"] is None and math.isnan(k.at["repeat_rate", "target"])


def test_median_interval_order_statistics_conover():
    # Conover (1999) sec. 3.2 / binomial order statistics: for n = 10 the 95 % interval for
    # the median runs from the 2nd to the 9th order statistic (coverage 97.9 %); for n = 20
    # from the 6th to the 15th (95.9 %).
    for n, (r, s) in [(10, (2, 9)), (20, (6, 15))]:
        x = np.arange(1.0, n + 1) * 1.5
        row = service_kpis(pd.DataFrame({"first_response_min": x})).set_index("kpi")
        med = row.loc["median_first_response_min"]
        assert (med["ci_low"], med["ci_high"]) == (x[r - 1], x[s - 1])


def test_median_interval_equals_scipy_quantile_test():
    # the vectorised order-statistic interval is scipy.stats.quantile_test's (two-sided),
    # for every sample size, with ties and at two confidence levels
    from scipy import stats

    rng = np.random.default_rng(5)
    for n in range(1, 90):
        x = np.round(rng.exponential(4.0, n), 1)
        for confidence in (0.95, 0.9):
            row = service_kpis(pd.DataFrame({"first_response_min": x}),
                               confidence=confidence).set_index("kpi").loc["median_first_response_min"]
            if n < 2:
                assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
                continue
            ci = stats.quantile_test(x, q=float(np.median(x)), p=0.5).confidence_interval(confidence)
            np.testing.assert_equal([row["ci_low"], row["ci_high"]], [ci.low, ci.high])
            assert row["value"] == np.median(x)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 120), min_size=1, max_size=60))
def test_property_shares_and_intervals_are_probabilities(waits):
    k = service_kpis(pd.DataFrame({"first_response_min": waits})).set_index("kpi")
    row = k.loc["first_reply_5min"]
    assert 0 <= row["ci_low"] <= row["value"] <= row["ci_high"] <= 1


def test_targets_merge_and_params_survey_keys_ignored():
    t = _tickets()
    out = service_kpis(t, targets={"fcr": 0.5, "csat_mean": 4.0, "nps": 30,
                                   "resolved_24h": None}).set_index("kpi")
    assert out.at["fcr", "target"] == 0.5
    assert math.isnan(out.at["resolved_24h", "target"]) and out.at["resolved_24h", "met"] is None
    assert out.at["first_reply_5min", "target"] == DEFAULT_TARGETS["first_reply_5min"]
    with pytest.raises(ValueError, match="unknown KPI 'nps_rate'"):
        service_kpis(t, targets={"nps_rate": 0.3})
    with pytest.raises(ValueError, match=r"targets\['fcr'\] must be a number"):
        service_kpis(t, targets={"fcr": "high"})


def test_service_kpis_errors():
    t = _tickets()
    with pytest.raises(TypeError, match="DataFrame"):
        service_kpis(t.to_dict())
    with pytest.raises(DataError, match=r"'handled_by': values \['robot'\] not allowed"):
        service_kpis(t.assign(handled_by="robot"))
    with pytest.raises(DataError, match="must be numeric"):
        service_kpis(t.assign(first_response_min="fast"))
    with pytest.raises(DataError, match="not booleans"):
        service_kpis(t.assign(escalated="maybe"))
    with pytest.raises(DataError, match="none of the KPI columns"):
        service_kpis(t[["ticket_id"]])
    with pytest.raises(ValueError, match="reply_limit_min must be a positive number"):
        service_kpis(t, reply_limit_min=0)
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\), e\.g\. 0\.95; got 95"):
        service_kpis(t, confidence=95)
    with pytest.raises(AnalysisError, match="no rows"):
        service_kpis(t.iloc[:0])


def test_limits_are_parameters():
    t = pd.DataFrame({"first_response_min": [3.0, 6.0, 9.0, 12.0]})
    k5 = service_kpis(t).set_index("kpi").at["first_reply_5min", "value"]
    k10 = service_kpis(t, reply_limit_min=10).set_index("kpi").at["first_reply_5min", "value"]
    assert (k5, k10) == (0.25, 0.75)


# ------------------------------------------------------------------------------ trend
def test_kpi_trend_is_service_kpis_per_week():
    t = _tickets(120, seed=3)
    tr = kpi_trend(t)
    assert list(tr.columns[:2]) == ["period", "period_end"]
    weeks = sorted(tr["period"].unique())
    assert all(pd.Timestamp(w).day_of_week == 0 for w in weeks)  # weeks start on Monday
    first = weeks[0]
    sub = t[(t["created_at"] >= first) & (t["created_at"] < first + pd.Timedelta(days=7))]
    expected = service_kpis(sub)
    got = tr[tr["period"] == first].drop(columns=["period", "period_end"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert tr.groupby("kpi")["n"].sum()["first_reply_5min"] == len(t)


@pytest.mark.parametrize("flags", ["bool", "object", "int", "boolean"])
def test_kpi_trend_every_period_equals_service_kpis(flags):
    # every period's rows (counted for all periods at once) are service_kpis of that period's
    # tickets, with missing codes and flags stored as numpy bools, objects, 0/1 or pandas booleans
    t = _tickets(200, seed=7)
    t.loc[[3, 50], "handled_by"] = None
    t.loc[[5, 6], "severity"] = None
    t.loc[[10, 60], "first_response_min"] = np.nan
    for c in ("first_contact_resolution", "repeat_contact", "escalated"):
        if flags == "object":
            t[c] = t[c].astype(object)
            t.loc[[7, 70], c] = None
        elif flags == "int":
            t[c] = t[c].astype(int)
        elif flags == "boolean":
            t[c] = t[c].astype("boolean")
            t.loc[[7, 70], c] = pd.NA
    tr = kpi_trend(t, targets={"fcr": 0.5})
    weeks = t["created_at"].dt.to_period("W")
    assert tr["period"].is_monotonic_increasing and tr["period"].nunique() == weeks.nunique()
    for start, got in tr.groupby("period", sort=False):
        sub = t[(weeks.dt.start_time == start).to_numpy()]
        expected = service_kpis(sub, targets={"fcr": 0.5})
        assert (got["period_end"] == start + pd.Timedelta(days=6)).all()
        pd.testing.assert_frame_equal(
            got.drop(columns=["period", "period_end"]).reset_index(drop=True), expected, check_exact=True
        )


def test_kpi_trend_flag_errors_count_the_first_bad_period_and_skip_undated_tickets():
    t = _tickets(60, seed=2)
    t["escalated"] = t["escalated"].astype(object)
    order = t.sort_values("created_at").index
    t.loc[order[-2:], "escalated"] = "maybe"  # two bad flags in the last week
    t.loc[order[0], "escalated"] = "maybe"  # one in the first week
    with pytest.raises(DataError, match=r"'escalated': 1 value\(s\) are not booleans"):
        kpi_trend(t)
    with pytest.raises(DataError, match=r"'escalated': 3 value\(s\) are not booleans"):
        service_kpis(t)
    # a bad flag on a ticket without a date is left out with the ticket
    t.loc[order, "escalated"] = False
    t.loc[order[0], ["escalated", "created_at"]] = ["maybe", pd.NaT]
    with pytest.warns(CsatWarning, match="1 of 60 tickets have no 'created_at'"):
        tr = kpi_trend(t)
    assert tr.loc[tr["kpi"] == "escalation_rate", "n"].sum() == 59


def test_kpi_trend_missing_dates_and_errors():
    t = _tickets(30)
    t.loc[:2, "created_at"] = pd.NaT
    with pytest.warns(CsatWarning, match="3 of 30 tickets have no 'created_at'"):
        tr = kpi_trend(t, freq="M")
    assert tr.loc[tr["kpi"] == "first_reply_5min", "n"].sum() == 27
    with pytest.raises(DataError, match="must be datetime"):
        kpi_trend(t.assign(created_at="2026-03-02"))
    with pytest.raises(ValueError, match="freq must be"):
        kpi_trend(t.dropna(subset=["created_at"]), freq="fortnight")
    with pytest.raises(DataError, match="'opened' not found"):
        kpi_trend(t, date="opened")


# ------------------------------------------------------------------ survey x tickets
@pytest.fixture()
def joined_data():
    survey = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "expected_reply_min": [5.0, 10.0, 3.0, None, 6.0],
        "overall": [4, 5, 2, 3, 1],
    })
    tickets = pd.DataFrame({
        "customer_id": ["C1", "C1", "C1", "C2", "C3", "C9", "C9", "C4"],
        "first_response_min": [4.0, 12.0, 20.0, 2.0, 3.0, 1.0, 2.0, 0.5],
    })
    return survey, tickets


def test_expectation_gap_join_and_counts(joined_data):
    survey, tickets = joined_data
    with pytest.warns(CsatWarning, match=r"1 respondent\(s\) have no ticket.*2 ticket\(s\) "
                                         r"of 1 customer\(s\)"):
        res = expectation_gap(survey, tickets)
    tab = res.table.set_index("customer_id")
    assert tab.at["C1", "actual_min"] == 12.0 and tab.at["C1", "n_tickets"] == 3
    # C3 waited exactly as long as expected: not exceeded (strict)
    assert tab["exceeded"].to_dict() == {"C1": True, "C2": False, "C3": False}
    assert res.share_exceeded == pytest.approx(1 / 3)
    lo, hi = _wilson(1, 3, 0.95)
    assert (res.ci_low, res.ci_high) == (lo, hi)
    assert (res.n, res.n_respondents, res.n_missing_expected, res.n_unmatched_respondents,
            res.n_unknown_customers, res.n_tickets_unmatched, res.n_tickets_unusable) == (
        3, 5, 1, 1, 1, 2, 0)
    assert res.to_frame().shape == (1, 12)
    extra = pd.concat([tickets, pd.DataFrame({"customer_id": [None, "C2"],
                                              "first_response_min": [1.0, np.nan]})])
    with pytest.warns(CsatWarning, match="2 ticket\\(s\\) lack a 'customer_id'"):
        assert expectation_gap(survey, extra).n_tickets_unusable == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        mean_res = expectation_gap(survey, tickets, agg="mean")
    assert mean_res.table.set_index("customer_id").at["C1", "actual_min"] == pytest.approx(12.0)


def test_expectation_gap_errors(joined_data):
    survey, tickets = joined_data
    with pytest.raises(DataError, match="duplicated 'customer_id'"):
        expectation_gap(pd.concat([survey, survey.iloc[:1]]), tickets)
    with pytest.raises(DataError, match="'expected_wait' not found"):
        expectation_gap(survey, tickets, expected="expected_wait")
    with pytest.raises(ValueError, match="agg must be one of"):
        expectation_gap(survey, tickets, agg="mode")
    with pytest.raises(AnalysisError, match="no respondent"), warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        expectation_gap(survey, tickets.assign(customer_id="X"))
    with pytest.raises(DataError, match=r"tickets: column\(s\) \['first_response_min'\]"):
        expectation_gap(survey, tickets.drop(columns="first_response_min"))


def test_satisfaction_by_wait_bands_and_t_interval():
    # R documentation example t.test(extra ~ group, data = sleep, paired = TRUE): the ten
    # differences have mean 1.58 and 95 % CI 0.7001142 to 2.4598858.
    diffs = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    survey = pd.DataFrame({"customer_id": [f"C{i}" for i in range(12)],
                           "overall": diffs + [3.0, np.nan]})
    tickets = pd.DataFrame({"customer_id": [f"C{i}" for i in range(12)],
                            "first_response_min": [0.5] * 10 + [70.0, 0.2]})
    with pytest.warns(CsatWarning, match="2 of 12 respondents left out"):
        out = satisfaction_by_wait(survey, tickets, score="overall", bins=(0, 1, 5, 60))
    assert out["wait_band"].tolist() == ["[0, 1)", "[1, 5)", "[5, 60)"]
    first = out.iloc[0]
    assert first["n"] == 10
    assert first["mean"] == pytest.approx(1.58, abs=5e-9)
    assert first["ci_low"] == pytest.approx(0.7001142, abs=5e-8)
    assert first["ci_high"] == pytest.approx(2.4598858, abs=5e-8)
    assert out["n"].tolist() == [10, 0, 0]


def test_satisfaction_by_wait_default_bins_and_errors(joined_data):
    survey, tickets = joined_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        out = satisfaction_by_wait(survey, tickets, score="overall")
    assert out["wait_band"].tolist() == ["[0, 1)", "[1, 5)", "[5, 15)", "[15, 30)",
                                         "[30, 60)", "[60, inf)"]
    assert out["n"].sum() == 4  # C1, C2, C3, C4 matched; C5 has no ticket
    with pytest.raises(ValueError, match="strictly increasing"):
        satisfaction_by_wait(survey, tickets, score="overall", bins=(5, 1))
    with pytest.raises(DataError, match="'nps' not found"):
        satisfaction_by_wait(survey, tickets, score="nps")
