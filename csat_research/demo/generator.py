"""Synthetic demo study with a planted, documented truth.

:func:`generate_wave` simulates one survey wave of one product category (responses, the
service-ticket log and the planted truth) in memory; :func:`write_demo_study` writes one
folder per category::

    DIR/<category>/responses.csv     canonical survey frame (UTF-8, codebook column names)
    DIR/<category>/tickets.csv       service-ticket log (columns of schema.TICKET_COLUMNS)
    DIR/<category>/truth.json        every planted parameter and the realised check values
    DIR/<category>/truth_themes.csv  respondent_id, themes (planted complaint themes of
                                     open_improve, ";"-separated, "" for none)

Same seed, same bytes: every random draw comes from a :class:`numpy.random.SeedSequence` of
``(seed, category code, crc32(wave))``, the JSON is written with sorted keys and floats
rounded to 6 decimals, the CSVs with a fixed float format, and nothing depends on the clock.
Everything is vectorised (numpy); only the final assembly of a few open answers (PII, typos)
loops over the selected rows.

Notes
-----
**Sample and segments.** ``customer_type`` returning with probability 0.60;
``frequency_band`` high with probability 0.45 (returning) / 0.12 (new); ``value_band`` high
0.20 in the sample (stratified: high-value customers are over-sampled from a population
share of 0.10, recorded under ``sampling``); ``age_group`` from a category-specific mix;
``channel`` (service channel used) and ``preferred_channel`` depend on age: post95/post00
prefer ``im`` (about 60 %) far more than post70 (20 %, who prefer ``phone``, 50 %).
``expected_reply_min`` is lognormal (sigma 0.6) with an age-specific median (post00 4.3 ...
post70 9.0 min; about 5.8 min overall).

**Timing.** ``submitted_at`` (naive local time, Asia/Shanghai) lies in the wave's quarter,
0.5-23.5 h after the order; ticket ``created_at`` lies between order and survey.

**Tickets.** 0-3 per respondent (probabilities 0.12, 0.55, 0.23, 0.10). Phone tickets go to a
human; other tickets start with the bot (8 % ask for a human at once, 40 % for high severity),
which settles a category-specific share (``bot_containment``, about 0.70) of normal-severity
tickets (0.20 of high-severity ones), else hands over (``bot_to_human``, ``handoff_min``
lognormal, median 5-12 min, sigma 0.9). ``first_response_min`` is lognormal with a
category-specific median (appliances 6.5, apparel 2.6, beauty 2.8, baby 12.3 min): the
"90 % within 5 minutes" target is met by apparel and beauty and missed by appliances and
baby. ``first_contact_resolution`` ~ Bernoulli(0.65-0.82 by category); resolution time is
lognormal (shorter after FCR), 3 % (FCR) / 10 % (no FCR) stay unresolved (NaN).

**Latent satisfaction.** Five correlated factors (one per dimension; correlations 0.40-0.60,
:data:`FACTOR_CORRELATION`) ~ N(shift, R). Shifts: returning +0.10 on every factor,
high value -0.10 on efficiency, digital +0.15 (post00, post95), -0.10 (post80),
-0.30 (post70); efficiency -0.30 x clip(z, -2.5, 2.5) where z is the standardised log of the
respondent's slowest first response (0 without tickets); quality -0.40 when one of the
respondent's tickets was not resolved at the first contact or was repeated.
Item ``j`` of dimension ``d``: ``y* = mu[c, d] + offset_j + lambda_j F_d +
sqrt(1 - lambda_j^2) e`` (standardised loadings 0.60-0.85, recorded), discretised by the fixed
thresholds 1.5, 2.5, 3.5, 4.5 to codes 1-5; reverse-keyed items (agree5) are the mirror
``6 - y*``. ``mu[c, d]`` plants one weakest dimension per category (appliances: quality,
apparel: after_sales, beauty: communication, baby: efficiency). 2-6 % of item cells are
missing completely at random.

**Observed scores and outcomes.** Dimension score = mean of the answered items of the
dimension after reverse-keying (``6 - x``), NaN when fewer than half are answered (NaN scores
are replaced by the sample mean of that score when generating outcomes). ``overall_sat`` =
round(clip(0.30 eff + 0.40 qual + 0.12 comm + 0.10 after_sales + 0.08 digital + N(0, 0.45),
1, 5)): quality is the most important dimension. ``repurchase`` ~ Bernoulli(logistic(const +
sum_d b_d score_d + b_ret [returning])) with the coefficients of :data:`REPURCHASE_LOGIT`
(repurchase rate 40-60 %); ``nps`` = round(clip(2.3 overall_sat + N(0, 1.2), 0, 10));
``repurchase_intent`` = round(clip(0.9 + 0.62 overall_sat + 0.35 [returning] + N(0, 0.65),
1, 5)).

**Careless respondents (8 %).** Straight-liners (2.5 %, one code on every item, so reverse
twins contradict; traps passed), trap failures (2.5 %, wrong trap answers, random items and
ratings), speeders (2.0 %, duration 0.08-0.28 x the planted median of 420 s, 35 % of item cells
random), duplicates (1.0 %, a customer answering a second time later in the quarter with a new
respondent id; the later response is recorded). Each type trips only its own rule. Clean
respondents pass the traps except a tiny recorded rate (0.1 %, ``clean_trap_fail``) and take
0.5 x 420 s or longer (lognormal, median 420 s, sigma 0.35, truncated). Behavioural
``repurchase`` of careless respondents follows the model from what their answers would have
been; their stated ratings do not.

**Open answers.** ``open_improve`` mentions complaint themes (:data:`THEMES`); the probability
of theme ``t`` is its planted category share times ``exp(-0.8 (score_d - mean))`` of the
theme's dimension (normalised to mean 1: dissatisfied respondents complain more), at most
three themes per answer. Sentences come from varied templates (4 % English / mixed), with
typos (5 %), short non-answers, negated praise that is not a complaint ("没有问题",
"客服态度挺好的，没有不耐烦"), ~5 % PII (mobile numbers, e-mails, 16-19 digit order numbers,
"王先生") and a few ``<script>alert(1)</script>``. ``open_exceed`` is praise or empty / "没有".
Each category has a clear top-2 of themes (``top_themes`` in the truth).

Examples
--------
>>> wave = generate_wave("baby", n=200, seed=7, wave="2026Q3")
>>> wave.responses.shape[0], wave.truth["weakest_dimension"], wave.truth["top_themes"]
(200, 'efficiency', ['slow_reply', 'logistics_updates'])
>>> sorted(wave.truth["careless"])
['duplicate', 'speeder', 'straightliner', 'trap_failure']
"""

from __future__ import annotations

import importlib.resources
import json
import math
import os
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from scipy.special import ndtr, ndtri

from csat_research.core.errors import CodebookError, ParamsError
from csat_research.core.schema import (
    CATEGORY,
    CUSTOMER_ID,
    DURATION_SEC,
    METADATA_COLUMNS,
    ORDER_ID,
    RESPONDENT_ID,
    SUBMITTED_AT,
    TICKET_COLUMNS,
)
from csat_research.text.themes import THEME_IDS

__all__ = [
    "DEMO_CATEGORIES",
    "DIMENSIONS",
    "FACTOR_CORRELATION",
    "OVERALL_WEIGHTS",
    "REPURCHASE_LOGIT",
    "THEMES",
    "DemoWave",
    "generate_wave",
    "write_demo_study",
]

#: Version of the generating model (bump when the planted model changes).
GENERATOR_VERSION = 1

#: Dimension ids, in instrument order.
DIMENSIONS = ("efficiency", "quality", "communication", "after_sales", "digital")

#: Correlations of the five latent factors (order of :data:`DIMENSIONS`).
FACTOR_CORRELATION = (
    (1.00, 0.55, 0.45, 0.40, 0.50),
    (0.55, 1.00, 0.60, 0.50, 0.40),
    (0.45, 0.60, 1.00, 0.45, 0.45),
    (0.40, 0.50, 0.45, 1.00, 0.40),
    (0.50, 0.40, 0.45, 0.40, 1.00),
)

#: Weights of the observed dimension scores in ``overall_sat`` (quality most important).
OVERALL_WEIGHTS = {
    "efficiency": 0.30,
    "quality": 0.40,
    "communication": 0.12,
    "after_sales": 0.10,
    "digital": 0.08,
}
_OVERALL_INTERCEPT = 0.0
_OVERALL_NOISE_SD = 0.45

#: Planted logit of ``repurchase`` on the observed dimension scores and customer type.
REPURCHASE_LOGIT = {
    "const": -9.6,
    "efficiency": 0.45,
    "quality": 0.85,
    "communication": 0.40,
    "after_sales": 0.60,
    "digital": 0.40,
    "customer_type[returning]": 0.90,
}

_NPS_MODEL = {"const": 0.0, "overall_sat": 2.3, "noise_sd": 1.2}
_INTENT_MODEL = {"const": 0.9, "overall_sat": 0.62, "customer_type[returning]": 0.35,
                 "noise_sd": 0.65}

