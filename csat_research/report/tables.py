"""Presentation of report results: labelled display tables (:class:`DisplayTable`), prose, headings.

Statistics are never computed here; these functions relabel (codebook / i18n labels in the
report language), order and format what :func:`csat_research.report.analyse.analyse` produced. All text
that reaches HTML is escaped: open answers are data, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csat_research.report.display import DisplayGroup, DisplayTable, Html
from csat_research.report.i18n import join, text, texts

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.results import ReportResults


def _t(res: ReportResults, key: str) -> str:
    return text(key, res.study.lang)


def _label(res: ReportResults, id_: str) -> str:
    try:
        return res.study.label(id_)
    except (KeyError, ValueError):
        return id_


def _term_label(res: ReportResults, term: str) -> str:
    """``customer_type[returning]`` -> '客户类型：老客'."""
    if term == "const":
        return _t(res, "table.intercept")
    if "[" in term and term.endswith("]"):
        col, level = term[:-1].split("[", 1)
        try:
            level_label = res.study.codebook.level_labels(col, res.study.lang).get(level, level)
        except (KeyError, ValueError):
            level_label = level
        return text("fmt.label_value", res.study.lang, label=_label(res, col), value=level_label)
    return _label(res, term)


def prose(lines: Iterable[str], *, bullets: bool = False) -> Html:
    """Escaped HTML paragraphs (or a bullet list) from plain-text lines."""
    items = [html.escape(str(line)) for line in lines if str(line).strip()]
    if bullets:
        return Html("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    return Html("".join(f"<p>{i}</p>" for i in items))


def headline_cards(res: ReportResults) -> Html:
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
    return Html(style + '<div class="csat-cards">' + "".join(out) + "</div>")


def _ci_text(lo: float, hi: float, spec: str) -> str:
    return "" if pd.isna(lo) or pd.isna(hi) else f"{format(lo, spec)} – {format(hi, spec)}"


def _p_text(p: float) -> str:
    return "" if pd.isna(p) else ("< 0.001" if float(p) < 0.001 else f"{float(p):.3f}")


def scores_table(res: ReportResults) -> DisplayTable:
    """Per dimension: n, mean [CI], 0-100 score, top-2-box share, index weight."""
    s = res.scores
    w = res.study.index_weights
    ci = _t(res, "table.95pct_ci")
    mean, t2b, s100, wt = _t(res, "table.mean"), _t(res, "table.top_2_box"), _t(res, "score_100"), _t(res, "weight")
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in s["dimension"]],
        "n": s["n"].astype(int),
        mean: s["mean"].to_numpy(),
        ci: [_ci_text(a, b, ".2f") for a, b in zip(s["ci_low"], s["ci_high"], strict=True)],
        s100: s["score_100"].to_numpy(),
        t2b: s["top2box"].to_numpy(),
        wt: [w.get(d, np.nan) for d in s["dimension"]],
    })
    return DisplayTable(out, formats={mean: ".2f", s100: ".1f", t2b: ".1%", wt: ".1%"}, numeric=[ci])


def item_table(res: ReportResults, *, items: list[str] | None = None) -> DisplayTable:
    """Per item: dimension, question label, n, mean, top-2-box (reverse items reversed)."""
    it = res.item_scores
    if items is not None:
        it = it[it["item"].isin(items)]
    mean, t2b = _t(res, "table.mean"), _t(res, "table.top_2_box")
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in it["dimension"]],
        _t(res, "table.item"): [_label(res, i) + (" (R)" if r else "") for i, r in zip(it["item"], it["reverse"],
                                                                                          strict=True)],
        "n": it["n"].to_numpy(),
        mean: it["mean"].to_numpy(),
        t2b: it["top2box"].to_numpy(),
    })
    return DisplayTable(out, formats={mean: ".2f", t2b: ".1%"})


def quality_table(res: ReportResults) -> DisplayTable:
    """Per screening rule: action, flagged, share, excluded."""
    s = res.study.screening.summary
    share = _t(res, "table.share")
    out = pd.DataFrame({
        _t(res, "table.rule"): [_t(res, f"rule.{r}") for r in s["rule"]],
        _t(res, "table.action"): [_t(res, f"action.{a}") for a in s["action"]],
        _t(res, "table.flagged"): s["n_flagged"].astype(int).to_numpy(),
        share: s["share"].to_numpy(),
        _t(res, "table.excluded"): s["n_excluded"].astype(int).to_numpy(),
    })
    return DisplayTable(out, formats={share: ".1%"})


def audit_table(res: ReportResults, *, n: int = 15) -> DisplayTable:
    """The first ``n`` excluded respondents with their reasons (the full list is in the xlsx)."""
    a = res.study.screening.audit
    reasons = [join([_t(res, f"rule.{r.strip()}") for r in str(x).split(";") if r.strip()], res.study.lang,
                    sep="fmt.semicolon") for x in a["reasons"]]
    out = pd.DataFrame({_t(res, "table.respondent"): a.get("respondent_id", a.index),
                        _t(res, "table.reasons"): reasons})
    return DisplayTable(out.head(n).reset_index(drop=True).astype(str))


def _scope_label(res: ReportResults, scope: object) -> str:
    """A verdict scope in the report's words: a dimension, all items, the model, or a pair ``a ~ b``."""
    x = str(scope)
    if x in res.study.dimensions:
        return _label(res, x)
    if x == "overall":
        return _t(res, "table.all_items")
    if x == "model":
        return _t(res, "table.measurement_model")
    if "~" in x:
        return " ~ ".join(_label(res, part.strip()) for part in x.split("~"))
    return x


