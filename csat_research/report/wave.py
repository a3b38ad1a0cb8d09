"""The respondent-level rows of a report's wave, as the study store keeps them.

:func:`wave_responses` turns a report's results into the long rows of
:class:`csat_research.io.store.WaveRecord` (``row_number``, ``respondent_id``, ``variable``,
``role``, ``value``, ``level``); :func:`write_outputs <csat_research.report.outputs.write_outputs>`
saves them beside ``summary.json`` as :data:`WAVE_FILE`, and the runner stores the wave once the
report is published. Open answers, customer and order ids are not kept (personal data).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csat_research.core.schema import QUALITY_RULES

if TYPE_CHECKING:  # the runner imports WAVE_FILE without the analysis modules
    from csat_research.report.results import ReportResults

#: the hand-over file of a report run (not published: the runner moves its rows into the store):
#: an Arrow IPC (Feather v2) file, LZ4-compressed - written and read in half the time of parquet
WAVE_FILE = "wave_responses.arrow"


#: respondents per record batch of :data:`WAVE_FILE`: a million-respondent wave is written a block at
#: a time (its whole frame would be half a GiB of the report kernel)
BLOCK_ROWS = 100_000


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
    blocks = list(_wave_blocks(results, rows=max(len(results.study.screening.flags), 1)))
    return blocks[0] if len(blocks) == 1 else pd.concat(blocks)


def write_wave(results: ReportResults, path: str | Path, *, rows: int = BLOCK_ROWS) -> Path:
    """Write :func:`wave_responses` to the Arrow IPC file ``path`` (Feather v2, LZ4) in record
    batches of ``rows`` respondents; :func:`read_wave` (``pandas.read_feather``) returns what
    :func:`wave_responses` does."""
    import pyarrow as pa

    path = Path(path)
    writer = schema = None
    try:
        for block in _wave_blocks(results, rows=rows):
            table = pa.Table.from_pandas(block)
            if schema is None:  # a text column without any text in the first block: text
                schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema],
                                   metadata=table.schema.metadata)
                writer = pa.ipc.new_file(path, schema, options=pa.ipc.IpcWriteOptions(compression="lz4"))
            writer.write_table(table.cast(schema))
    finally:
        if writer is not None:
            writer.close()
    return path


def read_wave(path: str | Path) -> pd.DataFrame:
    """The respondent rows :func:`write_wave` wrote to ``path``."""
    return pd.read_feather(path)


def _wave_blocks(results: ReportResults, *, rows: int) -> Iterator[pd.DataFrame]:
    """:func:`wave_responses` in blocks of at least one and at most ``rows`` respondents (one
    empty block for a study without respondents)."""
    s = results.study
    columns = s.responses.frame.columns
    flags = s.screening.flags
    weight = s.data[s.weight_column] if s.weight_column else pd.Series(1.0, index=s.data.index)
    items = [i for its in s.dimensions.values() for i in its if i in columns]
    outcomes = [o.id for o in s.codebook.outcomes if o.id in columns]
    segments = [g for g in s.codebook.segment_ids() if g in columns]
    ids = ["respondent_id"] if "respondent_id" in columns else []
    rules = [r for r in QUALITY_RULES if r in flags.columns]
    dims = [d for d in s.dimensions if d in s.data.columns]
    imported = s.import_blocks([*items, *outcomes, *segments, *ids], rows) if len(flags) else iter(
        [s.import_frame([*items, *outcomes, *segments, *ids])])
    for imp in imported:
        index = imp.index
        f = flags.loc[index] if len(flags) > rows else flags
        parts = {
            "respondent": pd.DataFrame({
                "excluded": f["excluded"].astype(float),
                "reasons": _text_objects(f["reasons"]),
                "weight": weight.reindex(index).astype(float),
                "overall_index": results.overall.index.reindex(index).astype(float),
            }, index=index),
            "flag": f[rules].astype(float),
            "dimension": s.data[dims].reindex(index).astype(float),
            "item": pd.DataFrame({c: _numbers(imp[c]) for c in items}, index=index, copy=False),
            "outcome": pd.DataFrame({c: _numbers(imp[c]) for c in outcomes}, index=index, copy=False),
            "segment": pd.DataFrame({c: _text_objects(imp[c]) for c in segments}, index=index, copy=False),
        }
        # the parts' columns as they are, not copied into one block
        out = pd.DataFrame({(role, col): part[col] for role, part in parts.items() for col in part.columns},
                           index=index, copy=False)
        out.columns = pd.MultiIndex.from_tuples(list(out.columns), names=["role", "variable"])
        del parts
        id_values = imp["respondent_id"] if ids else pd.Series(None, index=index)
        out.index = pd.MultiIndex.from_arrays(
            [np.asarray(index, dtype=np.int64), id_values.astype(object).to_numpy()],
            names=["row_number", "respondent_id"])
        yield out


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
