"""WOW or OW from cue words and emoji, with negation ("not happy" is OW, "no delays" is WOW).

The cue words and emoji are in :mod:`bot.kindwords`, written by hand: general sentiment words
plus the events that let customers down or delight them in service work. Positive weights point
to WOW, negative to OW. Phrases win over their words. They are data (``bot/data/kindwords.toml``),
and so are the words the rules below read: negators, degree words, contrast, wishes, remedies
(``bot/data/kindcues.toml``).

How a sentence is read around the cues is general English, not any one business's: the clause
after "but" decides, a concession counts half, praise in a wish or need leans OW, negation reaches
over "or", "never" of the unheard-of and "can't imagine better" keep their sense, degree words
and downtoners scale the cue after them, a let-down that a remedy was for counts half, and
misspelt cues and words run together (hashtags) are still read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot import ruledata as _data
from bot.domain import MomentKind
from bot.kindwords import CUES as _CUES
from bot.lexicon import valence
from bot.textnorm import BOUNDARIES, QUESTION, is_negator, stem, stems, tokenize

# The words each rule below reads are data: bot/data/kindcues.toml, one list per name.
_WORDS = _data.load("kindcues")

_INTENSIFIERS = _data.words(_WORDS, "intensifiers")
_NEGATION_REACH = 3  # a negator flips cues up to this many tokens after it
_NEGATORS = _data.words(_WORDS, "negators")  # besides textnorm's: "zero help", "zero complaints"
# A word of blame used as a degree adverb before praise says how much: "outrageously good",
# "ridiculously friendly", "insanely fast", "crazy cheap".
_DEGREE_SUFFIX = "ly"
_DEGREE_WORDS = _data.words(_WORDS, "degree_words")
# A clause that opens with a recommendation ("try the lamb", "order the special") or a warning
# ("skip dessert", "pass on the wine"): some verbs take any object but a verb ("try again", "try
# calling"); the others take "the" and the like ("order was cold" is no order to order).
_IMPERATIVE = 1.0
_ANY_OBJECT = {**{w: _IMPERATIVE for w in _data.strings(_WORDS, "recommend_any_object")},
               **{w: -_IMPERATIVE for w in _data.strings(_WORDS, "warn_any_object")}}
_DETERMINED_OBJECT = {**{v: _IMPERATIVE for v in _data.phrases(_WORDS, "recommend_determined_object")},
                      **{v: -_IMPERATIVE for v in _data.phrases(_WORDS, "warn_determined_object")}}
_IMPERATIVE_OBJECT = _data.words(_WORDS, "imperative_object")
_NOT_OBJECT = _data.words(_WORDS, "not_object")
# two words that negate what follows: "far from ideal", "anything but smooth"
_NEGATING_PAIRS = frozenset(_data.phrases(_WORDS, "negating_pairs"))
_FLIPPED_NEGATIVE = 0.5  # "not bad" is weaker praise than "good"
# Praise that could not be bettered is the most praise: "could not have been nicer", "can't
# imagine a friendlier team", "never had better", "no better place". (But "wasn't any better" is
# a let-down: only these negators, of what can or could be, keep a comparative's praise.)
_UNSURPASSED = _data.words(_WORDS, "unsurpassed")
_MODAL = _data.words(_WORDS, "modal")  # "could not", "can not"
# "Never" of the unheard-of negates nothing: "never seen such rudeness", "never been so well
# looked after", "never had a steak like this before".
_UNHEARD_OF = _data.words(_WORDS, "unheard_of")
_UNHEARD_OF_REACH = 6
# A negation that flips no cue still leans OW: "my bag didn't come", "no one at the desk".
_BARE_NEGATION = -0.75
_QUESTION = -0.5  # a question rarely reports delight: "where is my bag?"
# Negativity bias: next to a clear let-down, polite words ("thanks", "great") count for less;
# "thanks for losing my bag" is an OW.
_CLEAR_BLAME = 1.5
KIND_MARGIN = 0.25  # a score nearer zero than this says no kind
_PRAISE_DESPITE_BLAME = 0.5
# Contrast: what follows "but" usually decides ("pricey but worth it", "friendly but slow"), so
# what came before it counts half; a concession ("although the wait was long, ...") counts half
# up to the end of its clause. The halves are VADER's for "but".
_CONTRAST = _data.words(_WORDS, "contrast")
_CONCESSION = _data.words(_WORDS, "concession")  # and "even if"
# A downtoner halves the cue after it: "slightly rushed", "a little pricey", "a bit noisy".
_DOWNTONERS = _data.words(_WORDS, "downtoners")
_DOWNTONED = 0.5
# A let-down named as the circumstance of a remedy is not the business's doing: "rebooked us
# after the cancellation", "kept us laughing during the delay", "thanks for fixing my booking
# error". Its cues, up to _REMEDY_REACH tokens on in the clause, count half and do not make
# praise beside them count less (the negativity bias below).
_REMEDY = _data.words(_WORDS, "remedy")
_REMEDY_REACH = 4
# "Kind of" and "sort of" are degrees, not kindness: "what kind of service", "kind of rude" (the
# word after them is halved, as after a downtoner).
_DEGREE_NOUNS = _data.words(_WORDS, "degree_nouns")
# Thanks beside a question or a "please" are manners ("can you call me back? thanks"), not
# delight: they count half.
_GRATITUDE = _data.words(_WORDS, "gratitude")  # stems
_MANNERS = 0.5
# "Little" and "few" without "a" deny the good they count: "little help", "few answers" (but "a
# little help" is some). A clause that is a cry for help is distress: "Help!", "someone help us".
_SCARCITY = _data.words(_WORDS, "scarcity")
_CRY = _data.words(_WORDS, "cry")
_DISTRESS = 1.0
# Negation reaches on over a coordination: "not rude or rushed", "neither slow nor cold".
_COORDINATION = _data.words(_WORDS, "coordination")

_CONCEDED = 0.5
# Irrealis: praise in a wish or a need ("it would be nice if someone answered", "I wish the app
# were better", "I need help") is praise not given, and leans OW. Up to the end of the clause;
# not where the clause states an intention ("would recommend", "would love to come back", "want
# to thank") or is negated ("could not have been nicer").
_IRREALIS = _data.words(_WORDS, "irrealis")
_MODAL_COULD = _data.words(_WORDS, "modal_could")  # "could be", not "could tell"
_HABITUAL = _data.words(_WORDS, "habitual")  # "they would always smile"
_INTENTION = frozenset(stem(w) for w in _data.strings(_WORDS, "intention"))
_UNMET = 0.5


_PARTICIPLE = ("ed", "ing")
_PLAIN_WORD_NEUTRAL = _data.words(_WORDS, "plain_word_neutral")  # "dated": its plain word is a date

# A cue: its stems, its weight, whether it holds a negator, and the positions of its participles
# (see _participles).
_Cue = tuple[tuple[str, ...], float, bool, tuple[int, ...]]


def _build(cues: Mapping[float, Sequence[str]] = _CUES) -> tuple[dict[str, list[_Cue]], int]:
    index: dict[str, list[_Cue]] = {}
    longest = 1
    bases = {stem(p) for phrases in cues.values() for p in phrases
             if " " not in p and not p.endswith(_PARTICIPLE)}
    for weight, phrases in cues.items():
        for phrase in phrases:
            words = tokenize(phrase)
            key = tuple(stems(words))
            if not key:
                continue
            has_negator = any(is_negator(t) for t in words)
            entries = index.setdefault(key[0], [])
            if all(e[0] != key for e in entries):
                participles = (_participles(words, key, bases)
                               if weight > 0 or phrase in _PLAIN_WORD_NEUTRAL else ())
                entries.append((key, weight, has_negator, participles))
            longest = max(longest, len(key))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index, longest


def _participles(words: Sequence[str], key: Sequence[str], bases: set[str]) -> tuple[int, ...]:
    """Where a word of praise is a participle whose plain word says something else, and so
    matches only a participle: "fixed" and "upgraded" report what was done, "fix" and "upgrade"
    ask for it; "caring" is praise, "care" a department. (The plain word of a let-down, "refuse",
    "lack", "strand", is most often one too.)"""
    return tuple(j for j, (word, key_stem) in enumerate(zip(words, key, strict=True))
                 if word.endswith(_PARTICIPLE) and word != key_stem and key_stem not in bases)


_INDEX, _LONGEST = _build()


def cue_score(tokens: Sequence[str], stemmed: Sequence[str]) -> float:
    """Sum of cue weights over the text: above zero leans WOW, below zero leans OW."""
    return kind_scores(tokens, stemmed, lexicon=False)[0]


def kind_scores(tokens: Sequence[str], stemmed: Sequence[str], *,
                lexicon: bool = True) -> tuple[float, float]:
    """The cue score, and the lexicon's (:mod:`bot.lexicon`) over the words no cue matched, with
    the same negation and intensifiers: VADER valence units (a word rates -4..4)."""
    if any(len(t) >= _COMPOUND_LENGTH for t in tokens):
        tokens, stemmed = _split_compounds(tokens, stemmed)
    praise = blame = rated = 0.0
    negated_until = -1
    unsurpassed = False  # the negation is of what can or could be
    bare = False  # a negator is waiting for a cue to flip
    scale = 1.0  # _CONCEDED inside a concession's clause
    wished: float | None = None  # in an irrealis clause: what its praise counts for
    boosted = -1  # the token after a degree adverb ("outrageously good")
    remedied_until = -1  # let-downs up to here are a remedy's circumstance
    downtoned = -1  # the token after "kind of", "sort of"
    thanks = 0.0  # the praise that is gratitude
    excused = 0.0  # their blame
    i = 0
    n = len(stemmed)
    while i < n:
        token = tokens[i]
        if bare and (i > negated_until or token in BOUNDARIES):
            blame -= _BARE_NEGATION * scale
            bare = False
        if token in BOUNDARIES:
            negated_until = -1
            scale = 1.0
            wished = None
            i += 1
            continue
        if token in _CONTRAST and not _anything_but(tokens, i):
            praise, blame, rated = praise * _CONCEDED, blame * _CONCEDED, rated * _CONCEDED
            excused *= _CONCEDED
            negated_until = -1
            scale = 1.0
            wished = None
            i += 1
            continue
        if token in _CONCESSION or (token == "if" and i > 0 and tokens[i - 1] == "even"):
            scale = _CONCEDED
        if token in _REMEDY:
            remedied_until = i + _REMEDY_REACH
        if token in _COORDINATION and i <= negated_until:
            negated_until = i + _NEGATION_REACH
        if wished is None and (token in _IRREALIS or token == "could"):
            wished = _wishes(tokens, stemmed, i)
        if i + 1 < n and (token, tokens[i + 1]) in _NEGATING_PAIRS:  # "far from ideal"
            negated_until = i + 1 + _NEGATION_REACH
            bare = True
            i += 2
            continue
        if i == 0 or tokens[i - 1] in BOUNDARIES:
            order = _imperative(tokens, i)
            if order:
                praise, blame = praise + max(order, 0.0), blame - min(order, 0.0)
                i += 1
                continue
        if token in _SCARCITY and (i == 0 or tokens[i - 1] != "a") and i + 1 < n and (
                (m := _match(tokens, stemmed, i + 1)) and m[1] > 0
                or valence(tokens[i + 1], stemmed[i + 1]) > 0):
            negated_until = i + 1
            unsurpassed = False
            i += 1
            continue
        if token == "help" and _cries(tokens, i):
            blame += _DISTRESS * scale
            i += 1
            continue
        if token in _DEGREE_NOUNS and i + 1 < n and tokens[i + 1] == "of":
            downtoned = i + 2
            i += 2
            continue
        if (token.endswith(_DEGREE_SUFFIX) or token in _DEGREE_WORDS) and _degree(
                tokens, stemmed, i):
            boosted = i + 1
            i += 1
            continue
        if token == "never" and _unheard_of(tokens, i):
            i += 1
            continue
        match = _match(tokens, stemmed, i)
        if match is None:
            if is_negator(token) or token in _NEGATORS:
                negated_until = i + _NEGATION_REACH
                unsurpassed = token in _UNSURPASSED or (i > 0 and tokens[i - 1] in _MODAL)
                bare = True
            elif lexicon and (value := valence(token, stemmed[i])):
                if i == boosted or (i > 0 and tokens[i - 1] in _INTENSIFIERS):
                    value *= 1.5
                if i <= negated_until:
                    value = -value if value > 0 else -value * _FLIPPED_NEGATIVE
                    bare = False
                elif wished is not None and value > 0:
                    value *= wished
                rated += value * scale
            i += 1
            continue
        length, weight, has_negator = match
        if i == boosted or (i > 0 and tokens[i - 1] in _INTENSIFIERS):
            weight *= 1.5
        elif i == downtoned or i > 0 and tokens[i - 1] in _DOWNTONERS or (
                i > 1 and tokens[i - 2] == "a" and tokens[i - 1] == "little"):
            weight *= _DOWNTONED
        if i <= negated_until and unsurpassed and weight > 0 and _comparative(tokens, i):
            bare = False
        elif i <= negated_until and not has_negator:
            weight = -weight if weight > 0 else -weight * _FLIPPED_NEGATIVE
            bare = False
        elif wished is not None and weight > 0:
            weight *= wished
        if weight > 0:
            praise += weight * scale
            if stemmed[i] in _GRATITUDE:
                thanks += weight * scale
        elif i <= remedied_until:
            excused -= weight * scale * _CONCEDED
        else:
            blame -= weight * scale
        i += length
    if bare:
        blame -= _BARE_NEGATION * scale
    if QUESTION in tokens or "please" in tokens:
        blame -= _QUESTION if QUESTION in tokens else 0.0
        praise -= thanks * _MANNERS
    if "sarcasm" in tokens:  # "#sarcasm", "sarcasm aside" is rare in a report
        praise, blame = 0.0, blame + praise
    if blame >= _CLEAR_BLAME:
        praise *= _PRAISE_DESPITE_BLAME
    return praise - blame - excused, rated


# Words run together, as in hashtags: "#nothappy", "#notcool", "#bestcrewever",
# "#worstflightexperience", "#baggagefail". A long word that is no cue and no word the lexicon
# rates is read as "not"/"no" and the word it ends with, as the strong cue it ends with, or as
# the strongest kind of cue it opens with (a prose word may open with a milder one: yellowtail,
# curtsy), when it is long.
_COMPOUND_LENGTH = 8
_OPENING_LENGTH = 10  # property is not props
_COMPOUND_CUE = 4
_STRONG = 1.5
_STRONGEST = 2.0


def _split_compounds(tokens: Sequence[str], stemmed: Sequence[str]) -> tuple[list[str], list[str]]:
    split_tokens: list[str] = []
    split_stems: list[str] = []
    for token, token_stem in zip(tokens, stemmed, strict=True):
        parts = _compound(token) if len(token) >= _COMPOUND_LENGTH else None
        if parts is None:
            split_tokens.append(token)
            split_stems.append(token_stem)
        else:
            split_tokens.extend(parts)
            split_stems.extend(stem(p) for p in parts)
    return split_tokens, split_stems


_SURFACE = {phrase: weight for weight, phrases in _CUES.items() for phrase in phrases
            if phrase.isalpha()}


def _single_cue(word: str) -> float | None:
    """The weight of a one-word cue written as it is listed (a part of a compound is not
    stemmed: "proportion" does not open with "props")."""
    return _SURFACE.get(word)


@lru_cache(maxsize=16384)
def _compound(token: str) -> tuple[str, ...] | None:
    if not token.isalpha() or _INDEX.get(stem(token)) or valence(token, stem(token)):
        return None
    for negator in ("not", "no"):
        rest = token[len(negator):]
        if token.startswith(negator) and len(rest) >= 3 and (
                _single_cue(rest) is not None or valence(rest, stem(rest))):
            return negator, rest
    for cut in range(_COMPOUND_CUE, len(token) - _COMPOUND_CUE + 1):
        tail = token[cut:]
        weight = _single_cue(tail)
        if weight is not None and (weight <= -_STRONG or weight >= _STRONGEST):  # not mankind
            return (tail,)
    if len(token) < _OPENING_LENGTH:
        return None
    for cut in range(len(token) - _COMPOUND_CUE, _COMPOUND_CUE - 1, -1):
        head = token[:cut]
        weight = _single_cue(head)
        if weight is not None and abs(weight) >= _STRONGEST:
            return (head,)
    return None


def _wishes(tokens: Sequence[str], stemmed: Sequence[str], i: int) -> float | None:
    """What praise counts for in the irrealis clause tokens[i] opens, or None where it opens
    none."""
    token = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token == "could":
        if following not in _MODAL_COULD:
            return None
    elif token not in _IRREALIS or following in _HABITUAL:
        return None
    for j in range(i + 1, len(tokens)):
        if tokens[j] in BOUNDARIES or tokens[j] in _CONTRAST:
            break
        if is_negator(tokens[j]) or stemmed[j] in _INTENTION:
            return None
    return -_UNMET


def _unheard_of(tokens: Sequence[str], i: int) -> bool:
    for token in tokens[i + 1:i + 1 + _UNHEARD_OF_REACH]:
        if token in BOUNDARIES:
            return False
        if token in _UNHEARD_OF:
            return True
    return False


def _cries(tokens: Sequence[str], i: int) -> bool:
    """Whether the clause around tokens[i] is a cry for help and nothing more."""
    j = i
    while j > 0 and tokens[j - 1] not in BOUNDARIES:
        j -= 1
    k = i
    while k + 1 < len(tokens) and tokens[k + 1] not in BOUNDARIES:
        k += 1
    return all(t in _CRY for t in tokens[j:k + 1])


def _imperative(tokens: Sequence[str], i: int) -> float:
    """The weight of a clause that opens with a recommendation or a warning, else 0."""
    if i + 1 >= len(tokens):
        return 0.0
    following = tokens[i + 1]
    if tokens[i] in _ANY_OBJECT:
        if (following.isalpha() and following not in _NOT_OBJECT
                and not following.endswith("ing")):
            return _ANY_OBJECT[tokens[i]]
        return 0.0
    for verb, weight in _DETERMINED_OBJECT.items():
        j = i + len(verb)
        if (tuple(tokens[i:j]) == verb and j < len(tokens)
                and tokens[j] in _IMPERATIVE_OBJECT):
            return weight
    return 0.0


def _degree(tokens: Sequence[str], stemmed: Sequence[str], i: int) -> bool:
    """Whether tokens[i] is a word of blame used as a degree adverb before a word of praise."""
    token = tokens[i]
    if i + 1 >= len(tokens) or not (token.endswith(_DEGREE_SUFFIX) or token in _DEGREE_WORDS):
        return False
    own = _match(tokens, stemmed, i)
    if (own[1] if own else valence(token, stemmed[i])) >= 0:
        return False
    following = _match(tokens, stemmed, i + 1)
    return (following[1] if following else valence(tokens[i + 1], stemmed[i + 1])) > 0


def _comparative(tokens: Sequence[str], i: int) -> bool:
    """Whether the cue at tokens[i] is a comparative: "better", "friendlier", "more helpful"."""
    token = tokens[i]
    return (token == "better" or (i > 0 and tokens[i - 1] == "more")
            or (token.endswith("er") and _base_cue(token) is not None))


def _anything_but(tokens: Sequence[str], i: int) -> bool:
    """The "but" of "anything but", which negates instead (a negating pair)."""
    return i > 0 and (tokens[i - 1], tokens[i]) in _NEGATING_PAIRS


def _match(tokens: Sequence[str], stemmed: Sequence[str], i: int) -> tuple[int, float, bool] | None:
    token = tokens[i]
    for key, weight, has_negator, participles in _INDEX.get(stemmed[i], ()):
        if tuple(stemmed[i:i + len(key)]) == key and all(
                tokens[i + j].endswith(_PARTICIPLE) for j in participles):
            return len(key), weight, has_negator
    if len(token) >= 5 and token.isalpha():
        base = _base_cue(token)
        if base is None and len(token) >= _TYPO_LENGTH:
            base = _misspelt_cue(token)
        if base is not None:
            return 1, base, False
    return None


# A long word that is no cue and no word the lexicon rates may be a cue misspelt by one slip:
# a doubled or undoubled letter (dissapointing), one letter left out (delicous), two letters
# swapped (freindly), or one vowel for another (recommand). Not a letter put in, one consonant
# for another, nor a first letter or an ending left out: those are most often other words
# (carrying is not caring, relating not relaxing, closing not losing, upgrade not upgraded).
_TYPO_LENGTH = 7
_VOWELS = "aeiouy"


def _undouble(word: str) -> str:
    return "".join(c for j, c in enumerate(word) if j == 0 or c != word[j - 1])


_Spelling = tuple[float, str]  # the cue's weight, and the cue word as listed


def _spellings(cues: Mapping[float, Sequence[str]] = _CUES,
               ) -> tuple[dict[str, _Spelling], dict[str, _Spelling]]:
    """Single cue words of _TYPO_LENGTH - 1 letters or more, undoubled, and each of them with one
    letter left out."""
    words: dict[str, _Spelling] = {}
    for weight, phrases in cues.items():
        for phrase in phrases:
            if phrase.isalpha() and len(phrase) >= _TYPO_LENGTH - 1:
                words.setdefault(_undouble(phrase), (weight, phrase))
    shortened: dict[str, _Spelling] = {}
    for word, found in words.items():
        for j in range(1, len(word) - 1):
            shortened.setdefault(word[:j] + word[j + 1:], found)
    return words, shortened


_SPELLINGS, _SHORTENED = _spellings()


# Everyday words one slip from a cue: "wheelchair compliant", "a locking cabinet", "spilled".
_NOT_TYPOS = _data.words(_WORDS, "not_typos")


@lru_cache(maxsize=16384)
def _misspelt_cue(token: str) -> float | None:
    if token in _NOT_TYPOS or valence(token, stem(token)):
        return None
    found = _slip(token, _SPELLINGS, _SHORTENED)
    return None if found is None else found[0]


def _slip(token: str, spellings: Mapping[str, _Spelling],
          shortened: Mapping[str, _Spelling]) -> _Spelling | None:
    word = _undouble(token)
    found = spellings.get(word, shortened.get(word))
    if found is not None:
        return found
    # not the first two letters swapped: "needles" is no "endless"
    variants = [word[:j] + word[j + 1] + word[j] + word[j + 2:] for j in range(1, len(word) - 1)]
    variants += [word[:j] + v + word[j + 1:] for j, c in enumerate(word) if c in _VOWELS
                 for v in _VOWELS if v != c]
    for variant in variants:
        if variant in spellings:
            return spellings[variant]
    return None


def misspelling_of(word: str, cues: Mapping[float, Sequence[str]] = _CUES) -> _Spelling | None:
    """The cue (weight, word) that the tolerant match would read ``word`` as were ``word`` itself
    not listed among ``cues``; None where it would read it as no cue by a slip (as written, by
    its stem or as a degree of another cue it would be read anyway, or not at all). For
    ``moments rules check``: a listed misspelling it finds with the same weight is not needed."""
    if (len(word) < _TYPO_LENGTH or not word.isalpha() or word in _NOT_TYPOS
            or valence(word, stem(word))):
        return None
    own = stem(word)  # every form of it: "disapointed" and "disapointing" go together
    others = {weight: tuple(p for p in phrases if p != word and not (p.isalpha() and stem(p) == own))
              for weight, phrases in cues.items()}
    index, _ = _build(others)
    if index.get(stem(word)) or _base_in(word, index) is not None:
        return None
    return _slip(word, *_spellings(others))


# Comparative, superlative and adverb endings, and the word they come from: tastiest, friendlier,
# nicest, rudely, terribly. Only single cue words are looked up this way.
_DEGREES = tuple((ending, base) for ending, base in _data.phrases(_WORDS, "degrees"))


# Of time, not of lateness; and nouns or other words that only look like a degree of a cue.
_NOT_DEGREES = _data.words(_WORDS, "not_degrees")


@lru_cache(maxsize=16384)
def _base_cue(token: str) -> float | None:
    return _base_in(token, _INDEX)


def _base_in(token: str, index: Mapping[str, list[_Cue]]) -> float | None:
    if token in _NOT_DEGREES:
        return None
    for ending, base in _DEGREES:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            word = token[: -len(ending)] + base
            candidates = [word]
            if not base and len(word) >= 4 and word[-1] == word[-2]:
                candidates.append(word[:-1])  # biggest -> big
            for candidate in candidates:
                for key, weight, _, _ in index.get(stem(candidate), ()):
                    if len(key) == 1:
                        return weight
    return None


def kind_from_score(score: float, *, margin: float = KIND_MARGIN) -> tuple[MomentKind | None, float]:
    """The kind a score points to, and a confidence in 0.5..1 (0 when there is no cue)."""
    if abs(score) < margin:
        return None, 0.0
    confidence = 1.0 / (1.0 + math.exp(-abs(score)))
    return (MomentKind.WOW if score > 0 else MomentKind.OW), confidence
