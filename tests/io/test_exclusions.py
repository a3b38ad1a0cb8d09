"""Problems and exclusions: duplicate or missing ids, on_invalid="exclude", long problem lists.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.exclusions import EXCLUSION_COLUMNS
from csat_research.io.ingest import read_responses
from tests.io.ingest_helpers import CAT, canonical, edit_csv, quiet, write_csv


def test_duplicate_respondent_ids(tmp_path, cb):
    path = write_csv(canonical(cb, n=6), tmp_path / "wave.csv")
    edit_csv(path, 5, "respondent_id", "R2")
    edit_csv(path, 6, "respondent_id", "R2")
    edit_csv(path, 7, "respondent_id", "R1")
    with pytest.raises(DataError, match=r"wave.csv: 2 duplicate respondent_id\(s\): 'R1' at rows "
                                        r"2, 7; 'R2' at rows 3, 5, 6"):
        read_responses(path, codebook=cb, category=CAT)
    res = quiet(read_responses, path, codebook=cb, category=CAT, on_invalid="exclude")
    assert res.frame["respondent_id"].tolist() == ["R1", "R2", "R3"]  # first occurrence kept
    assert res.exclusions["source_row"].tolist() == [5, 6, 7]
    assert res.exclusions["reason"].iloc[0] == "duplicate respondent_id 'R2' (first at row 3)"


def test_missing_respondent_id_value(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    edit_csv(path, 3, "respondent_id", " ")
    with pytest.raises(DataError, match="wave.csv row 3, column respondent_id: respondent id is "
                                        "missing"):
        read_responses(path, codebook=cb, category=CAT)


def test_exclude_mode_keeps_the_rest_and_counts(tmp_path, cb):
    path = write_csv(canonical(cb, n=5), tmp_path / "wave.csv")
    edit_csv(path, 3, "eff_first_reply", "7")
    edit_csv(path, 3, "nps", "x")
    edit_csv(path, 5, "duration_sec", "-3")
    with pytest.warns(CsatWarning, match=r"wave.csv: 2 row\(s\) excluded for 3 invalid "
                                         r"value\(s\); see exclusions"):
        res = read_responses(path, codebook=cb, category=CAT, on_invalid="exclude")
    assert res.frame["respondent_id"].tolist() == ["R1", "R3", "R5"]
    assert res.source_rows == (2, 4, 6)
    assert res.n_rows_read == len(res.frame) + res.n_excluded == 5
    ex = res.exclusions
    assert list(ex.columns) == list(EXCLUSION_COLUMNS)
    assert ex["source_row"].tolist() == [3, 3, 5]
    assert ex["respondent_id"].tolist() == ["R2", "R2", "R4"]
    assert ex["column"].tolist() == ["eff_first_reply", "nps", "duration_sec"]
    assert ex["value"].tolist() == ["7", "x", "-3"]
    assert ex["reason"].tolist()[0] == "7 is outside 1-5"
    assert ex["reason"].tolist()[2] == "-3 is negative; a duration must be >= 0"


def test_many_problems_are_truncated(tmp_path, cb):
    frame = canonical(cb, n=30)
    frame["nps"] = 12
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"(?s)30 invalid value\(s\) in 30 row\(s\).*"
                                        r"row 21, .*\n  \.\.\. and 10 more$"):
        read_responses(path, codebook=cb, category=CAT)


def test_duplicates_of_a_large_file_found_column_wise_as_row_by_row():
    """Above 1,000 ids the repeated ids are found by pandas and only their positions walked: the
    same problems (later occurrences, first row named) and the same summary, in file order, as
    the plain walk over every id (checked by hand on the planted repeats)."""
    from csat_research.io.exclusions import duplicates

    ids = [f"R{i}" for i in range(3000)]
    ids[2500] = "R7"      # R7 again at file row 2502
    ids[2900] = "R7"      # and at 2902
    ids[1200] = "R1100"   # R1100 again, earlier in the file than R7's repeats
    ids[10] = None        # a missing id is no duplicate
    ids[11] = None
    rows = [i + 2 for i in range(3000)]
    problems, summary = duplicates(ids, rows, {2900}, "respondent_id", "respondent_id")
    assert [(p.pos, p.value) for p in problems] == [(2500, "R7"), (1200, "R1100")]
    assert problems[0].message == "duplicate respondent_id 'R7' (first at row 9)"
    assert summary == ["2 duplicate respondent_id(s): 'R7' at rows 9, 2502; 'R1100' at rows 1102, 1202"]
