"""Report narrative generated from the results, in Chinese or English (no placeholder prose).

Every sentence is built from numbers in :class:`~csat_research.report.analyse.ReportResults`; the
action library maps a dimension, a complaint theme or a missed KPI to a concrete, field-proven
service action (DOMAIN.md: bot triage with a 30-minute human fallback, first-contact resolution
training, shorter return cycles, proactive logistics alerts, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from csat_research.report.i18n import text

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.analyse import ReportResults

_DIMENSION_ACTIONS = {
    "efficiency": (
        "缩短首次响应：智能客服分流标准问题（约七成可由机器人解决），复杂问题 30 分钟内转人工，并对物流异常主动推送提醒。",
        "Shorten the first reply: let the bot triage standard questions (about 70 % can be settled), route complex "
        "issues to a human within 30 minutes, and push logistics-exception alerts proactively.",
    ),
    "quality": (
        "提升首次联系解决率：建立常见问题解决方案库并开展一线培训（美妆案例 FCR 由 65% 提升至 82%），对重复来电工单设置回访。",
        "Raise first-contact resolution: build a solution library for frequent issues and train front-line agents "
        "(a beauty brand moved FCR from 65 % to 82 %); call back on repeat-contact tickets.",
    ),
    "communication": (
        "规范服务话术、杜绝答非所问：按品类补充产品知识培训，对情绪激动的客户使用安抚与升级流程。",
        "Tighten scripted language and end off-topic answers: add category product-knowledge training and an "
        "empathy-and-escalation routine for upset customers.",
    ),
    "after_sales": (
        "简化退换货：明确政策说明、提供上门取件，压缩退货周期（7 天缩短至 3 天的案例投诉下降 35%）。",
        "Simplify returns: state the policy plainly, offer doorstep pick-up and shorten the return cycle (7 to 3 "
        "days cut complaints by 35 % in one case).",
    ),
    "digital": (
        "优化数字化自助体验：统一微信、App、网页的服务口径，改进工单系统与“机器人+人工兜底”的衔接，并明示隐私保护措施。",
        "Improve digital self-service: align WeChat, app and web answers, smooth the bot-to-human handoff in the "
        "ticket system and state privacy protection clearly.",
    ),
}

_THEME_ACTIONS = {
    "slow_reply": ("设置首响时限看板，高峰时段弹性排班，5 分钟内首次回复率纳入客服 KPI。",
                   "Put a first-reply dashboard in place, staff peaks flexibly and make the 5-minute first-reply rate an agent KPI."),
    "logistics_updates": ("与承运商打通轨迹数据，物流停滞超过 24 小时自动推送说明并主动联系客户。",
                          "Connect carrier tracking data and push an explanation automatically when a parcel stalls for 24 hours."),
    "refund_slow": ("缩短退货质检与退款周期，退款进度实时可查，超时自动升级。",
                    "Shorten return inspection and refund cycles, show refund progress in real time and escalate overdue cases."),
    "bot_unhelpful": ("优化智能客服知识库，识别到连续两次未解决即一键转人工。",
                      "Retrain the bot's knowledge base and hand over to a human after two unresolved turns."),
    "off_topic_answer": ("质检抽查“答非所问”会话，更新标准答复并复训。",
                         "Audit off-topic conversations, update the standard answers and retrain agents."),
    "attitude": ("开展服务态度与共情培训，差评会话 24 小时内回访。",
                 "Run courtesy and empathy training and call back within 24 hours after a negative rating."),
    "product_knowledge": ("按品类建立产品知识库与考核，复杂咨询转专家坐席。",
                          "Build a category product-knowledge base with tests; route complex questions to expert agents."),
    "return_process": ("简化退换货流程，提供上门取件与一键退换。",
                       "Simplify the return and exchange flow with doorstep pick-up and one-click exchange."),
    "installation_repair": ("保障安装与维修时效，备件提前备货并告知预计上门时间。",
                            "Guarantee installation and repair lead times, stock spare parts and announce visit times."),
    "repeat_contact": ("对同一问题的重复来电设置责任人跟进到底，降低重复来电率。",
                       "Give every repeat contact an owner who follows the case to the end."),
    "privacy": ("严格保护客户信息，外呼与短信须经授权，公开隐私政策。",
                "Protect customer data strictly, call or text only with consent and publish the privacy policy."),
}

_KPI_ACTIONS = {
    "first_reply_5min": ("首响 5 分钟达标率未达目标：增加高峰时段人力或机器人分流。",
                         "First replies within 5 minutes miss the target: add peak staffing or bot triage."),
    "resolved_24h": ("24 小时解决率未达目标：超 24 小时未解决工单自动升级。",
                     "Resolution within 24 hours misses the target: escalate tickets unresolved after 24 hours."),
    "fcr": ("首次联系解决率未达目标：完善解决方案库并赋予一线更多处理权限。",
            "First-contact resolution misses the target: extend the solution library and agents' authority."),
    "bot_containment": ("机器人独立解决率偏低：补充高频问题答案并优化意图识别。",
                        "Bot containment is low: add answers to frequent questions and improve intent recognition."),
    "handoff_30min": ("转人工等待过长：复杂问题须在 30 分钟内转接人工。",
                      "Handoffs take too long: complex issues must reach a human within 30 minutes."),
    "high_severity_15min": ("紧急工单（货损、包裹滞留）须在 15 分钟内响应。",
                            "High-severity tickets (damaged goods, stuck parcels) need a response within 15 minutes."),
    "repeat_rate": ("重复来电率偏高：对重复问题设置跟进责任人。", "Repeat contacts are high: assign an owner to repeat issues."),
    "escalation_rate": ("升级率偏高：提升一线解决能力。", "Escalations are high: strengthen front-line resolution."),
}


def _zh(res: ReportResults) -> bool:
    return res.study.lang == "zh"


def _pick(pair: tuple[str, str], res: ReportResults) -> str:
    return pair[0] if _zh(res) else pair[1]


def _dim(res: ReportResults, d: str) -> str:
    return res.study.label(d)


def _theme(res: ReportResults, th: str) -> str:
    from csat_research.report.tables import theme_label_map

    return theme_label_map(res).get(th, th)


def _kpi(res: ReportResults, k: str) -> str:
    try:
        return text(f"kpi.{k}", res.study.lang)
    except KeyError:
        return k


def _q(res: ReportResults, s: str) -> str:
    return f"「{s}」" if _zh(res) else f"'{s}'"


def executive_summary(res: ReportResults) -> list[str]:
    """Four to six sentences with the headline results."""
    s = res.study
    p = s.params
    zh = _zh(res)
    n_read = s.responses.n_rows_read
    n_excl = s.responses.n_excluded + s.screening.n_excluded
    n = len(s.data)
    t = p.targets
    lines = []
    mean_ok = res.csat_mean.mean >= t["csat_mean"]
    nps_ok = res.nps.nps >= t["nps"]
    if zh:
        lines.append(
            f"本期共回收 {n_read:,} 份问卷，经数据质量筛查排除 {n_excl:,} 份（{n_excl / n_read:.1%}），有效样本 {n:,} 份。"
            f"综合满意度指数为 {res.overall.overall:.2f}（5 分制），总体满意度均值 {res.csat_mean.mean:.2f}"
            f"（95% 置信区间 {res.csat_mean.ci_low:.2f}–{res.csat_mean.ci_high:.2f}），"
            f"{'达到' if mean_ok else '未达到'} {t['csat_mean']:.1f} 的目标；满意率 {res.csat_top2box.share:.1%}，"
            f"NPS 为 {res.nps.nps:+.1f}（{res.nps.ci_low:+.1f} 至 {res.nps.ci_high:+.1f}），"
            f"{'达到' if nps_ok else '低于'}目标 {t['nps']:+.0f}。"
        )
    else:
        lines.append(
            f"{n_read:,} responses were received; data-quality screening excluded {n_excl:,} ({n_excl / n_read:.1%}), "
            f"leaving {n:,}. The overall satisfaction index is {res.overall.overall:.2f} on the 1-5 scale; mean overall "
            f"satisfaction is {res.csat_mean.mean:.2f} (95% CI {res.csat_mean.ci_low:.2f}-{res.csat_mean.ci_high:.2f}), "
            f"{'meeting' if mean_ok else 'below'} the {t['csat_mean']:.1f} target; {res.csat_top2box.share:.1%} are "
            f"satisfied (top-2-box) and the NPS is {res.nps.nps:+.1f} ({res.nps.ci_low:+.1f} to {res.nps.ci_high:+.1f}), "
            f"{'meeting' if nps_ok else 'below'} the {t['nps']:+.0f} target."
        )
    sc = res.scores.sort_values("mean")
    lo, hi = sc.iloc[0], sc.iloc[-1]
    if zh:
        lines.append(f"五个维度中得分最低的是{_q(res, _dim(res, lo['dimension']))}（{lo['mean']:.2f}），"
                     f"最高的是{_q(res, _dim(res, hi['dimension']))}（{hi['mean']:.2f}）。")
    else:
        lines.append(f"The weakest dimension is {_q(res, _dim(res, lo['dimension']))} ({lo['mean']:.2f}); the strongest "
                     f"is {_q(res, _dim(res, hi['dimension']))} ({hi['mean']:.2f}).")
    if res.logit_dimensions is not None and res.top_drivers:
        top = res.top_drivers[0]
        c = res.logit_dimensions.coefficients.loc[top]
        second = res.top_drivers[1] if len(res.top_drivers) > 1 else None
        if zh:
            lines.append(
                f"复购的首要驱动因素是{_q(res, _dim(res, top))}"
                + (f"，其次是{_q(res, _dim(res, second))}" if second else "")
                + f"：{_dim(res, top)}得分每提高 1 分，复购几率为原来的 {c['odds_ratio']:.2f} 倍"
                f"（95% 置信区间 {c['or_ci_low']:.2f}–{c['or_ci_high']:.2f}，控制其他维度与客户类型）。"
            )
        else:
            lines.append(
                f"The strongest driver of repurchase is {_q(res, _dim(res, top))}"
                + (f", followed by {_q(res, _dim(res, second))}" if second else "")
                + f": one more point on {_dim(res, top)} multiplies the odds of repurchase by {c['odds_ratio']:.2f} "
                f"(95% CI {c['or_ci_low']:.2f}-{c['or_ci_high']:.2f}, other dimensions and customer type held constant)."
            )
    if res.text is not None and res.top_themes:
        th = res.text.themes.set_index("theme")
        parts = [f"{_q(res, _theme(res, x))}（{th.loc[x, 'share']:.1%}）" if zh else
                 f"{_q(res, _theme(res, x))} ({th.loc[x, 'share']:.1%})" for x in res.top_themes[:3]]
        if zh:
            lines.append(f"在 {res.text.n_answers:,} 条改进建议中，提及最多的问题是" + "、".join(parts) + "。")
        else:
            lines.append(f"Among {res.text.n_answers:,} improvement suggestions the most frequent complaints are "
                         + ", ".join(parts) + ".")
    if res.kpis is not None:
        k = res.kpis[res.kpis["met"].notna() & (res.kpis["kpi"] != "median_first_response_min")]
        met = int(k["met"].astype(bool).sum())
        missed = k[~k["met"].astype(bool)]
        if zh:
            line = f"服务水平方面，{len(k)} 项有目标的指标中 {met} 项达标"
            if len(missed):
                worst = missed.sort_values("gap").iloc[0]
                line += (f"；差距最大的是{_q(res, _kpi(res, worst['kpi']))}（{worst['value']:.1%}，"
                         f"目标 {worst['target']:.0%}）")
            lines.append(line + "。")
        else:
            line = f"Service levels: {met} of {len(k)} KPIs with a target are met"
            if len(missed):
                worst = missed.sort_values("gap").iloc[0]
                line += (f"; the largest gap is {_q(res, _kpi(res, worst['kpi']))} ({worst['value']:.1%} against "
                         f"{worst['target']:.0%})")
            lines.append(line + ".")
    rel = res.reliability
    rel = rel[rel["dimension"].isin(list(s.dimensions))] if "dimension" in rel else rel
    if len(rel):
        a_lo, a_hi = float(rel["alpha"].min()), float(rel["alpha"].max())
        fit = ""
        if res.cfa is not None:
            fit = (f"，验证性因子分析拟合 CFI = {res.cfa.cfi:.3f}、RMSEA = {res.cfa.rmsea:.3f}" if zh else
                   f"; the confirmatory factor model fits with CFI = {res.cfa.cfi:.3f}, RMSEA = {res.cfa.rmsea:.3f}")
        ok = a_lo >= p.thresholds["alpha"]
        if zh:
            lines.append(f"量表信度{'良好' if ok else '需关注'}：各维度 Cronbach α 在 {a_lo:.2f}–{a_hi:.2f} 之间{fit}。")
        else:
            lines.append(f"The scale is {'reliable' if ok else 'of doubtful reliability'}: Cronbach's alpha ranges "
                         f"{a_lo:.2f}-{a_hi:.2f} across dimensions{fit}.")
    return lines


def recommendations(res: ReportResults) -> list[str]:
    """Three recommended actions derived from the IPA matrix, the complaint themes and the KPIs."""
    out: list[str] = []
    zh = _zh(res)
    ipa = res.ipa
    idx = ipa["dimension"] if "dimension" in ipa else ipa.index
    ipa = ipa.assign(_dim=list(idx))
    fix = ipa[ipa["quadrant"] == "fix_first"].sort_values("importance", ascending=False)
    dim = fix["_dim"].iloc[0] if len(fix) else res.weakest_dimension
    why = ("重要性高、表现偏低" if zh else "high importance, low performance") if len(fix) else (
        "得分最低" if zh else "lowest score")
    out.append(f"{_q(res, _dim(res, dim))}（{why}）：{_pick(_DIMENSION_ACTIONS[dim], res)}" if zh else
               f"{_q(res, _dim(res, dim))} ({why}): {_pick(_DIMENSION_ACTIONS[dim], res)}")
    themes = [t for t in res.top_themes if t in _THEME_ACTIONS]
    if themes:
        th = themes[0]
        share = float(res.text.themes.set_index("theme").loc[th, "share"])
        out.append(f"{_q(res, _theme(res, th))}（{share:.1%} 的改进建议提及）：{_pick(_THEME_ACTIONS[th], res)}" if zh else
                   f"{_q(res, _theme(res, th))} (named in {share:.1%} of suggestions): {_pick(_THEME_ACTIONS[th], res)}")
    kpi_line = None
    if res.kpis is not None:
        missed = res.kpis[res.kpis["met"].notna() & ~res.kpis["met"].fillna(True).astype(bool)]
        missed = missed[missed["kpi"].isin(list(_KPI_ACTIONS))].sort_values("gap")
        if len(missed):
            k = missed.iloc[0]
            kpi_line = (f"{_q(res, _kpi(res, k['kpi']))}（{k['value']:.1%}，目标 {k['target']:.0%}）：{_pick(_KPI_ACTIONS[k['kpi']], res)}"
                        if zh else
                        f"{_q(res, _kpi(res, k['kpi']))} ({k['value']:.1%} against {k['target']:.0%}): "
                        f"{_pick(_KPI_ACTIONS[k['kpi']], res)}")
    if kpi_line is None and len(themes) > 1:
        th = themes[1]
        kpi_line = f"{_q(res, _theme(res, th))}：{_pick(_THEME_ACTIONS[th], res)}" if zh else \
            f"{_q(res, _theme(res, th))}: {_pick(_THEME_ACTIONS[th], res)}"
    if kpi_line is None:
        second = next((d for d in res.scores.sort_values("mean")["dimension"] if d != dim), None)
        if second:
            kpi_line = f"{_q(res, _dim(res, second))}：{_pick(_DIMENSION_ACTIONS[second], res)}"
    if kpi_line:
        out.append(kpi_line)
    return out[:3]


def quality_text(res: ReportResults) -> list[str]:
    s = res.study
    zh = _zh(res)
    sc = s.screening
    parts = [f"{text('rule.' + r.rule, s.lang)} {int(r.n_excluded)}" for r in sc.summary.itertuples() if r.n_excluded]
    flagged = [f"{text('rule.' + r.rule, s.lang)} {int(r.n_flagged)}" for r in sc.summary.itertuples()
               if r.n_flagged and r.action == "flag"]
    if zh:
        out = [f"导入 {s.responses.n_rows_read:,} 行，导入阶段排除 {s.responses.n_excluded:,} 行；筛查 {sc.n_total:,} 位受访者，"
               f"排除 {sc.n_excluded:,} 位（{sc.n_excluded / max(sc.n_total, 1):.1%}）：" + ("，".join(parts) or "无") + "。"]
        if flagged:
            out.append("仅标记、未排除：" + "，".join(flagged) + "。被排除的样本保留在审计表中（完整名单见 tables.xlsx）。")
    else:
        out = [f"{s.responses.n_rows_read:,} rows imported, {s.responses.n_excluded:,} set aside at import; "
               f"{sc.n_total:,} respondents screened, {sc.n_excluded:,} excluded "
               f"({sc.n_excluded / max(sc.n_total, 1):.1%}): " + (", ".join(parts) or "none") + "."]
        if flagged:
            out.append("Flagged but kept: " + ", ".join(flagged) + ". Excluded respondents stay in the audit table "
                       "(full list in tables.xlsx).")
    return out


def repurchase_text(res: ReportResults) -> list[str]:
    m = res.logit_overall
    if m is None:
        return []
    c = m.coefficients.loc["overall_sat"]
    curve = res.repurchase_curve
    zh = _zh(res)
    lo = float(np.interp(2.0, curve.iloc[:, 0], curve["probability"])) if len(curve) else np.nan
    hi = float(np.interp(5.0, curve.iloc[:, 0], curve["probability"])) if len(curve) else np.nan
    if zh:
        return [f"逻辑回归（n = {m.n_obs:,}，McFadden 伪 R² = {m.pseudo_r2:.3f}，稳健标准误）显示：总体满意度每提高 1 分，"
                f"复购几率为原来的 {c['odds_ratio']:.2f} 倍（95% 置信区间 {c['or_ci_low']:.2f}–{c['or_ci_high']:.2f}）；"
                f"预测复购概率从满意度 2 分时的 {lo:.0%} 升至 5 分时的 {hi:.0%}。"]
    return [f"A logistic regression (n = {m.n_obs:,}, McFadden pseudo-R² = {m.pseudo_r2:.3f}, robust SEs) shows that "
            f"one more point of overall satisfaction multiplies the odds of repurchase by {c['odds_ratio']:.2f} "
            f"(95% CI {c['or_ci_low']:.2f}-{c['or_ci_high']:.2f}); the predicted repurchase probability rises from "
            f"{lo:.0%} at satisfaction 2 to {hi:.0%} at 5."]


def ordered_text(res: ReportResults) -> list[str]:
    """One sentence introducing the ordered logit of repurchase intention."""
    m = res.ordered
    if m is None:
        return []
    top = m.coefficients.drop(index=[t for t in m.coefficients.index if "[" in t]).sort_values("odds_ratio").index[-1]
    c = m.coefficients.loc[top]
    if _zh(res):
        return [f"复购意向（5 级）的有序 Logit 模型（n = {m.n_obs:,}）：{_q(res, _dim(res, top))}的影响最大，"
                f"得分每提高 1 分，意向提高一级以上的几率为原来的 {c['odds_ratio']:.2f} 倍"
                f"（95% 置信区间 {c['or_ci_low']:.2f}–{c['or_ci_high']:.2f}）。"]
    return [f"An ordered logit of repurchase intention (5 levels, n = {m.n_obs:,}) finds {_q(res, _dim(res, top))} "
            f"strongest: one more point multiplies the odds of a higher intention by {c['odds_ratio']:.2f} "
            f"(95% CI {c['or_ci_low']:.2f}-{c['or_ci_high']:.2f})."]


def method_text(res: ReportResults) -> list[str]:
    s = res.study
    p = s.params
    zh = _zh(res)
    wm = text(f"weights.{p.weighting.method}", s.lang)
    w = "、".join(f"{_dim(res, d)} {v:.0%}" for d, v in s.index_weights.items()) if zh else \
        ", ".join(f"{_dim(res, d)} {v:.0%}" for d, v in s.index_weights.items())
    ahp = ""
    if s.ahp is not None:
        ahp = (f"AHP 一致性比率 CR = {s.ahp.consistency_ratio:.3f}（上限 {s.ahp.max_cr:.2f}）"
               + ("，超出上限但经参数明确允许使用" if s.ahp.overridden else "") + "。") if zh else (
            f"AHP consistency ratio CR = {s.ahp.consistency_ratio:.3f} (limit {s.ahp.max_cr:.2f})"
            + (", above the limit and accepted only by an explicit override" if s.ahp.overridden else "") + ".")
    if zh:
        return [
            "维度得分为该维度各题（反向题已反向计分）的均值，至少需作答 "
            f"{p.quality.min_answered:.0%} 的题目；百分制得分 = (得分 − 1) / 4 × 100。",
            f"综合指数 = Σ 维度得分 × 权重；权重来源：{wm}（{w}）。{ahp}",
            "满意率为 4–5 分占比，置信区间采用 Wilson 法；NPS = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比。",
            "信度：Cronbach α（Feldt 置信区间）与 McDonald ω；效度：验证性因子分析（semopy，ML 估计）、组合信度、AVE 与 HTMT。",
            "复购模型：二元逻辑回归（稳健标准误），意向量表采用有序 Logit；关键驱动因素采用 Shapley/LMG 相对重要性，"
            f"{p.analysis.n_boot} 次自助法置信区间（随机种子 {p.analysis.seed}）。",
            "开放题使用 jieba 分词（项目自有电商客服词典与停用词），主题标注考虑否定表达；引用原话前已屏蔽手机号、邮箱、身份证号、订单号与姓名。",
        ]
    return [
        f"Dimension scores are the mean of the dimension's items (reverse-keyed items reversed), requiring at least "
        f"{p.quality.min_answered:.0%} of the items answered; score (0-100) = (score - 1) / 4 x 100.",
        f"Overall index = sum of dimension score x weight; weights: {wm} ({w}). {ahp}",
        "Top-2-box is the share answering 4 or 5 with a Wilson interval; NPS = promoters (9-10) minus detractors (0-6).",
        "Reliability: Cronbach's alpha (Feldt interval) and McDonald's omega; validity: confirmatory factor analysis "
        "(semopy, ML), composite reliability, AVE and HTMT.",
        f"Repurchase: binary logit with robust SEs; ordered logit for intention; key drivers by Shapley/LMG relative "
        f"importance with {p.analysis.n_boot} bootstrap resamples (seed {p.analysis.seed}).",
        "Open answers are segmented with jieba using the project's e-commerce dictionary and stopwords; theme tagging "
        "is negation-aware; phone numbers, e-mails, ID-card and order numbers and names are masked before quoting.",
    ]
