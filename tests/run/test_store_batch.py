"""A report run stores its wave: a parallel batch stores every wave, a re-run changes nothing, a
changed input file refreshes its wave, a corrupt store is moved aside and rebuilt (real notebooks)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csat_research.demo.generator import write_demo_study
from csat_research.io.store import file_sha256, list_waves, load_history, load_wave_data
from csat_research.run.runner import run_batch

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("appliances", "apparel", "beauty", "baby")


def _dump(path: Path) -> dict[str, list[tuple]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("store_meta", "waves", "variables", "respondents", "responses", "levels")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("store")
    write_demo_study(tmp / "data", seed=11, n=200, categories=CATEGORIES)
    for category in CATEGORIES:
        doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
        doc.pop("history", None)  # one wave only: the earlier waves are not written here
        for key in ("responses", "tickets"):
            doc["data"][key]["path"] = str(tmp / "data" / category / f"{key}.csv")
        doc["output"] = {"dir": str(tmp / "reports"), "formats": ["xlsx"]}
        doc["analysis"]["n_boot"] = 0
        (tmp / "params").mkdir(exist_ok=True)
        (tmp / "params" / f"{category}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return tmp


@pytest.fixture(scope="module")
def first_batch(study):
    result = run_batch([study / "params"], workers=2, progress=False)
    assert result.ok, [o.error for o in result.outcomes]
    return result


def test_a_parallel_batch_stores_every_wave(study, first_batch, monkeypatch):
    store = study / "reports" / "csat-store.duckdb"
    assert all(o.stored == f"wave added in the study store {store}" for o in first_batch.outcomes)
    listed = list_waves(store)
    assert sorted(listed["category"]) == sorted(CATEGORIES)
    for category in CATEGORIES:
        summary = json.loads((study / "reports" / category / "2026Q3" / "summary.json").read_text(encoding="utf-8"))
        [wave] = load_history(store, category=category)
        assert (wave.brand, wave.wave, wave.n_analysed) == (summary["brand"], "2026Q3", summary["n_analysed"])
        assert wave.overall_index == pytest.approx(summary["overall_index"], abs=0, rel=0)
        assert {k: wave.summary[k] for k in ("dimensions", "nps", "csat_top2box")} == {
            k: summary[k] for k in ("dimensions", "nps", "csat_top2box")}
        responses = study / "data" / category / "responses.csv"
        assert wave.data_files[0] == (str(responses), file_sha256(responses))
        assert wave.params_path == str(study / "params" / f"{category}.yaml")
        data = load_wave_data(store, category=category, wave="2026Q3")
        assert len(data) == summary["n_screened"]
        assert int((~data["excluded"]).sum()) == summary["n_analysed"]
        kept = data[~data["excluded"]]
        for dim, mean in summary["dimensions"].items():  # unweighted studies: the plain mean of the kept rows
            if not kept["weight"].eq(1).all():
                continue
            assert kept[dim].mean() == pytest.approx(mean, rel=1e-9)
        raw = pd.read_csv(responses, dtype={"respondent_id": str})
        assert set(data["respondent_id"]) <= set(raw["respondent_id"])
        assert "open_improve" not in data and "customer_id" not in data  # personal data is not kept
    assert not list((study / "reports").rglob("wave_responses.*"))  # the hand-over file is not published


def test_rerunning_the_batch_leaves_the_store_identical(study, first_batch):
    store = study / "reports" / "csat-store.duckdb"
    before = _dump(store)
    again = run_batch([study / "params"], workers=2, progress=False)
    assert again.ok and {o.stored for o in again.outcomes} == {f"wave unchanged in the study store {store}"}
    assert _dump(store) == before


def test_a_changed_input_refreshes_its_wave_and_a_corrupt_store_is_rebuilt(study, first_batch):
    store = study / "reports" / "csat-store.duckdb"
    before = _dump(store)
    [old] = load_history(store, category="baby")
    before_hash = old.data_hash
    responses = study / "data" / "baby" / "responses.csv"
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    frame.loc[0, "overall_sat"] = "1" if frame.loc[0, "overall_sat"] != "1" else "2"
    frame.to_csv(responses, index=False)
    result = run_batch([study / "params" / "baby.yaml"], workers=1, progress=False)
    assert result.ok and result.outcomes[0].stored == f"wave refreshed in the study store {store}"
    after = _dump(store)
    [baby] = load_history(store, category="baby")
    assert baby.data_files[0][1] == file_sha256(responses) and baby.data_hash != before_hash
    [baby_id] = [r[0] for r in before["waves"] if r[2] == "baby"]
    for table in ("waves", "variables", "respondents", "responses", "levels"):  # the other waves are untouched
        assert [r for r in after[table] if r[0] != baby_id] == [r for r in before[table] if r[0] != baby_id]

    store.write_bytes(b"\x00garbage" * 1000)
    result = run_batch([study / "params" / "beauty.yaml"], workers=1, progress=False)
    assert result.ok, result.outcomes[0].error
    assert "wave added in the study store" in result.outcomes[0].stored
    assert "the corrupt store was moved aside to" in result.outcomes[0].stored
    assert [w.category for w in load_history(store)] == ["beauty"]
    [aside] = (study / "reports").glob("csat-store.duckdb.corrupt-*")
    assert aside.read_bytes().startswith(b"\x00garbage")
