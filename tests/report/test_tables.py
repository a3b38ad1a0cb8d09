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


def test_quotes_are_masked_with_placeholders_in_the_report_language(res):
    from csat_research.report import i18n
    from csat_research.text.pii import DEFAULT_PLACEHOLDERS, mask_pii

    assert res.study.lang == "zh"
    placeholders = i18n.texts("pii", "zh")
    assert i18n.texts("pii", "en") == DEFAULT_PLACEHOLDERS  # the library default is the English phrase
    assert placeholders["phone"] == "[电话]" and set(placeholders) == {
        "phone", "email", "id", "order", "name", "address", "qq", "wechat", "waybill", "bank_card"
    }
    q = res.text.quotes
    answers = res.study.data["open_improve"]
    for quote, source in zip(q["quote"], q["source"]):
        assert quote == mask_pii(answers.loc[source].strip(), placeholders=placeholders)
    assert not q["quote"].str.contains(r"\[(?:phone|email|order|name)\]").any()
    assert q["quote"].str.contains(r"\[(?:电话|邮箱|订单号|姓名)\]").any()  # the demo quotes one such answer
    shown = tables.quotes_table(res)
    assert "[phone]" not in str(shown)
