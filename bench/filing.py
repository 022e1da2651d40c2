"""Measure the filer on labelled data: touchpoint and kind accuracy, auto-filing, speed, memory.

    python bench/filing.py ../shared/data/airline_dev.csv --template airline

Columns: id,text,kind,touchpoints,kind_confidence,touchpoint_confidence. ``touchpoints`` may
hold several slugs joined by "|" (a filing is right if it names any); empty means none.
"agreed" rows are those where the crowd's confidence for that label is >= 0.8 (or not given).
Cold: the template only, on all rows. Warm: learn() from the first N rows of a seeded shuffle
(as the reporter would confirm them: the filer's guess when it is one of the listed touchpoints),
measured on the rest (with cold on those same rows for comparison). ``--seeds 7,3,11,42`` adds
the warm figures of more shuffles and their mean: one shuffle's figures move by a point or more
with the split alone. The data is only measured
here; nothing from it is written anywhere.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import MomentKind, Touchpoint  # noqa: E402
from bot.filing import CALIBRATED_THRESHOLD, DEFAULT_THRESHOLD, KeywordFiler  # noqa: E402
from bot.journeys import load_template  # noqa: E402
from bot.lexicon import valences  # noqa: E402
from bot.ports import FilingGuess  # noqa: E402
from bot.textnorm import stem  # noqa: E402

AGREED = 0.8


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    kind: MomentKind | None
    touchpoints: frozenset[str]
    first_touchpoint: str | None
    kind_agreed: bool
    touchpoint_agreed: bool


def read_rows(path: Path) -> list[Row]:
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            slugs = [s for s in (rec.get("touchpoints") or "").split("|") if s]
            kind = rec.get("kind") or ""
            rows.append(
                Row(
                    id=rec["id"],
                    text=rec["text"],
                    kind=MomentKind(kind) if kind else None,
                    touchpoints=frozenset(slugs),
                    first_touchpoint=slugs[0] if slugs else None,
                    kind_agreed=_agreed(rec.get("kind_confidence")),
                    touchpoint_agreed=_agreed(rec.get("touchpoint_confidence")),
                )
            )
    return rows


def _agreed(value: str | None) -> bool:
    return not value or float(value) >= AGREED


def touchpoints_of(template: str) -> list[Touchpoint]:
    journey = load_template(template)
    return [
        Touchpoint(
            id=i + 1,
            team_id=0,
            slug=t.slug,
            name=t.name,
            description=t.description,
            keywords=t.keywords,
            emoji=t.emoji,
            position=i,
        )
        for i, t in enumerate(journey.touchpoints)
    ]


def score(
    rows: Sequence[Row], guesses: Sequence[FilingGuess], threshold: float, agreed_only: bool
) -> dict[str, float]:
    n_tp = right = auto = auto_right = explicit = explicit_right = 0
    tp_counts: Counter[tuple[str, str]] = Counter()
    n_kind = kind_right = kind_given = 0
    ranked_by_confidence: list[tuple[float, bool]] = []
    for row, guess in zip(rows, guesses, strict=True):
        if row.touchpoints and (row.touchpoint_agreed or not agreed_only):
            n_tp += 1
            ok = guess.best in row.touchpoints
            right += ok
            ranked_by_confidence.append((2.0 if guess.explicit else guess.confidence, ok))
            explicit += guess.explicit
            explicit_right += guess.explicit and ok
            if guess.best is not None and (guess.explicit or guess.confidence >= threshold):
                auto += 1
                auto_right += ok
            if ok and guess.best is not None:
                tp_counts["tp", guess.best] += 1
            else:
                if guess.best is not None:
                    tp_counts["fp", guess.best] += 1
                tp_counts["fn", row.first_touchpoint or ""] += 1
        if row.kind is not None and (row.kind_agreed or not agreed_only):
            n_kind += 1
            kind_given += guess.kind is not None
            kind_right += guess.kind == row.kind
    classes = {c for _, c in tp_counts}
    f1s = []
    for c in classes:
        tp, fp, fn = tp_counts["tp", c], tp_counts["fp", c], tp_counts["fn", c]
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {
        "cov95": coverage_at(ranked_by_confidence, 0.95),
        "n_tp": n_tp,
        "tp_acc": right / n_tp if n_tp else 0.0,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "explicit": explicit / n_tp if n_tp else 0.0,
        "explicit_prec": explicit_right / explicit if explicit else 0.0,
        "auto_prec": auto_right / auto if auto else 0.0,
        "auto_cov": auto / n_tp if n_tp else 0.0,
        "n_kind": n_kind,
        "kind_acc": kind_right / n_kind if n_kind else 0.0,
        "kind_cov": kind_given / n_kind if n_kind else 0.0,
    }


def coverage_at(ranked: list[tuple[float, bool]], precision: float) -> float:
    """The largest share of rows a threshold could file without asking at this precision."""
    ranked = sorted(ranked, key=lambda pair: -pair[0])
    best = right = 0
    for n, (_, ok) in enumerate(ranked, 1):
        right += ok
        if right >= precision * n:
            best = n
    return best / len(ranked) if ranked else 0.0


def confusion(rows: Sequence[Row], guesses: Sequence[FilingGuess]) -> str:
    """Counts of (gold, guessed) for single-label rows: aggregate figures only."""
    pairs = Counter(
        (r.first_touchpoint, g.best or "-")
        for r, g in zip(rows, guesses, strict=True)
        if len(r.touchpoints) == 1
    )
    golds = sorted({g for g, _ in pairs if g})
    cols = sorted({p for _, p in pairs})
    lines = ["gold \\ guess".ljust(18) + "".join(c[:9].rjust(10) for c in cols)]
    for gold in golds:
        lines.append(gold[:17].ljust(18) + "".join(str(pairs[gold, c]).rjust(10) for c in cols))
    return "\n".join(lines)


def kind_confusion(rows: Sequence[Row], guesses: Sequence[FilingGuess]) -> str:
    pairs = Counter((r.kind, g.kind) for r, g in zip(rows, guesses, strict=True) if r.kind)
    return "  ".join(
        f"{gold}->{guess or '-'}: {n}"
        for (gold, guess), n in sorted(pairs.items(), key=lambda item: (str(item[0][0]), str(item[0][1])))
    )


def confirmed(filer: KeywordFiler, row: Row, touchpoints: list[Touchpoint]) -> str | None:
    """What the reporter confirms: the filer's guess when it is one of the row's touchpoints
    (nobody corrects a right filing), else the first one listed."""
    best = filer.guess(row.text, touchpoints).best if len(row.touchpoints) > 1 else None
    return best if best in row.touchpoints else row.first_touchpoint


def filer_memory(
    train: Sequence[Row], test: Sequence[Row], touchpoints: list[Touchpoint],
    threshold: float | None,
) -> tuple[int, int]:
    """Bytes the warm filer holds after its run, and its peak while learning and guessing."""
    stem.cache_clear()
    tracemalloc.start()
    filer = KeywordFiler(threshold=threshold)
    for r in train:
        filer.learn(r.text, r.kind, confirmed(filer, r, touchpoints), touchpoints)
    for r in test:
        filer.guess(r.text, touchpoints)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current, peak


@dataclass
class WarmRun:
    train: list[Row]
    test: list[Row]
    test_idx: list[int]
    filer: KeywordFiler
    guesses: list[FilingGuess]
    learn_seconds: float  # learning the train rows, and the retrain the first guess would do
    retrain_seconds: float
    guess_seconds: float


def warm_run(rows: Sequence[Row], touchpoints: list[Touchpoint], seed: int, learn: int,
             threshold: float | None) -> WarmRun:
    """Learn the first ``learn`` rows of a seeded shuffle, guess the rest."""
    shuffled = list(range(len(rows)))
    random.Random(seed).shuffle(shuffled)
    train = [rows[i] for i in shuffled[:learn]]
    test_idx = shuffled[learn:]
    test = [rows[i] for i in test_idx]
    warm = KeywordFiler(threshold=threshold)
    start = time.perf_counter()
    for r in train:
        warm.learn(r.text, r.kind, confirmed(warm, r, touchpoints), touchpoints)
    learned = time.perf_counter()
    _ = warm.calibrated  # the retrain the learning left pending, timed apart from the guesses
    retrained = time.perf_counter()
    guesses = [warm.guess(r.text, touchpoints) for r in test]
    guessed = time.perf_counter()
    return WarmRun(train, test, test_idx, warm, guesses, retrained - start, retrained - learned,
                   guessed - retrained)


def print_seeds(rows: Sequence[Row], touchpoints: list[Touchpoint], seeds: list[int], learn: int,
                threshold: float | None) -> None:
    print(f"\nwarm, agreed rows, per shuffle of {learn} learned:")
    figures = []
    for seed in seeds:
        run = warm_run(rows, touchpoints, seed, learn, threshold)
        m = score(run.test, run.guesses, run.filer.threshold, True)
        figures.append(m)
        print(f"  seed {seed:<10} touchpoint {m['tp_acc']:.1%}  unasked {m['auto_prec']:.1%} @ "
              f"{m['auto_cov']:.1%} (ideal {m['cov95']:.1%})  kind {m['kind_acc']:.1%}")
    mean = {k: sum(m[k] for m in figures) / len(figures)
            for k in ("tp_acc", "auto_prec", "auto_cov", "cov95", "kind_acc")}
    print(f"  mean of {len(seeds):<7} touchpoint {mean['tp_acc']:.1%}  unasked {mean['auto_prec']:.1%} @ "
          f"{mean['auto_cov']:.1%} (ideal {mean['cov95']:.1%})  kind {mean['kind_acc']:.1%}; "
          f"lowest unasked precision {min(m['auto_prec'] for m in figures):.1%}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--template", required=True)
    parser.add_argument("--threshold", type=float, default=None,
                        help="one fixed bar (default: the filer's own, "
                        f"{DEFAULT_THRESHOLD} cold, {CALIBRATED_THRESHOLD} once calibrated)")
    parser.add_argument("--learn", type=int, default=500, help="rows to learn from when warm")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--seeds", type=lambda v: [int(x) for x in v.split(",")], default=[],
                        help="more shuffles, e.g. 7,3,11,42: warm figures on agreed rows per "
                        "shuffle and their mean (a knob worth keeping holds on all of them)")
    parser.add_argument("--confusion", action="store_true", help="print gold x guess counts")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"SKIP: {args.csv} is absent (the labelled data is not shipped with the project).")
        return 0
    rows = read_rows(args.csv)
    touchpoints = touchpoints_of(args.template)

    # The sentiment lexicon is read once per process and shared by every filer: its load is
    # measured apart from the guesses and from a filer's own memory.
    tracemalloc.start()
    start = time.perf_counter()
    words = len(valences())
    lexicon_seconds = time.perf_counter() - start
    lexicon_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    cold = KeywordFiler(threshold=args.threshold)
    print(f"{args.csv.name}: reading {len(rows)} rows", file=sys.stderr)
    start = time.perf_counter()
    cold_guesses = [cold.guess(r.text, touchpoints) for r in rows]
    elapsed = time.perf_counter() - start

    run = warm_run(rows, touchpoints, args.seed, args.learn, args.threshold)
    train, test, test_idx, warm, warm_guesses = run.train, run.test, run.test_idx, run.filer, run.guesses
    current, peak = filer_memory(train, test, touchpoints, args.threshold)
    cold_test = [cold_guesses[i] for i in test_idx]

    print(
        f"{args.csv.name}: {len(rows)} rows, template {args.template}, "
        f"threshold cold {cold.threshold}, warm {warm.threshold}"
        f"{' (calibrated)' if warm.calibrated else ''}, "
        f"warm = learn {len(train)} (seed {args.seed}), test rest"
    )
    header = (
        f"{'mode':<13}{'rows':<7}{'n_tp':>6}{'tp_acc':>8}{'macroF1':>9}{'explicit':>9}{'expl_prec':>10}"
        f"{'auto_prec':>10}{'auto_cov':>9}{'cov@95':>8}{'n_kind':>8}{'kind_acc':>9}{'kind_cov':>9}"
    )
    print(header)
    print("-" * len(header))
    runs = [
        ("cold", rows, cold_guesses, cold.threshold),
        ("cold (rest)", test, cold_test, cold.threshold),
        ("warm (rest)", test, warm_guesses, warm.threshold),
    ]
    for label, subset, guesses, threshold in runs:
        for agreed in (False, True):
            m = score(subset, guesses, threshold, agreed)
            print(
                f"{label:<13}{'agreed' if agreed else 'all':<7}{m['n_tp']:>6}"
                f"{m['tp_acc']:>8.1%}{m['macro_f1']:>9.3f}{m['explicit']:>9.1%}{m['explicit_prec']:>10.1%}"
                f"{m['auto_prec']:>10.1%}{m['auto_cov']:>9.1%}{m['cov95']:>8.1%}{m['n_kind']:>8}"
                f"{m['kind_acc']:>9.1%}{m['kind_cov']:>9.1%}"
            )
    print(
        f"speed: {len(rows) / elapsed:,.0f} guesses/s cold, {len(test) / run.guess_seconds:,.0f} warm "
        f"(one core); learning {len(train) / run.learn_seconds:,.0f} confirmations/s "
        f"(its last retrain with calibration {run.retrain_seconds:.2f} s); "
        f"warm filer memory (with the stem cache): peak {peak / 1024:,.0f} KiB, "
        f"retained {current / 1024:,.0f} KiB; sentiment lexicon ({words:,} words, once per "
        f"process) {lexicon_bytes / 1024:,.0f} KiB, loaded in {lexicon_seconds:.2f} s"
    )
    if args.seeds:
        print_seeds(rows, touchpoints, [args.seed, *args.seeds], args.learn, args.threshold)
    if args.confusion:
        print("\ncold, single-label rows:\n" + confusion(rows, cold_guesses))
        print("\nwarm, single-label rows:\n" + confusion(test, warm_guesses))
        print("\nkind, cold: " + kind_confusion(rows, cold_guesses))
        print("kind, warm: " + kind_confusion(test, warm_guesses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
