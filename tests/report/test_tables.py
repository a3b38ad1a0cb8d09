"""Display tables of the report: labels in the report language, orders that follow the codebook."""

from __future__ import annotations

import dataclasses

import pytest

from csat_research.report import tables
from csat_research.report.display import DisplayTable
from csat_research.report.tables import product_themes_section, themes_table
from csat_research.text.theme_summary import theme_summary
from csat_research.text.themes import SERVICE_THEME_IDS, tag_themes


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


def test_the_summary_counts_the_kpis_the_table_shows_with_a_target(res):
    """"2 of 6 KPIs with a target" beside a table of 7 rows with a target (a 5.8-min median target
    that the params did not name) was a fault: the report's targets are the params' targets."""
    import re

    from csat_research.report import narrative

    table = tables.kpi_table(res).frame
    target_col = tables.text("table.target", res.study.lang)
    with_target = int((table[target_col] != "").sum())
    line = next(s for s in narrative.executive_summary(res) if "KPI" in s or "指标" in s)
    n = re.search(r"of (\d+) KPIs|(\d+) 项有目标", line)
    assert int(n.group(1) or n.group(2)) == with_target
    assert set(res.kpis.loc[res.kpis["target"].notna(), "kpi"]) <= set(res.study.params.targets)


def test_product_themes_shown_apart_from_service_themes(res):
    service = themes_table(res)
    labels = {res.text.lexicon["themes"][t]["label"]["zh"]: t for t in res.text.lexicon["themes"]}
    shown = {labels[x] for x in service.frame.iloc[:, 0]}
    mentioned = set(res.text.themes.loc[res.text.themes["n_theme"] > 0, "theme"])
    assert shown == set(SERVICE_THEME_IDS) & mentioned  # themes nobody named are named in the caption
    silent = set(SERVICE_THEME_IDS) - mentioned
    assert all(res.text.lexicon["themes"][t]["label"]["zh"] in (service.note or "") for t in silent)
    with pytest.raises(ValueError, match="group must be 'service' or 'product'; got 'all'"):
        themes_table(res, group="all")
    # answers that mention product complaints: a product table under its own heading
    answers = ["质量太差了", "和图片不一样", "物流太慢", "挺好"]
    tags = tag_themes(answers)
    text = dataclasses.replace(res.text, themes=theme_summary(tags))
    with_product = dataclasses.replace(res, text=text)
    section = product_themes_section(with_product)
    assert len(section) == 2 and "产品相关问题" in str(section[0])
    product = section[1].frame
    assert {labels[x] for x in product.iloc[:, 0]} == {"not_as_described", "product_quality"}
    assert "无人提及" in section[1].note
    assert set(product.iloc[:, 1]) == {"产品"}
    assert product.iloc[0, 2] == 1  # sorted by share: one answer each for the top two
    assert with_product.top_themes == ["logistics_updates"]
    assert set(with_product.top_product_themes[:2]) == {"not_as_described", "product_quality"}
    assert product_themes_section(dataclasses.replace(res, text=dataclasses.replace(
        res.text, themes=theme_summary(tag_themes(["物流太慢"]))))) == []


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


def test_the_drivers_page_shows_the_satisfaction_shares_once(res):
    """The Shapley shares appeared in the drivers, importance-performance and weights tables."""
    shares = res.drivers_satisfaction["share"].round(3)
    importance = res.drivers_satisfaction["importance"].round(3)
    seen = 0
    for table in (tables.drivers_table(res), tables.ipa_table(res), tables.weights_display(res)):
        if not isinstance(table, DisplayTable):  # the weights named in a sentence
            assert "Shapley" not in str(table) and any(w in str(table) for w in ("驱动因素表", "key-driver table"))
            continue
        values = {round(float(v), 3) for v in table.frame.select_dtypes("number").to_numpy().ravel()}
        seen += set(shares) <= values or set(importance) <= values
    assert seen == 1


def test_reliability_table_sums_up_each_dimensions_checks_once(res):
    t = tables.reliability_table(res)
    lang = res.study.lang
    verdict = t.frame[tables.text("table.verdict", lang)].tolist()
    v = res.verdict
    for dim, shown in zip(res.reliability["dimension"], verdict, strict=True):
        rows = v[v["scope"] == (dim if dim in res.study.dimensions else "overall")]
        failed = sorted(tables._SHORT_STATISTIC[s] for s, ok in zip(rows["statistic"], rows["pass"], strict=True)
                        if not ok)
        if failed:
            assert shown.startswith(tables.text("fail", lang)), (dim, shown)
            assert all(name in shown for name in failed), (dim, shown, failed)
        else:
            assert shown == tables.text("pass", lang), (dim, shown)
    # CR and AVE are the CFA's, beside alpha and omega
    cr = t.frame[tables.text("table.cr", lang)].tolist()
    factors = res.cfa.factors.set_index("factor")
    assert cr[0] == factors.loc[res.reliability["dimension"].iloc[0], "composite_reliability"]
    # the verdict table below it keeps only the model's fit; HTMT has its own table and caption
    fit = tables.verdict_table(res)
    statistic = fit.frame[tables.text("table.statistic", lang)].tolist()
    assert statistic == ["CFI", "TLI", "RMSEA", "SRMR"]
    assert len(tables.verdict_table(res, scopes=None).frame) == len(res.verdict)
    htmt = tables.htmt_table(res)
    assert "HTMT" in htmt.caption and "0.85" in htmt.caption
