"""Tests of csat_research.report.style: the plotting style of the reports (fonts, palette, rc)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest

from csat_research.core.errors import ReportError


def _draw_with_warnings(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


def test_chinese_figure_renders_with_cjk_font_and_no_missing_glyphs():
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.colors import to_hex
    from matplotlib.ft2font import FT2Font

    from csat_research.report.style import (
        BRAND_PALETTE,
        cjk_font_family,
        cjk_font_path,
        use_report_style,
    )

    labels = ["响应效率", "解决质量", "沟通专业", "售后增值", "数字化体验"]
    with matplotlib.rc_context():
        # Without the style, the default font has no Chinese glyphs: the check below works.
        matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
        fig, ax = plt.subplots()
        ax.bar(labels, [3.2, 3.8, 3.6, 3.5, 3.9])
        assert any("missing from font" in m for m in _draw_with_warnings(fig))
        plt.close(fig)

        rc = use_report_style("zh")
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        assert rc["font.family"][0] == cjk_font_family()
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [to_hex(c) for c in cycle] == [c.lower() for c in BRAND_PALETTE]
        fig, ax = plt.subplots()
        ax.bar(labels, [3.2, 3.8, -0.4, 3.5, 3.9])
        ax.set_title("各维度满意度均值")
        ax.set_ylabel("均值（1–5）")
        messages = _draw_with_warnings(fig)
        assert not [m for m in messages if "missing" in m.lower() or "glyph" in m.lower()], messages
        tick = ax.get_xticklabels()[0]
        assert tick.get_text() == "响应效率"
        used = font_manager.findfont(tick.get_fontproperties(), fallback_to_default=False)
        assert Path(used) == cjk_font_path()
        face = FT2Font(str(used), face_index=getattr(used, "face_index", 0))
        assert "CJK" in face.family_name or "Han" in face.family_name or "PingFang" in face.family_name
        assert all(face.get_char_index(ord(ch)) != 0 for ch in "".join(labels))
        assert fig.dpi == 200
        plt.close(fig)


def test_report_rc_is_pure_and_validates():
    import matplotlib

    from csat_research.report.style import report_rc

    before = dict(matplotlib.rcParams)
    en = report_rc("en", dpi=150)
    assert dict(matplotlib.rcParams) == before
    assert en["font.family"][0] == "DejaVu Sans" and en["savefig.dpi"] == 150
    with pytest.raises(ValueError, match="lang must be 'zh' or 'en', got 'jp'"):
        report_rc("jp")
    with pytest.raises(ValueError, match="dpi must be an int between 50 and 600, got 2000"):
        report_rc("zh", dpi=2000)


def test_cjk_font_path_without_cjk_fonts_raises(monkeypatch):
    from matplotlib import font_manager

    from csat_research.report import style as plotting_style

    plotting_style._resolve.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name])
    monkeypatch.setattr(font_manager.fontManager, "addfont", lambda path: None)
    monkeypatch.setattr(plotting_style, "CJK_FONT_FAMILIES", ("Noto Sans CJK SC",))
    try:
        with pytest.raises(ReportError, match="no Chinese \\(CJK\\) font.*apt-get install fonts-noto-cjk"):
            plotting_style.cjk_font_path()
    finally:
        plotting_style._resolve.cache_clear()