#: Short names of the verdict's statistics, as the reliability table's headers write them.
_SHORT_STATISTIC = {"alpha": "α", "omega": "ω", "composite_reliability": "CR", "ave": "AVE",
                    "fornell_larcker": "Fornell-Larcker"}


def _failed_checks(res: ReportResults, scope: str) -> str:
    """The verdict of one scope: "pass", or "fail:" and the statistics that missed their threshold."""
    v = res.verdict
    if v is None or not len(v) or "scope" not in v or "pass" not in v:
        return ""
    rows = v[v["scope"].astype(str) == scope]
    if not len(rows):
        return ""
    failed = [_SHORT_STATISTIC.get(str(s), str(s)) for s, ok in zip(rows["statistic"], rows["pass"], strict=True)
              if isinstance(ok, bool | np.bool_) and not ok]
    if not failed:
        return _t(res, "pass")
    return _t(res, "fmt.label_value").format(label=_t(res, "fail"), value=join(failed, res.study.lang, sep="fmt.comma"))


def reliability_table(res: ReportResults) -> DisplayTable:
    """Per dimension: items, n, Cronbach's alpha [CI], omega, composite reliability, AVE, verdict.

    The verdict column names the checks of the dimension that missed their threshold (alpha,
    omega, CR, AVE, Fornell-Larcker); the model's fit and HTMT are in their own tables.
    """
    r = res.reliability
    ci = _t(res, "table.alpha_95pct_ci")
    dims = [str(d) for d in r["dimension"]]
    out = pd.DataFrame({
        _t(res, "dimension"): [(_label(res, d) if d in res.study.dimensions else _t(res, "table.all_items"))
                               for d in dims],
        _t(res, "table.items"): r["n_items"].astype(int).to_numpy(),
        "n": r["n_obs"].astype(int).to_numpy(),
        "Cronbach α": r["alpha"].to_numpy(),
        ci: [_ci_text(a, b, ".2f") for a, b in zip(r["ci_low"], r["ci_high"], strict=True)],
        "McDonald ω": r["omega"].to_numpy() if "omega" in r else np.nan,
    })
    formats = {"Cronbach α": ".3f", "McDonald ω": ".3f"}
    if res.cfa is not None:
        f = res.cfa.factors
        f = f.set_index("factor") if "factor" in f else f
        cr = _t(res, "table.cr")
        out[cr] = [float(f.loc[d, "composite_reliability"]) if d in f.index else np.nan for d in dims]
        out["AVE"] = [float(f.loc[d, "ave"]) if d in f.index else np.nan for d in dims]
        formats |= {cr: ".3f", "AVE": ".3f"}
    out[_t(res, "table.verdict")] = [_failed_checks(res, d if d in res.study.dimensions else "overall")
                                     for d in dims]
    return DisplayTable(out, formats=formats, numeric=[ci])


