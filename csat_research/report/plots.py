"""Report charts. Statistics are computed elsewhere; these functions only draw.

Every function takes a tidy DataFrame first, keyword-only options and ``ax=None``, and returns
the matplotlib Axes. Labels come from the caller (already translated), so the same function draws
Chinese and English charts; call :func:`csat_research.report.style.use_report_style` first so
that a CJK font is used.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from csat_research.core.checks import check_frame

PALETTE = ("#1f5aa6", "#e07b39", "#3a9e6f", "#c2454a", "#7a5ea8", "#8c8c8c", "#d4a72c")
GOOD, BAD, NEUTRAL = "#3a9e6f", "#c2454a", "#8c8c8c"


def _axes(ax, figsize=(7.0, 3.6)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _require(data: pd.DataFrame, columns: Sequence[str], name: str = "data") -> None:
    check_frame(data, name)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(data.columns)}")


def _finish_barh(ax, labels, *, xlabel: str, title: str):
    """Category labels top to bottom, axis label and left-aligned title of a horizontal bar chart."""
    ax.set_yticks(np.arange(len(labels)), list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    return ax


def score_bars(
    data: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "mean",
    ci_low: str | None = "ci_low",
    ci_high: str | None = "ci_high",
    target: float | None = None,
    target_label: str = "target",
    highlight: str | None = None,
    xlim: tuple[float, float] = (1, 5),
    xlabel: str = "",
    title: str = "",
    ax=None,
):
    """Horizontal bars of scores with confidence intervals and an optional target line.

    ``highlight`` names the label drawn in the alarm colour (e.g. the weakest dimension).
    """
    _require(data, [label, value] + [c for c in (ci_low, ci_high) if c])
    # compact: five dimensions fit under the executive summary on its page
    ax = _axes(ax, figsize=(7.0, 0.3 * len(data) + 0.8))
    y = np.arange(len(data))
    colors = [BAD if highlight is not None and lab == highlight else PALETTE[0] for lab in data[label]]
    ax.barh(y, data[value], color=colors, height=0.6)
    if ci_low and ci_high:
        err = np.vstack([data[value] - data[ci_low], data[ci_high] - data[value]])
        ax.errorbar(data[value], y, xerr=err, fmt="none", ecolor="#333333", capsize=3, lw=1)
    for yi, v in zip(y, data[value], strict=True):
        ax.text(v + (xlim[1] - xlim[0]) * 0.012, yi + 0.28, f"{v:.2f}", va="center", fontsize=8, color="#333333")
    if target is not None:
        ax.axvline(target, color=BAD, ls="--", lw=1.2)
        ax.text(target, len(data) - 0.45, f" {target_label} {target:g}", color=BAD, fontsize=8, va="bottom")
    ax.set_xlim(*xlim)
    return _finish_barh(ax, data[label], xlabel=xlabel, title=title)


def importance_performance_plot(
    data: pd.DataFrame,
    *,
    label: str = "label",
    importance: str = "importance",
    performance: str = "performance",
    importance_cut: float | None = None,
    performance_cut: float | None = None,
    quadrant_labels: Mapping[str, str] | None = None,
    xlabel: str = "importance",
    ylabel: str = "performance",
    title: str = "",
    ax=None,
):
    """Importance-performance matrix: one point per dimension and the four quadrants.

    ``quadrant_labels`` maps ``fix_first``, ``keep_up``, ``low_priority`` and ``possible_overkill``
    to the texts printed in the corners.
    """
    _require(data, [label, importance, performance])
    ax = _axes(ax, figsize=(6.4, 4.6))
    x, y = data[importance].astype(float), data[performance].astype(float)
    xc = float(x.mean()) if importance_cut is None else importance_cut
    yc = float(y.mean()) if performance_cut is None else performance_cut
    ax.axvline(xc, color=NEUTRAL, lw=1, ls="--")
    ax.axhline(yc, color=NEUTRAL, lw=1, ls="--")
    fix = (x >= xc) & (y < yc)
    ax.scatter(x, y, s=80, c=[BAD if f else PALETTE[0] for f in fix], zorder=3)
    for xi, yi, lab in zip(x, y, data[label], strict=True):
        ax.annotate(str(lab), (xi, yi), textcoords="offset points", xytext=(6, 5), fontsize=9)
    dx = (x.max() - x.min()) or 1.0
    dy = (y.max() - y.min()) or 1.0
    ax.set_xlim(x.min() - 0.25 * dx, x.max() + 0.45 * dx)
    ax.set_ylim(y.min() - 0.3 * dy, y.max() + 0.3 * dy)
    if quadrant_labels:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        spots = {
            "fix_first": (x1, y0, "right", "bottom", BAD),
            "keep_up": (x1, y1, "right", "top", GOOD),
            "low_priority": (x0, y0, "left", "bottom", NEUTRAL),
            "possible_overkill": (x0, y1, "left", "top", NEUTRAL),
        }
        for key, text in quadrant_labels.items():
            if key in spots:
                qx, qy, ha, va, col = spots[key]
                ax.text(qx, qy, f" {text} ", ha=ha, va=va, color=col, fontsize=9, fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left")
    return ax


def probability_curve(
    data: pd.DataFrame,
    *,
    x: str,
    y: str = "probability",
    ci_low: str | None = "ci_low",
    ci_high: str | None = "ci_high",
    hue: str | None = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    ax=None,
):
    """Predicted probability across a predictor's range, with a confidence band."""
    _require(data, [x, y] + [c for c in (ci_low, ci_high, hue) if c])
    ax = _axes(ax, figsize=(6.4, 3.6))
    groups = data.groupby(hue, sort=False) if hue else [(None, data)]
    for i, (name, g) in enumerate(groups):
        g = g.sort_values(x)
        color = PALETTE[i % len(PALETTE)]
        ax.plot(g[x], g[y], color=color, lw=2, label=None if name is None else str(name))
        if ci_low and ci_high:
            ax.fill_between(g[x], g[ci_low], g[ci_high], color=color, alpha=0.18, lw=0)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if hue:
        ax.legend(frameon=False)
    if title:
        ax.set_title(title, loc="left")
    return ax


