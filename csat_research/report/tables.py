"""Presentation of report results: labelled display tables, prose blocks and the xlsx export.

Statistics are never computed here; these functions relabel (codebook / i18n labels in the
report language), order and format what :func:`csat_research.report.analyse.analyse` produced. All text
that reaches HTML is escaped: open answers are data, never markup.
"""

from __future__ import annotations

import datetime
import html
import io
import math
import warnings
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import is_bool, is_float, is_integer, is_scalar

from csat_research.core.files import atomic_write_bytes
from csat_research.report.i18n import text, texts

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from csat_research.report.analyse import ReportResults


def _t(res: ReportResults, key: str) -> str:
    return text(key, res.study.lang)


def _zh(res: ReportResults) -> bool:
    return res.study.lang == "zh"


def _label(res: ReportResults, id_: str) -> str:
    try:
        return res.study.label(id_)
    except (KeyError, ValueError):
        return id_


def _term_label(res: ReportResults, term: str) -> str:
    """``customer_type[returning]`` -> '客户类型：老客'."""
    if term == "const":
        return "常数项" if _zh(res) else "Intercept"
    if "[" in term and term.endswith("]"):
        col, level = term[:-1].split("[", 1)
        try:
            level_label = res.study.codebook.level_labels(col, res.study.lang).get(level, level)
        except (KeyError, ValueError):
            level_label = level
        return f"{_label(res, col)}{'：' if _zh(res) else ': '}{level_label}"
    return _label(res, term)


def prose(lines: Iterable[str], *, bullets: bool = False) -> str:
    """Escaped HTML paragraphs (or a bullet list) from plain-text lines."""
    items = [html.escape(str(line)) for line in lines if str(line).strip()]
    if bullets:
        return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    return "".join(f"<p>{i}</p>" for i in items)


def headline_cards(res: ReportResults) -> str:
    """HTML cards for the overall index, CSAT, top-2-box and NPS against their targets."""
    p = res.study.params
    cards = [
        (_t(res, "overall_index"), f"{res.overall.overall:.2f}", "1-5", None),
        (_t(res, "csat_mean"), f"{res.csat_mean.mean:.2f}", f"{_t(res, 'target')} {p.targets['csat_mean']:.1f}",
         res.csat_mean.mean >= p.targets["csat_mean"]),
        (_t(res, "csat_top2box"), f"{res.csat_top2box.share:.1%}",
         f"{_t(res, 'target')} {p.targets['csat_top2box']:.0%}", res.csat_top2box.share >= p.targets["csat_top2box"]),
        (_t(res, "nps"), f"{res.nps.nps:+.1f}", f"{_t(res, 'target')} {p.targets['nps']:+.0f}",
         res.nps.nps >= p.targets["nps"]),
        (_t(res, "n_analysed"), f"{len(res.study.data):,}",
         f"{_t(res, 'n_excluded')} {res.study.screening.n_excluded + res.study.responses.n_excluded:,}", None),
    ]
    out = []
    for title, value, sub, ok in cards:
        cls = "" if ok is None else (" csat-ok" if ok else " csat-miss")
        mark = "" if ok is None else (f" · {_t(res, 'met')}" if ok else f" · {_t(res, 'missed')}")
        out.append(
            f'<div class="csat-card{cls}"><div class="csat-card-title">{html.escape(title)}</div>'
            f'<div class="csat-card-value">{html.escape(value)}</div>'
            f'<div class="csat-card-sub">{html.escape(sub + mark)}</div></div>'
        )
    style = (
        "<style>.csat-cards{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0 14px}"
        ".csat-card{flex:1 1 120px;border:1px solid #d9e2ec;border-radius:6px;padding:8px 10px;"
        "border-top:4px solid #1f5aa6;break-inside:avoid}"
        ".csat-card.csat-ok{border-top-color:#3a9e6f}.csat-card.csat-miss{border-top-color:#c2454a}"
        ".csat-card-title{font-size:11px;color:#52606d}.csat-card-value{font-size:22px;font-weight:700}"
        ".csat-card-sub{font-size:10px;color:#52606d}</style>"
    )
    return style + '<div class="csat-cards">' + "".join(out) + "</div>"


def _fmt(df: pd.DataFrame, formats: Mapping[str, str]) -> pd.DataFrame:
    out = df.copy()
    for col, spec in formats.items():
        if col in out:
            out[col] = [("" if (v is None or (isinstance(v, float) and np.isnan(v))) else format(v, spec))
                        for v in out[col]]
    return out


