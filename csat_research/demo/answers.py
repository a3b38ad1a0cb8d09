"""Open answers of the demo: complaint themes, text templates and their simulation.

:func:`open_answers` writes ``open_improve`` (complaints mentioning planted themes, the more
likely the less satisfied the respondent is with the theme's dimension; short non-answers,
negated praise, off-list wishes; typos, English sentences, PII and script injections) and
``open_exceed`` (praise or "没有"), and returns what was planted for the truth. One complaint
kind no theme covers (:data:`UNCOVERED_TEXTS`, loyalty points) is planted for the report's
emerging topics (:mod:`csat_research.text.topics`).
:data:`THEMES` are the text tagger's lexicon ids it plants; :data:`THEME_DIMENSION` maps each to the
dimension whose score drives it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from csat_research.core.schema import DIMENSIONS
from csat_research.demo.config import CATEGORY_PARAMS
from csat_research.text.themes import THEME_IDS

__all__ = [
    "ENGLISH_RATE",
    "MAX_THEMES",
    "NEGATED_PRAISE",
    "SCRIPT",
    "THEMES",
    "THEME_DIMENSION",
    "THEME_SCORE_SLOPE",
    "TYPOS",
    "UNCOVERED_TEXTS",
    "UNCOVERED_WORDS",
    "open_answers",
]

THEME_DIMENSION = {
    "slow_reply": "efficiency",
    "logistics_updates": "efficiency",
    "refund_slow": "efficiency",
    "bot_unhelpful": "digital",
    "off_topic_answer": "communication",
    "attitude": "communication",
    "product_knowledge": "communication",
    "return_process": "after_sales",
    "installation_repair": "quality",
    "repeat_contact": "quality",
    "privacy": "digital",
}
#: Complaint theme ids of ``open_improve``: the text tagger's lexicon ids the demo plants (the
#: lexicon's newer service themes and its product themes are not planted).
THEMES = tuple(t for t in THEME_IDS if t in THEME_DIMENSION)
THEME_SCORE_SLOPE = 0.8
MAX_THEMES = 3


_BASE_THEME_SHARE = {
    "slow_reply": 0.06,
    "logistics_updates": 0.07,
    "refund_slow": 0.05,
    "bot_unhelpful": 0.06,
    "off_topic_answer": 0.05,
    "attitude": 0.04,
    "product_knowledge": 0.04,
    "return_process": 0.04,
    "installation_repair": 0.01,
    "repeat_contact": 0.05,
    "privacy": 0.02,
}


# ----------------------------------------------------------------------------- texts
_THEME_TEXTS_ZH = {
    "slow_reply": (
        "回复太慢", "客服回复太慢了", "等了半天没人回复", "客服半小时才回",
        "发消息好久都没人理", "人工客服排队太久，回复太慢", "咨询一个问题要等很久才回复",
        "晚上找客服根本没人回",
    ),
    "logistics_updates": (
        "物流信息不更新", "快递一直不动", "物流好几天都没更新", "快递显示已发货但一直不动",
        "物流信息三天没变化，问客服也说不清", "包裹卡在中转站好几天", "物流太慢，信息也不更新",
    ),
    "refund_slow": (
        "退款太慢", "退款迟迟不到账", "退款审核太久了", "退货寄回去一周了还没退款",
        "说好三天退款结果拖了一个星期", "退款进度一直显示处理中",
    ),
    "bot_unhelpful": (
        "机器人答非所问", "智能客服解决不了，转人工太难", "机器人客服只会发链接",
        "一直是自动回复，找不到人工", "智能客服听不懂我的问题", "转人工要绕好几圈",
    ),
    "off_topic_answer": (
        "答非所问", "回答不到点上", "客服回答和我问的不是一回事", "问东答西，解决不了问题",
        "客服一直复制粘贴套话，回答不到点上",
    ),
    "attitude": (
        "态度差", "客服态度差", "客服不耐烦", "说两句就不耐烦了", "语气很冲，态度很差",
        "客服态度敷衍",
    ),
    "product_knowledge": (
        "对产品不了解", "客服不太专业", "问成分客服都说不清楚",
        "客服对产品不了解，问什么都要去查", "专业知识欠缺，推荐的不适合我",
    ),
    "return_process": (
        "退换货流程复杂", "上门取件约不上", "换个尺码流程太繁琐", "退货还要自己垫运费，流程麻烦",
        "退换货要填一堆信息",
    ),
    "installation_repair": (
        "安装师傅迟迟不上门", "维修备件要等很久", "预约安装等了一个星期",
        "师傅上门修了两次还没修好", "售后维修太慢，配件一直缺货",
    ),
    "repeat_contact": (
        "同一个问题反复联系", "问题一直没解决", "同一个问题打了三次电话",
        "每次都要重新说一遍问题", "反复找客服好几次才解决",
        '客服说"马上处理"，然后就没下文了，问题一直没解决',
    ),
    "privacy": (
        "泄露个人信息", "接到骚扰电话", "买完东西就接到推销电话，怀疑信息被泄露",
        "快递单上的个人信息没有打码", "担心个人信息被泄露",
    ),
}
_THEME_TEXTS_EN = {
    "slow_reply": ("reply too slow", "客服reply太慢了", "waited 30 min for a reply"),
    "logistics_updates": ("tracking not updated for days", "物流tracking一直不更新"),
    "refund_slow": ("refund too slow", "refund一直没到账"),
    "bot_unhelpful": ("the chatbot is useless", "bot一直自动回复，转不了人工"),
    "off_topic_answer": ("answers beside the point", "客服的回答not relevant"),
    "attitude": ("rude agent", "客服attitude很差"),
    "product_knowledge": ("agent doesn't know the product", "客服不太professional"),
    "return_process": ("return process too complicated", "退货流程太麻烦, so annoying"),
    "installation_repair": ("installation delayed for a week", "维修师傅一直不来"),
    "repeat_contact": ("had to contact them again and again", "同一个问题contact了好几次"),
    "privacy": ("my personal data was leaked", "收到很多spam电话"),
}
ENGLISH_RATE = 0.04
_NUMBERED_RATE = 0.12
_PREFIXES = ("", "", "", "", "希望改进：", "建议：", "主要是", "感觉")
_SUFFIXES = ("", "", "。", "！", "，希望改进。", "，体验很差", "！！", "。")
_CONNECTORS = ("，", "；", "。", "，而且", "，还有")
_SHORT_ANSWERS = ("无", "没有", "还行", "暂无", "没什么", "都挺好", "no", "nothing", "/", "无意见")
NEGATED_PRAISE = (
    "没有问题", "挺好的没有不满意", "没什么要改进的，都挺好", "客服态度挺好的，没有不耐烦",
    "物流很快，没有问题", "退款很快就到账了，没有不满意", "整体不错，没有需要改进的",
)
_OFF_LIST = ("希望越来越好", "继续保持", "价格再便宜点就好了", "希望多发点优惠券",
             "包装可以再结实一点")
_NO_THEME_MIX = {"empty": 0.45, "short": 0.33, "negated_praise": 0.12, "off_list": 0.10}
_PRAISE_GENERIC = (
    "客服很耐心", "客服小姐姐态度很好", "回复很及时", "物流很快，第二天就到了",
    "退款秒到账，点赞", "处理问题很专业", "主动打电话跟进，很贴心", "Great service!",
    "very fast, thanks", "服务超出预期👍",
)
_PRAISE_CATEGORY = {
    "appliances": ("安装师傅很准时，服务专业", "以旧换新很方便", "延保说明很清楚"),
    "apparel": ("换尺码上门取件很方便", "退货秒退款"),
    "beauty": ("过敏无忧退很贴心", "美妆顾问推荐很专业"),
    "baby": ("育儿顾问很专业，解答很细致", "奶粉过敏换货很及时"),
}
_PRAISE_P_BY_SAT = (0.03, 0.06, 0.15, 0.35, 0.55)
#: An uncovered complaint (loyalty points): no theme of the lexicon matches it, so that the
#: report's emerging topics have something to find. Planted in otherwise empty answers, the
#: more often the less satisfied the respondent (overall satisfaction 1..5).
UNCOVERED_TEXTS = (
    "买完东西积分一直没加上", "会员积分莫名其妙被清零了", "积分兑换总是失败", "签到积分没有记上",
    "积分清零前没有任何提醒", "下单承诺的积分只到账一部分", "积分兑换的礼品一直没收到", "会员积分规则看不懂",
)
UNCOVERED_WORDS = ("积分", "兑换", "会员")
_UNCOVERED_P_BY_SAT = (0.40, 0.30, 0.15, 0.02, 0.0)
_EXCEED_NONE = ("没有", "无", "暂时没有", "没有", "还没有")
TYPOS = (("客服", "客腹"), ("快递", "快第"), ("物流", "物留"), ("退款", "退欵"),
         ("师傅", "师父"), ("回复", "回付"), ("态度", "太度"))
_TYPO_RATE = 0.05
_PII_RATE = 0.05
_SCRIPT_RATE = 0.003
SCRIPT = "<script>alert(1)</script>"
_PII_KINDS = ("phone", "phone_dashed", "email", "order_number", "name")
_PII_KIND_P = (0.35, 0.20, 0.15, 0.15, 0.15)
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵")
_TITLES = ("先生", "女士", "小姐")
_MAIL_USERS = ("wangli", "zhang.wei", "lucy", "chenxm", "liu_yang", "amy.zhao")
_MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "gmail.com", "sina.com")


def _flat_templates(table: Mapping[str, Sequence[str]]) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    flat, offset, length = [], [], []
    for t in THEMES:
        offset.append(len(flat))
        length.append(len(table[t]))
        flat.extend(table[t])
    return np.asarray(flat, dtype=object), np.asarray(offset), np.asarray(length)


def _pick(rng: np.random.Generator, pool: Sequence[str], size: int) -> np.ndarray:
    return np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size)]


def open_answers(rng: np.random.Generator, category: str, n: int, scores: np.ndarray,
                 overall: np.ndarray, kind: np.ndarray) -> dict[str, Any]:
    """Simulate ``open_improve`` / ``open_exceed`` and return them with what was planted."""
    cp = CATEGORY_PARAMS[category]
    share = np.array([cp["theme_share"].get(t, _BASE_THEME_SHARE[t]) for t in THEMES])
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    # probability of each theme: planted share x dissatisfaction multiplier of its dimension
    sc = np.where(np.isnan(scores), np.nanmean(scores, axis=0), scores)
    dev = sc - sc.mean(axis=0)
    p = np.empty((n, len(THEMES)))
    for j, t in enumerate(THEMES):
        mult = np.exp(-THEME_SCORE_SLOPE * dev[:, dim[THEME_DIMENSION[t]]])
        p[:, j] = share[j] * mult / mult.mean()
    p[kind == "trap_failure"] = share           # random answers: base shares
    p[(kind == "straightliner") | (kind == "speeder")] = 0.0
    p = np.minimum(p, 0.95)
    mention = rng.random(p.shape) < p
    # keep at most three themes per answer, in random order
    keys = np.where(mention, rng.random(p.shape), np.inf)
    order = np.argsort(keys, axis=1, kind="stable")[:, :MAX_THEMES]
    n_themes = np.minimum(mention.sum(axis=1), MAX_THEMES)
    kept = np.zeros_like(mention)
    rows = np.arange(n)
    for s in range(MAX_THEMES):
        ok = s < n_themes
        kept[rows[ok], order[ok, s]] = True

    zh_flat, zh_off, zh_len = _flat_templates(_THEME_TEXTS_ZH)
    en_flat, en_off, en_len = _flat_templates(_THEME_TEXTS_EN)
    sentences = []
    n_english = 0
    for s in range(MAX_THEMES):
        th = order[:, s]
        english = rng.random(n) < ENGLISH_RATE
        n_english += int((english & (n_themes > s)).sum())
        u = rng.random(n)
        zh = zh_flat[zh_off[th] + np.floor(u * zh_len[th]).astype(int)]
        en = en_flat[en_off[th] + np.floor(u * en_len[th]).astype(int)]
        sentences.append(np.where(english, en, zh))
    numbered = rng.random(n) < _NUMBERED_RATE
    conn = [_pick(rng, _CONNECTORS, n) for _ in range(MAX_THEMES - 1)]
    prefix = _pick(rng, _PREFIXES, n)
    suffix = _pick(rng, _SUFFIXES, n)
    plain = sentences[0].copy()
    num = "1." + sentences[0]
    for s in range(1, MAX_THEMES):
        more = n_themes > s
        plain = np.where(more, plain + conn[s - 1] + sentences[s], plain)
        num = np.where(more, num + f"\n{s + 1}." + sentences[s], num)
    complaint = np.where(numbered & (n_themes > 1), num, prefix + plain + suffix)

    # answers without a theme
    mix_keys = tuple(_NO_THEME_MIX)
    no_kind = rng.choice(len(mix_keys), size=n, p=tuple(_NO_THEME_MIX.values()))
    careless_quiet = (kind == "straightliner") | (kind == "speeder")
    no_kind = np.where(careless_quiet, np.where(rng.random(n) < 0.6, 0, 1), no_kind)
    none_text = np.select(
        [no_kind == 1, no_kind == 2, no_kind == 3],
        [_pick(rng, _SHORT_ANSWERS, n), _pick(rng, NEGATED_PRAISE, n), _pick(rng, _OFF_LIST, n)],
        default=None,
    )
    improve = np.where(n_themes > 0, complaint, none_text)

    # praise (open_exceed)
    sat_idx = np.clip(overall.astype(int) - 1, 0, 4)
    praise_p = np.asarray(_PRAISE_P_BY_SAT)[sat_idx]
    praise_p = np.where(careless_quiet, 0.0, praise_p)
    praise = rng.random(n) < praise_p
    pool = (*_PRAISE_GENERIC, *_PRAISE_CATEGORY[category])
    said_none = rng.random(n) < 0.4
    exceed = np.where(praise, _pick(rng, pool, n),
                      np.where(said_none, _pick(rng, _EXCEED_NONE, n), None))

    # typos in some non-empty answers
    typo_kind = rng.integers(0, len(TYPOS), n)
    typo_rows = np.flatnonzero((rng.random(n) < _TYPO_RATE) & (n_themes > 0))
    n_typos = 0
    for i in typo_rows:  # the first typo pair (from a random start) whose word occurs
        for step in range(len(TYPOS)):
            a, b = TYPOS[(typo_kind[i] + step) % len(TYPOS)]
            if a in improve[i]:
                improve[i] = improve[i].replace(a, b, 1)
                n_typos += 1
                break

    # PII (exact count) and script injections (exact count), disjoint rows
    n_pii = round(_PII_RATE * n)
    n_script = max(1, round(_SCRIPT_RATE * n))
    chosen = rng.permutation(n)[: n_pii + n_script]
    pii_rows, script_rows = np.sort(chosen[:n_pii]), np.sort(chosen[n_pii:])
    pii_kind = rng.choice(len(_PII_KINDS), size=n_pii, p=_PII_KIND_P)
    phone_a = rng.integers(3, 10, n_pii)
    phone_b = rng.integers(0, 10**9, n_pii)
    order_len = rng.integers(16, 20, n_pii)
    order_num = rng.integers(10**15, 10**16, n_pii)
    order_tail = rng.integers(0, 1000, n_pii)
    mail_user = rng.integers(0, len(_MAIL_USERS), n_pii)
    mail_num = rng.integers(1, 100, n_pii)
    mail_dom = rng.integers(0, len(_MAIL_DOMAINS), n_pii)
    surname = rng.integers(0, len(_SURNAMES), n_pii)
    title = rng.integers(0, len(_TITLES), n_pii)
    pii_counts = dict.fromkeys(_PII_KINDS, 0)
    for r, i in enumerate(pii_rows):
        kind_name = _PII_KINDS[pii_kind[r]]
        pii_counts[kind_name] += 1
        phone = f"1{phone_a[r]}{phone_b[r]:09d}"
        if kind_name == "phone":
            frag = f"我的电话{phone}"
        elif kind_name == "phone_dashed":
            frag = f"联系电话{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        elif kind_name == "email":
            frag = f"邮箱{_MAIL_USERS[mail_user[r]]}{mail_num[r]}@{_MAIL_DOMAINS[mail_dom[r]]}"
        elif kind_name == "order_number":
            digits = f"{order_num[r]}{order_tail[r]:03d}"[: order_len[r]]
            frag = f"订单号{digits}"
        else:
            frag = f"麻烦回电给{_SURNAMES[surname[r]]}{_TITLES[title[r]]}"
        base = improve[i]
        improve[i] = frag if base is None else f"{base}，{frag}"
    for r, i in enumerate(script_rows):
        if r % 2 == 0 or exceed[i] is None:
            improve[i] = SCRIPT if improve[i] is None else f"{improve[i]}{SCRIPT}"
        else:
            exceed[i] = f"{SCRIPT}{exceed[i]}"

    # the uncovered complaint, in answers still empty (drawn last: the rest is unchanged)
    empty = np.array([v is None for v in improve], dtype=bool) & ~careless_quiet
    uncovered = empty & (rng.random(n) < np.asarray(_UNCOVERED_P_BY_SAT)[sat_idx])
    improve[uncovered] = _pick(rng, UNCOVERED_TEXTS, n)[uncovered]

    # truth strings of the kept themes
    bits = (kept.astype(np.int64) << np.arange(len(THEMES))).sum(axis=1)
    uniq, inv = np.unique(bits, return_inverse=True)
    labels = np.array([";".join(t for j, t in enumerate(THEMES) if (u >> j) & 1) for u in uniq],
                      dtype=object)
    return {
        "open_improve": improve,
        "open_exceed": exceed,
        "kept": kept,
        "theme_strings": labels[inv],
        "planted_share": dict(zip(THEMES, share.tolist(), strict=True)),
        "pii_rows": pii_rows,
        "pii_counts": pii_counts,
        "script_rows": script_rows,
        "n_typos": n_typos,
        "n_negated_praise": int(((n_themes == 0) & (no_kind == 2)).sum()),
        "n_english_sentences": n_english,
        "uncovered_rows": np.flatnonzero(uncovered),
    }
