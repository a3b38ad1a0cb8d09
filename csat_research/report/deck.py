"""The report as an editable PowerPoint deck (``report.pptx``), one slide per key finding.

Consultants present and edit decks, so every chart is a native PowerPoint chart (its numbers sit
in the chart's own workbook and can be restyled or re-typed in PowerPoint), never a picture.
The numbers come from ``summary.json`` (:func:`csat_research.report.outputs.summary_document`)
and the report tables, the labels from the i18n catalogues of the report language, and the
speaker notes from :mod:`csat_research.report.narrative`: the deck makes no claim of its own.

Slides, in order (a slide whose data the study lacks is left out):

1. title: study title, brand / category / wave, analysed sample, date;
2. headline figures: overall index, CSAT top-2-box, NPS (with sign), mean satisfaction, n;
3. dimension scores against the target (clustered bar chart);
4. drivers: importance against performance per dimension (labelled XY scatter chart);
5. complaint themes (bar chart of shares) with masked verbatims the report selected;
6. service-level KPIs against their targets (table);
7. change since the previous wave: a table of each headline figure and dimension (previous,
   current, change with its unit and interval, ▲ / ▼ for an adjusted-significant change, else
   "stable"), only when the results hold ``changes`` (:mod:`csat_research.report.tracking`).

Every slide carries the study title and wave in its footer. Text runs name the report's CJK
font for East-Asian text (``a:ea``) and, without a client template, for Latin text too; a client
template (params ``output.pptx_template``) supplies the slide master, layouts and theme.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from csat_research.core.errors import ReportError
from csat_research.core.files import atomic_write_bytes
from csat_research.report.i18n import join, text
from csat_research.report.narrative import executive_summary_parts, quality_text
from csat_research.report.style import BRAND_PALETTE, CJK_FONT_FAMILIES
from csat_research.report.tables import ipa_frame, kpi_table, theme_label_map
from csat_research.report.tracking import change_frame, change_table, has_changes

if TYPE_CHECKING:  # pragma: no cover
    from pptx.presentation import Presentation
    from pptx.slide import Slide

    from csat_research.report.results import ReportResults

__all__ = ["DECK_FONT", "build_deck", "deck_titles", "label_positions", "write_deck"]

#: Font family of the deck's text (East-Asian runs always; Latin runs too without a template).
DECK_FONT = CJK_FONT_FAMILIES[0]
#: Language tag of the text runs per report language (spell checking, font fallback).
RUN_LANG = {"zh": "zh-CN", "en": "en-US"}
#: Themes shown in the theme chart and verbatims shown beside it.
MAX_THEMES, MAX_QUOTES, QUOTE_CHARS = 8, 3, 90

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_CHART_NUMBER = {"score": "0.00", "share": "0.0%", "importance": "0.000"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")
# children of a:rPr that follow a:latin / a:ea / a:cs in the schema's sequence
_AFTER_FONTS = {f"{{{_A}}}{n}" for n in ("sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")}


# -- helpers ---------------------------------------------------------------------------------------

def _t(res: ReportResults, key: str, **values: Any) -> str:
    return text(key, res.study.lang, **values)


def _cap(s: str) -> str:
    """First letter upper-cased ("target" -> "Target"); Chinese text and symbols such as "n" unchanged."""
    return s[:1].upper() + s[1:] if len(s) > 1 else s


def _plain(s: object, limit: int | None = None) -> str:
    """Open-answer text as plain slide text: control characters as spaces, cut at ``limit``."""
    out = " ".join(_CONTROL.sub(" ", str(s)).split())
    if limit is not None and len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


def _width(s: str) -> int:
    """Display width of ``s`` in Latin character widths (a CJK character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))


