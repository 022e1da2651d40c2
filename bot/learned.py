"""The filer's learned parts, per workspace: the touchpoint model (a multinomial logistic
regression with the template's evidence as inputs), the kind model (a logistic regression over
what the cue words miss) and the calibration that turns a guess's margin into how often such
guesses were right. :mod:`bot.filing` explains how they fit together; this module holds only
their arithmetic. Pure Python: a few hundred confirmations per team need nothing more.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

# Learning: values picked by measuring warm accuracy and auto-filing precision with
# bench/filing.py on several shuffles; no word or weight is derived from data.
CALIBRATED_AFTER = 50  # records at which the bar reaches CALIBRATED_THRESHOLD
CALIBRATION_WINDOW = 1000  # the team's latest confirmations: the model learns again from them
_NEIGHBOURS = 40  # records just below a guess's margin that say how often such guesses were right
_CALIBRATION_PRIOR = 15.0  # pseudo-records at the model's own (tempered) confidence
_MOST_SURE = 0.999
_KIND_RATE = 0.3  # AdaGrad step of the learned kind model
# Log-odds of WOW per unit of the lexicon's valence where the cue words are silent: cold, and
# the kind model's starting weight for it (half a cue word's weight per VADER unit).
LEXICON_WEIGHT = 0.5
RATE = 2.0  # SGD step of the touchpoint model (divided by the epoch's number)
EPOCHS = 10  # passes over the kept confirmations when the model is trained again ...
_STEP_BUDGET = 6000  # ... fewer when there are more than this many steps ...
_FEWEST_EPOCHS = 3  # ... but never fewer than this
_L2 = 1e-3  # weight decay of the word weights
_TEMPLATE_RATE = 0.1  # the template's weights move slower than a word's
_MODEL_KEYWORD = 1.0  # the model's starting weight for a unit of keyword score ...
_MODEL_NAMED = 2.0  # ... and for the touchpoint the text names
_COUNTED_WEIGHT = 0.1  # of the naive Bayes log-posterior beside the regression's log-odds
_ALPHA = 0.5  # additive smoothing of its word counts
_FITTED_FROM = 10  # calibration records before the template's agreement gets a weight
_MOST_AGREEMENT = 10.0  # margin at most that the template's agreement is worth
_NEWTON_STEPS = 25
_RIDGE = 0.1  # keeps the fit finite when every record was right


class Calibration:
    """How often the filer was right at each margin, on the team's own confirmations.

    Before each confirmation is learned the filer notes its margin and whether its first choice
    was the confirmed one. While there are few records, a new guess's confidence is the share of
    right ones among the records nearest its margin, pulled towards the model's own figure. Once
    there are enough, it is an isotonic fit of rightness on margin (surer never means less often
    right), on records scored again by the filer as it is now (see ``_recalibrate``). So a team
    whose words are consistent soon gets most moments filed without asking, and a team whose
    moments are hard to tell apart gets asked: the threshold means the same for both.
    """

    def __init__(self) -> None:
        self._records: deque[tuple[float, bool]] = deque()
        self._sorted: list[tuple[float, bool]] = []
        self._fit: tuple[list[float], list[float]] | None = None
        self.fresh = 0  # records added since the last replace()

    @property
    def size(self) -> int:
        return len(self._records)

    def replace(self, records: list[tuple[float, bool]]) -> None:
        self._records = deque(records[-CALIBRATION_WINDOW:])
        self._sorted = sorted(self._records)
        self._fit = None
        self.fresh = 0

    def add(self, margin: float, right: bool) -> None:
        record = (margin, right)
        self._records.append(record)
        insort(self._sorted, record)
        if len(self._records) > CALIBRATION_WINDOW:
            old = self._records.popleft()
            del self._sorted[bisect_left(self._sorted, old)]
        self._fit = None
        self.fresh += 1

    def confidence(self, margin: float, prior: float) -> float:
        """How often guesses at this margin were right (isotonic once calibrated); before
        that, the share right just below it, pulled towards ``prior``."""
        if self.size >= CALIBRATED_AFTER:
            centres, probs = self._fitted()
            at = bisect_right(centres, margin)
            if at == 0:
                return probs[0]
            if at == len(centres):
                return probs[-1]
            share = (margin - centres[at - 1]) / (centres[at] - centres[at - 1])
            return probs[at - 1] + share * (probs[at] - probs[at - 1])
        records = self._sorted
        at = bisect_left(records, (margin, True))
        near = records[max(0, at - _NEIGHBOURS):at]
        if len(near) < _NEIGHBOURS:  # not enough below: take the nearest ones above too
            near = records[:_NEIGHBOURS]
        right = sum(1 for _, ok in near if ok)
        return (right + _CALIBRATION_PRIOR * prior) / (len(near) + _CALIBRATION_PRIOR)

    def _fitted(self) -> tuple[list[float], list[float]]:
        if self._fit is None:
            self._fit = isotonic(self._sorted)
        return self._fit


def isotonic(records: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators over records sorted by margin: each block's mean margin and share
    right, rising. Between two blocks the share is interpolated, so surer guesses rank higher."""
    blocks: list[list[float]] = []  # [sum of margins, right, count]
    for margin, ok in records:
        blocks.append([margin, float(ok), 1.0])
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][2] >= blocks[-1][1] * blocks[-2][2]:
            margins, right, count = blocks.pop()
            blocks[-1][0] += margins
            blocks[-1][1] += right
            blocks[-1][2] += count
    return [b[0] / b[2] for b in blocks], [min(_MOST_SURE, b[1] / b[2]) for b in blocks]


