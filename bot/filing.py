"""Filing v1: text -> (kind, touchpoint, confidence), from the journey's keywords and from what
reporters confirmed.

1. A ``#slug`` tag, or the one touchpoint name the text mentions, wins outright (explicit).
2. Otherwise every active touchpoint scores the keywords found in the text. Phrases are matched
   longest first ("delayed bag" is baggage even though "delayed" is disruption); a keyword that
   several touchpoints share is split between them. Confirmed filings add a word -> touchpoint
   weight (a smoothed pointwise mutual information, once a word was confirmed twice), so a filer
   gets better at its own team's words. Scores become a ranking with
   ``p = score / (total + UNSURE)``: one keyword of its own just passes the default threshold, a
   keyword shared by two touchpoints or two conflicting ones do not, several agreeing ones pass
   easily. No evidence at all gives an empty ranking.
3. The kind comes from cue words and emoji with negation (:mod:`bot.kindcues`), plus what
   confirmed filings taught about the team's words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import MomentKind, Touchpoint
from bot.kindcues import cue_score, kind_from_score
from bot.ports import FilingGuess
from bot.textnorm import BOUNDARIES, STOPWORDS, parse_tags, stems, tokenize

DEFAULT_THRESHOLD = 0.6
UNSURE = 0.6  # evidence mass that always stays with "none of these"
_NAME_WEIGHT = 2.0  # a touchpoint's own name, when the text names several touchpoints
_PHRASE_BONUS = 0.5  # per extra word: "lost luggage" says more than "lost"
# Learning. A word counts for a touchpoint once it was confirmed there _MIN_HITS times and is
# _MIN_LIFT times likelier there than on average; sparse evidence like this beats adding every
# small association (which blurs confidence). Values picked by measuring warm accuracy with
# bench/filing.py; the keywords themselves are never derived from data.
_LEARNED_WEIGHT = 0.6  # scale of a learned word -> touchpoint weight next to a keyword's 1.0
_LEARNED_SMOOTHING = 2.0  # pseudo-observations pulling a rare word back to "no information"
_MIN_LIFT = 1.5
_MIN_HITS = 2
_PRIOR_WEIGHT = 0.1  # after learning, the team's usual touchpoints rank first when nothing matches
_KIND_LEARNED_WEIGHT = 0.5
_EARLY_BONUS = 0.05  # ties go to what the text mentions first
_CACHE_SIZE = 16

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """The active touchpoints of one team, compiled for matching."""

    slugs: tuple[str, ...]
    phrases: dict[str, list[tuple[Phrase, tuple[tuple[int, float], ...]]]]  # by first stem
    names: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]]  # by first word
    compact_names: dict[str, int]  # "checkin", "customerservice"
    tags: dict[str, int]


class KeywordFiler:
    """Implements :class:`bot.ports.Filer`. One instance per workspace; not thread-safe."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self._threshold = threshold
        self._catalogues: dict[tuple[Touchpoint, ...], _Catalogue] = {}
        self._slug_docs: Counter[str] = Counter()
        self._word_slugs: dict[str, Counter[str]] = {}
        self._kind_docs: Counter[MomentKind] = Counter()
        self._word_kinds: dict[str, Counter[MomentKind]] = {}

    @property
    def threshold(self) -> float:
        return self._threshold

    def guess(self, text: str, touchpoints: Sequence[Touchpoint]) -> FilingGuess:
        tokens = tokenize(text)
        stemmed = stems(tokens)
        kind, kind_confidence = self._kind(tokens, stemmed)
        catalogue = self._catalogue(tuple(tp for tp in touchpoints if tp.active))
        if not catalogue.slugs:
            return FilingGuess(kind=kind, kind_confidence=kind_confidence, ranked=())
        scores, spans = _keyword_scores(catalogue, stemmed)
        if self._slug_docs:
            self._add_learned(catalogue, _features(tokens, stemmed), scores)
        chosen = _tagged(catalogue, text)
        if chosen is None:
            chosen = _named(catalogue, tokens, spans)
        total = sum(scores) + UNSURE
        ranked = sorted(
            ((catalogue.slugs[i], s / total) for i, s in enumerate(scores) if s > 0 and i != chosen),
            key=lambda pair: -pair[1],
        )
        if chosen is not None:
            ranked.insert(0, (catalogue.slugs[chosen], 1.0))
        return FilingGuess(
            kind=kind,
            kind_confidence=kind_confidence,
            ranked=tuple((slug, round(p, 4)) for slug, p in ranked),
            explicit=chosen is not None,
        )

    def learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None) -> None:
        """Remember a confirmed filing: its words now point a little more to that touchpoint."""
        tokens = tokenize(text)
        features = _features(tokens, stems(tokens))
        if touchpoint_slug:
            self._slug_docs[touchpoint_slug] += 1
            for word in features:
                self._word_slugs.setdefault(word, Counter())[touchpoint_slug] += 1
        if kind is not None:
            self._kind_docs[kind] += 1
            for word in features:
                self._word_kinds.setdefault(word, Counter())[kind] += 1

    def _kind(self, tokens: list[str], stemmed: list[str]) -> tuple[MomentKind | None, float]:
        score = cue_score(tokens, stemmed)
        wow, ow = self._kind_docs[MomentKind.WOW], self._kind_docs[MomentKind.OW]
        if wow and ow:
            prior_wow = wow / (wow + ow)
            prior_ow = 1.0 - prior_wow
            base = math.log(prior_wow / prior_ow)
            learned = 0.0
            for word in _features(tokens, stemmed):
                counts = self._word_kinds.get(word)
                if counts:
                    m = _LEARNED_SMOOTHING
                    ratio = (counts[MomentKind.WOW] + m * prior_wow) / (counts[MomentKind.OW] + m * prior_ow)
                    learned += math.log(ratio) - base
            score += _KIND_LEARNED_WEIGHT * learned
        return kind_from_score(score)

    def _add_learned(self, catalogue: _Catalogue, features: set[str], scores: list[float]) -> None:
        n = len(catalogue.slugs)
        docs = sum(self._slug_docs[slug] for slug in catalogue.slugs)
        prior = [(self._slug_docs[slug] + 1) / (docs + n) for slug in catalogue.slugs]
        for i in range(n):
            scores[i] += _PRIOR_WEIGHT * prior[i]
        m = _LEARNED_SMOOTHING
        for word in features:
            counts = self._word_slugs.get(word)
            if not counts:
                continue
            seen = sum(counts[slug] for slug in catalogue.slugs)
            for i, slug in enumerate(catalogue.slugs):
                hits = counts[slug]
                if hits >= _MIN_HITS:
                    lift = (hits + m * prior[i]) / ((seen + m) * prior[i])
                    if lift > _MIN_LIFT:
                        scores[i] += min(1.0, _LEARNED_WEIGHT * math.log(lift))

    def _catalogue(self, active: tuple[Touchpoint, ...]) -> _Catalogue:
        catalogue = self._catalogues.get(active)
        if catalogue is None:
            if len(self._catalogues) >= _CACHE_SIZE:
                self._catalogues.clear()
            catalogue = self._catalogues[active] = compile_catalogue(active)
        return catalogue


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


def _features(tokens: list[str], stemmed: list[str]) -> set[str]:
    return {
        s
        for t, s in zip(tokens, stemmed, strict=True)
        if t not in BOUNDARIES and t not in STOPWORDS and not t[0].isdigit()
    }


def _plural_forms(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("s") and len(word) > 3:
        forms.add(word[:-1])
    return forms
