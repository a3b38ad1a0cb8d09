"""Fixtures of the report tests: a small report notebook executed once by a real kernel, and its HTML."""

from __future__ import annotations

import nbformat
import pytest

from csat_research.core.files import atomic_write_text
from csat_research.report.html import notebook_to_html
from tests.report.demo_study import analysed_demo
from tests.report.tracking_study import tracked_demo

v4 = nbformat.v4

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


@pytest.fixture(scope="session")
def executed_nb(tmp_path_factory):
    """A small report notebook executed by a real kernel (the venv's python3)."""
    from nbclient import NotebookClient

    cells = [v4.new_code_cell("LANG = 'zh'", metadata={"tags": ["parameters"]})]
    for kind, source in REPORT_CELLS:
        cells.append(v4.new_markdown_cell(source) if kind == "markdown" else v4.new_code_cell(source))
    nb = v4.new_notebook(cells=cells)
    nb.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
    NotebookClient(nb, kernel_name="python3", timeout=300).execute(
        cwd=str(tmp_path_factory.mktemp("kernel")))
    path = tmp_path_factory.mktemp("nb") / "executed.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def report_html(executed_nb):
    html = notebook_to_html(executed_nb, title="家电品类客户服务满意度研究报告",
                            subtitle="2026 年第三季度", lang="zh",
                            meta={"品牌": "示例家电旗舰店", "波次": "2026Q3", "样本量": "n = 1,876"})
    path = atomic_write_text(executed_nb.with_name("report.html"), html)
    return path




@pytest.fixture(scope="session")
def res(tmp_path_factory):
    """The analysed results of a small beauty demo study (400 respondents)."""
    return analysed_demo(tmp_path_factory.mktemp("tables"), "beauty", seed=7)


@pytest.fixture(scope="session")
def tracked(tmp_path_factory):
    """A beauty demo study tracked over 2026Q1-Q3 (Chinese report), with ``changes``, ``previous_wave``,
    ``trend`` and ``trend_changes`` filled (tests/report/tracking_study.py)."""
    return tracked_demo(tmp_path_factory.mktemp("tracked_zh"), lang="zh")


@pytest.fixture(scope="session")
def tracked_en(tmp_path_factory):
    """The same tracked study as an English report."""
    return tracked_demo(tmp_path_factory.mktemp("tracked_en"), lang="en")
