"""The language rules' word lists, read once from the TOML files in ``bot/data``.

The cue words (:mod:`bot.kindwords`), the words that steer how a sentence is read
(:mod:`bot.kindcues`) and the tokeniser's shorthand, negators and stop words
(:mod:`bot.textnorm`) are data; the modules keep only how a sentence is read around them.
``moments rules check`` (:mod:`bot.rulecheck`) looks the lists over.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = "bot"
_FOLDER = "data"


class RuleDataError(ValueError):
    """A rules file is malformed: a bug in the shipped data, caught by the tests."""


@cache
def load(name: str) -> dict[str, Any]:
    """The decoded ``bot/data/<name>.toml``, read once per process."""
    path = resources.files(_PACKAGE).joinpath(_FOLDER).joinpath(f"{name}.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"{name}.toml: {exc}") from exc


def strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    """``table[key]``, a list of strings, in the file's order."""
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleDataError(f"{key!r} must be a list of strings")
    return tuple(value)


def words(table: dict[str, Any], key: str) -> frozenset[str]:
    """``table[key]``, a list of strings, as a set."""
    return frozenset(strings(table, key))


def phrases(table: dict[str, Any], key: str) -> tuple[tuple[str, ...], ...]:
    """``table[key]``, a list of lists of strings (word sequences), in the file's order."""
    value = table.get(key)
    if not isinstance(value, list):
        raise RuleDataError(f"{key!r} must be a list of lists of strings")
    return tuple(strings({key: v}, key) for v in value)


def number(table: dict[str, Any], key: str) -> float:
    """``table[key]``, a number."""
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleDataError(f"{key!r} must be a number")
    return float(value)


def tables(table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """``table[key]``, an array of tables (``[[key]]``), in the file's order."""
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RuleDataError(f"{key!r} must be an array of tables")
    return value


def table(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]``, a table."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise RuleDataError(f"{key!r} must be a table")
    return value
