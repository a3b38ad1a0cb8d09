"""The demo's tracking waves: planted moves between waves, files, population deltas (issue 15)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from csat_research.core.errors import ParamsError
from csat_research.core.schema import DIMENSIONS
from csat_research.demo.config import CATEGORY_PARAMS, DEMO_WAVES, WAVE_MOVES
from csat_research.demo.generator import generate_wave, write_demo_study
from csat_research.demo.waves import wave_change_table, wave_params


def test_the_latest_wave_keeps_the_category_parameters():
    for category, cp in CATEGORY_PARAMS.items():
        assert wave_params(category, DEMO_WAVES[-1]) == cp
        assert wave_params(category, "2025Q4") == cp  # a wave outside the tracking waves: as today


def test_an_earlier_wave_is_the_latest_minus_the_later_moves():
    latest = CATEGORY_PARAMS["apparel"]["latent_means"]
    q2 = wave_params("apparel", "2026Q2")["latent_means"]
    q1 = wave_params("apparel", "2026Q1")["latent_means"]
    assert q2["after_sales"] == pytest.approx(latest["after_sales"] - 0.45)
    assert q2["digital"] == pytest.approx(latest["digital"] + 0.55)
    assert q2["efficiency"] == latest["efficiency"]
    assert q1["efficiency"] == pytest.approx(latest["efficiency"] + 0.80)
    assert q1["after_sales"] == pytest.approx(q2["after_sales"])
    assert generate_wave("apparel", n=120, seed=1, wave="2026Q1").truth["latent"]["category_means"] == q1
    assert not any(to_wave == DEMO_WAVES[-1] for _, to_wave in WAVE_MOVES["beauty"])  # no latest move


def test_unmoved_metrics_have_a_population_delta_of_exactly_zero():
    """Common random numbers: the waves of a sample differ only in the planted means."""
    table = pd.DataFrame(wave_change_table("beauty", n=5000))
    latest = table[table["to_wave"] == DEMO_WAVES[-1]]
    assert (latest["delta"] == 0).all()
    first = table[table["to_wave"] == DEMO_WAVES[1]].set_index("metric")
    assert first.loc["quality", "delta"] < -0.4
    assert (first.loc[[d for d in DIMENSIONS if d != "quality"], "delta"] == 0).all()


def test_history_files_and_truth(tmp_path):
    paths = write_demo_study(tmp_path, n=120, seed=3, categories=["baby"], history=True)["baby"]
    for wave in DEMO_WAVES[:-1]:
        for kind in ("responses", "tickets"):
            path = paths[f"history_{wave}_{kind}"]
            assert path == tmp_path / "baby" / "history" / wave / f"{kind}.csv" and path.is_file()
    earlier = pd.read_csv(paths[f"history_{DEMO_WAVES[0]}_responses"], parse_dates=["submitted_at"])
    assert earlier["submitted_at"].between("2026-01-01", "2026-04-01").all()
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    assert truth["wave"] == DEMO_WAVES[-1] and truth["waves"]["labels"] == list(DEMO_WAVES)
    changes = truth["wave_changes"]
    assert {tuple(sorted(c)) for c in changes} == {("category", "delta", "from_wave", "metric", "to_wave")}
    assert {(c["metric"], c["to_wave"]) for c in changes} == {
        (m, "2026Q3") for m in ("efficiency", "overall_index", "csat_top2box", "nps")}


def test_history_needs_the_latest_wave(tmp_path):
    with pytest.raises(ParamsError, match=r"wave must be '2026Q3', the latest of the demo's waves .*; got '2026Q2'"):
        write_demo_study(tmp_path, n=120, categories=["baby"], wave="2026Q2", history=True)
    with pytest.raises(TypeError, match="history must be a bool"):
        write_demo_study(tmp_path, n=120, categories=["baby"], history="yes")
