"""The study store: idempotent writes, refresh on changed data, parallel writers, corrupt files."""

from __future__ import annotations

import multiprocessing
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, StoreError
from csat_research.io.store import (
    SCHEMA_VERSION,
    WaveRecord,
    drop_wave,
    file_sha256,
    list_waves,
    load_history,
    load_wave_data,
    store_path,
    store_wave,
)


def _responses(n: int = 30, seed: int = 0) -> pd.DataFrame:
    """Respondent rows as a report hands them over: respondent variables, a flag, two
    dimensions, an item, an outcome and a segment (10 variables)."""
    rng = np.random.default_rng(seed)
    excluded = (np.arange(n) % 10 == 9).astype(float)
    dims = rng.uniform(1, 5, (n, 2))
    dims[excluded == 1] = np.nan
    columns = {
        ("respondent", "excluded"): excluded,
        ("respondent", "reasons"): np.where(excluded == 1, "trap", "").astype(object),
        ("respondent", "weight"): np.where(excluded == 1, np.nan, rng.uniform(0.5, 2, n)),
        ("respondent", "overall_index"): dims.mean(axis=1),
        ("flag", "trap"): excluded,
        ("dimension", "efficiency"): dims[:, 0],
        ("dimension", "quality"): dims[:, 1],
        ("item", "eff_first_reply"): rng.integers(1, 6, n).astype(float),
        ("outcome", "nps"): rng.integers(0, 11, n).astype(float),
        ("segment", "customer_type"): np.array(["new", "returning"] * n, dtype=object)[:n],
    }
    frame = pd.DataFrame(columns)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["role", "variable"])
    frame.index = pd.MultiIndex.from_arrays([np.arange(n), [f"R{i:04d}" for i in range(n)]],
                                            names=["row_number", "respondent_id"])
    return frame


def _record(wave: str = "2026Q1", *, category: str = "beauty", brand: str = "Acme", data_hash: str = "a" * 64,
            index: float = 3.5, seed: int = 0, n: int = 30) -> WaveRecord:
    summary = {"brand": brand, "category": category, "wave": wave, "n_responses": n, "n_analysed": n - n // 10,
               "n_excluded": n // 10, "overall_index": index, "csat_top2box": 0.61, "nps": 12.5,
               "dimensions": {"efficiency": 3.4, "quality": 3.6}, "notes": ["数据 <b>不是</b> markup"]}
    return WaveRecord(brand=brand, category=category, wave=wave, summary=summary, responses=_responses(n, seed),
                      data_files=((f"/data/{category}/{wave}/responses.csv", data_hash),),
                      params_path=f"/params/{category}.yaml", package_version="0.1.0")


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: the whole content of the store."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in sorted(tables)}
    finally:
        con.close()


def test_a_missing_store_is_created_and_read_back(tmp_path):
    path = tmp_path / "sub" / "csat-store.duckdb"
    assert list_waves(path).empty and load_history(path) == []
    result = store_wave(path, _record())
    assert (result.action, result.path, result.moved_aside) == ("added", path, None)
    tables = _dump(path)
    assert set(tables) == {"store_meta", "waves", "variables", "respondents", "responses", "levels"}
    assert len(tables["respondents"]) == 30
    assert (len(tables["responses"]), len(tables["levels"])) == (30 * 8, 30 * 2)  # numbers / text
    assert len(tables["variables"]) == 10
    assert ("schema_version", str(SCHEMA_VERSION)) in tables["store_meta"]
    [wave] = load_history(path, category="beauty")
    assert (wave.brand, wave.wave, wave.n_analysed, wave.overall_index, wave.nps) == ("Acme", "2026Q1", 27, 3.5, 12.5)
    assert wave.summary["notes"] == ["数据 <b>不是</b> markup"]  # JSON text, kept as data
    assert wave.data_hash == "a" * 64 and wave.data_files[0][1] == "a" * 64
    assert wave.package_version == "0.1.0" and wave.params_path == "/params/beauty.yaml"


