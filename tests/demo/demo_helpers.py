"""Constants and file reading shared by the demo tests (the ``study`` fixture is in conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

CATEGORIES = ("appliances", "apparel", "beauty", "baby")
N = 2000
SEED = 2026
FILES = ("responses.csv", "tickets.csv", "truth.json", "truth_themes.csv")


def read_study(study: Path, category: str
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """responses, tickets, truth and themes of one category of a written demo study."""
    folder = study / category
    responses = pd.read_csv(folder / "responses.csv", encoding="utf-8",
                            parse_dates=["submitted_at"])
    tickets = pd.read_csv(folder / "tickets.csv", encoding="utf-8", parse_dates=["created_at"])
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    themes = pd.read_csv(folder / "truth_themes.csv", encoding="utf-8", keep_default_na=False)
    return responses, tickets, truth, themes
