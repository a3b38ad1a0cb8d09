"""Display tables of the report: labels in the report language, orders that follow the codebook."""

from __future__ import annotations

from csat_research.report import tables
from csat_research.report.display import DisplayTable


def test_segment_heatmap_rows_follow_the_codebook_level_order(res):
    long = tables.segment_long(res)
    codebook = res.study.codebook
    for seg in res.study.params.analysis.segments:
        label = res.study.label(seg)
        levels = codebook.level_labels(seg, res.study.lang)
        shown = [g.split(" · ", 1)[1] for g in long["group"].drop_duplicates() if g.startswith(label + " · ")]
        expected = [lab for lab in levels.values() if lab in shown]
        assert shown == expected, seg


def test_tables_are_display_tables_with_unrounded_values(res):
    t = tables.scores_table(res)
    assert isinstance(t, DisplayTable)
    mean_col = tables.text("table.mean", res.study.lang)
    assert t.frame[mean_col].tolist() == res.scores["mean"].tolist()
    assert all(len(v.split(".")[1]) == 2 for v in t.formatted()[mean_col])
    groups = tables.segment_tables(res)
    assert len(groups.items) == len(res.study.params.analysis.segments)


def test_crosstab_letters_follow_the_columns_shown(res):
    """Letters A, B, C ... run left to right in the codebook's level order (00后(A) 95后(E) 90后(D)
    was shown when letters were given to sorted codes and the columns reordered afterwards)."""
    key = ("preferred_channel", "age_group")
    ct = res.crosstabs[key]
    order = res.study.codebook.segment_levels("age_group")
    assert list(ct.col_shares.columns) == [lv for lv in order if lv in set(ct.col_shares.columns)]
    assert list(ct.column_letters) == [chr(ord("A") + i) for i in range(len(ct.column_letters))]
    heads = list(tables.crosstab_table(res, key).frame.columns)
    letters = [h.rsplit("(", 1)[1].rstrip(")") for h in heads]
    assert letters == sorted(letters) and letters[0] == "A"