def share_bars(
    data: pd.DataFrame,
    *,
    label: str = "label",
    share: str = "share",
    color: str | None = None,
    xlabel: str = "",
    title: str = "",
    top: int | None = None,
    ax=None,
):
    """Horizontal bars of shares (0-1), largest first, with percentage labels."""
    _require(data, [label, share])
    d = data.sort_values(share, ascending=False)
    if top is not None:
        d = d.head(top)
    ax = _axes(ax, figsize=(7.0, 0.38 * len(d) + 1.2))
    y = np.arange(len(d))
    ax.barh(y, d[share], color=color or PALETTE[1], height=0.6)
    for yi, v in zip(y, d[share], strict=True):
        ax.text(v, yi, f" {v:.1%}", va="center", fontsize=8)
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlim(0, max(float(d[share].max()) * 1.2, 0.05) if len(d) else 1)
    return _finish_barh(ax, d[label], xlabel=xlabel, title=title)


def count_bars(
    data: pd.DataFrame,
    *,
    label: str = "word",
    count: str = "count",
    top: int = 20,
    xlabel: str = "",
    title: str = "",
    ax=None,
):
    """Horizontal bars of the most frequent words (or any counts), largest first."""
    _require(data, [label, count])
    d = data.sort_values(count, ascending=False).head(top)
    ax = _axes(ax, figsize=(6.0, 0.3 * len(d) + 1.2))
    y = np.arange(len(d))
    ax.barh(y, d[count], color=PALETTE[0], height=0.65)
    return _finish_barh(ax, d[label], xlabel=xlabel, title=title)


