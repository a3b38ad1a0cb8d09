"""Tests of csat_research.text.openanswers: tokenizer, PII masking, frequencies, keywords, contrasts, themes."""

from __future__ import annotations

import copy
import math
import os
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import csat_research.text.openanswers as text_mod
from csat_research.core.cache import disk_cached
from csat_research.core.errors import CsatWarning, DataError, ParamsError, ReportError
from csat_research.text.openanswers import (
    DIMENSIONS,
    THEME_IDS,
    TextTokenizer,
    contrast_words,
    default_stopwords,
    default_theme_lexicon,
    keywords,
    make_tokenizer,
    mask_pii,
    mask_pii_series,
    representative_quotes,
    tag_themes,
    theme_summary,
    word_frequencies,
    wordcloud_font_path,
)


@pytest.fixture(scope="module")
def tok() -> TextTokenizer:
    return make_tokenizer()


# ============================================================================ tokenizer
REQUIRED_TERMS = [
    "物流",
    "客服",
    "退换货",
    "七天无理由",
    "运费险",
    "以旧换新",
    "上门取件",
    "质检",
    "退款",
    "智能客服",
    "转人工",
    "打底裤",
    "人工客服",
    "机器人",
    "发货",
    "快递",
    "售后",
    "工单",
    "过敏",
    "育儿顾问",
    "安装",
    "备件",
]


def test_userdict_has_the_required_terms_and_enough_entries():
    words = [w for w, _, _ in text_mod._shipped_userdict()]
    assert len(words) >= 150
    assert len(set(words)) == len(words)
    assert set(REQUIRED_TERMS) <= set(words)


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_user_dictionary_terms_stay_whole(tok, term):
    assert tok.cut(term) == [term]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "七天无理由退货不支持，运费险也不赔",
            ["七天无理由退货", "不", "支持", "，", "运费险", "也", "不", "赔"],
        ),
        ("智能客服答非所问，只能转人工", ["智能客服", "答非所问", "，", "只能", "转人工"]),
        ("上门取件一直没人来", ["上门取件", "一直", "没人来"]),
        ("打底裤质检太慢了", ["打底裤", "质检", "太慢", "了"]),
        ("育儿顾问很专业", ["育儿顾问", "很专业"]),
        ("以旧换新的备件没货", ["以旧换新", "的", "备件", "没货"]),
    ],
)
def test_segmentation_of_service_sentences(tok, sentence, expected):
    assert tok.cut(sentence) == expected


def test_content_words_drop_stopwords_punctuation_numbers(tok):
    assert tok.words("我觉得物流太慢了，等了3天！！") == ["物流", "太慢"]
    assert tok.blocks("物流太慢了，客服回复也很慢！") == [
        ["物流", "太慢"],
        ["客服", "回复", "很慢"],
    ]
    assert tok.words("物流太慢", min_len=1) == ["物流", "太慢"]
    assert tok.words("   ，。！") == []


