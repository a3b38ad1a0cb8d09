"""Legacy Qualtrics exports (two header rows: V1..V10 + question ids, then names and texts)
and the Status of Qualtrics responses (preview, test and spam ones are set aside, counted).

``tests/fixtures/qualtrics_legacy/sample_legacy.csv`` is a real legacy export (qualtRics, MIT;
see the README beside it); the other files are written here in the same shape.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.exclusions import qualtrics_status
from csat_research.io.ingest import read_responses
from csat_research.io.layouts import layout_table
from csat_research.io.readers import read_raw
from tests.io.ingest_helpers import CAT, quiet, write_records
from tests.io.test_layouts import QUALTRICS_MAP, qualtrics_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "qualtrics_legacy" / "sample_legacy.csv"


def test_real_legacy_export_layout_is_recognised():
    raw = read_raw(FIXTURE, "csv", None)
    table = layout_table(raw, "auto")
    assert table.layout == "qualtrics"
    assert table.headers[:10] == ["ResponseID", "ResponseSet", "Name", "ExternalDataReference",
                                  "EmailAddress", "IPAddress", "Status", "StartDate", "EndDate",
                                  "Finished"]
    assert table.headers[10:12] == ["Q1", "Q2"]
    assert table.texts[10:12] == ["This is a multiple choice question.",
                                  "This is a free text question."]
    assert table.import_ids[:2] == ["V1", "V2"]
    assert table.rows == [3]  # the question-text row is not a respondent
    assert table.columns[0] == ["R_2YPOQ602ER1jkf1"]
    notes: list[str] = []
    assert qualtrics_status(table, notes) == [] and notes == []  # Status 0, Finished 1


# Chinese question texts in row 2, as a legacy export of a Chinese survey has them
LEGACY_QUESTIONS = [
    ("Q1_1", "请评价以下方面-在线/电话客服首次回复的速度"),
    ("Q1_2", "请评价以下方面-物流异常提醒的及时性"),
    ("Q2", "问题在第一次联系时就得到解决"),
    ("Q3", "最终解决方案的合理性"),
    ("Q4", "本题请选择“比较不满意”"),
    ("Q5", "总体满意度"),
    ("Q6", "推荐可能性"),
    ("Q7", "您认为哪部分服务最需要改进？"),
    ("Q8", "客户类型"),
]
LEGACY_META = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
               "IPAddress", "Status", "StartDate", "EndDate", "Finished"]


def legacy_file(path: Path, status_and_finished: list[tuple[str, str]]) -> Path:
    ids = [f"V{k}" for k in range(1, 11)] + [q for q, _ in LEGACY_QUESTIONS]
    ids += ["LocationLatitude", "LocationLongitude", "LocationAccuracy", ""]
    texts = LEGACY_META + [t for _, t in LEGACY_QUESTIONS]
    texts += ["LocationLatitude", "LocationLongitude", "LocationAccuracy", ""]
    rows = []
    for k, (status, finished) in enumerate(status_and_finished):
        rows.append([f"R_{k + 1:03d}", "Default Response Set", "Anonymous", "", "",
                     f"10.0.0.{k + 1}", status, f"2026-03-0{k % 9 + 1} 09:00:00",
                     f"2026-03-0{k % 9 + 1} 09:06:00", finished,
                     5 - k % 3, 4, 5, 4, 2, 4 - k % 2, 9 - k % 3, "物流更新太慢" if k % 2 else "",
                     1 + k % 2, "31.2304", "121.4737", "-1", ""])
    return write_records(path, [ids, texts, *rows], encoding="utf-8")


STATUSES = [("0", "1"), ("1", "1"), ("0", "1"), ("8", "1"), ("2", "1"), ("4", "1"),
            ("16", "1"), ("0", "0")]


@pytest.mark.parametrize("fmt", ["auto", "qualtrics", "csv"])
def test_legacy_export_is_read_with_its_text_row_skipped(tmp_path, mini, fmt):
    path = legacy_file(tmp_path / "legacy.csv", STATUSES)
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=mini, category=CAT, format=fmt)
    assert res.format == "qualtrics"
    frame = res.frame
    # 0 (IP address), 4 (imported) and 16 (offline) are real responses
    assert frame["respondent_id"].tolist() == ["R_001", "R_003", "R_006", "R_007"]
    assert "ResponseID" not in frame["respondent_id"].tolist()
    assert res.source_rows == (3, 5, 8, 9)  # data start at row 3
    assert frame.loc[0, "submitted_at"] == pd.Timestamp("2026-03-01 09:06:00")  # EndDate
    assert frame["nps"].tolist() == [9.0, 7.0, 7.0, 9.0]  # Q6 matched by its text
    assert frame["eff_logistics_alert"].tolist() == [4.0] * 4
    assert frame["customer_type"].tolist() == ["new", "new", "returning", "new"]
    assert res.column_sources["respondent_id"] == "ResponseID"
    assert res.column_sources["eff_first_reply"] == "Q1_1"
    ex = res.exclusions
    assert ex["source_row"].tolist() == [4, 6, 7, 10]
    assert ex["respondent_id"].tolist() == ["R_002", "R_004", "R_005", "R_008"]
    assert ex["reason"].tolist() == ["status: Survey Preview (1)", "status: Spam (8)",
                                     "status: Survey Test (2)", "unfinished"]
    assert ex["source_column"].tolist() == ["Status", "Status", "Status", "Finished"]
    assert (res.n_rows_read, res.n_excluded) == (8, 4)
    messages = [str(w.message) for w in record]
    assert "legacy.csv: 4 Qualtrics response(s) set aside (1 unfinished, 1 status: Survey " \
           "Preview (1), 1 status: Spam (8), 1 status: Survey Test (2))" in messages
    assert "legacy.csv: 3 metadata column(s) not in the file, left missing: customer_id, " \
           "order_id, duration_sec" in messages
    # V1..V10 and the location columns are known metadata, not "columns not used"
    assert not any("not used" in m for m in messages)


def test_legacy_columns_can_be_mapped_by_their_v_ids(tmp_path, mini):
    path = legacy_file(tmp_path / "legacy.csv", [("0", "1"), ("0", "1")])
    res = quiet(read_responses, path, codebook=mini, category=CAT,
                column_map={"V4": "customer_id", "Q6": "nps"})
    assert res.column_sources["customer_id"] == "ExternalDataReference"
    assert res.frame["nps"].tolist() == [9.0, 8.0]


def test_unknown_status_is_kept_and_reported(tmp_path, mini):
    path = legacy_file(tmp_path / "legacy.csv", [("0", "1"), ("32", "1"), ("0", "1")])
    with pytest.warns(CsatWarning, match=r"^legacy.csv: 1 Qualtrics response\(s\) with a Status "
                                         r"that is neither a normal response \(0/IP Address, "
                                         r"4/Imported, 16/Offline\) nor a preview, test or spam "
                                         r"one, kept: '32' x1$"):
        res = read_responses(path, codebook=mini, category=CAT)
    assert len(res.frame) == 3


def test_new_layout_spam_and_test_responses_are_set_aside(tmp_path, mini):
    path = qualtrics_file(tmp_path / "qualtrics.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[3][2], rows[4][2] = "Spam", "Survey Test"  # R_a, R_b
    write_records(path, rows)
    res = quiet(read_responses, path, codebook=mini, category=CAT, column_map=QUALTRICS_MAP)
    assert res.frame["respondent_id"].tolist() == ["R_e"]
    assert res.exclusions["reason"].tolist() == ["status: Spam", "status: Survey Test",
                                                 "unfinished", "status: Survey Preview"]


def test_v_columns_without_response_id_row_are_a_plain_file(tmp_path, mini):
    header = ["V1", "V2", "V3", "respondent_id", *mini.question_ids(CAT)]
    row = ["a", "b", "c", "R1", 5, 4, 5, 4, 2, 5, 9, "好的", "new"]
    path = write_records(tmp_path / "wave.csv", [header, row], encoding="utf-8")
    res = quiet(read_responses, path, codebook=mini, category=CAT)
    assert res.format == "csv" and res.frame["respondent_id"].tolist() == ["R1"]
    with pytest.raises(DataError, match=r"wave.csv: does not look like a Qualtrics export: row 3 "
                                        r"should hold import ids like \{\"ImportId\":\"QID1\"\} "
                                        r"\(found no row 3\), or, in a legacy export, row 1 the "
                                        r"ids V1, V2, V3, ... \(found 'V1', 'V2', 'V3'\) and row 2 "
                                        r"ResponseID, ResponseSet, ..."):
        read_responses(path, codebook=mini, category=CAT, format="qualtrics")
