"""Tests of csat_research.text.quotes: representative quotes of each theme."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, DataError
from csat_research.text.quotes import representative_quotes
from csat_research.text.themes import tag_themes

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
    assert "物流信息一直不更新，也没人通知我，[name]先生[phone]" in set(q["quote"])
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


def test_representative_quotes_placeholders_in_the_report_language():
    zh = {"phone": "[电话]", "email": "[邮箱]", "id": "[证件号]", "order": "[订单号]", "name": "[姓名]",
          "address": "[地址]", "qq": "[QQ号]", "wechat": "[微信号]", "waybill": "[运单号]",
          "bank_card": "[银行卡号]"}
    tags = tag_themes(QUOTE_ANSWERS)
    q = representative_quotes(QUOTE_ANSWERS, tags, theme="logistics_updates", n=3, seed=1, placeholders=zh)
    assert "物流信息一直不更新，也没人通知我，[姓名]先生[电话]" in set(q["quote"])
    assert not q["quote"].str.contains(r"\[phone\]|\[name\]").any()
    with pytest.raises(ValueError, match=r"placeholders must give exactly the kinds .* missing \['email'"):
        representative_quotes(QUOTE_ANSWERS, tags, placeholders={"phone": "[电话]"})