def scores_table(res: ReportResults) -> pd.DataFrame:
    """Per dimension: n, mean [CI], 0-100 score, top-2-box share, index weight."""
    s = res.scores.copy()
    w = res.study.index_weights
    zh = _zh(res)
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in s["dimension"]],
        "n": s["n"].astype(int),
        ("均值" if zh else "Mean"): s["mean"],
        ("95% 置信区间" if zh else "95% CI"): [f"{a:.2f} – {b:.2f}" for a, b in zip(s["ci_low"], s["ci_high"],
                                                                              strict=True)],
        _t(res, "score_100"): s["score_100"],
        ("满意率" if zh else "Top-2-box"): s["top2box"],
        _t(res, "weight"): [w.get(d, np.nan) for d in s["dimension"]],
    })
    return _fmt(out, {("均值" if zh else "Mean"): ".2f", _t(res, "score_100"): ".1f",
                      ("满意率" if zh else "Top-2-box"): ".1%", _t(res, "weight"): ".1%"})


def item_table(res: ReportResults, *, items: list[str] | None = None) -> pd.DataFrame:
    """Per item: dimension, question label, n, mean, top-2-box (reverse items reversed)."""
    it = res.item_scores
    if items is not None:
        it = it[it["item"].isin(items)]
    zh = _zh(res)
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in it["dimension"]],
        ("题目" if zh else "Item"): [_label(res, i) + (" (R)" if r else "") for i, r in zip(it["item"], it["reverse"],
                                                                                          strict=True)],
        "n": it["n"],
        ("均值" if zh else "Mean"): it["mean"],
        ("满意率" if zh else "Top-2-box"): it["top2box"],
    })
    return _fmt(out, {("均值" if zh else "Mean"): ".2f", ("满意率" if zh else "Top-2-box"): ".1%"})


def quality_table(res: ReportResults) -> pd.DataFrame:
    """Per screening rule: action, flagged, share, excluded."""
    s = res.study.screening.summary
    zh = _zh(res)
    out = pd.DataFrame({
        ("规则" if zh else "Rule"): [_t(res, f"rule.{r}") for r in s["rule"]],
        ("处理" if zh else "Action"): [_t(res, f"action.{a}") for a in s["action"]],
        ("标记人数" if zh else "Flagged"): s["n_flagged"].astype(int),
        ("占比" if zh else "Share"): s["share"],
        ("排除人数" if zh else "Excluded"): s["n_excluded"].astype(int),
    })
    return _fmt(out, {("占比" if zh else "Share"): ".1%"})


def audit_table(res: ReportResults, *, n: int = 15) -> pd.DataFrame:
    """The first ``n`` excluded respondents with their reasons (the full list is in the xlsx)."""
    a = res.study.screening.audit
    zh = _zh(res)
    reasons = [
        "；".join(_t(res, f"rule.{r.strip()}") for r in str(x).split(";") if r.strip()) if zh else
        "; ".join(_t(res, f"rule.{r.strip()}") for r in str(x).split(";") if r.strip())
        for x in a["reasons"]
    ]
    out = pd.DataFrame({("答卷编号" if zh else "Respondent"): a.get("respondent_id", a.index),
                        ("排除原因" if zh else "Reasons"): reasons})
    return out.head(n).reset_index(drop=True)


def reliability_table(res: ReportResults) -> pd.DataFrame:
    """Per dimension: items, n, Cronbach's alpha [CI], standardized alpha, omega."""
    r = res.reliability
    zh = _zh(res)
    dim_col = "dimension"
    out = pd.DataFrame({
        _t(res, "dimension"): [(_label(res, d) if d in res.study.dimensions else ("全部题目" if zh else "All items"))
                               for d in r[dim_col]],
        ("题数" if zh else "Items"): r["n_items"].astype(int),
        "n": r["n_obs"].astype(int),
        "Cronbach α": r["alpha"],
        ("α 95% 置信区间" if zh else "α 95% CI"): [f"{a:.2f} – {b:.2f}" for a, b in zip(r["ci_low"], r["ci_high"],
                                                                                   strict=True)],
        ("标准化 α" if zh else "Standardized α"): r["alpha_std"],
        "McDonald ω": r["omega"] if "omega" in r else np.nan,
    })
    return _fmt(out, {"Cronbach α": ".3f", ("标准化 α" if zh else "Standardized α"): ".3f", "McDonald ω": ".3f"})


_STATISTIC_NAMES = {
    "alpha": ("Cronbach α", "Cronbach's α"),
    "omega": ("McDonald ω", "McDonald's ω"),
    "cfi": ("CFI", "CFI"),
    "tli": ("TLI", "TLI"),
    "rmsea": ("RMSEA", "RMSEA"),
    "srmr": ("SRMR", "SRMR"),
    "ave": ("平均方差抽取量 AVE", "AVE"),
    "composite_reliability": ("组合信度 CR", "Composite reliability"),
    "fornell_larcker": ("Fornell-Larcker 判别效度", "Fornell-Larcker"),
    "htmt": ("HTMT 判别效度", "HTMT"),
}


