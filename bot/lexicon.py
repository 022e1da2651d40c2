"""A general sentiment lexicon for the words our own kind cues (:mod:`bot.kindcues`) do not know.

The lexicon is VADER's (``vader_lexicon.txt`` from the installed ``vaderSentiment`` package, MIT,
C.J. Hutto; see THIRD_PARTY.md): about 7,500 English words, emoticons and slang rated by people
from -4 (most negative) to +4. Only its words are used, as a plain dict read from the package's
own file at first use, once per process and shared by every workspace's filer; VADER's analyser
is not run. Word forms the file lacks are found by their stem (``gutted`` -> ``gut``) when every
rated form with that stem leans the same way.
"""

from __future__ import annotations

import threading
from importlib import resources

from bot.textnorm import NEGATORS, STOPWORDS, stem

PACKAGE = "vaderSentiment"
FILENAME = "vader_lexicon.txt"

_lock = threading.Lock()
_valences: dict[str, float] | None = None


def valences() -> dict[str, float]:
    """Word (and stem) -> valence in -4..4, read from the installed package on first use."""
    global _valences
    if _valences is None:
        with _lock:
            if _valences is None:
                _valences = _parse(read_lexicon())
    return _valences


def read_lexicon() -> str:
    """The lexicon file's text, as the installed package ships it."""
    return (resources.files(PACKAGE) / FILENAME).read_text(encoding="utf-8")


def _parse(text: str) -> dict[str, float]:
    words: dict[str, float] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        word = fields[0].strip().lower()
        # Words only: emoticons never reach us as tokens, and negators are handled as such.
        if not word.isalpha() or word in NEGATORS or word in STOPWORDS:
            continue
        try:
            words[word] = float(fields[1])
        except ValueError:
            continue
    by_stem: dict[str, list[float]] = {}
    for word, value in words.items():
        by_stem.setdefault(stem(word), []).append(value)
    found = dict(words)
    for key, values in by_stem.items():
        if key in found:
            continue
        if all(v > 0 for v in values) or all(v < 0 for v in values):
            found[key] = sum(values) / len(values)
    return found


def valence(token: str, stemmed: str) -> float:
    """The token's valence (0 when the lexicon does not rate it), by its own form first."""
    table = valences()
    value = table.get(token)
    if value is None:
        value = table.get(stemmed, 0.0)
    return value
