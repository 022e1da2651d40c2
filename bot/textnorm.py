"""Text to tokens for the filer: lowercase words, emoji, a light stemmer, #tags.

Words and emoji become tokens; punctuation that ends a clause becomes the marker ``BOUNDARY`` so
that phrases never match across sentences and negation stops at the end of a clause. Chat
shorthand ("thx", "hrs", "pls") is expanded before stemming. The shorthand, negators and stop
words are data, in ``bot/data/textnorm.toml``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.ruledata import load, strings, table, words

BOUNDARY = "|"
QUESTION = "?"  # a boundary that ends a question
BOUNDARIES = frozenset({BOUNDARY, QUESTION})

_EMOJI_CHAR = (
    "\u2139\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2934\u2935\u2b00-\u2bff"
    "\U0001f000-\U0001faff"
)
# One emoji, or a zero-width-joined sequence of them (👩‍⚕️), after dropping the variation
# selectors and skin tones that make the same emoji look different to a computer.
_EMOJI = f"[{_EMOJI_CHAR}](?:\u200d[{_EMOJI_CHAR}])*"
_TOKEN = re.compile(
    rf"(?P<word>[a-z\u00df-\u00ff]+(?:'[a-z]+)*)|(?P<num>\d+(?:[.,:]\d+)?)"
    rf"|(?P<emoji>{_EMOJI})|(?P<money>[$€£%])|(?P<stop>[.!?;,:\n()]+|\s[-–—]+\s)"
)
_DROP = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_TAG = re.compile(r"(?<![\w#&])#([a-z0-9][a-z0-9_-]*)")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'"})

_WORDS = load("textnorm")
# Chat shorthand and frequent misspellings, expanded before stemming.
SHORTHAND: dict[str, tuple[str, ...]] = {
    word: strings(table(_WORDS, "shorthand"), word) for word in table(_WORDS, "shorthand")
}
NEGATORS = words(_WORDS, "negators")
STOPWORDS = words(_WORDS, "stopwords")
# Words whose stem would collide with a different word: news/new, please/pleased.
_UNSTEMMED = words(_WORDS, "unstemmed")


def normalize(text: str) -> str:
    """Lowercase, straight quotes, no links or @handles, no emoji variation marks."""
    text = _DROP.sub("", text.translate(_QUOTES).lower())
    return _HANDLE.sub(" ", _URL.sub(" ", text))


def tokenize(text: str) -> list[str]:
    """Words, numbers, emoji, currency and percent signs in order, with ``BOUNDARY`` between
    clauses.

    A clause that ends in a question mark ends with ``QUESTION`` instead; a trailing question
    mark is kept, a trailing full stop is not.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalize(text)):
        kind = match.lastgroup
        if kind == "stop":
            mark = QUESTION if "?" in match.group() else BOUNDARY
            if tokens and tokens[-1] in BOUNDARIES:
                tokens[-1] = QUESTION if QUESTION in (mark, tokens[-1]) else BOUNDARY
            elif tokens:
                tokens.append(mark)
        elif kind == "word":
            tokens.extend(SHORTHAND.get(match.group(), (match.group(),)))
        else:
            tokens.append(match.group())
    if tokens and tokens[-1] == BOUNDARY:
        tokens.pop()
    return tokens


def is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


# consonant, vowel, consonant: a short word that lost its final e to -ed or -ing
_SHORT_SYLLABLE = re.compile(r"[^aeiou][aeiou][^aeiouwxy]")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: plural, -ing, -ed, final -e (not of four-letter words: made is
    not mad), doubled final consonant.

    It need not produce real words, only the same stem for the forms staff actually write:
    delay/delays/delayed, cancel/cancelled/cancelling, arrive/arriving/arrived, bag/bags.
    """
    w = word.removesuffix("'s")
    if len(w) <= 3 or w in _UNSTEMMED or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        w = w[:-1]
    suffixed = False
    if w.endswith("ing") and len(w) >= 6:
        w, suffixed = w[:-3], True
    elif w.endswith("ed") and not w.endswith("eed") and len(w) >= 5:
        w, suffixed = w[:-2], True
    if suffixed and _SHORT_SYLLABLE.fullmatch(w):
        w += "e"  # hated, hating -> hate (not hat); caring -> care (not car)
    if w.endswith("e") and len(w) >= 5:  # made, hate, cute, late, fine keep their e:
        w = w[:-1]                       # without it they are mad, hat, cut, lat(te), fin
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


def stems(tokens: list[str]) -> list[str]:
    return [t if t in BOUNDARIES else stem(t) for t in tokens]


def parse_tags(text: str) -> list[str]:
    """The ``#tags`` in a text, lowercase, in order, without repeats (``#Check-in`` -> check-in)."""
    found: list[str] = []
    for match in _TAG.finditer(normalize(text)):
        tag = match.group(1).replace("_", "-").strip("-")
        if tag and tag not in found:
            found.append(tag)
    return found