_ALPHABET = (
    "物流客服太慢了退款没有人回复，。！ 12345abcAI七天无理由运费险转人工的不是很专业上门取件-+.%"
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_cut_equals_plain_jieba_lcut_of_the_dedicated_tokenizer(tok, s):
    # the block memo must not change jieba's result
    assert tok.cut(s) == tok.jieba.lcut(s)


def test_user_words_are_kept_and_do_not_leak():
    dt_initialized = jieba.dt.initialized
    dt_freq = jieba.dt.FREQ
    a = make_tokenizer(["云鲸J4洗地机"])
    b = make_tokenizer()
    assert "云鲸J4洗地机" in a.cut("我买的云鲸J4洗地机坏了")
    assert "云鲸J4洗地机" not in b.cut("我买的云鲸J4洗地机坏了")
    assert a.user_words == ("云鲸J4洗地机",)
    # dedicated jieba tokenizers, own frequency tables, jieba's global one untouched
    assert a.jieba is not b.jieba and a.jieba is not jieba.dt
    assert a.jieba.FREQ is not b.jieba.FREQ
    assert jieba.dt.initialized == dt_initialized and jieba.dt.FREQ is dt_freq
    assert "云鲸J4洗地机" not in jieba.dt.FREQ
    # changing one tokenizer leaves the others alone, and its memo follows the change
    assert a.cut("超级无敌退款") != ["超级无敌退款"]
    a.jieba.add_word("超级无敌退款", 5000)
    assert a.cut("超级无敌退款") == ["超级无敌退款"]
    assert a.words("超级无敌退款") == ["超级无敌退款"]
    assert "超级无敌退款" not in b.jieba.FREQ
    assert "超级无敌退款" not in make_tokenizer().jieba.FREQ


def test_dictionary_is_parsed_once_and_copied_per_tokenizer():
    make_tokenizer()
    base = text_mod._BASE["freq"]
    a, b = make_tokenizer(), make_tokenizer()
    assert text_mod._BASE["freq"] is base  # cached, not parsed again
    assert a.jieba.FREQ is not base and b.jieba.FREQ is not base
    assert a.jieba.FREQ == b.jieba.FREQ
    assert a.jieba.initialized and a.jieba.total == text_mod._BASE["total"]


def test_prefix_dictionary_parse_equals_jiebas_own():
    freq, total = text_mod._parse_jieba_dict()
    with open(text_mod._jieba_dict_path(), "rb") as fh:
        ref_freq, ref_total = jieba.Tokenizer.gen_pfdict(fh)
    assert total == ref_total
    assert freq == ref_freq


def test_custom_and_default_stopwords():
    assert "的" in default_stopwords("zh") and "物流" not in default_stopwords("zh")
    assert "the" in default_stopwords("en")
    custom = make_tokenizer(stopwords=["物流"])
    assert custom.words("物流的问题") == ["问题"]
    assert custom.words("物流的问题", min_len=1) == ["的", "问题"]  # 的 is no stopword here
    assert "物流" not in custom.words("物流太慢")
    extended = make_tokenizer(stopwords=default_stopwords() | {"太慢"})
    assert extended.words("物流太慢") == ["物流"]


def test_english_tokenizer():
    en = make_tokenizer(language="en")
    assert en.jieba is None and en.language == "en"
    assert en.cut("The bot didn't help, I’m UPSET!") == [
        "the",
        "bot",
        "didn't",
        "help",
        "i'm",
        "upset",
    ]
    assert en.words("The delivery was slow and the bot useless.") == [
        "delivery",
        "slow",
        "bot",
        "useless",
    ]
    assert en.blocks("Slow delivery. Rude agent") == [["slow", "delivery"], ["rude", "agent"]]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"user_words": "小天鹅"}, TypeError, "not a single string"),
        ({"user_words": ["ok", 3]}, TypeError, "user_words must hold str"),
        ({"user_words": ["有 空格"]}, ValueError, "without whitespace"),
        ({"user_words": [""]}, ValueError, "non-empty"),
        ({"stopwords": "的"}, TypeError, "stopwords must be an iterable"),
        ({"language": "fr"}, ValueError, r"language must be one of \('zh', 'en'\); got 'fr'"),
        ({"language": 1}, TypeError, "language must be a str"),
    ],
)
def test_make_tokenizer_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_tokenizer(**kwargs)


def test_cut_rejects_non_strings(tok):
    with pytest.raises(TypeError, match="text must be a str; got int"):
        tok.cut(5)