def _set_fonts(element: Any, *, latin: str | None, ea: str, lang: str) -> None:
    """Name ``ea`` (and ``latin``) on every run, paragraph end and default run property below
    ``element``, so PowerPoint and LibreOffice set Chinese in the CJK font."""
    from lxml import etree

    for run in element.iter(f"{{{_A}}}r", f"{{{_A}}}fld"):
        if run.find(f"{{{_A}}}rPr") is None:
            run.insert(0, etree.Element(f"{{{_A}}}rPr"))
    for props in element.iter(f"{{{_A}}}rPr", f"{{{_A}}}defRPr", f"{{{_A}}}endParaRPr"):
        props.set("lang", lang)
        for old in props.findall(f"{{{_A}}}ea") + props.findall(f"{{{_A}}}cs") + (
                props.findall(f"{{{_A}}}latin") if latin else []):
            props.remove(old)
        fonts = ([etree.Element(f"{{{_A}}}latin", typeface=latin)] if latin else []) + [
            etree.Element(f"{{{_A}}}ea", typeface=ea), etree.Element(f"{{{_A}}}cs", typeface=ea)]
        existing_latin = props.find(f"{{{_A}}}latin")
        if existing_latin is not None:  # template route: keep the theme's Latin font, add ea/cs after it
            at = list(props).index(existing_latin) + 1
        else:
            later = [i for i, child in enumerate(props) if child.tag in _AFTER_FONTS]
            at = later[0] if later else len(props)
        for k, font in enumerate(fonts):
            props.insert(at + k, font)


class _Frame:
    """Positions on a slide as fractions of the slide's width and height (any template size)."""

    def __init__(self, prs: Presentation) -> None:
        self.w, self.h = int(prs.slide_width), int(prs.slide_height)

    def x(self, f: float) -> int:
        return int(self.w * f)

    def y(self, f: float) -> int:
        return int(self.h * f)


# -- data of the slides (one source: summary.json and the report tables) ---------------------------

def _theme_rows(res: ReportResults) -> pd.DataFrame:
    """The most frequent complaint themes (share > 0) with labels, largest first."""
    if res.text is None:
        return pd.DataFrame(columns=["theme", "label", "share"])
    labels = theme_label_map(res)
    t = res.text.themes
    t = t[t["n_theme"] > 0] if "n_theme" in t else t
    t = t.sort_values("share", ascending=False).head(MAX_THEMES)
    return pd.DataFrame({"theme": t["theme"].to_numpy(), "label": [labels.get(x, x) for x in t["theme"]],
                         "share": t["share"].to_numpy(dtype=float)})


def _quotes(res: ReportResults) -> list[tuple[str, str]]:
    """(theme label, masked quote): the first quote the report selected for each top theme."""
    if res.text is None or res.text.quotes.empty:
        return []
    q = res.text.quotes
    labels = theme_label_map(res)
    out = []
    for th in res.top_themes:
        sub = q[q["theme"] == th]
        if len(sub):
            out.append((labels.get(th, th), _plain(sub["quote"].iloc[0], QUOTE_CHARS)))
        if len(out) == MAX_QUOTES:
            break
    return out


# -- slide builders --------------------------------------------------------------------------------

