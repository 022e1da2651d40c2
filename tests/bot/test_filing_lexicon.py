"""Kind from the sentiment lexicon where our own cue words are silent."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from bot import lexicon
from bot.domain import MomentKind
from bot.filing import KeywordFiler
from bot.kindcues import cue_score
from bot.textnorm import stems, tokenize

# Clear sentiment in words that are none of our cue words (the brief's "absolute gem" and
# "shambles" are cue words already).
DELIGHTED = [
    "the gate agent was a sweetheart",
    "our server was a champ",
    "the purser was a darling to my mother",
    "the cabin crew were heroic",
]
LET_DOWN = [
    "I felt cheated at the counter",
    "we were fuming at the gate",
    "the lounge felt grim",
    "we felt robbed at the bar",
]


def _cues(text: str) -> float:
    tokens = tokenize(text)
    return cue_score(tokens, stems(tokens))


@pytest.mark.parametrize(("text", "kind"), [(t, MomentKind.WOW) for t in DELIGHTED]
                         + [(t, MomentKind.OW) for t in LET_DOWN])
def test_cold_kind_from_the_lexicon_where_no_cue_word_speaks(text: str, kind: MomentKind) -> None:
    assert _cues(text) == 0.0  # our cue words alone would give no kind
    assert KeywordFiler().guess(text, []).kind is kind


def test_negation_flips_a_lexicon_word_as_it_flips_a_cue() -> None:
    filer = KeywordFiler()
    assert filer.guess("the steward was not a sweetheart", []).kind is MomentKind.OW
    assert filer.guess("the agent was no champ", []).kind is MomentKind.OW


def test_the_cue_words_decide_where_they_speak() -> None:
    # "sweetheart" rates +3.3 in the lexicon, but the cue words have spoken: let down.
    assert KeywordFiler().guess("a sweetheart, but they lost my bag", []).kind is MomentKind.OW


def test_warm_the_lexicon_still_counts_where_the_teams_words_are_new() -> None:
    filer = KeywordFiler()
    for text, kind in [("lovely smooth boarding", MomentKind.WOW),
                       ("my flight was delayed again", MomentKind.OW)] * 5:
        filer.learn(text, kind, None)
    assert filer.guess("the purser was a darling to my mother", []).kind is MomentKind.WOW
    assert filer.guess("we were fuming at the gate", []).kind is MomentKind.OW


def test_the_lexicon_is_read_from_the_installed_package() -> None:
    dist = metadata.distribution("vaderSentiment")
    shipped = Path(str(dist.locate_file(f"{lexicon.PACKAGE}/{lexicon.FILENAME}")))
    assert lexicon.read_lexicon() == shipped.read_text(encoding="utf-8")
    assert lexicon.valences()["sweetheart"] == pytest.approx(3.3)
    repo = Path(__file__).resolve().parents[2]
    copies = [p for p in repo.rglob("vader_lexicon*") if ".venv" not in p.parts]
    assert copies == []  # read from the package, never vendored


def test_the_lexicon_is_loaded_once_per_process() -> None:
    assert lexicon.valences() is lexicon.valences()
