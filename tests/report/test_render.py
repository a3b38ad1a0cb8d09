"""Tests of csat_research.report.pdf (HTML / PDF reports) and csat_research.report.style.

Fast tests build notebooks with hand-made outputs; the e2e tests execute a real notebook
(nbclient, kernel "python3"), render it with nbconvert and print it with headless Chromium,
then read the PDF text back with pdftotext / pypdf.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import stat
import subprocess
import warnings
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import CsatWarning, ReportError
from csat_research.report import pdf as render
from csat_research.report.pdf import (
    PdfRenderer,
    atomic_write_bytes,
    atomic_write_text,
    find_chromium,
    notebook_to_html,
    page_css,
    sanitize_html,
)

v4 = nbformat.v4
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# src=/href=/url( pointing at the network, and any <script src=...>
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*https?://|<script[^>]*\bsrc\s*=""",
    re.IGNORECASE,
)
# A 1x1 white PNG.
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


# --------------------------------------------------------------------------- helpers
def _nb(*cells, **metadata):
    nb = v4.new_notebook(cells=list(cells))
    nb.metadata.update(metadata)
    return nb


def _code(outputs, source="x = 1"):
    cell = v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 1
    return cell


def _stream(name, text):
    return {"output_type": "stream", "name": name, "text": text}