#: Complaint theme ids of ``open_improve``: the text tagger's lexicon ids.
THEMES = THEME_IDS
_THEME_DIMENSION = {
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
_THEME_SCORE_SLOPE = 0.8
_MAX_THEMES = 3

_AGE_LEVELS = ("post00", "post95", "post90", "post80", "post70")
_CHANNELS = ("wechat", "app", "web", "phone")
_PREFERRED = ("im", "phone", "self_service", "email")
_PREFERRED_BY_AGE = {
    "post00": (0.64, 0.05, 0.25, 0.06),
    "post95": (0.60, 0.07, 0.27, 0.06),
    "post90": (0.48, 0.14, 0.28, 0.10),
    "post80": (0.36, 0.28, 0.24, 0.12),
    "post70": (0.20, 0.50, 0.15, 0.15),
}
_CHANNEL_BY_AGE = {
    "post00": (0.30, 0.52, 0.10, 0.08),
    "post95": (0.32, 0.47, 0.11, 0.10),
    "post90": (0.35, 0.38, 0.14, 0.13),
    "post80": (0.36, 0.27, 0.15, 0.22),
    "post70": (0.30, 0.14, 0.14, 0.42),
}
_EXPECTED_REPLY_MEDIAN_BY_AGE = {
    "post00": 4.3, "post95": 4.8, "post90": 5.8, "post80": 7.0, "post70": 9.0,
}
_EXPECTED_REPLY_SIGMA = 0.6

_SAMPLING = {
    "customer_type": {"returning": 0.60},
    "frequency_band": {"high_if_returning": 0.45, "high_if_new": 0.12},
    "value_band": {"sample_share_high": 0.20, "population_share_high": 0.10},
}

_SEGMENT_SHIFTS = {
    "customer_type[returning]": {d: 0.10 for d in DIMENSIONS},
    "value_band[high]": {"efficiency": -0.10},
    "age_group[post00]": {"digital": 0.15},
    "age_group[post95]": {"digital": 0.15},
    "age_group[post80]": {"digital": -0.10},
    "age_group[post70]": {"digital": -0.30},
}
_TICKET_LINKS = {
    "efficiency_per_sd_log_first_response": -0.30,
    "efficiency_z_clip": 2.5,
    "quality_if_unresolved_first_contact_or_repeat": -0.40,
}

_THRESHOLDS = (1.5, 2.5, 3.5, 4.5)

#: Item id -> (standardised loading, offset of the latent item mean).
_ITEM_PARAMS = {
    "eff_first_reply": (0.80, -0.10),
    "eff_order_notice": (0.65, 0.25),
    "eff_logistics_alert": (0.72, 0.00),
    "eff_aftersales_speed": (0.78, -0.15),
    "eff_wait_r": (0.62, 0.00),
    "apl_refund_qc": (0.70, -0.20),
    "qual_fcr": (0.82, -0.05),
    "qual_solution_fit": (0.78, 0.10),
    "qual_no_repeat": (0.75, 0.00),
    "qual_followup": (0.68, -0.15),
    "qual_repeat_r": (0.60, 0.00),
    "app_tech_support": (0.72, -0.10),
    "comm_script": (0.70, 0.15),
    "comm_knowledge": (0.78, -0.05),
    "comm_empathy": (0.74, 0.00),
    "comm_clarity": (0.85, 0.00),
    "comm_scenario": (0.66, -0.15),
    "aft_policy_clarity": (0.72, 0.15),
    "aft_return_convenience": (0.78, 0.00),
    "aft_warranty": (0.64, -0.10),
    "aft_member_priority": (0.60, -0.05),
    "app_spare_parts": (0.70, -0.25),
    "apl_exchange_flow": (0.76, -0.05),
    "bty_allergy_return": (0.70, 0.10),
    "baby_advisor": (0.68, 0.05),
    "dig_selfservice": (0.76, 0.00),
    "dig_consistency": (0.72, 0.05),
    "dig_bot_handoff": (0.70, -0.20),
    "dig_privacy": (0.62, 0.10),
}
_DEFAULT_ITEM_PARAMS = (0.70, 0.0)
_ITEM_MISSING = {"aft_warranty": 0.06, "aft_member_priority": 0.05}
_MISSING_BASE, _MISSING_REVERSE, _MISSING_CATEGORY_ITEM = 0.02, 0.03, 0.04

_CARELESS_RATES = {"straightliner": 0.025, "trap_failure": 0.025, "speeder": 0.020,
                   "duplicate": 0.010}
_CLEAN_TRAP_FAIL_RATE = 0.001
_DURATION = {"median_sec": 420.0, "sigma": 0.35, "clean_floor_share": 0.5,
             "speeder_share_low": 0.08, "speeder_share_high": 0.28, "long_tail_rate": 0.02}
_SCREENING_RULES = {
    "trap": "trap answer not among the expected codes (trap_attention: 2; trap_rude: 1-3)",
    "straightline": "all grid items (every item of the category) identical",
    "speeder": "duration_sec < 0.35 x median duration",
    "repeat_customer": "same customer_id answered earlier within 182 days (later one flagged)",
}

_TICKET_COUNT_P = (0.12, 0.55, 0.23, 0.10)
_ISSUES = ("logistics", "refund", "return", "product", "other")
_HANDLERS = ("bot", "bot_to_human", "human")
_SEVERITY_HIGH_BY_ISSUE = {"logistics": 0.14, "refund": 0.06, "return": 0.06,
                           "product": 0.12, "other": 0.05}
_TICKET_RULES = {
    "direct_human_normal": 0.08,
    "direct_human_high": 0.40,
    "bot_settles_high": 0.20,
    "handoff_sigma": 0.9,
    "unresolved_if_fcr": 0.03,
    "unresolved_if_not_fcr": 0.10,
    "resolution_sigma": 0.9,
    "resolution_factor_fcr": 0.45,
    "resolution_factor_not_fcr": 1.6,
    "repeat_if_fcr": 0.04,
    "repeat_if_not_fcr": 0.45,
    "escalate_if_late": 0.65,
    "escalate_if_on_time": 0.03,
    "escalate_extra_high_severity": 0.15,
    "same_channel_as_survey": 0.80,
}

#: Category -> planted parameters (latent means, KPIs, themes, age mix).
_CATEGORY_PARAMS: dict[str, dict[str, Any]] = {
    "appliances": {
        "code": 1, "prefix": "appl",
        "age_mix": (0.10, 0.17, 0.23, 0.28, 0.22),
        "latent_means": {"efficiency": 3.55, "quality": 2.95, "communication": 3.60,
                         "after_sales": 3.40, "digital": 3.55},
        "weakest_dimension": "quality",
        "first_response": {"median_min": 6.5, "sigma": 0.70},
        "handoff_median_min": 12.0,
        "bot_containment": 0.6,
        "fcr": 0.65,
        "resolution_median_h": 28.0,
        "issue_mix": (0.30, 0.08, 0.10, 0.42, 0.10),
        "theme_share": {"installation_repair": 0.24, "logistics_updates": 0.15},
        "top_themes": ("installation_repair", "logistics_updates"),
    },
    "apparel": {
        "code": 2, "prefix": "appa",
        "age_mix": (0.26, 0.28, 0.22, 0.15, 0.09),
        "latent_means": {"efficiency": 3.55, "quality": 3.60, "communication": 3.65,
                         "after_sales": 3.00, "digital": 3.60},
        "weakest_dimension": "after_sales",
        "first_response": {"median_min": 2.6, "sigma": 0.45},
        "handoff_median_min": 6.0,
        "bot_containment": 0.75,
        "fcr": 0.72,
        "resolution_median_h": 22.0,
        "issue_mix": (0.22, 0.25, 0.35, 0.08, 0.10),
        "theme_share": {"return_process": 0.24, "refund_slow": 0.15},
        "top_themes": ("return_process", "refund_slow"),
    },
    "beauty": {
        "code": 3, "prefix": "beau",
        "age_mix": (0.28, 0.30, 0.22, 0.13, 0.07),
        "latent_means": {"efficiency": 3.70, "quality": 3.65, "communication": 3.05,
                         "after_sales": 3.55, "digital": 3.50},
        "weakest_dimension": "communication",
        "first_response": {"median_min": 2.8, "sigma": 0.40},
        "handoff_median_min": 5.0,
        "bot_containment": 0.77,
        "fcr": 0.82,
        "resolution_median_h": 15.0,
        "issue_mix": (0.20, 0.12, 0.13, 0.40, 0.15),
        "theme_share": {"product_knowledge": 0.22, "bot_unhelpful": 0.15},
        "top_themes": ("product_knowledge", "bot_unhelpful"),
    },
    "baby": {
        "code": 4, "prefix": "baby",
        "age_mix": (0.06, 0.30, 0.38, 0.20, 0.06),
        "latent_means": {"efficiency": 2.95, "quality": 3.55, "communication": 3.60,
                         "after_sales": 3.50, "digital": 3.55},
        "weakest_dimension": "efficiency",
        "first_response": {"median_min": 12.3, "sigma": 0.55},
        "handoff_median_min": 7.0,
        "bot_containment": 0.64,
        "fcr": 0.76,
        "resolution_median_h": 18.0,
        "issue_mix": (0.40, 0.12, 0.13, 0.20, 0.15),
        "theme_share": {"slow_reply": 0.23, "logistics_updates": 0.15},
        "top_themes": ("slow_reply", "logistics_updates"),
    },
}
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

#: Categories the demo can simulate.
DEMO_CATEGORIES = tuple(_CATEGORY_PARAMS)

_KPI_TARGETS = {"first_reply_5min": 0.90, "resolved_24h": 0.70, "fcr": 0.80,
                "bot_containment": 0.70, "handoff_30min": 0.90}

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
_ENGLISH_RATE = 0.04
_NUMBERED_RATE = 0.12
_PREFIXES = ("", "", "", "", "希望改进：", "建议：", "主要是", "感觉")
_SUFFIXES = ("", "", "。", "！", "，希望改进。", "，体验很差", "！！", "。")
_CONNECTORS = ("，", "；", "。", "，而且", "，还有")
_SHORT_ANSWERS = ("无", "没有", "还行", "暂无", "没什么", "都挺好", "no", "nothing", "/", "无意见")
_NEGATED_PRAISE = (
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
_EXCEED_NONE = ("没有", "无", "暂时没有", "没有", "还没有")
_TYPOS = (("客服", "客腹"), ("快递", "快第"), ("物流", "物留"), ("退款", "退欵"),
          ("师傅", "师父"), ("回复", "回付"), ("态度", "太度"))
_TYPO_RATE = 0.05
_PII_RATE = 0.05
_SCRIPT_RATE = 0.003
_SCRIPT = "<script>alert(1)</script>"
_PII_KINDS = ("phone", "phone_dashed", "email", "order_number", "name")
_PII_KIND_P = (0.35, 0.20, 0.15, 0.15, 0.15)
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵")
_TITLES = ("先生", "女士", "小姐")
_MAIL_USERS = ("wangli", "zhang.wei", "lucy", "chenxm", "liu_yang", "amy.zhao")
_MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "gmail.com", "sina.com")

_WAVE_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
_RESPONSE_DECIMALS = {DURATION_SEC: 1, "expected_reply_min": 1}  # other floats: integer codes
_TICKET_DECIMALS = {"handoff_min": 2, "first_response_min": 2, "resolution_hours": 2}
_JSON_DIGITS = 6


@dataclass(frozen=True)
class _Codes:
    """A categorical column as integer codes into ``levels`` (fast to draw, compare, write)."""

    codes: np.ndarray
    levels: tuple[str, ...]

    def is_(self, level: str) -> np.ndarray:
        return self.codes == self.levels.index(level)

    def to_array(self, order: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
        codes = self.codes if order is None else self.codes[order]
        dictionary = pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32)), pa.array(list(self.levels), type=pa.large_string()))
        return pd.array(dictionary.cast(pa.large_string()), dtype="str")


