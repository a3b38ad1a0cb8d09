"""Value converters: codes, labels, segments, dates, durations, weights and value_maps.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.ingest import read_responses
from tests.io.ingest_helpers import CAT, canonical, edit_csv, write_csv


# ====================================================================== coded answers and segments
def test_out_of_range_code(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 4, "eff_first_reply", "7")
    with pytest.raises(DataError, match=r"file.csv: 1 invalid value\(s\) in 1 row\(s\); set "
                                        r"data.responses.on_invalid: exclude in the params"):
        read_responses(path, codebook=cb, category=CAT)
    with pytest.raises(DataError, match="file.csv row 4, column eff_first_reply: 7 is outside 1-5"):
        read_responses(path, codebook=cb, category=CAT)


def test_nps_and_numeric_outcome_ranges(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 2, "nps", "11")
    edit_csv(path, 3, "expected_reply_min", "-1")
    with pytest.raises(DataError, match="file.csv row 2, column nps: 11 is outside 0-10") as info:
        read_responses(path, codebook=cb, category=CAT)
    assert "file.csv row 3, column expected_reply_min: -1 is outside 0-1440" in str(info.value)


def test_non_numeric_code(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 5, "qual_fcr", "good")
    with pytest.raises(DataError, match=r"file.csv row 5, column qual_fcr: 'good' is not a number "
                                        r"or a label of the scale \(1-5: 非常不满意"):
        read_responses(path, codebook=cb, category=CAT)


def test_fractional_code(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 2, "comm_script", "2.5")
    with pytest.raises(DataError, match=r"row 2, column comm_script: 2.5 is not a whole-number "
                                        r"code \(1-5\)"):
        read_responses(path, codebook=cb, category=CAT)


def test_labels_are_read_as_codes(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 2, "qual_fcr", "非常满意")
    edit_csv(path, 3, "qual_fcr", "very dissatisfied")
    edit_csv(path, 2, "repurchase", "是")
    edit_csv(path, 3, "repurchase", "False")
    edit_csv(path, 2, "customer_type", "老客")
    edit_csv(path, 3, "age_group", "Born 1970s")
    frame = read_responses(path, codebook=cb, category=CAT).frame
    assert frame["qual_fcr"].tolist()[:2] == [5.0, 1.0]
    assert frame["repurchase"].tolist()[:2] == [1.0, 0.0]
    assert frame.loc[0, "customer_type"] == "returning"
    assert frame.loc[1, "age_group"] == "post70"


def test_unknown_segment_level(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 3, "channel", "email")
    with pytest.raises(DataError, match=r"row 3, column channel: 'email' is not a level of "
                                        r"channel; allowed: wechat, app, web, phone \(or 微信"):
        read_responses(path, codebook=cb, category=CAT)


# ====================================================================== dates, durations, weights
def test_bad_date_and_duration(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    edit_csv(path, 2, "submitted_at", "yesterday")
    edit_csv(path, 3, "duration_sec", "ten")
    with pytest.raises(DataError, match="wave.csv row 2, column submitted_at: 'yesterday' is not "
                                        "a date-time") as info:
        read_responses(path, codebook=cb, category=CAT)
    assert "row 3, column duration_sec: 'ten' is not a duration" in str(info.value)


def test_dates_in_other_notations(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    edit_csv(path, 2, "submitted_at", "2026/3/1 9:05:00")
    edit_csv(path, 3, "submitted_at", "2026年3月2日 10:00")
    edit_csv(path, 4, "submitted_at", "")
    frame = read_responses(path, codebook=cb, category=CAT).frame
    assert frame["submitted_at"].tolist()[:2] == [pd.Timestamp("2026-03-01 09:05"),
                                                  pd.Timestamp("2026-03-02 10:00")]
    assert pd.isna(frame.loc[2, "submitted_at"])


def test_time_zone_offsets_are_converted_to_utc(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    for row in (2, 3, 4, 5):
        edit_csv(path, row, "submitted_at", f"2026-03-0{row}T09:00:00+08:00")
    with pytest.warns(CsatWarning, match=r"column 'submitted_at': 4 date-times had a time-zone "
                                         r"offset and were converted to UTC"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert res.frame["submitted_at"].dtype == "datetime64[ns]"
    assert res.frame.loc[0, "submitted_at"] == pd.Timestamp("2026-03-02 01:00")


def test_category_column_must_match(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    edit_csv(path, 4, "category", "baby")
    with pytest.raises(DataError, match="row 4, column category: 'baby' is not the category being "
                                        "read \\('beauty'\\)"):
        read_responses(path, codebook=cb, category=CAT)


def test_weight_column_is_kept_and_checked(tmp_path, cb):
    frame = canonical(cb)
    frame.insert(6, "weight", [1.0, 0.5, 2.0, 1.5])
    path = write_csv(frame, tmp_path / "wave.csv")
    res = read_responses(path, codebook=cb, category=CAT)
    assert list(res.frame.columns[:7]) == [*cb.columns_for(CAT)[:6], "weight"]
    assert res.frame["weight"].tolist() == [1.0, 0.5, 2.0, 1.5]
    edit_csv(path, 3, "weight", "0")
    with pytest.raises(DataError, match="row 3, column weight: 0 is not a positive weight"):
        read_responses(path, codebook=cb, category=CAT)


# ====================================================================== value_maps
def test_value_maps(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    edit_csv(path, 2, "expected_reply_min", "半小时")
    edit_csv(path, 3, "expected_reply_min", "不清楚")
    edit_csv(path, 2, "preferred_channel", "在线聊天")
    maps = {"expected_reply_min": {"半小时": 30, "不清楚": None},
            "preferred_channel": {"在线聊天": "im"}}
    frame = read_responses(path, codebook=cb, category=CAT, value_maps=maps).frame
    assert frame.loc[0, "expected_reply_min"] == 30.0
    assert np.isnan(frame.loc[1, "expected_reply_min"])
    assert frame.loc[0, "preferred_channel"] == "im"


@pytest.mark.parametrize(("maps", "error", "message"), [
    ({"npss": {"x": 1}}, ValueError, r"value_maps: 'npss' is not a coded question or segment"),
    ({"nps": {"x": 11}}, ValueError, r"value_maps\['nps'\]\['x'\]: 11 is not a code of nps "
                                     r"\(0-10\)"),
    ({"nps": {"x": "9"}}, ValueError, r"value_maps\['nps'\]\['x'\]: '9' is not a code"),
    ({"channel": {"x": "mail"}}, ValueError, r"'mail' is not a level of channel"),
    ({"open_improve": {"x": 1}}, ValueError, r"'open_improve' is not a coded question"),
    ({"nps": [1, 2]}, TypeError, r"value_maps\['nps'\] must be a mapping"),
    ([("nps", {})], TypeError, r"value_maps must be a mapping"),
])
def test_value_maps_are_checked(tmp_path, cb, maps, error, message):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(error, match=message):
        read_responses(path, codebook=cb, category=CAT, value_maps=maps)


# ---- date-times of a large CSV export: parsed at once, the same values as cell by cell
def test_plain_iso_date_times_parse_like_pandas_iso8601():
    from csat_research.io.converters import datetime_values

    cells = ["2026-07-01T00:00:16", "2026-02-28 23:59:59", "2024-02-29T12:00:00",
             "1677-09-21T00:12:44", "2262-04-11T23:47:16"]
    parsed, problems = datetime_values(cells, required=True, notes=[], name="f", source="submitted_at")
    # pandas' own ISO 8601 parser, one cell at a time, is the reference
    expected = pd.Series([pd.to_datetime(c, format="ISO8601") for c in cells], dtype="datetime64[ns]")
    assert problems == []
    pd.testing.assert_series_equal(parsed, expected)


@pytest.mark.parametrize("bad", ["2026-02-30T00:00:00", "2026-01-01T24:00:00", "2026-13-01T00:00:00",
                                 "2262-04-12T00:00:00", "2026-01-01X00:00:00"])
def test_plain_iso_column_with_an_impossible_date_time_names_it(bad):
    from csat_research.io.converters import datetime_values

    cells = ["2026-07-01T00:00:16", bad]
    parsed, problems = datetime_values(cells, required=True, notes=[], name="f", source="submitted_at")
    assert parsed.iloc[0] == pd.Timestamp("2026-07-01 00:00:16") and pd.isna(parsed.iloc[1])
    assert [(pos, value) for pos, value, _ in problems] == [(1, bad)]
    assert bad in problems[0][2] or "outside the date-times" in problems[0][2]


def test_plain_iso_column_with_a_missing_cell_is_parsed_cell_by_cell():
    from csat_research.io.converters import datetime_values

    parsed, problems = datetime_values(["2026-07-01T00:00:16", ""], required=True, notes=[], name="f",
                                       source="submitted_at")
    assert parsed.iloc[0] == pd.Timestamp("2026-07-01 00:00:16") and pd.isna(parsed.iloc[1])
    assert [(pos, msg) for pos, _, msg in problems] == [(1, "date-time is missing")]


@pytest.mark.parametrize("bad", ["0000-01-01T00:00:00", "0001-01-01T00:00:00"])
def test_a_date_time_before_year_1_is_refused_with_the_cell_named(bad):
    # year 0 has no Python date: the message was a NotImplementedError from pandas
    from csat_research.io.converters import datetime_values

    parsed, problems = datetime_values(["2026-07-01T00:00:16", bad], required=True, notes=[], name="f",
                                       source="submitted_at")
    assert pd.isna(parsed.iloc[1])
    assert [(pos, value) for pos, value, _ in problems] == [(1, bad)]
    assert "outside the date-times that can be stored" in problems[0][2]