def verdict_table(res: ReportResults, scopes: tuple[str, ...] | None = ("model",)) -> DisplayTable:
    """The reliability / validity verdict (translated statistics, scopes, pass / fail).

    By default only the measurement model's fit (CFI, TLI, RMSEA, SRMR): the dimensions'
    checks are summed up in :func:`reliability_table` and HTMT in :func:`htmt_table`.
    ``scopes=None`` gives every row (the workbook's full verdict).
    """
    v = res.verdict.copy()
    if scopes is not None and "scope" in v:
        v = v[v["scope"].astype(str).isin(scopes)].reset_index(drop=True)
    if "pass" in v:
        v["pass"] = [(_t(res, "pass") if x else _t(res, "fail")) if isinstance(x, bool | np.bool_) else "" for x in v["pass"]]
    if "statistic" in v:
        names = texts("statistic", res.study.lang)
        v["statistic"] = [names.get(x, x) for x in v["statistic"]]
    if "scope" in v:
        if scopes is not None and len(set(scopes)) == 1:
            v = v.drop(columns="scope")
        else:
            v["scope"] = [_scope_label(res, x) for x in v["scope"]]
    ren = {"statistic": _t(res, "table.statistic"), "value": _t(res, "table.value"),
           "threshold": _t(res, "table.threshold"), "pass": _t(res, "table.verdict"),
           "scope": _t(res, "table.scope"), "rule": _t(res, "table.rule")}
    formats = {ren[c]: spec for c, spec in (("value", ".3f"), ("threshold", ".2f")) if c in v}
    caption = _t(res, "table.model_fit_caption") if scopes == ("model",) else None
    return DisplayTable(v.rename(columns=ren), formats=formats, caption=caption)


def loadings_table(res: ReportResults) -> DisplayTable:
    """Standardized CFA loadings per item."""
    if res.cfa is None:
        return DisplayTable(pd.DataFrame())
    ld = res.cfa.loadings
    fac = "factor" if "factor" in ld else ld.columns[0]
    item = "item" if "item" in ld else ld.columns[1]
    std = next((c for c in ("std_loading", "loading_std", "std") if c in ld), None)
    col = _t(res, "table.std_loading")
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, f) for f in ld[fac]],
        _t(res, "table.item"): [_label(res, i) for i in ld[item]],
        col: ld[std].to_numpy() if std else np.nan,
    })
    return DisplayTable(out, formats={col: ".3f"})


def factor_table(res: ReportResults) -> DisplayTable:
    """Composite reliability, AVE and sqrt(AVE) per dimension."""
    if res.cfa is None:
        return DisplayTable(pd.DataFrame())
    f = res.cfa.factors
    idx = f["factor"] if "factor" in f else f.index
    cr = _t(res, "table.composite_reliability")
    out = pd.DataFrame({
        _t(res, "dimension"): [_label(res, d) for d in idx],
        cr: f["composite_reliability"].to_numpy(),
        "AVE": f["ave"].to_numpy(),
    })
    return DisplayTable(out, formats={cr: ".3f", "AVE": ".3f"})


def htmt_table(res: ReportResults) -> DisplayTable:
    """HTMT ratios with dimension labels (lower triangle)."""
    if res.cfa is None:
        return DisplayTable(pd.DataFrame())
    h = res.cfa.htmt
    labels = [_label(res, str(d)) for d in h.index]
    vals = h.to_numpy(dtype=float)
    lower = np.where(np.tril(np.ones_like(vals, dtype=bool), k=-1) & np.isfinite(vals), vals, np.nan)
    out = pd.DataFrame(lower, index=labels, columns=labels)
    v = res.verdict
    rows = v[v["statistic"].astype(str) == "htmt"] if len(v) and "statistic" in v else v.iloc[:0]
    threshold = float(rows["threshold"].iloc[0]) if len(rows) else 0.85
    failed = [_scope_label(res, s) for s, ok in zip(rows.get("scope", []), rows.get("pass", []), strict=True)
              if isinstance(ok, bool | np.bool_) and not ok]
    caption = _t(res, "table.htmt_caption").format(threshold=threshold)
    note = _t(res, "table.htmt_failed").format(pairs=join(failed, res.study.lang, sep="fmt.semicolon")) \
        if failed else None
    return DisplayTable(out, formats=dict.fromkeys(labels, ".3f"), caption=caption, note=note, index=True)