# ============================================================================ PII
@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("我的电话13812345678", "我的电话[phone]"),
        ("电话 138 1234 5678 谢谢", "电话 [phone] 谢谢"),
        ("联系电话138-1234-5678", "联系电话[phone]"),
        ("+86 138-1234-5678", "[phone]"),
        ("+8619912345678", "[phone]"),
        ("座机010-12345678", "座机[phone]"),
        ("座机0755-1234567", "座机[phone]"),
        ("(021)12345678", "[phone]"),
        ("邮箱zhang.wei57@qq.com", "邮箱[email]"),
        ("mail me: a_b+c@example.com.cn", "mail me: [email]"),
        ("身份证11010519491231002X", "身份证[id]"),
        ("身份证号110105194912310021", "身份证号[id]"),
        ("订单号：2024050112345678", "订单号：[order]"),
        ("订单号 ABC12345", "订单号 [order]"),
        ("运单号是 YT9876543210", "运单号是 [order]"),
        ("快递单号SF1234567890123", "快递单号[order]"),
        ("order no. 123456789 arrived", "order no. [order] arrived"),
        ("请查一下 202405011234567890", "请查一下 [order]"),
        ("JD0012345678 还没到", "[order] 还没到"),
        ("王先生", "*先生"),
        ("麻烦回电给李女士", "麻烦回电给*女士"),
        ("欧阳女士很满意", "*女士很满意"),
        ("王小明先生的订单", "*先生的订单"),
        ("张经理答应退款", "*经理答应退款"),
        ("谢谢王先生", "谢谢*先生"),
        ("客服小王态度很好", "客服*态度很好"),
        ("售后阿张说明天", "售后*说明天"),
        ("老李说的", "*说的"),
        ("李师傅装得很好", "*师傅装得很好"),
        ("Mr. Smith was rude", "Mr. * was rude"),
        ("call Ms Lee back", "call Ms * back"),
    ],
)
def test_mask_pii_masks(raw, masked):
    assert mask_pii(raw) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "199元",
        "价格1999.00元",
        "2024-05-01",
        "2024年5月1日",
        "2024-05-01 12:30:00",
        "12:30",
        "15:30-16:00",
        "7天",
        "30分钟",
        "3件",
        "9折",
        "1.5倍",
        "第12345个",
        "10086",
        "400-820-8820",
        "20240501",
        "iPhone15",
        "先生",
        "先生您好",
        "这位先生",
        "我先生说",
        "那位女士很耐心",
        "小程序很卡",
        "老顾客了",
        "小范围",
        "小米手机",
        "阿里小蜜",
        "小时",
        "订单金额199元",
        "订单号码有问题",
        "<script>alert(1)</script>",
    ],
)
def test_mask_pii_keeps(kept):
    assert mask_pii(kept) == kept


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="物流客服太慢了退款的，。 ", max_size=12),
    st.integers(3, 9),
    st.integers(0, 10**9 - 1),
    st.sampled_from(["", " ", "-"]),
    st.text(alphabet="物流客服太慢了退款的，。 ", max_size=12),
)
def test_any_mobile_number_is_masked(before, second, rest, sep, after):
    digits = f"1{second}{rest:09d}"
    number = sep.join([digits[:3], digits[3:7], digits[7:]])
    masked = mask_pii(before + number + after)
    assert digits not in masked.replace(" ", "").replace("-", "")
    assert "[phone]" in masked


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="王李先生女士小老客服13800-@a.com 订单号：0123456789X", max_size=40))
def test_mask_pii_is_idempotent(s):
    once = mask_pii(s)
    assert mask_pii(once) == once


def test_script_text_survives_masking_and_tokenising_as_text(tok):
    raw = "<script>alert(1)</script>物流太慢"
    assert mask_pii(raw) == raw
    assert "".join(tok.cut(raw)) == raw
    words = word_frequencies([raw])["word"].tolist()
    assert words == ["script", "alert", "太慢", "物流"]  # script twice: <script>, </script>


