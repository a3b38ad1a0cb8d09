"""Tests of csat_research.run.runner: ``reports/index.html``, the list of all reports."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from csat_research.run.runner import write_index_page


def _summary(root, slug, wave, **fields):
    folder = root / slug / wave
    folder.mkdir(parents=True)
    doc = {"brand": "示例旗舰店", "category": slug, "wave": wave, "n_responses": 1000, "n_analysed": 876,
           "overall_index": 3.8123, "csat_top2box": 0.6234, "nps": 12.345} | fields
    (folder / "summary.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-")
    return folder


def _rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL) for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]


def test_index_shows_responses_analysed_and_nps_with_its_sign(tmp_path):
    _summary(tmp_path, "baby", "2026Q3", nps=12.345)
    _summary(tmp_path, "beauty", "2026Q3", nps=-4.0, n_analysed=1234, n_responses=1500)
    _summary(tmp_path, "food", "2026Q3", nps=None, n_analysed=None, overall_index="n/a")
    page = write_index_page(tmp_path).read_text(encoding="utf-8")
    baby, beauty, food = _rows(page)
    assert baby[:7] == ["示例旗舰店", "baby", "2026Q3", "876", "3.81", "62.3%", "+12.3"]
    assert beauty[3] == "1234" and beauty[6] == "-4.0"  # analysed, not the 1500 received
    assert food[3] == food[4] == food[6] == "-"
    assert '<a href="baby/2026Q3/report.pdf">PDF</a>' in page and "report.html" not in page


def test_index_escapes_the_data(tmp_path):
    _summary(tmp_path, "baby", "2026Q3", brand="<script>alert(1)</script> & Co")
    page = write_index_page(tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "font-family:'Noto Sans CJK SC'" in page  # the stylesheet itself is not escaped


def test_index_is_readable_by_others_whatever_the_umask_or_an_older_file(tmp_path):
    _summary(tmp_path, "baby", "2026Q3")
    old = tmp_path / "index.html"
    old.write_text("old", encoding="utf-8")
    old.chmod(0o600)  # as written by earlier versions (mkstemp)
    previous = os.umask(0o077)
    try:
        target = write_index_page(tmp_path)
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.unlink()
        assert stat.S_IMODE(write_index_page(tmp_path).stat().st_mode) == 0o644
    finally:
        os.umask(previous)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baby", "index.html"]  # no temporary file left


def test_batch_refuses_two_studies_writing_one_folder(tmp_path):
    from csat_research.core.errors import CsatError
    from csat_research.run.runner import run_batch

    doc = {"study": {"brand": "Demo", "category": "beauty", "wave": "2026Q3"},
           "data": {"responses": {"path": "responses.csv"}}}
    folder = tmp_path / "params"
    folder.mkdir()
    (folder / "responses.csv").write_text("respondent_id\nR1\n", encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(CsatError, match=r"a\.yaml and .*b\.yaml both write their report to .*beauty/2026Q3"):
        run_batch([folder], progress=False)


def test_a_report_is_published_as_one_set(tmp_path):
    """The new files replace the old set in one exchange: nothing of the old report's outputs stays
    beside the new ones, a file the user put there stays, failed/ goes, no hidden folder is left."""
    from csat_research.run.runner import _publish

    report = tmp_path / "beauty" / "2026Q3"
    report.mkdir(parents=True)
    for name in ("report.ipynb", "report.pdf", "tables.xlsx"):
        (report / name).write_text("old", encoding="utf-8")
    (report / "failed").mkdir()
    (report / "failed" / "error.txt").write_text("old error", encoding="utf-8")
    (report / "client-notes.md").write_text("mine", encoding="utf-8")
    work = tmp_path / "beauty" / f".2026Q3-{os.getpid()}-abc123"
    work.mkdir(mode=0o700)
    for name in ("report.ipynb", "summary.json", "report.html", ".csat-kernel-step.ipynb"):
        (work / name).write_text("new", encoding="utf-8")
    files = _publish(work, report, ["report.ipynb", "summary.json"])
    assert sorted(p.name for p in report.iterdir()) == ["client-notes.md", "report.ipynb", "summary.json"]
    assert [p.read_text(encoding="utf-8") for p in files] == ["new", "new"]
    assert (report / "client-notes.md").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in report.parent.iterdir()) == ["2026Q3"]  # no working or aside folder left
    assert stat.S_IMODE(report.stat().st_mode) & 0o055 == 0o055  # readable by others, like any folder


def test_hidden_folders_of_killed_runs_are_cleaned_up(tmp_path):
    import subprocess
    import sys

    from csat_research.run.runner import remove_stale_workdirs

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    stale = tmp_path / f".2026Q3-{dead_pid}-k1ll3d00"
    aside = tmp_path / f".2026Q3-old-{dead_pid}-x9y8z7w6"
    ours = tmp_path / f".2026Q3-{os.getpid()}-running"
    other = tmp_path / ".git"
    for folder in (stale, aside, ours, other):
        folder.mkdir()
    assert sorted(remove_stale_workdirs(tmp_path)) == sorted([stale, aside])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ours.name, other.name])


@pytest.mark.e2e
@pytest.mark.slow
def test_a_failing_pdf_renderer_leaves_its_error_in_failed(tmp_path, monkeypatch):
    """The PDF renderer fails (here: the browser named by CSAT_CHROMIUM exits at once): the error and
    the executed notebook go to <report>/failed/, like a failing notebook's; nothing is published."""
    from csat_research.core.errors import CsatError
    from csat_research.demo.generator import write_demo_study
    from csat_research.run.runner import run_report

    root = Path(__file__).resolve().parents[2]
    write_demo_study(tmp_path / "data", seed=3, n=300, categories=("apparel",))
    doc = yaml.safe_load((root / "params" / "apparel.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(tmp_path / "data" / "apparel" / f"{key}.csv")
    doc["output"] = {"dir": str(tmp_path / "reports"), "formats": ["html", "pdf"]}
    doc["analysis"]["n_boot"] = 20
    doc.pop("history", None)  # one wave: the earlier waves are not written here
    params = tmp_path / "apparel.yaml"
    params.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CSAT_CHROMIUM", "false")  # /bin/false: a real program that fails
    with pytest.raises(CsatError):
        run_report(params, write_index=False)
    failed = tmp_path / "reports" / "apparel" / "2026Q3" / "failed"
    assert (failed / "error.txt").exists() and (failed / "report.ipynb").exists()
    assert not (failed.parent / "report.html").exists()
    assert [p.name for p in failed.parent.parent.iterdir()] == ["2026Q3"]  # no working folder left
