"""Ingest layer: every export format to the canonical frame, and every bad input refused.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from csat_research.core import schema
from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.codebook import codebook_from_mapping, load_codebook
from csat_research.io.ingest import (
    EXCLUSION_COLUMNS,
    IngestResult,
    read_responses,
    read_tickets,
)

CAT = "beauty"


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def canonical(cb, category: str = CAT, n: int = 4) -> pd.DataFrame:
    """A small, valid canonical frame as the demo generator writes it."""
    rows = []
    for k in range(n):
        row = {
            "respondent_id": f"R{k + 1}",
            "customer_id": f"00{k + 120}",
            "order_id": f"O{k + 1:05d}",
            "submitted_at": pd.Timestamp("2026-03-01 09:00") + pd.Timedelta(hours=k),
            "duration_sec": 120.0 + k,
            "category": category,
        }
        for qid in cb.numeric_ids(category):
            scale = cb.scale_of(qid)
            if scale.numeric:
                row[qid] = 5.5 + k
            else:
                span = int(scale.max - scale.min) + 1
                row[qid] = float(int(scale.min) + (k + len(qid)) % span)
        row["open_improve"] = "物流更新太慢，客服答非所问" if k % 2 == 0 else None
        row["open_exceed"] = "Very patient agent"
        for seg in cb.segment_ids():
            levels = cb.segment_levels(seg)
            row[seg] = levels[k % len(levels)]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=cb.columns_for(category))
    frame.loc[1, "eff_first_reply"] = np.nan  # a skipped question
    return frame


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file (row as a spreadsheet shows it, header = row 1)."""
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh))
    records[row - 1][records[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(records)


def quiet(fn, *args, **kwargs):
    """Call an ingest function with CsatWarning silenced (checked elsewhere)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        return fn(*args, **kwargs)


# ====================================================================== canonical CSV
def test_canonical_csv_reads_without_column_map(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    res = read_responses(path, codebook=cb, category=CAT)
    assert isinstance(res, IngestResult)
    frame = res.frame
    assert list(frame.columns) == cb.columns_for(CAT)
    assert (res.format, res.encoding, res.n_rows_read, res.n_excluded) == ("csv", "utf-8", 4, 0)
    assert res.warnings == ()
    assert res.source == path and res.source_rows == (2, 3, 4, 5)
    assert frame["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert frame["customer_id"].tolist()[0] == "00120"  # leading zeros kept
    assert frame["submitted_at"].dtype == "datetime64[ns]"
    assert frame.loc[2, "submitted_at"] == pd.Timestamp("2026-03-01 11:00")
    assert frame["duration_sec"].dtype == "float64"
    for qid in cb.numeric_ids(CAT):
        assert frame[qid].dtype == "float64", qid
    assert np.isnan(frame.loc[1, "eff_first_reply"])
    assert frame.loc[0, "nps"] == canonical(cb).loc[0, "nps"]
    assert frame.loc[0, "expected_reply_min"] == 5.5
    assert frame.loc[0, "open_improve"] == "物流更新太慢，客服答非所问"
    assert pd.isna(frame.loc[1, "open_improve"])
    assert frame["customer_type"].tolist() == ["new", "returning", "new", "returning"]
    assert pd.api.types.is_string_dtype(frame["age_group"])
    assert set(frame["category"]) == {CAT}
    assert res.exclusions.empty and list(res.exclusions.columns) == list(EXCLUSION_COLUMNS)
    assert res.column_sources["nps"] == "nps"


@pytest.mark.parametrize("category", ["appliances", "apparel", "baby", "other"])
def test_canonical_csv_every_category(tmp_path, cb, category):
    path = write_csv(canonical(cb, category), tmp_path / "wave.csv")
    res = read_responses(path, codebook=cb, category=category)
    assert list(res.frame.columns) == cb.columns_for(category)


@pytest.mark.parametrize(("written", "given", "reported"), [
    ("utf-8", None, "utf-8"),
    ("utf-8-sig", None, "utf-8-sig"),
    ("gb18030", None, "gb18030"),
    ("gbk", None, "gb18030"),
    ("gbk", "gbk", "gbk"),
    ("utf-8-sig", "utf-8", "utf-8-sig"),
])
def test_csv_encodings(tmp_path, cb, written, given, reported):
    path = write_csv(canonical(cb), tmp_path / "wave.csv", encoding=written)
    res = read_responses(path, codebook=cb, category=CAT, encoding=given)
    assert res.encoding == reported
    assert res.frame.loc[0, "open_improve"] == "物流更新太慢，客服答非所问"
    assert res.frame.columns[0] == "respondent_id"  # no BOM left in the header


def test_wrong_encoding_names_file_offset_and_line(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv", encoding="gb18030")
    with pytest.raises(DataError, match=r"wave.csv: cannot decode with encoding 'utf-8': byte "
                                        r"0x[0-9a-f]{2} at offset \d+ \(line 2\) is invalid"):
        read_responses(path, codebook=cb, category=CAT, encoding="utf-8")


def test_unknown_encoding_name(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(ValueError, match="encoding 'utf-9' is not a known text encoding"):
        read_responses(path, codebook=cb, category=CAT, encoding="utf-9")


def test_utf8_bytes_read_as_gbk_are_flagged(tmp_path, cb):
    frame = canonical(cb)
    frame["open_improve"] = "好的"  # valid UTF-8 that also decodes (wrongly) as GBK
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.warns(CsatWarning, match="decoded as 'gbk' as requested, but the bytes are "
                                         "valid UTF-8"):
        read_responses(path, codebook=cb, category=CAT, encoding="gbk")


def test_undetectable_encoding_falls_back_with_a_warning(tmp_path, cb):
    frame = canonical(cb)
    frame["open_improve"] = "Très réactif, très gentil, ça fait plaisir à voir"
    path = write_csv(frame, tmp_path / "wave.csv", encoding="latin-1")
    with pytest.warns(CsatWarning, match="neither UTF-8 nor GB18030; decoded as 'cp1252'"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert res.encoding == "cp1252"
    assert res.frame.loc[0, "open_improve"].startswith("Très réactif")


def test_empty_file(tmp_path, cb):
    path = tmp_path / "wave.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="wave.csv: the file is empty"):
        read_responses(path, codebook=cb, category=CAT)


def test_header_only(tmp_path, cb):
    path = write_csv(canonical(cb).iloc[:0], tmp_path / "wave.csv")
    with pytest.raises(DataError, match="wave.csv: the file has a header but no data rows"):
        read_responses(path, codebook=cb, category=CAT)


def test_out_of_range_code(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "file.csv")
    edit_csv(path, 4, "eff_first_reply", "7")
    with pytest.raises(DataError, match=r"file.csv: 1 invalid value\(s\) in 1 row\(s\); pass "
                                        r"on_invalid='exclude'"):
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


def test_missing_columns_are_listed(tmp_path, cb):
    frame = canonical(cb).drop(columns=["bty_allergy_return", "trap_rude"])
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: 2 column\(s\) the codebook needs for category "
                                        r"'beauty' are missing: bty_allergy_return.*; trap_rude"
                                        r".*Columns found \(43\): respondent_id, customer_id"):
        read_responses(path, codebook=cb, category=CAT)


def test_other_category_file_lacks_its_items(tmp_path, cb):
    path = write_csv(canonical(cb, "beauty"), tmp_path / "wave.csv")
    with pytest.raises(DataError, match="missing: app_tech_support.*app_spare_parts"):
        read_responses(path, codebook=cb, category="appliances")


def test_optional_questions_may_be_absent(tmp_path, cb):
    path = write_csv(canonical(cb).drop(columns=["repurchase"]), tmp_path / "wave.csv")
    with pytest.warns(CsatWarning, match=r"1 optional question\(s\) not in the file, left "
                                         r"missing: repurchase"):
        res = read_responses(path, codebook=cb, category=CAT, optional=["repurchase"])
    assert res.frame["repurchase"].isna().all() and res.frame["repurchase"].dtype == "float64"
    with pytest.raises(ValueError, match="optional: 'repurchased' is not a question"):
        read_responses(path, codebook=cb, category=CAT, optional=["repurchased"])


def test_missing_metadata_is_filled_and_reported(tmp_path, cb):
    frame = canonical(cb).drop(columns=["customer_id", "order_id", "category"])
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.warns(CsatWarning, match=r"2 metadata column\(s\) not in the file, left missing: "
                                         r"customer_id, order_id"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert res.frame["customer_id"].isna().all()
    assert set(res.frame["category"]) == {CAT}


def test_no_respondent_id_column(tmp_path, cb):
    path = write_csv(canonical(cb).drop(columns=["respondent_id"]), tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: no respondent id column: expected "
                                        r"'respondent_id'; columns found: customer_id"):
        read_responses(path, codebook=cb, category=CAT)


def test_id_column_option(tmp_path, cb):
    path = write_csv(canonical(cb).rename(columns={"respondent_id": "答卷编号"}),
                     tmp_path / "wave.csv")
    res = read_responses(path, codebook=cb, category=CAT, id_column="答卷编号")
    assert res.frame["respondent_id"].tolist()[0] == "R1"
    with pytest.raises(DataError, match="id_column 'rid' is not a column of the file"):
        read_responses(path, codebook=cb, category=CAT, id_column="rid")


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


def test_extra_columns_are_reported(tmp_path, cb):
    frame = canonical(cb)
    frame["wave"] = "2026Q1"
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.warns(CsatWarning, match=r"1 column\(s\) not used: wave"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert "wave" not in res.frame.columns


def test_blank_rows_keep_row_numbers(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, ",,,\n")
    path.write_text("".join(lines) + "\n\n", encoding="utf-8")
    edit_csv(path, 5, "nps", "99")  # row 5 of the file is respondent R3
    with pytest.raises(DataError, match="row 5, column nps: 99 is outside 0-10"):
        quiet(read_responses, path, codebook=cb, category=CAT)
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=cb, category=CAT, on_invalid="exclude")
    assert [str(w.message) for w in record] == [
        "wave.csv: 1 blank row(s) skipped (rows 3)",
        "wave.csv: 1 row(s) excluded for 1 invalid value(s); see exclusions"]
    assert res.n_rows_read == 4 and res.exclusions["respondent_id"].tolist() == ["R3"]


def test_values_without_header_are_refused(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",surprise"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"wave.csv row 3: 1 value\(s\) in column 46, which has no "
                                        r"header"):
        read_responses(path, codebook=cb, category=CAT)


def test_semicolon_and_tab_separated(tmp_path, cb):
    for sep, name in ((";", "semi.csv"), ("\t", "tabs.tsv")):
        path = tmp_path / name
        canonical(cb).to_csv(path, index=False, sep=sep)
        res = read_responses(path, codebook=cb, category=CAT)
        assert res.frame["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]


def test_duplicate_header_is_refused(tmp_path, cb):
    frame = canonical(cb)
    path = tmp_path / "wave.csv"
    text = frame.to_csv(index=False).replace("qual_fcr,", "nps,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"wave.csv: column 'nps' appears 2 times \(columns \d+, "
                                        r"\d+\); headers used must be unique"):
        read_responses(path, codebook=cb, category=CAT)


# ====================================================================== column and value maps
def test_column_map_renames_source_columns(tmp_path, cb):
    frame = canonical(cb).rename(columns={"nps": "Q10", "eff_first_reply": "Q1_1"})
    path = write_csv(frame, tmp_path / "wave.csv")
    res = read_responses(path, codebook=cb, category=CAT,
                         column_map={"Q10": "nps", "Q1_1": "eff_first_reply"})
    assert res.frame["nps"].tolist() == canonical(cb)["nps"].tolist()
    assert res.column_sources["nps"] == "Q10"
    edit_csv(path, 2, "Q10", "12")
    with pytest.raises(DataError, match=r"wave.csv row 2, column 'Q10' \(nps\): 12 is outside 0-10"):
        read_responses(path, codebook=cb, category=CAT,
                       column_map={"Q10": "nps", "Q1_1": "eff_first_reply"})


def test_column_map_key_not_in_file(tmp_path, cb):
    path = write_csv(canonical(cb).rename(columns={"nps": "Q10"}), tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: column_map key 'Q01' is not a column of the "
                                        r"file; closest: 'Q10'"):
        read_responses(path, codebook=cb, category=CAT, column_map={"Q01": "nps"})


def test_column_map_values_are_checked(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(ValueError, match=r"column_map\['Q1'\]: 'npss' is not a canonical column "
                                         r"for this category; closest: nps"):
        read_responses(path, codebook=cb, category=CAT, column_map={"Q1": "npss"})
    with pytest.raises(ValueError, match="column_map: 'B' and 'A' both map to 'nps'"):
        read_responses(path, codebook=cb, category=CAT, column_map={"A": "nps", "B": "nps"})
    with pytest.raises(TypeError, match="column_map must be a mapping"):
        read_responses(path, codebook=cb, category=CAT, column_map=["nps"])


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


# ====================================================================== arguments
def test_argument_checks(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(TypeError, match="codebook must be a Codebook"):
        read_responses(path, codebook={"items": []}, category=CAT)
    with pytest.raises(ValueError, match="category must be one of appliances, .*; got 'toys'"):
        read_responses(path, codebook=cb, category="toys")
    with pytest.raises(ValueError, match="format must be one of auto, csv, excel, spss, parquet, "
                                         "qualtrics, wjx; got 'json'"):
        read_responses(path, codebook=cb, category=CAT, format="json")
    with pytest.raises(ValueError, match="on_invalid must be 'error' or 'exclude'; got 'drop'"):
        read_responses(path, codebook=cb, category=CAT, on_invalid="drop")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        read_responses(3, codebook=cb, category=CAT)


def test_missing_file_and_unknown_extension(tmp_path, cb):
    with pytest.raises(DataError, match="nowhere.csv: file not found"):
        read_responses(tmp_path / "nowhere.csv", codebook=cb, category=CAT)
    path = tmp_path / "wave.dat"
    path.write_text("respondent_id\nR1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"wave.dat: cannot tell the file format from the extension "
                                        r"'.dat'; expected .csv"):
        read_responses(path, codebook=cb, category=CAT)
    with pytest.raises(DataError, match="wave.dat: cannot tell the file format .*for a wjx export"):
        read_responses(path, codebook=cb, category=CAT, format="wjx")


def test_format_forces_the_reader(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.dat")
    assert read_responses(path, codebook=cb, category=CAT, format="csv").n_rows_read == 4


def test_encoding_with_excel_is_refused(tmp_path, cb):
    path = tmp_path / "wave.xlsx"
    canonical(cb).to_excel(path, index=False)
    with pytest.raises(ValueError, match="encoding applies to CSV and SPSS files only; wave.xlsx "
                                         "is read as excel"):
        read_responses(path, codebook=cb, category=CAT, encoding="gbk")


# ====================================================================== Excel, SPSS, Parquet
@pytest.fixture()
def csv_frame(tmp_path, cb) -> pd.DataFrame:
    """The canonical frame as read from CSV: every other format must give the same."""
    path = write_csv(canonical(cb), tmp_path / "reference.csv")
    return read_responses(path, codebook=cb, category=CAT).frame


def test_xlsx_canonical(tmp_path, cb, csv_frame):
    path = tmp_path / "wave.xlsx"
    canonical(cb).to_excel(path, index=False)
    res = read_responses(path, codebook=cb, category=CAT)
    assert (res.format, res.encoding) == ("excel", None)
    pd.testing.assert_frame_equal(res.frame, csv_frame)


def test_xlsx_row_numbers_and_types(tmp_path, cb):
    path = tmp_path / "wave.xlsx"
    canonical(cb).to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("nps") + 1, value=12)
    sheet.cell(row=4, column=header.index("qual_fcr") + 1, value="#N/A")
    sheet.cell(row=5, column=header.index("submitted_at") + 1, value=dt.date(2026, 3, 9))
    book.create_sheet("notes")
    book.save(path)
    with pytest.raises(DataError, match="wave.xlsx row 3, column nps: 12 is outside 0-10"):
        quiet(read_responses, path, codebook=cb, category=CAT)
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=cb, category=CAT, on_invalid="exclude")
    assert [str(w.message) for w in record] == [
        "wave.xlsx: workbook has 2 sheets; read the first ('Sheet1')",
        "wave.xlsx: 1 row(s) excluded for 1 invalid value(s); see exclusions"]
    assert res.exclusions["source_row"].tolist() == [3]
    assert np.isnan(res.frame.loc[1, "qual_fcr"])  # "#N/A" is a missing value
    assert res.frame.loc[2, "submitted_at"] == pd.Timestamp("2026-03-09")


def test_xls_written_with_xlwt(tmp_path, cb, csv_frame):
    xlwt = pytest.importorskip("xlwt")
    frame = canonical(cb)
    book = xlwt.Workbook()
    sheet = book.add_sheet("data", cell_overwrite_ok=True)
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for j, col in enumerate(frame.columns):
        sheet.write(0, j, col)
        for i, value in enumerate(frame[col].tolist(), start=1):
            if isinstance(value, pd.Timestamp):
                sheet.write(i, j, value.to_pydatetime(), when)
            elif value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            else:
                sheet.write(i, j, value)
    path = tmp_path / "wave.xls"
    book.save(str(path))
    res = read_responses(path, codebook=cb, category=CAT)
    assert res.format == "excel"
    pd.testing.assert_frame_equal(res.frame, csv_frame)
    sheet.write(4, frame.columns.get_loc("trap_rude"), 8)
    book.save(str(path))
    with pytest.raises(DataError, match="wave.xls row 5, column trap_rude: 8 is outside 1-5"):
        read_responses(path, codebook=cb, category=CAT)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".sav", ".parquet"])
def test_unreadable_binary_files(tmp_path, cb, suffix):
    path = tmp_path / f"wave{suffix}"
    path.write_text("respondent_id,nps\nR1,9\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"wave\{suffix}: (not a readable|cannot read the SPSS)"):
        read_responses(path, codebook=cb, category=CAT)


def _sav_frame(cb) -> pd.DataFrame:
    frame = canonical(cb)
    for col in frame.columns:
        if frame[col].dtype != "float64" and col != "submitted_at":
            frame[col] = frame[col].fillna("").astype(object)
    return frame


def test_spss_canonical(tmp_path, cb, csv_frame):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "wave.sav"
    likert = {k + 1: text for k, text in enumerate(cb.scale_of("qual_fcr").labels.zh)}
    pyreadstat.write_sav(_sav_frame(cb), str(path), variable_value_labels={"qual_fcr": likert})
    res = read_responses(path, codebook=cb, category=CAT, encoding="utf-8")
    assert (res.format, res.encoding, res.warnings) == ("spss", "utf-8", ())
    pd.testing.assert_frame_equal(res.frame, csv_frame)


def test_spss_value_labels_decide_the_codes(tmp_path, cb):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = _sav_frame(cb)
    reference = frame["qual_fcr"].tolist()
    frame["qual_fcr"] = [6 - v for v in reference]  # the file codes 1 = very satisfied
    frame["customer_type"] = [1.0, 2.0, 1.0, 2.0]
    reversed_labels = {5 - k: text for k, text in enumerate(cb.scale_of("qual_fcr").labels.zh)}
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "qual_fcr": reversed_labels, "customer_type": {1: "新客", 2: "老客"}})
    with pytest.warns(CsatWarning, match=r"column 'qual_fcr': SPSS value labels differ from the "
                                         r"codebook coding; recoded by label \(1->5, 2->4, "
                                         r"4->2, 5->1\)"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert res.frame["qual_fcr"].tolist() == reference
    assert res.frame["customer_type"].tolist() == ["new", "returning", "new", "returning"]
    assert res.encoding == "UTF-8"


def test_spss_bad_codes_and_encoding(tmp_path, cb):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = _sav_frame(cb)
    frame.loc[0, "nps"] = 12.0
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path))
    with pytest.raises(DataError, match="wave.sav row 1, column nps: 12 is outside 0-10"):
        read_responses(path, codebook=cb, category=CAT)
    with pytest.raises(DataError, match="wave.sav: cannot read the SPSS file with encoding "
                                        "'ascii'"):
        read_responses(path, codebook=cb, category=CAT, encoding="ascii")
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=cb, category=CAT, encoding="latin1",
                             on_invalid="exclude")
    assert res.n_excluded == 1
    assert str(record[0].message) == (
        "wave.sav: the file declares encoding 'UTF-8' but was read as 'latin1' as requested; "
        "if text looks garbled pass encoding=None")


def test_parquet_canonical(tmp_path, cb, csv_frame):
    path = tmp_path / "wave.parquet"
    canonical(cb).to_parquet(path, index=False)
    res = read_responses(path, codebook=cb, category=CAT)
    assert (res.format, res.encoding) == ("parquet", None)
    pd.testing.assert_frame_equal(res.frame, csv_frame)


def test_parquet_round_trip_of_a_read_frame(tmp_path, cb, csv_frame):
    path = tmp_path / "canonical.parquet"
    csv_frame.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(read_responses(path, codebook=cb, category=CAT).frame,
                                  csv_frame)


def test_parquet_bad_value_and_row(tmp_path, cb):
    frame = canonical(cb)
    frame.loc[3, "trap_attention"] = 0.0
    path = tmp_path / "wave.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(DataError, match="wave.parquet row 4, column trap_attention: 0 is outside "
                                        "1-5"):
        read_responses(path, codebook=cb, category=CAT)


# ====================================================================== Qualtrics and 问卷星
LIKERT = {"min": 1, "max": 5, "labels": {
    "zh": ["非常不满意", "比较不满意", "一般", "比较满意", "非常满意"],
    "en": ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]}}
MINI = {
    "instrument": "mini", "version": "1",
    "scales": {"likert5": LIKERT, "nps11": {"min": 0, "max": 10}},
    "dimensions": [{"id": "efficiency", "label": {"zh": "响应效率", "en": "Efficiency"}},
                   {"id": "quality", "label": {"zh": "解决质量", "en": "Quality"}}],
    "items": [
        {"id": "eff_first_reply", "dimension": "efficiency", "scale": "likert5",
         "label": {"zh": "在线/电话客服首次回复的速度", "en": "Speed of the first reply"}},
        {"id": "eff_logistics_alert", "dimension": "efficiency", "scale": "likert5",
         "label": {"zh": "物流异常提醒的及时性", "en": "Timeliness of logistics alerts"}},
        {"id": "qual_fcr", "dimension": "quality", "scale": "likert5",
         "label": {"zh": "问题在第一次联系时就得到解决", "en": "Resolved at the first contact"}},
        {"id": "qual_solution_fit", "dimension": "quality", "scale": "likert5",
         "label": {"zh": "最终解决方案的合理性", "en": "Fit of the final solution"}},
    ],
    "traps": [{"id": "trap_attention", "scale": "likert5", "expected": [2],
               "label": {"zh": "本题请选择“比较不满意”", "en": "Please choose 'Dissatisfied'"}}],
    "outcomes": [
        {"id": "overall_sat", "role": "overall", "scale": "likert5",
         "label": {"zh": "总体满意度", "en": "Overall satisfaction"}},
        {"id": "nps", "role": "nps", "scale": "nps11",
         "label": {"zh": "推荐可能性", "en": "Likelihood to recommend"}},
    ],
    "open_questions": [{"id": "open_improve", "role": "improve", "label": {
        "zh": "您认为哪部分服务最需要改进？",
        "en": "Which part of the service most needs improvement?"}}],
    "segments": [{"id": "customer_type", "label": {"zh": "客户类型", "en": "Customer type"},
                  "levels": ["new", "returning"],
                  "level_labels": {"zh": ["新客", "老客"], "en": ["New", "Returning"]}}],
}


@pytest.fixture(scope="module")
def mini():
    return codebook_from_mapping(MINI, source="mini.yaml")


def write_records(path: Path, records: list[list], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "DistributionChannel", "UserLanguage"]
QUALTRICS_QUESTIONS = [
    ("Q1_1", "请评价以下方面 - 首次回复速度", "QID1_1"),
    ("Q1_2", "请评价以下方面 - 物流异常提醒的及时性", "QID1_2"),  # matched by its label
    ("Q2_1", "请评价以下方面 - 一次解决", "QID2_1"),
    ("Q2_2", "请评价以下方面 - 方案合理", "QID2_2"),
    ("Q3", "为确认认真作答，请选择“比较不满意”", "QID3"),
    ("Q4", "总体而言，您满意吗？", "QID4"),
    ("Q5", "您向亲友推荐本店的可能性", "QID5"),
    ("Q6", "Which part of the service most needs improvement?", "QID6_TEXT"),  # by label
    ("Q7", "您是新客还是老客？", "QID7"),
]
QUALTRICS_MAP = {"Q1_1": "eff_first_reply", "QID2_1": "qual_fcr", "Q2_2": "qual_solution_fit",
                 "Q3": "trap_attention", "Q4": "overall_sat", "Q5": "nps", "Q7": "customer_type"}


def qualtrics_file(path: Path, rows: list[list] | None = None) -> Path:
    meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                 "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                 "Distribution Channel", "User Language"]
    meta_ids = ['{"ImportId":"startDate","timeZone":"Asia/Shanghai"}',
                '{"ImportId":"endDate","timeZone":"Asia/Shanghai"}', '{"ImportId":"status"}',
                '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
                '{"ImportId":"finished"}',
                '{"ImportId":"recordedDate","timeZone":"Asia/Shanghai"}',
                '{"ImportId":"_recordId"}', '{"ImportId":"distributionChannel"}',
                '{"ImportId":"userLanguage"}']
    header = [
        QUALTRICS_META + [q[0] for q in QUALTRICS_QUESTIONS],
        meta_text + [q[1] for q in QUALTRICS_QUESTIONS],
        meta_ids + [f'{{"ImportId":"{q[2]}"}}' for q in QUALTRICS_QUESTIONS],
    ]

    def meta(rid, status="IP Address", progress=100, finished="True", duration=300):
        return ["2026-03-01 09:00:00", "2026-03-01 09:05:00", status, "1.2.3.4", progress,
                duration, finished, "2026-03-01 09:05:01", rid, "anonymous", "ZH-S"]

    if rows is None:
        rows = [
            meta("R_a") + [5, 4, 5, 4, 2, 5, 9, "物流更新太慢", 1],
            meta("R_b", duration=61) + [4, 4, 3, -99, 2, 4, 10, "", 2],
            meta("R_c", progress=40, finished="False") + [3, "", "", "", "", "", "", "", ""],
            meta("R_d", status="Survey Preview") + [1, 1, 1, 1, 1, 1, 0, "test", 1],
            meta("R_e") + [2, 3, 2, 3, 2, 2, 3, "客服答非所问", "Returning"],
        ]
    return write_records(path, header + rows)


def test_qualtrics_export(tmp_path, mini):
    path = qualtrics_file(tmp_path / "qualtrics.csv")
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=mini, category=CAT, column_map=QUALTRICS_MAP)
    assert res.format == "qualtrics" and res.encoding == "utf-8-sig"
    frame = res.frame
    assert list(frame.columns) == mini.columns_for(CAT)
    assert frame["respondent_id"].tolist() == ["R_a", "R_b", "R_e"]
    assert frame["duration_sec"].tolist() == [300.0, 61.0, 300.0]
    assert frame.loc[0, "submitted_at"] == pd.Timestamp("2026-03-01 09:05:01")
    assert frame["eff_logistics_alert"].tolist() == [4.0, 4.0, 3.0]  # auto-mapped by label
    assert frame["qual_fcr"].tolist() == [5.0, 3.0, 2.0]  # mapped by ImportId
    assert np.isnan(frame.loc[1, "qual_solution_fit"])  # -99: seen but unanswered
    assert frame["open_improve"].tolist()[0] == "物流更新太慢" and pd.isna(frame.loc[1, "open_improve"])
    assert frame["customer_type"].tolist() == ["new", "returning", "returning"]
    assert res.column_sources["eff_logistics_alert"] == "Q1_2"
    assert res.column_sources["open_improve"] == "Q6"
    ex = res.exclusions
    assert ex["source_row"].tolist() == [6, 7]
    assert ex["respondent_id"].tolist() == ["R_c", "R_d"]
    assert ex["reason"].tolist() == ["unfinished", "status: Survey Preview"]
    assert res.n_rows_read == 5 and res.n_excluded == 2
    messages = [str(w.message) for w in record]
    assert "qualtrics.csv: 2 metadata column(s) not in the file, left missing: customer_id, " \
           "order_id" in messages
    assert "qualtrics.csv: 2 Qualtrics response(s) set aside (1 unfinished, 1 status: Survey " \
           "Preview)" in messages
    assert "qualtrics.csv: 1 answer(s) set to missing (1 seen but unanswered; -99 = seen but " \
           "unanswered)" in messages
    assert any(m.startswith("qualtrics.csv: segment answers given as option numbers were read "
                            "as the codebook levels in that order: customer_type (2 rows: "
                            "1=new, 2=returning)") for m in messages)


def test_qualtrics_bad_value_row_and_column(tmp_path, mini):
    path = qualtrics_file(tmp_path / "qualtrics.csv")
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    records[3][records[0].index("Q4")] = "6"
    write_records(path, records)
    with pytest.raises(DataError, match=r"qualtrics.csv row 4, column 'Q4' \(overall_sat\): 6 is "
                                        r"outside 1-5"):
        quiet(read_responses, path, codebook=mini, category=CAT, column_map=QUALTRICS_MAP)


def test_qualtrics_unmapped_questions_get_suggestions(tmp_path, mini):
    path = qualtrics_file(tmp_path / "qualtrics.csv")
    with pytest.raises(DataError, match=r"qualtrics.csv: 7 column\(s\) the codebook needs for "
                                        r"category 'beauty' are missing: eff_first_reply "
                                        r"\[在线/电话客服首次回复的速度; closest header\(s\): "
                                        r"'Q1_1'") as info:
        read_responses(path, codebook=mini, category=CAT)
    assert "nps [推荐可能性; closest header(s): 'Q5'" in str(info.value)


def test_format_qualtrics_on_a_plain_file(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: does not look like a Qualtrics export: row 3 "
                                        r"should hold import ids"):
        read_responses(path, codebook=cb, category=CAT, format="qualtrics")


WJX_HEADER = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
              "1、您对客服首次回复速度的满意度", "2(物流异常提醒的及时性)", "2(问题一次解决)",
              "3、矩阵题—最终解决方案的合理性", "4、本题请选择“比较不满意”", "5、总体满意度",
              "6、推荐可能性", "7(微信)", "7(电话)", "8、您认为哪部分服务最需要改进？",
              "9、客户类型"]
WJX_MAP = {"1、您对客服首次回复速度的满意度": "eff_first_reply", "2(问题一次解决)": "qual_fcr",
           "4、本题请选择“比较不满意”": "trap_attention", "6、推荐可能性": "nps"}
WJX_META = [["1", "2026/3/1 9:05:10", "125秒", "手机提交", "直接访问", "1.2.3.4(上海)"],
            ["2", "2026/3/1 10:00:00", "2分5秒", "微信", "N/A", "5.6.7.8(北京)"],
            ["3", "2026/3/2 8:00:00", "1小时2分5秒", "链接", "N/A", "9.9.9.9(广州)"]]


def test_wjx_numeric_variant_gbk_csv(tmp_path, mini):
    answers = [[5, 4, 5, 4, 2, 5, 9, 1, 0, "物流太慢", 1],
               [4, -3, 4, -2, 2, 4, 10, 0, 1, "(跳过)", 2],
               [3, 3, 3, 3, 2, 3, 7, 0, 0, "客服态度好", 1]]
    path = write_records(tmp_path / "wjx.csv",
                         [WJX_HEADER] + [m + a for m, a in zip(WJX_META, answers, strict=True)],
                         encoding="gb18030")
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=mini, category=CAT, column_map=WJX_MAP)
    assert (res.format, res.encoding) == ("wjx", "gb18030")
    frame = res.frame
    assert frame["respondent_id"].tolist() == ["1", "2", "3"]
    assert frame["duration_sec"].tolist() == [125.0, 125.0, 3725.0]
    assert frame["submitted_at"].tolist()[0] == pd.Timestamp("2026-03-01 09:05:10")
    assert frame["eff_first_reply"].tolist() == [5.0, 4.0, 3.0]
    assert np.isnan(frame.loc[1, "eff_logistics_alert"])  # -3: not shown
    assert np.isnan(frame.loc[1, "qual_solution_fit"])  # -2: skipped
    assert frame["overall_sat"].tolist() == [5.0, 4.0, 3.0]  # "5、总体满意度" by label
    assert frame["open_improve"].tolist()[0] == "物流太慢" and pd.isna(frame.loc[1, "open_improve"])
    assert frame["customer_type"].tolist() == ["new", "returning", "new"]
    messages = [str(w.message) for w in record]
    assert ("wjx.csv: 3 answer(s) set to missing (1 not shown, 2 skipped; -2/(跳过) = skipped, "
            "-3/(空) = not shown)") in messages
    assert "wjx.csv: 2 column(s) not used: 7(微信), 7(电话)" in messages
    assert res.column_sources["qual_solution_fit"] == "3、矩阵题—最终解决方案的合理性"


def test_wjx_text_variant_xlsx(tmp_path, mini):
    answers = [["非常满意", "比较满意", "非常满意", "比较满意", "比较不满意", "非常满意", 9, "0",
                "1", "物流太慢", "新客"],
               ["比较满意", "（空）", "一般", "(跳过)", "比较不满意", "比较满意", 10, "1", "0",
                "(跳过)", "老客"],
               ["一般", "一般", "一般", "一般", "比较不满意", "一般", "7", "0", "0", "客服态度好",
                "(跳过)"]]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(WJX_HEADER)
    for meta, row in zip(WJX_META, answers, strict=True):
        sheet.append([int(meta[0]), dt.datetime(2026, 3, 1, 9, 5, 10), *meta[2:], *row])
    path = tmp_path / "wjx.xlsx"
    book.save(path)
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=mini, category=CAT, column_map=WJX_MAP)
    assert any("4 answer(s) set to missing (1 not shown, 3 skipped" in str(w.message)
               for w in record)
    frame = res.frame
    assert res.format == "wjx" and res.encoding is None
    assert frame["respondent_id"].tolist() == ["1", "2", "3"]
    assert frame["eff_first_reply"].tolist() == [5.0, 4.0, 3.0]
    assert frame["trap_attention"].tolist() == [2.0, 2.0, 2.0]
    assert frame["nps"].tolist() == [9.0, 10.0, 7.0]
    assert frame["customer_type"].tolist()[:2] == ["new", "returning"]
    assert pd.isna(frame.loc[2, "customer_type"])
    assert frame["submitted_at"].tolist()[0] == pd.Timestamp("2026-03-01 09:05:10")


def test_wjx_value_maps_for_custom_option_texts(tmp_path, mini):
    answers = [[5, 4, 5, 4, 2, 5, "极有可能", 1, 0, "", 1]]
    path = write_records(tmp_path / "wjx.csv", [WJX_HEADER, WJX_META[0] + answers[0]])
    res = quiet(read_responses, path, codebook=mini, category=CAT, column_map=WJX_MAP,
                value_maps={"nps": {"极有可能": 10}, "customer_type": {"1": "returning"}})
    assert res.frame.loc[0, "nps"] == 10.0
    assert res.frame.loc[0, "customer_type"] == "returning"


def test_wjx_bad_values(tmp_path, mini):
    answers = [[5, 4, 5, 4, 2, 5, 9, 1, 0, "物流太慢", 1],
               [6, 4, 4, 4, 2, 4, 10, 0, 1, "", 2],
               [3, 3, 3, 3, 2, "很满意", 7, 0, 0, "", 3]]
    meta = [list(m) for m in WJX_META]
    meta[2][2] = "三分钟"
    path = write_records(tmp_path / "wjx.csv",
                         [WJX_HEADER] + [m + a for m, a in zip(meta, answers, strict=True)])
    with pytest.raises(DataError) as info:
        quiet(read_responses, path, codebook=mini, category=CAT, column_map=WJX_MAP)
    text = str(info.value)
    assert "wjx.csv: 4 invalid value(s) in 2 row(s)" in text
    assert "wjx.csv row 3, column '1、您对客服首次回复速度的满意度' (eff_first_reply): 6 is " \
           "outside 1-5" in text
    assert "wjx.csv row 4, column '所用时间' (duration_sec): '三分钟' is not a duration" in text
    assert "wjx.csv row 4, column '5、总体满意度' (overall_sat): '很满意' is not a number or a " \
           "label of the scale" in text
    assert "wjx.csv row 4, column '9、客户类型' (customer_type): '3' is not a level of " \
           "customer_type; allowed: new, returning (or 新客, 老客)" in text


def test_wjx_unmapped_questions_list_closest_headers(tmp_path, mini):
    answers = [5, 4, 5, 4, 2, 5, 9, 1, 0, "物流太慢", 1]
    path = write_records(tmp_path / "wjx.csv", [WJX_HEADER, WJX_META[0] + answers])
    with pytest.raises(DataError, match=r"wjx.csv: 2 column\(s\) the codebook needs .* missing: "
                                        r"eff_first_reply \[在线/电话客服首次回复的速度; closest "
                                        r"header\(s\): '1、您对客服首次回复速度的满意度'") as info:
        read_responses(path, codebook=mini, category=CAT)
    assert "qual_fcr [问题在第一次联系时就得到解决; closest header(s): '2(问题一次解决)'" in \
        str(info.value)
    assert "Map them with column_map={source column: question id} or" in str(info.value)


def test_format_wjx_on_a_plain_file(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: does not look like a 问卷星 \(wjx\) export: the "
                                        r"first columns should be 序号, 提交答卷时间, 所用时间"):
        read_responses(path, codebook=cb, category=CAT, format="wjx")


# ====================================================================== tickets
def tickets(n: int = 4) -> pd.DataFrame:
    handled = ["bot", "human", "bot_to_human", "bot_to_human"]
    return pd.DataFrame({
        "ticket_id": [f"T{k + 1}" for k in range(n)],
        "customer_id": [f"00{k + 120}" for k in range(n)],
        "order_id": [f"O{k + 1:05d}" if k != 1 else None for k in range(n)],
        "created_at": [f"2026-03-0{k + 1} 08:30:00" for k in range(n)],
        "channel": ["wechat", "app", "web", "phone"][:n],
        "issue_type": ["logistics", "refund", "return", "product"][:n],
        "handled_by": handled[:n],
        "handoff_min": [None, None, 3.5, None][:n],
        "first_response_min": [0.2, 4.0, 12.5, 6.0][:n],
        "resolution_hours": [1.0, None, 30.0, 5.5][:n],
        "first_contact_resolution": [True, False, False, True][:n],
        "repeat_contact": [False, True, "是", "0"][:n],
        "escalated": [False, False, True, "no"][:n],
        "severity": ["normal", "high", "normal", "high"][:n],
    })


def test_tickets_csv(tmp_path):
    path = write_csv(tickets(), tmp_path / "tickets.csv")
    res = read_tickets(path)
    frame = res.frame
    assert list(frame.columns) == list(schema.TICKET_COLUMNS)
    assert (res.format, res.encoding, res.n_rows_read, res.warnings) == ("csv", "utf-8", 4, ())
    assert frame["customer_id"].tolist()[0] == "00120"
    assert pd.isna(frame.loc[1, "order_id"])
    assert frame["created_at"].dtype == "datetime64[ns]"
    assert frame["handoff_min"].dtype == "float64" and frame.loc[2, "handoff_min"] == 3.5
    assert np.isnan(frame.loc[1, "resolution_hours"])
    assert frame["repeat_contact"].tolist() == [False, True, True, False]
    assert frame["escalated"].dtype == "bool"
    assert frame["escalated"].tolist() == [False, False, True, False]


def test_tickets_xlsx_and_parquet(tmp_path):
    reference = read_tickets(write_csv(tickets(), tmp_path / "tickets.csv")).frame
    tickets().to_excel(tmp_path / "tickets.xlsx", index=False)
    pd.testing.assert_frame_equal(read_tickets(tmp_path / "tickets.xlsx").frame, reference)
    reference.to_parquet(tmp_path / "tickets.parquet", index=False)
    pd.testing.assert_frame_equal(read_tickets(tmp_path / "tickets.parquet").frame, reference)


def test_tickets_gbk_csv(tmp_path):
    frame = tickets()
    frame["note"] = "客户投诉物流"
    path = write_csv(frame, tmp_path / "tickets.csv", encoding="gb18030")
    with pytest.warns(CsatWarning, match=r"tickets.csv: 1 column\(s\) not used: note"):
        res = read_tickets(path)
    assert res.encoding == "gb18030"


def test_tickets_missing_columns(tmp_path):
    path = write_csv(tickets().drop(columns=["severity", "escalated"]), tmp_path / "tickets.csv")
    with pytest.raises(DataError, match=r"tickets.csv: 2 ticket column\(s\) missing: escalated, "
                                        r"severity; columns found: ticket_id, customer_id"):
        read_tickets(path)


@pytest.mark.parametrize(("column", "row", "value", "message"), [
    ("handled_by", 3, "robot", "column handled_by: 'robot' is not allowed; allowed: bot, human, "
                               "bot_to_human"),
    ("channel", 2, "", "column channel: channel is missing; allowed: wechat, app, web, phone"),
    ("severity", 5, "urgent", "column severity: 'urgent' is not allowed; allowed: high, normal"),
    ("first_response_min", 4, "-2", "column first_response_min: -2 is negative; minutes to the "
                                    "first reply must be >= 0"),
    ("resolution_hours", 2, "soon", "column resolution_hours: 'soon' is not a number (hours to "
                                    "resolution)"),
    ("handoff_min", 2, "1.5", "column handoff_min: 1.5 given but handled_by is 'bot'; handoff_min "
                              "is only for bot_to_human tickets"),
    ("escalated", 3, "maybe", "column escalated: 'maybe' is not true/false"),
    ("created_at", 5, "tomorrow", "column created_at: 'tomorrow' is not a date-time"),
    ("created_at", 4, "", "column created_at: date-time is missing"),
    ("ticket_id", 4, "", "column ticket_id: ticket id is missing"),
])
def test_ticket_bad_values(tmp_path, column, row, value, message):
    path = write_csv(tickets(), tmp_path / "tickets.csv")
    edit_csv(path, row, column, value)
    with pytest.raises(DataError, match=rf"tickets.csv row {row}, {re.escape(message)}"):
        read_tickets(path)


def test_ticket_duplicates_and_exclusion(tmp_path):
    path = write_csv(tickets(), tmp_path / "tickets.csv")
    edit_csv(path, 4, "ticket_id", "T1")
    edit_csv(path, 5, "severity", "urgent")
    with pytest.raises(DataError, match=r"tickets.csv: 1 duplicate ticket_id\(s\): 'T1' at rows "
                                        r"2, 4"):
        read_tickets(path)
    with pytest.warns(CsatWarning, match=r"2 row\(s\) excluded for 2 invalid value\(s\)"):
        res = read_tickets(path, on_invalid="exclude")
    assert res.frame["ticket_id"].tolist() == ["T1", "T2"]
    assert res.exclusions["source_row"].tolist() == [4, 5]
    assert res.exclusions["respondent_id"].tolist() == ["T1", "T4"]


def test_ticket_arguments(tmp_path):
    path = write_csv(tickets(), tmp_path / "tickets.csv")
    with pytest.raises(ValueError, match="format must be one of auto, csv, excel, parquet; got "
                                         "'spss'"):
        read_tickets(path, format="spss")
    with pytest.raises(DataError, match="tickets.sav: cannot tell the file format from the "
                                        "extension '.sav'"):
        read_tickets(write_csv(tickets(), tmp_path / "tickets.sav"))
    header_only = write_csv(tickets().iloc[:0], tmp_path / "empty.csv")
    with pytest.raises(DataError, match="empty.csv: the file has a header but no data rows"):
        read_tickets(header_only)


# ====================================================================== odds and ends
def test_bytes_valid_in_utf8_and_gb18030_are_settled_by_charset_normalizer(tmp_path, mini):
    # b"\xe5\xa5\xbd\xe7\x9a\x84" is "好的" in UTF-8 and "濂界殑" in GB18030.
    header = ["respondent_id", *mini.question_ids(CAT)]
    row = ["R1", 5, 4, 5, 4, 2, 5, 9, "好的", "new"]
    path = write_records(tmp_path / "wave.csv", [header, row], encoding="utf-8")
    res = quiet(read_responses, path, codebook=mini, category=CAT)
    assert res.encoding == "utf-8"
    assert res.frame.loc[0, "open_improve"] == "好的"


def test_time_zone_offsets_are_converted_to_utc(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    for row in (2, 3, 4, 5):
        edit_csv(path, row, "submitted_at", f"2026-03-0{row}T09:00:00+08:00")
    with pytest.warns(CsatWarning, match=r"column 'submitted_at': 4 date-times had a time-zone "
                                         r"offset and were converted to UTC"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert res.frame["submitted_at"].dtype == "datetime64[ns]"
    assert res.frame.loc[0, "submitted_at"] == pd.Timestamp("2026-03-02 01:00")


def test_results_pickle_for_parallel_workers(tmp_path, cb):
    import pickle

    res = read_responses(write_csv(canonical(cb), tmp_path / "wave.csv"), codebook=cb,
                         category=CAT)
    again = pickle.loads(pickle.dumps(res))
    pd.testing.assert_frame_equal(again.frame, res.frame)
    assert pickle.loads(pickle.dumps(cb)) == cb


def test_result_is_frozen(tmp_path, cb):
    import dataclasses

    res = read_responses(write_csv(canonical(cb), tmp_path / "wave.csv"), codebook=cb,
                         category=CAT)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'frame'"):
        res.frame = res.frame.head(1)


def test_raw_file_is_not_modified(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv", encoding="utf-8-sig")
    edit_csv(path, 3, "nps", "12")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    res = quiet(read_responses, path, codebook=cb, category=CAT, on_invalid="exclude")
    assert res.n_excluded == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