class KindModel:
    """WOW or OW learned from the team's confirmed kinds: logistic regression over its words and
    word pairs, with the cue words' score (:mod:`bot.kindcues`) as a fixed offset, so it learns
    only what the cues miss, and the lexicon's score where the cues are silent as one more input
    (its weight learned: how far this team's words follow general sentiment). One AdaGrad step
    per confirmation: online, and quick to replay."""

    def __init__(self) -> None:
        self._weights: dict[str, list[float]] = {}  # feature -> [weight, sum of squared grads]
        self._bias = [0.0, 0.0]
        self._lexicon = [LEXICON_WEIGHT, 0.0]  # of the lexicon's score, and its squared grads
        self._seen: set[bool] = set()

    @property
    def warm(self) -> bool:
        """The team has confirmed both kinds: until then the cue score alone decides."""
        return len(self._seen) == 2

    def logit(self, features: set[str], cues: float, rated: float = 0.0) -> float:
        """Log-odds of WOW."""
        return cues + self._lexicon[0] * rated + self._bias[0] + self._sum(features)

    def learn(self, features: set[str], cues: float, rated: float, wow: bool) -> None:
        self._seen.add(wow)
        error = sigmoid(self.logit(features, cues, rated)) - wow
        adagrad(self._bias, error)
        adagrad(self._lexicon, error * rated)
        scale = 1.0 / math.sqrt(max(1, len(features)))
        for feature in features:
            weight = self._weights.get(feature)
            if weight is None:
                weight = self._weights[feature] = [0.0, 0.0]
            adagrad(weight, error * scale)

    def _sum(self, features: set[str]) -> float:
        total = 0.0
        for feature in features:
            weight = self._weights.get(feature)
            if weight is not None:
                total += weight[0]
        return total / math.sqrt(max(1, len(features)))