def kpi_bullets(
    data: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "value",
    target: str = "target",
    ci_low: str | None = "ci_low",
    ci_high: str | None = "ci_high",
    xlabel: str = "",
    title: str = "",
    ax=None,
):
    """Bullet chart of share KPIs against their targets (green: met, red: missed)."""
    _require(data, [label, value, target])
    ax = _axes(ax, figsize=(7.0, 0.5 * len(data) + 1.2))
    y = np.arange(len(data))
    met = data[value].astype(float) >= data[target].astype(float)
    ax.barh(y, [1.0] * len(data), color="#eef2f6", height=0.7)
    ax.barh(y, data[value], color=[GOOD if m else BAD for m in met], height=0.35)
    if ci_low and ci_high and ci_low in data and ci_high in data:
        err = np.vstack([data[value] - data[ci_low], data[ci_high] - data[value]])
        ax.errorbar(data[value], y, xerr=err, fmt="none", ecolor="#333333", capsize=2, lw=0.8)
    for yi, t in zip(y, data[target], strict=True):
        ax.plot([t, t], [yi - 0.32, yi + 0.32], color="#1f2933", lw=2.2)
    for yi, v in zip(y, data[value], strict=True):
        ax.text(1.01, yi, f"{v:.1%}", va="center", fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(_percent())
    return _finish_barh(ax, data[label], xlabel=xlabel, title=title)


def trend_lines(
    data: pd.DataFrame,
    *,
    x: str = "wave",
    y: str = "value",
    group: str = "label",
    significant: str | None = "significant",
    emphasis: str | None = None,
    ylabel: str = "",
    title: str = "",
    marker_label: str = "significant change",
    ax=None,
):
    """Lines of a figure per group (e.g. the overall index and each dimension) across waves.

    ``data`` is long: one row per group and wave, waves in the order to draw. Every wave's value
    is an open marker; a value that changed significantly from the wave before (``significant``
    true) is a filled, larger marker, explained by a legend entry labelled ``marker_label``.
    ``emphasis`` names the group drawn thicker and in dark grey (e.g. the overall index). The
    legend (groups, then the marker) stands below the plot, so the lines keep the full width.
    """
    from matplotlib.lines import Line2D

    _require(data, [x, y, group] + ([significant] if significant else []))
    waves = list(pd.unique(data[x]))
    groups = list(pd.unique(data[group]))
    marked = bool(significant) and bool(data[significant].fillna(False).astype(bool).any())
    entries = [str(g) for g in groups] + ([marker_label] if marked else [])
    # as many legend columns as the widest entry lets fit in the figure's width (8 pt text: about
    # 15 Latin characters an inch, a CJK character counts two; 5 more for the handle and gap)
    width = 7.0 if ax is None else ax.figure.get_figwidth()
    ncol = int(max(1, min(4, width * 15 // (max(_display_width(e) for e in entries) + 5))))
    ax = _axes(ax, figsize=(width, 3.6 + 0.2 * -(-len(entries) // ncol)))
    pos = {w: i for i, w in enumerate(waves)}
    colours = iter(PALETTE)
    for g in groups:
        d = data[data[group] == g]
        xs = np.array([pos[w] for w in d[x]], dtype=float)
        ys = d[y].to_numpy(dtype=float)
        strong = emphasis is not None and g == emphasis
        colour = "#1f2933" if strong else next(colours, NEUTRAL)
        ax.plot(xs, ys, color=colour, lw=2.6 if strong else 1.5, marker="o", markersize=5,
                markerfacecolor="white", markeredgewidth=1.3, label=str(g), zorder=3 if strong else 2)
        if significant:
            sig = d[significant].fillna(False).astype(bool).to_numpy()
            if sig.any():
                ax.plot(xs[sig], ys[sig], linestyle="none", marker="o", markersize=8.5, color=colour,
                        markeredgecolor="white", markeredgewidth=0.8, zorder=4)
    ax.set_xticks(np.arange(len(waves)), [str(w) for w in waves])
    ax.set_xlim(-0.3, len(waves) - 0.7)
    lo, hi = float(np.nanmin(data[y])), float(np.nanmax(data[y]))
    pad = max(0.05, (hi - lo) * 0.12)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(ylabel)
    handles, labels = ax.get_legend_handles_labels()
    if marked:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8.5, color="#52606d",
                              markeredgecolor="white"))
        labels.append(marker_label)
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=ncol, frameon=False,
              fontsize=8, handletextpad=0.4, columnspacing=1.2)
    if title:
        ax.set_title(title, loc="left")
    return ax


#: Longest line of a heat map's column label, in display columns (a CJK character counts two);
#: longer labels are wrapped onto further lines.
HEATMAP_LABEL_WIDTH = 16
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_LABEL_TOKENS = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_label(label: str, width: int) -> str:
    """``label`` on lines of at most ``width`` display columns: broken at spaces or between CJK characters.

    A single word longer than ``width`` keeps its own line whole.
    """
    lines, line = [], ""
    for token in _LABEL_TOKENS.findall(str(label)):
        if token.isspace():
            line += " " if line else ""
        elif line.strip() and _display_width(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)


def segment_heatmap(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    value: str = "mean",
    fmt: str = ".2f",
    center: float | None = None,
    title: str = "",
    cbar_label: str | None = None,
    ax=None,
):
    """Heat map of a value by two keys (e.g. segment level x dimension), every cell annotated.

    Colours run red-yellow-green ("RdYlGn"); with ``center`` the colour scale is centred on it,
    otherwise it spans the data; missing cells stay blank; a colour bar labelled ``cbar_label``
    (default: the name of ``value``) stands beside the map. Rows and columns keep the order in
    which ``data`` gives them (not sorted). Column labels are wrapped to
    :data:`HEATMAP_LABEL_WIDTH` display columns, and turned by 30 degrees only when a single
    word is longer still; row labels are always horizontal. Colours and annotation colours are
    those of ``seaborn.heatmap(cmap="RdYlGn", center=...)`` (tested).

    Drawn with one ``pcolormesh`` and a text per cell rather than with :func:`seaborn.heatmap`,
    which draws the whole figure an extra time to test its tick labels for overlap (+0.2 s per
    report, measured in the report kernel).
    """
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, Normalize

    _require(data, [row, col, value])
    wide = data.pivot_table(index=row, columns=col, values=value, aggfunc="first", sort=False)
    wide = wide.reindex(index=pd.unique(data[row].dropna()), columns=pd.unique(data[col].dropna()))
    columns = [_wrap_label(str(c), HEATMAP_LABEL_WIDTH) for c in wide.columns]
    n_lines = max((c.count("\n") + 1 for c in columns), default=1)
    too_long = any(_display_width(line) > HEATMAP_LABEL_WIDTH for c in columns for line in c.split("\n"))
    ax = _axes(ax, figsize=(max(5.5, 1.3 * wide.shape[1] + 2.6), 0.42 * wide.shape[0] + 1.5 + 0.16 * n_lines))
    values = wide.to_numpy(dtype=float)
    shown = np.isfinite(values)
    lo, hi = (float(values[shown].min()), float(values[shown].max())) if shown.any() else (0.0, 1.0)
    cmap = colormaps["RdYlGn"]
    norm = Normalize(lo, hi)
    if center is not None:  # the colours of a scale symmetric around the centre, over the data's range
        half = max(hi - center, center - lo) or 1.0
        around = Normalize(center - half, center + half)
        cmap = ListedColormap(cmap(np.linspace(around(lo), around(hi), 256)))
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=cmap, norm=norm, edgecolors="white", linewidth=0.5)
    n_rows, n_cols = values.shape
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)  # first row on top
    ax.set_xticks(np.arange(n_cols) + 0.5, columns)
    ax.set_yticks(np.arange(n_rows) + 0.5, [str(r) for r in wide.index], va="center")
    ax.tick_params(axis="x", length=0, labelrotation=30 if too_long else 0)
    ax.tick_params(axis="y", length=0, labelrotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right" if too_long else "center")
    ax.grid(False)  # hidden under the cells anyway
    for side in ax.spines.values():
        side.set_visible(False)
    dark = _relative_luminance(cmap(norm(np.where(shown, values, lo)))) <= 0.408
    for (i, j), v in np.ndenumerate(values):
        if shown[i, j]:
            # Centred in its cell, so it never widens the figure: left out of the layout and
            # tight-bbox passes, which would otherwise measure every annotation three times.
            ax.text(j + 0.5, i + 0.5, format(v, fmt), ha="center", va="center",
                    color="w" if dark[i, j] else ".15", in_layout=False)
    bar = ax.figure.colorbar(mesh, ax=ax, shrink=0.9)
    bar.set_label(value if cbar_label is None else cbar_label)
    bar.outline.set_visible(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        ax.set_title(title, loc="left")
    return ax


def _relative_luminance(rgba: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of RGBA colours (last axis); > 0.408 takes dark annotation text."""
    rgb = np.asarray(rgba, dtype=float)[..., :3]
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


#: Canvas (pixels) on which the word-cloud layout is computed. wordcloud's cost grows with the
#: canvas area and the number of font sizes tried, so the layout is found on this small canvas
#: and the words are then drawn ``scale`` times larger, at the size the figure is shown.
_CLOUD_CANVAS = (380, 170)


def word_cloud(
    frequencies: pd.DataFrame,
    *,
    font_path: str,
    word: str = "word",
    count: str = "count",
    max_words: int = 80,
    seed: int = 0,
    title: str = "",
    ax=None,
):
    """Word cloud of word counts drawn with a CJK font (``font_path``); seeded layout; ``title`` above.

    The layout is computed on a 380 x 170 pixel canvas and the words are rendered at about the
    pixel width at which the Axes is drawn (figure width x dpi for a new figure), so the image
    is shown close to 1:1 rather than blown up from a smaller raster. A font collection
    (``.ttc``) is drawn with the face of the report's CJK family (:func:`_word_cloud_face`),
    extracted into a font file of its own once (:func:`_face_file`).
    """
    from wordcloud import WordCloud

    _require(frequencies, [word, count], "frequencies")
    freqs = {str(w): float(c) for w, c in zip(frequencies[word], frequencies[count], strict=True) if c > 0}
    if not freqs:
        raise ValueError("frequencies holds no positive counts to draw")
    new = ax is None
    ax = _axes(ax, figsize=(7.5, 3.5))
    fig = ax.figure
    width_px = fig.get_figwidth() * fig.dpi if new else ax.bbox.width
    canvas_w, canvas_h = _CLOUD_CANVAS
    path, index = _word_cloud_face(str(font_path))
    options = dict(width=canvas_w, height=canvas_h, scale=max(width_px / canvas_w, 1.0), margin=1,
                   background_color="white", max_words=max_words, random_state=seed, colormap="tab10",
                   prefer_horizontal=1.0)
    # wordcloud opens the first face of a font collection; the report's face is extracted into
    # a font file of its own (fontTools), once, in the disk cache
    face = _face_file(path, index) if index else path
    image = WordCloud(font_path=face, **options).generate_from_frequencies(freqs).to_array()
    ax.imshow(image, interpolation="bilinear")
    ax.set_axis_off()
    if title:
        ax.set_title(title, loc="left")
    return ax


def prepare_word_cloud_font(font_path) -> None:
    """Find (and, on the plain route, extract) the word cloud's font face once per process."""
    path, index = _word_cloud_face(str(font_path))
    if index:
        _face_file(path, index)


@lru_cache(maxsize=8)
def _word_cloud_face(font_path: str) -> tuple[str, int]:
    """``(file, face index)`` wordcloud draws Chinese with, in the report's glyph forms.

    Pillow opens the *first* face of a font collection unless told otherwise, and the first
    face of Noto Sans CJK's ``.ttc`` is the Japanese one: 意, 度, 客, 关, 流 and many more
    Simplified Chinese characters then take Japanese glyph forms. For a collection this is the
    index of the face of :func:`~csat_research.report.style.cjk_font_family` (Noto Sans CJK
    SC, the face of every other figure); a single font, or a collection without that family,
    is drawn with face 0.
    """
    from PIL import ImageFont

    from csat_research.core.errors import ReportError
    from csat_research.report.style import cjk_font_family

    if Path(font_path).suffix.lower() not in (".ttc", ".otc"):
        return font_path, 0
    try:
        family = cjk_font_family()
    except ReportError:  # no known CJK family: keep the collection's first face
        return font_path, 0
    index = 0
    while True:
        try:
            face = ImageFont.truetype(font_path, 8, index=index)
        except OSError:  # past the last face
            return font_path, 0
        if face.getname()[0] == family:
            return font_path, index
        index += 1


def _face_file(path: str, index: int) -> str:
    """Face ``index`` of the font collection ``path`` as a font file of its own (made once, cached)."""
    import io
    import tempfile

    from fontTools.ttLib import TTCollection

    from csat_research.core.cache import cache_dir
    from csat_research.core.files import atomic_write_bytes

    st = os.stat(path)
    folder = cache_dir() or Path(tempfile.gettempdir())
    target = folder / f"font-face-{Path(path).stem}-{index}-{st.st_size}-{int(st.st_mtime)}.otf"
    if not target.exists():
        buf = io.BytesIO()
        TTCollection(path).fonts[index].save(buf)
        atomic_write_bytes(target, buf.getvalue())
    return str(target)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def portfolio_dots(
    data: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    direction: str = "direction",
    average: float | None = None,
    average_label: str = "average",
    legend: Mapping[str, str] | None = None,
    xlabel: str = "",
    title: str = "",
    ax=None,
):
    """One dot per study with its confidence interval, coloured by how it compares with the
    portfolio (``direction``: ``"above"`` / ``"below"`` / None), and the portfolio average as a
    dashed line.

    ``legend`` maps ``"above"``, ``"below"`` and ``"same"`` to their legend texts (no legend
    when None). Studies are drawn top to bottom in the order of ``data``.
    """
    from matplotlib.lines import Line2D

    _require(data, [label, value, ci_low, ci_high, direction])
    ax = _axes(ax, figsize=(7.0, 0.42 * len(data) + 1.3))
    y = np.arange(len(data))[::-1]
    colour = {"above": GOOD, "below": BAD}
    colours = [colour.get(d, PALETTE[0]) for d in data[direction]]
    err = np.vstack([data[value] - data[ci_low], data[ci_high] - data[value]])
    ax.errorbar(data[value], y, xerr=err, fmt="none", ecolor="#555555", capsize=3, lw=1, zorder=2)
    ax.scatter(data[value], y, c=colours, s=46, zorder=3, edgecolors="white", linewidths=0.6)
    for yi, v, hi in zip(y, data[value], data[ci_high], strict=True):
        ax.text(hi, yi, f"  {v:.2f}", va="center", ha="left", fontsize=8, color="#333333")
    if average is not None and np.isfinite(average):
        ax.axvline(average, color=NEUTRAL, ls="--", lw=1.1, zorder=1)
        ax.text(average, len(data) - 0.45, f" {average_label}", color="#555555", fontsize=8, va="bottom")
    ax.set_yticks(y, [_wrap_label(str(v), 30) for v in data[label]])
    ax.set_ylim(-0.7, len(data) - 0.1)
    lo, hi = float(np.nanmin(data[ci_low])), float(np.nanmax(data[ci_high]))
    pad = max(hi - lo, 0.1) * 0.18
    ax.set_xlim(lo - pad, hi + pad * 1.6)
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    if legend:
        handles = [Line2D([], [], marker="o", ls="none", color=c, label=legend[k])
                   for k, c in (("above", GOOD), ("same", PALETTE[0]), ("below", BAD)) if k in legend]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16 if xlabel else -0.08),
                  ncol=len(handles), frameon=False, fontsize=8)
    return ax