def test_mask_pii_series_keeps_index_missing_and_input():
    s = pd.Series(
        ["李女士 13912345678", None, "没问题", "李女士 13912345678"],
        index=[10, 11, 12, 13],
        name="open_improve",
        dtype="str",
    )
    before = s.copy()
    out = mask_pii_series(s)
    assert out.tolist()[0] == "*女士 [phone]" and out.tolist()[2:] == ["没问题", "*女士 [phone]"]
    assert pd.isna(out.iloc[1])
    assert out.index.tolist() == [10, 11, 12, 13] and out.name == "open_improve"
    assert out.dtype == s.dtype
    pd.testing.assert_series_equal(s, before)


def test_mask_pii_errors():
    with pytest.raises(TypeError, match="text must be a str; got float"):
        mask_pii(1.5)
    with pytest.raises(TypeError, match="series must be a pandas Series; got list"):
        mask_pii_series(["a"])
    with pytest.raises(TypeError, match=r"row 1 holds int"):
        mask_pii_series(pd.Series(["a", 3], dtype=object))


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


def test_word_frequencies_masks_pii_before_counting(tok):
    wf = word_frequencies(
        ["王先生电话13812345678，物流太慢", "订单号2024050112345678 退款慢"], tokenizer=tok
    )
    words = set(wf["word"])
    assert {"物流", "太慢", "退款慢", "先生", "电话", "订单号"} == words
    assert not any(ch.isdigit() for w in words for ch in w)
    assert "phone" not in words and "order" not in words


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
    for t in texts:
        if t is None or not t.strip():
            continue
        ws = [w.lower() for w in tok.jieba.lcut(text_mod._mask_for_counting(t))]
        ws = [w for w in ws if tok._keep(w, 2)]
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

    lines = [text_mod._mask_for_counting(a) for a in answers if a.strip()]
    joined = "\n".join(lines)
    stop = set(tok.stopwords) | set(jieba.analyse.TFIDF.STOP_WORDS)

    tfidf = copy.copy(text_mod._tfidf_template())  # a fresh TFIDF() would re-read idf.txt
    tfidf.tokenizer, tfidf.stop_words = _LineWords(tok), stop
    ref = {
        w: v for w, v in tfidf.extract_tags(joined, topK=None, withWeight=True) if tok._keep(w, 2)
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
    assert set(ours["word"]) == {w for w in ref if tok._keep(w, 2)}
    for w, v in zip(ours["word"], ours["weight"]):
        assert v == pytest.approx(ref[w], rel=1e-9)


def test_tfidf_tables_are_jiebas_without_importing_jieba_analyse():
    import jieba.analyse

    idf, median = text_mod._jieba_idf()
    assert idf == jieba.analyse.default_tfidf.idf_freq
    assert median == jieba.analyse.default_tfidf.median_idf
    assert text_mod._JIEBA_TFIDF_STOP_WORDS == jieba.analyse.TFIDF.STOP_WORDS
    probe = "import sys, csat_research.text.openanswers as t; t.keywords(['退款太慢了 客服不回复']); print('jieba.analyse' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


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


# ============================================================================ themes
def test_default_lexicon_ids_dimensions_and_labels():
    lex = default_theme_lexicon()
    assert tuple(lex["themes"]) == THEME_IDS
    expected = {
        "slow_reply": "efficiency",
        "logistics_updates": "efficiency",
        "refund_slow": "efficiency",
        "bot_unhelpful": "digital",
        "off_topic_answer": "communication",
        "attitude": "communication",
        "product_knowledge": "communication",
        "return_process": "after_sales",
        "installation_repair": "quality",
        "repeat_contact": "quality",
        "privacy": "digital",
    }
    assert {t: spec["dimension"] for t, spec in lex["themes"].items()} == expected
    for spec in lex["themes"].values():
        assert spec["dimension"] in DIMENSIONS
        assert spec["label"]["zh"] and spec["label"]["en"].isascii()
        assert spec["zh"]["phrases"] and spec["en"]["phrases"]
    lex["themes"].clear()  # a fresh copy each call
    assert tuple(default_theme_lexicon()["themes"]) == THEME_IDS


@pytest.mark.parametrize(
    ("answer", "themes"),
    [
        # complaints, including negative wording
        ("客服回复太慢了", {"slow_reply"}),
        ("没有人回复", {"slow_reply"}),
        ("发消息不回复", {"slow_reply"}),
        ("希望客服回复快一点", {"slow_reply"}),
        ("对客服态度不满意", {"attitude"}),
        ("客服不太专业", {"product_knowledge"}),
        ("问题没解决，反复联系了三次", {"repeat_contact"}),
        ("物流信息一直不更新", {"logistics_updates"}),
        ("对退款速度不满意", {"refund_slow"}),
        ("智能客服答非所问，转人工太难", {"bot_unhelpful"}),
        ("人工客服答非所问", {"off_topic_answer"}),
        ("七天无理由退货太麻烦", {"return_process"}),
        ("上门取件一直没人来", {"return_process"}),
        ("安装师傅迟到了两个小时", {"installation_repair"}),
        ("接到很多骚扰电话，担心个人信息泄露", {"privacy"}),
        ("物流很快，但是客服回复慢", {"slow_reply"}),
        ("不知道为什么回复这么慢", {"slow_reply"}),
        ("物留太慢", {"logistics_updates"}),  # pinyin typo alias
        ("客服attitude很差", {"attitude"}),  # mixed languages
        # not complaints: negated, praise, neutral
        ("没有问题", set()),
        ("没什么问题", set()),
        ("挺好的，没有不满意", set()),
        ("回复很快", set()),
        ("回复不慢", set()),
        ("没觉得物流慢", set()),
        ("态度很好，很耐心", set()),
        ("安装师傅很专业，装得很快", set()),
        ("无理由退货很方便", set()),
        ("隐私保护得很好", set()),
        ("物流没有问题，就是退款太慢", {"refund_slow"}),
        ("并不是回复慢，是物流慢", {"logistics_updates"}),
    ],
)
def test_tag_themes_zh(answer, themes):
    tags = tag_themes([answer])
    assert {t for t in tags.columns if tags.loc[0, t]} == themes


@pytest.mark.parametrize(
    ("answer", "themes"),
    [
        ("The agent took forever to reply", {"slow_reply"}),
        ("Nobody replied to my messages", {"slow_reply"}),
        ("Replies were fast and helpful", set()),
        ("The reply was not slow", set()),
        ("No problems at all", set()),
        ("The chatbot was useless", {"bot_unhelpful"}),
        ("Tracking wasn't updated for a week", {"logistics_updates"}),
        ("Delivery was quick", set()),
        ("The return process was a hassle", {"return_process"}),
        ("The return process was easy", set()),
        ("The agent was rude and impatient", {"attitude"}),
        ("The agent was not rude at all", set()),
        ("The agent didn't know the product", {"product_knowledge"}),
        ("Issue not resolved, had to call again", {"repeat_contact"}),
        ("Shipping was slow but the agent was friendly", {"logistics_updates"}),
    ],
)
def test_tag_themes_en(answer, themes):
    tags = tag_themes([answer], language="en")
    assert {t for t in tags.columns if tags.loc[0, t]} == themes


def test_tag_themes_shape_index_and_missing():
    s = pd.Series(
        ["物流太慢", None, "", "物流太慢", "客服态度差"], index=list("abcde"), dtype="str"
    )
    tags = tag_themes(s)
    assert tags.index.tolist() == list("abcde")
    assert tuple(tags.columns) == THEME_IDS
    assert all(tags[c].dtype == bool for c in tags.columns)
    assert tags["logistics_updates"].tolist() == [True, False, False, True, False]
    assert tags["attitude"].tolist() == [False, False, False, False, True]
    assert not tags.loc[["b", "c"]].to_numpy().any()


def test_tag_themes_custom_lexicon():
    lex = {
        "themes": {
            "packaging": {
                "dimension": "quality",
                "label": {"zh": "包装", "en": "Packaging"},
                "zh": {"phrases": ["包装破损"], "aspects": ["包装"], "cues": ["简陋"]},
                "en": {"aspects": ["packaging"], "cues": ["flimsy"]},
            }
        },
        "negation": {"zh": {"negators": ["没有", "不"]}},
    }
    tags = tag_themes(
        ["包装破损", "包装太简陋", "包装不简陋", "Flimsy packaging", "挺好"], lexicon=lex
    )
    assert tags["packaging"].tolist() == [True, True, False, True, False]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda lx: lx["themes"]["slow_reply"].update(dimension="speed"),
            r"\['dimension'\] must be one of",
        ),
        (
            lambda lx: lx["themes"].update({"回复慢": lx["themes"]["slow_reply"]}),
            "snake_case ASCII",
        ),
        (
            lambda lx: lx["themes"]["privacy"]["label"].pop("en"),
            r"\['label'\] must map 'zh' and 'en'",
        ),
        (lambda lx: lx["themes"]["privacy"]["zh"].update(phrases="泄露"), "must be a list of str"),
        (lambda lx: lx["themes"]["privacy"]["zh"].update(words=["x"]), r"unknown keys \['words'\]"),
        (lambda lx: lx["negation"]["en"].update(negators=[False]), "quote it in YAML"),
        (lambda lx: lx.update(themes={}), "non-empty mapping"),
    ],
)
def test_tag_themes_bad_lexicon(change, match):
    lex = default_theme_lexicon()
    change(lex)
    with pytest.raises(ParamsError, match=match):
        tag_themes(["物流太慢"], lexicon=lex)


