"""Tests of csat_research.text.tokenize: user dictionary, stopwords, jieba's dictionary, the tokenizer."""

from __future__ import annotations

import jieba
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


@pytest.mark.shim("jieba_dictionary_cache")
def test_dictionary_is_parsed_once_and_copied_per_tokenizer():
    make_tokenizer()
    base = tokenize_mod._BASE["freq"]
    a, b = make_tokenizer(), make_tokenizer()
    assert tokenize_mod._BASE["freq"] is base  # cached, not parsed again
    assert a.jieba.FREQ is not base and b.jieba.FREQ is not base
    assert a.jieba.FREQ == b.jieba.FREQ
    assert a.jieba.initialized and a.jieba.total == tokenize_mod._BASE["total"]


def test_prefix_dictionary_parse_equals_jiebas_own():
    freq, total = tokenize_mod._parse_jieba_dict()
    with open(tokenize_mod._jieba_dict_path(), "rb") as fh:
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



def test_resolve_tokenizer_default_per_language_and_checks():
    assert resolve_tokenizer(None, None) is resolve_tokenizer(None, "zh")
    assert resolve_tokenizer(None, "en").language == "en"
    en = make_tokenizer(language="en")
    assert resolve_tokenizer(en, None) is en and resolve_tokenizer(en, "en") is en
    with pytest.raises(ValueError, match="disagrees with the tokenizer's language 'en'"):
        resolve_tokenizer(en, "zh")
    with pytest.raises(TypeError, match="tokenizer must be a TextTokenizer"):
        resolve_tokenizer("jieba", None)


def test_cached_prefix_dictionary_equals_a_fresh_parse(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path))
    fresh = tokenize_mod._build_jieba_prefix_dict()
    assert tokenize_mod._parse_jieba_dict() == fresh  # written
    assert tokenize_mod._parse_jieba_dict() == fresh  # read back


