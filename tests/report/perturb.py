"""Perturbed demo studies for the "validate passes => report succeeds" tests.

A small demo study (``write_demo_study(n=300)``, beauty) is written once; :func:`write_study`
writes a copy with the perturbations of one :class:`Perturbation` (rare segment levels, constant
columns, missing optional columns, heavy exclusions, odd ticket logs) and a params file for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
#: columns a real export may lack without the import refusing it (the codebook's own columns are all
#: required: dropping one is a refused import, which the property test also meets)
OPTIONAL = ("order_id", "duration_sec", "submitted_at", "customer_id", "category")


@dataclass(frozen=True)
class Perturbation:
    n: int = 300                          # the first n respondents of the demo study
    rare: tuple[str, str, int] | None = None  # (segment, level, k): only k respondents keep the level
    rare_constant: bool = False           # ... and all k answer overall_sat 4
    constant_item: tuple[str, int] | None = None  # (item, code) for every respondent
    constant_repurchase: int | None = None
    constant_intent: int | None = None
    constant_overall: int | None = None   # every respondent's overall_sat
    drop: tuple[str, ...] = ()            # optional columns removed from the export
    trap_share: float = 0.0               # share of respondents failing the attention trap
    no_open_answers: bool = False
    tickets: str = "normal"               # normal / none / empty / unmatched / few
    language: str = "zh"
    n_boot: int = 0
    extra: dict = field(default_factory=dict)  # params overrides, section -> mapping


def perturbed_frame(base: pd.DataFrame, p: Perturbation) -> pd.DataFrame:
    r = base.iloc[: p.n].copy()
    if p.rare is not None:
        seg, level, k = p.rare
        if seg in r.columns:
            ix = r.index[r[seg] == level]
            others = [lv for lv in r[seg].unique() if lv != level]
            if others:
                r.loc[ix[k:], seg] = others[0]
            if p.rare_constant:
                r.loc[ix[:k], "overall_sat"] = "4"
    if p.constant_item is not None:
        item, code = p.constant_item
        r[item] = str(code)
    if p.constant_repurchase is not None:
        r["repurchase"] = str(p.constant_repurchase)
    if p.constant_intent is not None:
        r["repurchase_intent"] = str(p.constant_intent)
    if p.constant_overall is not None:
        r["overall_sat"] = str(p.constant_overall)
    if p.trap_share:
        k = int(round(p.trap_share * len(r)))
        r.loc[r.index[:k], "trap_attention"] = "5"
    if p.no_open_answers and "open_improve" in r.columns:
        r["open_improve"] = ""
    return r.drop(columns=[c for c in p.drop if c in r.columns])


def perturbed_tickets(tickets: pd.DataFrame, p: Perturbation) -> pd.DataFrame | None:
    if p.tickets == "none":
        return None
    if p.tickets == "empty":
        return tickets.iloc[:0]
    if p.tickets == "unmatched":
        return tickets.assign(customer_id="U" + tickets["customer_id"].str[1:].str[::-1] + "X")
    if p.tickets == "few":
        return tickets.iloc[:3]
    return tickets


def write_study(demo: Path, folder: Path, p: Perturbation) -> Path:
    """Write the perturbed study into ``folder``; return its params file."""
    folder.mkdir(parents=True, exist_ok=True)
    base = pd.read_csv(demo / "responses.csv", dtype=str, keep_default_na=False)
    perturbed_frame(base, p).to_csv(folder / "responses.csv", index=False)
    doc = yaml.safe_load((ROOT / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    doc["study"]["language"] = p.language
    doc["data"]["responses"]["path"] = str(folder / "responses.csv")
    tickets = perturbed_tickets(pd.read_csv(demo / "tickets.csv", dtype=str, keep_default_na=False), p)
    if tickets is None:
        del doc["data"]["tickets"]
    else:
        tickets.to_csv(folder / "tickets.csv", index=False)
        doc["data"]["tickets"]["path"] = str(folder / "tickets.csv")
    doc["analysis"]["n_boot"] = p.n_boot
    doc["output"]["dir"] = str(folder / "reports")
    for section, values in p.extra.items():
        doc[section].update(values)
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path
