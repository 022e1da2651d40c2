"""Filing v2: text -> (kind, touchpoint, confidence), from the journey's keywords and from what
the team confirmed.

1. A ``#slug`` tag wins outright (explicit): it is the reporter's own choice.
2. Every active touchpoint scores the keywords found in the text. Phrases are matched longest
   first ("delayed bag" is baggage even though "delayed" is disruption); a keyword that several
   touchpoints share is split between them; the one touchpoint the text names gets a bonus
   (strong evidence, but "lost bag ... customer service" is still about the bag). Cold, scores
   become a ranking with ``p = score / (total + UNSURE)``: one keyword of its own just passes
   the default threshold, a keyword shared by two touchpoints or two conflicting ones do not.
   No evidence at all gives an empty ranking.
3. Warm: a multinomial logistic regression per workspace over the team's stemmed words and word
   pairs, with the template's evidence (each touchpoint's keyword score, the touchpoint the
   text names) as inputs whose weights start where the template alone would file and are
   learned like the words': the template decides at first, and its share falls as the team's
   own words prove better. Each confirmation takes one SGD step at once; the model is trained
   again for a few epochs over the kept confirmations once they have grown by a tenth. A tenth
   of a naive Bayes log-posterior over the same words is added to its log-odds: a second view
   of the confirmations that ranks the guesses better.
4. Confidence is calibrated on the team's own confirmations: each kept one is scored by a model
   trained without it (K folds), noting its margin (log-odds between the first and second
   choice) and whether it was right. A guess's confidence is how often guesses with a similar
   margin were right (an isotonic fit once there are enough records; before that the share
   right near it, pulled towards the model's own tempered figure and never above its
   untempered probability). The bar for filing without asking rises with that evidence from
   DEFAULT_THRESHOLD to CALIBRATED_THRESHOLD. A team with consistent words soon gets its moments
   filed unasked; a team whose moments are hard to tell apart keeps being asked. The records
   depend only on what is kept, so a replica that replays the stored confirmations calibrates
   as the one that learned them one by one.
5. The kind comes from cue words and emoji with negation (:mod:`bot.kindcues`). Once the team
   has confirmed both kinds, a logistic regression over its words and word pairs, learned online
   with the cue score as an offset, adds what the cues miss (and the team's usual kind).
"""

from __future__ import annotations

import math
import random
import threading
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import MomentKind, Touchpoint
from bot.kindcues import cue_score, kind_from_score
from bot.ports import FilingGuess
from bot.textnorm import BOUNDARIES, STOPWORDS, parse_tags, stems, tokenize

