"""Tests of csat_research.stats.crosstabs against published reference values.

Every reference number carries its source in a comment; tolerances follow the precision
at which the source prints the number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.stats.crosstabs import crosstab


def _expand(table: dict[tuple[str, str], int], row: str = "r", col: str = "c") -> pd.DataFrame:
    """One row per respondent from a {(row level, col level): count} table."""
    rows = [(r, c) for (r, c), k in table.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=[row, col])


# Agresti (2002), Categorical Data Analysis 2nd ed., Table 3.2: party identification by
# gender (1991 General Social Survey).
PARTY = {
    ("female", "democrat"): 762, ("female", "independent"): 327, ("female", "republican"): 468,
    ("male", "democrat"): 484, ("male", "independent"): 239, ("male", "republican"): 477,
}


@pytest.fixture(scope="module")
def party() -> pd.DataFrame:
    return _expand(PARTY, "gender", "party")



# ---------------------------------------------------------------------------- crosstab
def test_crosstab_agresti_party_identification(party):
    res = crosstab(party, row="gender", col="party")
    # Agresti (2002) sec. 3.2.5 / Table 3.2: X2 = 30.1 on df = 2, P < 0.0001.
    assert res.chi2 == pytest.approx(30.1, abs=0.05)
    assert res.dof == 2
    assert res.p_value < 1e-4
    # Agresti (2002) Table 3.2, expected frequencies in parentheses.
    expected = [[703.7, 319.6, 533.7], [542.3, 246.4, 411.3]]
    np.testing.assert_allclose(res.expected.to_numpy(), expected, atol=0.05)
    # Agresti (2002) Table 3.2, adjusted residuals: 4.50 0.70 -5.32 / -4.50 -0.70 5.32.
    adjusted = [[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]]
    np.testing.assert_allclose(res.adjusted_residuals.to_numpy(), adjusted, atol=0.005)
    assert res.n == 2757 and res.n_missing == 0 and not res.weighted


def test_crosstab_cramers_v_scipy_documentation():
    # SciPy docs, scipy.stats.contingency.association example: obs4x2 ->
    # association(obs4x2, method="cramer") = 0.18617813077483678.
    obs = {("r1", "a"): 100, ("r1", "b"): 150, ("r2", "a"): 203, ("r2", "b"): 322,
           ("r3", "a"): 420, ("r3", "b"): 700, ("r4", "a"): 320, ("r4", "b"): 210}
    res = crosstab(_expand(obs), row="r", col="c")
    assert res.cramers_v == pytest.approx(0.18617813077483678, abs=1e-12)


def test_column_proportion_test_statsmodels_documentation():
    # statsmodels docs, proportions_ztest example: count = [5, 12], nobs = [83, 99]
    # -> two-sided p-value printed as 0.159.
    table = {("yes", "A"): 5, ("no", "A"): 78, ("yes", "B"): 12, ("no", "B"): 87}
    df = _expand(table)
    loose = crosstab(df, row="r", col="c", correction="none", alpha=0.16)
    strict = crosstab(df, row="r", col="c", correction="none", alpha=0.158)
    # B's share of "yes" (12/99) exceeds A's (5/83): at alpha 0.16 > p the cell gets "A".
    assert loose.letters.loc["yes", "B"] == "A"
    assert loose.letters.loc["no", "A"] == "B"
    assert loose.letters.loc["yes", "A"] == ""
    # at alpha 0.158 < 0.1592 nothing is significant
    assert (strict.letters == "").all().all()


def test_column_letters_follow_the_cell_with_the_larger_share(party):
    res = crosstab(party, row="party", col="gender")
    assert res.column_letters.to_dict() == {"female": "A", "male": "B"}
    # Females are more often Democrats, males more often Republicans (Agresti Table 3.2).
    assert res.letters.loc["democrat", "female"] == "B"
    assert res.letters.loc["republican", "male"] == "A"
    assert res.letters.loc["independent", "female"] == ""
    tidy = res.to_frame()
    assert list(tidy.columns) == ["row", "col", "letter", "count", "col_share", "expected",
                                  "adjusted_residual", "greater_than"]
    assert len(tidy) == 6
    np.testing.assert_allclose(res.col_shares.sum(axis=0), 1.0)


def test_letters_are_multi_letter_and_correction_reduces_them():
    rng = np.random.default_rng(1)
    cols = list("pqrst")
    probs = [0.2, 0.3, 0.45, 0.6, 0.65]
    rows = []
    for c, p in zip(cols, probs):
        rows += [("top2", c)] * int(200 * p) + [("rest", c)] * (200 - int(200 * p))
    df = pd.DataFrame(rows, columns=["r", "c"]).sample(frac=1, random_state=1)
    none = crosstab(df, row="r", col="c", correction="none")
    bonf = crosstab(df, row="r", col="c", correction="bonferroni")
    # column t (60 %) beats p (20 %), q (30 %) and r (45 %)
    assert none.letters.loc["top2", "t"] == "A B C"
    for r in none.letters.index:
        for c in none.letters.columns:
            assert set(bonf.letters.loc[r, c].split()) <= set(none.letters.loc[r, c].split())
    assert rng is not None


def test_crosstab_weighted_unit_weights_equal_unweighted(party):
    res = crosstab(party, row="gender", col="party")
    wres = crosstab(party.assign(w=1.0), row="gender", col="party", survey_weights="w")
    assert wres.weighted
    assert wres.chi2 == pytest.approx(res.chi2, rel=1e-12)
    assert wres.n_effective == pytest.approx(2757)
    pd.testing.assert_frame_equal(wres.letters, res.letters)


def test_crosstab_weighted_is_kish_first_order_correction(party):
    rng = np.random.default_rng(7)
    w = rng.uniform(0.5, 2.0, len(party))
    res = crosstab(party.assign(w=w), row="gender", col="party", survey_weights="w")
    # Pearson X2 of the weighted table scaled to total n, divided by Kish deff.
    tab = pd.crosstab(party["gender"], party["party"], values=w, aggfunc="sum").to_numpy()
    tab = tab * len(w) / tab.sum()
    exp = np.outer(tab.sum(1), tab.sum(0)) / tab.sum()
    x2_sum_w = ((tab - exp) ** 2 / exp).sum()
    deff = len(w) * np.sum(w**2) / np.sum(w) ** 2
    assert res.chi2 == pytest.approx(x2_sum_w / deff, rel=1e-10)
    assert res.n_effective == pytest.approx(len(w) / deff)
    # weights scaled by a constant change nothing
    res2 = crosstab(party.assign(w=w * 37.0), row="gender", col="party", survey_weights="w")
    assert res2.chi2 == pytest.approx(res.chi2, rel=1e-10)
    pd.testing.assert_frame_equal(res2.letters, res.letters)


def test_crosstab_warns_about_small_expected_counts_and_missing_rows():
    df = pd.DataFrame({"r": ["a"] * 10 + ["b"] * 3 + [None], "c": ["x"] * 7 + ["y"] * 7})
    with pytest.warns(CsatWarning) as rec:
        res = crosstab(df, row="r", col="c")
    messages = " ".join(str(w.message) for w in rec)
    assert "1 of 14 rows left out" in messages
    assert "expected count below 5" in messages and "3 of 4 cells" in messages
    assert res.n_missing == 1 and res.n == 13 and res.n_small_expected == 3


def test_crosstab_errors(party):
    with pytest.raises(AnalysisError, match="row and col must be different"):
        crosstab(party, row="gender", col="gender")
    with pytest.raises(DataError, match=r"\['channel'\] not found"):
        crosstab(party, row="gender", col="channel")
    with pytest.raises(AnalysisError, match="at least 2 levels"):
        crosstab(party[party["gender"] == "male"], row="gender", col="party")
    with pytest.raises(ValueError, match="correction must be one of"):
        crosstab(party, row="gender", col="party", correction="tukey")
    with pytest.raises(ValueError, match="alpha must be"):
        crosstab(party, row="gender", col="party", alpha=1.5)
    with pytest.raises(DataError, match="negative"):
        crosstab(party.assign(w=-1.0), row="gender", col="party", survey_weights="w")
    with pytest.raises(TypeError, match="DataFrame"):
        crosstab(party.to_dict(), row="gender", col="party")
    with pytest.raises(TypeError, match="survey_weights must be"):
        crosstab(party, row="gender", col="party", survey_weights=3)


def test_categorical_columns_keep_their_category_order():
    """Levels follow a categorical's categories (not their sort order), letters with them."""
    df = pd.DataFrame({"age": pd.Categorical(["z"] * 30 + ["a"] * 30 + ["m"] * 30, categories=["z", "m", "a"]),
                       "ch": ["im"] * 25 + ["phone"] * 5 + ["im"] * 5 + ["phone"] * 25 + ["im"] * 15 + ["phone"] * 15})
    res = crosstab(df, row="ch", col="age")
    assert list(res.col_shares.columns) == ["z", "m", "a"]
    assert res.column_letters.to_dict() == {"z": "A", "m": "B", "a": "C"}
    assert res.letters.loc["im", "z"] == "B C"  # 83 % beats m (50 %) and a (17 %)
