"""The report's notes on the data, in the report's language, from what the analyses counted.

The analyses raise :class:`~csat_research.core.errors.CsatWarning` for soft problems (cases
left out, sparse cross tables, a model that could not be fitted). Their messages are English and
technical (they name functions and columns): they stay in ``ReportResults.notes`` for the
researcher (a cell of the notebook that is left out of the client HTML and PDF). The client
pages get this module's account instead, built from each warning's ``kind`` and ``facts``:

* a table of the analyses that could not use every analysed respondent: how many each used,
  of how many, and why the others were left out;
* one sentence per other situation (sparse cross tables, missing scores, tickets that match no
  respondent, a model not estimated);
* a count of the notes without such an account, which the researcher's notebook lists.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

from csat_research.core.errors import CsatWarning
from csat_research.report.display import DisplayGroup, DisplayTable
from csat_research.report.i18n import join, text
from csat_research.report.tables import prose

if TYPE_CHECKING:  # pragma: no cover
    from csat_research.report.results import ReportResults

__all__ = ["data_notes", "data_notes_table", "data_notes_lines", "note_sentence", "section_notes"]

#: analyses of the reliability family: their cases are those of one scale (its items)
_RELIABILITY = ("scale_reliability", "item_total", "cronbach_alpha", "omega", "htmt")
#: why respondents were left out, by analysis
_WHY = {"cfa": "missing_answer", "satisfaction_by_wait": "no_ticket"}


def _scale_name(res: ReportResults, items: tuple[str, ...]) -> str:
    """The dimension whose items these are, or "all items"."""
    lang = res.study.lang
    for dim, its in res.study.dimensions.items():
        if set(its) == set(items):
            return text("notes.analysis.reliability", lang, dimension=res.study.label(dim))
    return text("notes.analysis.reliability_all", lang)


def _analysis_name(res: ReportResults, w: CsatWarning) -> str | None:
    lang = res.study.lang
    name = str(w.facts.get("analysis", ""))
    if name.split("[")[0] in _RELIABILITY and "items" in w.facts:
        return _scale_name(res, tuple(w.facts["items"]))
    if name in ("cfa", "repurchase_logit", "repurchase_ordered", "satisfaction_by_wait"):
        return text(f"notes.analysis.{name}", lang)
    if name == "relative_importance":
        return text("notes.analysis.relative_importance", lang, outcome=res.study.label(str(w.facts["outcome"])))
    return None


def data_notes_table(res: ReportResults) -> DisplayTable:
    """Analyses that used fewer respondents than were analysed: used, of, left out, why."""
    lang = res.study.lang
    rows: dict[str, tuple[int, int, str]] = {}
    for w in res.data_notes:
        if w.kind != "cases_dropped":
            continue
        name = _analysis_name(res, w)
        if name is None:
            continue
        analysis = str(w.facts.get("analysis", "")).split("[")[0]
        why = _WHY.get(analysis, "missing_answer" if analysis in _RELIABILITY else "missing_value")
        # the same scale's alpha, item-total table and omega count the same respondents: one row
        rows.setdefault(name, (int(w.facts["n_used"]), int(w.facts["n_total"]), text(f"notes.why.{why}", lang)))
    col = {k: text(f"notes.col.{k}", lang) for k in ("analysis", "used", "of", "left", "why")}
    frame = pd.DataFrame(
        [{col["analysis"]: name, col["used"]: used, col["of"]: total, col["left"]: total - used, col["why"]: why}
         for name, (used, total, why) in rows.items()],
        columns=list(col.values()),
    )
    return DisplayTable(frame, formats={col[k]: ",d" for k in ("used", "of", "left")})


def _model_name(res: ReportResults, f: dict) -> str:
    """The report-language name of the analysis of a ``not_estimated`` / ``outcome_constant`` note."""
    lang, name = res.study.lang, str(f["analysis"])
    if name == "relative_importance":
        return text("notes.analysis.relative_importance", lang, outcome=res.study.label(str(f["outcome"])))
    return text(f"notes.analysis.{name}", lang)


def _levels(res: ReportResults, segment: str, levels: dict) -> str:
    lang = res.study.lang
    try:
        labels = res.study.codebook.level_labels(segment, lang)
    except (KeyError, ValueError):
        labels = {}
    return join((text("notes.level_count", lang, level=labels.get(lv, lv), n=n) for lv, n in levels.items()), lang)


def _label(res: ReportResults, id_: str) -> str:
    try:
        return res.study.label(id_)
    except (KeyError, ValueError):
        return id_


def note_sentence(res: ReportResults, w: CsatWarning) -> str | None:
    """The report-language sentence of one note (``None`` for kinds told in the table or not at all)."""
    lang, f = res.study.lang, w.facts
    if w.kind == "segment_untested":
        line = text(f"notes.segment_untested.{f['reason']}", lang, segment=_label(res, f["segment"]),
                    levels=_levels(res, f["segment"], f["levels"]))
        if not f["tested"]:
            line += text("notes.segment_untested.no_test", lang, segment=_label(res, f["segment"]))
        return line
    if w.kind == "constant_item":
        return text("notes.constant_item", lang, items=join((_label(res, i) for i in f["items"]), lang))
    if w.kind == "outcome_constant":
        return text("notes.outcome_constant", lang, analysis=_model_name(res, f), outcome=_label(res, f["outcome"]),
                    value=f["value"], n=f["n"])
    if w.kind == "small_study":
        line = text("notes.small_study", lang, n=f["n"], limit=f["limit"])
        if f["skipped"]:
            line += text("notes.small_study_skipped", lang, limit=f["limit"],
                         analyses=join((text(f"notes.analysis.{a}", lang) for a in f["skipped"]), lang))
        return line
    if w.kind == "control_constant":
        return text("notes.control_constant", lang, control=_label(res, f["control"]))
    if w.kind == "weights_fallback":
        return text("notes.weights_fallback", lang)
    if w.kind in ("history_store_unreadable", "store_corrupt"):
        return text(f"notes.{w.kind}", lang)
    if w.kind == "history_not_stored":
        return text("notes.history_not_stored", lang, wave=f["wave"])
    if w.kind == "crosstab_not_estimated":
        return text("notes.crosstab_not_estimated", lang, row=_label(res, f["row"]), col=_label(res, f["col"]))
    if w.kind == "scores_missing":
        detail = join((f"{res.study.label(d)} {n}" for d, n in f["by_dimension"].items()), lang)
        return text("notes.scores_missing", lang, n=sum(f["by_dimension"].values()), detail=detail)
    if w.kind == "small_expected":
        return text("notes.small_expected", lang, row=res.study.label(f["row"]), col=res.study.label(f["col"]),
                    n_small=f["n_small"], n_cells=f["n_cells"], smallest=f["smallest"])
    if w.kind == "tickets_unmatched":
        return text("notes.tickets_unmatched", lang, n_respondents=f["n_respondents_left"],
                    n_tickets=f["n_tickets_unmatched"])
    if w.kind == "sparse_categories":
        detail = join((text("notes.category_count", lang, category=c, n=n) for c, n in f["counts"].items()), lang)
        return text("notes.sparse_categories", lang, analysis=text(f"notes.analysis.{f['analysis']}", lang),
                    detail=detail)
    if w.kind == "not_estimated":
        return text("notes.not_estimated", lang, analysis=_model_name(res, f))
    if w.kind == "crosstab_skipped":
        return text("notes.crosstab_skipped", lang, row=res.study.label(f["row"]), col=res.study.label(f["col"]))
    if w.kind == "no_open_answers":
        return text("notes.no_open_answers", lang)
    if w.kind == "items_absent":
        return text("notes.items_absent", lang, n=len(f["items"]),
                    items=join((res.study.label(i) for i in f["items"]), lang))
    return None


def data_notes_lines(res: ReportResults) -> list[str]:
    """One sentence per situation other than cases left out, then how many notes only the
    researcher's notebook lists."""
    lines = list(dict.fromkeys(s for w in res.data_notes if (s := note_sentence(res, w)) is not None))
    told = {str(w) for w in res.data_notes
            if note_sentence(res, w) is not None or (w.kind == "cases_dropped" and _analysis_name(res, w) is not None)}
    rest = [n for n in res.notes if n not in told]
    if rest:
        lines.append(text("notes.other", res.study.lang, n=len(rest)))
    return lines


def section_notes(res: ReportResults, *, kinds: tuple[str, ...], analyses: tuple[str, ...] = ()) -> list[str]:
    """The sentences of the notes of some ``kinds`` (``not_estimated`` / ``outcome_constant`` only
    for the ``analyses`` named): what a section could not compute, said in the section itself."""
    out = []
    for w in res.data_notes:
        if w.kind not in kinds:
            continue
        if w.kind in ("not_estimated", "outcome_constant") and w.facts.get("analysis") not in analyses:
            continue
        if (line := note_sentence(res, w)) is not None:
            out.append(line)
    return list(dict.fromkeys(out))


def data_notes(res: ReportResults) -> DisplayGroup:
    """The notes on the data for the client pages: the table of analysis bases and the sentences."""
    table = data_notes_table(res)
    lines = data_notes_lines(res)
    intro = text("notes.intro", res.study.lang)
    # the intro is the table's caption, so that it stays on the table's page
    parts: list[object] = [prose([intro])] if table.empty else [dataclasses.replace(table, caption=intro)]
    if lines:
        parts.append(prose(lines, bullets=True))
    return DisplayGroup.of(parts)
