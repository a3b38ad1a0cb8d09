"""wave_responses: its text columns are the values astype(object) gives, one object per distinct
value; written in blocks it reads back as the whole frame written at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from csat_research.report.wave import (
    WAVE_FILE,
    _text_objects,
    read_wave,
    wave_responses,
    write_wave,
)


@pytest.mark.parametrize("values", [
    pd.Series(["new", "repeat", None, "new"], dtype="str", index=[3, 5, 7, 9], name="customer_type"),
    pd.Series(["a", None, np.nan, "b"], dtype=object),
    pd.Series([None, None], dtype="str"),
    pd.Series([], dtype="str"),
    pd.Series(["trap; speeder", "", "", "trap; speeder"]),
])
def test_text_objects_equal_astype_object(values):
    got = _text_objects(values)
    pd.testing.assert_series_equal(got, values.astype(object), check_exact=True)
    # each distinct value is one object, whatever the number of rows holding it
    present = got[got.notna()]
    assert len({id(v) for v in present}) == present.nunique()


@pytest.mark.parametrize("rows", [7, 128, 100_000])
def test_wave_written_in_blocks_reads_back_as_the_whole_frame(res, tmp_path, rows):
    whole = wave_responses(res)
    s = res.study
    assert len(whole) == len(s.screening.flags) and whole[("respondent", "excluded")].sum() > 0
    whole.to_parquet(tmp_path / "whole.parquet")  # how the hand-over file was written before
    path = write_wave(res, tmp_path / WAVE_FILE, rows=rows)
    with pa.ipc.open_file(path) as f:
        assert f.num_record_batches == -(-len(whole) // rows)
    got = read_wave(path)
    pd.testing.assert_frame_equal(got, pd.read_parquet(tmp_path / "whole.parquet"), check_exact=True)
    pd.testing.assert_index_equal(got.columns, whole.columns)
    assert got.index.names == ["row_number", "respondent_id"]


def test_import_blocks_are_the_import_in_order(res):
    s = res.study
    cols = ["respondent_id", "overall_sat", "customer_type"]
    blocks = list(s.import_blocks(cols, 33))
    assert [len(b) for b in blocks[:-1]] == [33] * (len(blocks) - 1) and 0 < len(blocks[-1]) <= 33
    pd.testing.assert_frame_equal(pd.concat(blocks), s.import_frame(cols), check_exact=True)
    assert s.excluded_rows is not None and len(s.excluded_rows)  # both parts were drawn from
