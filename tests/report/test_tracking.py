"""The change and trend pages of a tracked report (csat_research.report.tracking, the narrative's
change sentences, the method text, the xlsx sheets, the notebook cell and the rendered PDF).

The fixture ``tracked`` (tests/report/tracking_study.py) is a beauty demo study over 2026Q1-Q3
with ``quality`` moved down in 2026Q2 and ``efficiency`` up in 2026Q3; its changes come from
:func:`csat_research.stats.change.compare_waves`, whose statistics have their reference-value
tests in tests/stats/test_change.py. Here every figure shown is compared with those results.
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from csat_research.report import narrative, plots, tracking
from csat_research.report.i18n import text
from csat_research.report.style import use_report_style
from csat_research.report.xlsx import to_excel

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "csat_report.ipynb"


def _untracked(res):
    return dataclasses.replace(res, changes=None, previous_wave=None, trend=None, trend_changes=None)


def _with_table(res, table: pd.DataFrame, **changes):
    return dataclasses.replace(res, changes=dataclasses.replace(res.changes, table=table, **changes))


# -- the fixture itself: a realistic mix of changes and stable metrics ------------------------------

def test_fixture_has_significant_and_stable_metrics(tracked):
    t = tracked.changes.table.set_index("metric")
    assert tracked.previous_wave == "2026Q2" and tracked.study.params.study.wave == "2026Q3"
    assert bool(t.loc["efficiency", "significant"]) and t.loc["efficiency", "delta"] > 0  # planted in 2026Q3
    assert 0 < int(t["significant"].sum()) < len(t)
    assert list(tracked.trend["wave"]) == ["2026Q1", "2026Q2", "2026Q3"]


# -- change table -----------------------------------------------------------------------------------

def test_change_table_shows_the_results_in_their_units(tracked):
    table = tracking.change_table(tracked)
    shown = table.formatted()
    assert list(shown.columns) == ["指标", "2026Q2", "2026Q3", "变化", "变化的 95% 置信区间", "校正后 p 值", "结论"]
    t = tracked.changes.table.set_index("metric")
    rows = shown.set_index("指标")
    # headline figures first, then the dimensions in instrument order
    labels = [text("overall_index", "zh"), text("csat_top2box", "zh"), text("nps", "zh")]
    assert list(rows.index) == labels + [tracked.study.label(d) for d in tracked.study.dimensions]
    idx = rows.loc[text("overall_index", "zh")]
    o = t.loc["overall_index"]
    assert idx["2026Q2"] == f"{o['previous']:.2f}" and idx["2026Q3"] == f"{o['current']:.2f}"
    assert idx["变化"] == f"{o['delta']:+.2f}".replace("-", "−")
    assert idx["变化的 95% 置信区间"] == f"{o['ci_low']:+.2f} – {o['ci_high']:+.2f}".replace("-", "−")
    share = rows.loc[text("csat_top2box", "zh")]
    s = t.loc["csat_top2box"]
    assert share["2026Q3"] == f"{s['current']:.1%}"
    assert share["变化"] == f"{100 * s['delta']:+.1f} 个百分点".replace("-", "−")  # percentage points
    nps = rows.loc[text("nps", "zh")]
    n = t.loc["nps"]
    assert nps["2026Q3"] == f"{n['current']:+.1f}" and nps["变化"] == f"{n['delta']:+.1f} 点".replace("-", "−")
    assert table.note and "Holm" in table.note and f"{len(t)} 项比较" in table.note


def test_only_adjusted_significant_changes_get_an_arrow(tracked):
    frame = tracking.change_frame(tracked)
    shown = tracking.change_table(tracked).formatted()
    for status, sig, p_adj, shown_status in zip(frame["status"], frame["significant"], frame["p_adjusted"],
                                                shown["结论"], strict=True):
        assert (status in ("rise", "fall")) == bool(sig) == (p_adj < tracked.changes.alpha)
        assert shown_status.startswith(("▲", "▼")) == bool(sig)
        if not sig:
            assert shown_status == "稳定"
    # an unadjusted p below alpha with an adjusted one above is still "stable"
    t = tracked.changes.table.copy()
    t.loc[0, ["p_value", "p_adjusted", "significant"]] = [0.01, 0.08, False]
    r = _with_table(tracked, t)
    assert tracking.change_frame(r).set_index("metric").loc[t.loc[0, "metric"], "status"] == "stable"


def test_a_metric_without_p_value_is_not_testable_and_a_fall_gets_a_down_arrow(tracked, tracked_en):
    t = tracked_en.changes.table.copy()
    t.loc[t["metric"] == "digital", ["p_value", "p_adjusted", "significant"]] = [np.nan, np.nan, False]
    t.loc[t["metric"] == "after_sales", ["delta", "p_adjusted", "significant"]] = [-0.3, 0.001, True]
    r = _with_table(tracked_en, t)
    rows = tracking.change_table(r).formatted().set_index("Measure")
    assert rows.loc[r.study.label("digital"), "Status"] == "Not testable"
    assert rows.loc[r.study.label("after_sales"), "Status"] == "▼ Significant decrease"
    assert rows.loc[r.study.label("after_sales"), "Change"] == "−0.30"


def test_no_previous_wave_no_table_no_trend(tracked):
    r = _untracked(tracked)
    assert not tracking.has_changes(r) and not tracking.has_trend(r)
    assert tracking.change_table(r).empty and tracking.trend_table(r).empty
    assert tracking.change_frame(r).empty and tracking.trend_long(r).empty


# -- trend ------------------------------------------------------------------------------------------

def test_trend_table_marks_the_significant_wave_to_wave_changes(tracked):
    shown = tracking.trend_table(tracked).formatted().set_index("指标")
    assert list(shown.columns) == ["2026Q1", "2026Q2", "2026Q3"]
    tc = tracked.trend_changes
    trend = tracked.trend.set_index("wave")
    for dim in tracked.study.dimensions:
        for wave in ("2026Q2", "2026Q3"):
            cell = shown.loc[tracked.study.label(dim), wave]
            row = tc[(tc["to_wave"] == wave) & (tc["metric"] == dim)].iloc[0]
            mark = ("▲ " if row["delta"] > 0 else "▼ ") if row["significant"] else ""
            assert cell == mark + f"{trend.loc[wave, dim]:.2f}", (dim, wave)
    # the respondents analysed, as the executive summary counts them (not the rows read)
    assert shown.loc["有效样本（n）"].tolist() == [f"{n:,}" for n in tracked.trend["n_analysed"]]
    assert shown.loc[text("csat_top2box", "zh"), "2026Q1"].endswith("%")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trend_chart_has_a_title_readable_ticks_and_filled_significant_markers(tracked, tracked_en, lang):
    from csat_research.report.layout import figure_problems

    r = tracked if lang == "zh" else tracked_en
    use_report_style(lang, dpi=72)
    data = tracking.trend_long(r)
    ax = plots.trend_lines(data, emphasis=tracking.metric_label(r, "overall_index"),
                           ylabel=text("chart.trend_ylabel", lang), title=text("chart.trend", lang),
                           marker_label=text("chart.trend_marker", lang))
    try:
        assert figure_problems(ax.figure, name=f"trend/{lang}") == []
        filled = [line for line in ax.lines if line.get_linestyle() == "None"]
        assert sum(len(line.get_xdata()) for line in filled) == int(data["significant"].sum()) > 0
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[-1] == text("chart.trend_marker", lang)
        assert legend[:-1] == list(pd.unique(data["label"]))
        # every legend entry inside the figure (no label cut at the edge)
        ax.figure.canvas.draw()
        box = ax.get_legend().get_window_extent()
        assert box.x0 >= 0 and box.x1 <= ax.figure.bbox.width
    finally:
        plt.close(ax.figure)


# -- narrative and method ---------------------------------------------------------------------------

def test_narrative_calls_only_significant_changes_changes(tracked):
    line = narrative.executive_summary_parts(tracked)["changes"]
    frame = tracking.change_frame(tracked)
    for r in frame.itertuples():
        named = f"「{r.label}」" in line
        assert named == (r.status in ("rise", "fall")), (r.metric, line)
    stable = int((frame["status"] == "stable").sum())
    assert f"其余 {stable} 项指标保持稳定" in line and "2026Q2" in line
    eff = frame.set_index("metric").loc["efficiency"]
    assert f"「{eff['label']}」上升 {eff['delta']:.2f} 分" in line
    assert line in narrative.executive_summary(tracked)
    assert narrative.change_text(tracked)[1] == line


def test_narrative_units_and_the_none_significant_case_in_english(tracked_en):
    t = tracked_en.changes.table.copy()
    t["significant"] = False
    t.loc[t["metric"] == "csat_top2box", ["delta", "significant"]] = [0.052, True]
    t.loc[t["metric"] == "nps", ["delta", "significant"]] = [-6.04, True]
    line = narrative.change_summary(_with_table(tracked_en, t))
    assert line == (f"Significant changes since 2026Q2: '{text('csat_top2box', 'en')}' up 5.2 percentage points, "
                    f"'{text('nps', 'en')}' down 6.0 points; the other {len(t) - 2} measures are stable.")
    t["significant"] = False
    assert narrative.change_summary(_with_table(tracked_en, t)) == (
        f"Compared with 2026Q2, none of the {len(t)} measures changed significantly: all are stable.")


def test_executive_summary_names_at_most_three_changes_and_counts_the_rest(tracked_en):
    t = tracked_en.changes.table.copy()
    t["significant"] = True
    t["p_adjusted"] = 0.001
    r = _with_table(tracked_en, t)
    summary = narrative.executive_summary_parts(r)["changes"]
    assert summary.count(" up ") + summary.count(" down ") == narrative.MAX_SUMMARY_CHANGES == 3
    assert f"{len(t) - 3} more significant changes (see the change section)" in summary
    assert "stable" not in summary  # every measure changed
    full = narrative.change_text(r)[1]  # the change section names them all
    assert full.count(" up ") + full.count(" down ") == len(t)


def test_counts_of_one_are_said_in_the_singular(tracked_en):
    t = tracked_en.changes.table.copy()
    t["significant"] = [True] * 4 + [False] * (len(t) - 4)
    t["p_adjusted"] = [0.001] * 4 + [0.5] * (len(t) - 4)
    t.loc[t.index[4:-1], "significant"] = True  # all but the last measure changed
    t.loc[t.index[4:-1], "p_adjusted"] = 0.001
    summary = narrative.executive_summary_parts(_with_table(tracked_en, t))["changes"]
    assert f"{len(t) - 1 - 3} more significant changes" in summary
    assert summary.endswith("the other measure is stable.")
    t = tracked_en.changes.table.copy()
    t["significant"] = [True] * 4 + [False] * (len(t) - 4)
    t["p_adjusted"] = [0.001] * 4 + [0.5] * (len(t) - 4)
    summary = narrative.executive_summary_parts(_with_table(tracked_en, t))["changes"]
    assert "1 more significant change (see the change section)" in summary
    assert f"the other {len(t) - 4} measures are stable." in summary


def test_no_previous_wave_says_nothing_about_change(tracked):
    r = _untracked(tracked)
    assert "changes" not in narrative.executive_summary_parts(r)
    assert narrative.change_text(r) == [] and narrative.change_summary(r) is None
    words = ("2026Q2", "稳定", "上一期", "Welch", "Newcombe")
    assert not any(w in " ".join(narrative.executive_summary(r) + narrative.method_text(r)) for w in words)


@pytest.mark.parametrize(("correction", "zh", "en"), [
    ("holm", "Holm 逐步法", "Holm's step-down method"),
    ("fdr_bh", "Benjamini-Hochberg", "Benjamini-Hochberg method (false discovery rate)"),
])
def test_method_appendix_names_the_tests_and_the_correction_used(tracked, tracked_en, correction, zh, en):
    for r, name in ((tracked, zh), (tracked_en, en)):
        r = dataclasses.replace(r, changes=dataclasses.replace(r.changes, correction=correction))
        line = narrative.method_text(r)[-1]
        assert name in line, line
        for word in ("Welch", "Kish" if r.changes.weighted else "Welch-Satterthwaite", "Newcombe", "NPS"):
            assert word in line
        assert f"{len(r.changes.table)}" in line


# -- xlsx -------------------------------------------------------------------------------------------

def test_xlsx_has_change_and_trend_sheets_only_with_history(tracked, tmp_path):
    path = to_excel(tracked, tmp_path / "tables.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    changes = sheets["changes"]
    assert list(changes["metric"]) == list(tracked.changes.table["metric"])
    np.testing.assert_allclose(changes["p_adjusted"], tracked.changes.table["p_adjusted"], rtol=1e-12)
    assert set(changes["previous_wave"]) == {"2026Q2"} and set(changes["correction"]) == {"holm"}
    assert list(sheets["trend"]["wave"]) == ["2026Q1", "2026Q2", "2026Q3"]
    assert len(sheets["trend_changes"]) == len(tracked.trend_changes)
    plain = pd.read_excel(to_excel(_untracked(tracked), tmp_path / "plain.xlsx"), sheet_name=None)
    assert not {"changes", "trend", "trend_changes"} & set(plain)


def test_dry_run_sections_show_the_tracking_pages_only_with_history(tracked):
    from csat_research.report import checkup

    html = [getattr(x, "_repr_html_", lambda x=x: str(x))() for x in checkup.report_sections(tracked)]
    assert "<h2>与上一期（2026Q2）相比的变化</h2>" in html and text("chart.trend", "zh") in html
    plain = [getattr(x, "_repr_html_", lambda x=x: str(x))() for x in checkup.report_sections(_untracked(tracked))]
    assert not any("2026Q2" in h or h == text("chart.trend", "zh") for h in plain)


# -- the report notebook ----------------------------------------------------------------------------

def _change_cells() -> list[str]:
    """The report notebook's own code cell of the change and trend section."""
    cells = [c.source for c in nbformat.read(NOTEBOOK, 4).cells if c.cell_type == "code"]
    found = [c for c in cells if "tracking.has_changes(res)" in c]
    assert len(found) == 1
    return found