def test_tag_themes_type_errors():
    with pytest.raises(TypeError, match="lexicon must be a mapping"):
        tag_themes(["物流"], lexicon=["slow_reply"])
    with pytest.raises(TypeError, match="not a single string"):
        tag_themes("物流太慢")


# ============================================================================ theme summary
def test_theme_summary_shares_and_outcome_link():
    tags = tag_themes(["物流太慢", "客服态度差", "物流信息不更新", "挺好的", "物流太慢，态度也差"])
    outcome = [2, 1, 3, 5, 1]
    summ = theme_summary(tags, outcome=outcome, language="en")
    row = summ.set_index("theme").loc["logistics_updates"]
    assert row["segment"] == "all" and row["dimension"] == "efficiency"
    assert row["label"] == "Shipping and tracking updates"
    assert (row["n"], row["n_theme"], row["n_with"], row["n_without"]) == (5, 3, 3, 2)
    assert row["share"] == pytest.approx(0.6)
    assert row["mean_with"] == pytest.approx(2.0) and row["mean_without"] == pytest.approx(3.0)
    assert row["difference"] == pytest.approx(-1.0)
    # Welch's t-test, reference: scipy.stats.ttest_ind(equal_var=False)
    ref = stats.ttest_ind([2, 3, 1], [1, 5], equal_var=False).pvalue
    assert row["p_value"] == pytest.approx(ref)
    absent = summ.set_index("theme").loc["privacy"]
    assert (
        absent["n_theme"] == 0 and math.isnan(absent["mean_with"]) and math.isnan(absent["p_value"])
    )