def verdict_table(res: ReportResults) -> pd.DataFrame:
    """The reliability / validity verdict with translated statistics, scopes and pass / fail."""
    v = res.verdict.copy()
    zh = _zh(res)
    if "pass" in v:
        v["pass"] = [(_t(res, "pass") if x else _t(res, "fail")) if isinstance(x, bool | np.bool_) else "" for x in v["pass"]]
    if "statistic" in v:
        v["statistic"] = [_STATISTIC_NAMES.get(x, (x, x))[0 if zh else 1] for x in v["statistic"]]

    def scope(x: object) -> str:
        x = str(x)
        if x in res.study.dimensions:
            return _label(res, x)
        if x == "overall":
            return "全部题目" if zh else "All items"
        if x == "model":
            return "测量模型" if zh else "Measurement model"
        if "~" in x:
            return " ~ ".join(_label(res, part.strip()) for part in x.split("~"))
        return x

    if "scope" in v:
        v["scope"] = [scope(x) for x in v["scope"]]
    ren = {"statistic": "指标" if zh else "Statistic", "value": "数值" if zh else "Value",
           "threshold": "标准" if zh else "Threshold", "pass": "结论" if zh else "Verdict",
           "scope": "范围" if zh else "Scope", "rule": "规则" if zh else "Rule"}
    v = _fmt(v, {"value": ".3f", "threshold": ".2f"})
    return v.rename(columns=ren)


def loadings_table(res: ReportResults) -> pd.DataFrame:
    """Standardized CFA loadings per item."""
    if res.cfa is None:
        return pd.DataFrame()
    ld = res.cfa.loadings.copy()
    zh = _zh(res)
    cols = {c: c for c in ld.columns}
    fac = "factor" if "factor" in ld else ld.columns[0]
    item = "item" if "item" in ld else ld.columns[1]
    std = next((c for c in ("std_loading", "loading_std", "std") if c in ld), None)
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, f) for f in ld[fac]],
        ("题目" if zh else "Item"): [_label(res, i) for i in ld[item]],
        ("标准化载荷" if zh else "Std. loading"): ld[std] if std else np.nan,
    })
    del cols
    return _fmt(out, {("标准化载荷" if zh else "Std. loading"): ".3f"})


def factor_table(res: ReportResults) -> pd.DataFrame:
    """Composite reliability, AVE and sqrt(AVE) per dimension."""
    if res.cfa is None:
        return pd.DataFrame()
    f = res.cfa.factors.copy()
    zh = _zh(res)
    idx = f["factor"] if "factor" in f else f.index
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in idx],
        ("组合信度 CR" if zh else "Composite reliability"): f["composite_reliability"].to_numpy(),
        "AVE": f["ave"].to_numpy(),
    })
    return _fmt(out, {("组合信度 CR" if zh else "Composite reliability"): ".3f", "AVE": ".3f"})


def htmt_table(res: ReportResults) -> pd.DataFrame:
    """HTMT ratios with dimension labels (lower triangle)."""
    if res.cfa is None:
        return pd.DataFrame()
    h = res.cfa.htmt.copy()
    labels = [_label(res, str(d)) for d in h.index]
    vals = h.to_numpy(dtype=float)
    shown = [["" if j >= i or not np.isfinite(vals[i, j]) else f"{vals[i, j]:.3f}" for j in range(len(labels))]
             for i in range(len(labels))]
    return pd.DataFrame(shown, index=labels, columns=labels)


def segment_table(res: ReportResults, segment: str) -> pd.DataFrame:
    """Mean dimension scores (and the overall index) per level of one segment; small bases marked."""
    b = res.by_segment
    b = b[b["segment"] == segment]
    if b.empty:
        return pd.DataFrame()
    levels = res.study.codebook.level_labels(segment, res.study.lang)
    wide = b.pivot_table(index="level", columns="dimension", values="mean", aggfunc="first", sort=False)
    ns = b.groupby("level", sort=False)["n"].max()
    small = b.groupby("level", sort=False)["small_base"].any() if "small_base" in b else pd.Series(False, index=ns.index)
    order = [lv for lv in levels if lv in wide.index] + [lv for lv in wide.index if lv not in levels]
    wide = wide.reindex(order)
    cols = [c for c in [*res.study.dimensions, "overall_index"] if c in wide.columns]
    out = wide[cols].map(lambda v: f"{v:.2f}")
    out.columns = [(_label(res, c) if c != "overall_index" else _t(res, "overall_index")) for c in cols]
    out.insert(0, "n", [f"{int(ns[lv])}{'*' if small.get(lv, False) else ''}" for lv in order])
    out.index = [levels.get(lv, lv) for lv in order]
    out.index.name = _label(res, segment)
    return out


