"""Display tables: numbers formatted only when shown, layout classes from what the table knows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csat_research.report.display import (
    KEEP_ROWS,
    LONG_TEXT,
    WIDE_COLUMNS,
    DisplayGroup,
    DisplayTable,
    Html,
)


def test_numbers_keep_their_values_and_format_when_shown():
    t = DisplayTable(pd.DataFrame({"dim": ["a", "b"], "mean": [3.14159, np.nan], "share": [0.1234, 0.5]}),
                     formats={"mean": ".2f", "share": ".1%"})
    assert t.frame["mean"].iloc[0] == 3.14159  # unrounded underneath
    assert t.formatted()["mean"].tolist() == ["3.14", ""]
    assert t.formatted()["share"].tolist() == ["12.3%", "50.0%"]
    assert t.numeric_columns() == ["mean", "share"]


def test_html_marks_numeric_columns_and_escapes_text():
    t = DisplayTable(pd.DataFrame({"quote": ["<script>alert(1)</script>"], "n": [12], "ci": ["3.1 – 3.4"]}),
                     numeric=["ci"])
    out = t.to_html()
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<th class="csat-num">n</th>' in out and '<td class="csat-num">3.1 – 3.4</td>' in out
    assert "<th>quote</th>" in out


def test_all_empty_columns_are_not_numeric():
    # e.g. the last column of the lower-triangle HTMT table: its header may wrap
    t = DisplayTable(pd.DataFrame({"a": [np.nan, 0.5], "b": [np.nan, np.nan]}), formats={"a": ".2f", "b": ".2f"})
    assert t.numeric_columns() == ["a"]


def test_wide_tables_long_cells_index_and_caption():
    wide = DisplayTable(pd.DataFrame([list(range(WIDE_COLUMNS))]), caption="Caption <b>")
    assert 'class="csat-table csat-wide csat-keep"' in wide.to_html()
    assert '<p class="csat-caption">Caption &lt;b&gt;</p>' in wide.to_html()
    long = DisplayTable(pd.DataFrame({"text": ["x" * LONG_TEXT]}))
    assert '<td class="csat-text">' in long.to_html()
    indexed = DisplayTable(pd.DataFrame({"v": [1.0]}, index=pd.Index(["row"], name="corner")), index=True)
    html = indexed.to_html()
    assert "<th>corner</th>" in html and "<th>row</th>" in html  # the index name heads its column
    assert DisplayTable(pd.DataFrame()).to_html() == ""


def test_short_tables_are_kept_on_one_page_long_ones_may_break():
    assert "csat-keep" in DisplayTable(pd.DataFrame({"v": range(KEEP_ROWS)})).to_html()
    assert "csat-keep" not in DisplayTable(pd.DataFrame({"v": range(KEEP_ROWS + 1)})).to_html()


def test_group_and_html_fragments_render_in_order():
    g = DisplayGroup.of([Html("<p>a</p>"), DisplayTable(pd.DataFrame({"x": ["y"]})), "<p>b</p>"])
    out = g._repr_html_()
    assert out.startswith("<p>a</p><table") and out.endswith("<p>b</p>")


def test_sanitizer_keeps_the_classes_a_display_table_sets():
    from csat_research.report.sanitize import sanitize_html

    # an id column of digits is text to the table; the sanitiser does not guess it back as a number
    t = DisplayTable(pd.DataFrame({"respondent": ["100231", "100232"], "mean": [3.2, 4.1]}), formats={"mean": ".1f"})
    out = sanitize_html(t.to_html())
    assert "<td>100231</td>" in out and '<td class="csat-num">3.2</td>' in out
    # a plain DataFrame's numeric column is still classed from its text
    plain = sanitize_html(pd.DataFrame({"respondent": ["100231"], "mean": ["3.2"]}).to_html(index=False))
    assert 'class="csat-num">100231' in plain
