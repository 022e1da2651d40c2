"""The issue's yardstick on the same splits as bench/filing.py: TF-IDF + logistic regression.

    .venv/bin/pip install -e '.[bench]'    # scikit-learn: for this comparison only
    python bench/baseline.py ../shared/data/airline_dev.csv

For each seeded shuffle of bench/filing.py's warm runs (the same seeds and the same split), a
TF-IDF (words and word pairs, sublinear) + logistic regression is trained on the first
``--learn`` rows (their touchpoint, where they have one, and their kind) and measured on the
rest: touchpoint accuracy, the largest coverage a bar on its probability could file at 95%
precision (bench/filing.py's "ideal"), and kind accuracy, on the rows the crowd agreed on and
on all rows. It is the filer's baseline, measured as the filer is; nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from filing import Row, coverage_at, read_rows  # noqa: E402

SEEDS = (20260101, 7, 3, 11, 42)  # bench/filing.py's default seed, then its --seeds 7,3,11,42


def measure(rows: Sequence[Row], seed: int, learn: int, c: float) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)  # as bench/filing.py's warm_run
    train = [rows[i] for i in order[:learn]]
    test = [rows[i] for i in order[learn:]]
    figures: dict[str, float] = {}

    labelled = [r for r in train if r.touchpoints]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(words.fit_transform([r.text for r in labelled]), [r.first_touchpoint for r in labelled])
    for agreed in (True, False):
        measured = [r for r in test if r.touchpoints and (r.touchpoint_agreed or not agreed)]
        probs = model.predict_proba(words.transform([r.text for r in measured]))
        right = [model.classes_[p.argmax()] in r.touchpoints for p, r in zip(probs, measured, strict=True)]
        key = "agreed" if agreed else "all"
        figures[f"tp {key}"] = sum(right) / len(right)
        ranked = [(float(p.max()), ok) for p, ok in zip(probs, right, strict=True)]
        figures[f"cov {key}"] = coverage_at(ranked, 0.95)

    kinds = [r for r in train if r.kind is not None]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(words.fit_transform([r.text for r in kinds]), [r.kind.value for r in kinds if r.kind])
    for agreed in (True, False):
        measured = [r for r in test if r.kind is not None and (r.kind_agreed or not agreed)]
        guessed = model.predict(words.transform([r.text for r in measured]))
        right = [g == r.kind.value for g, r in zip(guessed, measured, strict=True) if r.kind]
        figures[f"kind {'agreed' if agreed else 'all'}"] = sum(right) / len(right)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--learn", type=int, default=500, help="rows to learn from (as bench/filing.py)")
    parser.add_argument("--C", type=float, default=100.0, dest="c",
                        help="inverse regularisation (of 1, 10 and 100, 100 did best on both dev sets)")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"SKIP: {args.csv} is absent (the labelled data is not shipped with the project).")
        return 0
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("SKIP: scikit-learn is not installed: .venv/bin/pip install -e '.[bench]'")
        return 0
    rows = read_rows(args.csv)
    runs = [measure(rows, seed, args.learn, args.c) for seed in SEEDS]
    print(f"{args.csv.name}: TF-IDF + logistic regression (C={args.c:g}) learned from {args.learn} rows, "
          f"measured on the rest; mean of seeds {', '.join(map(str, SEEDS))}")
    for key in ("agreed", "all"):
        mean = {name: sum(run[f"{name} {key}"] for run in runs) / len(runs) for name in ("tp", "cov", "kind")}
        print(f"  {key:<7} touchpoint {mean['tp']:.1%}  best coverage at 95% precision {mean['cov']:.1%}  "
              f"kind {mean['kind']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