DEFAULT_THRESHOLD = 0.6  # on the template's measure: one keyword of its own just passes
# On the calibrated confidence, once the team has confirmed enough. Filings unasked at this bar
# were right 95-96% of the time on the crowd-agreed rows of both dev sets (bench/filing.py, five
# shuffles); at 0.75 the airline set filed a fifth more unasked at the same precision, but the
# restaurant set fell below 95%.
CALIBRATED_THRESHOLD = 0.8
UNSURE = 0.6  # evidence mass that always stays with "none of these"
_NAME_WEIGHT = 2.0  # a touchpoint's own name, when the text names several touchpoints
_PHRASE_BONUS = 0.5  # per extra word: "lost luggage" says more than "lost"
# Cold margins: the template's keyword scores and named touchpoint as log-odds.
_KEYWORD_WEIGHT = 3.0  # log-odds per unit of keyword score
_NAMED_WEIGHT = 3.0  # log-odds for the one touchpoint the text names
_NAMED_BOOST = 1.5  # score for the one touchpoint the text names (beside its keywords)
_NAMED_TOTAL = _KEYWORD_WEIGHT * _NAMED_BOOST + _NAMED_WEIGHT
_LISTED = 0.005  # choices less likely than this are not offered
_CALIBRATED_AFTER = 50  # records at which the bar reaches CALIBRATED_THRESHOLD
_CALIBRATION_WINDOW = 1000  # the team's latest confirmations: the model learns again from them
_NEIGHBOURS = 40  # records just below a guess's margin that say how often such guesses were right
_CALIBRATION_PRIOR = 15.0  # pseudo-records at the model's own (tempered) confidence
_MOST_SURE = 0.999
_KIND_RATE = 0.3  # AdaGrad step of the learned kind model
_EARLY_BONUS = 0.05  # ties go to what the text mentions first
_CACHE_SIZE = 16
# Learning: values picked by measuring warm accuracy and auto-filing precision with
# bench/filing.py on several shuffles; no word or weight is derived from data.
_RATE = 2.0  # SGD step of the touchpoint model (divided by the epoch's number)
_EPOCHS = 10  # passes over the kept confirmations when the model is trained again ...
_STEP_BUDGET = 6000  # ... fewer when there are more than this many steps ...
_FEWEST_EPOCHS = 3  # ... but never fewer than this
_L2 = 1e-3  # weight decay of the word weights
_TEMPLATE_RATE = 0.1  # the template's weights move slower than a word's
_MODEL_KEYWORD = 1.0  # the model's starting weight for a unit of keyword score ...
_MODEL_NAMED = 2.0  # ... and for the touchpoint the text names
_TEMPERATURE = 3.0  # on few confirmations the model is overconfident: its tempered figure
_RETRAIN_SHARE = 0.1  # new confirmations (as a share of those kept) before training again ...
_RESCORE_SHARE = 0.25  # ... and before scoring the kept ones again for calibration
_RESCORED_FROM = 2  # kept confirmations before they are scored for calibration
_COUNTED_WEIGHT = 0.1  # of the naive Bayes log-posterior beside the regression's log-odds
_ALPHA = 0.5  # additive smoothing of its word counts
_FOLDS = 3  # calibration scores each kept confirmation by a model trained without its fold

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """The active touchpoints of one team, compiled for matching."""

    slugs: tuple[str, ...]
    phrases: dict[str, list[tuple[Phrase, tuple[tuple[int, float], ...]]]]  # by first stem
    names: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]]  # by first word
    compact_names: dict[str, int]  # "checkin", "customerservice"
    tags: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Ranking:
    ranked: tuple[tuple[str, float], ...]
    margin: float  # log-odds between the first and second choice
    sharp: float  # the untempered posterior of the first choice: no confidence goes above it
    tagged: bool
    named: int | None


@dataclass(frozen=True, slots=True)
class _Read:
    """What a text says against one journey, before anything the team confirmed: keyword
    scores, the template's probabilities, a tag or a named touchpoint, and its word features.
    Kept for each confirmation that calibrates, so re-scoring them needs no reading again."""

    scores: list[float]
    probs: tuple[float, ...]
    tagged: int | None
    named: int | None
    evidence: tuple[float, ...]  # keyword scores, without the named touchpoint's bonus
    features: tuple[str, ...]


def _read(catalogue: _Catalogue, text: str, tokens: list[str], stemmed: list[str]) -> _Read:
    scores, spans = _keyword_scores(catalogue, stemmed)
    evidence = tuple(scores)
    tagged = _tagged(catalogue, text)
    named = _named(catalogue, tokens, spans) if tagged is None else None
    if named is not None and _NAMED_BOOST:
        scores = list(scores)
        scores[named] += _NAMED_BOOST
    total = sum(scores) + UNSURE
    probs = [s / total for s in scores]
    if named is not None and not _NAMED_BOOST:
        probs = [1.0 if i == named else p for i, p in enumerate(probs)]
    return _Read(scores, tuple(probs), tagged, named, evidence, _features(tokens, stemmed))


class _Calibration:
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
        self._records = deque(records[-_CALIBRATION_WINDOW:])
        self._sorted = sorted(self._records)
        self._fit = None
        self.fresh = 0

    def add(self, margin: float, right: bool) -> None:
        record = (margin, right)
        self._records.append(record)
        insort(self._sorted, record)
        if len(self._records) > _CALIBRATION_WINDOW:
            old = self._records.popleft()
            del self._sorted[bisect_left(self._sorted, old)]
        self._fit = None
        self.fresh += 1

    def confidence(self, margin: float, prior: float) -> float:
        """How often guesses at this margin were right (isotonic once calibrated); before
        that, the share right just below it, pulled towards ``prior``."""
        if self.size >= _CALIBRATED_AFTER:
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
            self._fit = _isotonic(self._sorted)
        return self._fit


