"""Data-quality screening: hand-made frames with known flags, properties, bad input, demo study."""

from __future__ import annotations

import json
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from csat_research.core.errors import CsatWarning, DataError
from csat_research.core.schema import DEFAULT_RULE_ACTIONS, QUALITY_RULES
from csat_research.stats.quality import ScreeningResult, longest_run, screen

SETTINGS = settings(max_examples=50, deadline=None)
GRID = ["g1", "g2", "g3", "g4", "g5"]


def _quiet(*args, **kwargs) -> ScreeningResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        return screen(*args, **kwargs)


@pytest.fixture
def frame() -> pd.DataFrame:
    """Eight respondents, each planted to trip exactly the rules named in ``expect``."""
    d = pd.DataFrame(
        {
            "respondent_id": ["ok1", "trap", "contra", "line", "fast", "dupid", "dupid", "repeat"],
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c1"],
            "submitted_at": pd.to_datetime(
                ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-10",
                 "2026-01-11", "2026-03-01"]
            ),
            "duration_sec": [400.0, 380.0, 420.0, 390.0, 100.0, 410.0, 405.0, 430.0],
            "g1": [4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 2.0, 4.0],
            "g2": [5.0, 3.0, 4.0, 3.0, 4.0, 3.0, 3.0, 5.0],
            "g3": [4.0, 4.0, 4.0, 3.0, 5.0, 4.0, 4.0, 4.0],
            "g4": [3.0, 5.0, 5.0, 3.0, 3.0, 5.0, 2.0, 3.0],
            "g5_r": [2.0, 2.0, 5.0, 3.0, 2.0, 2.0, 4.0, 2.0],  # reverse-keyed twin of g1
            "trap_attention": [2.0, 4.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
            "trap_rude": [1.0, 2.0, 3.0, 2.0, np.nan, 1.0, 2.0, 3.0],
        },
        index=pd.Index(range(100, 108)),
    )
    return d


TRAPS = {"trap_attention": [2], "trap_rude": [1, 2, 3]}
PAIRS = {"g5_r": "g1"}
FULL_GRID = ["g1", "g2", "g3", "g4", "g5_r"]
EXPECT = {
    "ok1": set(),
    "trap": {"trap"},
    "contra": {"reverse_contradiction"},  # g1 = 5 vs reversed g5_r = 1: gap 4
    "line": {"straightline"},
    "fast": {"speeder"},  # 100 s < 0.35 x median 407.5 s
    "repeat": {"repeat_customer"},  # c1 again after 55 days
}


def test_known_flags(frame):
    before = frame.copy()
    with pytest.warns(CsatWarning, match=r"screen excluded 5 of 8 respondents \(trap: 1, straightline: 1, speeder: 1, duplicate_id: 1, repeat_customer: 1\)"):
        r = screen(frame, traps=TRAPS, reverse_pairs=PAIRS, grid=FULL_GRID)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    f = r.flags
    assert list(f.index) == list(frame.index)
    assert list(f.columns) == ["respondent_id", *QUALITY_RULES, "n_flags", "reasons", "excluded", "longest_run"]
    for pos, rid in enumerate(frame["respondent_id"]):
        got = {rule for rule in QUALITY_RULES if f.iloc[pos][rule]}
        if rid == "dupid":
            want = set() if pos == 5 else {"duplicate_id"}  # first submission kept
        else:
            want = EXPECT[rid]
        assert got == want, rid
        assert f.iloc[pos]["reasons"] == "; ".join(rule for rule in QUALITY_RULES if rule in want)
        assert f.iloc[pos]["n_flags"] == len(want)
    assert f["longest_run"].tolist() == [1, 1, 2, 5, 2, 1, 1, 1]
    assert f["excluded"].tolist() == [False, True, False, True, True, False, True, True]
    assert r.kept["respondent_id"].tolist() == ["ok1", "contra", "dupid"]
    assert r.audit["respondent_id"].tolist() == ["trap", "line", "fast", "dupid", "repeat"]
    assert list(r.audit.index) == [101, 103, 104, 106, 107]
    assert (r.n_total, r.n_kept, r.n_excluded) == (8, 3, 5)
    s = r.summary.set_index("rule")
    assert list(r.summary.columns) == ["rule", "action", "evaluated", "n_evaluated", "n_flagged", "share", "n_excluded"]
    assert s.loc["reverse_contradiction", "n_excluded"] == 0 and s.loc["reverse_contradiction", "n_flagged"] == 1
    assert s.loc["trap", "n_evaluated"] == 8
    assert s.loc["straightline", "share"] == pytest.approx(1 / 8)
    pd.testing.assert_frame_equal(r.to_frame(), r.summary)