def test_wave_data_comes_back_as_stored(tmp_path):
    path = tmp_path / "s.duckdb"
    record = _record()
    store_wave(path, record)
    data = load_wave_data(path, category="beauty", wave="2026Q1")
    assert len(data) == 30 and list(data["row_number"]) == list(range(30))
    assert list(data.columns[:6]) == ["row_number", "respondent_id", "excluded", "reasons", "weight", "overall_index"]
    assert data["excluded"].dtype == bool and data["excluded"].sum() == 3
    np.testing.assert_array_equal(data["efficiency"].to_numpy(), record.responses[("dimension", "efficiency")])
    assert list(data["respondent_id"][:2]) == ["R0000", "R0001"] and list(data["reasons"][8:10]) == ["", "trap"]
    assert list(data["customer_type"][:2]) == ["new", "returning"]
    only = load_wave_data(path, category="beauty", wave="2026Q1", roles=["dimension"])
    assert set(only.columns) == {"row_number", "respondent_id", "excluded", "reasons", "weight", "overall_index",
                                 "efficiency", "quality"}
    with pytest.raises(StoreError, match="expected one stored wave 2026Q9.*found nothing"):
        load_wave_data(path, category="beauty", wave="2026Q9")
    with pytest.raises(ValueError, match="roles must be among"):
        load_wave_data(path, wave="2026Q1", roles=["dimensions"])


def test_storing_the_same_wave_twice_changes_nothing(tmp_path):
    path = tmp_path / "s.duckdb"
    store_wave(path, _record("2026Q1"))
    store_wave(path, _record("2026Q2", index=3.7, seed=1))
    before = _dump(path)
    again = store_wave(path, _record("2026Q1"))
    assert again.action == "unchanged"
    assert _dump(path) == before  # every row of every table, the time stored included


def test_a_changed_input_file_refreshes_the_wave_and_nothing_else(tmp_path):
    path = tmp_path / "s.duckdb"
    store_wave(path, _record("2026Q1"))
    store_wave(path, _record("2026Q2", index=3.7, seed=1))
    other = {k: v for k, v in _dump(path).items()}
    result = store_wave(path, _record("2026Q1", data_hash="b" * 64, index=3.9, seed=5, n=20))
    assert result.action == "refreshed"
    history = load_history(path, category="beauty")
    assert [(w.wave, w.overall_index, w.data_hash[0]) for w in history] == [("2026Q1", 3.9, "b"), ("2026Q2", 3.7, "a")]
    assert len(load_wave_data(path, category="beauty", wave="2026Q1")) == 20
    after = _dump(path)
    [q2] = [r[0] for r in other["waves"] if r[3] == "2026Q2"]
    for table in ("waves", "variables", "respondents", "responses", "levels"):  # the other wave is untouched
        assert [r for r in after[table] if r[0] == q2] == [r for r in other[table] if r[0] == q2]
    assert {r[0] for r in after["waves"]} == {r[0] for r in other["waves"]}  # the refreshed wave keeps its id
    # same input, other results (e.g. other params): replaced
    assert store_wave(path, _record("2026Q1", data_hash="b" * 64, index=4.0, seed=5, n=20)).action == "replaced"


def test_history_is_oldest_first_and_filtered(tmp_path):
    path = tmp_path / "s.duckdb"
    for wave, category in (("2026Q3", "beauty"), ("2026Q1", "beauty"), ("2026Q2", "baby"), ("2026Q2", "beauty")):
        store_wave(path, _record(wave, category=category))
    assert [w.wave for w in load_history(path, category="beauty")] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [(w.category, w.wave) for w in load_history(path, brand="Acme")][:3] == [
        ("beauty", "2026Q1"), ("baby", "2026Q2"), ("beauty", "2026Q2")]
    assert load_history(path, brand="Other") == []
    with pytest.raises(TypeError, match="category must be a str"):
        load_history(path, category=3)


def test_drop_removes_one_wave_and_says_what(tmp_path):
    path = tmp_path / "s.duckdb"
    store_wave(path, _record("2026Q1"))
    store_wave(path, _record("2026Q2"))
    removed = drop_wave(path, "beauty", "2026Q1")
    assert list(removed["wave"]) == ["2026Q1"]
    assert list(list_waves(path)["wave"]) == ["2026Q2"]
    left = _dump(path)
    assert {r[3] for r in left["waves"]} == {"2026Q2"}
    assert {r[0] for t in ("variables", "respondents", "responses", "levels") for r in left[t]} == {left["waves"][0][0]}
    assert drop_wave(path, "beauty", "2026Q1").empty
    assert not drop_wave(path, "Acme", "2026Q2").empty  # by brand too


def _write_one(args: tuple[str, str]) -> str:
    path, wave = args
    return store_wave(path, _record(wave, index=float(wave[-1])), timeout=120).action


