"""The display-text catalogues: one per language, the same keys and placeholders in both."""

from __future__ import annotations

import re
import string

import pytest

from csat_research.report.i18n import LANGS, catalogue, join, quote, text, texts

FULL_WIDTH = re.compile(r"[，。；：！？（）「」『』、【】《》“”‘’]")
HAN = re.compile(r"[\u3400-\u9fff]")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_catalogues_have_the_same_keys_and_placeholders():
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en), sorted(set(zh) ^ set(en))
    differ = {k: (_fields(zh[k]), _fields(en[k])) for k in zh if _fields(zh[k]) != _fields(en[k])}
    assert differ == {}


def test_english_catalogue_has_no_chinese_and_no_full_width_punctuation():
    bad = {k: v for k, v in catalogue("en").items() if HAN.search(v) or FULL_WIDTH.search(v)}
    assert bad == {}


def test_every_chinese_phrase_is_chinese_or_a_symbol():
    # English words may appear in Chinese text only as statistics symbols and names (CFI, NPS, Cronbach ...).
    allowed = {"AHP", "CR", "CFI", "RMSEA", "TLI", "SRMR", "AVE", "HTMT", "NPS", "OR", "Cronbach", "McDonald",
               "Fornell", "Larcker", "Feldt", "Wilson", "Shapley", "LMG", "Logit", "McFadden", "R", "n", "p",
               "ML", "semopy", "jieba", "Holm", "Cramér", "r", "s", "V", "tables", "xlsx", "min", "h",
               "App", "FCR", "KPI", "t", "TF", "IDF", "NMF", "scikit", "learn", "QQ", "Rust", "rjieba",
               # the tests of the change since the previous wave (csat_research.stats.change)
               "Welch", "Satterthwaite", "Kish", "Newcombe", "Bonferroni", "Benjamini", "Hochberg", "Šidák", "z"}
    words = {k: set(re.findall(r"[A-Za-zÀ-ÖØ-öø-ž]+", re.sub(r"\{[^}]*\}", "", v))) - allowed
             for k, v in catalogue("zh").items()}
    assert {k: w for k, w in words.items() if w} == {}


def test_text_fills_placeholders_and_names_what_is_missing():
    assert text("exec.theme_share", "zh", theme="「物流」", share=0.125) == "「物流」（12.5%）"
    with pytest.raises(KeyError, match="needs a value for 'share'"):
        text("exec.theme_share", "en", theme="x")
    with pytest.raises(KeyError, match="no display text for key 'nope'"):
        text("nope", "en")
    with pytest.raises(ValueError, match="lang must be one of"):
        text("section.summary", "fr")


def test_helpers_use_the_language_punctuation():
    assert quote("回复慢", "zh") == "「回复慢」" and quote("Slow", "en") == "'Slow'"
    assert join(["甲", "乙"], "zh") == "甲、乙" and join(["a", "b"], "en") == "a, b"
    assert set(texts("quadrant", "en")) == set(texts("quadrant", "zh"))
    assert LANGS == ("zh", "en")


def test_the_action_library_claims_no_figures():
    """Recommendations carry advice, not canned results of other studies ("a beauty brand moved FCR
    from 65 % to 82 %", "the bot settles about 70 %"): every figure in a report comes from its data."""
    import re

    from csat_research.report.i18n import texts

    for lang in ("zh", "en"):
        for key, phrase in texts("action", lang).items():
            assert not re.search(r"%|％|[一二三四五六七八九十]成|in one case|案例", phrase), (lang, key, phrase)