@dataclass(frozen=True)
class DemoWave:
    """One simulated survey wave of one category.

    Attributes
    ----------
    category : str
        Product category.
    wave : str
        Wave id (``YYYYQn``).
    seed : int
        Seed of the study.
    responses : pandas.DataFrame
        Canonical survey frame: metadata columns, items / traps / outcomes as float codes
        (``NaN`` = not answered), open answers as text (``NaN`` = empty), segments as text,
        ``submitted_at`` as ``datetime64``. One row per respondent, ordered by submission.
    tickets : pandas.DataFrame
        Service-ticket log with the columns of :data:`csat_research.core.schema.TICKET_COLUMNS`.
    truth : dict
        The planted truth (JSON-ready): model parameters and realised check values.
    themes : pandas.DataFrame
        ``respondent_id``, ``themes``: planted complaint themes of ``open_improve``,
        ``";"``-joined in :data:`THEMES` order, ``""`` for none.
    """

    category: str
    wave: str
    seed: int
    responses: pd.DataFrame
    tickets: pd.DataFrame
    truth: dict
    themes: pd.DataFrame


# ============================================================================ public API
def generate_wave(
    category: str, *, n: int = 2000, seed: int = 2026, wave: str = "2026Q3"
) -> DemoWave:
    """Simulate one wave of one category with a planted truth (no file I/O).

    Parameters
    ----------
    category : {"appliances", "apparel", "beauty", "baby"}
        Product category; selects the category items of the default instrument and the
        planted category parameters.
    n : int, default 2000
        Number of responses (rows), careless and duplicate respondents included; at least 100.
    seed : int, default 2026
        Non-negative seed; the same ``(category, n, seed, wave)`` gives identical data.
    wave : str, default "2026Q3"
        Wave id ``YYYYQn``; ``submitted_at`` lies in that quarter.

    Returns
    -------
    DemoWave
        Frozen result with ``responses``, ``tickets``, ``truth`` and ``themes``.

    Raises
    ------
    TypeError
        If ``category``, ``wave``, ``n`` or ``seed`` has the wrong type.
    ParamsError
        If a value is not allowed (unknown category, ``n < 100``, negative seed, bad wave).
    CodebookError
        If the default instrument lacks something the simulation needs.

    Notes
    -----
    The model is described in the module docstring and recorded in ``truth``.

    Examples
    --------
    >>> w = generate_wave("beauty", n=150, seed=1, wave="2026Q1")
    >>> w.responses["submitted_at"].min() >= pd.Timestamp("2026-01-01")
    True
    >>> w.truth["repurchase_logit"]["quality"]
    0.85
    >>> list(w.tickets.columns) == list(TICKET_COLUMNS)
    True
    """
    category = _check_category(category)
    n = _check_int("n", n, minimum=100)
    seed = _check_int("seed", seed, minimum=0)
    start, end = _quarter_bounds(wave)
    instrument = _load_instrument(category)
    return _simulate(category, n=n, seed=seed, wave=wave, start=start, end=end,
                     instrument=instrument)


