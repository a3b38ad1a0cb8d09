"""The report's emerging-topics section: table, sentence or note, method text, xlsx and summary.json."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from csat_research.report import narrative, outputs, tables, xlsx
from csat_research.report.i18n import text
from csat_research.text.themes import tag_themes
from csat_research.text.topics import emerging_topics

ANSWERS = (["积分兑换总是失败<b>", "会员积分莫名其妙被清零了", "签到积分没有记上"] * 12
           + ["包装可以再结实一点", "包装破了，盒子压扁了"] * 6 + ["还行", "无"] * 5)


def _with(res, emerging, lang: str | None = None):
    out = dataclasses.replace(res, text=dataclasses.replace(res.text, emerging=emerging))
    if lang is not None:
        p = res.study.params
        params = p.model_copy(update={"study": p.study.model_copy(update={"language": lang})})
        out = dataclasses.replace(out, study=dataclasses.replace(res.study, params=params))
    return out


@pytest.fixture(scope="module")
def topics():
    return emerging_topics(ANSWERS, tags=tag_themes(ANSWERS), seed=2026)


def test_analyse_groups_negative_answers_that_match_no_theme(res):
    em = res.text.emerging
    sat = res.study.data["overall_sat"]
    answered = res.study.data["open_improve"].fillna("").str.strip() != ""
    negative = answered & (sat <= 3)
    untagged = negative & ~res.text.tags.reindex(sat.index, fill_value=False).any(axis=1)
    assert em.n_answers == int(negative.sum())
    assert em.n_untagged == int(untagged.sum())
    assert em.assignments.index.equals(res.study.data.index[negative.to_numpy()])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_and_sentence_from_the_data(res, topics, lang):
    r = _with(res, topics, lang)
    t = tables.emerging_topics_table(r)
    cols = [text(k, lang) for k in ("table.topic", "table.topic_words", "table.topic_answers",
                                    "table.topic_share", "table.topic_quotes")]
    assert list(t.frame.columns) == cols
    assert t.frame[cols[2]].tolist() == topics.topics["n"].tolist()
    assert t.frame[cols[0]].tolist() == topics.topics["topic"].tolist()  # numbered 1, 2, ...
    assert t.frame[cols[0]].tolist()[0] == 1
    assert t.formatted()[cols[3]].iloc[0] == f"{topics.topics['share'].iloc[0]:.1%}"
    assert "积分" in t.frame[cols[1]].iloc[0]
    html = t.to_html()
    assert "&lt;b&gt;" in html and "<b>" not in html  # an answer is data, never markup
    (sentence,) = narrative.emerging_text(r)
    top = topics.topics.iloc[0]
    assert f"{topics.n_untagged:,}" in sentence and f"{top['share']:.1%}" in sentence
    assert top["top_words"][0] in sentence
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", sentence.replace(top["top_words"][0], "").replace(
            top["top_words"][1], "").replace(top["top_words"][2], ""))
    else:
        assert not re.search(r"[A-Za-z]{3,}", sentence)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_too_few_answers_give_a_note_instead_of_a_table(res, lang):
    few = emerging_topics(["积分兑换总是失败", "包装破了", "还行"])
    r = _with(res, few, lang)
    assert tables.emerging_topics_table(r).to_html() == ""
    assert narrative.emerging_text(r) == [text("emerging.too_few", lang, n=3, n_grouped=1)]
    none = emerging_topics(["积分兑换总是失败"], tags=pd.DataFrame({"x": [True]}))
    assert narrative.emerging_text(_with(res, none, lang)) == [text("emerging.all_tagged", lang)]


def test_method_text_names_the_method(res):
    assert narrative.method_text(res)[-1] == text("method.emerging", "zh", seed=res.study.params.analysis.seed)
    assert "NMF" in narrative.method_text(res)[-1]


def test_xlsx_sheet_and_summary_json(res, topics, tmp_path):
    r = _with(res, topics)
    sheet = pd.read_excel(xlsx.to_excel(r, tmp_path / "tables.xlsx"), sheet_name="emerging_topics")
    assert sheet["n"].tolist() == topics.topics["n"].tolist()
    assert sheet["top_words"].iloc[0] == " ".join(topics.topics["top_words"].iloc[0])
    assert sheet["suggested_terms"].iloc[0] == "[" + ", ".join(topics.topics["top_words"].iloc[0][:5]) + "]"
    s = json.loads(json.dumps(outputs.summary(r), ensure_ascii=False))["emerging_topics"]
    assert s["n_untagged_negative"] == topics.n_untagged and not s["too_few"]
    assert [t["n"] for t in s["topics"]] == topics.topics["n"].tolist()
    assert s["topics"][0]["top_words"] == list(topics.topics["top_words"].iloc[0])


def test_a_topic_promoted_in_params_becomes_a_theme(tmp_path):
    """The demo's planted uncovered complaint leads the emerging topics; promoted via
    text.extra_themes it is tagged as a theme and leaves the emerging topics."""
    from pathlib import Path

    import yaml

    from csat_research.demo.generator import write_demo_study
    from csat_research.report.analyse import analyse
    from csat_research.report.study import load_study

    root = Path(__file__).resolve().parents[2]
    write_demo_study(tmp_path / "data", seed=2026, n=1500, categories=("beauty",))
    doc = yaml.safe_load((root / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(tmp_path / "data" / "beauty" / f"{key}.csv")
    doc["analysis"]["n_boot"] = 0
    doc.pop("history", None)  # one wave: the earlier waves are not written here
    path = tmp_path / "beauty.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    before = analyse(load_study(path)).text
    assert before.emerging.topics["top_words"].iloc[0][0] == "积分"
    assert "积分" in _topic_words(before)
    doc["text"]["extra_themes"] = {"loyalty_points": {
        "dimension": "after_sales", "label": {"zh": "积分问题", "en": "Loyalty points"},
        "zh": {"aspects": ["积分"], "cues": ["失败", "没加上", "清零", "没有记上", "没收到", "看不懂", "少了", "没有提醒"]}}}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    after = analyse(load_study(path)).text
    row = after.themes.set_index("theme").loc["loyalty_points"]
    assert row["label"] == "积分问题" and row["n_theme"] >= before.emerging.topics["n"].iloc[0]
    assert "积分" not in _topic_words(after)
    assert after.emerging.n_untagged < before.emerging.n_untagged


def _topic_words(text_results) -> set[str]:
    """Top words of every emerging topic."""
    return {w for t in text_results.emerging.topics["top_words"] for w in t}