def _display(data, kind="display_data"):
    out = {"output_type": kind, "data": data, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = 1
    return out


def _body(html: str) -> str:
    """The report body without the inline stylesheet."""
    return re.sub(r"<style.*?</style>", "", html, flags=re.DOTALL)


def _pdftotext(pdf: Path, *, first: int | None = None, last: int | None = None,
               layout: bool = False) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if first is not None:
        cmd += ["-f", str(first), "-l", str(last if last is not None else first)]
    return subprocess.run(cmd + [str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- atomic writes
def test_atomic_write_text_writes_content_and_leaves_no_temp_file(tmp_path):
    target = atomic_write_text(tmp_path / "report.html", "<p>整体满意度 3.8</p>")
    assert target.read_text(encoding="utf-8") == "<p>整体满意度 3.8</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    # Normal file permissions (mkstemp's 0600 would lock other readers out).
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_atomic_write_replaces_existing_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF- good old report")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render.os, "fsync", broken_fsync)
    with pytest.raises(ReportError, match=r"cannot write .*report\.pdf.*No space left"):
        atomic_write_bytes(target, b"%PDF- half a new report")
    assert target.read_bytes() == b"%PDF- good old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_atomic_write_rejects_bad_input(tmp_path):
    with pytest.raises(TypeError, match="data must be bytes, got str"):
        atomic_write_bytes(tmp_path / "a", "text")
    with pytest.raises(TypeError, match="text must be str, got bytes"):
        atomic_write_text(tmp_path / "a", b"bytes")
    with pytest.raises(ReportError, match="folder .*missing.* does not exist"):
        atomic_write_text(tmp_path / "missing" / "a.html", "x")


# --------------------------------------------------------------------------- sanitiser
def test_sanitize_escapes_script_and_drops_handlers():
    out = sanitize_html(f'<p onclick="steal()">回答：{SCRIPT}</p><iframe src="x"></iframe>')
    assert SCRIPT not in out and "<iframe" not in out and "onclick" not in out
    assert ESCAPED_SCRIPT in out
    assert out.startswith("<p>回答：")


def test_sanitize_styler_table_keeps_style_and_escapes_cell_text():
    df = pd.DataFrame({"维度": ["响应效率", "沟通专业"], "原声": [SCRIPT, "客服很耐心"],
                       "均值": [3.21, 3.64]})
    styled = df.style.format({"均值": "{:.2f}"}).background_gradient(subset=["均值"])
    raw = styled.to_html()
    assert SCRIPT in raw  # pandas' Styler does not escape: the sanitiser must
    out = sanitize_html(raw)
    assert SCRIPT not in out and ESCAPED_SCRIPT in out
    assert "<style" in out and "background-color" in out  # Styler's look survives
    assert re.search(r'<td[^>]*class="[^"]*csat-num[^"]*"[^>]*>3\.21</td>', out)


def test_sanitize_marks_numeric_columns_with_rowspans():
    df = pd.DataFrame(
        {"均值": [3.2, 3.5, 3.9, 4.1], "占比": ["62.0%", "70.1%", "—", "80.0%"],
         "原声": ["慢", "快", "好", "很好"],
         "置信区间": ["3.1 – 3.3", "[3.4, 3.6]", "3.8 至 4.0", "-0.5 – +0.2"]},
        index=pd.MultiIndex.from_tuples([("新客", "高"), ("新客", "低"), ("老客", "高"), ("老客", "低")]),
    )
    out = sanitize_html(df.to_html())
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", out)
    assert len(cells) == 16
    for attrs, text in cells:
        assert ("csat-num" in attrs) == (text not in {"慢", "快", "好", "很好"}), (attrs, text)
    headers = dict((text, attrs) for attrs, text in re.findall(r"<th([^>]*)>([^<]*)</th>", out))
    assert "csat-num" in headers["均值"] and "csat-num" in headers["占比"]
    assert "csat-num" not in headers["原声"]
    assert "text-align" not in out  # pandas' header-row alignment is left to the stylesheet


def test_sanitize_sets_layout_classes_for_wide_tables_and_long_text():
    wide = pd.DataFrame([[3.5] * 13], columns=[f"指标{i}" for i in range(13)])  # + index = 14
    assert re.match(r'<table[^>]*class="dataframe csat-xwide"', sanitize_html(wide.to_html()))
    medium = pd.DataFrame([[3.5] * 9], columns=[f"指标{i}" for i in range(9)])
    assert 'class="dataframe csat-wide"' in sanitize_html(medium.to_html())
    narrow = sanitize_html(pd.DataFrame({"a": [1]}).to_html())
    assert "csat-wide" not in narrow and "csat-xwide" not in narrow
    answer = "物流信息好几天都不更新，联系客服只会说帮您催一下，然后就没有下文了，非常浪费时间。"
    out = sanitize_html(pd.DataFrame({"编号": ["R001"], "原声": [answer]}).to_html(index=False))
    assert re.search(r'<td class="csat-text">物流信息', out)
    assert "<td>R001</td>" in out


def test_sanitize_keeps_fragments_balanced():
    assert sanitize_html("<p>回答</div></td></p>") == "<p>回答</p>"
    assert sanitize_html("<ul><li>物流慢<li>退款慢") == "<ul><li>物流慢<li>退款慢</li></li></ul>"
    nb = _nb(_code([_display({"text/html": "</div></div></main></body><p>尾部</p>"})]))
    html = notebook_to_html(nb, title="报告")
    assert html.count("<main") == 1 and html.count("</main>") == 1
    assert html.index("尾部") < html.index("</main>")


_PIECES = st.sampled_from(
    ["<script>", "</script>", "<SCRIPT>", "<iframe>", "<a href='javascript:x()'>", "</a>",
     "<b onclick=x()>", "</b>", "<img src=x onerror=y()>", "<td>", "</td>", "<p>", "</div>",
     "<style>", "</style>", "<", ">", "\"", "'", "=", "&lt;", "&", "回答", "a", " ", "on"])


@given(st.lists(_PIECES, max_size=25).map("".join))
@settings(max_examples=300, deadline=None)
def test_sanitize_never_lets_active_markup_through(fragment):
    try:
        out = sanitize_html(fragment)
    except ReportError:  # refused (an image that is not embedded): nothing is rendered
        return
    tags = re.findall(r"<[a-zA-Z][^>]*>", out)
    for tag in tags:
        name = re.match(r"<([a-zA-Z0-9]+)", tag).group(1).lower()
        assert name not in {"script", "iframe", "object", "embed"}, out
        assert not re.search(r"\son[a-z]+\s*=", tag, re.IGNORECASE), out
        assert "javascript:" not in tag.lower(), out


def test_sanitize_links_and_images():
    out = sanitize_html('<a href="https://example.com/survey">问卷</a> <a href="#sec">上文</a>'
                        ' <a href="javascript:evil()">x</a>')
    assert 'href="https' not in out and "javascript" not in out
    assert "问卷</a><span class=\"csat-url\"> (https://example.com/survey)</span>" in out
    assert '<a href="#sec">上文</a>' in out
    assert f'src="data:image/png;base64,{PNG_1PX}"' in sanitize_html(
        f'<img src="data:image/png;base64,{PNG_1PX}" onerror="x()">')
    with pytest.raises(ReportError, match=r"cell 3.*image 'https://cdn.example.com/a.png' is not embedded"):
        sanitize_html('<img src="https://cdn.example.com/a.png">', where="cell 3")
    with pytest.raises(ReportError, match="url"):
        sanitize_html("<style>body { background: url(https://x.example/bg.png) }</style>")
    with pytest.raises(ReportError, match="@import"):
        sanitize_html("<style>@import 'https://fonts.googleapis.com/css';</style>")


# --------------------------------------------------------------------------- notebook_to_html
def _fake_executed_notebook():
    df = pd.DataFrame({"维度": ["响应效率", "解决质量"], "典型原声": [SCRIPT, "客服很耐心"]})
    return _nb(
        _code([], source="import pandas as pd\nimport matplotlib.pyplot as plt"),
        v4.new_markdown_cell("## 执行摘要\n\n整体满意度 **3.8** 分。"),
        _code([_stream("stderr", "UserWarning: noisy warning\n"),
               _stream("stdout", "样本量 n = 1876\n"),
               _display({"text/html": df.to_html(), "text/plain": "df"}, "execute_result")],
              source="print('x')\ndf"),
        _code([_display({"image/png": PNG_1PX, "text/plain": "<Figure size 640x480 with 1 Axes>"}),
               _display({"text/plain": "Text(0.5, 1.0, '各维度均值')"}, "execute_result")],
              source="ax.set_title('各维度均值')"),
        _code([_display({"application/javascript": "alert(2)", "text/plain": "js"}),
               _display({"text/plain": "[<matplotlib.lines.Line2D at 0x7f>]"})]),
    )


def test_notebook_to_html_client_view():
    nb = _fake_executed_notebook()
    before = nbformat.writes(nb)
    html = notebook_to_html(nb, title="家电品类 <客服> 报告", lang="zh", subtitle="2026Q3",
                            meta={"品牌": "示例家电旗舰店", "波次": "2026Q3", "样本量": 1876})
    assert nbformat.writes(nb) == before  # input untouched
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    body = _body(html)
    # cover: title escaped, subtitle and meta line
    assert "家电品类 &lt;客服&gt; 报告" in body and "<客服>" not in body
    assert re.search(r"品牌</span><span class=\"csat-cover__value\">示例家电旗舰店", body)
    assert "样本量" in body and "1876" in body
    # narrative and outputs
    assert re.search(r"<h2[^>]*>执行摘要</h2>", body) and "<strong>3.8</strong>" in body
    assert "anchor-link" not in body and "¶" not in body
    assert "样本量 n = 1876" in body  # stdout kept
    assert f'src="data:image/png;base64,{PNG_1PX}"' in body
    # what the client must not see
    for hidden in ("import pandas", "print(", "noisy warning", "Text(0.5", "Line2D",
                   "alert(2)", "In&nbsp;[", "Out[", "jp-InputArea-editor"):
        assert hidden not in html, hidden
    assert "<script" not in html.lower()
    assert SCRIPT not in html and ESCAPED_SCRIPT in html
    assert not EXTERNAL.search(html)


def test_notebook_to_html_english_and_path_input(tmp_path):
    path = tmp_path / "executed.ipynb"
    nbformat.write(_nb(v4.new_markdown_cell("## Executive summary\n\nCSAT rose to 3.8.")), path)
    html = notebook_to_html(path, title="Appliances CSAT report", lang="en", meta=["Wave 2026Q3"])
    assert '<html lang="en">' in html and "csat-lang-en" in html
    assert "Executive summary" in html and "Wave 2026Q3" in html


def test_notebook_to_html_embeds_local_markdown_image(tmp_path):
    (tmp_path / "logo.png").write_bytes(base64.b64decode(PNG_1PX))
    path = tmp_path / "nb.ipynb"
    nbformat.write(_nb(v4.new_markdown_cell("![品牌标识](logo.png)")), path)
    html = notebook_to_html(path, title="报告")
    assert re.search(r'<img[^>]*src="data:image/png;base64,', html)
    assert 'src="logo.png"' not in html


def test_notebook_to_html_refuses_network_images():
    nb = _nb(v4.new_markdown_cell("![chart](https://cdn.example.com/chart.png)"))
    with pytest.raises(ReportError, match="https://cdn.example.com/chart.png.*not embedded"):
        notebook_to_html(nb, title="报告")


def test_notebook_to_html_error_outputs():
    error = {"output_type": "error", "ename": "KeyError", "evalue": "'nps'",
             "traceback": ["Traceback ...", "KeyError: 'nps'"]}
    nb = _nb(v4.new_markdown_cell("## 执行摘要"), _code([error]))
    with pytest.raises(ReportError, match=r"cell 1 failed with KeyError: 'nps'"):
        notebook_to_html(nb, title="报告")
    html = notebook_to_html(nb, title="报告", allow_errors=True)
    assert "KeyError" not in html and "Traceback" not in html


def test_notebook_to_html_tags():
    keep = v4.new_markdown_cell("## 保留")
    drop = v4.new_markdown_cell("## 内部备注", metadata={"tags": ["remove_cell"]})
    quiet = _code([_stream("stdout", "内部调试输出")])
    quiet.metadata["tags"] = ["remove_output"]
    brk = v4.new_markdown_cell("### 附录", metadata={"tags": ["page-break"]})
    html = notebook_to_html(_nb(keep, drop, quiet, brk), title="报告")
    assert "保留" in html and "内部备注" not in html and "内部调试输出" not in html
    assert "celltag_page-break" in html


def test_notebook_to_html_rejects_bad_arguments():
    nb = _nb()
    with pytest.raises(ValueError, match=r"lang must be one of \['en', 'zh'\], got 'fr'"):
        notebook_to_html(nb, title="t", lang="fr")
    with pytest.raises(ValueError, match="title must be a non-empty str"):
        notebook_to_html(nb, title=" ")
    with pytest.raises(TypeError, match="nb must be an nbformat NotebookNode or a path.*int"):
        notebook_to_html(42, title="t")
    with pytest.raises(TypeError, match="meta must be None, a str, a mapping"):
        notebook_to_html(nb, title="t", meta=3.5)
    with pytest.raises(ReportError, match="notebook file .*nope.ipynb does not exist"):
        notebook_to_html("nope.ipynb", title="t")


def test_notebook_to_html_names_a_missing_template(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "TEMPLATE_DIR", tmp_path)
    with pytest.raises(ReportError, match="report template .*csat_report is missing.*package data"):
        notebook_to_html(_nb(), title="报告")


def test_stylesheet_has_print_rules_and_no_urls():
    html = notebook_to_html(_nb(v4.new_markdown_cell("## 一")), title="报告")
    css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.DOTALL))
    assert "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC'" in css
    assert "'Microsoft YaHei', sans-serif" in css
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)
    assert re.search(r"tr\s*\{[^}]*break-inside:\s*avoid", css)
    assert re.search(r"thead\s*\{[^}]*display:\s*table-header-group", css)
    assert re.search(r"h2\s*\{[^}]*break-before:\s*page", css)
    assert re.search(r"nth-child\(even\)", css)  # zebra rows
    assert re.search(r"img\s*\{[^}]*max-width:\s*100%", css)
    assert "url(" not in css and "@import" not in css


