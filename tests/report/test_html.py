"""Tests of csat_research.report.html: executed notebook -> self-contained HTML client report.

Fast tests build notebooks with hand-made outputs; the e2e test renders a notebook executed by
a real kernel (fixture ``executed_nb`` in ``conftest.py``).
"""

from __future__ import annotations

import base64
import re

import nbformat
import pandas as pd
import pytest

from csat_research.core.errors import ReportError
from csat_research.report import html as html_export
from csat_research.report.html import notebook_to_html, page_css
from tests.report.notebook_helpers import code as _code
from tests.report.notebook_helpers import display as _display
from tests.report.notebook_helpers import nb as _nb
from tests.report.notebook_helpers import stream as _stream

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




def _body(html: str) -> str:
    """The report body without the inline stylesheet."""
    return re.sub(r"<style.*?</style>", "", html, flags=re.DOTALL)


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
    monkeypatch.setattr(html_export, "TEMPLATE_DIR", tmp_path)
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
    assert re.search(r"h2\s*\{[^}]*break-before:\s*auto", css)  # sections flow on (no half-empty pages)
    assert re.search(r"jp-OutputArea-child:has\(h2, h3\)\s*\{[^}]*break-after:\s*avoid", css)
    assert re.search(r"nth-child\(even\)", css)  # zebra rows
    assert re.search(r"img\s*\{[^}]*max-width:\s*100%", css)
    assert "url(" not in css and "@import" not in css


# --------------------------------------------------------------------------- page CSS
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


# =========================================================================== e2e
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