@pytest.mark.e2e
def test_notebook_cell_shows_the_section_only_with_history(tracked, tmp_path):
    """The notebook's change cell, run by a real kernel on the tracked results and without history."""
    from nbclient import NotebookClient

    outputs = {}
    for name, r in (("tracked", tracked), ("plain", _untracked(tracked))):
        pkl = tmp_path / f"{name}.pkl"
        pkl.write_bytes(pickle.dumps(r))
        setup = (f"import pickle\nimport matplotlib.pyplot as plt\nfrom IPython.display import display\n"
                 f"from csat_research.report import narrative, plots, tables, tracking\n"
                 f"from csat_research.report.style import use_report_style\n"
                 f"res = pickle.load(open({str(pkl)!r}, 'rb'))\nlang = res.study.lang\nuse_report_style(lang)\n"
                 f"%matplotlib inline")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup)] +
                                      [nbformat.v4.new_code_cell(c) for c in _change_cells()])
        NotebookClient(nb, kernel_name="python3", timeout=300).execute(cwd=str(tmp_path))
        outputs[name] = nb.cells[-1].outputs
    assert outputs["plain"] == []
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs["tracked"])
    assert "<h2>与上一期（2026Q2）相比的变化</h2>" in html and "<h2>各期趋势</h2>" in html
    assert html.count('<table class="csat-table') == 2 and "▲ 显著上升" in html
    assert sum("image/png" in o.get("data", {}) for o in outputs["tracked"]) == 1


