"""Masking of personal data in open answers.

:func:`mask_pii` / :func:`mask_pii_series` mask phone numbers, e-mail addresses, ID-card and
order numbers, and names before honorifics (王先生 -> *先生) with rules (regular expressions,
surname and honorific lists). The analyses mask before they count or quote:
:mod:`~csat_research.text.frequencies` through :func:`mask_pii_for_counting`,
:mod:`~csat_research.text.quotes` through :func:`mask_pii`.

Texts are data, never markup: every function returns plain strings; escaping for HTML is
the renderer's job.
"""

from __future__ import annotations

import re

import pandas as pd

from csat_research.text.inputs import check_str, is_han, text_series

__all__ = ["mask_pii", "mask_pii_for_counting", "mask_pii_series"]

_PLACEHOLDERS = {"phone": "[phone]", "email": "[email]", "id": "[id]", "order": "[order]"}
_RE_PLACEHOLDER = re.compile(r"\[(?:phone|email|id|order)\]")

_RE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_RE_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)
_RE_ORDER_LABEL = re.compile(
    r"(?P<label>订单编号|订单号码|订单号|订单|运单号|快递单号|物流单号|单号|工单号|"
    r"order\s*(?:no\.?|number|num|id|#)|tracking\s*(?:no\.?|number|#))"
    r"(?P<sep>\s*(?:[:：#]|是|为)?\s*)"
    r"(?P<code>(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,})",
    re.IGNORECASE,
)
_RE_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_RE_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?\d{7,8}(?!\d)")
_RE_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_RE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}\d{9,}(?![A-Za-z0-9])")

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤"
)
_DOUBLE_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 公孙 尉迟 长孙 宇文 司徒 夏侯 端木 轩辕 独孤 南宫 西门".split()
)
# surnames safe after 小/老 without a role word before (小程序, 小范围, 老顾客 ... are not names)
_NICKNAME_SURNAMES = (
    "王李张刘陈杨赵吴周徐朱郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜魏吕丁沈姚卢姜崔谭"
    "陆汪廖贾夏邹孟秦邱尹薛闫雷侯陶黎贺郝龚邵严戴武"
)
_HONORIFICS = "先生|女士|小姐|太太|经理|主管|总监|老师|师傅|专员|阿姨"
_RE_HONORIFIC = re.compile(_HONORIFICS)
# characters that do not occur inside a given name before an honorific (函数字, pronouns)
_NOT_IN_NAME = set("的了是在给和跟与向对把被让说问找叫位个这那我你他她您们也都就还又很太不没有")
_ROLE = "客服|售后|专员|顾问|导购|店员|店长|快递员|快递小哥|工程师|师傅|小哥|管家"
_RE_ROLE_NICKNAME = re.compile(
    rf"(?P<role>{_ROLE})(?P<name>[小老阿]"
    rf"(?:{'|'.join(sorted(_DOUBLE_SURNAMES))}|[{''.join(sorted(_SURNAMES))}]))"
)
_RE_NICKNAME = re.compile(rf"(?<![小老阿])[小老][{_NICKNAME_SURNAMES}](?![{_NICKNAME_SURNAMES}])")
_RE_EN_TITLE = re.compile(
    r"\b(?P<title>Mr|Mrs|Ms|Miss|Mister|Dr)(?P<sep>\.?\s+)[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?"
)


# cheap pre-check: every number pattern below needs one of these
_RE_PII_GATE = re.compile(r"@|\d[\d\s-]{3,}\d|单号|订单|order|tracking", re.IGNORECASE)
# one pass, leftmost match first; at one position the earlier alternative wins
_RE_NUMBERS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (
            ("email", _RE_EMAIL),
            ("id", _RE_ID_CARD),
            ("order_label", _RE_ORDER_LABEL),
            ("mobile", _RE_MOBILE),
            ("landline", _RE_LANDLINE),
            ("long_digits", _RE_LONG_DIGITS),
            ("letter_code", _RE_CODE),
        )
    ),
    re.IGNORECASE,
)


def _number_placeholder(m: re.Match) -> str:
    kind = m.lastgroup
    if kind == "order_label":
        return m.group("label") + m.group("sep") + _PLACEHOLDERS["order"]
    if kind in ("mobile", "landline"):
        return _PLACEHOLDERS["phone"]
    if kind in ("long_digits", "letter_code"):
        return _PLACEHOLDERS["order"]
    return _PLACEHOLDERS[kind]


_RE_NAME_GATE = re.compile(rf"{_HONORIFICS}|[小老阿]")
# one-character-class pre-checks of the two gates (a class scan is far cheaper)
_RE_PII_CHARS = re.compile(r"[0-9@单订oOtT]")
_RE_NAME_CHARS = re.compile(f"[{''.join(sorted(set(_HONORIFICS.replace('|', '') + '小老阿')))}]")