def write_demo_study(
    out: str | os.PathLike[str],
    *,
    seed: int = 2026,
    n: int = 2000,
    categories: Sequence[str] = ("appliances", "apparel", "beauty", "baby"),
    wave: str = "2026Q3",
) -> dict[str, dict[str, Path]]:
    """Write the demo study: one folder per category with responses, tickets and truth.

    Parameters
    ----------
    out : str or os.PathLike
        Output folder (created if needed; existing demo files are overwritten).
    seed : int, default 2026
        Seed of the study; the same arguments write the same bytes.
    n : int, default 2000
        Responses per category (at least 100).
    categories : sequence of str, default all four
        Categories to write, each one of :data:`DEMO_CATEGORIES`, without repeats.
    wave : str, default "2026Q3"
        Wave id ``YYYYQn``.

    Returns
    -------
    dict
        ``{category: {"responses": Path, "tickets": Path, "truth": Path,
        "truth_themes": Path}}`` of the files written.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``categories`` given as one string).
    ParamsError
        If a value is not allowed.

    Notes
    -----
    Files: ``responses.csv`` (UTF-8 without BOM, ``\\n`` line ends, codes as integers, empty
    cell = missing, floats ``%.1f``, ``submitted_at`` ``YYYY-MM-DDTHH:MM:SS``),
    ``tickets.csv`` (floats ``%.2f``, booleans ``True``/``False``), ``truth.json`` (sorted keys,
    floats rounded to 6 decimals) and ``truth_themes.csv`` (``respondent_id``, ``themes``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_demo_study(tmp, n=120, categories=["apparel"])
    ...     sorted(p.name for p in paths["apparel"].values())
    ['responses.csv', 'tickets.csv', 'truth.json', 'truth_themes.csv']
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path (str or os.PathLike); got {type(out).__name__}")
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Sequence):
        raise TypeError(
            "categories must be a sequence of category names, e.g. ['beauty']; "
            f"got {type(categories).__name__} {categories!r}"
        )
    cats = [_check_category(c) for c in categories]
    if not cats:
        raise ParamsError(f"categories is empty; allowed: {', '.join(DEMO_CATEGORIES)}")
    dupes = sorted({c for c in cats if cats.count(c) > 1})
    if dupes:
        raise ParamsError(f"categories repeats {', '.join(dupes)}; give each category once")
    n = _check_int("n", n, minimum=100)
    seed = _check_int("seed", seed, minimum=0)
    _quarter_bounds(wave)

    root = Path(out)
    written: dict[str, dict[str, Path]] = {}
    for cat in cats:
        demo = generate_wave(cat, n=n, seed=seed, wave=wave)
        folder = root / cat
        folder.mkdir(parents=True, exist_ok=True)
        paths = {
            "responses": folder / "responses.csv",
            "tickets": folder / "tickets.csv",
            "truth": folder / "truth.json",
            "truth_themes": folder / "truth_themes.csv",
        }
        _write_csv(demo.responses, paths["responses"], decimals=_RESPONSE_DECIMALS)
        _write_csv(demo.tickets, paths["tickets"], decimals=_TICKET_DECIMALS)
        _write_csv(demo.themes, paths["truth_themes"], decimals={})
        text = json.dumps(_jsonable(demo.truth), ensure_ascii=False, sort_keys=True, indent=1)
        paths["truth"].write_text(text + "\n", encoding="utf-8", newline="\n")
        written[cat] = paths
    return written


# ============================================================================ validation
def _check_category(category: Any) -> str:
    if not isinstance(category, str):
        raise TypeError(f"category must be a str; got {type(category).__name__} {category!r}")
    if category not in _CATEGORY_PARAMS:
        raise ParamsError(
            f"category {category!r} is not simulated by the demo; allowed: "
            f"{', '.join(DEMO_CATEGORIES)}"
        )
    return category


def _check_int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ParamsError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def _quarter_bounds(wave: Any) -> tuple[np.datetime64, np.datetime64]:
    if not isinstance(wave, str):
        raise TypeError(f"wave must be a str like '2026Q3'; got {type(wave).__name__} {wave!r}")
    match = _WAVE_PATTERN.match(wave)
    if match is None:
        raise ParamsError(
            f"wave must look like 'YYYYQn' with n in 1-4, e.g. '2026Q3'; got {wave!r}")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = np.datetime64(f"{year:04d}-{3 * quarter - 2:02d}-01T00:00:00", "s")
    end_month = 3 * quarter + 1
    end = (np.datetime64(f"{year + 1:04d}-01-01T00:00:00", "s") if end_month > 12
           else np.datetime64(f"{year:04d}-{end_month:02d}-01T00:00:00", "s"))
    return start, end


# ============================================================================ instrument
@dataclass(frozen=True)
class _Instrument:
    items: tuple[dict, ...]          # id, dimension, reverse (instrument order)
    traps: tuple[str, ...]
    trap_expected: dict
    outcomes: tuple[str, ...]
    open_ids: tuple[str, ...]
    segments: dict                   # id -> levels

    def columns(self) -> list[str]:
        return [*METADATA_COLUMNS, *(i["id"] for i in self.items), *self.traps,
                *self.outcomes, *self.open_ids, *self.segments]


def _load_instrument(category: str) -> _Instrument:
    """Read the shipped default instrument (package data) for ``category``."""
    ref = importlib.resources.files("csat_research") / "data" / "instrument_default.yaml"
    source = "csat_research/data/instrument_default.yaml"
    doc = yaml.safe_load(ref.read_text(encoding="utf-8"))
    try:
        items = tuple(
            {"id": it["id"], "dimension": it["dimension"],
             "reverse": bool(it.get("reverse", False))}
            for it in doc["items"]
            if it.get("categories") is None or category in it["categories"]
        )
        traps = tuple(t["id"] for t in doc.get("traps", []))
        trap_expected = {t["id"]: [int(x) for x in t["expected"]] for t in doc.get("traps", [])}
        outcomes = {o["role"]: o["id"] for o in doc["outcomes"]}
        open_q = {q["role"]: q["id"] for q in doc["open_questions"]}
        segments = {s["id"]: list(s["levels"]) for s in doc["segments"]}
    except (KeyError, TypeError) as exc:
        raise CodebookError(f"{source}: cannot read the instrument: missing {exc}") from exc
    problems = []
    for it in items:
        if it["dimension"] not in DIMENSIONS:
            problems.append(f"items: {it['id']!r} has dimension {it['dimension']!r}; "
                            f"the demo simulates {', '.join(DIMENSIONS)}")
    need_traps = {"trap_attention": [2], "trap_rude": [1, 2, 3]}
    for tid, exp in need_traps.items():
        if trap_expected.get(tid) != exp:
            problems.append(f"traps: {tid!r} must exist with expected {exp}; "
                            f"got {trap_expected.get(tid)}")
    roles = ("overall", "nps", "repurchase_intent", "repurchase", "expected_reply")
    want_outcomes = dict(zip(roles, ("overall_sat", "nps", "repurchase_intent", "repurchase",
                                     "expected_reply_min"), strict=True))
    for role, oid in want_outcomes.items():
        if outcomes.get(role) != oid:
            problems.append(f"outcomes: role {role!r} must be {oid!r}; got {outcomes.get(role)!r}")
    if open_q.get("improve") != "open_improve" or open_q.get("exceed") != "open_exceed":
        problems.append("open_questions: need open_improve (improve) and open_exceed (exceed)")
    want_segments = {"customer_type": ["new", "returning"], "frequency_band": ["low", "high"],
                     "value_band": ["normal", "high"], "age_group": list(_AGE_LEVELS),
                     "channel": list(_CHANNELS), "preferred_channel": list(_PREFERRED)}
    for sid, levels in want_segments.items():
        if sorted(segments.get(sid, [])) != sorted(levels):
            problems.append(f"segments: {sid!r} must have levels {levels}; "
                            f"got {segments.get(sid)}")
    if problems:
        raise CodebookError(f"{source}: " + "; ".join(problems))
    return _Instrument(
        items=items, traps=traps, trap_expected=trap_expected,
        outcomes=tuple(o["id"] for o in doc["outcomes"]),
        open_ids=tuple(q["id"] for q in doc["open_questions"]),
        segments=segments,
    )


# ============================================================================ simulation
def _simulate(category: str, *, n: int, seed: int, wave: str, start: np.datetime64,
              end: np.datetime64, instrument: _Instrument) -> DemoWave:
    cp = _CATEGORY_PARAMS[category]
    ss = np.random.SeedSequence([seed, cp["code"], zlib.crc32(wave.encode("ascii"))])
    (rng_seg, rng_time, rng_care, rng_tix, rng_lat, rng_item, rng_out, rng_text,
     rng_ids, rng_dur) = (np.random.default_rng(s) for s in ss.spawn(10))

    # ---- segments
    seg = _segments(rng_seg, n, cp)

    # ---- careless types (disjoint) and timing
    counts = {k: max(1, round(r * n)) for k, r in _CARELESS_RATES.items()}
    perm = rng_care.permutation(n)
    kind = np.full(n, "", dtype="<U13")
    pos = 0
    for k in ("straightliner", "trap_failure", "speeder", "duplicate"):
        kind[perm[pos:pos + counts[k]]] = k
        pos += counts[k]
    is_dup = kind == "duplicate"

    span = int((end - start) / np.timedelta64(1, "s"))
    submitted = _submission_seconds(rng_time, n, span)
    customer_num = rng_ids.choice(10**8, size=n, replace=False)
    # duplicates: a clean earlier respondent answers again later in the quarter
    early = np.flatnonzero((kind == "") & (submitted < 0.6 * span))
    originals = rng_care.choice(early, size=int(is_dup.sum()), replace=False)
    dup_rows = np.flatnonzero(is_dup)
    lo = submitted[originals] + 3 * 86400
    hi = span - 3600
    submitted[dup_rows] = lo + np.floor(rng_care.random(dup_rows.size) * (hi - lo)).astype(np.int64)
    customer_num[dup_rows] = customer_num[originals]
    for col in ("frequency_band", "value_band", "age_group", "channel", "preferred_channel"):
        seg[col].codes[dup_rows] = seg[col].codes[originals]
    seg["customer_type"].codes[dup_rows] = seg["customer_type"].levels.index("returning")
    order_lag = np.round(rng_time.uniform(0.5, 23.5, n) * 3600).astype(np.int64)
    order_sec = submitted - order_lag

    # ---- tickets
    tix, link = _tickets(rng_tix, n, cp, seg["channel"].codes, order_sec, submitted)

    # ---- latent factors and items
    factors = _latent_factors(rng_lat, n, seg, link)
    codes, item_meta = _items(rng_item, instrument, cp, factors)
    scores = _dimension_scores(codes, instrument)

    # ---- outcomes (from observed scores of the model answers)
    returning = seg["customer_type"].is_("returning").astype(float)
    out = _outcomes(rng_out, scores, returning, seg["age_group"].codes)

    # ---- careless overrides of stated answers
    n_items = codes.shape[1]
    traps = _clean_traps(rng_care, n)
    sl = np.flatnonzero(kind == "straightliner")
    sl_value = rng_care.choice(np.array([3.0, 4.0, 5.0]), size=sl.size, p=(0.2, 0.5, 0.3))
    codes[sl] = sl_value[:, None]
    out["overall_sat"][sl] = sl_value
    out["repurchase_intent"][sl] = sl_value
    out["nps"][sl] = np.clip(2 * sl_value + rng_care.integers(-1, 1, sl.size, endpoint=True), 0, 10)

    tf = np.flatnonzero(kind == "trap_failure")
    random_codes = rng_care.integers(1, 5, size=(tf.size, n_items), endpoint=True).astype(float)
    codes[tf] = np.where(np.isnan(codes[tf]), np.nan, random_codes)
    # guard: a random grid is never constant (would also trip the straight-line rule)
    codes[tf, 0] = np.where(np.nanmax(codes[tf], axis=1) == np.nanmin(codes[tf], axis=1),
                            np.where(codes[tf, 0] == 1.0, 2.0, 1.0), codes[tf, 0])
    which = rng_care.choice(3, size=tf.size, p=(0.60, 0.25, 0.15))  # attention, rude, both
    bad_att = rng_care.choice(np.array([1.0, 3.0, 4.0, 5.0]), size=tf.size)
    bad_rude = rng_care.choice(np.array([4.0, 5.0]), size=tf.size)
    traps["trap_attention"][tf] = np.where(which != 1, bad_att, 2.0)
    traps["trap_rude"][tf] = np.where(which != 0, bad_rude, traps["trap_rude"][tf])
    out["overall_sat"][tf] = rng_care.integers(1, 5, tf.size, endpoint=True)
    out["repurchase_intent"][tf] = rng_care.integers(1, 5, tf.size, endpoint=True)
    out["nps"][tf] = rng_care.integers(0, 10, tf.size, endpoint=True)

    sp = np.flatnonzero(kind == "speeder")
    noise_cells = rng_care.random((sp.size, n_items)) < 0.35
    sp_random = rng_care.integers(1, 5, size=(sp.size, n_items), endpoint=True).astype(float)
    sp_codes = np.where(noise_cells & ~np.isnan(codes[sp]), sp_random, codes[sp])
    const_rows = np.nanmax(sp_codes, axis=1) == np.nanmin(sp_codes, axis=1)
    sp_codes[const_rows, 0] = np.where(sp_codes[const_rows, 0] == 1.0, 2.0, 1.0)
    codes[sp] = sp_codes

    # clean respondents who honestly fail a trap (recorded, not careless)
    clean_rows = np.flatnonzero(kind == "")
    n_trap_fp = int(rng_care.binomial(clean_rows.size, _CLEAN_TRAP_FAIL_RATE))
    trap_fp = np.sort(rng_care.choice(clean_rows, size=n_trap_fp, replace=False))
    traps["trap_rude"][trap_fp] = 4.0

    duration = _durations(rng_dur, n, kind)

    # ---- open answers
    text = _open_answers(rng_text, category, n, scores, out["overall_sat"], kind)

    # ---- assemble, order by submission time, assign ids
    order = np.argsort(submitted, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    prefix = cp["prefix"]
    width = max(6, len(str(n)))
    resp_ids = np.array([f"R-{prefix}-{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    rid = resp_ids[rank]  # respondent id of generation row i
    cust_ids = _prefixed(f"U{cp['code']}", customer_num, 8)
    order_ids = _order_ids(rng_ids, order_sec, start)

    sub_dt = start + submitted.astype("timedelta64[s]")
    cols: dict[str, Any] = {
        RESPONDENT_ID: rid,
        CUSTOMER_ID: cust_ids,
        ORDER_ID: order_ids,
        SUBMITTED_AT: sub_dt,
        DURATION_SEC: duration,
        CATEGORY: _Codes(np.zeros(n, dtype=np.int64), (category,)),
    }
    for j, it in enumerate(instrument.items):
        cols[it["id"]] = codes[:, j]
    for t in instrument.traps:
        cols[t] = traps[t]
    for o in instrument.outcomes:
        cols[o] = out[o]
    cols["open_improve"] = text["open_improve"]
    cols["open_exceed"] = text["open_exceed"]
    for s in instrument.segments:
        cols[s] = seg[s]
    responses = _frame(cols, instrument.columns(), order)

    tickets = _ticket_frame(tix, cust_ids, order_ids, start, prefix)

    themes = pd.DataFrame({
        RESPONDENT_ID: pd.array(rid[order], dtype="str"),
        "themes": pd.array(text["theme_strings"][order], dtype="str"),
    })

    truth = _truth(
        category=category, n=n, seed=seed, wave=wave, cp=cp, instrument=instrument,
        item_meta=item_meta, kind=kind, rid=rid, responses=responses, scores=scores,
        tickets=tickets, text=text, trap_fp=trap_fp, counts=counts, order=order,
        n_tickets=link["n_tickets"], seg=seg,
    )
    return DemoWave(category=category, wave=wave, seed=seed, responses=responses,
                    tickets=tickets, truth=truth, themes=themes)


def _choice(rng: np.random.Generator, p_rows: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw of codes: ``p_rows`` is (n, k) probabilities."""
    cum = np.cumsum(p_rows, axis=1)
    cum[:, -1] = 1.0
    return (rng.random(p_rows.shape[0])[:, None] > cum).sum(axis=1)