@pytest.mark.e2e
@pytest.mark.slow
def test_tracked_report_renders_and_passes_the_layout_check(tracked, tracked_en, tmp_path):
    """The whole report notebook on the tracked results, to HTML and PDF, in Chinese and English:
    the trend section follows the change section and the layout check finds nothing."""
    import subprocess

    from nbclient import NotebookClient

    from csat_research.report.html import notebook_to_html
    from csat_research.report.layout import check_layout
    from csat_research.report.outputs import summary_document
    from csat_research.report.pdf import PdfRenderer

    with PdfRenderer(tabs=1) as pdf:
        for r in (tracked, tracked_en):
            lang = r.study.lang
            pkl = tmp_path / f"{lang}.pkl"
            pkl.write_bytes(pickle.dumps(r))
            nb = nbformat.read(NOTEBOOK, 4)
            nb.cells[1].source = f"params_path = {str(r.study.params.source)!r}\noutput_dir = ''"
            load = next(i for i, c in enumerate(nb.cells) if "res = analyse(study)" in c.source)
            nb.cells.insert(load + 1, nbformat.v4.new_code_cell(
                f"import pickle\nres = pickle.load(open({str(pkl)!r}, 'rb'))\nstudy = res.study"))
            NotebookClient(nb, kernel_name="python3", timeout=600).execute(cwd=str(NOTEBOOK.parent))
            executed = tmp_path / f"report_{lang}.ipynb"
            nbformat.write(nb, executed)
            doc = summary_document(r)
            html = tmp_path / f"report_{lang}.html"
            html.write_text(notebook_to_html(executed, title=doc["title"], subtitle=doc["subtitle"], lang=lang,
                                             meta=doc["meta_line"]), encoding="utf-8")
            out = pdf.render(html, tmp_path / f"report_{lang}.pdf", lang=lang)
            assert check_layout(html, out, report=f"tracked/{lang}") == []
            pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split("\f")
            change = text("section.changes", lang, wave="2026Q2")
            trend = text("section.trend", lang)
            at = [i for i, p in enumerate(pages) if change in p]
            trend_at = [i for i, p in enumerate(pages) if trend in p]
            # sections flow on in print: the trend section follows the changes, its table beside its chart
            assert at and trend_at and trend_at[0] >= at[0], f"{lang}: trend section before the changes"
            assert any(re.search(r"2026Q1\s+2026Q2\s+2026Q3", pages[i]) for i in (trend_at[0], trend_at[0] + 1))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kpi_changes_have_their_own_table_and_method_line(tracked, tracked_en, lang):
    from csat_research.report.history import kpi_changes

    r = tracked if lang == "zh" else tracked_en
    previous = {"kpi": {"fcr": {"value": 0.80, "n": 900}, "bot_containment": {"value": 0.60, "n": 500}}}
    current = {"kpi": {"fcr": {"value": 0.70, "n": 1000}, "bot_containment": {"value": 0.61, "n": 520}}}
    r = dataclasses.replace(r, kpi_changes=kpi_changes(previous, current, correction="holm"))
    t = tracking.kpi_change_table(r)
    assert t.caption == text("change.kpi_caption", lang)
    shown = t.frame.set_index(text("change.col.metric", lang))
    assert list(shown.index) == [tracking.metric_label(r, "fcr"), tracking.metric_label(r, "bot_containment")]
    status = shown[text("change.col.status", lang)]
    assert status.iloc[0].startswith("▼") and not status.iloc[1].startswith(("▲", "▼"))
    assert any(text("method.kpi_changes", lang, n=2, correction=tracking.correction_label(r, r.kpi_changes)) == line
               for line in narrative.method_text(r))
    # without KPI changes (or without a previous wave) no table
    assert tracking.kpi_change_table(dataclasses.replace(r, kpi_changes=None)).frame.empty
