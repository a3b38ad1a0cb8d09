"""wave_responses' text columns: the values astype(object) gives, one object per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_research.report.wave import _text_objects


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