def _isotonic(records: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
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


class _KindModel:
    """WOW or OW learned from the team's confirmed kinds: logistic regression over its words and
    word pairs, with the cue words' score (:mod:`bot.kindcues`) as a fixed offset, so it learns
    only what the cues miss. One AdaGrad step per confirmation: online, and quick to replay."""

    def __init__(self) -> None:
        self._weights: dict[str, list[float]] = {}  # feature -> [weight, sum of squared grads]
        self._bias = [0.0, 0.0]
        self._seen: set[bool] = set()

    @property
    def warm(self) -> bool:
        """The team has confirmed both kinds: until then the cue score alone decides."""
        return len(self._seen) == 2

    def logit(self, features: set[str], cues: float) -> float:
        """Log-odds of WOW."""
        return cues + self._bias[0] + self._sum(features)

    def learn(self, features: set[str], cues: float, wow: bool) -> None:
        self._seen.add(wow)
        error = _sigmoid(cues + self._bias[0] + self._sum(features)) - wow
        _adagrad(self._bias, error)
        scale = 1.0 / math.sqrt(max(1, len(features)))
        for feature in features:
            weight = self._weights.get(feature)
            if weight is None:
                weight = self._weights[feature] = [0.0, 0.0]
            _adagrad(weight, error * scale)

    def _sum(self, features: set[str]) -> float:
        total = 0.0
        for feature in features:
            weight = self._weights.get(feature)
            if weight is not None:
                total += weight[0]
        return total / math.sqrt(max(1, len(features)))


def _sigmoid(x: float) -> float:
    """Without overflow: the cue score has no bound (a text of 300 angry emoji)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _adagrad(weight: list[float], gradient: float) -> None:
    if gradient:
        weight[1] += gradient * gradient
        weight[0] -= _KIND_RATE * gradient / math.sqrt(weight[1])


@dataclass(frozen=True, slots=True)
class _Example:
    """One confirmed filing as the touchpoint model learns it."""

    features: tuple[str, ...]
    slugs: tuple[str, ...] | None  # the team's active journey when confirmed (None: not given)
    evidence: tuple[float, ...]  # the template's keyword score per slug (empty when not given)
    named: int | None  # the one touchpoint the text names
    gold: str
    calibrates: bool  # the filer's guess on it was noted (no #tag, some evidence)


class _TouchpointModel:
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

    def count(self, example: _Example) -> None:
        gold = example.gold
        self._docs[gold] = self._docs.get(gold, 0) + 1
        for feature in example.features:
            counts = self._counts.get(feature)
            if counts is None:
                counts = self._counts[feature] = {}
            counts[gold] = counts.get(gold, 0) + 1
        self._totals[gold] = self._totals.get(gold, 0) + len(example.features)

    def _counted(self, example: _Example, slugs: Sequence[str]) -> list[float]:
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

    def _inputs(self, example: _Example, slugs: Sequence[str]) -> list[tuple[str, float, str, float]]:
        """The template's evidence as (input, value, its touchpoint, its starting weight)."""
        inputs = [("@kw " + slug, e, slug, _MODEL_KEYWORD)
                  for slug, e in zip(slugs, example.evidence, strict=False) if e]
        if example.named is not None:
            slug = slugs[example.named]
            inputs.append(("@name " + slug, 1.0, slug, _MODEL_NAMED))
        return inputs

    def logits(self, example: _Example, slugs: Sequence[str]) -> list[float]:
        """Log-odds per slug (a slug never confirmed nor offered has only the template's)."""
        z = self._regression(example, slugs)
        if self._docs and _COUNTED_WEIGHT:
            counted = self._counted(example, slugs)
            z = [a + _COUNTED_WEIGHT * b for a, b in zip(z, counted, strict=True)]
        return z

    def _regression(self, example: _Example, slugs: Sequence[str]) -> list[float]:
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

    def step(self, example: _Example, rate: float) -> None:
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
        p = _softmax(self._regression(example, slugs), 1.0)
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

    def train(self, examples: Sequence[_Example]) -> None:
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
        epochs = max(_FEWEST_EPOCHS, min(_EPOCHS, _STEP_BUDGET // max(1, len(order))))
        for epoch in range(epochs):
            shuffle.shuffle(order)
            rate = _RATE / (1.0 + epoch)
            for example in order:
                self.step(example, rate)


def _monotone(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    out = []
    ceiling = 1.0
    for slug, p in ranked:
        ceiling = min(ceiling, p)
        out.append((slug, ceiling))
    if len(out) > 1 and out[0][1] < ranked[1][1]:
        # a calibrated first choice below the second's figure: both are that unsure
        out = [(slug, min(p, out[0][1])) for slug, p in out]
    return out


class KeywordFiler:
    """Implements :class:`bot.ports.Filer`. One instance per workspace, shared by the threads
    that serve it: ``guess`` and ``learn`` take turns (a guess may train the model again on the
    kept confirmations first)."""

    def __init__(self, threshold: float | None = None) -> None:
        """``threshold``: one fixed bar for filing without asking; by default the bar is
        DEFAULT_THRESHOLD until the team's confirmations calibrate the filer, then
        CALIBRATED_THRESHOLD on its calibrated confidence."""
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self._fixed = threshold
        self._catalogues: dict[tuple[Touchpoint, ...], _Catalogue] = {}
        self._model = _TouchpointModel()
        self._calibration = _Calibration()
        # the team's latest confirmations: the model is trained again on them, and they
        # calibrate its confidence
        self._history: deque[_Example] = deque(maxlen=_CALIBRATION_WINDOW)
        self._fresh = 0  # confirmations learned since the model was last trained on all
        self._unscored = 0  # ... and since the kept ones were last scored for calibration
        self._kind_model = _KindModel()
        self._lock = threading.RLock()

    @property
    def threshold(self) -> float:
        if self._fixed is not None:
            return self._fixed
        with self._lock:
            self._retrain()
        # The bar rises from the template's measure to the calibrated one with the evidence.
        done = min(1.0, self._calibration.size / _CALIBRATED_AFTER)
        return round(DEFAULT_THRESHOLD + (CALIBRATED_THRESHOLD - DEFAULT_THRESHOLD) * done, 4)

    @property
    def calibrated(self) -> bool:
        """Enough confirmations to say how often this filer is right at each margin."""
        with self._lock:
            self._retrain()
        return self._calibration.size >= _CALIBRATED_AFTER

    def guess(self, text: str, touchpoints: Sequence[Touchpoint]) -> FilingGuess:
        with self._lock:
            return self._guess(text, touchpoints)

    def _guess(self, text: str, touchpoints: Sequence[Touchpoint]) -> FilingGuess:
        tokens = tokenize(text)
        stemmed = stems(tokens)
        kind, kind_confidence = self._kind(tokens, stemmed)
        catalogue = self._catalogue(tuple(tp for tp in touchpoints if tp.active))
        if not catalogue.slugs:
            return FilingGuess(kind=kind, kind_confidence=kind_confidence, ranked=())
        self._retrain()
        ranking = self._rank_read(catalogue, _read(catalogue, text, tokens, stemmed))
        ranked = list(ranking.ranked)
        if ranked and not ranking.tagged and self._calibration.size:
            slug, confidence = ranked[0]
            calibrated = self._calibration.confidence(ranking.margin, confidence)
            if not self.calibrated:
                calibrated = min(calibrated, ranking.sharp)
            ranked[0] = (slug, calibrated)
            ranked = _monotone(ranked)
        return FilingGuess(
            kind=kind,
            kind_confidence=kind_confidence,
            ranked=tuple((slug, round(p, 4)) for slug, p in ranked),
            explicit=ranking.tagged or (ranking.named is not None and ranked[0][1] >= 1.0
                                        and ranked[0][0] == catalogue.slugs[ranking.named]),
        )

    def learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None,
              touchpoints: Sequence[Touchpoint] = ()) -> None:
        """Remember a confirmed filing: its words now point a little more to that touchpoint.

        With the team's ``touchpoints``, the filer first notes how sure it would have been and
        whether it was right: that record calibrates its confidence for this team.
        """
        with self._lock:
            self._learn(text, kind, touchpoint_slug, touchpoints)

    def _learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None,
               touchpoints: Sequence[Touchpoint]) -> None:
        tokens = tokenize(text)
        stemmed = stems(tokens)
        if touchpoint_slug:
            catalogue = self._catalogue(tuple(tp for tp in touchpoints if tp.active))
            if touchpoint_slug in catalogue.slugs:
                read = _read(catalogue, text, tokens, stemmed)
                example = _Example(read.features, catalogue.slugs, read.evidence, read.named,
                                   touchpoint_slug, read.tagged is None)
            else:
                example = _Example(_features(tokens, stemmed), None, (), None, touchpoint_slug,
                                   False)
            self._model.step(example, _RATE / _EPOCHS)
            self._model.count(example)
            self._history.append(example)
            self._fresh += 1
            self._unscored += 1
        if kind is not None:
            self._kind_model.learn(_ngrams(tokens, stemmed), cue_score(tokens, stemmed),
                                   kind is MomentKind.WOW)

    def _retrain(self) -> None:
        """Once enough confirmations came in since the last time, the model is trained again on
        all kept ones; and, once there are enough to calibrate, each kept confirmation is scored
        by a model trained without its fold, so the calibration says how the model as it is now
        does on texts it has not seen."""
        size = len(self._history)
        if not self._fresh or self._fresh < _RETRAIN_SHARE * size:
            return
        self._fresh = 0
        self._model.train(self._history)
        calibrating = sum(1 for e in self._history if e.calibrates)
        if calibrating < _RESCORED_FROM or self._unscored < _RESCORE_SHARE * calibrating:
            return
        self._unscored = 0
        history = list(self._history)
        random.Random(len(history)).shuffle(history)  # folds unlike any pattern in the order
        records = []
        folds = min(_FOLDS, len(history))
        for fold in range(folds):
            model = _TouchpointModel()
            model.train([e for i, e in enumerate(history) if i % folds != fold])
            for example in history[fold::folds]:
                if example.calibrates and example.slugs is not None:
                    margin, best = _margin(model.logits(example, example.slugs), example.slugs)
                    records.append((margin, best == example.gold))
        self._calibration.replace(records)

    def _rank_read(self, catalogue: _Catalogue, read: _Read) -> _Ranking:
        """The ranking of a text already read against the journey: only this part depends on
        what the team has confirmed so far."""
        probs, tagged, named = list(read.probs), read.tagged, read.named
        n = len(catalogue.slugs)
        learned = self._model.examples > 0
        if learned:
            z = self._model.logits(_Example(read.features, catalogue.slugs, read.evidence,
                                            read.named, "", False), catalogue.slugs)
        else:
            z = [_KEYWORD_WEIGHT * e + (_NAMED_TOTAL if i == read.named else 0.0)
                 for i, e in enumerate(read.evidence)]
        top, second = sorted(z, reverse=True)[:2] if n > 1 else (z[0], z[0] - 10.0)
        margin = top - second
        order = probs
        if learned:
            # The model (template keywords and what the team confirmed) decides the order;
            # before calibration, the filer is as sure as the template or the model says,
            # whichever is surer.
            order = _softmax(z, 1.0)
            tempered = _softmax(z, _TEMPERATURE)
            probs = [max(c, w) for c, w in zip(probs, tempered, strict=True)]
        if tagged is not None:
            probs[tagged] = order[tagged] = 2.0
        ranked = []
        ceiling = 1.0
        for i in sorted(range(n), key=lambda i: -order[i]):
            ceiling = min(ceiling, probs[i])
            if ceiling >= _LISTED:
                ranked.append((catalogue.slugs[i], ceiling))
        return _Ranking(tuple(ranked), margin, max(_softmax(z, 1.0)), tagged is not None, named)

    def _kind(self, tokens: list[str], stemmed: list[str]) -> tuple[MomentKind | None, float]:
        score = cue_score(tokens, stemmed)
        if not self._kind_model.warm:
            return kind_from_score(score)
        # The team's own confirmations decide even without a cue word: its usual kind.
        return kind_from_score(self._kind_model.logit(_ngrams(tokens, stemmed), score), margin=0.01)

    def _catalogue(self, active: tuple[Touchpoint, ...]) -> _Catalogue:
        catalogue = self._catalogues.get(active)
        if catalogue is None:
            if len(self._catalogues) >= _CACHE_SIZE:
                self._catalogues.clear()
            catalogue = self._catalogues[active] = compile_catalogue(active)
        return catalogue


def _margin(z: list[float], slugs: Sequence[str]) -> tuple[float, str]:
    """Log-odds between the first and second choice, and the first."""
    best = max(range(len(z)), key=z.__getitem__)
    second = max((v for i, v in enumerate(z) if i != best), default=z[best] - 10.0)
    return z[best] - second, slugs[best]


def compile_catalogue(touchpoints: Sequence[Touchpoint]) -> _Catalogue:
    """Stem every keyword and name once; a phrase shared by k touchpoints weighs 1/k each."""
    owners: dict[Phrase, dict[int, float]] = {}
    names: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = {}
    compact: dict[str, int] = {}
    tags: dict[str, int] = {}
    for i, tp in enumerate(touchpoints):
        entries = [(k, 1.0) for k in tp.keywords] + [(tp.name, _NAME_WEIGHT)]
        for text, weight in entries:
            key = tuple(t for t in stems(tokenize(text)) if t not in BOUNDARIES)
            if key:
                strength = weight + _PHRASE_BONUS * (len(key) - 1)
                found = owners.setdefault(key, {})
                found[i] = max(found.get(i, 0.0), strength)
        words = [t for t in tokenize(tp.name) if t not in BOUNDARIES]
        if words:
            forms = tuple(frozenset(_plural_forms(w)) for w in words)
            for first in forms[0]:
                names.setdefault(first, []).append((i, forms))
            compact.setdefault("".join(words), i)
            for tag in (tp.slug, tp.slug.replace("-", ""), "-".join(words), "".join(words)):
                tags.setdefault(tag, i)
    phrases: dict[str, list[tuple[Phrase, tuple[tuple[int, float], ...]]]] = {}
    for key, found in owners.items():
        share = tuple((i, w / len(found)) for i, w in found.items())
        phrases.setdefault(key[0], []).append((key, share))
    for options in phrases.values():
        options.sort(key=lambda option: -len(option[0]))
    slugs = tuple(tp.slug for tp in touchpoints)
    return _Catalogue(slugs, phrases, names, compact, tags)


def _keyword_scores(
    catalogue: _Catalogue, stemmed: list[str]
) -> tuple[list[float], list[tuple[int, int, frozenset[int]]]]:
    """Score per touchpoint (each distinct phrase counted once), and the matched spans."""
    scores = [0.0] * len(catalogue.slugs)
    spans: list[tuple[int, int, frozenset[int]]] = []
    counted: set[Phrase] = set()
    i, n = 0, len(stemmed)
    while i < n:
        for key, share in catalogue.phrases.get(stemmed[i], ()):
            end = i + len(key)
            if end <= n and tuple(stemmed[i:end]) == key:
                if key not in counted:
                    counted.add(key)
                    # The first thing a text mentions is usually what it is about.
                    early = 1.0 + _EARLY_BONUS * (1.0 - i / n)
                    for index, weight in share:
                        scores[index] += weight * early
                spans.append((i, end, frozenset(index for index, _ in share)))
                i = end
                break
        else:
            i += 1
    return scores, spans


def _tagged(catalogue: _Catalogue, text: str) -> int | None:
    for tag in parse_tags(text):
        index = catalogue.tags.get(tag)
        if index is not None:
            return index
    return None


def _named(
    catalogue: _Catalogue, tokens: list[str], spans: list[tuple[int, int, frozenset[int]]]
) -> int | None:
    """The touchpoint whose name the text uses, if exactly one is named.

    A name inside a longer keyword of another touchpoint does not count: "room service" names
    dining, not the room.
    """
    found: set[int] = set()
    for start, token in enumerate(tokens):
        hits = [(catalogue.compact_names[token], 1)] if token in catalogue.compact_names else []
        for index, words in catalogue.names.get(token, ()):
            end = start + len(words)
            if end <= len(tokens) and all(tokens[start + k] in w for k, w in enumerate(words)):
                hits.append((index, len(words)))
        for index, length in hits:
            covered = any(
                s <= start and start + length <= e and e - s > length and index not in owners
                for s, e, owners in spans
            )
            if not covered:
                found.add(index)
    return found.pop() if len(found) == 1 else None


def _softmax(z: list[float], temperature: float) -> list[float]:
    top = max(z)
    weights = [math.exp((v - top) / temperature) for v in z]
    total = sum(weights)
    return [w / total for w in weights]


def _ngrams(tokens: list[str], stemmed: list[str]) -> set[str]:
    """Stemmed words and the pairs of neighbouring words within a clause, for learning."""
    found: set[str] = set()
    previous = ""
    for t, s in zip(tokens, stemmed, strict=True):
        if t in BOUNDARIES or t in STOPWORDS or t[0].isdigit():
            previous = ""
            continue
        found.add(s)
        if previous:
            found.add(previous + " " + s)
        previous = s
    return found


def _features(tokens: list[str], stemmed: list[str]) -> tuple[str, ...]:
    return tuple(sorted(_ngrams(tokens, stemmed)))


def _plural_forms(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("s") and len(word) > 3:
        forms.add(word[:-1])
    return forms