# --------------------------------------------------------------------------- chromium lookup
def test_find_chromium_env_override(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CSAT_CHROMIUM", str(fake))
    assert find_chromium() == str(fake.resolve())
    monkeypatch.setenv("CSAT_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(ReportError, match="CSAT_CHROMIUM=.*missing.*apt-get install chromium fonts-noto-cjk"):
        find_chromium()


def test_find_chromium_missing_gives_install_hint(monkeypatch, tmp_path):
    monkeypatch.delenv("CSAT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReportError, match="no Chromium found.*apt-get install chromium fonts-noto-cjk"):
        find_chromium()
    with pytest.raises(ReportError, match="no Chromium found"):
        PdfRenderer().start()


def test_page_css_wording_and_escaping():
    zh = page_css(lang="zh", header='报告 "A"')
    assert '"第 " counter(page) " / " counter(pages) " 页"' in zh
    assert 'content: "报告 \\"A\\""' in zh
    en = page_css(lang="en", header=None)
    assert '"Page " counter(page) " of " counter(pages)' in en
    assert '@top-left { content: "' not in en  # no running header
    assert "@page :first" in en
    with pytest.raises(ValueError, match="lang must be one of"):
        page_css(lang="de")


def test_pdf_renderer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="engine must be 'auto', 'playwright' or 'cli', got 'wk'"):
        PdfRenderer(engine="wk")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        PdfRenderer(timeout=0)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match=f"tabs must be an int >= 1, got {bad!r}"):
            PdfRenderer(tabs=bad)


def test_pdf_renderer_falls_back_to_cli_when_playwright_fails(monkeypatch):
    chromium = shutil.which("chromium") or "/bin/true"

    def broken(self, executable):
        raise RuntimeError("playwright driver missing")

    monkeypatch.setattr(PdfRenderer, "_start_playwright", broken)
    with pytest.warns(CsatWarning, match="playwright driver missing.*falling back"):
        renderer = PdfRenderer(executable_path=chromium).start()
    assert renderer.engine == "cli"
    renderer.close()
    with pytest.raises(ReportError, match="Playwright could not start Chromium"):
        PdfRenderer(engine="playwright", executable_path=chromium).start()


# --------------------------------------------------------------------------- plotting style
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


# =========================================================================== e2e
REPORT_CELLS = [
    ("code", "import sys\nimport warnings\nimport pandas as pd\nimport matplotlib\n"
             "import matplotlib.pyplot as plt\n"
             "from csat_research.report.style import use_report_style\n"
             "use_report_style(LANG)\n%matplotlib inline"),
    ("markdown", "## 执行摘要\n\n本期**整体满意度** 3.8 分，较上期提升 0.3 分；最薄弱维度为*响应效率*。\n\n"
                 "> 关键发现：物流异常提醒不及时是最常见的抱怨。"),
    ("code", "print('debug: loaded 1876 rows', file=sys.stderr)\n"
             "warnings.warn('small base size in segment 母婴')\n"
             "df = pd.DataFrame({'维度': ['响应效率', '解决质量', '沟通专业', '售后增值', '数字化体验'],\n"
             "                   '均值': [3.21, 3.85, 3.64, 3.52, 3.90],\n"
             "                   'n': [1876, 1876, 1870, 1802, 1799],\n"
             "                   '典型原声': ['<script>alert(1)</script>', '客服很耐心',\n"
             "                            '回答不在点上', '退货流程顺畅', 'App 工单好用']})\n"
             "df"),
    ("code", "fig, ax = plt.subplots()\nax.barh(df['维度'], df['均值'])\n"
             "ax.set_title('各维度满意度均值')\nax.set_xlim(1, 5)"),
    ("markdown", "## 原声明细\n\n下表列出全部开放题回答。"),
    ("code", "long = pd.DataFrame({'编号': [f'R{i:03d}' for i in range(1, 121)],\n"
             "                     '渠道': ['微信', 'App', '网页'] * 40,\n"
             "                     '评分': [(i % 5) + 1 for i in range(120)],\n"
             "                     '原声': [f'第{i}条：物流更新太慢，客服回答不在点上' for i in range(1, 121)]})\n"
             "long.style.hide(axis='index').set_caption('表 2 开放题原声（节选）')"),
]


@pytest.fixture(scope="module")
def executed_nb(tmp_path_factory):
    """A small report notebook executed by a real kernel (the venv's python3)."""
    from nbclient import NotebookClient

    cells = [v4.new_code_cell("LANG = 'zh'", metadata={"tags": ["parameters"]})]
    for kind, source in REPORT_CELLS:
        cells.append(v4.new_markdown_cell(source) if kind == "markdown" else v4.new_code_cell(source))
    nb = _nb(*cells, kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
    NotebookClient(nb, kernel_name="python3", timeout=300).execute(
        cwd=str(tmp_path_factory.mktemp("kernel")))
    path = tmp_path_factory.mktemp("nb") / "executed.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def report_html(executed_nb):
    html = notebook_to_html(executed_nb, title="家电品类客户服务满意度研究报告",
                            subtitle="2026 年第三季度", lang="zh",
                            meta={"品牌": "示例家电旗舰店", "波次": "2026Q3", "样本量": "n = 1,876"})
    path = atomic_write_text(executed_nb.with_name("report.html"), html)
    return path


def _require_chromium() -> None:
    """Skip the test where no Chromium is installed (the message says how to install it)."""
    try:
        find_chromium()
    except ReportError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def pdf_renderer():
    _require_chromium()
    with PdfRenderer(engine="playwright") as renderer:
        yield renderer


@pytest.mark.e2e
def test_e2e_html_of_executed_notebook(report_html):
    html = report_html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for source_text in ("import pandas", "use_report_style", "LANG = ", "pd.DataFrame(",
                        "ax.barh", "%matplotlib"):
        assert source_text not in html, source_text
    assert "debug: loaded" not in html and "small base size" not in html  # stderr, warnings
    assert "(1.0, 5.0)" not in html  # value of the figure cell's last line
    assert not EXTERNAL.search(html)
    assert "<script" not in html.lower()
    assert SCRIPT not in html and html.count(ESCAPED_SCRIPT) == 1
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)) == 1
    assert "执行摘要" in html and "客服很耐心" in html and "R120" in html