def test_actions_switch_between_flag_and_exclude(frame):
    r = _quiet(frame, traps=TRAPS, reverse_pairs=PAIRS, grid=FULL_GRID,
               actions={"reverse_contradiction": "exclude", "speeder": "flag", "repeat_customer": "flag"})
    assert r.actions["trap"] == DEFAULT_RULE_ACTIONS["trap"]
    assert set(r.audit["respondent_id"]) == {"trap", "contra", "line", "dupid"}
    assert "fast" in set(r.kept["respondent_id"]) and "repeat" in set(r.kept["respondent_id"])
    flagged_only = r.flags.loc[(r.flags["n_flags"] > 0) & ~r.flags["excluded"], "respondent_id"]
    assert set(flagged_only) == {"fast", "repeat"}


def test_rules_are_skipped_when_not_configured(frame):
    r = screen(frame, duration_col=None, id_col=None, customer_col=None, date_col=None)
    assert not r.flags[list(QUALITY_RULES)].any().any()
    assert r.summary["evaluated"].tolist() == [False] * 6
    assert r.n_kept == len(frame)
    assert "respondent_id" not in r.flags.columns and list(r.audit.columns) == ["n_flags", "reasons"]


def test_straightline_min_run_and_missing_answers():
    d = pd.DataFrame({"g1": [3.0, 1.0, 4.0], "g2": [3.0, 2.0, np.nan], "g3": [np.nan, 2.0, 4.0],
                      "g4": [3.0, 2.0, 4.0], "g5": [3.0, 5.0, 4.0]})
    whole = _quiet(d, grid=GRID, duration_col=None, id_col=None, customer_col=None, date_col=None)
    # row 0 answered 4 of 5 identically: a run of 4 < the whole grid (5)
    assert whole.flags["longest_run"].tolist() == [4, 3, 4]
    assert whole.flags["straightline"].tolist() == [False, False, False]
    k3 = _quiet(d, grid=GRID, straightline_min_run=3, duration_col=None, id_col=None, customer_col=None,
                date_col=None)
    assert k3.flags["straightline"].tolist() == [True, True, True]
    k4 = _quiet(d, grid=GRID, straightline_min_run=4, duration_col=None, id_col=None, customer_col=None,
                date_col=None)
    assert k4.flags["straightline"].tolist() == [True, False, True]
    assert k4.summary.set_index("rule").loc["straightline", "n_evaluated"] == 3


def test_longest_run_examples():
    assert longest_run(np.array([[1, 1, 2, 2, 2], [5, 4, 5, 4, 5], [np.nan, 2, np.nan, 2, 3]])).tolist() == [3, 1, 2]
    assert longest_run(np.empty((2, 0))).tolist() == [0, 0]
    with pytest.raises(ValueError, match="must be 2-D"):
        longest_run(np.array([1.0, 2.0]))


@given(arrays(np.float64, (15, 6), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])))
@SETTINGS
def test_longest_run_matches_a_plain_definition(block):
    def plain(row):
        answers = [v for v in row if not np.isnan(v)]
        best = run = 0
        for i, v in enumerate(answers):
            run = run + 1 if i and v == answers[i - 1] else 1
            best = max(best, run)
        return best

    assert longest_run(block).tolist() == [plain(r) for r in block]