def test_theme_summary_per_segment_with_boolean_outcome():
    texts = ["物流太慢", "物流太慢", "客服态度差", "挺好的"]
    tags = tag_themes(pd.Series(texts, index=[7, 8, 9, 10]))
    summ = theme_summary(
        tags,
        groups=pd.Series(["new", "returning", "new", None], index=[7, 8, 9, 10]),
        outcome=pd.Series([False, True, False, True], index=[7, 8, 9, 10]),
    )
    assert summ["segment"].unique().tolist() == ["all", "new", "returning"]
    logi = summ[summ["theme"] == "logistics_updates"].set_index("segment")
    assert logi.loc["all", "share"] == pytest.approx(0.5)
    assert logi.loc["new", ["n", "n_theme"]].tolist() == [2, 1]
    assert logi.loc["all", "mean_with"] == pytest.approx(0.5)
    assert logi.loc["all", "mean_without"] == pytest.approx(0.5)
    assert len(summ) == 3 * len(THEME_IDS)


def test_theme_summary_errors():
    tags = tag_themes(["物流太慢", "挺好"])
    with pytest.raises(TypeError, match="tags must be the DataFrame of tag_themes"):
        theme_summary(tags.to_numpy())
    with pytest.raises(DataError, match="segment called 'all'"):
        theme_summary(tags, groups=["all", "new"])
    with pytest.raises(DataError, match="groups has 3 values but tags has 2"):
        theme_summary(tags, groups=["a", "b", "c"])
    with pytest.raises(DataError, match="outcome and tags must share the same index"):
        theme_summary(tags, outcome=pd.Series([1, 2], index=[3, 4]))
    with pytest.raises(TypeError, match="outcome must be numeric or boolean"):
        theme_summary(tags, outcome=["high", "low"])
    with pytest.raises(DataError, match="must be boolean"):
        theme_summary(tags.astype(int))


