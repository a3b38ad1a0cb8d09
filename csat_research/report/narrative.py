"""Report narrative generated from the results, in Chinese or English (no placeholder prose).

Every sentence is built from numbers in :class:`~csat_research.report.analyse.ReportResults`; the
action library (the ``action.*`` keys of the i18n catalogues) maps a dimension, a complaint theme
or a missed KPI to a concrete, field-proven service action (DOMAIN.md: bot triage with a
30-minute human fallback, first-contact resolution training, shorter return cycles, proactive
logistics alerts, ...). Every phrase comes from the catalogue of the report's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from csat_research.report.data_notes import section_notes
from csat_research.report.i18n import join, quote, text, texts
from csat_research.report.tracking import (
    change_frame,
    correction_label,
    format_change,
    has_changes,
    has_trend,
)

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.results import ReportResults


#: share of the open answers a product complaint theme needs to be named in the executive summary
MIN_SUMMARY_SHARE = 0.03
#: changes since the previous wave named in the executive summary (the others are counted; the
#: change section names them all)
MAX_SUMMARY_CHANGES = 3

def _t(res: ReportResults, key: str, **values) -> str:
    return text(key, res.study.lang, **values)


def _action(res: ReportResults, group: str, key: str) -> str:
    return _t(res, f"action.{group}.{key}")


def _has_action(res: ReportResults, group: str, key: str) -> bool:
    return key in texts(f"action.{group}", res.study.lang)


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
    return quote(s, res.study.lang)


def executive_summary(res: ReportResults) -> list[str]:
    """Four to six sentences with the headline results."""
    return list(executive_summary_parts(res).values())


def change_summary(res: ReportResults, *, limit: int | None = None) -> str | None:
    """One sentence on the change since the previous wave: the adjusted-significant changes, each
    with its direction, size and unit, and how many measures are stable. ``None`` without a
    previous wave (the report then says nothing about change).

    Only a change whose adjusted p-value is below the result's ``alpha`` is called a change; the
    others are counted as stable (metrics that could not be tested are counted apart). With
    ``limit``, the first ``limit`` changes (headline figures first, then the dimensions) are
    named and the rest counted ("2 more significant changes"), so that the executive summary
    stays on its page.
    """
    rows = change_frame(res)
    if rows.empty:
        return None
    lang = res.study.lang
    wave = str(res.previous_wave) if res.previous_wave is not None else _t(res, "change.previous")
    moved = rows[rows["status"].isin(["rise", "fall"])]
    n_stable = int((rows["status"] == "stable").sum())
    n_untested = int((rows["status"] == "untested").sum())
    parts = [_t(res, f"change.{r.status}", metric=_q(res, r.label),
                delta=text(f"change.say.{'share' if r.kind in ('top2box', 'share') else r.kind}", lang,
                           x=format_change(r.delta, r.kind, lang, unit=False, sign=False).lstrip("−")))
             for r in moved.itertuples()]
    if limit is not None and len(parts) > limit:
        more = len(parts) - limit
        parts = [*parts[:limit], _t(res, "change.more_one" if more == 1 else "change.more", n=more)]
    if not parts:
        line = _t(res, "exec.changes_none", wave=wave, n=n_stable)
    elif n_stable:
        line = _t(res, "exec.changes_one_stable" if n_stable == 1 else "exec.changes", wave=wave,
                  changes=join(parts, lang), n_stable=n_stable)
    else:
        line = _t(res, "exec.changes_all", wave=wave, changes=join(parts, lang))
    if n_untested:
        line += (" " if lang == "en" else "") + _t(
            res, "exec.changes_untested_one" if n_untested == 1 else "exec.changes_untested", n=n_untested)
    return line


def change_text(res: ReportResults) -> list[str]:
    """The prose of the change section: what is compared, then :func:`change_summary` (empty
    without a previous wave)."""
    line = change_summary(res)
    if line is None:
        return []
    prev = str(res.previous_wave) if res.previous_wave is not None else _t(res, "change.previous")
    return [_t(res, "change.intro", current=res.study.params.study.wave, previous=prev), line]


def executive_summary_parts(res: ReportResults) -> dict[str, str]:
    """The sentences of :func:`executive_summary` by topic, in order: ``sample`` (sample and
    headline figures), ``changes`` (since the previous wave), ``dimensions``, ``driver``,
    ``themes``, ``kpis``, ``reliability`` (a topic without data is left out). The deck puts each
    one in the notes of its slide."""
    s = res.study
    p = s.params
    n_read = s.responses.n_rows_read
    n_excl = s.responses.n_excluded + s.screening.n_excluded
    t = p.targets
    mean_ok = res.csat_mean.mean >= t["csat_mean"]
    nps_ok = res.nps.nps >= t["nps"]
    lines = {"sample": _t(
        res, "exec.sample", n_read=n_read, n_excl=n_excl, excl_share=n_excl / n_read, n=len(s.data),
        index=res.overall.overall, mean=res.csat_mean.mean, mean_lo=res.csat_mean.ci_low,
        mean_hi=res.csat_mean.ci_high, mean_verdict=_t(res, "exec.mean_met" if mean_ok else "exec.mean_missed"),
        mean_target=t["csat_mean"], t2b=res.csat_top2box.share, nps=res.nps.nps, nps_lo=res.nps.ci_low,
        nps_hi=res.nps.ci_high, nps_verdict=_t(res, "exec.nps_met" if nps_ok else "exec.nps_missed"),
        nps_target=t["nps"],
    )}
    changes = change_summary(res, limit=MAX_SUMMARY_CHANGES)
    if changes is not None:
        lines["changes"] = changes
    sc = res.scores.sort_values("mean")
    lo, hi = sc.iloc[0], sc.iloc[-1]
    lines["dimensions"] = _t(res, "exec.dimensions", lo=_q(res, _dim(res, lo["dimension"])), lo_mean=lo["mean"],
                             hi=_q(res, _dim(res, hi["dimension"])), hi_mean=hi["mean"])
    if res.logit_dimensions is not None and res.top_drivers:
        top = res.top_drivers[0]
        c = res.logit_dimensions.coefficients.loc[top]
        second = res.top_drivers[1] if len(res.top_drivers) > 1 else None
        lines["driver"] = (_t(
            res, "exec.driver", top=_q(res, _dim(res, top)),
            second=_t(res, "exec.driver_second", s=_q(res, _dim(res, second))) if second else "",
            top_label=_dim(res, top), odds=c["odds_ratio"], lo=c["or_ci_low"], hi=c["or_ci_high"],
        ))
    if res.text is not None and res.top_themes:
        th = res.text.themes.set_index("theme")
        parts = [_t(res, "exec.theme_share", theme=_q(res, _theme(res, x)), share=th.loc[x, "share"])
                 for x in res.top_themes[:3]]
        lines["themes"] = _t(res, "exec.themes", n=res.text.n_answers, themes=join(parts, s.lang))
    th = res.text.themes.set_index("theme") if res.text is not None else None
    # product complaints reach the summary only where they are a finding: named by at least
    # MIN_SUMMARY_SHARE of the answers (a 0.1 % theme of a service survey is not one)
    product = [x for x in res.top_product_themes if th.loc[x, "share"] >= MIN_SUMMARY_SHARE][:3]
    if product:
        parts = [_t(res, "exec.theme_share", theme=_q(res, _theme(res, x)), share=th.loc[x, "share"])
                 for x in product]
        lines["product_themes"] = _t(res, "exec.product_themes", themes=join(parts, s.lang))
    if res.kpis is not None:
        k = res.kpis[res.kpis["met"].notna()]  # every KPI with a target, as the KPI table shows them
        met = int(k["met"].astype(bool).sum())
        # the largest gap among the share KPIs (a gap in minutes does not compare with them)
        missed = k[~k["met"].astype(bool) & (k["kpi"] != "median_first_response_min")]
        worst = ""
        if len(missed):
            w = missed.sort_values("gap").iloc[0]
            worst = _t(res, "exec.kpi_worst", kpi=_q(res, _kpi(res, w["kpi"])), value=w["value"], target=w["target"])
        lines["kpis"] = _t(res, "exec.kpis", n=len(k), met=met, worst=worst)
    rel = res.reliability
    rel = rel[rel["dimension"].isin(list(s.dimensions))] if "dimension" in rel else rel
    if len(rel):
        a_lo, a_hi = float(rel["alpha"].min()), float(rel["alpha"].max())
        fit = "" if res.cfa is None else _t(res, "exec.cfa_fit", cfi=res.cfa.cfi, rmsea=res.cfa.rmsea)
        ok = a_lo >= p.thresholds["alpha"]
        lines["reliability"] = _t(res, "exec.reliability",
                                  verdict=_t(res, "exec.reliable" if ok else "exec.unreliable"), lo=a_lo, hi=a_hi,
                                  fit=fit)
    return lines


def recommendations(res: ReportResults) -> list[str]:
    """Three recommended actions derived from the IPA matrix, the complaint themes and the KPIs."""
    out: list[str] = []
    ipa = res.ipa
    idx = ipa["dimension"] if "dimension" in ipa else ipa.index
    ipa = ipa.assign(_dim=list(idx))
    fix = ipa[ipa["quadrant"] == "fix_first"].sort_values("importance", ascending=False)
    dim = fix["_dim"].iloc[0] if len(fix) else res.weakest_dimension
    why = _t(res, "rec.why_fix_first" if len(fix) else "rec.why_lowest")
    out.append(_t(res, "rec.dimension", dim=_q(res, _dim(res, dim)), why=why,
                  action=_action(res, "dimension", dim)))
    themes = [t for t in res.top_themes if _has_action(res, "theme", t)]
    if themes:
        th = themes[0]
        share = float(res.text.themes.set_index("theme").loc[th, "share"])
        out.append(_t(res, "rec.theme", theme=_q(res, _theme(res, th)), share=share,
                      action=_action(res, "theme", th)))
    kpi_line = None
    if res.kpis is not None:
        missed = res.kpis[res.kpis["met"].notna() & ~res.kpis["met"].fillna(True).astype(bool)]
        missed = missed[missed["kpi"].isin(list(texts("action.kpi", res.study.lang)))].sort_values("gap")
        if len(missed):
            k = missed.iloc[0]
            kpi_line = _t(res, "rec.kpi", kpi=_q(res, _kpi(res, k["kpi"])), value=k["value"], target=k["target"],
                          action=_action(res, "kpi", k["kpi"]))
    if kpi_line is None and len(themes) > 1:
        th = themes[1]
        kpi_line = _t(res, "rec.plain", what=_q(res, _theme(res, th)), action=_action(res, "theme", th))
    if kpi_line is None:
        second = next((d for d in res.scores.sort_values("mean")["dimension"] if d != dim), None)
        if second:
            kpi_line = _t(res, "rec.plain", what=_q(res, _dim(res, second)), action=_action(res, "dimension", second))
    if kpi_line:
        out.append(kpi_line)
    return out[:3]


def quality_text(res: ReportResults) -> list[str]:
    s = res.study
    sc = s.screening
    parts = [_t(res, "quality.rule_count", rule=text("rule." + r.rule, s.lang), n=int(r.n_excluded))
             for r in sc.summary.itertuples() if r.n_excluded]
    flagged = [_t(res, "quality.rule_count", rule=text("rule." + r.rule, s.lang), n=int(r.n_flagged))
               for r in sc.summary.itertuples() if r.n_flagged and r.action == "flag"]
    out = [_t(res, "quality.counts", rows=s.responses.n_rows_read, import_excl=s.responses.n_excluded,
              screened=sc.n_total, excl=sc.n_excluded, share=sc.n_excluded / max(sc.n_total, 1),
              parts=join(parts, s.lang, sep="fmt.comma") or _t(res, "none"))]
    if flagged:
        out.append(_t(res, "quality.flagged", flagged=join(flagged, s.lang, sep="fmt.comma")))
    return out


def reliability_text(res: ReportResults) -> list[str]:
    """What the reliability section could not compute: constant items left out, a factor model or
    reliability not estimated, a study too small for the factor model."""
    out = section_notes(res, kinds=("constant_item", "not_estimated"), analyses=("scale_reliability", "cfa"))
    if res.cfa is None:
        out += section_notes(res, kinds=("small_study",))
    return out


def segment_text(res: ReportResults) -> list[str]:
    """Segment levels shown with their n but left out of the significance tests (too small or constant)."""
    return section_notes(res, kinds=("segment_untested",))


def drivers_text(res: ReportResults) -> list[str]:
    """Key-driver analyses that could not be estimated (constant outcome or other reasons)."""
    return section_notes(res, kinds=("not_estimated", "outcome_constant"), analyses=("relative_importance",))


def repurchase_text(res: ReportResults) -> list[str]:
    """The repurchase model in one sentence, then what could not be estimated (and why)."""
    notes = section_notes(res, kinds=("not_estimated", "outcome_constant", "control_constant"),
                          analyses=("repurchase_logit",))
    m = res.logit_overall
    if m is None:
        return notes
    c = m.coefficients.loc["overall_sat"]
    curve = res.repurchase_curve
    lo = float(np.interp(2.0, curve.iloc[:, 0], curve["probability"])) if len(curve) else np.nan
    hi = float(np.interp(5.0, curve.iloc[:, 0], curve["probability"])) if len(curve) else np.nan
    return [_t(res, "repurchase.logit", n=m.n_obs, r2=m.pseudo_r2, odds=c["odds_ratio"], lo=c["or_ci_low"],
               hi=c["or_ci_high"], p2=lo, p5=hi), *notes]


def ordered_text(res: ReportResults) -> list[str]:
    """One sentence introducing the ordered logit of repurchase intention."""
    m = res.ordered
    if m is None:
        return section_notes(res, kinds=("not_estimated", "outcome_constant"), analyses=("repurchase_ordered",))
    top = m.coefficients.drop(index=[t for t in m.coefficients.index if "[" in t]).sort_values("odds_ratio").index[-1]
    c = m.coefficients.loc[top]
    return [_t(res, "repurchase.ordered", n=m.n_obs, dim=_q(res, _dim(res, top)), odds=c["odds_ratio"],
               lo=c["or_ci_low"], hi=c["or_ci_high"])]


def emerging_text(res: ReportResults) -> list[str]:
    """One sentence on the negative answers no theme covers: their count and the largest topic.

    When too few such answers remain to group, a note says so instead (no table is shown).
    """
    em = None if res.text is None else res.text.emerging
    if em is None:
        return []
    if em.n_untagged == 0:
        return [_t(res, "emerging.all_tagged")]
    if em.topics.empty:
        return [_t(res, "emerging.too_few", n=em.n_untagged, n_grouped=em.n_untagged - em.n_short)]
    top = em.topics.iloc[0]
    words = join([_q(res, w) for w in top["top_words"][:3]], res.study.lang)
    return [_t(res, "emerging.summary", n=em.n_untagged, words=words, n_topic=int(top["n"]),
               share=float(top["share"]))]


def method_text(res: ReportResults) -> list[str]:
    s = res.study
    p = s.params
    w = join([_t(res, "method.weight_item", dim=_dim(res, d), weight=v) for d, v in s.index_weights.items()], s.lang)
    ahp = ""
    if s.ahp is not None:
        ahp = _t(res, "method.ahp", cr=s.ahp.consistency_ratio, max_cr=s.ahp.max_cr,
                 override=_t(res, "method.ahp_override") if s.ahp.overridden else "")
    return [
        _t(res, "method.scores", min_answered=p.quality.min_answered),
        _t(res, "method.index", method=text(f"weights.{p.weighting.method}", s.lang), weights=w, ahp=ahp),
        _t(res, "method.top2box"),
        _t(res, "method.intervals"),
        _t(res, "method.reliability"),
        _t(res, "method.models", n_boot=p.analysis.n_boot, seed=p.analysis.seed),
        _t(res, "method.text"),
        *([_t(res, "method.emerging", seed=p.analysis.seed)] if res.text is not None else []),
        *_method_changes(res),
    ]


def _method_changes(res: ReportResults) -> list[str]:
    """How the change since the previous wave was tested, with the correction actually used."""
    if not has_changes(res):
        return []
    c = res.changes
    n = int(np.isfinite(c.table["p_adjusted"].to_numpy(dtype=float)).sum())
    return [_t(res, "method.changes", n=n, alpha=c.alpha, correction=correction_label(res),
               weighted=_t(res, "method.changes_weighted" if c.weighted else "method.changes_unweighted"),
               trend=_t(res, "method.changes_trend") if has_trend(res) else "")] + _method_kpi_changes(res)


def _method_kpi_changes(res: ReportResults) -> list[str]:
    """How the KPIs' change was tested (their own family), when the report shows it."""
    k = getattr(res, "kpi_changes", None)
    if k is None:
        return []
    n = int(np.isfinite(k.table["p_adjusted"].to_numpy(dtype=float)).sum())
    return [_t(res, "method.kpi_changes", n=n, correction=correction_label(res, k))]