@pytest.mark.e2e
def test_e2e_pdf_text_pages_and_fonts(report_html, pdf_renderer, tmp_path):
    from pypdf import PdfReader

    pdf = pdf_renderer.render(report_html, tmp_path / "report.pdf")
    reader = PdfReader(pdf)
    n_pages = len(reader.pages)
    assert n_pages >= 4  # cover, summary, long table over >= 2 pages
    text = _pdftotext(pdf)
    flat = _compact(text)
    for expected in ("家电品类客户服务满意度研究报告", "执行摘要", "整体满意度", "响应效率",
                     "客服很耐心", "回答不在点上", "示例家电旗舰店", SCRIPT):
        assert expected in flat, expected
    assert "import" not in text and "debug: loaded" not in text
    # page numbers from page 2 on, none on the cover
    assert re.search(rf"第\s*2\s*/\s*{n_pages}\s*页", text)
    # PDF bookmarks from the headings
    titles = [item.title for item in reader.outline[1]] if len(reader.outline) > 1 else []
    assert titles == ["执行摘要", "原声明细"], reader.outline
    assert not re.search(r"第\s*1\s*/", _pdftotext(pdf, first=1))
    # Text is real, searchable text: every font embedded and with a ToUnicode map.
    # (Chromium's Skia writes the CFF-based Noto CJK faces as Type 3 fonts: vector glyphs,
    # so no font name to check; the Chinese strings found above prove the mapping.)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:  # columns: name type encoding emb sub uni object-id gen
        emb, uni = line.split()[-5], line.split()[-3]
        assert emb == "yes" and uni == "yes", line


