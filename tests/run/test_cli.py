"""The `csat` command line: help, demo data, and clear errors with exit status 2."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from csat_research.run.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("validate", "demo-data", "report", "batch"):
        assert command in out
    assert "csat report PARAMS.yaml" in out and "``" not in out  # no reStructuredText markup in help


def test_demo_data_is_reproducible(tmp_path, capsys):
    digests = []
    for run in ("a", "b"):
        assert main(["demo-data", "--out", str(tmp_path / run), "--seed", "5", "--n", "150",
                     "--categories", "baby"]) == 0
        digests.append(hashlib.sha256((tmp_path / run / "baby" / "responses.csv").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert "baby: responses.csv, tickets.csv, truth.json" in capsys.readouterr().out


def test_unknown_category_is_refused(tmp_path, capsys):
    assert main(["demo-data", "--out", str(tmp_path), "--categories", "toys"]) == 2
    assert "toys" in capsys.readouterr().err


def test_missing_notebook_and_params_are_named(tmp_path, capsys):
    assert main(["report", str(ROOT / "params" / "beauty.yaml"), "--notebook", str(tmp_path / "none.ipynb")]) == 2
    assert "report notebook not found" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: params file not found" in capsys.readouterr().err


def test_batch_of_an_empty_folder(tmp_path, capsys):
    assert main(["batch", str(tmp_path), "--no-progress"]) == 2
    assert "no params files" in capsys.readouterr().err


def test_console_script_passes_the_exit_status(tmp_path):
    """The installed `csat` script (cli.run) exits with main's status and prints its output."""
    import shutil
    import subprocess
    import sys

    script = Path(sys.executable).with_name("csat")
    if not script.exists():
        script = shutil.which("csat")
    assert script, "the csat console script is not installed (pip install -e .)"
    ok = subprocess.run([str(script), "demo-data", "--out", str(tmp_path / "demo"), "--n", "150", "--categories",
                         "baby"], capture_output=True, text=True, check=False)
    missing = subprocess.run([str(script), "validate", str(tmp_path / "none.yaml")], capture_output=True,
                             text=True, check=False)
    assert (ok.returncode, missing.returncode) == (0, 2), (ok.stderr, missing.stderr)
    assert "none.yaml" in missing.stderr
    assert "baby: responses.csv" in ok.stdout and (tmp_path / "demo" / "baby" / "responses.csv").is_file()




def test_store_list_and_drop(tmp_path, capsys, monkeypatch):
    from csat_research.io.store import store_wave
    from tests.io.test_store import _record

    store = tmp_path / "csat-store.duckdb"
    monkeypatch.delenv("CSAT_STORE", raising=False)
    assert main(["store", "list", "--store", str(store)]) == 0
    assert capsys.readouterr().out == f"no study store at {store} (a report run creates it)\n"
    store_wave(store, _record("2026Q1", index=3.456))
    store_wave(store, _record("2026Q2", category="baby", brand="宝贝", data_hash="c0ffee" * 10 + "abcd"))
    monkeypatch.setenv("CSAT_STORE", str(store))  # the default store when --store is not given
    assert main(["store", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{store}: 2 waves"
    assert lines[1].split() == ["brand", "category", "wave", "n", "overall", "index", "stored", "at", "(UTC)",
                                "data", "hash"]
    assert lines[2].split()[:5] == ["Acme", "beauty", "2026Q1", "27", "3.46"] and lines[2].endswith("aaaaaaaaaaaa")
    assert lines[3].split()[:3] == ["宝贝", "baby", "2026Q2"] and lines[3].endswith("c0ffeec0ffee")

    def columns(text: str) -> int:  # terminal columns: a Chinese character takes two
        import unicodedata

        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    # aligned in a terminal, Chinese brand names included
    assert columns(lines[2][:lines[2].index("beauty")]) == columns(lines[3][:lines[3].index("baby")])
    assert main(["store", "drop", "baby", "2026Q2", "--store", str(store)]) == 0
    assert capsys.readouterr().out == f"removed 宝贝 / baby / 2026Q2 (n=27) from {store}\n"
    assert main(["store", "drop", "baby", "2026Q2", "--store", str(store)]) == 1
    assert "no stored wave 2026Q2 of a brand or category 'baby'; nothing removed" in capsys.readouterr().out


def test_store_list_names_a_corrupt_store(tmp_path, capsys):
    store = tmp_path / "csat-store.duckdb"
    store.write_bytes(b"garbage" * 100)
    assert main(["store", "list", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"csat store: error: the study store {store} is not a readable DuckDB database")
    assert "moves it aside to csat-store.duckdb.corrupt-<timestamp>" in err and "Traceback" not in err
    assert store.read_bytes() == b"garbage" * 100  # reading never moves or changes it
