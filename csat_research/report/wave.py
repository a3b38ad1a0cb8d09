"""The respondent-level rows of a report's wave, as the study store keeps them.

:func:`wave_responses` turns a report's results into the long rows of
:class:`csat_research.io.store.WaveRecord` (``row_number``, ``respondent_id``, ``variable``,
``role``, ``value``, ``level``); :func:`write_outputs <csat_research.report.outputs.write_outputs>`
saves them beside ``summary.json`` as :data:`WAVE_FILE`, and the runner stores the wave once the
report is published. Open answers, customer and order ids are not kept (personal data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csat_research.core.schema import QUALITY_RULES
from csat_research.report.analyse import ReportResults

#: the hand-over file of a report run (not published: the runner moves its rows into the store)
WAVE_FILE = "wave_responses.parquet"


def _long(values: pd.DataFrame, role: str, *, text: bool = False) -> dict[str, np.ndarray]:
    """``values`` (rows: import position; columns: variables) as long rows of ``role``, respondent-major."""
    n, k = values.shape
    cells = values.to_numpy(dtype=object if text else float).ravel()
    if text:
        level = np.where(pd.isna(cells), None, cells).astype(object)
        value = np.full(n * k, np.nan)
    else:
        level = np.full(n * k, None, dtype=object)
        value = cells
    return {"row_number": np.repeat(values.index.to_numpy(dtype=np.int64), k),
            "variable": np.tile(np.asarray(values.columns, dtype=object), n),
            "role": np.full(n * k, role, dtype=object), "value": value, "level": level}


def wave_responses(results: ReportResults) -> pd.DataFrame:
    """Long respondent-level rows of the report's wave: every screened respondent (kept and
    excluded) with the respondent variables (``excluded``, ``reasons``, ``weight`` - 1 when
    the study is unweighted, NaN for excluded respondents -, ``overall_index``), the quality
    flags, the dimension scores (kept respondents), the item answers, the outcomes and the
    segment levels. Rows are ordered by import position, then variable."""
    s = results.study
    frame = s.responses.frame
    flags = s.screening.flags
    index = flags.index
    weight = (s.data[s.weight_column] if s.weight_column else pd.Series(1.0, index=s.data.index)).reindex(index)
    respondent = pd.DataFrame({
        "excluded": flags["excluded"].astype(float),
        "weight": weight.astype(float),
        "overall_index": results.overall.index.reindex(index).astype(float),
    }, index=index)
    items = [i for its in s.dimensions.values() for i in its if i in frame.columns]
    outcomes = [o.id for o in s.codebook.outcomes if o.id in frame.columns]
    segments = [g for g in s.codebook.segment_ids() if g in frame.columns]
    rules = [r for r in QUALITY_RULES if r in flags.columns]
    parts = [
        _long(respondent, "respondent"),
        _long(flags[["reasons"]], "respondent", text=True),
        _long(flags[rules].astype(float), "flag"),
        _long(s.data[[d for d in s.dimensions if d in s.data.columns]].reindex(index), "dimension"),
        _long(frame.loc[index, items], "item"),
        _long(frame.loc[index, outcomes], "outcome"),
        _long(frame.loc[index, segments], "segment", text=True),
    ]
    columns = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    order = np.argsort(columns["row_number"], kind="stable")
    columns = {c: v[order] for c, v in columns.items()}
    ids = frame["respondent_id"] if "respondent_id" in frame.columns else pd.Series(None, index=frame.index)
    ids = ids.astype(object).where(ids.notna(), None)
    return pd.DataFrame({
        "row_number": columns["row_number"],
        "respondent_id": ids.reindex(columns["row_number"]).to_numpy(dtype=object),
        "variable": columns["variable"], "role": columns["role"], "value": columns["value"],
        "level": columns["level"],
    })
