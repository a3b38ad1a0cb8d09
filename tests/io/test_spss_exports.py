"""SPSS exports as real studies write them: dates before 1677 (or SPSS's day zero) and
user-missing codes (99 = no answer, 98 = don't know, declared missing in the .sav file).

The .sav files are written here with pyreadstat, as SPSS would save them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.ingest import read_responses, read_tickets
from tests.io.ingest_helpers import CAT, canonical, quiet

pyreadstat = pytest.importorskip("pyreadstat")


def _sav_frame(cb) -> pd.DataFrame:
    frame = canonical(cb)
    for col in frame.columns:
        if frame[col].dtype != "float64" and col != "submitted_at":
            frame[col] = frame[col].fillna("").astype(object)
    frame["submitted_at"] = frame["submitted_at"].astype(object)
    return frame


def test_spss_date_before_1677_names_file_row_column_value_and_fix(tmp_path, cb):
    frame = _sav_frame(cb)
    frame.loc[2, "submitted_at"] = dt.datetime(1600, 3, 1, 9, 30)
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path))
    with pytest.raises(DataError, match=(
            r"^wave.sav: 1 invalid value\(s\) in 1 row\(s\); set data.responses.on_invalid: "
            r"exclude in the params .*\n  wave.sav row 3, column submitted_at: 1600-03-01 "
            r"09:30:00 is outside the date-times that can be stored \(1677-09-21 to "
            r"2262-04-11\); correct it in the file, or empty the cell \(SPSS: system-missing\) "
            r"if the date is unknown$")):
        read_responses(path, codebook=cb, category=CAT)
    res = quiet(read_responses, path, codebook=cb, category=CAT, on_invalid="exclude")
    assert res.frame["respondent_id"].tolist() == ["R1", "R2", "R4"]
    assert res.exclusions[["source_row", "column", "value"]].values.tolist() == [
        [3, "submitted_at", "1600-03-01 09:30:00"]]


def test_spss_day_zero_is_explained(tmp_path, cb):
    frame = _sav_frame(cb)
    frame.loc[0, "submitted_at"] = dt.datetime(1582, 10, 14)  # a date stored as 0
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path))
    with pytest.raises(DataError, match=r"wave.sav row 1, column submitted_at: 1582-10-14 "
                                        r"00:00:00 is outside the date-times that can be stored "
                                        r"\(1677-09-21 to 2262-04-11\) \(1582-10-14 is day 0 of "
                                        r"SPSS dates: a date stored as 0, often meant as "
                                        r"missing\)"):
        read_responses(path, codebook=cb, category=CAT)


def test_dates_out_of_range_in_text_files_too(tmp_path):
    row = dict(ticket_id="T1", customer_id="C1", order_id="O1", created_at="1601-01-05 10:00",
               channel="app", issue_type="refund", handled_by="human", handoff_min=None,
               first_response_min=1, resolution_hours=20, first_contact_resolution=True,
               repeat_contact=False, escalated=False, severity="normal")
    path = tmp_path / "tickets.csv"
    pd.DataFrame([row, {**row, "ticket_id": "T2", "created_at": "2026-01-05"}]).to_csv(
        path, index=False)
    with pytest.raises(DataError, match=r"tickets.csv row 2, column created_at: 1601-01-05 "
                                        r"10:00:00 is outside the date-times that can be stored"):
        read_tickets(path)


def test_spss_user_missing_codes_are_counted_per_column(tmp_path, cb):
    frame = _sav_frame(cb)
    frame.loc[1, "overall_sat"] = 99.0
    frame.loc[3, "overall_sat"] = 98.0
    frame.loc[2, "nps"] = 97.0
    frame.loc[0, "customer_type"] = "拒答"
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        frame, str(path),
        missing_ranges={"overall_sat": [98, 99], "nps": [{"lo": 97, "hi": 99}],
                        "customer_type": ["拒答"], "qual_fcr": [99]},
        variable_value_labels={"overall_sat": {98: "不知道", 99: "没有回答"}})
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=cb, category=CAT)
    out = res.frame
    assert np.isnan(out.loc[1, "overall_sat"]) and np.isnan(out.loc[3, "overall_sat"])
    assert np.isnan(out.loc[2, "nps"]) and pd.isna(out.loc[0, "customer_type"])
    assert out["qual_fcr"].tolist() == canonical(cb)["qual_fcr"].tolist()  # no 99 in it
    assert str(record[0].message) == (
        "wave.sav: 4 answer(s) set to missing, declared missing in the SPSS file (user-missing "
        "values): overall_sat 2 (98 = 不知道: 1, 99 = 没有回答: 1); nps 1 (97: 1); "
        "customer_type 1 (拒答: 1)")
    assert len(out) == 4 and res.n_excluded == 0


def test_spss_code_outside_the_scale_without_missing_declaration_is_refused(tmp_path, cb):
    frame = _sav_frame(cb)
    frame.loc[1, "overall_sat"] = 99.0
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={"nps": [99]})
    with pytest.raises(DataError, match=r"wave.sav row 2, column overall_sat: 99 is outside 1-5"):
        read_responses(path, codebook=cb, category=CAT)