@pytest.mark.e2e
def test_e2e_long_table_repeats_header_and_keeps_rows_whole(report_html, pdf_renderer, tmp_path):
    pdf = pdf_renderer.render(report_html, tmp_path / "report.pdf")
    from pypdf import PdfReader

    n_pages = len(PdfReader(pdf).pages)
    # one list of compacted text lines per page (-layout keeps table rows on one line)
    pages = [[_compact(line) for line in _pdftotext(pdf, first=i, layout=True).splitlines()]
             for i in range(1, n_pages + 1)]
    table_pages = [i for i, lines in enumerate(pages) if any(re.match(r"R\d{3}", x) for x in lines)]
    assert len(table_pages) >= 2
    for i in table_pages:  # header row on every page of the table
        assert "编号渠道评分原声" in pages[i], i
    for k in range(1, 121):  # every row whole on one page: id, channel, score and text together
        row = (f"R{k:03d}" + ["微信", "App", "网页"][(k - 1) % 3] + str(((k - 1) % 5) + 1)
               + f"第{k}条：物流更新太慢，客服回答不在点上")
        assert sum(row in lines for lines in pages) == 1, row


@pytest.mark.e2e
def test_e2e_one_renderer_two_files_and_english(executed_nb, report_html, pdf_renderer, tmp_path):
    html_en = notebook_to_html(executed_nb, title="Appliances CSAT report", lang="en",
                               meta={"Brand": "Demo store", "Wave": "2026Q3"})
    en_path = atomic_write_text(tmp_path / "report_en.html", html_en)
    browser = pdf_renderer._browser
    first = pdf_renderer.render(report_html, tmp_path / "a.pdf")
    second = pdf_renderer.render(en_path, tmp_path / "b.pdf", header="Appliances · 2026Q3")
    assert pdf_renderer._browser is browser and pdf_renderer.engine == "playwright"
    assert "执行摘要" in _compact(_pdftotext(first))
    text_en = _pdftotext(second)
    assert re.search(r"Page 2 of \d+", text_en) and "Appliances · 2026Q3" in text_en
    assert not re.search(r"第\s*\d+\s*/\s*\d+\s*页", text_en)


