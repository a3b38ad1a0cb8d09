"""Ingest layer: every export format to the canonical frame, and every bad input refused.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from csat_research.codebook import codebook_from_mapping, load_codebook
from csat_research.errors import CsatWarning, DataError
from csat_research.ingest import EXCLUSION_COLUMNS, IngestResult, read_responses, read_tickets

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