def _segments(rng: np.random.Generator, n: int, cp: dict) -> dict[str, _Codes]:
    returning = rng.random(n) < _SAMPLING["customer_type"]["returning"]
    p_high = np.where(returning, _SAMPLING["frequency_band"]["high_if_returning"],
                      _SAMPLING["frequency_band"]["high_if_new"])
    high_freq = rng.random(n) < p_high
    high_value = rng.random(n) < _SAMPLING["value_band"]["sample_share_high"]
    age = rng.choice(len(_AGE_LEVELS), size=n, p=cp["age_mix"])
    chan_p = np.array([_CHANNEL_BY_AGE[a] for a in _AGE_LEVELS])[age]
    pref_p = np.array([_PREFERRED_BY_AGE[a] for a in _AGE_LEVELS])[age]
    return {
        "customer_type": _Codes(returning.astype(np.int64), ("new", "returning")),
        "frequency_band": _Codes(high_freq.astype(np.int64), ("low", "high")),
        "value_band": _Codes(high_value.astype(np.int64), ("normal", "high")),
        "age_group": _Codes(age, _AGE_LEVELS),
        "channel": _Codes(_choice(rng, chan_p), _CHANNELS),
        "preferred_channel": _Codes(_choice(rng, pref_p), _PREFERRED),
    }


def _submission_seconds(rng: np.random.Generator, n: int, span: int) -> np.ndarray:
    """Seconds since the quarter start: uniform day, evening-heavy hour of day."""
    hour_w = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4, 3.5, 3.5, 3.5, 3.5,
                       3.5, 3.5, 4, 4.5, 5, 5, 4, 2])
    n_days = span // 86400
    day = rng.integers(0, n_days, n)
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    sec = rng.integers(0, 3600, n)
    return (day * 86400 + hour * 3600 + sec).astype(np.int64)


def _tickets(rng: np.random.Generator, n: int, cp: dict, channel: np.ndarray,
             order_sec: np.ndarray, submitted: np.ndarray) -> tuple[dict, dict]:
    """Ticket log (per-ticket arrays) and per-respondent links to the latent model."""
    k = rng.choice(4, size=n, p=_TICKET_COUNT_P)
    owner = np.repeat(np.arange(n), k)
    m = owner.size
    rules = _TICKET_RULES
    same = rng.random(m) < rules["same_channel_as_survey"]
    other = rng.choice(len(_CHANNELS), size=m, p=(0.33, 0.37, 0.13, 0.17))
    t_channel = np.where(same, channel[owner], other)
    issue = rng.choice(len(_ISSUES), size=m, p=cp["issue_mix"])
    high = rng.random(m) < np.array([_SEVERITY_HIGH_BY_ISSUE[i] for i in _ISSUES])[issue]
    phone = t_channel == _CHANNELS.index("phone")
    direct_human = rng.random(m) < np.where(high, rules["direct_human_high"],
                                            rules["direct_human_normal"])
    settles = rng.random(m) < np.where(high, rules["bot_settles_high"], cp["bot_containment"])
    handled = np.where(phone | direct_human, _HANDLERS.index("human"),
                       np.where(settles, _HANDLERS.index("bot"), _HANDLERS.index("bot_to_human")))
    handoff = np.where(
        handled == _HANDLERS.index("bot_to_human"),
        np.round(cp["handoff_median_min"]
                 * np.exp(rules["handoff_sigma"] * rng.standard_normal(m)), 2),
        np.nan,
    )
    fr = cp["first_response"]
    first_response = np.round(fr["median_min"] * np.exp(fr["sigma"] * rng.standard_normal(m)), 2)
    first_response = np.maximum(first_response, 0.05)
    fcr = rng.random(m) < cp["fcr"]
    unresolved = rng.random(m) < np.where(fcr, rules["unresolved_if_fcr"],
                                          rules["unresolved_if_not_fcr"])
    res_median = cp["resolution_median_h"] * np.where(fcr, rules["resolution_factor_fcr"],
                                                       rules["resolution_factor_not_fcr"])
    resolution = np.round(
        res_median * np.exp(rules["resolution_sigma"] * rng.standard_normal(m)), 2)
    resolution = np.where(unresolved, np.nan, np.maximum(resolution, 0.01))
    repeat = rng.random(m) < np.where(fcr, rules["repeat_if_fcr"], rules["repeat_if_not_fcr"])
    late = unresolved | (resolution > 24)
    p_esc = np.where(late, rules["escalate_if_late"], rules["escalate_if_on_time"])
    escalated = rng.random(m) < np.minimum(p_esc + high * rules["escalate_extra_high_severity"], 1)
    window = (submitted - order_sec)[owner] - np.ceil(first_response * 60).astype(np.int64) - 60
    created = order_sec[owner] + np.floor(rng.random(m) * np.maximum(window, 0)).astype(np.int64)

    # per-respondent links: slowest first response (standardised log), any non-FCR / repeat
    z = (np.log(first_response) - math.log(fr["median_min"])) / fr["sigma"]
    zmax = np.full(n, -np.inf)
    np.maximum.at(zmax, owner, z)
    zmax = np.where(np.isfinite(zmax), zmax, np.nan)
    bad = np.zeros(n, dtype=bool)
    np.logical_or.at(bad, owner, (~fcr) | repeat)
    tix = {
        "owner": owner, "created_sec": created, "channel": _Codes(t_channel, _CHANNELS),
        "issue_type": _Codes(issue, _ISSUES), "handled_by": _Codes(handled, _HANDLERS),
        "handoff_min": handoff, "first_response_min": first_response,
        "resolution_hours": resolution, "first_contact_resolution": fcr,
        "repeat_contact": repeat, "escalated": escalated,
        "severity": _Codes(high.astype(np.int64), ("normal", "high")),
    }
    return tix, {"frt_z_max": zmax, "bad_ticket": bad, "n_tickets": k}