@pytest.mark.e2e
def test_e2e_sections_from_html_outputs_start_right_after_the_cover(pdf_renderer, tmp_path):
    # Report notebooks often write headings with display(HTML("<h2>...</h2>")).
    def cell(*fragments):
        return _code([_stream("stdout", "  \n")] + [_display({"text/html": f}) for f in fragments])

    nb = _nb(cell("<h2>执行摘要</h2>", "<p>正文一</p>"), cell("<h2>数据质量</h2>", "<p>正文二</p>"))
    html = atomic_write_text(tmp_path / "r.html", notebook_to_html(nb, title="分节测试"))
    pdf = pdf_renderer.render(html, tmp_path / "r.pdf")
    from pypdf import PdfReader

    assert len(PdfReader(pdf).pages) == 3  # cover, one page per h2, no blank page
    assert "执行摘要" in _compact(_pdftotext(pdf, first=2))
    assert "数据质量" in _compact(_pdftotext(pdf, first=3))


@pytest.mark.e2e
def test_e2e_failed_render_keeps_previous_pdf(report_html, pdf_renderer, tmp_path):
    target = tmp_path / "report.pdf"
    pdf_renderer.render(report_html, target)
    good = target.read_bytes()
    assert good.startswith(b"%PDF-")
    with pytest.raises(ReportError, match="HTML file .*missing.html does not exist"):
        pdf_renderer.render(tmp_path / "missing.html", target)
    # A real failure half-way: Chromium cannot load and print the page in 1 ms.
    with pytest.raises(ReportError, match="Chromium failed to print .*report.html.*Timeout"):
        pdf_renderer.render(report_html, target, timeout=0.001)
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