def segment_table(res: ReportResults, segment: str) -> DisplayTable:
    """Mean dimension scores (and the overall index) per level of one segment; small bases marked."""
    b = res.by_segment
    b = b[b["segment"] == segment]
    if b.empty:
        return DisplayTable(pd.DataFrame())
    levels = res.study.codebook.level_labels(segment, res.study.lang)
    wide = b.pivot_table(index="level", columns="dimension", values="mean", aggfunc="first", sort=False)
    ns = b.groupby("level", sort=False)["n"].max()
    small = b.groupby("level", sort=False)["small_base"].any() if "small_base" in b else pd.Series(False, index=ns.index)
    order = [lv for lv in levels if lv in wide.index] + [lv for lv in wide.index if lv not in levels]
    wide = wide.reindex(order)
    cols = [c for c in [*res.study.dimensions, "overall_index"] if c in wide.columns]
    out = wide[cols].copy()
    out.columns = [(_label(res, c) if c != "overall_index" else _t(res, "overall_index")) for c in cols]
    out.insert(0, "n", [f"{int(ns[lv])}{'*' if small.get(lv, False) else ''}" for lv in order])
    out.index = [levels.get(lv, lv) for lv in order]
    out.index.name = _label(res, segment)
    return DisplayTable(out, formats=dict.fromkeys(out.columns[1:], ".2f"), numeric=["n"], index=True)


def segment_tables(res: ReportResults) -> DisplayGroup:
    """:func:`segment_table` of every segment of the params, in their order."""
    return DisplayGroup.of(segment_table(res, s) for s in res.study.params.analysis.segments)


def segment_long(res: ReportResults) -> pd.DataFrame:
    """Tidy long table for a heat map: label of level, label of dimension, mean."""
    b = res.by_segment
    rows = []
    for seg in res.study.params.analysis.segments:
        sub = b[b["segment"] == seg]
        if sub.empty:
            continue
        labels = res.study.codebook.level_labels(seg, res.study.lang)
        rank = {lv: i for i, lv in enumerate(labels)}  # the codebook's level order, as in the tables
        sub = sub.iloc[np.argsort([rank.get(lv, len(rank)) for lv in sub["level"]], kind="stable")]
        for r in sub.itertuples():
            if r.dimension in res.study.dimensions:
                rows.append({"group": f"{_label(res, seg)} · {labels.get(r.level, r.level)}",
                             "dimension": _label(res, r.dimension), "mean": r.mean})
    return pd.DataFrame(rows)


def logit_table(res: ReportResults, which: str = "dimensions") -> DisplayTable:
    """Odds ratios with CIs, p-values (and average marginal effects) of a repurchase model.

    ``which``: ``dimensions`` (binary repurchase on the five dimensions), ``overall`` (on overall
    satisfaction) or ``ordered`` (ordered logit of repurchase intention on the dimensions).
    """
    m = {"dimensions": res.logit_dimensions, "overall": res.logit_overall, "ordered": res.ordered}[which]
    if m is None:
        return DisplayTable(pd.DataFrame())
    c = m.coefficients
    me = getattr(m, "marginal_effects", None)
    ame = me["ame"] if me is not None and "ame" in me else pd.Series(dtype=float)
    terms = [t for t in c.index if t != "const"]
    odds, ci, pcol, amec = (_t(res, "table.odds_ratio"), _t(res, "table.or_95pct_ci"), _t(res, "table.p_value"),
                            _t(res, "table.avg_marginal_effect"))
    out = pd.DataFrame({
        _t(res, "table.term"): [_term_label(res, t) for t in terms],
        odds: c.loc[terms, "odds_ratio"].to_numpy(),
        ci: [_ci_text(a, b, ".2f") for a, b in zip(c.loc[terms, "or_ci_low"], c.loc[terms, "or_ci_high"], strict=True)],
        pcol: [_p_text(v) for v in c.loc[terms, "p_value"]],
        amec: [ame.get(t, np.nan) for t in terms],
    })
    if me is None:
        out = out.drop(columns=[amec])
    return DisplayTable(out, formats={odds: ".2f", amec: "+.3f"}, numeric=[ci, pcol])


