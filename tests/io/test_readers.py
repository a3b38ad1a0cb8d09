"""Readers: CSV encodings and delimiters, Excel, SPSS and Parquet files, unreadable files.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.ingest import read_responses
from tests.io.ingest_helpers import (
    CAT,
    canonical,
    edit_csv,
    quiet,
    write_csv,
    write_records,
)


# ====================================================================== CSV files and encodings
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


def test_bytes_valid_in_utf8_and_gb18030_are_settled_by_charset_normalizer(tmp_path, mini):
    # b"\xe5\xa5\xbd\xe7\x9a\x84" is "好的" in UTF-8 and "濂界殑" in GB18030.
    header = ["respondent_id", *mini.question_ids(CAT)]
    row = ["R1", 5, 4, 5, 4, 2, 5, 9, "好的", "new"]
    path = write_records(tmp_path / "wave.csv", [header, row], encoding="utf-8")
    res = quiet(read_responses, path, codebook=mini, category=CAT)
    assert res.encoding == "utf-8"
    assert res.frame.loc[0, "open_improve"] == "好的"


# The open answers of a Taiwanese shop's wave, as Excel / survey tools save them in Taipei.
TRADITIONAL = ["物流更新太慢，客服答非所問", "客服回覆很快，態度親切", "退貨流程太複雜，等了三天才退款",
               "包裝破損，商品與描述不符", "服務很好，下次還會再買", "快遞不給力", "回也不回",
               "客服回覆是3天後"]


def _traditional_records(mini):
    header = ["respondent_id", *mini.question_ids(CAT)]
    levels = ["new", "returning"]
    return [header] + [[f"R{k + 1}", 5 - k % 3, 4, 5, 4, 2, 4, 9 - k % 4, text, levels[k % 2]]
                       for k, text in enumerate(TRADITIONAL)]


@pytest.mark.parametrize(("written", "reported", "detail"), [
    ("big5", "big5", r"confidence 100.0 %; candidates: big5 100.0 %, gb18030 0.0 %"),
    ("gb18030", "gb18030", r"confidence 100 %: GB18030 is the only candidate that decodes"),
    ("utf-8", "utf-8", r"confidence 100 %: the bytes are valid UTF-8 only"),
    ("utf-8-sig", "utf-8-sig", r"confidence 100 %: the bytes are valid UTF-8 only"),
])
def test_traditional_chinese_in_big5_gb18030_and_utf8_read_alike(tmp_path, mini, written,
                                                                  reported, detail):
    path = write_records(tmp_path / "wave.csv", _traditional_records(mini), encoding=written)
    res = quiet(read_responses, path, codebook=mini, category=CAT)
    assert (res.encoding, res.encoding_detail) == (reported, detail)
    assert res.frame["open_improve"].tolist() == TRADITIONAL
    assert res.frame["nps"].tolist() == [9.0, 8.0, 7.0, 6.0, 9.0, 8.0, 7.0, 6.0]


def test_big5_choice_is_in_the_audit(tmp_path, mini):
    path = write_records(tmp_path / "wave.csv", _traditional_records(mini), encoding="big5")
    with pytest.warns(CsatWarning, match=r"^wave.csv: encoding detected as 'big5' \(confidence "
                                         r"100.0 %; candidates: big5 100.0 %, gb18030 0.0 %; the "
                                         r"bytes decode both as GB18030 and as Big5\); if the "
                                         r"text looks garbled set data.responses.encoding$"):
        read_responses(path, codebook=mini, category=CAT)
    # one answer is enough when the wrong decoding is garbage
    records = _traditional_records(mini)[:2]
    res = quiet(read_responses, write_records(tmp_path / "one.csv", records, encoding="big5"),
                codebook=mini, category=CAT)
    assert res.encoding == "big5" and res.frame.loc[0, "open_improve"] == TRADITIONAL[0]


def test_short_file_that_decodes_both_ways_is_refused(tmp_path, mini):
    # "好" in GB18030 is "疑" in Big5: both plausible, nothing to weigh them by
    records = _traditional_records(mini)[:2]
    records[1][records[0].index("open_improve")] = "好"
    path = write_records(tmp_path / "wave.csv", records, encoding="gb18030")
    with pytest.raises(DataError, match=r"^wave.csv: cannot tell the text encoding: the bytes "
                                        r"decode both as GB18030 \(Simplified or Traditional "
                                        r"Chinese\) and as Big5 \(Traditional Chinese\), and the 1 "
                                        r"non-ASCII character\(s\) do not settle which \(confidence: "
                                        r"gb18030 50.0 %, big5 50.0 %; at least 95.0 % is needed\); "
                                        r"set data.responses.encoding to the encoding the survey "
                                        r"tool wrote \(e.g. 'gb18030' or 'big5'\)$"):
        read_responses(path, codebook=mini, category=CAT)
    res = quiet(read_responses, path, codebook=mini, category=CAT, encoding="gb18030")
    assert (res.frame.loc[0, "open_improve"], res.encoding_detail) == ("好", "as given")
    res = quiet(read_responses, path, codebook=mini, category=CAT, encoding="big5")
    assert res.frame.loc[0, "open_improve"] == "疑"


def test_empty_file(tmp_path, cb):
    path = tmp_path / "wave.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="wave.csv: the file is empty"):
        read_responses(path, codebook=cb, category=CAT)


def test_header_only(tmp_path, cb):
    path = write_csv(canonical(cb).iloc[:0], tmp_path / "wave.csv")
    with pytest.raises(DataError, match="wave.csv: the file has a header but no data rows"):
        read_responses(path, codebook=cb, category=CAT)


def test_semicolon_and_tab_separated(tmp_path, cb):
    for sep, name in ((";", "semi.csv"), ("\t", "tabs.tsv")):
        path = tmp_path / name
        canonical(cb).to_csv(path, index=False, sep=sep)
        res = read_responses(path, codebook=cb, category=CAT)
        assert res.frame["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]


# ====================================================================== paths and format=
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
        "if text looks garbled leave out the params' encoding (data.responses.encoding or data.tickets.encoding; "
        "argument encoding= in Python)")


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


# ====================================================================== raw files
def test_raw_file_is_not_modified(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv", encoding="utf-8-sig")
    edit_csv(path, 3, "nps", "12")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    res = quiet(read_responses, path, codebook=cb, category=CAT, on_invalid="exclude")
    assert res.n_excluded == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