class _Deck:
    """One deck being built: the presentation, its layouts, the report's labels."""

    def __init__(self, res: ReportResults, summary: Mapping[str, Any], template: Path | None,
                 date: datetime.date) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.res, self.summary, self.date = res, summary, date
        self.lang = res.study.lang
        self.template = template
        if template is None:
            self.prs = Presentation()
            self.prs.slide_width, self.prs.slide_height = Inches(13.333), Inches(7.5)
        else:
            try:
                self.prs = Presentation(str(template))
            except Exception as exc:  # a zip that is no presentation, a damaged file
                raise ReportError(f"output.pptx_template: expected a PowerPoint .pptx file; could not open "
                                  f"{template}: {exc}") from None
            self._drop_template_slides()
        self.frame = _Frame(self.prs)
        self.parts = executive_summary_parts(res)  # the narrative, one sentence per slide's notes
        self.layouts = {kind: self._layout(title_slide=kind) for kind in (True, False)}
        self.footer = _t(res, "deck.footer", title=summary["title"], wave=summary["wave"])
        self.titles: list[str] = []

    def _drop_template_slides(self) -> None:
        """A template's own sample slides stay out: only its masters, layouts and theme are used."""
        ids = self.prs.slides.element
        for sld_id in list(ids):
            self.prs.part.drop_rel(sld_id.rId)
            ids.remove(sld_id)

    def _layout(self, *, title_slide: bool):
        from pptx.enum.shapes import PP_PLACEHOLDER

        layouts = list(self.prs.slide_layouts)

        def kinds(layout) -> set:
            return {ph.placeholder_format.type for ph in layout.placeholders}

        if title_slide:
            found = [lo for lo in layouts if PP_PLACEHOLDER.CENTER_TITLE in kinds(lo)]
        else:
            found = [lo for lo in layouts if PP_PLACEHOLDER.TITLE in kinds(lo)]
            found.sort(key=lambda lo: len(kinds(lo) - {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.DATE,
                                                         PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}))
        return found[0] if found else layouts[-1]

    # text ------------------------------------------------------------------------------------------
    def textbox(self, slide: Slide, x: float, y: float, w: float, h: float, lines: Sequence[str], *,
                size: int = 14, bold: bool = False, colour: str | None = None, align: str = "left",
                shrink: bool = False, name: str | None = None):
        from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
        from pptx.util import Pt

        f = self.frame
        box = slide.shapes.add_textbox(f.x(x), f.y(y), f.x(w), f.y(h))
        if name:
            box.name = name
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE if shrink else MSO_AUTO_SIZE.NONE
        for i, line in enumerate(lines):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            para.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
            run = para.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            if colour:
                run.font.color.rgb = _rgb(colour)
        return box

    def new_slide(self, title: str, notes: Sequence[str]) -> Slide:
        """A content slide: title, footer (study title and wave, slide number), speaker notes."""
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Pt

        slide = self.prs.slides.add_slide(self.layouts[False])
        f = self.frame
        if slide.shapes.title is not None:
            head = slide.shapes.title
            if self.template is None or head.top + head.height > f.y(0.2):
                head.left, head.top, head.width, head.height = f.x(0.04), f.y(0.04), f.x(0.92), f.y(0.12)
            head.text_frame.text = title
            head.text_frame.word_wrap = True
            for para in head.text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(26)
                    run.font.bold = True
                    if self.template is None:
                        run.font.color.rgb = _rgb(BRAND_PALETTE[0])
                if self.template is None:
                    para.alignment = PP_ALIGN.LEFT
        else:
            self.textbox(slide, 0.04, 0.04, 0.92, 0.12, [title], size=26, bold=True, name="Title")
        if self.template is None:
            line = slide.shapes.add_connector(1, f.x(0.04), f.y(0.165), f.x(0.96), f.y(0.165))
            line.line.color.rgb = _rgb(BRAND_PALETTE[0])
            line.line.width = Pt(1.5)
        self._footer(slide)
        self._notes(slide, notes)
        self.titles.append(title)
        return slide

    def _footer(self, slide: Slide) -> None:
        n = len(self.prs.slides)
        self.textbox(slide, 0.04, 0.935, 0.80, 0.05, [self.footer], size=10, colour="#6B7280", name="csat-footer")
        self.textbox(slide, 0.86, 0.935, 0.10, 0.05, [str(n)], size=10, colour="#6B7280", align="right",
                     name="csat-slide-number")

    def _notes(self, slide: Slide, notes: Sequence[str]) -> None:
        lines = [str(x) for x in notes if str(x).strip()]
        if lines:
            slide.notes_slide.notes_text_frame.text = "\n".join(lines)

    # slides ----------------------------------------------------------------------------------------
    def title_slide(self) -> None:
        from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Pt

        s, res = self.summary, self.res
        slide = self.prs.slides.add_slide(self.layouts[True])
        f = self.frame
        title = str(s["title"])
        if self.template is None:
            band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, f.y(0.28), f.w, f.y(0.36))
            band.fill.solid()
            band.fill.fore_color.rgb = _rgb(BRAND_PALETTE[0])
            band.line.fill.background()
            band.name = "csat-title-band"
            tree = band.element.getparent()  # behind the title placeholders the layout put first
            tree.remove(band.element)
            tree.insert(2, band.element)  # after the group's nvGrpSpPr and grpSpPr
        lines = [str(s["subtitle"]), str(s["meta_line"]),
                 _t(res, "deck.date", date=self.date.isoformat())]
        head = slide.shapes.title
        sub = next((ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
        if head is None:
            head = self.textbox(slide, 0.06, 0.30, 0.88, 0.18, [title], size=36, bold=True, name="Title")
        else:
            head.text_frame.text = title
        if self.template is None:
            head.left, head.top, head.width, head.height = f.x(0.06), f.y(0.30), f.x(0.88), f.y(0.18)
            if sub is not None:
                sub.left, sub.top, sub.width, sub.height = f.x(0.06), f.y(0.48), f.x(0.88), f.y(0.15)
        head.text_frame.word_wrap = True
        for para in head.text_frame.paragraphs:
            if self.template is None:
                para.alignment = PP_ALIGN.LEFT
            for run in para.runs:
                run.font.size = Pt(36)
                run.font.bold = True
                if self.template is None:
                    run.font.color.rgb = _rgb("#FFFFFF")
        if sub is not None:
            tf = sub.text_frame
            tf.text = "\n".join(lines)
            tf.word_wrap = True
            for para in tf.paragraphs:
                if self.template is None:
                    para.alignment = PP_ALIGN.LEFT
                for run in para.runs:
                    run.font.size = Pt(16)
                    if self.template is None:
                        run.font.color.rgb = _rgb("#FFFFFF")
        else:
            self.textbox(slide, 0.06, 0.70, 0.88, 0.15, lines, size=16, name="Subtitle")
        self._footer(slide)
        parts = self.parts
        self._notes(slide, [*quality_text(res), *([parts["reliability"]] if "reliability" in parts else [])])
        self.titles.append(title)

    def headline_slide(self) -> None:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Pt

        s, res = self.summary, self.res
        t = s["targets"]
        parts = self.parts
        slide = self.new_slide(_t(res, "deck.headline"), [parts["sample"]])

        def status(ok: bool) -> str:
            return _t(res, "met") if ok else _t(res, "missed")

        ci = _t(res, "table.95pct_ci")
        t2b_lo, t2b_hi = s["csat_top2box_ci"]
        nps_lo, nps_hi = s["nps_ci"]
        cards = [
            (_t(res, "overall_index"), f"{s['overall_index']:.2f}", [_t(res, "deck.scale")], None),
            (_t(res, "csat_top2box"), f"{s['csat_top2box']:.1%}",
             [ci, f"{t2b_lo:.1%} – {t2b_hi:.1%}",
              _t(res, "deck.vs_target", target=f"{t['csat_top2box']:.0%}",
                 status=status(s["csat_top2box"] >= t["csat_top2box"]))],
             s["csat_top2box"] >= t["csat_top2box"]),
            (_t(res, "nps"), f"{s['nps']:+.1f}",
             [ci, f"{nps_lo:+.1f} – {nps_hi:+.1f}",
              _t(res, "deck.vs_target", target=f"{t['nps']:+.0f}", status=status(s["nps"] >= t["nps"]))],
             s["nps"] >= t["nps"]),
            (_t(res, "csat_mean"), f"{s['csat_mean']:.2f}",
             [ci, f"{res.csat_mean.ci_low:.2f} – {res.csat_mean.ci_high:.2f}",
              _t(res, "deck.vs_target", target=f"{t['csat_mean']:.1f}",
                 status=status(s["csat_mean"] >= t["csat_mean"]))],
             s["csat_mean"] >= t["csat_mean"]),
            (_t(res, "n_analysed"), f"{s['n_analysed']:,}",
             [text("fmt.label_value", self.lang, label=_cap(_t(res, "n_excluded")), value=f"{s['n_excluded']:,}")],
             None),
        ]
        f = self.frame
        gap, left, width = 0.015, 0.04, 0.92
        w = (width - gap * (len(cards) - 1)) / len(cards)
        # the value on one line: its size from the card's width (a digit ~0.6 em of the bold face)
        inner_pt = (f.x(w) / 914400 - 0.25) * 72
        value_pt = int(min(36, inner_pt / (0.7 * max(len(c[1]) for c in cards))))
        for i, (title, value, subs, ok) in enumerate(cards):
            x = left + i * (w + gap)
            card = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, f.x(x), f.y(0.22), f.x(w), f.y(0.40))
            card.name = f"csat-card-{i + 1}"
            card.fill.solid()
            card.fill.fore_color.rgb = _rgb("#F3F6FA")
            card.line.color.rgb = _rgb("#D9E2EC")
            accent = "#1F5AA6" if ok is None else ("#3A9E6F" if ok else "#C2454A")
            bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, f.x(x), f.y(0.22), f.x(w), f.y(0.015))
            bar.fill.solid()
            bar.fill.fore_color.rgb = _rgb(accent)
            bar.line.fill.background()
            tf = card.text_frame
            tf.word_wrap = True
            rows = [(title, 14, False, "#52606D"), (value, value_pt, True, "#1F2933")] + [
                (x_, 11, False, "#52606D") for x_ in subs]
            for j, (line, size, bold, colour) in enumerate(rows):
                para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
                para.alignment = PP_ALIGN.CENTER
                run = para.add_run()
                run.text = line
                run.font.size, run.font.bold = Pt(size), bold
                run.font.color.rgb = _rgb(colour)
        self.textbox(slide, 0.04, 0.66, 0.92, 0.25, [parts["sample"]], size=15, shrink=True, name="csat-summary")

    def scores_slide(self) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION

        s, res = self.summary, self.res
        dims = list(res.study.dimensions)
        slide = self.new_slide(_t(res, "deck.scores"), [self.parts["dimensions"]])
        data = CategoryChartData(number_format=_CHART_NUMBER["score"])
        shown = dims[::-1]  # a bar chart draws its first category at the bottom: instrument order from the top
        data.categories = [res.study.label(d) for d in shown]
        target = s["targets"].get("csat_mean")
        if target is not None:  # series drawn bottom-up within a group: the score above its target
            data.add_series(_cap(_t(res, "target")), [target] * len(dims))
        data.add_series(_cap(_t(res, "score")), [s["dimensions"][d] for d in shown])
        f = self.frame
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, f.x(0.04), f.y(0.2), f.x(0.92), f.y(0.7),
                                       data).chart
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale, axis.major_unit = 1.0, 5.0, 1.0
        axis.has_major_gridlines = True
        axis.major_gridlines.format.line.color.rgb = _rgb("#E5E7EB")
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "0", False
        plot = chart.plots[0]
        plot.gap_width, plot.overlap = 50, 0
        for k, series in enumerate(plot.series):
            series.format.fill.solid()
            is_score = k == len(plot.series) - 1
            series.format.fill.fore_color.rgb = _rgb(BRAND_PALETTE[0] if is_score else "#C4C9D0")
            if not is_score:  # the target: one value, said once by the legend and the axis
                continue
            labels = series.data_labels
            labels.show_value = True
            labels.number_format, labels.number_format_is_linked = "0.00", False
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.size = _pt(12)
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        self._chart_fonts(chart, 14)

    def drivers_slide(self) -> None:
        from pptx.chart.data import XyChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE

        res = self.res
        ipa = ipa_frame(res)
        if ipa.empty:  # no driver model could be estimated: the report says why, the deck has no slide
            return
        dims = list(ipa["dimension"] if "dimension" in ipa else ipa.index)
        notes = [self.parts["driver"]] if "driver" in self.parts else []
        slide = self.new_slide(_t(res, "section.drivers"), notes)
        data = XyChartData()
        for d, (label, imp, perf) in zip(dims, ipa[["label", "importance", "performance"]].itertuples(index=False),
                                         strict=True):
            series = data.add_series(label, number_format=_CHART_NUMBER["score"])
            series.add_data_point(float(imp), float(self.summary["dimensions"][d]))
            if abs(float(perf) - float(self.summary["dimensions"][d])) > 1e-9:
                raise ReportError(f"deck: performance of {d!r} ({perf}) differs from summary.json's dimension score")
        f = self.frame
        chart = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER, f.x(0.04), f.y(0.2), f.x(0.62), f.y(0.7),
                                       data).chart
        chart.has_legend = False
        x_axis, y_axis = chart.category_axis, chart.value_axis
        x_axis.has_title, y_axis.has_title = True, True
        x_axis.axis_title.text_frame.text = _cap(_t(res, "importance"))
        y_axis.axis_title.text_frame.text = _cap(_t(res, "performance"))
        x_axis.tick_labels.number_format, x_axis.tick_labels.number_format_is_linked = "0.00", False
        y_axis.tick_labels.number_format, y_axis.tick_labels.number_format_is_linked = "0.0", False
        x_axis.minimum_scale = 0.0
        perf = [float(self.summary["dimensions"][d]) for d in dims]
        y_axis.minimum_scale = max(1.0, math.floor(min(perf) * 10 - 2) / 10)
        y_axis.maximum_scale = min(5.0, math.ceil(max(perf) * 10 + 2) / 10)
        x_axis.maximum_scale = round(float(ipa["importance"].max()) * 1.25 + 0.01, 2)
        for k, series in enumerate(chart.plots[0].series):
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 12
            colour = _rgb(BRAND_PALETTE[k % len(BRAND_PALETTE)])
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
            series.format.line.fill.background()  # points only, no connecting line
        plot_w, plot_h = 0.62 * f.w / 914400 - 1.0, 0.7 * f.h / 914400 - 0.9  # inches inside the axes
        places = label_positions([(float(imp), p_) for imp, p_ in zip(ipa["importance"], perf, strict=True)],
                                 list(ipa["label"]), x_range=(x_axis.minimum_scale, x_axis.maximum_scale),
                                 y_range=(y_axis.minimum_scale, y_axis.maximum_scale), size=(plot_w, plot_h),
                                 font_pt=12)
        for series, place in zip(chart.plots[0].series, places, strict=True):
            label = series.points[0].data_label  # the dimension's name beside its point
            label.text_frame.text = series.name
            label.position = getattr(XL_LABEL_POSITION, place)
            label.font.size = _pt(12)
        self._chart_fonts(chart, 13)
        quadrants = _quadrant_lines(res, ipa)
        lines = [text("fmt.label_value", self.lang, label=q, value=v) for q, v in quadrants]
        self.textbox(slide, 0.68, 0.24, 0.28, 0.6, lines, size=14, name="csat-quadrants")

    def themes_slide(self) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION

        res = self.res
        rows = _theme_rows(res)
        if rows.empty:
            return
        parts = self.parts
        slide = self.new_slide(_t(res, "deck.themes"), [parts["themes"]] if "themes" in parts else [])
        data = CategoryChartData(number_format=_CHART_NUMBER["share"])
        shown = rows.iloc[::-1]  # a bar chart draws its first category at the bottom: largest on top
        data.categories = list(shown["label"])
        data.add_series(_t(res, "deck.theme_share"), list(shown["share"]))
        f = self.frame
        quotes = _quotes(res)
        width = 0.5 if quotes else 0.9
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, f.x(0.04), f.y(0.2), f.x(width), f.y(0.7),
                                       data).chart
        chart.has_legend = False
        axis = chart.value_axis
        axis.minimum_scale = 0.0
        axis.has_major_gridlines = False
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "0%", False
        axis.visible = False
        plot = chart.plots[0]
        plot.gap_width = 50
        series = plot.series[0]
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(BRAND_PALETTE[0])
        labels = series.data_labels
        labels.show_value = True
        labels.number_format, labels.number_format_is_linked = "0.0%", False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = _pt(12)
        self._chart_fonts(chart, 13)
        if quotes:
            self.textbox(slide, 0.57, 0.2, 0.39, 0.06, [_cap(_t(res, "quote"))], size=14, bold=True,
                         colour=BRAND_PALETTE[0], name="csat-quotes-heading")
            lines = [f"{text('fmt.label_value', self.lang, label=label, value=text('fmt.quote', self.lang, s=q))}"
                     for label, q in quotes]
            box = self.textbox(slide, 0.57, 0.27, 0.39, 0.6, lines, size=14, shrink=True, name="csat-quotes")
            from pptx.util import Pt

            for para in box.text_frame.paragraphs:
                para.space_after = Pt(10)

    def kpi_slide(self) -> None:
        from pptx.util import Pt

        res = self.res
        table = kpi_table(res)
        if table.empty:
            return
        parts = self.parts
        slide = self.new_slide(_t(res, "section.kpi"), [parts["kpis"]] if "kpis" in parts else [])
        self._table(slide, table.formatted(), numeric=set(table.numeric_columns()) | {"n"}, top=0.2,
                    font=Pt(12))

    def changes_slide(self) -> None:
        """Change since the previous wave: the report's change table, significant rows in colour."""
        from pptx.util import Pt

        res = self.res
        if not has_changes(res):
            return
        table = change_table(res)
        rows = change_frame(res)
        slide = self.new_slide(_t(res, "deck.changes", wave=res.previous_wave or _t(res, "change.previous")),
                               [self.parts["changes"]] if "changes" in self.parts else [])
        shape = self._table(slide, table.formatted(), numeric=set(table.numeric_columns()), top=0.2, font=Pt(13),
                            height=0.6)
        colours = {"rise": "#3A9E6F", "fall": "#C2454A"}
        for i, status in enumerate(rows["status"], start=1):
            if status in colours:  # a significant change: its status in colour, bold
                for para in shape.table.cell(i, len(table.frame.columns) - 1).text_frame.paragraphs:
                    for run in para.runs:
                        run.font.bold = True
                        run.font.color.rgb = _rgb(colours[status])
        if table.note:
            self.textbox(slide, 0.04, 0.82, 0.92, 0.1, [table.note], size=11, colour="#52606D", shrink=True,
                         name="csat-table-note")

    def _table(self, slide: Slide, frame: pd.DataFrame, *, numeric: set, top: float, font, height: float = 0.7):
        from pptx.enum.text import PP_ALIGN

        f = self.frame
        n_rows, n_cols = frame.shape[0] + 1, frame.shape[1]
        row_h = min(0.065, height / n_rows)
        shape = slide.shapes.add_table(n_rows, n_cols, f.x(0.04), f.y(top), f.x(0.92), f.y(row_h * n_rows))
        shape.name = "csat-table"
        tbl = shape.table
        # at least 8 widths a column: a wave id ("2026Q2") in bold stays on one line
        lengths = [max(8, *(_width(str(v)) for v in [c, *frame[c]])) + 2 for c in frame.columns]
        total = sum(lengths)
        for j, n in enumerate(lengths):
            tbl.columns[j].width = int(f.x(0.92) * n / total)
        for j, col in enumerate(frame.columns):
            cells = [_cap(str(col))] + [str(v) for v in frame[col]]
            for i, value in enumerate(cells):
                cell = tbl.cell(i, j)
                cell.text = value
                for para in cell.text_frame.paragraphs:
                    para.alignment = PP_ALIGN.RIGHT if col in numeric else PP_ALIGN.LEFT
                    for run in para.runs:
                        run.font.size = font
                        run.font.bold = i == 0
        for i in range(n_rows):
            tbl.rows[i].height = f.y(row_h)
        return shape

    def _chart_fonts(self, chart, size: int) -> None:
        chart.font.size = _pt(size)
        if self.template is None:
            chart.font.name = DECK_FONT

    def finish(self) -> Presentation:
        latin = None if self.template is not None else DECK_FONT
        lang = RUN_LANG[self.lang]
        for slide in self.prs.slides:
            for shape in slide.shapes:
                _set_fonts(shape.element, latin=latin, ea=DECK_FONT, lang=lang)
                if shape.has_chart:
                    _set_fonts(shape.chart.element, latin=latin, ea=DECK_FONT, lang=lang)
            if slide.has_notes_slide:
                _set_fonts(slide.notes_slide.notes_placeholder.element, latin=latin, ea=DECK_FONT, lang=lang)
        self.prs.core_properties.title = str(self.summary["title"])
        self.prs.core_properties.subject = self.footer
        self.prs.core_properties.language = lang
        return self.prs