# ============================================================================ quotes
QUOTE_ANSWERS = [
    "物流太慢了，等了一周才到",
    "物流太慢了，等了一周才到",
    "物流太慢了！等了一周才到",
    "快递太慢",
    "物流信息一直不更新，也没人通知我，王先生13812345678",
    "发货太慢了，下单三天还没发货",
    "客服态度差",
    "物流太慢了，等了一周才到。真的太慢了，希望改进，物流太慢了，等了一周才到，太慢了太慢了",
]


def test_representative_quotes_are_distinct_masked_and_seeded():
    tags = tag_themes(QUOTE_ANSWERS)
    q = representative_quotes(QUOTE_ANSWERS, tags, theme="logistics_updates", n=3, seed=1)
    assert list(q.columns) == ["theme", "quote", "count", "source"]
    assert len(q) == 3 and (q["theme"] == "logistics_updates").all()
    assert q["quote"].nunique() == 3
    assert "物流信息一直不更新，也没人通知我，*先生[phone]" in set(q["quote"])
    assert not any("13812345678" in x for x in q["quote"])
    # punctuation variants are one answer, counted together
    slow = q[q["quote"].str.startswith("物流太慢了")]
    if len(slow):
        assert slow["count"].iloc[0] == 3 and slow["source"].iloc[0] == 0
    again = representative_quotes(QUOTE_ANSWERS, tags, theme="logistics_updates", n=3, seed=1)
    pd.testing.assert_frame_equal(q, again)


