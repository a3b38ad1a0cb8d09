"""Tests of tag_themes' bulk path (csat_research.text.themes._texts_themes): every answer is tagged
as the one-answer path (_text_themes) tags it alone, at the corners of the bulk steps (answers joined
by a boundary character, one normalisation, one clause split, one automaton pass, numpy for plain
clauses, the sentences of unless words)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_research.text import themes
from csat_research.text.theme_lexicon import (
    BOUNDARY,
    compile_lexicon,
    default_compiled,
    default_theme_lexicon,
)


def alone(lex, texts) -> list[int]:
    """Masks of the one-answer path, each answer alone."""
    return [themes._text_themes(lex, t) for t in texts]


def bulk(lex, texts) -> list[int]:
    lex.memo.clear()  # the bulk path reads the clauses itself, not the one-answer path's memo
    return themes._texts_themes(lex, list(texts)).tolist()


CORNERS = [
    "",
    "   ",
    "\n\n",
    "，。！",
    "物流太慢",
    "物流太慢" + BOUNDARY + "服务很好",  # holds the boundary character: read alone
    BOUNDARY,
    "客服态度差&amp",  # an entity without ';' at the end of an answer, before the next one
    "&amp;物流太慢&hellip;客服不回复",
    "&#0;物流慢",
    "ＡＢＣ客服态度ＶＥＲＹ差",  # full-width letters: not NFKC yet
    "ΟΔΟΣ物流慢Σ",  # a capital sigma at the end: final before the next answer as at the end
    "Σ物流慢",
    "good but the delivery was slow",
    "客服attitude很差 but 物流快",
    "the courier was rude.物流太慢",
    "物流太慢 but",
    "iphone物流太慢",  # Latin letters, no English term: read with numpy
    "ipad没有问题，app闪退",
    "客服态度很好not helpful",
    "but物流太慢",
    "酒店物流太慢。物流太慢",  # unless (酒店) in the first sentence only
    "物流太慢，酒店不错",  # unless in the same sentence, another clause
    "物流太慢\n酒店",
    "智能客服答非所问",
    "人工客服也答非所问！机器人",
    "物流太慢宾馆反馈：感谢您的反馈",  # the business's reply is not read
    "宾馆反馈物流太慢",
    "物流太慢 宾馆反馈 商家回复 客服很差",
    "物留太慢",  # alias
    "甜不甜不知道，物流太慢",  # A-not-A
    "送货不准时",  # negator + longer praise word
    "一点卡顿都没有",
    "担心物流太慢",  # hypothetical
    "没有问题卖家服务态度很好",
    "不缩水不掉色，物流不是很快",
    "不好", "服务不好", "物流不快", "快递员不专业", "客服不太专业", "物流客服不快",  # negated praise
    "不给力啊", "没有很好", "物流不快酒店",
    "垃圾",
    "物流太慢，垃圾",
    "服务太差",
    "\u2028物流太慢\u2029客服 差\x85",  # unusual whitespace
    "😀物流太慢😀",  # beyond the BMP
]


def test_bulk_tags_every_corner_as_the_answer_alone():
    lex = default_compiled()
    texts = CORNERS + CORNERS[::-1]  # each also before and after the others
    assert bulk(lex, texts) == alone(lex, texts)
    assert any(alone(lex, ["物流太慢"])) and not any(alone(lex, ["", "   ", "\n\n", BOUNDARY]))


def test_bulk_tags_seeded_compositions_of_terms_and_separators_as_alone():
    rng = np.random.default_rng(7)
    lex = default_compiled()
    spec = default_theme_lexicon()
    terms = sorted({t for th in spec["themes"].values() for sec in ("zh", "en") for key, ts in
                    (th.get(sec) or {}).items() for t in ts}
                   | set(spec["negation"]["zh"]["negators"]) | set(spec["negation"]["zh"]["hypothetical"])
                   | set(spec["aliases"]) | set(spec["replies"]["zh"]))
    glue = ["，", "。", "！", "?", "\n", " ", "  ", "但是", "不过", " but ", "&amp;", "都没有", "很", "不",
            "甜不甜", BOUNDARY, "Σ", "Ａ", "\u3000", "\t", "...", "a"]
    texts = []
    for _ in range(3000):
        pool = [terms, glue]
        parts = [pool[int(rng.random() < 0.4)] for _ in range(int(rng.integers(0, 10)))]
        texts.append("".join(p[int(rng.integers(len(p)))] for p in parts))
    assert bulk(lex, texts) == alone(lex, texts)
    assert sum(m != 0 for m in alone(lex, texts)) > 1000  # the compositions do carry themes


def test_lexicon_with_the_boundary_character_tags_answers_one_by_one():
    spec = default_theme_lexicon()
    spec["aliases"] = {**spec["aliases"], "物" + BOUNDARY + "流": "物流"}
    lex = compile_lexicon(spec)
    assert lex.bulk is None
    texts = ["物流太慢", "物" + BOUNDARY + "流太慢", "服务很好"]
    assert bulk(lex, texts) == alone(lex, texts)
    assert bulk(lex, texts)[1] == bulk(lex, texts)[0] != 0


def test_tag_themes_missing_blank_and_repeated_answers():
    texts = pd.Series([None, "物流太慢", np.nan, "", "物流太慢", "  "], index=list("abcdef"))
    tags = themes.tag_themes(texts)
    assert list(tags.index) == list("abcdef")
    assert tags["logistics_updates"].tolist() == [False, True, False, False, True, False]
    assert themes.tag_themes([]).shape == (0, len(default_compiled().ids))
    for texts in ([""], ["，，"], ["   ", "\n"], [None, ""], ["\u2028"], [BOUNDARY]):  # no clause at all
        tags = themes.tag_themes(texts)
        assert tags.shape == (len(texts), len(default_compiled().ids)) and not tags.to_numpy().any()


def test_bulk_keeps_the_memo_bounded(monkeypatch):
    lex = compile_lexicon(default_theme_lexicon())
    monkeypatch.setattr(themes, "MEMO_LIMIT", 5)
    texts = [f"第{i}次没有人回复" for i in range(20)]  # a negator: read term by term, memoised
    assert bulk(lex, texts) == alone(lex, texts)
    assert 0 < len(lex.memo) <= 5


@pytest.mark.parametrize("text", ["物流太慢。酒店", "酒店！物流太慢", "物流太慢?酒店", "物流太慢 酒店"])
def test_unless_words_reach_their_sentence_only(text):
    lex = default_compiled()
    assert bulk(lex, [text, "物流太慢"]) == alone(lex, [text, "物流太慢"])


def clauses_alone(text: str) -> list[tuple[int, str]]:
    """(sentence, clause) of the non-empty clauses of one answer, as _text_themes splits it."""
    parts = themes._RE_CLAUSE_KEEP.split(text)
    out, sentence = [], 0
    for i in range(0, len(parts), 2):
        if clause := parts[i].strip():
            out.append((sentence, clause))
        if i + 1 < len(parts) and themes._RE_SENTENCE_END.search(parts[i + 1]):
            sentence += 1
    return out


def test_numpy_clause_split_is_the_regular_expression_split():
    rng = np.random.default_rng(11)
    alphabet = list(" \t\n\r,.!?;:()[]\"~…。，、《》〈〉但是可不过然而并且却就只惜唯一物流好差x1_") + [
        "but", "however", "although", "though", "whereas", "but ", " but", "abut", "butt", "但是",
        "\u2028", "\x85", "\u3000", "\x0b", "😀", "é", "Σ", "  ", " 好", "好 "]
    texts = ["".join(alphabet[int(i)] for i in rng.integers(len(alphabet), size=int(rng.integers(0, 14))))
             for _ in range(20_000)] + ["", " ", "but", "好 but 好", "a but b", "好\n 好", "好 \n好", " 好 "]
    clauses, sentence_starts, text_of, odd = themes._split_clauses(BOUNDARY.join(texts))
    sentence = np.cumsum(np.isin(np.arange(len(clauses)), sentence_starts))
    got: dict[int, list] = {}
    for c, s, t in zip(clauses, sentence, text_of):
        got.setdefault(int(t), []).append((int(s), c))
    odd = set(odd.tolist())
    assert 0 < len(odd) < len(texts) / 2  # answers with other whitespace: split by _RE_CLAUSE alone
    for i, text in enumerate(texts):
        if i in odd:
            continue
        want = clauses_alone(text)
        mine = got.get(i, [])
        # the same clauses, in the same sentences (sentence numbers differ by an offset)
        assert [c for _, c in mine] == [c for _, c in want], text
        assert np.array_equal(np.diff([s for s, _ in mine]) > 0, np.diff([s for s, _ in want]) > 0), text


def test_contrast_words_as_the_numpy_split_reads_them():
    # _contrast_words takes Chinese contrast words of one or two characters, the two-character
    # ones before the one-character ones that start them (但是 before 但), as _RE_CLAUSE tries them
    words = themes._CONTRASTS
    assert all(len(w) in (1, 2) for w in words)
    assert all(words.index(w) < words.index(w[0]) for w in words if len(w) == 2 and w[0] in words)
    joined = "然而且" + BOUNDARY + "但是但" + BOUNDARY + "abut but_ but"
    start, end = themes._contrast_words(joined, themes._code_points(joined), themes._split_table()[
        themes._code_points(joined)])
    assert sorted(joined[i:j] for i, j in zip(start, end)) == ["but", "但", "但是", "然而"]


def test_split_table_knows_every_whitespace_character():
    # _split_table looks for whitespace up to U+3000, where Unicode's White_Space ends; an answer
    # with whitespace other than space and \t\n\r goes to the regular expression split
    import sys

    assert max(c for c in range(sys.maxunicode + 1) if chr(c).isspace()) == 0x3000
    table = themes._split_table()
    assert all(table[ord(ch)] & themes._MARK for ch in ",.!?;:()[]\"\n\r\t~…。，！？；：（）【】「」『』“”‘’～、《》〈〉")
    assert not table[ord("\\")] & themes._MARK and table[0x2028] & themes._ODD_SPACE


def test_answers_read_a_few_at_a_time_as_alone(monkeypatch):
    monkeypatch.setattr(themes, "_TEXTS_AT_ONCE", 7)  # chunks that end anywhere among the corners
    lex = default_compiled()
    texts = CORNERS + ["物流太慢"] * 3 + CORNERS[::-1]
    assert themes.theme_masks(lex, texts).tolist() == alone(lex, texts)
    tags = themes.tag_themes(pd.Series(texts + [None]))
    assert tags.shape == (len(texts) + 1, len(lex.ids)) and tags.to_numpy().sum() > 10


def test_distinct_clauses_are_pandas_factorize_of_the_clause_strings():
    # _distinct_clauses hashes the clauses' code points with Arrow instead of making a str per
    # clause; it gives what pandas.factorize gives the clause strings (first come, first coded),
    # for characters of every UTF-8 width, astral ones and lone surrogates (surrogatepass) too
    texts = ["好评，好评。物流快", "好评", "😀，😀！é, é", "a\ud800b，a\ud800b", "不错，不错，但是好评", "x", "x"]
    joined = BOUNDARY.join(texts)
    points, a, b, *_ = themes._clause_bounds(joined)
    codes, distinct, starts = themes._distinct_clauses(joined, points, a, b)
    clauses = [joined[i:j] for i, j in zip(a.tolist(), b.tolist())]
    assert len(clauses) == 15 and "a\ud800b" in clauses and "😀" in clauses
    want_codes, want = pd.factorize(np.array(clauses, dtype=object))
    assert codes.tolist() == want_codes.tolist()
    assert distinct == BOUNDARY.join(want) and starts.tolist()[-1] == len(distinct) + 1
    assert [distinct[i: j - 1] for i, j in zip(starts[:-1].tolist(), starts[1:].tolist())] == list(want)
