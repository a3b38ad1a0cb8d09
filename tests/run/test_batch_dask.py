"""`csat batch --scheduler`: reports handed to a Dask distributed cluster, failures isolated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from distributed import LocalCluster

from csat_research.demo.generator import write_demo_study
from csat_research.run.runner import run_batch

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_dask_scheduler_runs_reports_and_isolates_failures(tmp_path):
    data = tmp_path / "data"
    write_demo_study(data, seed=3, n=300, categories=("apparel",))
    doc = yaml.safe_load((ROOT / "params" / "apparel.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(data / "apparel" / f"{key}.csv")
    doc["output"] = {"dir": str(tmp_path / "reports"), "formats": ["html", "xlsx"]}
    doc["analysis"]["n_boot"] = 20
    good = tmp_path / "apparel.yaml"
    good.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(good.read_text(encoding="utf-8").replace("wave: 2026Q3", "wave: 2026 Q3!"), encoding="utf-8")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = run_batch([good, broken], scheduler=cluster.scheduler_address, progress=False)
    status = {o.name: o.ok for o in result.outcomes}
    assert status == {"apparel": True, "broken": False}
    assert "study.wave" in result.failed[0].error
    report = tmp_path / "reports" / "apparel" / "2026Q3"
    assert (report / "report.html").exists() and (report / "summary.json").exists()
    assert not (report / "report.pdf").exists()  # not asked for in output.formats
    assert (tmp_path / "reports" / "index.html").exists()
    # the portfolio overview: the one report, without marks, and the params file that did not load named
    assert result.overview_paths == (tmp_path / "reports" / "overview" / "overview.html",)
    rows = json.loads((tmp_path / "reports" / "overview" / "overview.json").read_text(encoding="utf-8"))
    assert [(r["category"], set(r["marks"].values())) for r in rows] == [("apparel", {None})]
    assert "broken" in result.overview_paths[0].read_text(encoding="utf-8")