def test_representative_quotes_warn_when_short_and_all_themes():
    tags = tag_themes(QUOTE_ANSWERS)
    with pytest.warns(CsatWarning, match="theme 'attitude': only 1 distinct quote"):
        q = representative_quotes(QUOTE_ANSWERS, tags, theme=["attitude"], n=2)
    assert q["quote"].tolist() == ["客服态度差"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        every = representative_quotes(QUOTE_ANSWERS, tags, n=1)
    assert set(every["theme"]) == {"logistics_updates", "attitude"}


def test_representative_quotes_english():
    answers = [
        "The delivery was slow and the parcel arrived a week late",
        "slow delivery",
        "Delivery took forever, tracking was never updated, call me on 13812345678",
    ]
    tags = tag_themes(answers, language="en")
    q = representative_quotes(answers, tags, theme="logistics_updates", n=2, language="en")
    assert q["quote"].tolist()[0] in {answers[0], answers[2].replace("13812345678", "[phone]")}
    assert len(q) == 2 and not q["quote"].str.contains("13812345678").any()


def test_representative_quotes_errors():
    tags = tag_themes(QUOTE_ANSWERS)
    with pytest.raises(DataError, match=r"theme \['late'\] not in tags"):
        representative_quotes(QUOTE_ANSWERS, tags, theme="late")
    with pytest.raises(DataError, match="must align with texts"):
        representative_quotes(QUOTE_ANSWERS[:3], tags, theme="attitude")
    with pytest.raises(ValueError, match="n must be >= 1"):
        representative_quotes(QUOTE_ANSWERS, tags, theme="attitude", n=0)


# ============================================================================ font
def test_wordcloud_font_path_finds_a_file_or_says_how_to_install(monkeypatch):
    try:
        path = wordcloud_font_path()
    except ReportError as exc:
        assert "fonts-noto-cjk" in str(exc)
    else:
        assert os.path.isfile(path)
    monkeypatch.setattr(text_mod, "_CJK_FONT_PATHS", ())
    monkeypatch.setattr(text_mod.shutil, "which", lambda name: None)
    with pytest.raises(ReportError, match="apt-get install fonts-noto-cjk"):
        wordcloud_font_path()


# ============================================================================ demo data
demo = pytest.importorskip("csat_research.demo.generator")


@pytest.mark.parametrize("category", ["appliances", "apparel", "beauty", "baby"])
def test_planted_top_themes_come_out_on_top(category):
    wave = demo.generate_wave(category, n=800, seed=2026, wave="2026Q3")
    texts = wave.responses["open_improve"]
    tags = tag_themes(texts)
    summ = theme_summary(tags)
    top = summ.sort_values(["share", "theme"], ascending=[False, True])["theme"].head(2).tolist()
    assert top == list(wave.truth["top_themes"])
    # agreement with the planted themes of every answer
    truth = wave.themes.set_index("respondent_id")["themes"].fillna("")
    truth = truth.reindex(wave.responses["respondent_id"]).fillna("").to_numpy()
    for theme in wave.truth["top_themes"]:
        planted = np.array([theme in t.split(";") for t in truth])
        found = tags[theme].to_numpy()
        recall = (found & planted).sum() / planted.sum()
        precision = (found & planted).sum() / found.sum()
        assert recall > 0.9 and precision > 0.9, (theme, recall, precision)


def test_demo_study_files_top_themes(tmp_path):
    demo.write_demo_study(tmp_path, seed=7, n=400)
    import json

    for folder in sorted(p for p in tmp_path.iterdir() if p.is_dir()):
        responses = pd.read_csv(folder / "responses.csv", dtype={"open_improve": "str"})
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        summ = theme_summary(tag_themes(responses["open_improve"]))
        top = summ.sort_values(["share", "theme"], ascending=[False, True])["theme"].head(2)
        assert top.tolist() == list(truth["top_themes"]), folder.name


def test_cached_jieba_tables_equal_fresh_parses(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path))
    fresh = text_mod._build_jieba_prefix_dict()
    assert text_mod._parse_jieba_dict() == fresh  # written
    assert text_mod._parse_jieba_dict() == fresh  # read back
    idf_path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    idf = disk_cached("jieba-idf", [idf_path], lambda: text_mod._read_jieba_idf(idf_path))
    assert idf == text_mod._read_jieba_idf(idf_path) == disk_cached("jieba-idf", [idf_path], dict)


def test_jieba_is_imported_without_pkg_resources_which_stays_importable():
    probe = ("import sys; import csat_research.text.openanswers as t; import jieba.finalseg\n"
             "hidden = 'pkg_resources' not in sys.modules\n"
             "print(hidden, t.make_tokenizer().cut('七天无理由退货'))\n")
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning:pkg_resources", "-c", probe],
                         capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert out[0] == "True" and "七天无理由退货" in out[1]
    later = subprocess.run([sys.executable, "-W", "ignore", "-c",
                            "import csat_research.text.openanswers, pkg_resources; print(pkg_resources.__name__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert later == "pkg_resources"
