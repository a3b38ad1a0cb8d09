"""Seeded answers rich in personal data, for the identity checks of the PII screen.

:func:`pii_fuzz_texts` composes answers from pieces that the rules of
:mod:`csat_research.text.pii` look at, in the forms and corners they handle: names with
honorifics and after cues, nicknames and roles, English titles; mobiles in every spacing
(``138 1234 5678``, ``138-1234-5678``, ``+86 ...``), landlines with area codes in brackets;
QQ, WeChat, e-mail, ID-card, bank-card, order and waybill numbers with and without labels;
addresses; and what must stay unmasked (谢谢师傅, 感谢老师, 小王子, 老陈醋, 老姜, 王老吉, prices,
dates, hotlines, repeated digits, ISBNs), with full-width and non-ASCII digits, emoji, NUL
characters and line breaks between them. Used by ``tests/text/test_pii_many.py`` and
``benchmarks/bench_pii_spans.py``.
"""

from __future__ import annotations

import numpy as np

from csat_research.text import pii

FALSE_MASKS = ("谢谢师傅", "感谢老师", "小王子", "老陈醋", "老姜", "王老吉")
_GIVEN = "明伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞平刚桂小"
_FOLLOW = "说讲问让给帮对的在是也都就很还和跟把被来去打又才已这那，。！ "
_FILLER = (
    "物流太慢", "质量很好", "客服态度不错", "送餐很快", "味道一般", "包装破了", "下次还来", "的", "了", "很",
    "太", "我", "你们", "真的", "还行", "好评", "差评", "价格199元", "2019年11月11日买的", "12:30送到",
    "等了40分钟", "400-820-8820", "10086", "66666666666666", "9787111128069", "iPhone 11", "we love it",
    "Very good", "weixin支付", "信息", "相信", "收到了", "快递小哥", "外卖小哥", "小时", "老板", "阿姨好",
    "师傅辛苦", "先生您好", "送到楼下", "地址写错了", "名字", "我的名字", "叫外卖", "姓名", "订单", "单号",
    "卡号", "账号", "qq音乐", "order", "tracking", "Dr", "Mr", "Ms",
)
_GLUE = ("，", "。", "！", "？", " ", "  ", "\n", "\t", "、", "：", ":", "-", "（", "）", "(", ")", "\u3000", "\x00", "~")
_ODD = ("１３８１２３４５６７８", "ＱＱ：１２３４５６７８", "٠١٢٣٤٥٦٧٨٩", "१२३४५६७८९०", "\U0001d7cf\U0001d7d0",
        "\U0001f600", "\U0001f914", "\U0001fbf1", "Ａｂｃ", "＠")