@pytest.mark.e2e
def test_e2e_renderer_restarts_a_dead_browser(report_html, pdf_renderer, tmp_path):
    pdf_renderer._call(pdf_renderer._browser.close(), 30)  # Chromium dies between two reports
    with pytest.warns(CsatWarning, match="Chromium had exited"):
        pdf = pdf_renderer.render(report_html, tmp_path / "after_crash.pdf")
    assert "执行摘要" in _compact(_pdftotext(pdf))
    assert pdf_renderer._browser.is_connected()


@pytest.mark.e2e
def test_e2e_renderer_prints_from_several_threads_at_once(report_html, pdf_renderer, tmp_path):
    """Worker threads share one browser; two files print at once in two tabs (contexts)."""
    from concurrent.futures import ThreadPoolExecutor

    targets = [tmp_path / f"t{i}.pdf" for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda t: pdf_renderer.render(report_html, t), targets))
    assert done == targets
    for t in targets:
        assert "执行摘要" in _compact(_pdftotext(t))
    assert 1 <= len(pdf_renderer._all_tabs) <= 2 and len(pdf_renderer._free_tabs) == len(pdf_renderer._all_tabs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [t.name for t in targets]


@pytest.mark.e2e
def test_e2e_chromium_keeps_playwrights_switches_and_starts_no_omnibox_webui(report_html, pdf_renderer, tmp_path):
    import psutil

    pdf_renderer.render(report_html, tmp_path / "r.pdf")
    procs = []
    for p in psutil.Process().children(recursive=True):
        try:
            procs.append(p.cmdline())
        except psutil.Error:
            continue
    browsers = [c for c in procs if "--remote-debugging-pipe" in c and not any(a.startswith("--type=") for a in c)]
    assert browsers, "no Chromium browser process found"
    lists = [a.split("=", 1)[1].split(",") for a in browsers[0] if a.startswith("--disable-features=")]
    # Playwright's own list comes first; Chromium reads only the last switch, ours
    assert len(lists) == 2
    assert set(lists[0]) <= set(lists[-1]), f"Playwright disables more now: {set(lists[0]) - set(lists[-1])}"
    assert {"WebUIOmniboxPopup", "WebUIOmniboxAimPopup"} <= set(lists[-1])
    renderers = [c for c in procs if "--type=renderer" in c]
    assert renderers and not [c for c in renderers if "--top-chrome-webui" in c]


@pytest.mark.e2e
def test_e2e_renderer_blocks_network_requests(pdf_renderer, tmp_path):
    page = tmp_path / "foreign.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>Foreign</title>'
                    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
                    '</head><body><h1>Hello</h1><img src="https://example.com/x.png"></body></html>',
                    encoding="utf-8")
    pdf = pdf_renderer.render(page, tmp_path / "foreign.pdf")
    assert "Hello" in _pdftotext(pdf)
    assert "https://fonts.googleapis.com/css?family=Roboto" in pdf_renderer.blocked_requests
    assert "https://example.com/x.png" in pdf_renderer.blocked_requests