def drivers_table(res: ReportResults) -> DisplayTable:
    """Relative importance (Shapley) for satisfaction and repurchase, with bootstrap CIs.

    Empty when neither could be estimated (``narrative.drivers_text`` says why); a column pair
    is left out when its outcome's model could not be estimated.
    """
    s = res.drivers_satisfaction
    r = res.drivers_repurchase
    dims = list(res.study.dimensions)
    if not len(s) and not len(r):
        return DisplayTable(pd.DataFrame())

    def ci(d: pd.DataFrame, k: str) -> str:
        return _ci_text(d.loc[k, "ci_low"], d.loc[k, "ci_high"], ".3f") if "ci_low" in d and k in d.index else ""

    imp_s, ci_col, share = (_t(res, "table.importance_for_satisfaction"), _t(res, "table.95pct_ci"),
                            _t(res, "table.share"))
    out = pd.DataFrame({_t(res, "dimension"): [_label(res, k) for k in dims]})
    formats = {}
    if len(s):
        out[imp_s] = [s.loc[k, "importance"] for k in dims]
        out[ci_col] = [ci(s, k) for k in dims]
        out[share] = [s.loc[k, "share"] for k in dims]
        formats = {imp_s: ".3f", share: ".1%"}
    if len(r):
        imp_r, share_r = _t(res, "table.importance_for_repurchase"), _t(res, "table.share_repurchase")
        out[imp_r] = [r.loc[k, "importance"] for k in dims]
        out[share_r] = [r.loc[k, "share"] for k in dims]
        formats |= {imp_r: ".3f", share_r: ".1%"}
    return DisplayTable(out, formats=formats, numeric=[ci_col] if ci_col in out else [])


def ipa_frame(res: ReportResults) -> pd.DataFrame:
    """IPA table with labels, ready for :func:`csat_research.report.plots.importance_performance_plot`."""
    ipa = res.ipa.copy()
    idx = ipa["dimension"] if "dimension" in ipa else ipa.index
    ipa["label"] = [_label(res, d) for d in idx]
    ipa["quadrant_label"] = [_t(res, f"quadrant.{q}") for q in ipa["quadrant"]]
    return ipa


def ipa_table(res: ReportResults) -> DisplayTable:
    """Performance and quadrant per dimension (the importance axis is the satisfaction importance
    of :func:`drivers_table`, shown there once)."""
    ipa = ipa_frame(res)
    perf = _t(res, "performance")
    out = pd.DataFrame({
        _t(res, "dimension"): ipa["label"].to_numpy(),
        perf: ipa["performance"].to_numpy(),
        _t(res, "table.quadrant"): ipa["quadrant_label"].to_numpy(),
    })
    return DisplayTable(out, formats={perf: ".2f"})


def weights_display(res: ReportResults) -> DisplayTable | Html:
    """Expert / AHP weights side by side; the data-driven ones are the drivers table's satisfaction
    shares, so they are named, not repeated (a sentence alone when they are the only weights)."""
    w = res.index_weights_by_method.copy()
    idx = w["dimension"] if "dimension" in w else w.index
    out = w.drop(columns=[c for c in ("dimension",) if c in w]).copy()
    out.index = [_label(res, d) for d in idx]
    out.index.name = _t(res, "dimension")
    caption = None
    if list(out.columns) == ["data"]:
        return prose([_t(res, "table.weights_data_used_only")])
    if "data" in out and len(out.columns) > 1:
        # the data-driven weights are the satisfaction shares of the drivers table: shown there once
        out = out.drop(columns="data")
        used = res.study.params.weighting.method == "data"
        caption = _t(res, "table.weights_data_used" if used else "table.weights_data_note")
    ren = {"expert": text("weights.expert", res.study.lang), "ahp": "AHP",
           "data": text("weights.data", res.study.lang)}
    out = out.rename(columns=ren).astype(float)
    return DisplayTable(out, formats=dict.fromkeys(out.columns, ".1%"), index=True, caption=caption)


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


def crosstab_table(res: ReportResults, key: tuple[str, str]) -> DisplayTable:
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
    return DisplayTable(out, numeric=list(out.columns), index=True)


def crosstab_tables(res: ReportResults) -> DisplayGroup:
    """Every crosstab of the params with its test note below it."""
    return DisplayGroup.of(part for key in res.crosstabs
                           for part in (crosstab_table(res, key), prose([crosstab_note(res, key)])))


