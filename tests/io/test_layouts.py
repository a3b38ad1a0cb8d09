"""Layouts and column resolution: header rows, blank rows, column_map, Qualtrics and 问卷星.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

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


# ====================================================================== headers and rows
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


def test_duplicate_header_is_refused(tmp_path, cb):
    frame = canonical(cb)
    path = tmp_path / "wave.csv"
    text = frame.to_csv(index=False).replace("qual_fcr,", "nps,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"wave.csv: column 'nps' appears 2 times \(columns \d+, "
                                        r"\d+\); headers used must be unique"):
        read_responses(path, codebook=cb, category=CAT)


# ====================================================================== column resolution
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


def test_codebook_optional_items_may_be_absent(tmp_path, cb):
    assert cb.optional_items(CAT) == ["comm_scenario", "aft_warranty", "aft_member_priority",
                                      "dig_bot_handoff"]
    frame = canonical(cb).drop(columns=["aft_member_priority", "dig_bot_handoff"])
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.warns(CsatWarning) as record:
        res = read_responses(path, codebook=cb, category=CAT)
    assert [str(w.message) for w in record] == [
        "wave.csv: 2 optional question(s) not in the file, left missing: aft_member_priority, "
        "dig_bot_handoff"]
    assert res.frame["aft_member_priority"].isna().all()
    assert "aft_member_priority" not in res.column_sources
    assert res.frame["aft_warranty"].tolist() == canonical(cb)["aft_warranty"].tolist()


def test_missing_required_item_names_it_and_the_codebook_key(tmp_path, cb):
    frame = canonical(cb).drop(columns=["aft_member_priority", "aft_policy_clarity"])
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.raises(DataError, match=(
            r"^wave.csv: 1 column\(s\) the codebook needs for category 'beauty' are missing: "
            r"aft_policy_clarity\. Columns found \(43\): .*Map them "
            r"with data.responses.column_map \(column_map=\{source column: question id\} in "
            r"Python\), or, for questions a survey may leave out, mark them 'optional: true' in "
            r"the codebook \(instrument_default.yaml, params key instrument.codebook; optional= "
            r"in Python\)$")):
        read_responses(path, codebook=cb, category=CAT)


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


def test_id_column_that_column_map_renames_is_named_as_such(tmp_path, cb):
    frame = canonical(cb).rename(columns={"respondent_id": "rid"})
    path = write_csv(frame, tmp_path / "wave.csv")
    # the id column given under its source name while column_map maps it elsewhere
    with pytest.raises(ValueError, match=r"^id_column 'rid' is also a column_map key, mapped to "
                                         r"'customer_id': one file column cannot be both the "
                                         r"respondent id and customer_id; map it with "
                                         r"column_map=\{'rid': 'respondent_id'\} \(or drop that "
                                         r"entry\), or choose another id_column$"):
        read_responses(path, codebook=cb, category=CAT, id_column="rid",
                       column_map={"rid": "customer_id"})
    with pytest.raises(ValueError, match=r"^id_column 'customer_id' and column_map \{'rid': "
                                         r"'respondent_id'\} name two different respondent id "
                                         r"columns; give the id column once"):
        read_responses(path, codebook=cb, category=CAT, id_column="customer_id",
                       column_map={"rid": "respondent_id"})
    # saying it twice, consistently, is fine
    for id_column in ("rid", "respondent_id"):
        res = read_responses(path, codebook=cb, category=CAT, id_column=id_column,
                             column_map={"rid": "respondent_id"})
        assert res.frame["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]


def test_id_column_reaching_a_mapped_column_by_another_name(tmp_path, mini):
    # Qualtrics: the header ResponseId and the import id _recordId are the same column
    path = qualtrics_file(tmp_path / "qualtrics.csv")
    with pytest.raises(DataError, match=r"^qualtrics.csv: id_column 'ResponseId' is column 9 of "
                                        r"the file, which column_map already maps to "
                                        r"'customer_id'; map that column to 'respondent_id' or "
                                        r"choose another id_column$"):
        quiet(read_responses, path, codebook=mini, category=CAT, id_column="ResponseId",
              column_map={**QUALTRICS_MAP, "_recordId": "customer_id"})


def test_extra_columns_are_reported(tmp_path, cb):
    frame = canonical(cb)
    frame["wave"] = "2026Q1"
    path = write_csv(frame, tmp_path / "wave.csv")
    with pytest.warns(CsatWarning, match=r"1 column\(s\) not used: wave"):
        res = read_responses(path, codebook=cb, category=CAT)
    assert "wave" not in res.frame.columns


# ====================================================================== column_map
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


# ====================================================================== Qualtrics
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


# ====================================================================== 问卷星 (wjx)
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
    assert "Map them with data.responses.column_map (column_map={source column: question id} " \
           "in Python), or, for questions a survey may leave out, mark them 'optional: true' in " \
           "the codebook (mini.yaml, params key instrument.codebook; optional= in Python)" in \
           str(info.value)


def test_format_wjx_on_a_plain_file(tmp_path, cb):
    path = write_csv(canonical(cb), tmp_path / "wave.csv")
    with pytest.raises(DataError, match=r"wave.csv: does not look like a 问卷星 \(wjx\) export: the "
                                        r"first columns should be 序号, 提交答卷时间, 所用时间"):
        read_responses(path, codebook=cb, category=CAT, format="wjx")
