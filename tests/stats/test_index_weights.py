"""AHP and dimension weights against Saaty's published examples, properties and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, ConsistencyError, CsatWarning
from csat_research.stats.index_weights import (
    RANDOM_INDEX,
    AHPResult,
    aggregate_judgments,
    ahp_weights,
    data_driven_weights,
    expert_weights,
    weights_table,
)

SETTINGS = settings(max_examples=60, deadline=None)

# Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. European Journal
# of Operational Research 48, 9-26: the "best house" example, pairwise comparison of the eight
# criteria for a family buying a house. The 28 judgements were cross-checked against an independent
# public transcription of the same example (a GitHub "AHPHouse" script, Russian criterion names,
# upper triangle given as fractions): identical matrix, and it reproduces the printed priorities,
# lambda_max 9.669, CI 0.238 and CR 0.169 below.
HOUSE_LABELS = ["size", "transportation", "neighborhood", "age", "yard", "modern_facilities",
                "general_condition", "financing"]
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
# Published priority vector and consistency (Saaty 1990): .173 .054 .188 .018 .031 .036 .167
# .333; lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J. Services
# Sciences 1(1), 83-98, Table 2: "Which drink is consumed more in the U.S.?"
DRINK_LABELS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
DRINKS = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
# Saaty 2008, Table 2, "derived scale based on judgments": .177 .019 .042 .116 .190 .129 .327
DRINK_PRIORITIES = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]


def _consistent(w: np.ndarray) -> np.ndarray:
    return np.outer(w, 1.0 / w)


# --------------------------------------------------------------------------- published examples
def test_house_example_matches_saaty_1990():
    with pytest.warns(CsatWarning, match=r"CR = 0.169 exceeds max_cr = 0.1.*accepted"):
        r = ahp_weights(HOUSE, labels=HOUSE_LABELS, allow_inconsistent=True)
    assert isinstance(r, AHPResult)
    assert r.weights.tolist() == pytest.approx(HOUSE_PRIORITIES, abs=5e-4)  # printed to 3 decimals
    assert list(r.weights.index) == HOUSE_LABELS
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert r.consistency_ratio == pytest.approx(0.169, abs=5e-4)
    assert r.random_index == 1.41 and r.n == 8
    assert not r.consistent and r.overridden


def test_house_example_is_refused_by_default():
    with pytest.raises(ConsistencyError, match=r"consistency ratio CR = 0.169 exceeds max_cr = 0.1 .*allow_inconsistent=True"):
        ahp_weights(HOUSE, labels=HOUSE_LABELS)
    # a looser limit accepts it without override
    r = ahp_weights(HOUSE, max_cr=0.2)
    assert r.consistent and not r.overridden


def test_drinks_example_matches_saaty_2008():
    r = ahp_weights(pd.DataFrame(DRINKS, index=DRINK_LABELS, columns=DRINK_LABELS))
    assert r.weights.tolist() == pytest.approx(DRINK_PRIORITIES, abs=5e-4)  # printed to 3 decimals
    # AHPy 2.0 README (Griffith), same matrix, precision=3, random_index='saaty': CR 0.022
    assert r.consistency_ratio == pytest.approx(0.022, abs=5e-4)
    assert r.consistent and not r.overridden
    frame = r.to_frame()
    assert list(frame.columns) == ["criterion", "weight"] and frame["weight"].sum() == pytest.approx(1.0)


def test_random_index_table_is_saatys():
    assert RANDOM_INDEX == {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
                            9: 1.45, 10: 1.49}


# --------------------------------------------------------------------------- properties
@given(st.lists(st.floats(0.05, 20.0), min_size=1, max_size=10))
@SETTINGS
def test_consistent_matrix_returns_its_weight_vector(raw):
    w = np.asarray(raw) / np.sum(raw)
    r = ahp_weights(_consistent(w))
    assert r.weights.to_numpy() == pytest.approx(w, rel=1e-8, abs=1e-12)
    assert r.lambda_max == pytest.approx(len(w), rel=1e-9)
    assert r.consistency_index == pytest.approx(0.0, abs=1e-9)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-8)
    assert r.consistent


@given(st.integers(3, 9), st.integers(0, 2**32 - 1))
@SETTINGS
def test_weights_of_any_reciprocal_matrix_sum_to_one(n, seed):
    rng = np.random.default_rng(seed)
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    a = np.ones((n, n))
    iu = np.triu_indices(n, 1)
    a[iu] = rng.choice(scale, size=len(iu[0]))
    a[(iu[1], iu[0])] = 1 / a[iu]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        r = ahp_weights(a, allow_inconsistent=True)
    assert r.weights.sum() == pytest.approx(1.0)
    assert (r.weights > 0).all()
    assert r.lambda_max >= n - 1e-9  # Saaty: lambda_max >= n for positive reciprocal matrices
    assert r.consistent == (r.consistency_ratio <= 0.10)
    assert r.overridden == (not r.consistent)


@given(st.lists(st.floats(0.05, 20.0), min_size=3, max_size=6), st.permutations(range(6)))
@SETTINGS
def test_ahp_is_permutation_equivariant(raw, perm):
    n = len(raw)
    p = [i for i in perm if i < n]
    a = _consistent(np.asarray(raw))
    a[0, 1] *= 2  # make it a little inconsistent
    a[1, 0] /= 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        r = ahp_weights(a, allow_inconsistent=True)
        rp = ahp_weights(a[np.ix_(p, p)], allow_inconsistent=True)
    assert rp.weights.to_numpy() == pytest.approx(r.weights.to_numpy()[p], rel=1e-8)
    assert rp.lambda_max == pytest.approx(r.lambda_max)


def test_small_matrices_have_cr_zero():
    assert ahp_weights([[1]]).weights.tolist() == [1.0]
    r = ahp_weights([[1, 9], [1 / 9, 1]])
    assert r.weights.tolist() == pytest.approx([0.9, 0.1])
    assert r.consistency_ratio == 0.0 and r.consistency_index == 0.0


# --------------------------------------------------------------------------- input checks
def test_ahp_input_checks_name_the_cell():
    labels = ["efficiency", "quality", "digital"]
    with pytest.raises(ValueError, match=r"reciprocal.*cell \('efficiency', 'digital'\) = 3 but \('digital', 'efficiency'\) = 3, expected 0.333333"):
        ahp_weights([[1, 2, 3], [1 / 2, 1, 1], [3, 1, 1]], labels=labels)
    with pytest.raises(ValueError, match=r"diagonal must be 1; cell \('quality', 'quality'\) = 2"):
        ahp_weights([[1, 2, 3], [1 / 2, 2, 1], [1 / 3, 1, 1]], labels=labels)
    with pytest.raises(ValueError, match=r"positive finite.*cell \('efficiency', 'quality'\) = -2"):
        ahp_weights([[1, -2], [-0.5, 1]], labels=labels[:2])
    with pytest.raises(ValueError, match=r"square matrix; got shape \(2, 3\)"):
        ahp_weights([[1, 2, 3], [1, 1, 1]])
    with pytest.raises(ValueError, match=r"`labels` has 2 name\(s\) but `matrix` is 3 x 3"):
        ahp_weights(np.ones((3, 3)), labels=["a", "b"])
    with pytest.raises(ValueError, match="tabulated for n = 1..10 only"):
        ahp_weights(np.ones((11, 11)))
    with pytest.raises(ValueError, match="same labels in the index and the columns"):
        ahp_weights(pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["b", "a"]))
    with pytest.raises(TypeError, match="must be a square array"):
        ahp_weights("1 2; 1/2 1")
    with pytest.raises(ValueError, match="`max_cr` must be a non-negative number"):
        ahp_weights(np.ones((3, 3)), max_cr=-1)
    # judgments typed to two decimals (0.33 for 1/3) pass the default tolerance
    assert ahp_weights([[1, 3], [0.33, 1]]).weights.iloc[0] == pytest.approx(0.75, abs=1e-2)


# --------------------------------------------------------------------------- aggregation
def test_aggregate_judgments_geometric_mean():
    agg = aggregate_judgments([[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]], labels=["a", "b"])
    assert agg.loc["a", "b"] == pytest.approx(4.0)  # sqrt(2 * 8)
    assert agg.loc["b", "a"] == pytest.approx(0.25)
    weighted = aggregate_judgments([[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]], judge_weights=[0.75, 0.25])
    assert weighted.iloc[0, 1] == pytest.approx(2 ** 0.75 * 8 ** 0.25)


@given(st.integers(3, 6), st.integers(2, 5), st.integers(0, 2**32 - 1))
@SETTINGS
def test_aggregate_is_reciprocal_and_unanimous(n, k, seed):
    rng = np.random.default_rng(seed)
    mats = []
    for _ in range(k):
        a = np.ones((n, n))
        iu = np.triu_indices(n, 1)
        a[iu] = rng.uniform(1 / 9, 9, size=len(iu[0]))
        a[(iu[1], iu[0])] = 1 / a[iu]
        mats.append(a)
    agg = aggregate_judgments(mats).to_numpy()
    assert agg * agg.T == pytest.approx(np.ones((n, n)))  # Aczel & Saaty 1983: reciprocity kept
    assert aggregate_judgments([mats[0]] * k).to_numpy() == pytest.approx(mats[0])  # unanimity


def test_aggregate_judgments_checks():
    good = [[1, 2], [1 / 2, 1]]
    with pytest.raises(ValueError, match="`matrices` is empty"):
        aggregate_judgments([])
    with pytest.raises(ValueError, match=r"`matrices\[1\]` is \(3, 3\); the first matrix is \(2, 2\)"):
        aggregate_judgments([good, np.ones((3, 3))])
    with pytest.raises(ValueError, match=r"`matrices\[1\]` must be reciprocal"):
        aggregate_judgments([good, [[1, 2], [2, 1]]])
    with pytest.raises(ValueError, match="`judge_weights` must sum to 1"):
        aggregate_judgments([good, good], judge_weights=[0.5, 0.6])
    df1 = pd.DataFrame(good, index=["a", "b"], columns=["a", "b"])
    df2 = pd.DataFrame(good, index=["x", "y"], columns=["x", "y"])
    with pytest.raises(ValueError, match=r"labels \['x', 'y'\] differ"):
        aggregate_judgments([df1, df2])
    assert list(aggregate_judgments([df1, df1]).columns) == ["a", "b"]


# --------------------------------------------------------------------------- expert and table
def test_expert_weights():
    w = expert_weights({"efficiency": 0.3, "quality": 0.4, "communication": 0.1, "after_sales": 0.1,
                        "digital": 0.1})
    assert w.sum() == pytest.approx(1.0) and w.name == "weight" and w.index[0] == "efficiency"
    with pytest.raises(ValueError, match=r"must sum to 1 \(within 1e-06\); they sum to 0.9"):
        expert_weights({"a": 0.5, "b": 0.4})
    with pytest.raises(ValueError, match=r"positive and finite; got \{'b': 0.0\}"):
        expert_weights({"a": 1.0, "b": 0.0})
    with pytest.raises(TypeError, match="must be a mapping"):
        expert_weights([0.5, 0.5])
    with pytest.raises(TypeError, match="values must be numbers"):
        expert_weights({"a": "half", "b": 0.5})


def test_weights_table_side_by_side():
    ahp = ahp_weights([[1, 3], [1 / 3, 1]], labels=["quality", "efficiency"])
    t = weights_table(expert={"efficiency": 0.4, "quality": 0.6}, ahp=ahp)
    assert list(t.columns) == ["dimension", "expert", "ahp"]
    assert t.set_index("dimension").loc["quality"].tolist() == pytest.approx([0.6, 0.75])
    with pytest.raises(ValueError, match="at least one of"):
        weights_table()
    with pytest.raises(ValueError, match=r"`ahp` weights cover .* missing \['digital'\]"):
        weights_table(expert={"efficiency": 0.4, "quality": 0.5, "digital": 0.1}, ahp=ahp)
    with pytest.raises(ValueError, match="`data` weights must sum to 1"):
        weights_table(data={"a": 0.5, "b": 0.6})


# --------------------------------------------------------------------------- data-driven weights
def _driver_data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(rng.normal(size=(400, 3)), columns=["efficiency", "quality", "digital"])
    d["overall_sat"] = 0.5 * d["efficiency"] + 1.0 * d["quality"] + 0.2 * d["digital"] + rng.normal(size=400)
    return d


def test_data_driven_weights_equal_the_drivers_shares():
    drivers = pytest.importorskip("csat_research.stats.drivers")
    d = _driver_data()
    preds = ["efficiency", "quality", "digital"]
    w = data_driven_weights(d, outcome="overall_sat", predictors=preds)
    table = drivers.relative_importance(d, outcome="overall_sat", predictors=preds, method="shapley")
    assert list(w.index) == preds and w.name == "weight"
    assert w.sum() == pytest.approx(1.0)
    assert w.to_numpy() == pytest.approx(table["share"].to_numpy(), rel=1e-10)
    assert w.idxmax() == "quality"
    # weighted data pass the survey weights through
    d["weight"] = 1.0
    assert data_driven_weights(d, outcome="overall_sat", predictors=preds, survey_weights="weight").to_numpy() == pytest.approx(
        w.to_numpy()
    )


def test_data_driven_weights_checks_the_importance_table(monkeypatch):
    from csat_research.stats import (
        index_weights as drivers,  # the module that calls relative_importance
    )

    d = _driver_data()

    def fake(table):
        return lambda data, **kw: table

    monkeypatch.setattr(drivers, "relative_importance", fake(pd.DataFrame({"importance": [0.2, -0.1]},
                                                                            index=["a", "b"])))
    with pytest.raises(AnalysisError, match=r"finite and non-negative.*\{'b': -0.1\}"):
        data_driven_weights(d, outcome="overall_sat", predictors=["a", "b"])
    monkeypatch.setattr(drivers, "relative_importance", fake(pd.DataFrame({"importance": [0.2]}, index=["a"])))
    with pytest.raises(AnalysisError, match=r"no importance for predictor\(s\) \['b'\]"):
        data_driven_weights(d, outcome="overall_sat", predictors=["a", "b"])
    monkeypatch.setattr(drivers, "relative_importance", fake(pd.DataFrame({"importance": [0.0, 0.0]},
                                                                            index=["a", "b"])))
    with pytest.raises(AnalysisError, match="all zero"):
        data_driven_weights(d, outcome="overall_sat", predictors=["a", "b"])
    monkeypatch.setattr(drivers, "relative_importance", fake(pd.DataFrame({"imp": [1.0]}, index=["a"])))
    with pytest.raises(AnalysisError, match="'importance' column"):
        data_driven_weights(d, outcome="overall_sat", predictors=["a"])
    with pytest.raises(TypeError, match="`predictors` must be a sequence"):
        data_driven_weights(d, outcome="overall_sat", predictors="a")