def segment_long(res: ReportResults) -> pd.DataFrame:
    """Tidy long table for a heat map: label of level, label of dimension, mean."""
    b = res.by_segment
    rows = []
    for seg in res.study.params.analysis.segments:
        sub = b[b["segment"] == seg]
        if sub.empty:
            continue
        labels = res.study.codebook.level_labels(seg, res.study.lang)
        for r in sub.itertuples():
            if r.dimension in res.study.dimensions:
                rows.append({"group": f"{_label(res, seg)} · {labels.get(r.level, r.level)}",
                             "dimension": _label(res, r.dimension), "mean": r.mean})
    return pd.DataFrame(rows)


def logit_table(res: ReportResults, which: str = "dimensions") -> pd.DataFrame:
    """Odds ratios with CIs, p-values (and average marginal effects) of a repurchase model.

    ``which``: ``dimensions`` (binary repurchase on the five dimensions), ``overall`` (on overall
    satisfaction) or ``ordered`` (ordered logit of repurchase intention on the dimensions).
    """
    m = {"dimensions": res.logit_dimensions, "overall": res.logit_overall, "ordered": res.ordered}[which]
    if m is None:
        return pd.DataFrame()
    c = m.coefficients
    zh = _zh(res)
    me = getattr(m, "marginal_effects", None)
    ame = me["ame"] if me is not None and "ame" in me else pd.Series(dtype=float)
    terms = [t for t in c.index if t != "const"]
    out = pd.DataFrame({
        ("变量" if zh else "Term"): [_term_label(res, t) for t in terms],
        ("优势比 OR" if zh else "Odds ratio"): c.loc[terms, "odds_ratio"].to_numpy(),
        ("OR 95% 置信区间" if zh else "OR 95% CI"): [f"{a:.2f} – {b:.2f}" for a, b in
                                                   zip(c.loc[terms, "or_ci_low"], c.loc[terms, "or_ci_high"], strict=True)],
        ("p 值" if zh else "p-value"): c.loc[terms, "p_value"].to_numpy(),
        ("平均边际效应" if zh else "Avg. marginal effect"): [ame.get(t, np.nan) for t in terms],
    })
    if me is None:
        out = out.drop(columns=[("平均边际效应" if zh else "Avg. marginal effect")])
    out = _fmt(out, {("优势比 OR" if zh else "Odds ratio"): ".2f", ("平均边际效应" if zh else "Avg. marginal effect"): "+.3f"})
    pcol = "p 值" if zh else "p-value"
    out[pcol] = ["< 0.001" if float(v) < 0.001 else f"{float(v):.3f}" for v in c.loc[terms, "p_value"]]
    return out


def drivers_table(res: ReportResults) -> pd.DataFrame:
    """Relative importance (Shapley) for satisfaction and repurchase, with bootstrap CIs."""
    zh = _zh(res)
    s = res.drivers_satisfaction
    r = res.drivers_repurchase
    dims = list(res.study.dimensions)

    def ci(d: pd.DataFrame, k: str) -> str:
        if "ci_low" in d and k in d.index:
            return f"{d.loc[k, 'ci_low']:.3f} – {d.loc[k, 'ci_high']:.3f}"
        return ""

    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, k) for k in dims],
        ("对满意度的重要性" if zh else "Importance for satisfaction"): [f"{s.loc[k, 'importance']:.3f}" for k in dims],
        ("95% 置信区间" if zh else "95% CI"): [ci(s, k) for k in dims],
        ("占比" if zh else "Share"): [f"{s.loc[k, 'share']:.1%}" for k in dims],
    })
    if len(r):
        out[("对复购的重要性" if zh else "Importance for repurchase")] = [f"{r.loc[k, 'importance']:.3f}" for k in dims]
        out[("复购占比" if zh else "Share (repurchase)")] = [f"{r.loc[k, 'share']:.1%}" for k in dims]
    return out


def ipa_frame(res: ReportResults) -> pd.DataFrame:
    """IPA table with labels, ready for :func:`csat_research.report.plots.importance_performance_plot`."""
    ipa = res.ipa.copy()
    idx = ipa["dimension"] if "dimension" in ipa else ipa.index
    ipa["label"] = [_label(res, d) for d in idx]
    ipa["quadrant_label"] = [_t(res, f"quadrant.{q}") for q in ipa["quadrant"]]
    return ipa


def ipa_table(res: ReportResults) -> pd.DataFrame:
    zh = _zh(res)
    ipa = ipa_frame(res)
    out = pd.DataFrame({
        _t(res, "dimension"): ipa["label"].to_numpy(),
        _t(res, "importance"): [f"{v:.3f}" for v in ipa["importance"]],
        _t(res, "performance"): [f"{v:.2f}" for v in ipa["performance"]],
        ("象限" if zh else "Quadrant"): ipa["quadrant_label"].to_numpy(),
    })
    return out


