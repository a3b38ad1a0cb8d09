"""Ingest: read_responses / read_tickets end to end, their arguments and results.

All fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from csat_research.core import schema
from csat_research.core.errors import CsatWarning, DataError
from csat_research.io.exclusions import EXCLUSION_COLUMNS
from csat_research.io.ingest import IngestResult, read_responses, read_tickets
from tests.io.ingest_helpers import CAT, canonical, edit_csv, write_csv


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


# ====================================================================== results
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


def test_ticket_errors_name_the_params_setting_that_sets_rows_aside(tmp_path):
    path = write_csv(tickets(), tmp_path / "tickets.csv")
    edit_csv(path, 3, "handled_by", "robot")
    with pytest.raises(DataError, match=r"set data\.tickets\.on_invalid: exclude in the params"):
        read_tickets(path)
    res = read_tickets(path, on_invalid="exclude")
    assert res.n_excluded == 1 and len(res.frame) == 3
