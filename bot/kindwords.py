"""The kind cue words and emoji, by weight: positive points to WOW, negative to OW.

Written by hand from general language and from the events that let customers down or delight
them in service work (delays, lost things, rudeness; upgrades, remembered names). They are data,
in ``bot/data/kindwords.toml``; phrases win over their words; :mod:`bot.kindcues` reads them in
a sentence.
"""

from __future__ import annotations

from bot.ruledata import RuleDataError, load, number, strings, tables


def _cues() -> dict[float, tuple[str, ...]]:
    """Weight -> phrases, in the file's order (where a phrase has two weights, the first wins)."""
    cues: dict[float, tuple[str, ...]] = {}
    for group in tables(load("kindwords"), "cues"):
        weight = number(group, "weight")
        if weight in cues or not weight:
            raise RuleDataError(f"kindwords.toml: weight {weight} is zero or given twice")
        cues[weight] = strings(group, "phrases")
    return cues


CUES: dict[float, tuple[str, ...]] = _cues()
