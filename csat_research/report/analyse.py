"""All analyses of one report, computed once from a :class:`~csat_research.report.study.Study`.

:func:`analyse` calls the library's statistics in the order a CSAT report needs them and keeps
every result in one frozen :class:`ReportResults`, so that the report notebook only displays and
narrates, ``summary.json`` and ``tables.xlsx`` are built from the same numbers, and a researcher
can re-run any single step from ``explore.ipynb``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from csat_research.core.errors import (
    AnalysisError,
    CsatError,
    CsatWarning,
    DataError,
    ParamsError,
)
from csat_research.io.yamlio import load_yaml
from csat_research.report import guards, i18n
from csat_research.report.results import ReportResults, TextResults
from csat_research.report.study import Study
from csat_research.stats import (
    alpha,
    cfa,
    drivers,
    estimates,
    group_compare,
    kpi,
    logit,
    ordinal,
    reliability,
    scoring,
)
from csat_research.stats.crosstabs import crosstab
from csat_research.text.answer_tables import answer_tables
from csat_research.text.frequencies import contrast_words
from csat_research.text.inputs import text_series
from csat_research.text.pii import forget_spans
from csat_research.text.quotes import representative_quotes
from csat_research.text.theme_summary import theme_summary
from csat_research.text.themes import default_theme_lexicon, tag_themes
from csat_research.text.tokenize import default_stopwords, make_tokenizer
from csat_research.text.topics import (
    emerging_topics,
    extend_lexicon,
)

OVERALL = "overall_sat"
REPURCHASE = "repurchase"
INTENT = "repurchase_intent"
NPS = "nps"
IMPROVE = "open_improve"
NEGATIVE_MAX = 3  # "negative" answers of the emerging topics: overall satisfaction <= 3
#: threads of the drivers' bootstrap: its multinomial draws (nearly all of its time on a large
#: study) release the GIL, so two threads halve its wall time on the two cores a report gets
#: (issue 17); the numbers do not depend on it (replicate b uses only its own seed)
BOOT_WORKERS = 2


def _quiet(fn, *args, **kwargs):
    """Run ``fn`` keeping its CsatWarnings (they are reported in ``notes`` and ``data_notes``)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CsatWarning)
        out = fn(*args, **kwargs)
    return out, [w.message for w in caught if issubclass(w.category, CsatWarning)]


def _item_scores(study: Study) -> pd.DataFrame:
    """Mean and top-2-box per item (reverse-keyed items reversed), in instrument order."""
    data = study.data
    reverse = set(study.codebook.reverse_items(study.category))
    rows = []
    for dim, items in study.dimensions.items():
        keyed = scoring.reverse_key(data[items], items=[i for i in items if i in reverse]) if reverse else data[items]
        for item in items:
            s = keyed[item].dropna()
            rows.append(
                {"dimension": dim, "item": item, "n": int(s.size), "mean": float(s.mean()) if s.size else np.nan,
                 "top2box": float((s >= 4).mean()) if s.size else np.nan, "reverse": item in reverse,
                 "category_item": item in study.category_items}
            )
    return pd.DataFrame(rows)


def _segment_tests(study: Study, value: str, notes: list) -> pd.DataFrame:
    """Tests of ``value`` across the levels of each segment that can be tested; the levels too
    small or constant to test are left out with a ``segment_untested`` note (their means and n
    stay in the segment tables)."""
    rows = []
    for seg in study.params.analysis.segments:
        if seg not in study.data.columns or study.data[seg].nunique() < 2:
            continue
        levels, untested = guards.levels_to_test(study.data, value=value, group=seg)
        notes += untested
        if len(levels) < 2:
            continue
        used = [value, seg] + ([study.weight_column] if study.weight_column else [])
        data = study.data.loc[study.data[seg].isin(levels), used]  # the columns the test reads
        res = group_compare.compare_means(data, value=value, group=seg, survey_weights=study.weight_column)
        t = res.tests.set_index("test")
        for test in t.index:
            rows.append({"segment": seg, "test": test, **t.loc[test].to_dict()})
    return pd.DataFrame(rows)


