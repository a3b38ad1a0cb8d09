"""Helpers shared by the ingest tests (tests/io/test_ingest.py, test_readers.py, ...).

The fixtures ``cb`` and ``mini`` are in tests/io/conftest.py.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatWarning

CAT = "beauty"


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


def write_records(path: Path, records: list[list], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