def sigmoid(x: float) -> float:
    """Without overflow: the cue score has no bound (a text of 300 angry emoji)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def adagrad(weight: list[float], gradient: float) -> None:
    if gradient:
        weight[1] += gradient * gradient
        weight[0] -= _KIND_RATE * gradient / math.sqrt(weight[1])


@dataclass(frozen=True, slots=True)
class Example:
    """One confirmed filing as the touchpoint model learns it."""

    features: tuple[str, ...]
    slugs: tuple[str, ...] | None  # the team's active journey when confirmed (None: not given)
    evidence: tuple[float, ...]  # the template's keyword score per slug (empty when not given)
    named: int | None  # the one touchpoint the text names
    gold: str
    calibrates: bool  # the filer's guess on it was noted (no #tag, some evidence)


class TouchpointModel:
    """Multinomial logistic regression over the team's words and word pairs, with the
    template's evidence as inputs too: each touchpoint's keyword score, and the touchpoint the
    text names. Their weights start where the template alone would file (its keywords point to
    their own touchpoint) and are learned like the words', so a team can learn that one of the
    template's keywords usually means another touchpoint for it, and the template's share falls
    as the team's own words prove better.

    One SGD step per confirmation keeps it current; every so often it is trained again for a
    few epochs over the kept confirmations (a few hundred texts: well under a second)."""

    def __init__(self) -> None:
        self._column: dict[str, int] = {}
        self._weights: dict[str, list[float]] = {}
        self._bias: list[float] = []
        self.examples = 0
        # Word counts per touchpoint (naive Bayes): added to the regression's log-odds, they
        # rank its guesses better, as two different views of the same confirmations do.
        self._docs: dict[str, int] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self._totals: dict[str, int] = {}

    @property
    def confirmations(self) -> int:
        """Confirmations counted since the model was last trained from scratch."""
        return sum(self._docs.values())

    def count(self, example: Example) -> None:
        gold = example.gold
        self._docs[gold] = self._docs.get(gold, 0) + 1
        for feature in example.features:
            counts = self._counts.get(feature)
            if counts is None:
                counts = self._counts[feature] = {}
            counts[gold] = counts.get(gold, 0) + 1
        self._totals[gold] = self._totals.get(gold, 0) + len(example.features)

    def _counted(self, example: Example, slugs: Sequence[str]) -> list[float]:
        """Naive Bayes log-posterior per slug over the counted confirmations."""
        docs = sum(self._docs.values())
        vocabulary = len(self._counts) + 1
        z = [math.log((self._docs.get(slug, 0) + 1) / (docs + len(slugs))) for slug in slugs]
        denominators = [math.log(self._totals.get(slug, 0) + _ALPHA * vocabulary) for slug in slugs]
        unseen = math.log(_ALPHA)  # most words were never confirmed for most touchpoints
        log = math.log
        for feature in example.features:
            counts = self._counts.get(feature)
            if counts is None:
                continue
            z = [v + (log(c + _ALPHA) if (c := counts.get(slug)) else unseen) - d
                 for v, slug, d in zip(z, slugs, denominators, strict=True)]
        return z

    def _columns(self, slugs: Sequence[str]) -> list[int]:
        cols = []
        for slug in slugs:
            col = self._column.get(slug)
            if col is None:
                col = self._column[slug] = len(self._bias)
                self._bias.append(0.0)
            cols.append(col)
        return cols

    def _inputs(self, example: Example, slugs: Sequence[str]) -> list[tuple[str, float, str, float]]:
        """The template's evidence as (input, value, its touchpoint, its starting weight)."""
        inputs = [("@kw " + slug, e, slug, _MODEL_KEYWORD)
                  for slug, e in zip(slugs, example.evidence, strict=False) if e]
        if example.named is not None:
            slug = slugs[example.named]
            inputs.append(("@name " + slug, 1.0, slug, _MODEL_NAMED))
        return inputs

    def logits(self, example: Example, slugs: Sequence[str]) -> list[float]:
        """Log-odds per slug (a slug never confirmed nor offered has only the template's)."""
        z = self._regression(example, slugs)
        if self._docs and _COUNTED_WEIGHT:
            counted = self._counted(example, slugs)
            z = [a + _COUNTED_WEIGHT * b for a, b in zip(z, counted, strict=True)]
        return z

    def _regression(self, example: Example, slugs: Sequence[str]) -> list[float]:
        width = len(self._bias)
        total = [0.0] * width
        weights = self._weights
        known = 0
        for feature in example.features:
            w = weights.get(feature)
            if w is not None:
                known += 1
                if len(w) == width:
                    total = [t + x for t, x in zip(total, w, strict=True)]
                else:
                    for c, x in enumerate(w):
                        total[c] += x
        # Words never confirmed say nothing: the known ones weigh as they did when learned.
        value = 1.0 / math.sqrt(known) if known else 0.0
        total = [b + value * t for b, t in zip(self._bias, total, strict=True)]
        missing: list[tuple[str, float]] = []
        for name, amount, own, start in self._inputs(example, slugs):
            w = weights.get(name)
            if w is None:
                missing.append((own, start * amount))
                continue
            for c, x in enumerate(w):
                total[c] += x * amount
        column = self._column
        z = [total[c] if (c := column.get(slug, -1)) >= 0 else 0.0 for slug in slugs]
        for own, extra in missing:
            z[slugs.index(own)] += extra
        return z

    def _row(self, name: str, width: int) -> list[float]:
        w = self._weights.get(name)
        if w is None:
            w = self._weights[name] = [0.0] * width
        elif len(w) < width:
            w.extend([0.0] * (width - len(w)))
        return w

    def step(self, example: Example, rate: float) -> None:
        self.examples += 1
        slugs = example.slugs if example.slugs is not None else tuple(self._column)
        if example.gold not in slugs:
            slugs = (*slugs, example.gold)
        cols = self._columns(slugs)
        width = len(self._bias)
        inputs = self._inputs(example, slugs)
        for name, _, own, start in inputs:
            if name not in self._weights:
                self._row(name, width)[self._column[own]] = start
        p = softmax(self._regression(example, slugs), 1.0)
        gold = slugs.index(example.gold)
        steps = [(c, rate * (q - (j == gold))) for j, (c, q) in enumerate(zip(cols, p, strict=True))]
        bias = self._bias
        for c, g in steps:
            bias[c] -= g
        for name, amount, _, _ in inputs:
            w = self._row(name, width)
            for c, g in steps:
                w[c] -= _TEMPLATE_RATE * g * amount
        if example.features:
            value = 1.0 / math.sqrt(len(example.features))
            decay = 1.0 - rate * _L2
            scaled = [(c, g * value) for c, g in steps]
            for feature in example.features:
                w = self._row(feature, width)
                for c, g in scaled:
                    w[c] = w[c] * decay - g

    def train(self, examples: Sequence[Example]) -> None:
        """From scratch, a few epochs over ``examples`` in a fixed shuffled order."""
        self._column.clear()
        self._weights.clear()
        self._bias = []
        self.examples = 0
        self._docs.clear()
        self._counts.clear()
        self._totals.clear()
        order = list(examples)
        for example in order:
            self.count(example)
        shuffle = random.Random(len(order))
        # Fewer passes over a long history: its many steps do the work of the passes.
        epochs = max(_FEWEST_EPOCHS, min(EPOCHS, _STEP_BUDGET // max(1, len(order))))
        for epoch in range(epochs):
            shuffle.shuffle(order)
            rate = RATE / (1.0 + epoch)
            for example in order:
                self.step(example, rate)


def agreement_weight(scored: Sequence[tuple[float, bool, bool]]) -> float:
    """How much margin the template's agreement is worth, from records (margin, the template's
    first choice was the model's, right): a logistic regression of rightness on margin and
    agreement (Newton's method, lightly regularised), its agreement weight in margin units."""
    if len(scored) < _FITTED_FROM:
        return 0.0
    w = [0.0, 0.0, 0.0]  # bias, margin, agreement
    for _ in range(_NEWTON_STEPS):
        gradient = [0.0, 0.0, 0.0]
        hessian = [[_RIDGE if i == j else 0.0 for j in range(3)] for i in range(3)]
        for i in range(3):
            gradient[i] = _RIDGE * w[i]
        for margin, agree, right in scored:
            x = (1.0, margin, 1.0 if agree else 0.0)
            p = sigmoid(w[0] + w[1] * x[1] + w[2] * x[2])
            curvature = p * (1.0 - p)
            for i in range(3):
                gradient[i] += (p - right) * x[i]
                for j in range(3):
                    hessian[i][j] += curvature * x[i] * x[j]
        step = _solve3(hessian, gradient)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(b) for b in step) < 1e-6:
            break
    if w[1] <= 1e-6:  # a margin that says nothing: no unit to measure agreement in
        return 0.0
    return max(0.0, min(_MOST_AGREEMENT, w[2] / w[1]))


def _solve3(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a x = b (Gauss-Jordan with partial pivoting); zeros if a is singular."""
    m = [row[:] + [v] for row, v in zip(a, b, strict=True)]
    for c in range(3):
        pivot = max(range(c, 3), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        if abs(m[c][c]) < 1e-12:
            return [0.0, 0.0, 0.0]
        for r in range(3):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][3] / m[i][i] for i in range(3)]


def softmax(z: list[float], temperature: float) -> list[float]:
    top = max(z)
    weights = [math.exp((v - top) / temperature) for v in z]
    total = sum(weights)
    return [w / total for w in weights]
