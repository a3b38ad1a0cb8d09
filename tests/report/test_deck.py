"""The PowerPoint deck (``report.pptx``): slides, native charts equal to summary.json, notes, footer,
client template, and a LibreOffice render of a Chinese and an English deck."""

from __future__ import annotations

import dataclasses
import datetime
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE

from csat_research.core.errors import ParamsError
from csat_research.io.params import params_from_dict
from csat_research.report import narrative
from csat_research.report.deck import (
    DECK_FONT,
    build_deck,
    deck_titles,
    label_positions,
    write_deck,
)
from csat_research.report.i18n import text
from csat_research.report.outputs import summary_document, write_outputs
from csat_research.report.tables import theme_label_map
from csat_research.report.tracking import change_frame, change_table
from tests.report.demo_study import analysed_demo

DATE = datetime.date(2026, 10, 15)
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def res_en(tmp_path_factory):
    """The analysed results of a small English report (baby demo study, 400 respondents)."""
    return analysed_demo(tmp_path_factory.mktemp("deck_en"), "baby", seed=11)


@pytest.fixture(scope="module")
def decks(res, res_en, tmp_path_factory):
    """{lang: (path of the written deck, its summary.json)} for the zh and the en study."""
    out = {}
    for r in (res, res_en):
        folder = tmp_path_factory.mktemp(f"deck_{r.study.lang}")
        doc = summary_document(r)
        path = write_deck(r, folder / "report.pptx", summary=doc, date=DATE)
        out[r.study.lang] = (path, json.loads(json.dumps(doc)))  # as it reads back from summary.json
    return out


def _chart(slide):
    charts = [s.chart for s in slide.shapes if s.has_chart]
    assert len(charts) == 1
    return charts[0]


def _slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _footer(slide) -> str:
    return next(s for s in slide.shapes if s.name == "csat-footer").text_frame.text


def test_slide_titles_in_both_languages(decks):
    for lang in ("zh", "en"):
        path, doc = decks[lang]
        titles = deck_titles(Presentation(path))
        assert titles == [doc["title"], text("deck.headline", lang), text("deck.scores", lang),
                          text("section.drivers", lang), text("deck.themes", lang), text("section.kpi", lang)]
    assert deck_titles(Presentation(decks["zh"][0]))[1] == "核心指标"
    assert deck_titles(Presentation(decks["en"][0]))[1] == "Headline figures"


def test_charts_are_native_with_summary_values(decks, res):
    path, doc = decks["zh"]
    slides = list(Presentation(path).slides)
    assert not [s for slide in slides for s in slide.shapes if s.shape_type == 13]  # no pictures at all

    scores = _chart(slides[2])
    assert scores.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    score_series = next(s for s in scores.plots[0].series if s.name == "得分")
    shown = dict(zip(scores.plots[0].categories, score_series.values, strict=True))
    assert shown == {res.study.label(d): v for d, v in doc["dimensions"].items()}  # exact, as in summary.json
    target = next(s for s in scores.plots[0].series if s.name == "目标")
    assert set(target.values) == {doc["targets"]["csat_mean"]}

    ipa = _chart(slides[3])
    assert ipa.chart_type == XL_CHART_TYPE.XY_SCATTER
    imp = res.ipa["importance"]
    x_values = [[float(v.text) for v in ser.xpath("./c:xVal//c:v")] for ser in ipa.element.xpath(".//c:ser")]
    for series, x, d in zip(ipa.plots[0].series, x_values, res.study.dimensions, strict=True):
        assert series.name == res.study.label(d)
        assert list(series.values) == [doc["dimensions"][d]]
        assert x == [imp[d]]
        assert series.points[0].data_label.text_frame.text == res.study.label(d)

    themes = _chart(slides[4])
    assert themes.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    labels = theme_label_map(res)
    share = res.text.themes.set_index("theme")["share"]
    got = dict(zip(themes.plots[0].categories, themes.plots[0].series[0].values, strict=True))
    assert got == {labels[t]: share[t] for t in res.top_themes[: len(got)]}
    assert list(got)[-1] == labels[doc["top_themes"][0]]  # largest share drawn on top

    cards = _slide_text(slides[1])
    for figure in (f"{doc['overall_index']:.2f}", f"{doc['csat_top2box']:.1%}", f"{doc['nps']:+.1f}",
                   f"{doc['n_analysed']:,}"):
        assert figure in cards


def test_kpi_table_matches_report_table(decks, res):
    from csat_research.report.tables import kpi_table

    slide = list(Presentation(decks["zh"][0]).slides)[5]
    table = next(s for s in slide.shapes if s.has_table).table
    expected = kpi_table(res).formatted()
    assert len(table.rows) == len(expected) + 1
    assert [table.cell(i + 1, 1).text for i in range(len(expected))] == list(expected.iloc[:, 1])