def test_repeat_customer_six_month_window():
    # c1 takes part on day 0 (counted), day 100 (repeat), day 190 (counted again: 190 >= 182
    # days after day 0) and day 200 (repeat of day 190); c2 once; c3 twice 182 days apart.
    days = [0, 100, 190, 200, 5, 0, 182]
    d = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(7)],
        "customer_id": ["c1", "c1", "c1", "c1", "c2", "c3", "c3"],
        "submitted_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(days, unit="D"),
    }).iloc[[3, 0, 6, 2, 4, 1, 5]]  # row order must not matter
    r = _quiet(d, duration_col=None)
    got = dict(zip(r.flags["respondent_id"], r.flags["repeat_customer"], strict=True))
    assert got == {"r0": False, "r1": True, "r2": False, "r3": True, "r4": False, "r5": False, "r6": False}
    shorter = _quiet(d, duration_col=None, duplicate_window_days=90)
    got90 = dict(zip(shorter.flags["respondent_id"], shorter.flags["repeat_customer"], strict=True))
    assert [k for k, v in got90.items() if v] == ["r3"]  # only day 200 is within 90 days of day 190


def test_duplicate_id_keeps_the_earliest_submission():
    d = pd.DataFrame({
        "respondent_id": ["a", "a", "b", None],
        "submitted_at": pd.to_datetime(["2026-02-01", "2026-01-01", "2026-01-01", "2026-01-01"]),
    })
    r = _quiet(d, duration_col=None, customer_col=None)
    assert r.flags["duplicate_id"].tolist() == [True, False, False, False]  # row 0 is the later one
    assert r.summary.set_index("rule").loc["duplicate_id", "n_evaluated"] == 3  # missing id not evaluated


def test_missing_inputs_are_not_flagged_but_counted(frame):
    d = frame.assign(duration_sec=[np.nan] + frame["duration_sec"].tolist()[1:],
                     trap_attention=np.nan, trap_rude=np.nan)
    r = _quiet(d, traps=TRAPS, reverse_pairs=PAIRS, grid=FULL_GRID)
    s = r.summary.set_index("rule")
    assert s.loc["trap", "n_evaluated"] == 0 and s.loc["trap", "n_flagged"] == 0
    assert s.loc["speeder", "n_evaluated"] == 7
    assert not r.flags["speeder"].iloc[0]


@given(
    arrays(np.float64, (20, 5), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])),
    arrays(np.float64, 20, elements=st.floats(1, 2000)),
    st.sampled_from(["flag", "exclude"]),
    st.integers(0, 2**32 - 1),
)
@SETTINGS
def test_screening_invariants(grid, duration, action, seed):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(grid, columns=GRID)
    d["duration_sec"] = duration
    d["respondent_id"] = rng.choice(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] * 3, 20)
    d["customer_id"] = rng.choice(["x", "y", "z"], 20)
    # distinct times: with ties the row order decides which submission counts first
    d["submitted_at"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.choice(400, 20, replace=False), unit="D")
    d["trap"] = rng.choice([1.0, 2.0, np.nan], 20)
    r = _quiet(d, traps={"trap": [2]}, reverse_pairs={"g5": "g1"}, grid=GRID, straightline_min_run=3,
               actions={"speeder": action})
    f = r.flags
    # nothing disappears: kept + audit = all rows, disjoint
    assert r.n_kept + len(r.audit) == len(d)
    assert set(r.kept.index).isdisjoint(r.audit.index)
    # excluded exactly when an "exclude" rule fired
    excl_rules = [k for k, v in r.actions.items() if v == "exclude"]
    assert (f["excluded"] == f[excl_rules].any(axis=1)).all()
    assert (f["n_flags"] == f[list(QUALITY_RULES)].sum(axis=1)).all()
    assert ((f["reasons"] == "") == (f["n_flags"] == 0)).all()
    s = r.summary.set_index("rule")
    assert (s["n_flagged"] == f[list(QUALITY_RULES)].sum()).all()
    assert (s["n_flagged"] <= s["n_evaluated"]).all()
    # each customer keeps at least one counted participation
    assert set(d.loc[~f["repeat_customer"], "customer_id"]) == set(d["customer_id"])
    assert set(d.loc[~f["duplicate_id"], "respondent_id"]) == set(d["respondent_id"])
    # row-wise rules do not depend on row order
    shuffled = _quiet(d.sample(frac=1.0, random_state=1), traps={"trap": [2]}, reverse_pairs={"g5": "g1"},
                      grid=GRID, straightline_min_run=3, actions={"speeder": action})
    pd.testing.assert_frame_equal(shuffled.flags.loc[f.index], f)