def _mask_names(text: str) -> str:
    spans = []
    for m in _RE_HONORIFIC.finditer(text):
        pos = m.start()
        if text[max(0, pos - 2) : pos] in _DOUBLE_SURNAMES:
            spans.append((pos - 2, pos))
            continue
        if pos >= 1 and text[pos - 1] in _SURNAMES:
            spans.append((pos - 1, pos))
            continue
        for k in (2, 3):  # full name: surname + 1-2 given-name characters
            start = pos - k
            if start < 0:
                break
            name = text[start:pos]
            if name[0] in _SURNAMES and all(is_han(c) and c not in _NOT_IN_NAME for c in name[1:]):
                spans.append((start, pos))
                break
    if spans:
        out, last = [], 0
        for a, b in spans:
            if a < last:
                continue
            out.append(text[last:a])
            out.append("*")
            last = b
        out.append(text[last:])
        text = "".join(out)
    text = _RE_ROLE_NICKNAME.sub(lambda m: m.group("role") + "*", text)
    text = _RE_NICKNAME.sub("*", text)
    return text


def _mask(text: str) -> str:
    if not text:
        return text
    if _RE_PII_CHARS.search(text) and _RE_PII_GATE.search(text):
        text = _RE_NUMBERS.sub(_number_placeholder, text)
    if _RE_NAME_CHARS.search(text) and _RE_NAME_GATE.search(text):
        text = _mask_names(text)
    if "M" in text or "D" in text:
        text = _RE_EN_TITLE.sub(lambda m: m.group("title") + m.group("sep") + "*", text)
    return text


def mask_pii(text: str) -> str:
    """Mask personal data in one open answer.

    Parameters
    ----------
    text : str
        An answer, verbatim.

    Returns
    -------
    str
        The answer with

        * mobile numbers (``1[3-9]`` + 9 digits, with spaces, dashes, ``+86``) and landlines
          (``0\\d{2,3}-\\d{7,8}``, also ``(010)``) -> ``[phone]``;
        * e-mail addresses -> ``[email]``;
        * 18-digit ID-card numbers (region, birth date, trailing digit or X) -> ``[id]``;
        * order / waybill numbers: the code after 订单号, 单号, 运单号, "order no." ...,
          digit runs of 12 or more, and codes like ``SF1234567890`` -> ``[order]``;
        * names before honorifics (先生, 女士, 小姐, 经理, 师傅 ...) -> ``*`` (王先生 -> *先生,
          欧阳女士 -> *女士, 王小明先生 -> *先生), nicknames of agents (客服小王 -> 客服*,
          老李 -> *) and English titles (Mr. Smith -> Mr. *).

        Prices (199元), dates (2024-05-01), times (12:30), durations (7天, 30分钟),
        quantities, service hotlines (400-820-8820) and other short numbers are kept, and so
        is a bare honorific (先生您好).

    Raises
    ------
    TypeError
        If `text` is not a str.

    Notes
    -----
    Masking is rule based and errs on the side of masking a stray surname-like character
    before an honorific; it is not a guarantee of anonymity. The text is never interpreted
    as markup: ``<script>`` stays as it is.

    Examples
    --------
    >>> mask_pii("王先生电话13812345678，订单号：2024050112345678")
    '*先生电话[phone]，订单号：[order]'
    >>> mask_pii("客服小王说7天内退款199元，12:30前联系 a.b@qq.com")
    '客服*说7天内退款199元，12:30前联系 [email]'
    """
    return _mask(check_str(text, "text"))


def mask_pii_series(series: pd.Series) -> pd.Series:
    """:func:`mask_pii` applied to every text of a Series.

    Parameters
    ----------
    series : pandas.Series
        Answers (str or missing).

    Returns
    -------
    pandas.Series
        Masked answers, same index, name and dtype; missing values stay missing. The input
        is not changed. Each distinct answer is masked once.

    Raises
    ------
    TypeError
        If `series` is not a Series or holds non-string values.

    Examples
    --------
    >>> s = pd.Series(["李女士 13912345678", None, "李女士 13912345678"])
    >>> mask_pii_series(s).tolist()
    ['*女士 [phone]', nan, '*女士 [phone]']
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series; got {type(series).__name__}")
    s = text_series(series, "series")
    uniq = {t: _mask(t) for t in pd.unique(s.dropna())}
    out = series.copy()
    mask = s.notna().to_numpy()
    out[mask] = [uniq[t] for t in s[mask]]
    return out


def mask_pii_for_counting(text: str) -> str:
    """:func:`mask_pii` of `text` with its placeholders blanked out, for counting words.

    ``[phone]``, ``[email]``, ``[id]`` and ``[order]`` become a space, so that they are
    neither counted as words nor join the words around them.

    Examples
    --------
    >>> mask_pii_for_counting("王先生电话13812345678太慢")
    '*先生电话 太慢'
    """
    text = _mask(text)
    return _RE_PLACEHOLDER.sub(" ", text) if "[" in text else text