def test_parallel_writers_lose_no_wave(tmp_path):
    """Four processes at once, each storing two waves: every wave ends in the store."""
    path = str(tmp_path / "s.duckdb")
    waves = [f"2026Q{i}" for i in range(1, 9)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        actions = pool.map(_write_one, [(path, w) for w in waves], chunksize=1)
    assert actions == ["added"] * 8
    history = load_history(path, category="beauty")
    assert [(w.wave, w.overall_index) for w in history] == [(w, float(w[-1])) for w in waves]
    dump = _dump(Path(path))
    assert len(dump["responses"]) + len(dump["levels"]) == 8 * _responses().size


def test_a_corrupt_store_is_named_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "csat-store.duckdb"
    store_wave(path, _record("2026Q1"))
    path.write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreError, match=r"csat-store.duckdb is not a readable DuckDB database .*next report run "
                                         r"moves it aside to csat-store.duckdb.corrupt-<timestamp>"):
        list_waves(path)
    with pytest.warns(CsatWarning, match="moved aside to .*csat-store.duckdb.corrupt-"):
        result = store_wave(path, _record("2026Q2"))
    assert result.action == "added" and result.moved_aside.name.startswith("csat-store.duckdb.corrupt-")
    assert result.moved_aside.read_bytes().startswith(b"this is not a database")
    assert "moved aside to" in result.message
    assert [w.wave for w in load_history(path)] == ["2026Q2"]


def test_an_empty_file_counts_as_corrupt(tmp_path):
    path = tmp_path / "s.duckdb"
    path.write_bytes(b"")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert store_wave(path, _record()).moved_aside is not None
    assert any("not a readable DuckDB database" in str(w.message) for w in caught)


def test_another_duckdb_database_is_refused_not_moved(tmp_path):
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match=r"other.duckdb is a DuckDB database but not a csat study store \(tables \['sales'\]\)"):
        store_wave(path, _record())
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    import duckdb

    path = tmp_path / "s.duckdb"
    store_wave(path, _record())
    con = duckdb.connect(str(path))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema version 99; this csat-research reads up to 1"):
        list_waves(path)


def test_a_held_lock_times_out_with_the_lock_file_named(tmp_path):
    import fcntl
    import os

    path = tmp_path / "s.duckdb"
    fd = os.open(tmp_path / "s.duckdb.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"stayed locked for 0 s \(lock file .*s.duckdb.lock\)"):
            store_wave(path, _record(), timeout=0.2)
    finally:
        os.close(fd)
    assert store_wave(path, _record(), timeout=5).action == "added"


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="record must be a WaveRecord; got dict"):
        store_wave("x.duckdb", {})
    bad = _record()
    cols = bad.responses.columns
    bad.responses.columns = pd.MultiIndex.from_tuples([("dimensions" if r == "dimension" else r, v) for r, v in cols],
                                                      names=cols.names)
    with pytest.raises(ValueError, match=r"roles must be among .*got \['dimensions'\]"):
        store_wave("x.duckdb", bad)
    flat = _record()
    flat.responses.columns = flat.responses.columns.get_level_values(1)
    with pytest.raises(ValueError, match=r"\(role, variable\) columns .*got 1 column and 2 index level"):
        store_wave("x.duckdb", flat)


def test_store_path_env_params_default(tmp_path, monkeypatch):
    from types import SimpleNamespace

    params = SimpleNamespace(output=SimpleNamespace(dir=tmp_path / "reports", store=None))
    monkeypatch.delenv("CSAT_STORE", raising=False)
    assert store_path(params) == tmp_path / "reports" / "csat-store.duckdb"
    params.output.store = tmp_path / "mine.duckdb"
    assert store_path(params) == tmp_path / "mine.duckdb"
    monkeypatch.setenv("CSAT_STORE", str(tmp_path / "env.duckdb"))
    assert store_path(params) == tmp_path / "env.duckdb"