def test_bad_input(frame):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame; got"):
        screen(frame.to_numpy())
    with pytest.raises(ValueError, match=r"unknown rule\(s\) \['speed'\]"):
        screen(frame, actions={"speed": "exclude"})
    with pytest.raises(ValueError, match=r"values must be 'flag' or 'exclude'; got \{'trap': 'drop'\}"):
        screen(frame, actions={"trap": "drop"})
    with pytest.raises(DataError, match=r"\['trap_x'\] named in `traps` not found.*pass None to skip"):
        screen(frame, traps={"trap_x": [2]})
    with pytest.raises(DataError, match=r"\['nope'\] named in `duration_col` not found"):
        screen(frame, duration_col="nope")
    with pytest.raises(DataError, match=r"`date_col`\) must be datetime64; got str"):
        screen(frame.assign(submitted_at=frame["submitted_at"].astype(str)))
    with pytest.raises(DataError, match=r"holds 1 negative duration"):
        screen(frame.assign(duration_sec=[-1.0] + [400.0] * 7))
    with pytest.raises(ValueError, match=r"`speed_share` must lie in \(0, 1\)"):
        screen(frame, speed_share=35)
    with pytest.raises(ValueError, match=r"`straightline_min_run` must be an int in 2..5"):
        screen(frame, grid=FULL_GRID, straightline_min_run=6)
    with pytest.raises(ValueError, match=r"`contradiction_gap` must lie in \(0, 4\]"):
        screen(frame, reverse_pairs=PAIRS, contradiction_gap=5)
    with pytest.raises(DataError, match=r"1 code\(s\) in `reverse_pairs` columns lie outside the scale \[1, 5\]: values \[9\.0\]"):
        screen(frame.assign(g5_r=[9.0] + [2.0] * 7), reverse_pairs=PAIRS)
    with pytest.raises(TypeError, match=r"`traps\['trap_attention'\]` must be a sequence of acceptable codes"):
        screen(frame, traps={"trap_attention": 2})
    with pytest.raises(DataError, match="must hold numeric codes"):
        screen(frame.assign(g1="x"), grid=FULL_GRID)


# --------------------------------------------------------------------------- demo study
def _instrument() -> dict:
    text = resources.files("csat_research").joinpath("data/instrument_default.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_screening_finds_the_planted_careless_respondents_of_the_demo_study(tmp_path):
    demo = pytest.importorskip("csat_research.demo.generator")
    inst = _instrument()
    traps = {t["id"]: t["expected"] for t in inst["traps"]}
    pairs = {i["id"]: i["twin"] for i in inst["items"] if i.get("reverse")}
    paths = demo.write_demo_study(tmp_path, seed=11, n=800)
    assert set(paths) == {"appliances", "apparel", "beauty", "baby"}
    for category, files in paths.items():
        df = pd.read_csv(files["responses"], parse_dates=["submitted_at"])
        truth = json.loads(Path(files["truth"]).read_text(encoding="utf-8"))
        grid = [item for items in truth["dimension_items"].values() for item in items]
        r = _quiet(df, traps=traps, reverse_pairs=pairs, grid=grid)
        planted = set().union(*map(set, truth["careless"].values()))
        excluded = set(r.audit["respondent_id"])
        hits = len(planted & excluded)
        precision, recall = hits / len(excluded), hits / len(planted)
        assert precision >= 0.9, (category, precision)
        assert recall >= 0.9, (category, recall)
        # each planted type is caught by its own rule
        by_id = r.flags.set_index("respondent_id")
        for kind, rule in {"straightliner": "straightline", "trap_failure": "trap", "speeder": "speeder",
                           "duplicate": "repeat_customer"}.items():
            assert by_id.loc[truth["careless"][kind], rule].mean() >= 0.9, (category, kind)
