"""The fast Arrow CSV writer of the demo files: the bytes of DataFrame.to_csv."""

from __future__ import annotations

import pandas as pd

from csat_research.demo import generator
from csat_research.demo.csv_writer import write_csv
from csat_research.demo.generator import generate_wave


def test_csv_writer_matches_pandas_to_csv(tmp_path):
    """The fast Arrow writer produces the bytes of DataFrame.to_csv (quoting, NaN, formats)."""
    wave = generate_wave("apparel", n=600, seed=3)
    cases = ((wave.responses, generator._RESPONSE_DECIMALS, "%.1f"),
             (wave.tickets, generator._TICKET_DECIMALS, "%.2f"),
             (wave.themes, {}, None))
    for df, decimals, float_format in cases:
        mine, ref = tmp_path / "mine.csv", tmp_path / "ref.csv"
        write_csv(df, mine, decimals=decimals)
        expected = df.copy()
        for col in expected.columns:
            if pd.api.types.is_datetime64_any_dtype(expected[col]):
                expected[col] = expected[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
            elif pd.api.types.is_float_dtype(expected[col]) and col not in decimals:
                expected[col] = expected[col].astype("Int64")
        expected.to_csv(ref, index=False, lineterminator="\n", float_format=float_format)
        assert mine.read_bytes() == ref.read_bytes()