def test_speaker_notes_hold_the_narrative(decks, res, res_en):
    for r in (res, res_en):
        slides = list(Presentation(decks[r.study.lang][0]).slides)
        parts = narrative.executive_summary_parts(r)
        notes = [s.notes_slide.notes_text_frame.text for s in slides]
        assert all(n.strip() for n in notes)
        assert notes[0] == "\n".join([*narrative.quality_text(r), parts["reliability"]])
        assert notes[1:] == [parts["sample"], parts["dimensions"], parts["driver"], parts["themes"], parts["kpis"]]


def test_footer_title_and_wave_on_every_slide(decks):
    for lang, (path, doc) in decks.items():
        for slide in Presentation(path).slides:
            footer = _footer(slide)
            assert footer == text("deck.footer", lang, title=doc["title"], wave=doc["wave"])
            assert doc["title"] in footer and "2026Q3" in footer


def test_runs_name_the_cjk_font(decks):
    with zipfile.ZipFile(decks["zh"][0]) as z:
        slide = z.read("ppt/slides/slide5.xml").decode()
        chart_names = [n for n in z.namelist() if n.startswith("ppt/charts/chart")]
        charts = [z.read(n).decode() for n in chart_names]
    assert f'<a:ea typeface="{DECK_FONT}"/>' in slide and 'lang="zh-CN"' in slide
    assert len(charts) == 3 and all(f'<a:ea typeface="{DECK_FONT}"/>' in c for c in charts)
    from lxml import etree

    root = etree.fromstring(slide.encode())
    runs = root.iter(f"{A}r")
    assert all(r.find(f"{A}rPr/{A}ea") is not None for r in runs)


def test_date_and_sample_on_title_slide(decks):
    path, doc = decks["en"]
    first = _slide_text(list(Presentation(path).slides)[0])
    assert "Date: 2026-10-15" in first and doc["meta_line"] in first and doc["subtitle"] in first


def test_open_answers_stay_text(res, tmp_path):
    """A quote with markup and control characters is shown as plain text, never interpreted."""
    q = res.text.quotes.copy()
    first = res.top_themes[0]
    q.loc[q.index[q["theme"] == first][0], "quote"] = "<b>退款</b> & =SUM(A1)\x01\x0b慢"
    r = dataclasses.replace(res, text=dataclasses.replace(res.text, quotes=q))
    prs = build_deck(r, summary_document(r), date=DATE)
    quotes = next(s for s in prs.slides[4].shapes if s.name == "csat-quotes").text_frame.text
    assert "「<b>退款</b> & =SUM(A1) 慢」" in quotes and "_x00" not in quotes


def test_changes_slide_only_with_tracking_results(res, tracked):
    """No previous wave in the results: no change slide. With one (issue 15), a table of the
    report's change table whose values equal the results, titled with the previous wave."""
    prs = build_deck(res, summary_document(res), date=DATE)
    assert not any("{wave}" in t or "2026Q2" in t for t in deck_titles(prs))
    assert len(deck_titles(prs)) == len(deck_titles(build_deck(tracked, summary_document(tracked), date=DATE))) - 1
    prs = build_deck(tracked, summary_document(tracked), date=DATE)
    assert deck_titles(prs)[-1] == text("deck.changes", "zh", wave="2026Q2") == "与 2026Q2 相比的变化"
    slide = prs.slides[-1]
    table = next(s for s in slide.shapes if s.has_table).table
    shown = change_table(tracked).formatted()
    assert [table.cell(0, j).text for j in range(len(shown.columns))][1:3] == ["2026Q2", "2026Q3"]
    t = tracked.changes.table.set_index("metric")
    first = [table.cell(1, j).text for j in range(len(shown.columns))]
    assert first[0] == text("overall_index", "zh")
    assert first[1:4] == [f"{t.loc['overall_index', 'previous']:.2f}", f"{t.loc['overall_index', 'current']:.2f}",
                          f"{t.loc['overall_index', 'delta']:+.2f}".replace("-", "−")]
    statuses = [table.cell(i, len(shown.columns) - 1).text for i in range(1, len(shown) + 1)]
    frame = change_frame(tracked)
    assert [s.startswith("▲") for s in statuses] == list(frame["status"] == "rise")
    assert all(s == text("change.status.stable", "zh") for s, st in zip(statuses, frame["status"], strict=True)
               if st == "stable")
    assert slide.has_notes_slide and "2026Q2" in slide.notes_slide.notes_text_frame.text


def _template(path: Path, *, with_slide: bool) -> Path:
    prs = Presentation()
    master = prs.slide_master
    master.background.fill.solid()
    master.background.fill.fore_color.rgb = RGBColor(0xFF, 0xF4, 0xE0)
    if with_slide:
        s = prs.slides.add_slide(prs.slide_layouts[1])
        s.shapes.title.text = "CLIENT SAMPLE SLIDE"
    prs.save(path)
    return path