def _latent_factors(rng: np.random.Generator, n: int, seg: dict, link: dict) -> np.ndarray:
    chol = np.linalg.cholesky(np.asarray(FACTOR_CORRELATION))
    f = rng.standard_normal((n, len(DIMENSIONS))) @ chol.T
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    for key, shifts in _SEGMENT_SHIFTS.items():
        var, level = key[:-1].split("[")
        mask = seg[var].is_(level)
        for d, v in shifts.items():
            f[mask, dim[d]] += v
    z = np.clip(np.nan_to_num(link["frt_z_max"], nan=0.0), -_TICKET_LINKS["efficiency_z_clip"],
                _TICKET_LINKS["efficiency_z_clip"])
    f[:, dim["efficiency"]] += _TICKET_LINKS["efficiency_per_sd_log_first_response"] * z
    f[link["bad_ticket"], dim["quality"]] += _TICKET_LINKS[
        "quality_if_unresolved_first_contact_or_repeat"]
    return f


def _items(rng: np.random.Generator, instrument: _Instrument, cp: dict,
           factors: np.ndarray) -> tuple[np.ndarray, dict]:
    n = factors.shape[0]
    k = len(instrument.items)
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    codes = np.empty((n, k))
    meta: dict[str, dict] = {}
    thresholds = np.asarray(_THRESHOLDS)
    for j, it in enumerate(instrument.items):
        lam, offset = _ITEM_PARAMS.get(it["id"], _DEFAULT_ITEM_PARAMS)
        mu = cp["latent_means"][it["dimension"]] + offset
        ystar = mu + lam * factors[:, dim[it["dimension"]]] + math.sqrt(1 - lam**2) * \
            rng.standard_normal(n)
        if it["reverse"]:
            ystar = 6.0 - ystar
        codes[:, j] = 1.0 + np.searchsorted(thresholds, ystar, side="left")
        category_item = it["id"] not in _GENERIC_ITEM_IDS
        rate = _ITEM_MISSING.get(it["id"], _MISSING_REVERSE if it["reverse"] else (
            _MISSING_CATEGORY_ITEM if category_item else _MISSING_BASE))
        codes[rng.random(n) < rate, j] = np.nan
        meta[it["id"]] = {"dimension": it["dimension"], "loading": lam, "latent_mean": mu,
                          "reverse": it["reverse"], "missing_rate": rate}
    return codes, meta


_GENERIC_ITEM_IDS = frozenset(
    i for i in _ITEM_PARAMS
    if not i.startswith(("app_", "apl_", "bty_", "baby_"))
)


def _dimension_scores(codes: np.ndarray, instrument: _Instrument) -> np.ndarray:
    """Observed dimension scores: mean of answered items after reverse-keying."""
    keyed = codes.copy()
    rev = np.array([it["reverse"] for it in instrument.items])
    keyed[:, rev] = 6.0 - keyed[:, rev]
    out = np.full((codes.shape[0], len(DIMENSIONS)), np.nan)
    for j, d in enumerate(DIMENSIONS):
        cols = [i for i, it in enumerate(instrument.items) if it["dimension"] == d]
        block = keyed[:, cols]
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        ok = answered >= 0.5 * len(cols)
        out[ok, j] = total[ok] / answered[ok]
    return out


def _outcomes(rng: np.random.Generator, scores: np.ndarray, returning: np.ndarray,
              age: np.ndarray) -> dict[str, np.ndarray]:
    n = scores.shape[0]
    filled = np.where(np.isnan(scores), np.nanmean(scores, axis=0), scores)
    w = np.array([OVERALL_WEIGHTS[d] for d in DIMENSIONS])
    overall_cont = _OVERALL_INTERCEPT + filled @ w + _OVERALL_NOISE_SD * rng.standard_normal(n)
    overall = np.clip(np.round(overall_cont), 1, 5)
    b = np.array([REPURCHASE_LOGIT[d] for d in DIMENSIONS])
    eta = (REPURCHASE_LOGIT["const"] + filled @ b
           + REPURCHASE_LOGIT["customer_type[returning]"] * returning)
    repurchase = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    nps = np.clip(np.round(_NPS_MODEL["const"] + _NPS_MODEL["overall_sat"] * overall
                           + _NPS_MODEL["noise_sd"] * rng.standard_normal(n)), 0, 10)
    intent = np.clip(np.round(_INTENT_MODEL["const"] + _INTENT_MODEL["overall_sat"] * overall
                              + _INTENT_MODEL["customer_type[returning]"] * returning
                              + _INTENT_MODEL["noise_sd"] * rng.standard_normal(n)), 1, 5)
    med = np.array([_EXPECTED_REPLY_MEDIAN_BY_AGE[a] for a in _AGE_LEVELS])[age]
    expected = np.clip(np.round(med * np.exp(_EXPECTED_REPLY_SIGMA * rng.standard_normal(n)), 1),
                       0.5, 1440.0)
    return {"overall_sat": overall, "nps": nps, "repurchase_intent": intent,
            "repurchase": repurchase, "expected_reply_min": expected}


def _clean_traps(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "trap_attention": np.full(n, 2.0),
        "trap_rude": rng.choice(np.array([1.0, 2.0, 3.0]), size=n, p=(0.45, 0.35, 0.20)),
    }


def _durations(rng: np.random.Generator, n: int, kind: np.ndarray) -> np.ndarray:
    d = _DURATION
    lo = ndtr(math.log(d["clean_floor_share"]) / d["sigma"])
    z = ndtri(lo + (1 - lo) * rng.random(n))
    dur = d["median_sec"] * np.exp(d["sigma"] * z)
    tail = rng.random(n) < d["long_tail_rate"]
    dur = np.where(tail, dur * rng.uniform(2, 6, n), dur)
    sp = kind == "speeder"
    dur[sp] = d["median_sec"] * rng.uniform(d["speeder_share_low"], d["speeder_share_high"],
                                            int(sp.sum()))
    return np.round(dur, 1)


# ============================================================================ open answers
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


def _open_answers(rng: np.random.Generator, category: str, n: int, scores: np.ndarray,
                  overall: np.ndarray, kind: np.ndarray) -> dict[str, Any]:
    cp = _CATEGORY_PARAMS[category]
    share = np.array([cp["theme_share"].get(t, _BASE_THEME_SHARE[t]) for t in THEMES])
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    # probability of each theme: planted share x dissatisfaction multiplier of its dimension
    sc = np.where(np.isnan(scores), np.nanmean(scores, axis=0), scores)
    dev = sc - sc.mean(axis=0)
    p = np.empty((n, len(THEMES)))
    for j, t in enumerate(THEMES):
        mult = np.exp(-_THEME_SCORE_SLOPE * dev[:, dim[_THEME_DIMENSION[t]]])
        p[:, j] = share[j] * mult / mult.mean()
    p[kind == "trap_failure"] = share           # random answers: base shares
    p[(kind == "straightliner") | (kind == "speeder")] = 0.0
    p = np.minimum(p, 0.95)
    mention = rng.random(p.shape) < p
    # keep at most three themes per answer, in random order
    keys = np.where(mention, rng.random(p.shape), np.inf)
    order = np.argsort(keys, axis=1, kind="stable")[:, :_MAX_THEMES]
    n_themes = np.minimum(mention.sum(axis=1), _MAX_THEMES)
    kept = np.zeros_like(mention)
    rows = np.arange(n)
    for s in range(_MAX_THEMES):
        ok = s < n_themes
        kept[rows[ok], order[ok, s]] = True

    zh_flat, zh_off, zh_len = _flat_templates(_THEME_TEXTS_ZH)
    en_flat, en_off, en_len = _flat_templates(_THEME_TEXTS_EN)
    sentences = []
    n_english = 0
    for s in range(_MAX_THEMES):
        th = order[:, s]
        english = rng.random(n) < _ENGLISH_RATE
        n_english += int((english & (n_themes > s)).sum())
        u = rng.random(n)
        zh = zh_flat[zh_off[th] + np.floor(u * zh_len[th]).astype(int)]
        en = en_flat[en_off[th] + np.floor(u * en_len[th]).astype(int)]
        sentences.append(np.where(english, en, zh))
    numbered = rng.random(n) < _NUMBERED_RATE
    conn = [_pick(rng, _CONNECTORS, n) for _ in range(_MAX_THEMES - 1)]
    prefix = _pick(rng, _PREFIXES, n)
    suffix = _pick(rng, _SUFFIXES, n)
    plain = sentences[0].copy()
    num = "1." + sentences[0]
    for s in range(1, _MAX_THEMES):
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
        [_pick(rng, _SHORT_ANSWERS, n), _pick(rng, _NEGATED_PRAISE, n), _pick(rng, _OFF_LIST, n)],
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
    typo_kind = rng.integers(0, len(_TYPOS), n)
    typo_rows = np.flatnonzero((rng.random(n) < _TYPO_RATE) & (n_themes > 0))
    n_typos = 0
    for i in typo_rows:  # the first typo pair (from a random start) whose word occurs
        for step in range(len(_TYPOS)):
            a, b = _TYPOS[(typo_kind[i] + step) % len(_TYPOS)]
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
            improve[i] = _SCRIPT if improve[i] is None else f"{improve[i]}{_SCRIPT}"
        else:
            exceed[i] = f"{_SCRIPT}{exceed[i]}"

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
    }


