"""The demo's truth.json: canonical JSON that round-trips to the planted truth of a wave."""

from __future__ import annotations

import json

import pandas as pd

from csat_research.demo.generator import generate_wave
from csat_research.demo.truth import jsonable
from tests.demo.demo_helpers import SEED, N, read_study


def test_written_files_round_trip_to_the_frames(study):
    wave = generate_wave("baby", n=N, seed=SEED)
    responses, tickets, truth, themes = read_study(study, "baby")
    pd.testing.assert_frame_equal(responses, wave.responses, check_dtype=False)
    pd.testing.assert_frame_equal(tickets, wave.tickets, check_dtype=False)
    assert json.loads(json.dumps(jsonable(wave.truth))) == truth
    assert themes["themes"].tolist() == wave.themes["themes"].tolist()


def test_truth_json_is_canonical(study):
    text = (study / "beauty" / "truth.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    assert doc["category"] == "beauty" and doc["seed"] == SEED and doc["n"] == N