def test_client_template_masters_are_used(res, tmp_path):
    tpl = _template(tmp_path / "client.pptx", with_slide=True)
    doc = summary_document(res)
    plain = build_deck(res, doc, date=DATE)
    prs = build_deck(res, doc, template=tpl, date=DATE)
    assert deck_titles(prs) == deck_titles(plain)  # the template's own slide is left out
    assert "CLIENT SAMPLE SLIDE" not in "".join(_slide_text(s) for s in prs.slides)
    assert (prs.slide_width, prs.slide_height) == (Presentation(tpl).slide_width, Presentation(tpl).slide_height)
    for slide in prs.slides:
        assert slide.slide_layout.slide_master.background.fill.fore_color.rgb == RGBColor(0xFF, 0xF4, 0xE0)
    xml = prs.slides[2].shapes.title.element
    assert not list(xml.iter(f"{A}latin"))  # the template's theme font stays the Latin font
    assert {e.get("typeface") for e in xml.iter(f"{A}ea")} == {DECK_FONT}


def test_template_from_params_and_its_validation(res, tmp_path):
    tpl = _template(tmp_path / "client.pptx", with_slide=False)
    raw = {"study": {"brand": "Demo", "category": "beauty", "wave": "2026Q3"},
           "data": {"responses": {"path": str(tmp_path / "r.csv")}}, "output": {"pptx_template": "client.pptx"}}
    (tmp_path / "r.csv").write_text("id\n1\n", encoding="utf-8")
    p = params_from_dict(raw, source=tmp_path / "p.yaml")
    assert p.output.pptx_template == tpl.resolve()
    assert "pptx" in p.output.formats  # on by default

    r = dataclasses.replace(res, study=dataclasses.replace(
        res.study, params=res.study.params.model_copy(update={"output": p.output})))
    prs = build_deck(r, summary_document(res), date=DATE)
    assert prs.slides[0].slide_layout.slide_master.background.fill.fore_color.rgb == RGBColor(0xFF, 0xF4, 0xE0)

    (tmp_path / "notes.txt").write_text("not a deck", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    cases = {"missing.pptx": "no file at", "notes.txt": r"not a \.pptx \(zip\) package",
             "other.zip": r"without ppt/presentation\.xml"}
    for name, found in cases.items():
        raw["output"]["pptx_template"] = name
        with pytest.raises(ParamsError, match=rf"output\.pptx_template: expected a PowerPoint \.pptx file; "
                                              rf"found .*{found}"):
            params_from_dict(raw, source=tmp_path / "p.yaml")


def test_write_outputs_writes_the_deck_only_when_asked(res, tmp_path):
    paths = write_outputs(res, tmp_path / "with")
    assert paths["pptx"] == tmp_path / "with" / "report.pptx"
    assert deck_titles(Presentation(paths["pptx"]))[0] == json.loads(paths["summary"].read_text())["title"]
    out = res.study.params.output.model_copy(update={"formats": ["html", "xlsx"]})
    r = dataclasses.replace(res, study=dataclasses.replace(
        res.study, params=res.study.params.model_copy(update={"output": out})))
    assert "pptx" not in write_outputs(r, tmp_path / "without")
    assert not (tmp_path / "without" / "report.pptx").exists()


def test_summary_without_a_figure_is_refused(res):
    doc = summary_document(res)
    del doc["nps"]
    with pytest.raises(KeyError, match="summary lacks nps"):
        build_deck(res, doc)


def test_label_positions_avoid_overlaps():
    # three dimensions close together (as in the baby demo) and two apart
    pts = [(0.039, 3.55), (0.045, 3.51), (0.078, 3.58), (0.16, 2.93), (0.21, 3.42)]
    names = ["Digital service experience", "After-sales & value-added service",
             "Communication & professionalism", "Response efficiency", "Resolution quality"]
    places = label_positions(pts, names, x_range=(0, 0.27), y_range=(2.7, 3.8), size=(7.2, 4.3))
    assert len(set(places[:3])) == 3  # the three close points get three different sides
    assert places[4] == "LEFT"  # the right-most point's label stays inside the plot


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: "
                    "apt-get install libreoffice-impress to render the deck")
def test_libreoffice_renders_every_slide(decks, tmp_path):
    """LibreOffice opens both decks; every slide renders to a PDF page and a PNG, with the CJK font
    embedded and the chart values drawn as text."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for lang, (path, doc) in decks.items():
        out = tmp_path / lang
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
        pdf = out / "report.pdf"
        n_slides = len(Presentation(path).slides)
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "slide")], check=True, timeout=120)
        pngs = sorted(out.glob("slide-*.png"))
        assert len(pngs) == n_slides
        assert all(p.stat().st_size > 5_000 for p in pngs)  # not blank pages
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "NotoSansCJK" in fonts.replace(" ", "")
        words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout
        for d, v in doc["dimensions"].items():
            assert f"{v:.2f}" in words  # the data labels of the score chart
        assert doc["title"].split()[0] in words


def test_a_deck_without_an_estimable_driver_model_leaves_out_the_drivers_slide(res):
    """Found by the perturbed-study property test: no driver model (e.g. a constant outcome) left
    the importance-performance frame empty and the deck failed on it."""
    empty = dataclasses.replace(res, ipa=res.ipa.iloc[:0])
    titles = deck_titles(build_deck(empty, summary_document(empty), date=DATE))
    assert text("section.drivers", res.study.lang) not in titles
    assert text("section.drivers", res.study.lang) in deck_titles(build_deck(res, summary_document(res), date=DATE))
