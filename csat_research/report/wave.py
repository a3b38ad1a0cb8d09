"""The respondent-level rows of a report's wave, as the study store keeps them.

:func:`wave_responses` turns a report's results into the long rows of
:class:`csat_research.io.store.WaveRecord` (``row_number``, ``respondent_id``, ``variable``,
``role``, ``value``, ``level``); :func:`write_outputs <csat_research.report.outputs.write_outputs>`
saves them beside ``summary.json`` as :data:`WAVE_FILE`, and the runner stores the wave once the
report is published. Open answers, customer and order ids are not kept (personal data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csat_research.core.schema import QUALITY_RULES

if TYPE_CHECKING:  # the runner imports WAVE_FILE without the analysis modules
    from csat_research.report.results import ReportResults

#: the hand-over file of a report run (not published: the runner moves its rows into the store)
WAVE_FILE = "wave_responses.parquet"


def wave_responses(results: ReportResults) -> pd.DataFrame:
    """Respondent-level rows of the report's wave, one row per screened respondent (kept and
    excluded), in import order.

    Index: (``row_number`` - position in the import -, ``respondent_id``). Columns: a
    (``role``, ``variable``) MultiIndex - ``respondent``: ``excluded`` (1/0), ``reasons`` (text),
    ``weight`` (1 when the study is unweighted, NaN for excluded respondents), ``overall_index``;
    ``flag``: one 1/0 column per quality rule; ``dimension``: the dimension scores (kept
    respondents); ``item``: the item answers; ``outcome``: the outcomes; ``segment``: the
    segment levels (text).
    """
    s = results.study
    columns = s.responses.frame.columns
    flags = s.screening.flags
    index = flags.index
    weight = s.data[s.weight_column] if s.weight_column else pd.Series(1.0, index=s.data.index)
    items = [i for its in s.dimensions.values() for i in its if i in columns]
    outcomes = [o.id for o in s.codebook.outcomes if o.id in columns]
    segments = [g for g in s.codebook.segment_ids() if g in columns]
    parts = {
        "respondent": pd.DataFrame({
            "excluded": flags["excluded"].astype(float),
            "reasons": _text_objects(flags["reasons"]),
            "weight": weight.reindex(index).astype(float),
            "overall_index": results.overall.index.reindex(index).astype(float),
        }, index=index),
        "flag": flags[[r for r in QUALITY_RULES if r in flags.columns]].astype(float),
        "dimension": s.data[[d for d in s.dimensions if d in s.data.columns]].reindex(index).astype(float),
        # the imported rows in import order (= index), one column at a time: a large study's
        # copies of a column are transient
        "item": pd.DataFrame({c: _numbers(s.import_frame([c])[c]) for c in items}, index=index, copy=False),
        "outcome": pd.DataFrame({c: _numbers(s.import_frame([c])[c]) for c in outcomes}, index=index, copy=False),
        "segment": pd.DataFrame({c: _text_objects(s.import_frame([c])[c]) for c in segments}, index=index,
                                copy=False),
    }
    # the parts' columns as they are, not copied into one block (a million rows: a third of a GiB)
    out = pd.DataFrame({(role, col): part[col] for role, part in parts.items() for col in part.columns},
                       index=index, copy=False)
    out.columns = pd.MultiIndex.from_tuples(list(out.columns), names=["role", "variable"])
    del parts
    ids = (s.import_frame(["respondent_id"])["respondent_id"] if "respondent_id" in columns
           else pd.Series(None, index=index))
    out.index = pd.MultiIndex.from_arrays([np.asarray(index, dtype=np.int64), ids.astype(object).to_numpy()],
                                         names=["row_number", "respondent_id"])
    return out


def _numbers(values: pd.Series) -> pd.Series:
    """A column as numbers (what is not a number: NaN), as floats."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def _text_objects(values: pd.Series) -> pd.Series:
    """``values.astype(object)`` with one Python object per distinct value, shared by the rows
    that have it (a segment level or a list of reasons repeats over a million respondents: one
    string object per row would take a gigabyte)."""
    codes, uniques = pd.factorize(values)
    out = np.asarray(uniques.astype(object), dtype=object).take(np.maximum(codes, 0)) if len(uniques) else (
        np.empty(len(values), dtype=object))
    missing = codes < 0
    if missing.any():  # missing values as astype(object) gives them (NaN, None)
        out[missing] = values[missing].astype(object).to_numpy()
    return pd.Series(out, index=values.index, name=values.name, dtype=object)