def _lexicon(study: Study) -> dict | None:
    """The theme lexicon of params ``text.lexicon`` (None: the shipped one), checked to be one."""
    p = study.params
    if p.text.lexicon is None:
        return None
    try:
        lexicon = load_yaml(p.text.lexicon.read_text(encoding="utf-8"))
        tag_themes(pd.Series([""]), lexicon=lexicon)  # compiles (and so checks) every theme
    except (CsatError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ParamsError(
            f"{p.source}: text.lexicon: {p.text.lexicon} is not a theme lexicon (a YAML file shaped like "
            f"csat_research/data/themes.yaml, with a 'themes' mapping): {exc}"
        ) from exc
    return lexicon


def _text(study: Study, notes: list[str]) -> TextResults | None:
    try:
        return _text_results(study, notes)
    finally:
        forget_spans()  # the spans of every answer, memoised for counts, contrasts and quotes


def _text_results(study: Study, notes: list[str]) -> TextResults | None:
    if IMPROVE not in study.data.columns:
        return None
    p = study.params
    lang = study.lang
    lexicon = _lexicon(study)  # a broken lexicon fails every study, with or without answers
    raw = study.data[IMPROVE]
    # one object Series of str / None for every text function below (each would otherwise
    # convert the column again: a million answers take a quarter of a second per conversion)
    texts = text_series(raw.astype(str).where(raw.notna(), None))
    answered = texts.notna() & (texts.fillna("").str.strip() != "")
    answers = texts[answered]
    if answers.empty:
        notes.append(CsatWarning("no open answers to analyse", kind="no_open_answers"))
        return None
    if p.text.extra_themes:
        extra = {k: v.model_dump() for k, v in p.text.extra_themes.items()}
        lexicon = extend_lexicon(extra, lexicon=lexicon)
    stopwords = default_stopwords("zh") | set(p.text.stopwords) if p.text.stopwords else None
    tok = make_tokenizer(user_words=p.text.user_words, stopwords=stopwords, language="zh")
    # words, bigrams and themes in one pass over the distinct answers (shared by processes)
    counted = answer_tables(answers, tokenizer=tok, lexicon=lexicon, top=60, top_bigrams=30)
    words, bigrams, tags = counted.words, counted.bigrams, counted.tags
    themes = theme_summary(tags, outcome=study.data.loc[answered, OVERALL], lexicon=lexicon, language=lang)
    seg = [s for s in ("customer_type", "value_band", "age_group") if s in study.data.columns]
    by_seg = pd.concat(
        [theme_summary(tags, groups=study.data.loc[answered, s], lexicon=lexicon, language=lang).assign(segment=s)
         for s in seg],
        ignore_index=True,
    ) if seg else pd.DataFrame()
    sat = study.data.loc[answered, OVERALL]
    groups = pd.Series(np.where(sat <= 2, "dissatisfied", np.where(sat >= 4, "satisfied", "neutral")), index=sat.index)
    if {"dissatisfied", "satisfied"} <= set(groups):
        contrast = contrast_words(answers, groups, tokenizer=tok, min_count=5)
    else:  # no answer of one side to contrast with
        contrast = pd.DataFrame()
        notes.append(CsatWarning(
            f"contrast_words not computed: open answers only from {sorted(set(groups))} respondents "
            "(needs dissatisfied, overall_sat <= 2, and satisfied, >= 4)",
            kind="not_estimated", analysis="contrast_words", groups=tuple(sorted(set(groups)))))
    tagged = [t for t in tags.columns if tags[t].any()]
    quotes = representative_quotes(
        answers, tags, theme=tagged, n=p.text.quotes_per_theme, seed=p.analysis.seed,
        placeholders=i18n.texts("pii", lang),
    ) if p.text.quotes_per_theme and tagged else pd.DataFrame()
    negative = (sat <= NEGATIVE_MAX).to_numpy()
    emerging = emerging_topics(answers[negative], tags=tags[negative], tokenizer=tok,
                               seed=p.analysis.seed, placeholders=i18n.texts("pii", lang))
    return TextResults(
        n_answers=int(answered.sum()), words=words, bigrams=bigrams, tags=tags, themes=themes,
        themes_by_segment=by_seg, contrast=contrast, quotes=quotes,
        lexicon=lexicon if lexicon is not None else default_theme_lexicon(), emerging=emerging,
    )


def _in_codebook_order(study: Study, values: pd.Series) -> pd.Series:
    """A segment variable as a categorical in the codebook's level order (levels it does not
    name after them, sorted), so that a crosstab's columns and their letters A, B, ... follow the
    order the tables show."""
    try:
        order = study.codebook.segment_levels(values.name)
    except (KeyError, ValueError):
        return values
    # one factorization of the column (a Categorical built from a million strings looks each
    # one up again): the codes of its distinct values, then those mapped to the levels' order
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    seen = set(uniques.tolist())
    levels = [lv for lv in order if lv in seen] + sorted(seen.difference(order), key=str)
    position = {lv: k for k, lv in enumerate(levels)}
    to_level = np.array([position[u] for u in uniques.tolist()] + [-1], dtype=np.int64)
    cat = pd.Categorical.from_codes(to_level[codes], categories=levels)
    return pd.Series(cat, index=values.index, name=values.name)


def analyse(study: Study) -> ReportResults:
    """Run every analysis of the report on a loaded study.

    Soft problems (small bases, dropped cases, a model that cannot be fitted) do not stop the
    report: they are collected, with counts, in ``notes`` and shown in the report.
    """
    p = study.params
    d = study.data
    dims = list(study.dimensions)
    w_col = study.weight_column
    w = d[w_col] if w_col else None
    notes: list[str | CsatWarning] = list(study.notes)
    if study.absent_items:
        notes.append(CsatWarning(f"optional items not in the export: {', '.join(study.absent_items)}",
                                 kind="items_absent", items=study.absent_items))

    overall = scoring.overall_index(d[dims], index_weights=study.index_weights, survey_weights=w)
    csat_mean = estimates.mean_ci(d[OVERALL], survey_weights=w)
    t2b = estimates.top2box(d[OVERALL], survey_weights=w)
    nps_res = estimates.nps(d[NPS], survey_weights=w)
    scores, n1 = _quiet(
        scoring.score_summary, d, dimensions=study.dimensions, reverse=study.codebook.reverse_items(study.category),
        min_answered=p.quality.min_answered, survey_weights=w_col,
    )
    notes += n1

    all_items = [i for items in study.dimensions.values() for i in items]
    keyed = scoring.reverse_key(d[all_items], items=study.codebook.reverse_items(study.category))
    # constant items carry no information about reliability: left out of alpha, omega and CFA
    rel_dims, const_note = guards.constant_items(keyed, study.dimensions)
    if const_note is not None:
        notes.append(const_note)
    rel_dims = {dim: items for dim, items in rel_dims.items() if len(items) >= 2}
    rel = pd.DataFrame(columns=["dimension", "n_items", "n_obs", "n_dropped", "alpha", "alpha_std", "ci_low",
                                "ci_high", "omega"])
    parts = []
    if rel_dims:
        try:
            rel, n2 = _quiet(reliability.scale_reliability, keyed, rel_dims)
            notes += n2
            for dim, items in rel_dims.items():
                part, n_it = _quiet(alpha.item_total, keyed, items=items)
                parts.append(part.assign(dimension=dim))
                notes += n_it
        except AnalysisError as exc:
            notes.append(guards.not_estimated("scale_reliability", exc))
    item_tot = pd.concat(parts) if parts else pd.DataFrame(columns=["item", "dimension"])
    cfa_res = None
    small: list[str] = []
    if len(d) <= guards.SMALL_STUDY:  # the factor model (about 60 parameters) needs more respondents
        small.append("cfa")
    elif len(rel_dims) >= 2:
        try:
            cfa_res, n3 = _quiet(cfa.cfa, keyed, rel_dims)
            notes += n3
        except AnalysisError as exc:
            notes.append(guards.not_estimated("cfa", exc))
    th = p.thresholds
    verdict = reliability.reliability_verdict(cfa_res, scale=rel, **th)

    by_segment, n4 = _quiet(
        group_compare.satisfaction_by_segment, d.assign(overall_index=overall.index), scores=[*dims, "overall_index"],
        segments=[s for s in p.analysis.segments if s in d.columns], survey_weights=w_col,
    )
    notes += n4
    seg_tests, n5 = _quiet(_segment_tests, study, OVERALL, notes)
    notes += n5

    controls = [c for c in p.analysis.controls if c in d.columns]
    for c in [c for c in controls if d[c].nunique() < 2]:
        controls.remove(c)
        notes.append(CsatWarning(f"control {c!r} has one level only in the data; left out of the models",
                                 kind="control_constant", control=c))
    logit_overall = logit_dims = ordered = None
    curve = pd.DataFrame()

    def model(name: str, fn, outcome: str, predictors: list[str], **kwargs):
        """``fn`` fitted, or None with the note saying why not (constant outcome, other reasons)."""
        const = guards.constant_outcome(d, analysis=name, outcome=outcome)
        if const is not None:
            notes.append(const)
            return None
        try:
            out, caught = _quiet(fn, d, outcome=outcome, predictors=predictors, survey_weights=w_col, **kwargs)
        except AnalysisError as exc:
            notes.append(guards.not_estimated(name, exc, outcome=outcome))
            return None
        notes.extend(caught)
        return out

    if REPURCHASE in d.columns:
        logit_overall = model("repurchase_logit", logit.repurchase_logit, REPURCHASE, [OVERALL], controls=controls)
        logit_dims = model("repurchase_logit", logit.repurchase_logit, REPURCHASE, dims, controls=controls)
        if logit_overall is not None:
            curve = logit.predicted_curve(logit_overall, variable=OVERALL, grid=np.linspace(1, 5, 17))
    if INTENT in d.columns:
        ordered = model("repurchase_ordered", ordinal.repurchase_ordered, INTENT, dims, controls=controls)

    seed = p.analysis.seed
    boot = {"n_boot": p.analysis.n_boot, "seed": seed, "n_jobs": BOOT_WORKERS}
    drv_sat = model("relative_importance", drivers.relative_importance, OVERALL, dims, **boot)
    drv_sat = pd.DataFrame(columns=["importance", "share"]) if drv_sat is None else drv_sat
    drv_rep = pd.DataFrame()
    if REPURCHASE in d.columns:
        drv_rep = model("relative_importance", drivers.relative_importance, REPURCHASE, dims, **boot)
        drv_rep = pd.DataFrame() if drv_rep is None else drv_rep
    perf = scores.set_index("dimension")["mean"].reindex(dims)
    ipa = (drivers.importance_performance(drv_sat["importance"].reindex(dims), perf) if len(drv_sat)
           else pd.DataFrame(columns=["dimension", "importance", "performance", "quadrant"]))

    from csat_research.stats.index_weights import weights_table

    expert = study.index_weights if p.weighting.method == "expert" else None
    ahp = study.ahp
    data_w = drv_sat["share"].reindex(dims) if len(drv_sat) else None
    if expert is None and data_w is None and ahp is None:
        expert = study.index_weights  # the index's fallback weights (a note says why)
    index_weights_by_method = weights_table(expert=expert, data=data_w, ahp=ahp)

    crosstabs = {}
    for row, col in p.analysis.crosstabs:
        if row in d.columns and col in d.columns:
            # the columns the table reads (a copy of the whole frame per table took a second at 1M)
            in_order = pd.DataFrame({v: _in_codebook_order(study, d[v]) for v in (row, col)}, index=d.index)
            if w_col:
                in_order[w_col] = d[w_col]
            try:
                res, n11 = _quiet(crosstab, in_order, row=row, col=col, survey_weights=w_col)
            except AnalysisError as exc:
                notes.append(CsatWarning(f"crosstab {row} x {col} not estimated: {exc}",
                                         kind="crosstab_not_estimated", row=row, col=col, reason=str(exc)))
                continue
            crosstabs[(row, col)] = res
            notes += n11
        else:
            notes.append(CsatWarning(f"crosstab {row} x {col} skipped: column missing from the data",
                                     kind="crosstab_skipped", row=row, col=col))

    text_res = _text(study, notes)

    kpis = trend = None
    gap = wait = None
    if study.tickets is not None:
        tickets = study.tickets.frame
        targets = {k: p.targets.get(k) for k in kpi.KPIS}  # the params' targets, no other defaults
        kpis, n12 = _quiet(kpi.service_kpis, tickets, targets=targets)
        trend, n13 = _quiet(kpi.kpi_trend, tickets, targets=targets)
        notes += n12 + n13
        if "expected_reply_min" in d.columns:
            # survey and tickets joined on customer_id: a log of other customers, or a survey without
            # one row per customer, leaves these two analyses out (noted), not the report
            try:
                gap, n14 = _quiet(kpi.expectation_gap, d, tickets)
                notes += n14
            except (AnalysisError, DataError) as exc:
                notes.append(guards.not_estimated("expectation_gap", exc))
            try:
                wait, n15 = _quiet(kpi.satisfaction_by_wait, d, tickets, score=OVERALL)
                notes += n15
            except (AnalysisError, DataError) as exc:
                notes.append(guards.not_estimated("satisfaction_by_wait", exc))

    hist = _history(study, overall=overall, t2b=t2b, nps_res=nps_res, scores=scores, kpis=kpis)
    notes += list(hist.notes)

    if len(d) <= guards.SMALL_STUDY:
        notes.insert(0, CsatWarning(
            f"small study: {len(d)} analysed respondents (at most {guards.SMALL_STUDY}); "
            f"not run: {small or 'none'}; read every figure as indicative",
            kind="small_study", n=len(d), limit=guards.SMALL_STUDY, skipped=tuple(small)))
    return ReportResults(
        study=study, overall=overall, csat_mean=csat_mean, csat_top2box=t2b, nps=nps_res, scores=scores,
        item_scores=_item_scores(study), reliability=rel, item_total=item_tot, cfa=cfa_res, verdict=verdict,
        by_segment=by_segment, segment_tests=seg_tests, logit_overall=logit_overall, logit_dimensions=logit_dims,
        ordered=ordered, repurchase_curve=curve, drivers_satisfaction=drv_sat, drivers_repurchase=drv_rep, ipa=ipa,
        index_weights_by_method=index_weights_by_method, crosstabs=crosstabs, text=text_res, kpis=kpis,
        kpi_trend=trend, expectation=gap, satisfaction_by_wait=wait, notes=tuple(dict.fromkeys(str(n) for n in notes)),
        data_notes=tuple(n for n in notes if isinstance(n, CsatWarning) and n.kind),
        changes=hist.changes, previous_wave=hist.previous_wave, trend=hist.trend, trend_changes=hist.trend_changes,
        kpi_changes=hist.kpi_changes,
    )


def _history(study: Study, *, overall, t2b, nps_res, scores: pd.DataFrame, kpis: pd.DataFrame | None):
    """Change since the previous wave and the trend (:func:`csat_research.report.history.wave_history`)."""
    from csat_research.report.history import wave_history

    current = {
        "n_responses": int(study.responses.n_rows_read), "n_analysed": int(len(study.data)),
        "overall_index": overall.overall,
        "csat_top2box": t2b.share, "nps": nps_res.nps,
        "dimensions": {r.dimension: r.mean for r in scores.itertuples()},
        "kpi": {} if kpis is None else {r.kpi: {"value": float(r.value), "n": int(r.n)} for r in kpis.itertuples()
                                        if pd.notna(r.value) and pd.notna(r.n)},
    }
    return wave_history(study, current_summary=current, analyse=analyse)