def crosstab_note(res: ReportResults, key: tuple[str, str]) -> str:
    ct = res.crosstabs[key]
    p = "< 0.001" if ct.p_value < 0.001 else f"= {ct.p_value:.3f}"
    return text("table.crosstab_note", res.study.lang, dof=ct.dof, chi2=ct.chi2, p=p, v=ct.cramers_v)


def themes_table(res: ReportResults, *, group: str = "service") -> DisplayTable:
    """Complaint themes of one group (``"service"`` or ``"product"``): label, dimension, share of
    answers, satisfaction with / without. Product themes have no service dimension: their
    dimension column reads "product"."""
    if group not in ("service", "product"):
        raise ValueError(f"group must be 'service' or 'product'; got {group!r}")
    if res.text is None:
        return DisplayTable(pd.DataFrame())
    t = res.text.themes
    if "group" in t:
        t = t[(t["group"] == "product") == (group == "product")]
    elif group == "product":
        t = t.iloc[:0]
    if group == "product" and not (t["n_theme"] > 0).any():
        return DisplayTable(pd.DataFrame())
    # themes nobody mentioned are named below the table, not listed as rows of zeros
    silent = t[t["n_theme"] == 0]
    t = t[t["n_theme"] > 0].sort_values("share", ascending=False)
    lex = res.text.lexicon.get("themes", res.text.lexicon)
    lang = res.study.lang

    def theme_label(th: str) -> str:
        entry = lex.get(th, {}) if isinstance(lex, Mapping) else {}
        lab = entry.get("label", {}) if isinstance(entry, Mapping) else {}
        return lab.get(lang, th) if isinstance(lab, Mapping) else th

    def dim_of(th: str) -> str:
        entry = lex.get(th, {}) if isinstance(lex, Mapping) else {}
        d = entry.get("dimension") if isinstance(entry, Mapping) else None
        if d == "product":
            return _t(res, "theme_group.product")
        return _label(res, d) if d else ""

    share = _t(res, "share")
    out = pd.DataFrame({
        _t(res, "theme"): [theme_label(x) for x in t["theme"]],
        _t(res, "dimension"): [dim_of(x) for x in t["theme"]],
        "n": t["n_theme"].astype(int).to_numpy(),
        share: t["share"].to_numpy(),
    })
    formats = {share: ".1%"}
    for col in ("mean_with", "mean_without", "difference"):
        if col in t:
            name = _t(res, f"table.theme_{col}")
            out[name] = t[col].to_numpy(dtype=float)
            formats[name] = "+.2f" if col == "difference" else ".2f"
    note = None
    if len(silent):
        note = text("table.themes_not_mentioned", lang, themes=join([theme_label(x) for x in silent["theme"]], lang))
    return DisplayTable(out, formats=formats, note=note)


def product_themes_section(res: ReportResults) -> list:
    """Sub-heading and table of the product themes, after the service themes (empty when no
    answer mentions a product theme): display them with ``display(*product_themes_section(res))``."""
    table = themes_table(res, group="product")
    if table.frame.empty:
        return []
    return [subheading(text("theme_group.product_heading", res.study.lang)), table]


def theme_label_map(res: ReportResults) -> dict[str, str]:
    if res.text is None:
        return {}
    lex = res.text.lexicon.get("themes", res.text.lexicon)
    out = {}
    for th, entry in lex.items():
        lab = entry.get("label", {}) if isinstance(entry, Mapping) else {}
        out[th] = lab.get(res.study.lang, th) if isinstance(lab, Mapping) else th
    return out


def quotes_table(res: ReportResults, *, per_theme: int = 2, themes: int = 5) -> DisplayTable:
    """Masked verbatim quotes of the most frequent themes (text shown as text, never markup)."""
    if res.text is None or res.text.quotes.empty:
        return DisplayTable(pd.DataFrame())
    q = res.text.quotes
    labels = theme_label_map(res)
    top = res.top_themes[:themes]
    rows = []
    for th in top:
        sub = q[q["theme"] == th].head(per_theme)
        for quote in sub["quote"] if "quote" in sub else sub.iloc[:, -1]:
            rows.append({_t(res, "theme"): labels.get(th, th), _t(res, "quote"): str(quote)})
    return DisplayTable(pd.DataFrame(rows))