@pytest.mark.e2e
def test_e2e_cli_engine(report_html, tmp_path):
    _require_chromium()
    with PdfRenderer(engine="cli") as renderer:
        assert renderer.engine == "cli"
        pdf = renderer.render(report_html, tmp_path / "cli.pdf")
    text = _pdftotext(pdf)
    assert "执行摘要" in _compact(text) and re.search(r"第\s*2\s*/\s*\d+\s*页", text)


@pytest.mark.e2e
def test_e2e_playwright_driver_keeps_compiled_javascript_in_the_cache(tmp_path, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NODE_COMPILE_CACHE", raising=False)
    page = tmp_path / "p.html"
    page.write_text('<!DOCTYPE html><html lang="en"><title>T</title><p>Hello</p></html>', encoding="utf-8")
    with PdfRenderer(engine="playwright") as renderer:
        renderer.render(page, tmp_path / "p.pdf")
    assert os.environ["NODE_COMPILE_CACHE"] == str(tmp_path / "cache" / "node-compile-cache")
    written = [p for p in (tmp_path / "cache" / "node-compile-cache").rglob("*") if p.is_file()]
    assert written, "the driver wrote no compile cache"
    monkeypatch.setenv("NODE_COMPILE_CACHE", str(tmp_path / "mine"))  # a value already set wins
    render._use_node_compile_cache()
    assert os.environ["NODE_COMPILE_CACHE"] == str(tmp_path / "mine")
