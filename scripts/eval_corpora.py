"""Rebuild the machine-local evaluation folder of issue 14 (``CSAT_EVAL_DIR``) from SophonPlus.

The SophonPlus/ChineseNlpCorpus review corpora (https://github.com/SophonPlus/ChineseNlpCorpus)
carry no clear licence, so they are never committed: each machine rebuilds them with this script.

* ``reviews_shopping.csv.gz``: ``datasets/online_shopping_10_cats/online_shopping_10_cats.zip``
  (62,774 reviews, 10 categories), columns ``id, label, text, category`` with ids ``s00000`` ...
  in the file's row order;
* ``reviews_waimai.csv.gz``: ``datasets/waimai_10k/waimai_10k.csv`` (11,987 food-delivery
  reviews), columns ``id, label, text`` with ids ``w00000`` ...

Rows without text are dropped (after the ids are given, so ids stay the file's row numbers);
a leading byte-order mark inside a review is stripped. ``label`` is 1 positive, 0 negative.

Usage, from a clone of the corpus repository (or a bare git dir, read with ``git show``)::

    python scripts/eval_corpora.py --sophonplus PATH [--out /work/data_eval]

PATH is a work tree of ChineseNlpCorpus or its ``.git`` directory.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

SHOPPING = "datasets/online_shopping_10_cats/online_shopping_10_cats.zip"
WAIMAI = "datasets/waimai_10k/waimai_10k.csv"


def _read(source: Path, path: str) -> bytes:
    """Bytes of ``path`` in a work tree, or at HEAD of a git directory."""
    if (source / path).exists():
        return (source / path).read_bytes()
    if (source / "HEAD").exists():
        return subprocess.run(["git", "--git-dir", str(source), "show", f"HEAD:{path}"],
                              check=True, capture_output=True).stdout
    raise FileNotFoundError(f"{source}: neither a work tree holding {path} nor a git directory")


def _frame(raw: pd.DataFrame, prefix: str, columns: list[str]) -> pd.DataFrame:
    df = raw.rename(columns={"review": "text", "cat": "category"})
    df.insert(0, "id", [f"{prefix}{i:05d}" for i in range(len(df))])
    df["text"] = df["text"].astype("string").str.replace("\ufeff", "", regex=False).str.strip()
    return df.loc[df["text"].notna() & (df["text"] != ""), columns].reset_index(drop=True)


def build(source: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(_read(source, SHOPPING))) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".csv")]
        shopping = pd.read_csv(z.open(name), encoding="utf-8")
    waimai = pd.read_csv(io.BytesIO(_read(source, WAIMAI)), encoding="utf-8")
    frames = {
        "reviews_shopping.csv.gz": _frame(shopping, "s", ["id", "label", "text", "category"]),
        "reviews_waimai.csv.gz": _frame(waimai, "w", ["id", "label", "text"]),
    }
    for fname, df in frames.items():
        df.to_csv(out / fname, index=False, encoding="utf-8")
    return {k: len(v) for k, v in frames.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sophonplus", required=True, type=Path, help="ChineseNlpCorpus work tree or .git dir")
    ap.add_argument("--out", type=Path, default=Path("/work/data_eval"))
    args = ap.parse_args(argv)
    for fname, n in build(args.sophonplus, args.out).items():
        print(f"{args.out / fname}: {n:,} reviews")
    return 0


if __name__ == "__main__":
    sys.exit(main())
