"""The analysed results of a small demo study, shared by the report tests' fixtures."""

from __future__ import annotations

from pathlib import Path

import yaml

from csat_research.demo.generator import write_demo_study
from csat_research.report.analyse import ReportResults, analyse
from csat_research.report.study import load_study

ROOT = Path(__file__).resolve().parents[2]


def analysed_demo(tmp: Path, category: str, *, seed: int, n: int = 400) -> ReportResults:
    """Write a demo study of ``category`` into ``tmp``, point a copy of its shipped params at it
    (reports under ``tmp/reports``, 20 bootstrap draws) and analyse it."""
    write_demo_study(tmp / "data", seed=seed, n=n, categories=(category,))
    doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(tmp / "data" / category / f"{key}.csv")
    doc["output"]["dir"] = str(tmp / "reports")
    doc["analysis"]["n_boot"] = 20
    path = tmp / f"{category}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return analyse(load_study(path))
