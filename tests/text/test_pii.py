"""Tests of csat_research.text.pii: masking of phone, e-mail, ID-card and order numbers and names."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.text.frequencies import word_frequencies
from csat_research.text.pii import mask_pii, mask_pii_for_counting, mask_pii_series


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
    assert [w for w in tok.cut(raw) if w.isalpha()].count("script") == 2  # <script>, </script>
    words = word_frequencies([raw])["word"].tolist()
    assert words == ["太慢", "物流"]  # script and alert: Latin tokens that are no known word


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



def test_mask_pii_for_counting_blanks_the_placeholders():
    assert mask_pii_for_counting("王先生电话13812345678太慢") == "*先生电话 太慢"
    assert mask_pii_for_counting("订单号2024050112345678退款慢") == "订单号 退款慢"
    assert mask_pii_for_counting("物流太慢") == "物流太慢"