def emerging_topics_table(res: ReportResults) -> DisplayTable:
    """Emerging topics of negative answers that match no theme: words, answers, share, masked quotes.

    Empty when there are none (too few answers: :func:`csat_research.report.narrative.emerging_text`
    says so instead). Quotes are shown as text, never markup.
    """
    em = None if res.text is None else res.text.emerging
    if em is None or em.topics.empty:
        return DisplayTable(pd.DataFrame())
    lang = res.study.lang
    t = em.topics
    share = _t(res, "table.topic_share")
    out = pd.DataFrame({
        _t(res, "table.topic"): t["topic"].astype(int).to_numpy(),  # a number: a label would wrap in the narrow column
        _t(res, "table.topic_words"): [join(w, lang) for w in t["top_words"]],
        _t(res, "table.topic_answers"): t["n"].astype(int).to_numpy(),
        share: t["share"].to_numpy(dtype=float),
        _t(res, "table.topic_quotes"): [" ".join(text("fmt.quote", lang, s=q) for q in qs) for qs in t["quotes"]],
    })
    return DisplayTable(out, formats={share: ".1%"})


def kpi_table(res: ReportResults) -> DisplayTable:
    """Service-level KPIs against targets (values as text: shares and minutes share a column)."""
    if res.kpis is None:
        return DisplayTable(pd.DataFrame())
    k = res.kpis
    rows = []
    for r in k.itertuples():
        key = f"kpi.{r.kpi}"
        try:
            name = _t(res, key)
        except KeyError:
            name = r.kpi
        is_share = r.kpi != "median_first_response_min"
        val = f"{r.value:.1%}" if is_share else text("unit.minutes", res.study.lang, x=f"{r.value:.1f}")
        ci = (f"{r.ci_low:.1%} – {r.ci_high:.1%}" if is_share else f"{r.ci_low:.1f} – {r.ci_high:.1f}") \
            if pd.notna(r.ci_low) else ""
        tgt = "" if pd.isna(r.target) else (f"{r.target:.0%}" if is_share else text("unit.minutes", res.study.lang, x=f"{r.target:g}"))
        met = "" if pd.isna(r.met) else (_t(res, "met") if r.met else _t(res, "missed"))
        rows.append({_t(res, "table.kpi"): name, _t(res, "table.value"): val,
                     _t(res, "table.95pct_ci"): ci, "n": int(r.n), _t(res, "table.target"): tgt,
                     _t(res, "table.status"): met})
    numeric = [_t(res, "table.value"), _t(res, "table.95pct_ci"), _t(res, "table.target")]
    return DisplayTable(pd.DataFrame(rows), numeric=numeric)


def kpi_frame(res: ReportResults) -> pd.DataFrame:
    """Share KPIs with targets and labels, for :func:`csat_research.report.plots.kpi_bullets`."""
    if res.kpis is None:
        return pd.DataFrame()
    k = res.kpis[res.kpis["target"].notna() & (res.kpis["kpi"] != "median_first_response_min")].copy()
    k["label"] = [(_t(res, f"kpi.{x}") if f"kpi.{x}" else x) for x in k["kpi"]]
    return k


def heading(key: str, lang: str, *, level: int = 2) -> Html:
    """A section heading in the report language (``key`` from :mod:`csat_research.report.i18n`)."""
    return Html(f"<h{level}>{html.escape(text(key, lang))}</h{level}>")


def subheading(title: str, *, level: int = 3) -> Html:
    """An escaped sub-heading."""
    return Html(f"<h{level}>{html.escape(str(title))}</h{level}>")


def texts_for_quadrants(lang: str) -> dict[str, str]:
    """Quadrant names of the importance-performance matrix in ``lang``."""
    return texts("quadrant", lang)


def theme_share_frame(res: ReportResults) -> pd.DataFrame:
    """Service theme shares with display labels, for :func:`csat_research.report.plots.share_bars`."""
    if res.text is None:
        return pd.DataFrame(columns=["label", "share"])
    t = res.text.themes
    if "group" in t:
        t = t[t["group"] != "product"]
    t = t[t["n_theme"] > 0] if "n_theme" in t else t  # no bars of 0 %
    labels = theme_label_map(res)
    return pd.DataFrame({"label": [labels.get(x, x) for x in t["theme"]], "share": t["share"].to_numpy()})