def _pt(size: float):
    from pptx.util import Pt

    return Pt(size)


def label_positions(points: Sequence[tuple[float, float]], labels: Sequence[str], *,
                    x_range: tuple[float, float], y_range: tuple[float, float], size: tuple[float, float],
                    font_pt: float = 12, wrap: int = 18) -> list[str]:
    """Where to put each point's label (``RIGHT``, ``LEFT``, ``ABOVE`` or ``BELOW``) so that labels
    overlap neither each other nor other points, nor leave the plot.

    Greedy, point by point from the top: the first candidate box without a collision wins, else
    the one that overlaps least. Boxes are estimated in inches from the text (a CJK character is
    two Latin widths, a Latin width about 0.55 em; lines wrap at ``wrap`` widths as LibreOffice
    wraps data labels). ``size`` is the plot area in inches.

    >>> label_positions([(0.1, 3.0), (0.1, 3.02)], ["A", "B"], x_range=(0, 0.2), y_range=(2.5, 3.5),
    ...                 size=(6, 4))
    ['LEFT', 'RIGHT']
    """
    em = font_pt / 72
    (x0, x1), (y0, y1), (w, h) = x_range, y_range, size

    def xy(px: float, py: float) -> tuple[float, float]:
        return (px - x0) / (x1 - x0) * w, (py - y0) / (y1 - y0) * h

    def box(cx: float, cy: float, text_: str, where: str) -> tuple[float, float, float, float]:
        width = _width(text_)
        lines = -(-width // wrap) if width > wrap else 1
        bw, bh, gap = min(width, wrap) * 0.55 * em, lines * 1.25 * em, 0.12
        if where == "RIGHT":
            return cx + gap, cy - bh / 2, cx + gap + bw, cy + bh / 2
        if where == "LEFT":
            return cx - gap - bw, cy - bh / 2, cx - gap, cy + bh / 2
        if where == "ABOVE":
            return cx - bw / 2, cy + gap, cx + bw / 2, cy + gap + bh
        return cx - bw / 2, cy - gap - bh, cx + bw / 2, cy - gap

    def overlap(a: tuple, b: tuple) -> float:
        dx = min(a[2], b[2]) - max(a[0], b[0])
        dy = min(a[3], b[3]) - max(a[1], b[1])
        return dx * dy if dx > 0 and dy > 0 else 0.0

    centres = [xy(*pt) for pt in points]
    marks = [(cx - 0.08, cy - 0.08, cx + 0.08, cy + 0.08) for cx, cy in centres]
    placed: dict[int, tuple] = {}
    out = [""] * len(points)
    for i in sorted(range(len(points)), key=lambda k: -centres[k][1]):
        best = None
        for where in ("RIGHT", "LEFT", "ABOVE", "BELOW"):
            b = box(*centres[i], labels[i], where)
            cost = sum(overlap(b, o) for o in placed.values())
            cost += sum(overlap(b, m) for k, m in enumerate(marks) if k != i)
            outside = (max(0, -b[0]) + max(0, b[2] - w)) * (b[3] - b[1]) + \
                (max(0, -b[1]) + max(0, b[3] - h)) * (b[2] - b[0])
            cost += outside
            if best is None or cost < best[0] - 1e-12:
                best = (cost, where, b)
            if cost == 0:
                break
        out[i] = best[1]
        placed[i] = best[2]
    return out


def _quadrant_lines(res: ReportResults, ipa: pd.DataFrame) -> list[tuple[str, str]]:
    """(quadrant name, its dimensions) for the quadrants that hold a dimension, in a fixed order."""
    out = []
    for q in ("fix_first", "keep_up", "low_priority", "possible_overkill"):
        labels = list(ipa.loc[ipa["quadrant"] == q, "label"])
        if labels:
            out.append((_t(res, f"quadrant.{q}"), join(labels, res.study.lang)))
    return out


# -- public API ------------------------------------------------------------------------------------

def build_deck(results: ReportResults, summary: Mapping[str, Any], *, template: str | Path | None = None,
               date: datetime.date | None = None) -> Presentation:
    """The report deck as a python-pptx ``Presentation`` (not yet saved).

    Parameters
    ----------
    results : ReportResults
        The output of :func:`csat_research.report.analyse.analyse`.
    summary : mapping
        ``summary.json`` as a mapping (:func:`csat_research.report.outputs.summary_document`):
        the deck's headline numbers and titles come from it, so they equal the file.
    template : path, optional
        A client .pptx whose slide masters, layouts and theme are used (its own slides are
        left out). Default: params ``output.pptx_template``; none: a plain 16:9 deck.
    date : datetime.date, optional
        Date on the title slide (default: today).

    Returns
    -------
    pptx.presentation.Presentation

    Raises
    ------
    ReportError
        The template cannot be opened as a presentation.
    KeyError
        ``summary`` lacks a figure the deck shows (naming it).
    """
    missing = [k for k in ("title", "subtitle", "meta_line", "wave", "overall_index", "dimensions", "csat_top2box",
                           "csat_top2box_ci", "nps", "nps_ci", "csat_mean", "n_analysed", "n_excluded", "targets")
               if k not in summary]
    if missing:
        raise KeyError(f"build_deck: summary lacks {', '.join(missing)}; pass summary_document(results)")
    if template is None:
        template = results.study.params.output.pptx_template
    deck = _Deck(results, summary, Path(template) if template is not None else None,
                 date or datetime.date.today())
    deck.title_slide()
    deck.headline_slide()
    deck.scores_slide()
    deck.drivers_slide()
    deck.themes_slide()
    deck.kpi_slide()
    deck.changes_slide()
    return deck.finish()


def deck_titles(prs: Presentation) -> list[str]:
    """The title of each slide of a deck (its title placeholder, else a shape named "Title")."""
    out = []
    for slide in prs.slides:
        head = slide.shapes.title or next((s for s in slide.shapes if s.name == "Title"), None)
        out.append(head.text_frame.text if head is not None else "")
    return out


def write_deck(results: ReportResults, path: str | Path, *, summary: Mapping[str, Any],
               template: str | Path | None = None, date: datetime.date | None = None) -> Path:
    """Build the deck (:func:`build_deck`) and write it to ``path`` atomically; returns ``path``."""
    buffer = io.BytesIO()
    build_deck(results, summary, template=template, date=date).save(buffer)
    return atomic_write_bytes(Path(path), buffer.getvalue())