def weights_display(res: ReportResults) -> pd.DataFrame:
    """Expert / AHP / data-driven weights side by side."""
    w = res.weights.copy()
    idx = w["dimension"] if "dimension" in w else w.index
    out = w.drop(columns=[c for c in ("dimension",) if c in w]).copy()
    out.index = [_label(res, d) for d in idx]
    out.index.name = _t(res, "dimension")
    ren = {"expert": text("weights.expert", res.study.lang), "ahp": "AHP",
           "data": text("weights.data", res.study.lang)}
    out = out.rename(columns=ren)
    return out.map(lambda v: "" if pd.isna(v) else f"{float(v):.1%}")


def _level_text(res: ReportResults, var: str, level) -> str:
    """Display label of a level: segment level labels, scale labels of coded answers, or the code."""
    cb = res.study.codebook
    if isinstance(level, float) and level.is_integer():
        level = int(level)
    try:
        return cb.level_labels(var, res.study.lang).get(str(level), str(level))
    except (KeyError, ValueError):
        pass
    try:
        lab = cb.scale_of(var).label_of(int(level), res.study.lang)
        if lab and cb.scale_of(var).max - cb.scale_of(var).min <= 1:
            return lab
        return f"{level} {lab}" if lab else str(level)
    except (KeyError, ValueError, TypeError):
        return str(level)


def _ordered(res: ReportResults, var: str, levels: list) -> list:
    try:
        order = res.study.codebook.segment_levels(var)
    except (KeyError, ValueError):
        return levels
    known = [lv for lv in order if lv in levels]
    return known + [lv for lv in levels if lv not in known]


def crosstab_table(res: ReportResults, key: tuple[str, str]) -> pd.DataFrame:
    """Column percentages with significance letters (and column bases) of one crosstab."""
    ct = res.crosstabs[key]
    row, col = key
    shares = ct.col_shares
    rows = _ordered(res, row, list(shares.index))
    cols = _ordered(res, col, list(shares.columns))
    letter_of = ct.column_letters
    letter_of = dict(letter_of) if isinstance(letter_of, pd.Series | Mapping) else dict(zip(shares.columns, letter_of,
                                                                                           strict=False))
    body = {}
    for c in cols:
        head = _level_text(res, col, c)
        if c in letter_of:
            head = f"{head} ({letter_of[c]})"
        body[head] = [f"{shares.loc[r, c]:.1%} {ct.letters.loc[r, c] or ''}".strip() for r in rows]
    out = pd.DataFrame(body, index=[_level_text(res, row, r) for r in rows])
    out.index.name = f"{_label(res, row)} \\ {_label(res, col)}"
    out.loc["n"] = [f"{ct.counts[c].sum():,.0f}" for c in cols]
    return out


def crosstab_note(res: ReportResults, key: tuple[str, str]) -> str:
    ct = res.crosstabs[key]
    zh = _zh(res)
    p = "< 0.001" if ct.p_value < 0.001 else f"= {ct.p_value:.3f}"
    if zh:
        return (f"卡方检验 χ²({ct.dof}) = {ct.chi2:.1f}，p {p}，Cramér's V = {ct.cramers_v:.3f}；"
                "字母表示该列比例显著高于所标字母列（Holm 校正，α = 0.05）。")
    return (f"Chi-square χ²({ct.dof}) = {ct.chi2:.1f}, p {p}, Cramér's V = {ct.cramers_v:.3f}; letters mark "
            "columns whose share is significantly lower (Holm-corrected, α = 0.05).")


def themes_table(res: ReportResults) -> pd.DataFrame:
    """Complaint themes: label, dimension, share of answers, satisfaction with / without."""
    if res.text is None:
        return pd.DataFrame()
    t = res.text.themes.sort_values("share", ascending=False)
    zh = _zh(res)
    lex = res.text.lexicon.get("themes", res.text.lexicon)
    lang = res.study.lang

    def theme_label(th: str) -> str:
        entry = lex.get(th, {}) if isinstance(lex, Mapping) else {}
        lab = entry.get("label", {}) if isinstance(entry, Mapping) else {}
        return lab.get(lang, th) if isinstance(lab, Mapping) else th

    def dim_of(th: str) -> str:
        entry = lex.get(th, {}) if isinstance(lex, Mapping) else {}
        d = entry.get("dimension") if isinstance(entry, Mapping) else None
        return _label(res, d) if d else ""

    out = pd.DataFrame({
        _t(res, "theme"): [theme_label(x) for x in t["theme"]],
        _t(res, "dimension"): [dim_of(x) for x in t["theme"]],
        "n": t["n_theme"].astype(int),
        _t(res, "share"): [f"{v:.1%}" for v in t["share"]],
    })
    for col, zh_name, en_name in (("mean_with", "提及者满意度", "Satisfaction (mentioned)"),
                                  ("mean_without", "未提及者满意度", "Satisfaction (not mentioned)"),
                                  ("difference", "差值", "Difference")):
        if col in t:
            out[zh_name if zh else en_name] = [("" if pd.isna(v) else f"{v:+.2f}" if col == "difference" else f"{v:.2f}")
                                               for v in t[col]]
    return out