# ============================================================================ frames
def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    s = pd.Series(numbers).astype(str).str.zfill(width)
    return (prefix + s).to_numpy(dtype=object)


def _order_ids(rng: np.random.Generator, order_sec: np.ndarray, start: np.datetime64) -> np.ndarray:
    """``O`` + yymmdd of the order + 8 unique digits."""
    day = (start + order_sec.astype("timedelta64[s]")).astype("datetime64[D]")
    ymd = pd.Series(np.datetime_as_string(day, unit="D")).str.replace("-", "", regex=False).str[2:]
    tail = rng.choice(10**8, size=order_sec.size, replace=False)
    return ("O" + ymd + pd.Series(tail).astype(str).str.zfill(8)).to_numpy(dtype=object)


def _column(values: Any, order: np.ndarray) -> Any:
    """One frame column in ``order``: text as the pandas string dtype, numbers as they are."""
    if isinstance(values, _Codes):
        return values.to_array(order)
    v = np.asarray(values)[order]
    return pd.array(v, dtype="str") if v.dtype == object else v


def _frame(cols: dict[str, Any], columns: list[str], order: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({c: _column(cols[c], order) for c in columns}, columns=columns)


def _ticket_frame(tix: dict, cust_ids: np.ndarray, order_ids: np.ndarray,
                  start: np.datetime64, prefix: str) -> pd.DataFrame:
    order = np.lexsort((tix["owner"], tix["created_sec"]))
    m = order.size
    width = max(7, len(str(m)))
    owner = tix["owner"][order]
    data = {
        "ticket_id": pd.array([f"T-{prefix}-{i:0{width}d}" for i in range(1, m + 1)], dtype="str"),
        "customer_id": pd.array(cust_ids[owner], dtype="str"),
        "order_id": pd.array(order_ids[owner], dtype="str"),
        "created_at": start + tix["created_sec"][order].astype("timedelta64[s]"),
    }
    for c in TICKET_COLUMNS:
        if c in data:
            continue
        data[c] = _column(tix[c], order)
    return pd.DataFrame(data, columns=list(TICKET_COLUMNS))


_CSV_SPECIAL = r'[",\r\n]'
_CSV_CHUNK_ROWS = 200_000


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _fixed(values: np.ndarray, decimals: int) -> pa.Array:
    """Floats as ``%.{decimals}f`` text (null for NaN), vectorised."""
    x = np.asarray(values, dtype=float)
    nan = np.isnan(x)
    scale = 10**decimals
    scaled = np.round(np.abs(np.where(nan, 0.0, x)) * scale).astype(np.int64)
    whole = pa.array(scaled // scale).cast(pa.large_string())
    text = whole
    if decimals:
        frac = pc.utf8_lpad(pa.array(scaled % scale).cast(pa.large_string()), width=decimals,
                            padding="0")
        text = pc.binary_join_element_wise(whole, frac, _lit("."))
    text = pc.if_else(pa.array(x < 0), pc.binary_join_element_wise(_lit("-"), text, _lit("")),
                      text)
    return pc.if_else(pa.array(nan), pa.scalar(None, pa.large_string()), text)


def _csv_text(series: pd.Series, *, decimals: int | None) -> pa.Array:
    """One column as CSV cell text (null = empty cell), formatted like ``DataFrame.to_csv``.

    Text is quoted when it contains a comma, a quote or a line break (quotes doubled);
    integer-valued float codes are written without decimals; ``decimals`` gives the fixed
    format of a float column; booleans are ``True``/``False``; datetimes ISO 8601.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        ts = pa.array(series.to_numpy(dtype="datetime64[s]"))
        return pc.strftime(ts, format="%Y-%m-%dT%H:%M:%S").cast(pa.large_string())
    if pd.api.types.is_bool_dtype(series):
        return pc.if_else(pa.array(series.to_numpy(dtype=bool)), _lit("True"), _lit("False"))
    if pd.api.types.is_float_dtype(series):
        x = series.to_numpy(dtype=float)
        if decimals is None and not np.all(np.isnan(x) | (x == np.round(x))):
            raise ValueError(f"column {series.name!r} holds non-integer floats; give its decimals")
        return _fixed(x, 0 if decimals is None else decimals)
    if pd.api.types.is_integer_dtype(series):
        return pa.array(series.to_numpy()).cast(pa.large_string())
    text = pa.array(series.astype("str"), from_pandas=True).cast(pa.large_string())
    special = pc.fill_null(pc.match_substring_regex(text, _CSV_SPECIAL), False)
    if not pc.any(special).as_py():
        return text
    quoted = pc.binary_join_element_wise(
        _lit('"'), pc.replace_substring(text, '"', '""'), _lit('"'), _lit(""))
    return pc.if_else(special, quoted, text)


def _write_csv(df: pd.DataFrame, path: Path, *, decimals: Mapping[str, int]) -> None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends, fast and byte-stable.

    Produces the bytes of ``df.to_csv(index=False, lineterminator="\\n")`` with integer
    codes for float columns not in ``decimals`` and fixed decimals for those in it, but builds
    the text with vectorised Arrow string kernels (pandas' writer needs ~10 s per million rows).
    """
    for c in df.columns:
        if re.search(_CSV_SPECIAL, str(c)):
            raise ValueError(f"column name {c!r} would need quoting in {path}")
    cells = [pc.fill_null(_csv_text(df[c], decimals=decimals.get(c)), _lit(""))
             for c in df.columns]
    with open(path, "wb") as fh:
        fh.write((",".join(map(str, df.columns)) + "\n").encode("utf-8"))
        for lo in range(0, len(df), _CSV_CHUNK_ROWS):
            part = [c.slice(lo, _CSV_CHUNK_ROWS) for c in cells]
            rows = pc.binary_join_element_wise(*part, _lit(","))
            lines = pc.binary_join_element_wise(rows, _lit(""), _lit("\n"))
            joined = pc.binary_join(pa.LargeListArray.from_arrays(
                pa.array([0, len(lines)], type=pa.int64()), lines), _lit(""))
            fh.write(joined[0].as_py().encode("utf-8"))


# ============================================================================ truth
def _share(mask: np.ndarray | pd.Series) -> float:
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else float("nan")


def _nps_value(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(100.0 * ((x >= 9).mean() - (x <= 6).mean()))


def _truth(*, category: str, n: int, seed: int, wave: str, cp: dict, instrument: _Instrument,
           item_meta: dict, kind: np.ndarray, rid: np.ndarray, responses: pd.DataFrame,
           scores: np.ndarray, tickets: pd.DataFrame, text: dict, trap_fp: np.ndarray,
           counts: dict, order: np.ndarray, n_tickets: np.ndarray, seg: dict) -> dict:
    careless = {k: sorted(rid[kind == k].tolist()) for k in _CARELESS_RATES}
    clean_gen = kind == ""
    clean = clean_gen[order]  # row order of ``responses``
    df = responses
    obs_means = {d: float(np.nanmean(scores[clean_gen, j])) for j, d in enumerate(DIMENSIONS)}
    rep = df["repurchase"].to_numpy()
    age_code = seg["age_group"].codes[order]
    pref_code = seg["preferred_channel"].codes[order]
    age_n = np.bincount(age_code, minlength=len(_AGE_LEVELS))
    age_pref_n = np.bincount(age_code * len(_PREFERRED) + pref_code,
                             minlength=len(_AGE_LEVELS) * len(_PREFERRED)).reshape(
        len(_AGE_LEVELS), len(_PREFERRED))

    # ticket KPIs
    frt = tickets["first_response_min"].to_numpy()
    res = tickets["resolution_hours"].to_numpy()
    by = {h: np.asarray(tickets["handled_by"] == h, dtype=bool) for h in _HANDLERS}
    high = np.asarray(tickets["severity"] == "high", dtype=bool)
    bot_started = ~by["human"]
    handoff = tickets["handoff_min"].to_numpy()
    fr = cp["first_response"]
    expected_5 = float(ndtr(math.log(5.0 / fr["median_min"]) / fr["sigma"]))
    realised = {
        "n_tickets": int(len(tickets)),
        "first_reply_5min": _share(frt <= 5.0),
        "first_response_median_min": float(np.median(frt)) if frt.size else float("nan"),
        "resolved_24h": _share(res <= 24.0),
        "unresolved": _share(np.isnan(res)),
        "fcr": _share(tickets["first_contact_resolution"]),
        "bot_containment": _share(by["bot"][bot_started & ~high]),
        "bot_containment_all_bot_started": _share(by["bot"][bot_started]),
        "handoff_30min": _share(handoff[by["bot_to_human"]] <= 30.0),
        "repeat_contact": _share(tickets["repeat_contact"]),
        "escalated": _share(tickets["escalated"]),
        "severity_high": _share(high),
        "handled_by": {h: _share(by[h]) for h in _HANDLERS},
        "respondents_with_ticket": _share(n_tickets > 0),
    }
    kpi = {
        "definitions": {
            "first_reply_5min": "share of tickets with first_response_min <= 5",
            "resolved_24h": "share of tickets with resolution_hours <= 24 (unresolved count as no)",
            "fcr": "share of tickets with first_contact_resolution",
            "bot_containment": "share handled_by == 'bot' among normal-severity tickets that "
                               "started with the bot (handled_by bot or bot_to_human)",
            "handoff_30min": "share of bot_to_human tickets with handoff_min <= 30",
        },
        "targets": dict(_KPI_TARGETS),
        "planted": {
            "first_response_median_min": fr["median_min"],
            "first_response_sigma": fr["sigma"],
            "first_reply_5min_expected": expected_5,
            "fcr": cp["fcr"],
            "bot_containment": cp["bot_containment"],
            "handoff_median_min": cp["handoff_median_min"],
            "resolution_median_h": cp["resolution_median_h"],
            "issue_mix": dict(zip(_ISSUES, cp["issue_mix"], strict=True)),
            "severity_high_by_issue": dict(_SEVERITY_HIGH_BY_ISSUE),
            "ticket_count_probabilities": list(_TICKET_COUNT_P),
            "rules": dict(_TICKET_RULES),
        },
        "realised": realised,
        "target_met": {
            k: bool(realised[k] >= _KPI_TARGETS[k]) for k in _KPI_TARGETS
        },
    }

    kept = text["kept"]
    theme_realised = {t: float(kept[:, j].mean()) for j, t in enumerate(THEMES)}
    pii_ids = sorted(rid[text["pii_rows"]].tolist())
    script_ids = sorted(rid[text["script_rows"]].tolist())

    exp_med = df["expected_reply_min"].to_numpy()
    pref_by_age = {
        a: {c: float(age_pref_n[i, j] / age_n[i]) if age_n[i] else None
            for j, c in enumerate(_PREFERRED)}
        for i, a in enumerate(_AGE_LEVELS)
    }
    truth = {
        "generator": {"module": "csat_research.demo.generator", "version": GENERATOR_VERSION},
        "category": category,
        "wave": wave,
        "seed": seed,
        "n": n,
        "columns": list(df.columns),
        "files": {
            "responses.csv": "canonical survey frame; item codes 1-5, empty cell = missing",
            "tickets.csv": "service-ticket log (csat_research.core.schema.TICKET_COLUMNS)",
            "truth_themes.csv": "respondent_id, themes: planted complaint themes of "
                                "open_improve, ';'-joined in the order of themes.ids, "
                                "empty for none",
        },
        "sampling": {
            "design": dict(_SAMPLING),
            "age_mix": dict(zip(_AGE_LEVELS, cp["age_mix"], strict=True)),
            "channel_by_age": {a: dict(zip(_CHANNELS, p, strict=True))
                               for a, p in _CHANNEL_BY_AGE.items()},
            "preferred_channel_by_age": {a: dict(zip(_PREFERRED, p, strict=True))
                                         for a, p in _PREFERRED_BY_AGE.items()},
            "realised_shares": {
                "customer_type[returning]": _share(seg["customer_type"].is_("returning")),
                "frequency_band[high]": _share(seg["frequency_band"].is_("high")),
                "value_band[high]": _share(seg["value_band"].is_("high")),
                "age_group": {a: float(age_n[i] / n) for i, a in enumerate(_AGE_LEVELS)},
            },
            "realised_preferred_channel_by_age": pref_by_age,
        },
        "expected_reply_min": {
            "model": "lognormal, age-specific median, rounded to 0.1 min, clipped 0.5-1440",
            "median_by_age": dict(_EXPECTED_REPLY_MEDIAN_BY_AGE),
            "sigma": _EXPECTED_REPLY_SIGMA,
            "realised_median": float(np.median(exp_med)),
            "realised_median_by_age": {a: float(np.median(exp_med[age_code == i]))
                                       if age_n[i] else None
                                       for i, a in enumerate(_AGE_LEVELS)},
        },
        "latent": {
            "dimensions": list(DIMENSIONS),
            "factor_correlation": [list(r) for r in FACTOR_CORRELATION],
            "category_means": dict(cp["latent_means"]),
            "segment_shifts": {k: dict(v) for k, v in _SEGMENT_SHIFTS.items()},
            "ticket_links": dict(_TICKET_LINKS),
            "item_model": "y* = latent_mean_j + loading_j * F_d + sqrt(1 - loading_j^2) * e, "
                          "e ~ N(0, 1); reverse items: 6 - y*; code = 1 + #(thresholds < y*)",
            "thresholds": list(_THRESHOLDS),
            "items": item_meta,
            "reverse_items": [i["id"] for i in instrument.items if i["reverse"]],
        },
        "weakest_dimension": cp["weakest_dimension"],
        "dimension_score_definition": (
            "mean of the answered items of the dimension after reverse-keying (6 - x for "
            "reverse items); NaN when fewer than half of its items are answered"
        ),
        "dimension_items": {d: [i["id"] for i in instrument.items if i["dimension"] == d]
                            for d in DIMENSIONS},
        "observed_dimension_means_clean": obs_means,
        "overall_sat_model": {
            "formula": "overall_sat = round(clip(intercept + sum_d weight_d * score_d + "
                       "N(0, noise_sd), 1, 5)); NaN scores replaced by the sample mean",
            "intercept": _OVERALL_INTERCEPT,
            "weights": dict(OVERALL_WEIGHTS),
            "noise_sd": _OVERALL_NOISE_SD,
        },
        "most_important_dimension": max(OVERALL_WEIGHTS, key=OVERALL_WEIGHTS.get),
        "repurchase_logit": dict(REPURCHASE_LOGIT),
        "repurchase_model": "repurchase ~ Bernoulli(1 / (1 + exp(-(const + sum_d b_d score_d "
                            "+ b * [customer_type == returning])))), observed scores of the "
                            "model answers (also for careless respondents: behaviour)",
        "nps_model": dict(_NPS_MODEL, formula="nps = round(clip(const + b * overall_sat + "
                                              "N(0, noise_sd), 0, 10))"),
        "repurchase_intent_model": dict(_INTENT_MODEL),
        "realised": {
            "csat_mean_all": float(np.nanmean(df["overall_sat"])),
            "csat_mean_clean": float(np.nanmean(df["overall_sat"].to_numpy()[clean])),
            "csat_top2box_clean": _share(df["overall_sat"].to_numpy()[clean] >= 4),
            "repurchase_rate_all": float(np.mean(rep)),
            "repurchase_rate_clean": float(np.mean(rep[clean])),
            "nps_all": _nps_value(df["nps"].to_numpy()),
            "nps_clean": _nps_value(df["nps"].to_numpy()[clean]),
            "item_missing_share": float(np.isnan(
                df[[i["id"] for i in instrument.items]].to_numpy()).mean()),
        },
        "careless": careless,
        "careless_design": {
            "rates": dict(_CARELESS_RATES),
            "counts": {k: int(v) for k, v in counts.items()},
            "duration": dict(_DURATION),
            "straightliner": "same code (3: 20 %, 4: 50 %, 5: 30 %) on every item, no missing; "
                             "traps passed; overall_sat = repurchase_intent = that code",
            "trap_failure": "trap_attention != 2 (60 %), trap_rude in 4-5 (25 %) or both "
                            "(15 %); items and ratings uniformly random",
            "speeder": "duration 0.08-0.28 x 420 s; 35 % of item cells random; traps passed",
            "duplicate": "same customer_id as an earlier clean respondent, submitted 3+ days "
                         "later in the quarter, new respondent_id and order_id; the later "
                         "response is listed",
            "clean_trap_fail_rate": _CLEAN_TRAP_FAIL_RATE,
        },
        "clean_trap_fail": sorted(rid[trap_fp].tolist()),
        "screening_rules": dict(_SCREENING_RULES),
        "themes": {
            "ids": list(THEMES),
            "dimension_of": dict(_THEME_DIMENSION),
            "top_themes": list(cp["top_themes"]),
            "planted_share": text["planted_share"],
            "realised_share": theme_realised,
            "score_slope": _THEME_SCORE_SLOPE,
            "max_per_answer": _MAX_THEMES,
            "share_with_any_theme": _share(kept.any(axis=1)),
            "model": "P(theme t) = planted_share_t * m / mean(m), m = exp(-score_slope * "
                     "(score_d - mean score_d)) of the theme's dimension; straight-liners and "
                     "speeders mention none; trap failures at the planted shares",
        },
        "top_themes": list(cp["top_themes"]),
        "text": {
            "pii_respondent_ids": pii_ids,
            "pii_counts": text["pii_counts"],
            "script_respondent_ids": script_ids,
            "script": _SCRIPT,
            "typo_pairs": [list(p) for p in _TYPOS],
            "n_typos": text["n_typos"],
            "n_negated_praise": text["n_negated_praise"],
            "negated_praise_texts": list(_NEGATED_PRAISE),
            "english_rate_per_sentence": _ENGLISH_RATE,
            "n_english_sentences": text["n_english_sentences"],
        },
        "kpi": kpi,
    }
    return truth


def _jsonable(obj: Any) -> Any:
    """Plain JSON types with floats rounded to a fixed number of digits (NaN -> None)."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if not math.isfinite(x):
            return None
        return round(x, _JSON_DIGITS) + 0.0
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"cannot write {type(obj).__name__} to truth.json")
