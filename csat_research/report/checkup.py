"""Validate a study by running its report without rendering: validate passes => report succeeds.

``csat validate`` must not say OK for a study that ``csat report`` then cannot run. The report
notebook (``notebooks/csat_report.ipynb``) loads the study, analyses it and shows what the
``tables``, ``narrative``, ``plots``, ``tracking`` and ``data_notes`` functions build; ``csat report`` also
writes ``summary.json`` and ``tables.xlsx``. :func:`dry_run` does all of that in-process, without
a kernel, HTML or PDF: figures are drawn on off-screen Agg canvases and closed, the outputs go
to a temporary folder that is removed. :func:`validate_study` is that dry run plus a short
account of the study, so an error it raises is the error the report would raise, with the same
message. ``tests/report/test_checkup.py`` checks that :func:`report_sections` calls every
function the notebook calls.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from csat_research.io.params import StudyParams, load_params
from csat_research.io.store import store_path
from csat_research.report import data_notes, narrative, plots, tables, tracking
from csat_research.report.analyse import ReportResults, analyse
from csat_research.report.outputs import write_outputs
from csat_research.report.study import Study, load_study
from csat_research.report.style import cjk_font_path, report_rc

__all__ = ["report_sections", "dry_run", "validate_study"]


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 3.6))
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _drawn(ax) -> str:
    """The title of a chart built on ``ax``, its figure dropped.

    The chart's artists are built from the data (where a chart of unusable data fails) but not
    rasterised: rasterising the report's charts takes seconds and depends only on the fonts of
    the machine, not on the study.
    """
    fig = ax.figure
    title = ax.get_title(loc="left") or ax.get_title()
    fig.clear()
    return title


def report_sections(res: ReportResults) -> list[object]:
    """Everything the report notebook displays, built from ``res`` in the notebook's order.

    Tables and prose are rendered to HTML (as ``display`` does); charts are drawn on
    off-screen canvases and replaced by their titles. Raises what the notebook would raise.
    """
    import matplotlib

    study = res.study
    params = study.params
    lang = study.lang
    out: list[object] = []
    with matplotlib.rc_context(report_rc(lang, dpi=50)):
        # executive summary
        out += [tables.heading("section.summary", lang), tables.headline_cards(res),
                tables.prose(narrative.executive_summary(res)), tables.heading("section.actions", lang, level=3),
                tables.prose(narrative.recommendations(res), bullets=True)]
        scores = res.scores.assign(label=[study.label(d) for d in res.scores["dimension"]])
        out.append(_drawn(plots.score_bars(
            scores, target=params.targets["csat_mean"], highlight=study.label(res.weakest_dimension),
            target_label=tables.text("target", lang), title=tables.text("chart.dimension_scores", lang), ax=_figure())))
        # change since the previous wave and trend across waves (only with earlier waves)
        if tracking.has_changes(res):
            out += [tracking.change_heading(res), tables.prose(narrative.change_text(res)), tracking.change_table(res),
                    tracking.kpi_change_table(res)]
        if tracking.has_trend(res):
            out.append(tracking.trend_heading(res))
            out.append(_drawn(plots.trend_lines(
                tracking.trend_long(res), emphasis=tracking.metric_label(res, "overall_index"),
                ylabel=tables.text("chart.trend_ylabel", lang), title=tables.text("chart.trend", lang),
                marker_label=tables.text("chart.trend_marker", lang), ax=_figure())))
            out.append(tracking.trend_table(res))
        # data quality
        out += [tables.heading("section.quality", lang), tables.prose(narrative.quality_text(res)),
                tables.quality_table(res), tables.audit_table(res, n=10)]
        # reliability
        out += [tables.heading("section.reliability", lang), tables.prose(narrative.reliability_text(res)),
                tables.reliability_table(res),
                tables.verdict_table(res), tables.htmt_table(res)]
        # scores by segment
        out += [tables.heading("section.scores", lang), tables.scores_table(res), tables.item_table(res)]
        out.append(_drawn(plots.segment_heatmap(
            tables.segment_long(res), row="group", col="dimension", center=float(res.scores["mean"].mean()),
            title=tables.text("section.scores", lang), cbar_label=tables.text("score", lang), ax=_figure())))
        out += [tables.prose(narrative.segment_text(res)), tables.segment_tables(res)]
        # satisfaction and repurchase
        out += [tables.heading("section.repurchase", lang), tables.prose(narrative.repurchase_text(res))]
        if len(res.repurchase_curve):
            out.append(_drawn(plots.probability_curve(
                res.repurchase_curve, x="value", xlabel=study.label("overall_sat"), ylabel=tables.text("probability", lang),
                ax=_figure())))
        out += [tables.logit_table(res), tables.prose(narrative.ordered_text(res)), tables.logit_table(res, "ordered")]
        # drivers
        out += [tables.heading("section.drivers", lang), tables.prose(narrative.drivers_text(res)), tables.drivers_table(res)]
        if len(res.ipa):
            out.append(_drawn(plots.importance_performance_plot(
                tables.ipa_frame(res), quadrant_labels=tables.texts_for_quadrants(lang),
                xlabel=tables.text("importance", lang), ylabel=tables.text("performance", lang), ax=_figure())))
        out += [tables.ipa_table(res), tables.weights_display(res)]
        # cross analysis
        out += [tables.heading("section.cross", lang), tables.crosstab_tables(res)]
        # open answers
        out.append(tables.heading("section.text", lang))
        if res.text is not None:
            out.append(_drawn(plots.share_bars(tables.theme_share_frame(res), xlabel=tables.text("share", lang), ax=_figure())))
            out += [tables.themes_table(res), *tables.product_themes_section(res)]
            out.append(_drawn(plots.word_cloud(res.text.words, font_path=str(cjk_font_path()),
                                               seed=params.analysis.seed, ax=_figure())))
            out.append(tables.quotes_table(res))
            out += [tables.subheading(tables.text("emerging.heading", lang)), tables.prose(narrative.emerging_text(res)),
                    tables.emerging_topics_table(res)]
        # service KPIs
        out.append(tables.heading("section.kpi", lang))
        if res.kpis is not None:
            out.append(_drawn(plots.kpi_bullets(tables.kpi_frame(res), ax=_figure())))
            out.append(tables.kpi_table(res))
        if study.category_items:
            out += [tables.heading("section.category", lang), tables.item_table(res, items=study.category_items)]
        # method and notes on the data
        out += [tables.heading("section.method", lang), tables.prose(narrative.method_text(res), bullets=True),
                tables.heading("section.notes", lang, level=3), data_notes.data_notes(res)]
    return [o._repr_html_() if hasattr(o, "_repr_html_") else o for o in out]


def dry_run(params: StudyParams | str | Path) -> ReportResults:
    """Load and analyse a study, build every report section and write its outputs to a
    temporary folder (removed): the report without a kernel, HTML or PDF.

    Returns
    -------
    ReportResults

    Raises
    ------
    ParamsError, CodebookError, DataError, AnalysisError
        Exactly what ``csat report`` would raise for this study, with the same message.
    """
    if not isinstance(params, StudyParams):
        params = load_params(params)
    study: Study = load_study(params)
    res = analyse(study)
    report_sections(res)
    with tempfile.TemporaryDirectory(prefix="csat-validate-") as tmp:
        write_outputs(res, tmp)
    return res


def validate_study(path: str | Path) -> list[str]:
    """Check a params file and its data by a dry run of the report; return a short account.

    Raises the project's errors (naming file, key, row, column) when anything is wrong: the
    errors the report itself would raise (see :func:`dry_run`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = dry_run(path)
    study = res.study
    r = study.responses
    lines = [
        f"study: {study.params.study.brand} / {study.category} / {study.params.study.wave} "
        f"(report language {study.lang})",
        f"responses: {r.source} ({r.format}, {r.encoding or 'binary'}"
        + (f", encoding {r.encoding_detail}" if r.encoding_detail else "")
        + f"): {r.n_rows_read} rows read, {r.n_rows_read - r.n_excluded} imported, {r.n_excluded} set aside",
    ]
    if study.tickets is not None:
        t = study.tickets
        lines.append(f"tickets: {t.source}: {t.n_rows_read} rows read, {len(t.frame)} imported, {t.n_excluded} set aside")
    s = study.screening
    flagged = ", ".join(f"{row.rule} {int(row.n_flagged)}" for row in s.summary.itertuples() if row.n_flagged)
    lines.append(f"screening: {s.n_excluded} of {s.n_total} respondents excluded; flagged: {flagged or 'none'}"
                 + ("; each one is listed with its reasons in the report's tables.xlsx, sheet 'excluded'"
                    if s.n_excluded else ""))
    weights = ", ".join(f"{k} {v:.3f}" for k, v in study.index_weights.items())
    lines.append(f"index weights ({study.params.weighting.method}): {weights}")
    if study.ahp is not None:
        lines.append(f"AHP consistency ratio {study.ahp.consistency_ratio:.3f} (limit {study.ahp.max_cr:.2f})")
    if res.trend is not None:
        lines.append(f"history: {len(res.trend) - 1} earlier wave(s) ({', '.join(res.trend['wave'].iloc[:-1])}; read "
                     f"from or added to the study store {store_path(study.params)}), compared with {res.previous_wave}: "
                     f"{int(res.changes.table['significant'].sum())} significant change(s)")
    lines.append(f"report: every section built ({len(study.data)} respondents analysed, "
                 f"{len(res.data_notes)} notes on the data)")
    # the screening's own warning repeats the line above (and names a Python object, not a file);
    # the analyses' notes are the report's notes on the data, counted in the line above
    shown = [str(w.message) for w in caught
             if not str(w.message).startswith("screen excluded") and not _analysis_note(w.message, res)]
    shown += [str(w) for w in r.warnings]
    lines.extend(f"warning: {w}" for w in dict.fromkeys(shown))  # an import warning is raised and kept: once
    return lines


def _analysis_note(message: object, res: ReportResults) -> bool:
    return str(message) in res.notes