def test_file_sha256(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(b"abc")
    assert file_sha256(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example


@pytest.mark.parametrize("where", [4096, 12288])
def test_a_store_damaged_inside_is_named_on_read_and_rebuilt_on_write(tmp_path, where):
    path = tmp_path / "s.duckdb"
    store_wave(path, _record("2026Q1", n=3000))
    with open(path, "r+b") as fh:
        fh.seek(where)  # the header's and the first blocks' checksums no longer match
        fh.write(bytes(range(256)) * 16)
    with pytest.raises(StoreError, match="is not a readable DuckDB database"):
        load_wave_data(path, wave="2026Q1")
    with pytest.warns(CsatWarning, match="moved aside"):
        assert store_wave(path, _record("2026Q2")).moved_aside is not None
    assert [w.wave for w in load_history(path)] == ["2026Q2"]


def test_noise_in_the_last_bits_is_no_change_but_a_real_difference_is(tmp_path):
    """Iterative fits (the CFA) differ in their last bits between runs on the same data."""
    path = tmp_path / "s.duckdb"
    store_wave(path, _record())
    noisy = _record()
    noisy.summary["cfa"] = None
    store_wave(path, noisy)  # a real difference: replaced
    again = _record()
    again.summary["cfa"] = None
    again.summary["overall_index"] = 3.5 * (1 + 1e-14)
    again.responses[("dimension", "efficiency")] *= 1 + 1e-15
    before = _dump(path)
    assert store_wave(path, again).action == "unchanged" and _dump(path) == before
    again.summary["overall_index"] = 3.5001
    assert store_wave(path, again).action == "replaced"
    assert load_history(path)[0].overall_index == 3.5001


def test_history_data_reads_the_numeric_variables_of_every_wave(tmp_path):
    """load_history_data (one connection, the variables a report compares) returns what
    load_wave_data does, missing values included, oldest wave first; other categories apart."""
    from csat_research.io.store import load_history_data

    path = tmp_path / "store.duckdb"
    for i, wave in enumerate(("2026Q2", "2026Q1")):
        store_wave(path, _record(wave, seed=i))
    store_wave(path, _record("2026Q1", category="baby", seed=5))
    assert load_history_data(tmp_path / "none.duckdb", brand="Acme", category="beauty", variables=["nps"]) == []
    got = load_history_data(path, brand="Acme", category="beauty", variables=["quality", "nps", "absent"])
    assert [w.wave for w, _ in got] == ["2026Q1", "2026Q2"]
    for wave, frame in got:
        full = load_wave_data(path, wave=wave.wave, category="beauty")
        assert list(frame.columns) == ["row_number", "excluded", "weight", "quality", "nps"]
        assert frame["excluded"].dtype == bool and frame["quality"].isna().sum() == 3
        pd.testing.assert_frame_equal(frame, full[list(frame.columns)])
        assert wave.summary["dimensions"] == {"efficiency": 3.4, "quality": 3.6}


def test_a_wave_written_in_blocks_hashes_and_reads_back_as_one_block(tmp_path, monkeypatch):
    """Large waves are hashed and written BLOCK_ROWS respondents at a time: blocks of 7 rows (the
    last one short) give the same content hash and the same stored rows as one block of 30."""
    import csat_research.io.store as store

    whole = _record()
    one_hash = whole.content_hash()
    store_wave(tmp_path / "one.duckdb", whole)
    monkeypatch.setattr(store, "BLOCK_ROWS", 7)
    blocked = _record()
    assert blocked.content_hash() == one_hash
    assert [(b.start, b.stop) for b in blocked.blocks()] == [(0, 7), (7, 14), (14, 21), (21, 28), (28, 30)]
    store_wave(tmp_path / "blocks.duckdb", blocked)
    pd.testing.assert_frame_equal(load_wave_data(tmp_path / "blocks.duckdb", category="beauty", wave="2026Q1"),
                                  load_wave_data(tmp_path / "one.duckdb", category="beauty", wave="2026Q1"))
    assert store_wave(tmp_path / "blocks.duckdb", _record()).action == "unchanged"


def test_blocks_made_one_ahead_keep_their_order_and_errors():
    """The store builds the next block in a worker thread while DuckDB inserts one: the blocks
    arrive in order, each made once, and an error while making one reaches the writer."""
    from csat_research.io.store import _one_ahead

    made = []

    def blocks(n, fail_at=None):
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"block {i}")
            made.append(i)
            yield i

    assert list(_one_ahead(blocks(5))) == [0, 1, 2, 3, 4] == made
    got = []
    with pytest.raises(ValueError, match="block 3"):
        for b in _one_ahead(blocks(6, fail_at=3)):
            got.append(b)
    assert got == [0, 1, 2]
    assert list(_one_ahead(iter([]))) == []
