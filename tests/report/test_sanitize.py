"""Tests of csat_research.report.sanitize: allow-listed markup kept, the rest shown as text."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import ReportError
from csat_research.report.html import notebook_to_html
from csat_research.report.sanitize import sanitize_html

v4 = nbformat.v4
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# A 1x1 white PNG.
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


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
    cell = v4.new_code_cell("x = 1")
    cell.outputs = [v4.new_output("display_data", data={"text/html": "</div></div></main></body><p>尾部</p>"})]
    nb = v4.new_notebook(cells=[cell])
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