def theme_label_map(res: ReportResults) -> dict[str, str]:
    if res.text is None:
        return {}
    lex = res.text.lexicon.get("themes", res.text.lexicon)
    out = {}
    for th, entry in lex.items():
        lab = entry.get("label", {}) if isinstance(entry, Mapping) else {}
        out[th] = lab.get(res.study.lang, th) if isinstance(lab, Mapping) else th
    return out


def quotes_table(res: ReportResults, *, per_theme: int = 2, themes: int = 5) -> pd.DataFrame:
    """Masked verbatim quotes of the most frequent themes (text shown as text, never markup)."""
    if res.text is None or res.text.quotes.empty:
        return pd.DataFrame()
    q = res.text.quotes
    labels = theme_label_map(res)
    top = res.top_themes[:themes]
    rows = []
    for th in top:
        sub = q[q["theme"] == th].head(per_theme)
        for quote in sub["quote"] if "quote" in sub else sub.iloc[:, -1]:
            rows.append({_t(res, "theme"): labels.get(th, th), _t(res, "quote"): str(quote)})
    return pd.DataFrame(rows)


def kpi_table(res: ReportResults) -> pd.DataFrame:
    """Service-level KPIs against targets."""
    if res.kpis is None:
        return pd.DataFrame()
    k = res.kpis
    zh = _zh(res)
    rows = []
    for r in k.itertuples():
        key = f"kpi.{r.kpi}"
        try:
            name = _t(res, key)
        except KeyError:
            name = r.kpi
        is_share = r.kpi != "median_first_response_min"
        val = f"{r.value:.1%}" if is_share else f"{r.value:.1f} min"
        ci = (f"{r.ci_low:.1%} – {r.ci_high:.1%}" if is_share else f"{r.ci_low:.1f} – {r.ci_high:.1f}") \
            if pd.notna(r.ci_low) else ""
        tgt = "" if pd.isna(r.target) else (f"{r.target:.0%}" if is_share else f"{r.target:g} min")
        met = "" if pd.isna(r.met) else (_t(res, "met") if r.met else _t(res, "missed"))
        rows.append({("指标" if zh else "KPI"): name, ("数值" if zh else "Value"): val,
                     ("95% 置信区间" if zh else "95% CI"): ci, "n": int(r.n), _t(res, "target"): tgt,
                     ("结论" if zh else "Status"): met})
    return pd.DataFrame(rows)


def kpi_frame(res: ReportResults) -> pd.DataFrame:
    """Share KPIs with targets and labels, for :func:`csat_research.report.plots.kpi_bullets`."""
    if res.kpis is None:
        return pd.DataFrame()
    k = res.kpis[res.kpis["target"].notna() & (res.kpis["kpi"] != "median_first_response_min")].copy()
    k["label"] = [(_t(res, f"kpi.{x}") if f"kpi.{x}" else x) for x in k["kpi"]]
    return k


# Number formats of date, datetime and timedelta cells: pandas' defaults, so the workbook reads
# back as the pandas-written one did.
_XLSX_DATE = "YYYY-MM-DD"
_XLSX_DATETIME = "YYYY-MM-DD HH:MM:SS"
_XLSX_DAYS = "0"
_XLSX_HEADER = {"bold": True, "border": 1, "align": "center", "valign": "top"}  # pandas' classic header
_XLSX_MAX_ROWS, _XLSX_MAX_COLS = 1_048_576, 16_384
_XLSX_SHORT_STRING = 16_383  # never truncated: at most 2 UTF-16 units per character, 32,767 allowed


