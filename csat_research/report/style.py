"""Matplotlib / seaborn look of the client reports.

One call at the top of a report notebook, :func:`use_report_style`, gives every figure
the report look: a CJK-capable font (Chinese labels without tofu boxes or "missing
glyph" warnings), a clean white-grid theme, the fixed brand palette, and a resolution
that stays crisp when the PNG is scaled into an A4 PDF.

:func:`report_rc` returns the same settings as a dict, for a local
``with matplotlib.rc_context(report_rc("zh")):`` block that leaves global state alone.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from csat_research.core import shims
from csat_research.core.errors import ReportError

__all__ = [
    "BRAND_PALETTE",
    "CJK_FONT_FAMILIES",
    "LIKERT_PALETTE",
    "cjk_font_family",
    "cjk_font_path",
    "report_rc",
    "use_report_style",
]

#: Categorical palette of the reports (brand blue first; distinguishable in grey print).
BRAND_PALETTE = (
    "#1F4E79",  # brand blue
    "#E07B39",  # accent orange
    "#3A9D8F",  # teal
    "#C9453A",  # red
    "#7A6BB0",  # purple
    "#D4A72C",  # mustard
    "#5B8DB8",  # light blue
    "#8C8C8C",  # grey
)

#: Diverging palette for 5-point Likert answers, 1 = very dissatisfied ... 5 = very satisfied.
LIKERT_PALETTE = ("#C0392B", "#E8956D", "#D9D9D9", "#7FAFD6", "#1F4E79")

#: Simplified-Chinese font families, in order of preference.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
)

# Files tried when matplotlib's font cache knows no CJK family (e.g. a cache built before
# the fonts were installed). Collections (.ttc) hold several faces; the SC face is picked.
_CANDIDATE_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
# DejaVu Sans ships with matplotlib, so it is always there.
_LATIN_FAMILY = "DejaVu Sans"

_INSTALL_HINT = (
    "install a Simplified-Chinese font, e.g. 'apt-get install fonts-noto-cjk' (Debian/Ubuntu) "
    "or 'dnf install google-noto-sans-cjk-fonts' (Fedora)"
)


def _find_in_cache() -> tuple[str, str] | None:
    from matplotlib import font_manager

    by_name: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name in CJK_FONT_FAMILIES and entry.weight in (400, "normal", "regular"):
            by_name.setdefault(entry.name, entry.fname)
    for entry in font_manager.fontManager.ttflist:  # any weight if no regular one
        if entry.name in CJK_FONT_FAMILIES:
            by_name.setdefault(entry.name, entry.fname)
    for family in CJK_FONT_FAMILIES:
        if family in by_name:
            return family, by_name[family]
    return None


@lru_cache(maxsize=1)
def _resolve() -> tuple[str, str]:
    """Return (family, file) of the preferred installed CJK font; register it if needed."""
    found = _find_in_cache()
    if found is not None:
        return found
    from matplotlib import font_manager

    tried = []
    for candidate in _CANDIDATE_FILES:
        if Path(candidate).is_file():
            tried.append(candidate)
            try:
                font_manager.fontManager.addfont(candidate)
            except Exception:  # unreadable font file: try the next one
                continue
    found = _find_in_cache()
    if found is not None:
        return found
    raise ReportError(
        "no Chinese (CJK) font found for report figures; looked for the families "
        f"{', '.join(CJK_FONT_FAMILIES)} in matplotlib's font list"
        + (f" and registered {', '.join(tried)}" if tried else "")
        + f"; {_INSTALL_HINT}"
    )


def cjk_font_path() -> Path:
    """Path of the font file used for Chinese text in report figures.

    Looks for the families of :data:`CJK_FONT_FAMILIES` (Noto Sans CJK SC first) in
    matplotlib's font list; when none is known, registers the usual system files
    (e.g. ``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``) with
    :meth:`matplotlib.font_manager.FontManager.addfont` and looks again.

    Returns
    -------
    pathlib.Path
        The font file (a ``.ttc`` collection is possible; matplotlib picks the SC face).

    Raises
    ------
    ReportError
        If no CJK font is installed, with the install command.

    Examples
    --------
    >>> cjk_font_path().suffix in {".ttc", ".otf", ".ttf"}
    True
    """
    return Path(_resolve()[1])


def cjk_font_family() -> str:
    """Family name of the CJK font of report figures (e.g. "Noto Sans CJK SC").

    Returns
    -------
    str
        A family name known to matplotlib.

    Raises
    ------
    ReportError
        If no CJK font is installed.

    Examples
    --------
    >>> cjk_font_family() in CJK_FONT_FAMILIES
    True
    """
    return _resolve()[0]


def report_rc(lang: str = "zh", *, dpi: int = 200) -> dict[str, Any]:
    """Matplotlib rcParams of the report style.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"
        "zh": the CJK font first (Latin letters and digits from it too, for an even
        look); "en": DejaVu Sans first with the CJK font as per-glyph fallback, so a
        Chinese brand name in an English report still renders.
    dpi : int, default 200
        Resolution of the figures shown inline and saved; 200 keeps a 7.5-inch figure
        sharp when scaled to the A4 text width.

    Returns
    -------
    dict
        rcParams (seaborn "whitegrid" look, brand palette, fonts, ``axes.unicode_minus``
        False so that the minus sign is an ASCII hyphen every CJK font has).

    Raises
    ------
    ValueError
        If ``lang`` or ``dpi`` is invalid.
    ReportError
        If no CJK font is installed.

    Examples
    --------
    >>> rc = report_rc("zh")
    >>> rc["font.family"][0] == cjk_font_family(), rc["axes.unicode_minus"]
    (True, False)
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"report_rc: lang must be 'zh' or 'en', got {lang!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 50 <= dpi <= 600:
        raise ValueError(f"report_rc: dpi must be an int between 50 and 600, got {dpi!r}")
    from cycler import cycler

    cjk = cjk_font_family()
    # Only installed families: matplotlib logs "findfont: ... not found" for every other.
    families = [cjk, _LATIN_FAMILY] if lang == "zh" else [_LATIN_FAMILY, cjk]
    ink, muted, grid = "#1F2933", "#5F6B7A", "#E3E8EE"
    return {
        "font.family": families,
        "font.sans-serif": [cjk, _LATIN_FAMILY],
        "font.size": 10.5,
        "axes.unicode_minus": False,
        "axes.prop_cycle": cycler(color=list(BRAND_PALETTE)),
        "axes.facecolor": "white",
        "axes.edgecolor": "#C8D0D9",
        "axes.linewidth": 0.8,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.labelcolor": ink,
        "axes.labelsize": 10.5,
        "axes.titlesize": 12.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 10.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "grid.color": grid,
        "grid.linewidth": 0.8,
        "grid.linestyle": "-",
        "text.color": ink,
        "xtick.color": muted,
        "ytick.color": muted,
        "xtick.labelsize": 9.5,
        "ytick.labelsize": 9.5,
        "xtick.bottom": True,
        "ytick.left": False,
        "xtick.major.size": 3.0,
        "legend.frameon": False,
        "legend.fontsize": 9.5,
        "legend.title_fontsize": 10.0,
        "figure.facecolor": "white",
        "figure.figsize": (7.5, 4.2),
        "figure.dpi": dpi,
        "figure.constrained_layout.use": True,
        "savefig.dpi": dpi,
        "savefig.facecolor": "white",
        # constrained layout already fits every label inside the figure; a "tight" bbox would
        # draw each figure twice when it is printed
        "savefig.bbox": "standard",
        "image.cmap": "Blues",
        "lines.linewidth": 2.0,
        "patch.edgecolor": "white",
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
    }


