"""Chart functions draw what they are given and return the Axes (statistics are tested elsewhere)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from csat_research.report import plots  # noqa: E402
from csat_research.report.style import use_report_style  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    use_report_style("zh", dpi=72)  # CJK font, as in the reports
    yield
    plt.close("all")


def _scores():
    return pd.DataFrame(
        {"label": ["响应效率", "解决质量", "沟通"], "mean": [3.2, 3.9, 3.5], "ci_low": [3.1, 3.8, 3.4],
         "ci_high": [3.3, 4.0, 3.6]}
    )


def test_score_bars_draws_one_bar_per_row_with_labels_and_target():
    ax = plots.score_bars(_scores(), target=4.0, highlight="响应效率")
    bars = [p for p in ax.patches]
    assert len(bars) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["响应效率", "解决质量", "沟通"]
    assert bars[0].get_width() == pytest.approx(3.2)
    assert bars[0].get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.BAD))
    assert any(line.get_xdata()[0] == 4.0 for line in ax.get_lines())


def test_ipa_plot_marks_fix_first_in_alarm_colour():
    d = pd.DataFrame({"label": ["a", "b", "c", "d"], "importance": [0.4, 0.1, 0.3, 0.05],
                      "performance": [3.0, 3.1, 4.2, 4.3]})
    ax = plots.importance_performance_plot(d, quadrant_labels={"fix_first": "优先改进"})
    colors = ax.collections[0].get_facecolors()
    # a: importance 0.4 >= mean 0.2125 and performance 3.0 < mean 3.65 -> fix first
    assert tuple(colors[0][:3]) == pytest.approx(matplotlib.colors.to_rgb(plots.BAD))
    assert tuple(colors[2][:3]) == pytest.approx(matplotlib.colors.to_rgb(plots.PALETTE[0]))
    assert "优先改进" in [t.get_text().strip() for t in ax.texts]


def test_probability_curve_band_and_limits():
    grid = np.linspace(1, 5, 9)
    d = pd.DataFrame({"x": grid, "probability": grid / 6, "ci_low": grid / 7, "ci_high": grid / 5})
    ax = plots.probability_curve(d, x="x")
    assert ax.get_ylim() == (0, 1)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), grid / 6)


def test_share_and_kpi_bars_order_and_colours():
    d = pd.DataFrame({"label": ["x", "y"], "share": [0.1, 0.3]})
    ax = plots.share_bars(d)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["y", "x"]
    k = pd.DataFrame({"label": ["5分钟首响", "24小时解决"], "value": [0.95, 0.6], "target": [0.9, 0.7]})
    ax = plots.kpi_bullets(k)
    fg = ax.patches[2:]
    assert fg[0].get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.GOOD))
    assert fg[1].get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.BAD))


def test_heatmap_pivots_values():
    d = pd.DataFrame({"seg": ["新客", "新客", "老客", "老客"], "dim": ["a", "b", "a", "b"], "mean": [3.1, 3.2, 3.9, 4.0]})
    ax = plots.segment_heatmap(d, row="seg", col="dim")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["3.10", "3.20", "3.90", "4.00"]


def test_missing_columns_and_wrong_type_are_named():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['mean'\]"):
        plots.score_bars(pd.DataFrame({"label": ["a"]}), ci_low=None, ci_high=None)
    with pytest.raises(TypeError, match="must be a pandas DataFrame; got dict"):
        plots.share_bars({"label": ["a"], "share": [1]})
    with pytest.raises(ValueError, match="no positive counts"):
        plots.word_cloud(pd.DataFrame({"word": ["a"], "count": [0]}), font_path="x")


def _grid():
    segs = ["客户类型 · 新客", "客户类型 · 老客", "年龄段 · 00后"]
    dims = ["响应效率", "解决质量"]
    vals = [[3.1, 3.6], [3.9, 4.4], [3.5, np.nan]]
    return pd.DataFrame([{"seg": s, "dim": d, "mean": v} for s, row in zip(segs, vals, strict=True)
                         for d, v in zip(dims, row, strict=True)])


@pytest.mark.filterwarnings("ignore:The set_bad function:PendingDeprecationWarning")
@pytest.mark.parametrize("center", [None, 3.5, 4.2])
def test_heatmap_colours_and_text_match_seaborn(center):
    """Same cell colours and annotation colours as seaborn.heatmap(cmap="RdYlGn", center=...)."""
    import seaborn as sns

    d = _grid()
    ax = plots.segment_heatmap(d, row="seg", col="dim", center=center)
    mesh = ax.collections[0]
    mesh.update_scalarmappable()
    wide = d.pivot_table(index="seg", columns="dim", values="mean", aggfunc="first", sort=False)
    _, ref_ax = plt.subplots()
    sns.heatmap(wide, annot=True, fmt=".2f", cmap="RdYlGn", center=center, cbar=False, linewidths=0.5, ax=ref_ax)
    ref = ref_ax.collections[0]
    ref.update_scalarmappable()
    shown = np.isfinite(wide.to_numpy()).ravel()
    # seaborn resamples the colormap into 256 steps: one step of difference at most
    np.testing.assert_allclose(mesh.get_facecolors()[shown], ref.get_facecolors()[shown], atol=1.5 / 255)
    assert [(t.get_text(), t.get_color()) for t in ax.texts] == [(t.get_text(), t.get_color()) for t in ref_ax.texts]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(wide.index)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(wide.columns)
    assert ax.get_ylim() == (3, 0) and ax.get_xlim() == (0, 2)


def test_heatmap_leaves_missing_cells_blank_and_row_labels_horizontal():
    ax = plots.segment_heatmap(_grid(), row="seg", col="dim", center=3.5)
    assert len(ax.texts) == 5  # six cells, one missing
    assert "nan" not in [t.get_text() for t in ax.texts]
    assert {t.get_rotation() for t in ax.get_yticklabels()} == {0.0}
    assert not any(s.get_visible() for s in ax.spines.values())


def test_heatmap_has_title_labelled_colour_bar_and_rows_in_data_order():
    d = _grid().iloc[::-1]  # rows given 年龄段 first: not alphabetical, not the pivot's order
    ax = plots.segment_heatmap(d, row="seg", col="dim", title="各维度得分与细分人群", cbar_label="得分")
    assert ax.get_title(loc="left") == "各维度得分与细分人群"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["年龄段 · 00后", "客户类型 · 老客", "客户类型 · 新客"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["解决质量", "响应效率"]
    [cbar_ax] = [a for a in ax.figure.axes if a is not ax]
    assert cbar_ax.get_ylabel() == "得分"
    assert plots.segment_heatmap(_grid(), row="seg", col="dim").figure.axes[-1].get_ylabel() == "mean"


def _overlaps(labels) -> bool:
    boxes = [t.get_window_extent() for t in labels]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize("dims", [
    ["Response efficiency", "Resolution quality", "Communication & professionalism",
     "After-sales & value-added service", "Digital service experience"],
    ["响应效率", "解决质量", "沟通与专业度", "售后与增值服务", "数字化服务体验", "物流配送与安装调试服务体验"],
])
def test_heatmap_wraps_long_column_labels_so_that_they_do_not_overlap(dims):
    d = pd.DataFrame([{"seg": s, "dim": x, "mean": 3.0 + 0.1 * i} for s in ("Customer type · New", "Customer type · Returning")
                      for i, x in enumerate(dims)])
    ax = plots.segment_heatmap(d, row="seg", col="dim", title="Dimension scores by segment", cbar_label="score")
    ax.figure.canvas.draw()
    labels = ax.get_xticklabels()
    assert [t.get_text().replace("\n", " ").replace(" ", "") for t in labels] == [x.replace(" ", "") for x in dims]
    for t in labels:
        assert all(plots._display_width(line) <= plots.HEATMAP_LABEL_WIDTH for line in t.get_text().split("\n"))
        assert t.get_rotation() == 0
    assert not _overlaps(labels)


def test_heatmap_turns_labels_with_an_overlong_word():
    d = pd.DataFrame({"seg": ["a", "a"], "dim": ["Omnichannelresponsiveness", "Resolution"], "mean": [3.1, 3.2]})
    ax = plots.segment_heatmap(d, row="seg", col="dim")
    ax.figure.canvas.draw()
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {30.0}
    assert not _overlaps(ax.get_xticklabels())


def test_word_cloud_is_drawn_at_figure_width_and_seeded():
    from csat_research.report.style import cjk_font_path

    words = pd.DataFrame({"word": ["退款", "流程", "退换货", "很差", "客服", "物流"], "count": [283, 276, 199, 151, 80, 3]})
    ax = plots.word_cloud(words, font_path=str(cjk_font_path()), seed=3)
    image = ax.images[0].get_array()
    width_px = ax.figure.get_figwidth() * ax.figure.dpi
    assert abs(image.shape[1] - width_px) <= 1  # rendered at the drawn size, not blown up
    again = plots.word_cloud(words, font_path=str(cjk_font_path()), seed=3).images[0].get_array()
    np.testing.assert_array_equal(image, again)
    assert not ax.axison


def test_inline_png_is_drawn_once_and_matches_ipythons_print_figure(monkeypatch):
    """The kernel's PNG formatter: one draw, the same pixels as IPython's own print_figure."""
    import base64
    import io

    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure
    from PIL import Image

    from csat_research.report.style import figure_png_base64

    fig, ax = plt.subplots(figsize=(4, 2.5), layout="constrained")
    ax.barh(["响应效率", "解决质量", "沟通"], [3.2, 3.9, 3.5])
    ax.set_title("各维度满意度均值")
    ours = figure_png_base64(fig)
    ipython = print_figure(fig, "png", bbox_inches=None, base64=True, pil_kwargs={"compress_level": 3})

    def pixels(b64):
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))))

    assert pixels(ours).shape == (2.5 * 72, 4 * 72, 4)
    assert np.array_equal(pixels(ours), pixels(ipython))

    draws = []
    monkeypatch.setattr(Figure, "draw", lambda self, renderer, _draw=Figure.draw: draws.append(1) or _draw(self, renderer))
    figure_png_base64(fig)
    assert len(draws) == 1
    draws.clear()
    print_figure(fig, "png", bbox_inches=None)
    assert len(draws) == 2  # what the formatter saves: the layout-only pass of savefig
    assert figure_png_base64(plt.figure()) is None  # empty figures print nothing, as in IPython


def test_word_cloud_draws_chinese_with_the_sc_face_of_a_font_collection(tmp_path, monkeypatch):
    """Pillow draws a .ttc's first face (Noto Sans CJK JP); the cloud uses the report's SC face.

    The face the package extracts (into the disk cache) draws pixel for pixel the cloud plain
    wordcloud draws from a file holding only the SC face (extracted here with fontTools).
    """
    from fontTools.ttLib import TTCollection
    from PIL import Image, ImageDraw, ImageFont
    from wordcloud import WordCloud

    from csat_research.report.style import cjk_font_family, cjk_font_path

    ttc = cjk_font_path()
    if ttc.suffix.lower() != ".ttc":
        pytest.skip(f"the CJK font here is not a collection: {ttc}")
    path, index = plots._word_cloud_face(str(ttc))
    assert path == str(ttc) and index > 0
    assert ImageFont.truetype(path, 12, index=index).getname()[0] == cjk_font_family()
    assert plots._word_cloud_face("/x/font.ttf") == ("/x/font.ttf", 0)  # single fonts: face 0

    def glyphs(index):
        font = ImageFont.truetype(str(ttc), 64, index=index)
        im = Image.new("L", (300, 80))
        ImageDraw.Draw(im).text((2, 0), "满意度客流", font=font, fill=255)
        return np.asarray(im)

    assert not np.array_equal(glyphs(index), glyphs(0))  # JP glyph forms of 意, 度, 客, 流

    words = {"退款": 283, "流程": 276, "退换货": 199, "很差": 151, "客服": 80, "物流": 40, "满意度": 12, "关心": 3}
    single = tmp_path / "sc.otf"
    TTCollection(str(ttc), lazy=True).fonts[index].save(str(single))
    options = dict(width=380, height=170, scale=2.5, margin=1, background_color="white", random_state=7,
                   colormap="tab10", prefer_horizontal=1.0)
    plain = WordCloud(font_path=str(single), **options).generate_from_frequencies(words).to_array()
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path / "cache"))
    face = plots._face_file(path, index)
    assert face.startswith(str(tmp_path / "cache")) and plots._face_file(path, index) == face  # made once
    assert ImageFont.truetype(face, 12).getname()[0] == cjk_font_family()
    cached = WordCloud(font_path=face, **options).generate_from_frequencies(words).to_array()
    np.testing.assert_array_equal(cached, plain)


# ------------------------------------------------------------------ layout of every report chart
_DIMS_EN = ["Response efficiency", "Resolution quality", "Communication & professionalism",
            "After-sales & value-added service", "Digital service experience"]
_DIMS_ZH = ["响应效率", "解决质量", "沟通与专业度", "售后与增值服务", "数字化服务体验"]
_THEMES_EN = ["Slow replies", "Shipping and tracking updates", "Issue not resolved / repeat contact",
              "Unhelpful chatbot", "Slow refunds", "Agent attitude", "Off-topic or canned answers",
              "Product knowledge", "Returns and exchanges", "Privacy and spam", "Installation and repair"]


def _report_charts(dims, themes):
    """Every chart the report notebook draws, with report-sized data and report-length labels."""
    from csat_research.report.style import cjk_font_path

    n = len(dims)
    scores = pd.DataFrame({"label": dims, "mean": np.linspace(3.0, 3.6, n)}).assign(
        ci_low=lambda d: d["mean"] - 0.05, ci_high=lambda d: d["mean"] + 0.05)
    ipa = pd.DataFrame({"label": dims, "importance": [0.21, 0.04, 0.05, 0.06, 0.15],
                        "performance": [2.9, 3.3, 3.25, 3.22, 3.4]})
    grid = np.linspace(1, 5, 41)
    curve = pd.DataFrame({"value": grid, "probability": grid / 6, "ci_low": grid / 7, "ci_high": grid / 5})
    shares = pd.DataFrame({"label": themes, "share": np.linspace(0.2, 0.01, len(themes))})
    kpis = pd.DataFrame({"label": ["First reply within 5 min", "Resolved within 24 h", "First-contact resolution",
                                   "Bot containment", "Handoff to a human within 30 min",
                                   "High-severity response within 15 min"],
                         "value": [0.05, 0.76, 0.73, 0.57, 0.93, 0.62], "target": [0.9, 0.7, 0.8, 0.7, 0.9, 0.9]})
    kpis = kpis.assign(ci_low=kpis["value"] - 0.02, ci_high=kpis["value"] + 0.02)
    segments = [f"{s} · {lv}" for s, levels in (("Customer type", ("New", "Returning")),
                                                ("Age group", ("Born 2000+", "Born 1995-99", "Born 1970s")))
                for lv in levels]
    heat = pd.DataFrame([{"group": g, "dimension": d, "mean": 3.0 + 0.1 * i}
                         for g in segments for i, d in enumerate(dims)])
    words = pd.DataFrame({"word": ["退款", "流程", "退换货", "很差", "客服", "物流"], "count": [283, 276, 199, 151, 80, 3]})
    index = "Overall satisfaction index" if dims == _DIMS_EN else "综合满意度指数"
    waves = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    trend = pd.DataFrame([{"wave": w, "label": g, "value": 3.2 + 0.05 * i + 0.03 * k, "significant": k == 3 and i < 2}
                          for i, g in enumerate([index, *dims]) for k, w in enumerate(waves)])
    return {
        "trend_lines": lambda title: plots.trend_lines(trend, emphasis=index, ylabel="Score (1–5)", title=title,
                                                       marker_label="Significant change from the wave before"),
        "score_bars": lambda title: plots.score_bars(scores, target=4.0, highlight=dims[0], title=title),
        "importance_performance_plot": lambda title: plots.importance_performance_plot(
            ipa, xlabel="Importance", ylabel="Performance (score)", title=title),
        "probability_curve": lambda title: plots.probability_curve(
            curve, x="value", xlabel="Overall satisfaction", ylabel="Repurchase probability", title=title),
        "share_bars": lambda title: plots.share_bars(shares, xlabel="Share", title=title),
        "count_bars": lambda title: plots.count_bars(words, title=title),
        "kpi_bullets": lambda title: plots.kpi_bullets(kpis, title=title),
        "segment_heatmap": lambda title: plots.segment_heatmap(
            heat, row="group", col="dimension", center=3.2, title=title, cbar_label="Score"),
        "word_cloud": lambda title: plots.word_cloud(words, font_path=str(cjk_font_path()), seed=1, title=title),
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_report_chart_has_a_title_and_tick_labels_that_do_not_overlap(lang):
    from csat_research.report.layout import figure_problems

    use_report_style(lang, dpi=72)
    charts = _report_charts(_DIMS_EN if lang == "en" else _DIMS_ZH, _THEMES_EN)
    for name, draw in charts.items():
        ax = draw("A chart title")
        assert figure_problems(ax.figure, name=name) == [], name
        plt.close(ax.figure)
        # the check sees a chart drawn without its title
        untitled = draw("")
        assert [p.kind for p in figure_problems(untitled.figure, name=name)] == ["no_title"], name
        plt.close(untitled.figure)


def test_portfolio_dots_colour_studies_by_direction_and_draw_the_average():
    from matplotlib.colors import to_hex

    data = pd.DataFrame({"label": ["A · 美妆", "B · 服饰", "C · 家电"], "estimate": [3.6, 3.4, 3.1],
                         "ci_low": [3.5, 3.3, 3.0], "ci_high": [3.7, 3.5, 3.2],
                         "direction": ["above", None, "below"]})
    ax = plots.portfolio_dots(data, average=3.37, average_label="组合平均 3.37",
                              legend={"above": "高于", "same": "无差异", "below": "低于"}, title="综合指数")
    colours = [to_hex(c) for c in ax.collections[-1].get_facecolors()]
    assert colours == [plots.GOOD, plots.PALETTE[0], plots.BAD]
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert ticks["A · 美妆"] > ticks["B · 服饰"] > ticks["C · 家电"]  # first row on top
    assert [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [3.37]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["高于", "无差异", "低于"]
    assert ax.get_title(loc="left") == "综合指数"
