"""Display texts of the reports in Chinese and English.

Identifiers stay English everywhere; Chinese appears only here, in the codebook labels and in
the theme lexicon. :func:`text` looks a key up for a language and fails loudly on a missing key,
so that a report never shows a raw key.

Examples
--------
>>> text("section.summary", "zh"), text("section.summary", "en")
('执行摘要', 'Executive summary')
"""

from __future__ import annotations

LANGS = ("zh", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    # sections
    "section.summary": ("执行摘要", "Executive summary"),
    "section.quality": ("数据质量与样本排除", "Data quality and exclusions"),
    "section.reliability": ("量表信度与效度", "Scale reliability and validity"),
    "section.scores": ("各维度得分与细分人群", "Dimension scores by segment"),
    "section.repurchase": ("满意度与复购", "Satisfaction and repurchase"),
    "section.drivers": ("关键驱动因素与重要性-表现矩阵", "Key drivers and the importance-performance matrix"),
    "section.cross": ("交叉分析", "Cross analysis"),
    "section.text": ("开放题分析", "Open-answer analysis"),
    "section.kpi": ("服务水平指标", "Service-level KPIs"),
    "section.category": ("品类专项服务", "Category-specific service"),
    "section.method": ("方法说明", "Methodology"),
    # categories
    "category.appliances": ("家电", "Appliances"),
    "category.apparel": ("服饰", "Apparel"),
    "category.beauty": ("美妆", "Beauty"),
    "category.baby": ("母婴", "Baby"),
    "category.other": ("其他", "Other"),
    "report.subtitle": ("客户服务满意度研究", "Customer-service satisfaction study"),
    "section.actions": ("建议优先行动", "Recommended actions"),
    "section.notes": ("分析备注", "Analysis notes"),
    "chart.dimension_scores": ("各维度得分（均值与 95% 置信区间）", "Dimension scores (mean and 95% CI)"),
    "notes.intro": ("以下为分析过程中的技术备注（样本缺失、剔除与小样本提示，原文为英文），供研究人员复核。",
                    "Technical notes from the analysis (missing answers, exclusions, small bases), for researchers to review."),
    # headline figures
    "overall_index": ("综合满意度指数", "Overall satisfaction index"),
    "csat_mean": ("总体满意度均值", "Mean overall satisfaction"),
    "csat_top2box": ("满意率（4-5分占比）", "CSAT (top-2-box share)"),
    "nps": ("净推荐值 NPS", "Net Promoter Score"),
    "n_responses": ("回收样本", "Responses received"),
    "n_analysed": ("有效样本", "Responses analysed"),
    "n_excluded": ("排除样本", "Responses excluded"),
    "target": ("目标", "target"),
    "met": ("达标", "met"),
    "missed": ("未达标", "missed"),
    "weight": ("权重", "weight"),
    "score": ("得分", "score"),
    "score_100": ("百分制得分", "score (0-100)"),
    "importance": ("重要性", "importance"),
    "performance": ("表现（得分）", "performance (score)"),
    "probability": ("复购概率", "repurchase probability"),
    "share": ("占比", "share"),
    "count": ("次数", "count"),
    "dimension": ("维度", "dimension"),
    "segment": ("细分变量", "segment"),
    "level": ("群体", "group"),
    "theme": ("主题", "theme"),
    "quote": ("原话（已脱敏）", "verbatim (masked)"),
    # quadrants
    "quadrant.fix_first": ("优先改进", "Fix first"),
    "quadrant.keep_up": ("继续保持", "Keep up"),
    "quadrant.low_priority": ("次要改进", "Low priority"),
    "quadrant.possible_overkill": ("可能过度投入", "Possible overkill"),
    # quality rules
    "rule.trap": ("陷阱题未通过", "Failed a trap question"),
    "rule.reverse_contradiction": ("正反向题矛盾", "Contradicts a reverse-keyed twin"),
    "rule.straightline": ("直线作答", "Straight-lining"),
    "rule.speeder": ("答题过快", "Speeder"),
    "rule.duplicate_id": ("重复答卷编号", "Duplicate respondent id"),
    "rule.repeat_customer": ("半年内重复参与", "Repeat participation within six months"),
    "action.flag": ("仅标记", "flag only"),
    "action.exclude": ("排除", "exclude"),
    # KPIs
    "kpi.first_reply_5min": ("5分钟内首次回复率", "First reply within 5 min"),
    "kpi.resolved_24h": ("24小时内解决率", "Resolved within 24 h"),
    "kpi.fcr": ("首次联系解决率", "First-contact resolution"),
    "kpi.repeat_rate": ("重复来电率", "Repeat-issue rate"),
    "kpi.bot_containment": ("机器人独立解决率", "Bot containment"),
    "kpi.handoff_30min": ("30分钟内转人工率", "Handoff to a human within 30 min"),
    "kpi.escalation_rate": ("升级率", "Escalation rate"),
    "kpi.median_first_response_min": ("首次回复时长中位数", "Median first reply time"),
    "kpi.high_severity_15min": ("紧急工单15分钟响应率", "High-severity response within 15 min"),
    # weighting
    "weights.ahp": ("AHP 层次分析法", "AHP pairwise comparison"),
    "weights.expert": ("专家赋权", "expert weights"),
    "weights.data": ("数据驱动（Shapley 相对重要性）", "data-driven (Shapley relative importance)"),
    # verdict
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
}


def text(key: str, lang: str = "zh") -> str:
    """The display text of ``key`` in ``lang`` (``zh`` or ``en``).

    Raises
    ------
    ValueError
        For an unknown language.
    KeyError
        For an unknown key, naming it.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}; got {lang!r}")
    try:
        zh, en = _TEXTS[key]
    except KeyError:
        raise KeyError(f"no display text for key {key!r}") from None
    return zh if lang == "zh" else en


def texts(prefix: str, lang: str = "zh") -> dict[str, str]:
    """All texts whose key starts with ``prefix + '.'``, keyed by the rest of the key.

    >>> texts("quadrant", "en")["fix_first"]
    'Fix first'
    """
    p = prefix + "."
    return {k[len(p):]: text(k, lang) for k in _TEXTS if k.startswith(p)}