class _XlsxFormats:
    """The xlsxwriter Format objects of one workbook, each added once, on first use."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str | None, bool], Format] = {}

    def get(self, num_format: str | None, *, header: bool = False) -> Format | None:
        if num_format is None and not header:
            return None
        key = (num_format, header)
        fmt = self._cache.get(key)
        if fmt is None:
            props = dict(_XLSX_HEADER) if header else {}
            if num_format is not None:
                props["num_format"] = num_format
            fmt = self._cache[key] = self._book.add_format(props)
        return fmt


def _xlsx_string(ws: Worksheet, row: int, col: int, value: str, fmt: Format | None, where: str) -> None:
    if not value:  # "" is an empty cell (kept only if it carries a format, as a header cell does)
        ws.write_blank(row, col, None, fmt)
    elif ws.write_string(row, col, value, fmt) == -2:
        warnings.warn(f"to_excel: a cell of {where} was longer than Excel's 32,767 characters and was "
                      "truncated", UserWarning, stacklevel=4)


def _xlsx_cell(ws: Worksheet, row: int, col: int, value: object, formats: _XlsxFormats, where: str, *,
               header: bool = False) -> None:
    """Write one value as pandas' Excel writer does: missing -> empty cell, +-inf -> "inf" / "-inf",
    numpy scalars -> Python numbers, datetimes / dates with a number format, anything else as text."""
    if isinstance(value, str):
        _xlsx_string(ws, row, col, value, formats.get(None, header=header), where)
        return
    if is_scalar(value) and pd.isna(value):
        ws.write_blank(row, col, None, formats.get(None, header=header))
        return
    if getattr(value, "tzinfo", None) is not None:
        raise ValueError(f"to_excel: {where} holds timezone-aware values in an object column; Excel has no time "
                         f"zones: make them naive first (got {value!r})")
    if is_bool(value):
        ws.write_boolean(row, col, bool(value), formats.get(None, header=header))
    elif is_integer(value):
        ws.write_number(row, col, int(value), formats.get(None, header=header))
    elif is_float(value):
        value = float(value)
        if math.isinf(value):
            _xlsx_string(ws, row, col, "inf" if value > 0 else "-inf", formats.get(None, header=header), where)
        else:
            ws.write_number(row, col, value, formats.get(None, header=header))
    elif isinstance(value, Decimal):
        ws.write_number(row, col, value, formats.get(None, header=header))
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value, formats.get(_XLSX_DATETIME, header=header))
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, value, formats.get(_XLSX_DATE, header=header))
    elif isinstance(value, datetime.timedelta):
        ws.write_number(row, col, value.total_seconds() / 86400, formats.get(_XLSX_DAYS, header=header))
    else:
        _xlsx_string(ws, row, col, str(value), formats.get(None, header=header), where)


def _xlsx_sheet(ws: Worksheet, frame: pd.DataFrame, formats: _XlsxFormats, name: str) -> None:
    """One header row, then the data column by column, without the index.

    Plain numpy columns take a direct route (one xlsxwriter call per cell, no per-value type
    tests); any other column (object, category, nullable, ...) goes value by value through
    :func:`_xlsx_cell`.
    """
    n_rows, n_cols = frame.shape
    if n_rows + 1 > _XLSX_MAX_ROWS or n_cols > _XLSX_MAX_COLS:
        raise ValueError(f"to_excel: sheet {name!r} has {n_rows} rows and {n_cols} columns; an Excel sheet holds at "
                         f"most {_XLSX_MAX_ROWS - 1} data rows and {_XLSX_MAX_COLS} columns")
    for j, label in enumerate(frame.columns):
        _xlsx_cell(ws, 0, j, label, formats, f"sheet {name!r}, header", header=True)
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    for j, (label, col) in enumerate(frame.items()):  # .items(): half the cost of .iloc[:, j]
        where = f"sheet {name!r}, column {label!r}"
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.tz_localize(None)
        kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else None
        values = col.tolist()
        if kind in ("i", "u"):
            for i, v in enumerate(values, 1):
                write_number(i, j, v)
        elif kind == "b":
            for i, v in enumerate(values, 1):
                write_boolean(i, j, v)
        elif kind == "f":
            for i, v in enumerate(values, 1):
                if v != v:  # NaN: an empty cell
                    continue
                if v in (math.inf, -math.inf):
                    _xlsx_string(ws, i, j, "inf" if v > 0 else "-inf", None, where)
                else:
                    write_number(i, j, v)
        elif kind == "M":
            fmt = formats.get(_XLSX_DATETIME)
            for i, v in enumerate(values, 1):
                if v is not pd.NaT:
                    ws.write_datetime(i, j, v, fmt)
        else:
            for i, v in enumerate(values, 1):
                if type(v) is str and len(v) <= _XLSX_SHORT_STRING:  # the usual case, without the checks
                    if v:
                        write_string(i, j, v)
                else:
                    _xlsx_cell(ws, i, j, v, formats, where)


def _excel_sheets(res: ReportResults) -> dict[str, pd.DataFrame | None]:
    """The tables of :func:`to_excel` by sheet name, in sheet order (``None``: no such table)."""
    sheets: dict[str, pd.DataFrame | None] = {
        "scores": res.scores,
        "items": res.item_scores,
        "quality_summary": res.study.screening.summary,
        "excluded": res.study.screening.audit.reset_index(),
        "import_excluded": res.study.responses.exclusions,
        "reliability": res.reliability,
        "item_total": res.item_total.reset_index(),
        "verdict": res.verdict,
        "by_segment": res.by_segment,
        "segment_tests": res.segment_tests,
        "drivers_satisfaction": res.drivers_satisfaction.reset_index(),
        "drivers_repurchase": res.drivers_repurchase.reset_index(),
        "ipa": res.ipa.reset_index(),
        "weights": res.weights.reset_index(),
    }
    if res.cfa is not None:
        sheets["cfa_loadings"] = res.cfa.loadings
        sheets["cfa_factors"] = res.cfa.factors.reset_index()
        sheets["htmt"] = res.cfa.htmt.reset_index()
    for name, m in (("logit_overall", res.logit_overall), ("logit_dimensions", res.logit_dimensions)):
        if m is not None:
            sheets[name] = m.coefficients.reset_index()
            sheets[name + "_ame"] = m.marginal_effects.reset_index()
    if res.ordered is not None:
        sheets["ordered_intention"] = res.ordered.coefficients.reset_index()
        sheets["ordered_thresholds"] = res.ordered.thresholds.rename_axis("cut").reset_index()
    for (r, c), ct in res.crosstabs.items():
        sheets[f"xt_{r}_{c}"[:31]] = ct.to_frame()
    if res.text is not None:
        sheets["words"] = res.text.words
        sheets["bigrams"] = res.text.bigrams
        sheets["themes"] = res.text.themes
        sheets["themes_by_segment"] = res.text.themes_by_segment
        sheets["quotes_masked"] = res.text.quotes
    if res.kpis is not None:
        sheets["kpis"] = res.kpis
        sheets["kpi_trend"] = res.kpi_trend
    return sheets


def to_excel(res: ReportResults, path: str | Path) -> Path:
    """Write the report tables (tidy, unrounded) to an .xlsx workbook, one sheet per table.

    Parameters
    ----------
    res : ReportResults
        The output of :func:`csat_research.report.analyse.analyse`.
    path : str or Path
        The workbook to write (replaced atomically if it exists: written under a temporary name
        and renamed into place, :func:`csat_research.core.files.atomic_write_bytes`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        A table holds timezone-aware datetimes in an object column, or is larger than an Excel
        sheet.
    ReportError
        The folder of ``path`` does not exist or the file cannot be written.

    Notes
    -----
    One sheet per table, in a fixed order, with the table's columns (index reset where it carries
    data, never written), one bold header row and the values as they are: numbers unrounded (the
    16 significant digits xlsxwriter writes), integers, booleans, datetimes (time zones dropped)
    as Excel dates, missing values as empty cells and text always as text (an open answer
    starting with "=" or holding a URL is neither a formula nor a link; +-inf is the text "inf").

    Cells are written with xlsxwriter directly rather than through ``DataFrame.to_excel``:
    pandas builds and styles an ``ExcelCell`` object per cell, two thirds of the export's CPU
    time (demo report: 90 ms -> 50 ms; the rest is xlsxwriter's XML and zip). The workbook reads
    back with :func:`pandas.read_excel` exactly as the pandas-written one did;
    ``tests/test_tables.py`` compares both routes.
    """
    import xlsxwriter  # 15 ms of imports, paid by the export only

    path = Path(path)
    # Assembled in memory (no temporary file per sheet), then written under a temporary name and
    # renamed into place. Strings stay strings: an open answer starting with "=" or holding a URL
    # is data, never a formula or a link.
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        formats = _XlsxFormats(book)
        for name, frame in _excel_sheets(res).items():
            if frame is None:
                continue
            _xlsx_sheet(book.add_worksheet(name[:31]), frame, formats, name[:31])
    return atomic_write_bytes(path, buffer.getvalue())


def heading(key: str, lang: str, *, level: int = 2) -> str:
    """A section heading in the report language (``key`` from :mod:`csat_research.report.i18n`)."""
    return f"<h{level}>{html.escape(text(key, lang))}</h{level}>"


def subheading(title: str, *, level: int = 3) -> str:
    """An escaped sub-heading."""
    return f"<h{level}>{html.escape(str(title))}</h{level}>"


def html_table(df: pd.DataFrame, *, index: bool = False, caption: str | None = None) -> str:
    """A display table as escaped HTML (cells are text, never markup)."""
    if df is None or df.empty:
        return ""
    out = df.to_html(index=index, escape=True, border=0, classes="csat-table", na_rep="")
    if caption:
        out = f'<p class="csat-caption">{html.escape(caption)}</p>' + out
    return out


def texts_for_quadrants(lang: str) -> dict[str, str]:
    """Quadrant names of the importance-performance matrix in ``lang``."""
    return texts("quadrant", lang)


def theme_share_frame(res: ReportResults) -> pd.DataFrame:
    """Theme shares with display labels, for :func:`csat_research.report.plots.share_bars`."""
    if res.text is None:
        return pd.DataFrame(columns=["label", "share"])
    t = res.text.themes
    labels = theme_label_map(res)
    return pd.DataFrame({"label": [labels.get(x, x) for x in t["theme"]], "share": t["share"].to_numpy()})