def use_report_style(lang: str = "zh", *, dpi: int = 200) -> dict[str, Any]:
    """Apply the report style to matplotlib (and seaborn's default palette) globally.

    Call it once at the top of a report notebook. Seaborn plotting functions pick up the
    palette and fonts from matplotlib's rcParams.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"
        Report language (see :func:`report_rc`).
    dpi : int, default 200
        Figure resolution.

    Returns
    -------
    dict
        The rcParams applied (see :func:`report_rc`).

    Raises
    ------
    ValueError
        If ``lang`` or ``dpi`` is invalid.
    ReportError
        If no CJK font is installed.

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():
    ...     _ = use_report_style("zh")
    ...     matplotlib.rcParams["axes.unicode_minus"]
    False
    """
    import matplotlib as mpl

    rc = report_rc(lang, dpi=dpi)
    mpl.rcParams.update(rc)
    _inline_figures_as_laid_out()
    try:  # seaborn's own palette state (used by sns.color_palette() without arguments)
        import seaborn as sns
    except ImportError:  # seaborn is optional for this function
        return rc
    sns.set_palette(list(BRAND_PALETTE))
    return rc


def _inline_figures_as_laid_out() -> None:
    """In a Jupyter kernel on the inline backend: draw each figure once, when it is printed.

    IPython asks for ``bbox_inches="tight"`` itself, which draws every figure twice; the
    report figures use constrained layout, so they print as laid out, through
    :func:`figure_png_base64`. PNG compression level 3 (Pillow's default is 6) costs about 9 %
    in file size and saves a tenth of the printing time.
    """
    import matplotlib as mpl

    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter install
        return
    ip = get_ipython()
    if ip is None or "inline" not in mpl.get_backend():
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", bbox_inches=None, pil_kwargs={"compress_level": 3})
    from matplotlib.figure import Figure

    ip.display_formatter.formatters["image/png"].for_type(Figure, figure_png_base64)
    # pyplot's REPL hook redraws every stale figure after each cell (for GUI windows); on the
    # inline backend that is a full extra drawing of every figure before it is printed (about
    # 1 CPU-s per report). Run it after the inline backend has printed and closed the figures.
    import matplotlib.pyplot as plt

    redraw = getattr(plt, "_draw_all_if_interactive", None) if shims.enabled("pyplot_redraw_after_print") else None
    if redraw is not None and redraw in ip.events.callbacks.get("post_execute", []):
        ip.events.unregister("post_execute", redraw)
        ip.events.register("post_execute", redraw)


def figure_png_base64(fig: Any) -> str | None:
    """The inline backend's PNG of ``fig`` (base64 text), drawn once.

    ``Figure.savefig`` / IPython's ``print_figure`` first draw a figure that has a layout
    engine with rendering switched off, only to run the layout, and then draw it again, layout
    included, to paint the pixels: two layouts and two passes over every artist. The Agg
    canvas's own ``print_png`` lays out and paints in one draw; with the figure's own dpi and
    face colour (what IPython passes) the pixels are the same. Empty figures give None, as in
    IPython. Figures on another canvas go through IPython's path.
    """
    from base64 import b64encode
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not fig.axes and not fig.lines:
        return None
    if not isinstance(fig.canvas, FigureCanvasAgg):
        from IPython.core.pylabtools import print_figure

        return print_figure(fig, "png", bbox_inches=None, base64=True, pil_kwargs={"compress_level": 3})
    buf = BytesIO()
    fig.canvas.print_png(buf, pil_kwargs={"compress_level": 3})
    return b64encode(buf.getvalue()).decode("ascii")