def _digits(rng, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _name(rng) -> str:
    if rng.random() < 0.15:
        surname = _pick(rng, sorted(pii._DOUBLE_SURNAMES))
    else:
        surname = _pick(rng, sorted(pii._SURNAMES))
    return surname + "".join(_pick(rng, _GIVEN) for _ in range(int(rng.integers(0, 3))))


def _mobile(rng) -> str:
    d = "1" + _pick(rng, "3456789") + _digits(rng, 9)
    form = int(rng.integers(6))
    if form == 0:
        return d
    if form == 1:
        return f"{d[:3]} {d[3:7]} {d[7:]}"
    if form == 2:
        return f"{d[:3]}-{d[3:7]}-{d[7:]}"
    if form == 3:
        return _pick(rng, ("+86 ", "+86-", "86", "+86")) + d
    if form == 4:
        return " ".join(d)  # one digit at a time
    return f"{d[:3]} {d[3:6]} {d[6:9]} {d[9:]}"


def _landline(rng) -> str:
    area = "0" + _digits(rng, int(rng.integers(2, 4)))
    number = _digits(rng, int(rng.integers(7, 9)))
    return _pick(rng, (f"{area}-{number}", f"({area}) {number}", f"（{area}）{number}",
                       f"{area} {number[:4]} {number[4:]}", f"{area}{number}", f"{area}-{number[:3]}-{number[3:]}"))


def _piece(rng) -> str:
    kind = int(rng.integers(24))
    if kind == 0:
        return _name(rng) + _pick(rng, pii._HONORIFICS.split("|"))
    if kind == 1:
        return _pick(rng, pii._NAME_CUE_WORDS) + _pick(rng, ("", "：", ":", " ", "是")) + _name(rng)
    if kind == 2:
        return _pick(rng, pii._ROLE.split("|")) + _pick(rng, "小老阿") + _pick(rng, sorted(pii._SURNAMES)) + _pick(rng, _FOLLOW)
    if kind == 3:
        return _pick(rng, "小老") + _pick(rng, pii._NICK_SURNAMES) + _pick(rng, _FOLLOW)
    if kind == 4:
        return _pick(rng, ("Mr. ", "Mrs ", "Ms ", "Miss ", "Mister ", "Dr. ", "Mr")) + _pick(rng, ("Smith", "Li Wei", "wang"))
    if kind == 5:
        return _pick(rng, ("电话", "手机", "tel ", "", "联系")) + _mobile(rng)
    if kind == 6:
        return _landline(rng)
    if kind == 7:
        return _pick(rng, ("QQ", "qq", "Qq", "扣扣", "企鹅号", "q号", "QQ号码")) + _pick(rng, ("", " ", "：", "是")) + _digits(rng, int(rng.integers(4, 12)))
    if kind == 8:
        label = _pick(rng, ("微信", "微信号", "威信", "V信", "vx", "VX", "wx", "Wx", "weixin", "wechat", "WeChat", "v信号"))
        value = _pick(rng, ("abc_123", "zhangsanfeng", "iPhone", _mobile(rng), _digits(rng, 8), "wx_" + _digits(rng, 3)))
        return label + _pick(rng, ("", " ", "：", ":", "是")) + value
    if kind == 9:
        return _pick(rng, ("a.b", "zhang_san", "x")) + "@" + _pick(rng, ("qq.com", "163.com", "example.cn", "x"))
    if kind == 10:
        return _pick(rng, "123456") + _digits(rng, 5) + _pick(rng, ("19", "20", "18")) + _digits(rng, 2) + _pick(rng, ("01", "12", "09")) + _pick(rng, ("01", "28", "31")) + _digits(rng, 3) + _pick(rng, "0123456789Xx")
    if kind == 11:
        card = _digits(rng, int(rng.integers(16, 20)))
        grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        return _pick(rng, ("银行卡号", "卡号：", "账号 ", "信用卡", "card no. ", "")) + _pick(rng, (card, grouped))
    if kind == 12:
        value = _pick(rng, (_digits(rng, 16), "A1B2C3", "KF" + _digits(rng, 10), "ab-12", _digits(rng, 6)))
        return _pick(rng, ("订单号", "订单编号：", "订单", "工单号", "售后单号 ", "服务单号", "order no. ", "Order #")) + value
    if kind == 13:
        return _digits(rng, int(rng.integers(6, 12))) + _pick(rng, ("是我的订单编号", "是订单", "的工单"))
    if kind == 14:
        courier = _pick(rng, pii._COURIERS.split("|"))
        value = _pick(rng, (_digits(rng, 12), "SF" + _digits(rng, 12), "JT" + _digits(rng, 10), "JDVA" + _digits(rng, 11)))
        return _pick(rng, (courier + "快递单号", courier + " ", "运单号：", "快递单号", "快递号", "单号", "tracking no. ", "")) + value
    if kind == 15:
        province = _pick(rng, pii._PROVINCES.split("|"))
        return (_pick(rng, ("", "地址：", "收货地址", "寄到", "送到", "住在")) + province + _pick(rng, ("省", "市", ""))
                + _pick(rng, ("深圳市", "", "哈尔滨市")) + _pick(rng, ("南山区", "朝阳区", "")) + _pick(rng, ("科技园路", "建国路", "世纪大道", "胡同"))
                + _digits(rng, int(rng.integers(1, 4))) + "号" + _pick(rng, ("", "3栋502", "5号楼1201", "2单元", "楼")))
    if kind == 16:
        return _pick(rng, ("", "送到", "住在")) + _pick(rng, ("科技园路", "登州路", "长安街")) + _digits(rng, 2) + _pick(rng, ("号", "号楼", "号的啤酒"))
    if kind == 17:
        return _pick(rng, FALSE_MASKS)
    if kind == 18:
        return _pick(rng, ("我叫", "我姓", "本人姓", "免贵姓", "签收人", "收件人")) + _pick(rng, ("李明", "王", "项目", "欧阳娜娜", "好", "的"))
    if kind == 19:
        return _digits(rng, int(rng.integers(1, 20)))
    if kind == 20:
        return _pick(rng, _ODD)
    if kind == 21:
        return _pick(rng, sorted(pii._WORDS_ENDING_IN_SURNAME)) + _pick(rng, pii._HONORIFICS.split("|"))
    if kind == 22:
        return _pick(rng, ("LetterCode", "AB", "x")) + _digits(rng, int(rng.integers(8, 13)))
    return _pick(rng, _FILLER)


def pii_fuzz_texts(n: int, seed: int = 2026) -> list[str]:
    """`n` seeded answers of 1 to 8 pieces (see the module), glued with punctuation and spaces."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(1, 9))):
            parts.append(_piece(rng) if rng.random() < 0.7 else _pick(rng, _FILLER))
            if rng.random() < 0.5:
                parts.append(_pick(rng, _GLUE))
        out.append("".join(parts))
    return out
