"""Customers' personal data never reaches storage: it is replaced before a moment is saved.

Staff retell what happened, and a retelling easily carries a guest's email, phone number, card
number or booking reference. None of that helps improve a touchpoint, so it is redacted and
the original is not kept anywhere.
"""

from __future__ import annotations

import atexit
import multiprocessing
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from bot import personal_data, words
from bot.errors import UserError
from bot.markup import code
from bot.personal_data import luhn_ok as luhn_ok  # where the tests and callers look for it

T = TypeVar("T")
PATTERN_SECONDS = 2.0  # a workspace's patterns on one text, or a new pattern's checks

# Characters that reorder or hide text without showing: a right-to-left override makes a stored
# moment read backwards, and any of them can split a number so that it is no longer found.
# (The zero-width joiner and non-joiner stay: emoji sequences and some scripts need them.)
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]")
BOOKING_AFTER_WORD = re.compile(
    r"\b(booking|reservation|confirmation|record locator|pnr|ref(?:erence)?|(?:e-?)?ticket)"
    r"(\s+(?:number|no\.?|code|ref|reference))?(\s*[:#]\s*|\s+#?)([A-Z0-9]{5,14})\b",
    re.IGNORECASE,
)
EXAMPLE_PATTERN = r"EMP-\d{5}"  # the example the help and the errors give
BOOKING_CODE = re.compile(r"\b(?=[A-Z0-9]{6}\b)(?=(?:[A-Z0-9]*\d))(?=(?:[0-9]*[A-Z]){2})[A-Z0-9]{6}\b")
FLIGHT_NUMBER = re.compile(r"^[A-Z0-9]{2}\d{1,4}$")
AIRLINE_CUES = ("booking", "reservation", "pnr", "record locator", "confirmation")


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    found: tuple[str, ...]  # kinds removed, e.g. ("email", "phone")


def redact(text: str, extra_patterns: Iterable[re.Pattern[str]] = ()) -> Redacted:
    """Replace personal data with a label such as ``[email]``; say what was removed."""
    found: list[str] = []

    def mark(kind: str) -> str:
        if kind not in found:
            found.append(kind)
        return f"[{kind}]"

    text = INVISIBLE.sub("", text)
    for find in (personal_data.emails, personal_data.ibans, personal_data.id_numbers,
                 personal_data.cards_and_phones):
        text = personal_data.replace(text, find(text), mark)

    def booking(m: re.Match[str]) -> str:
        cue, code = m.group(1).lower(), m.group(4)
        if not any(ch.isdigit() for ch in code) and not (code.isupper() and len(code) == 6):
            return m.group(0)  # a word, not a code: "the booking reference changed"
        if FLIGHT_NUMBER.match(code.upper()) and cue not in AIRLINE_CUES:
            return m.group(0)
        return f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{mark('booking-ref')}"

    text = BOOKING_AFTER_WORD.sub(booking, text)
    text = BOOKING_CODE.sub(
        lambda m: m.group(0) if FLIGHT_NUMBER.match(m.group(0)) else mark("booking-ref"), text
    )
    raws = tuple(p.pattern for p in extra_patterns)
    if raws:
        text, count = SANDBOX.call(_apply_patterns, text, raws)
        if count:
            mark("redacted")
    return Redacted(text, tuple(found))


class PatternTimeout(UserError):
    """A workspace's own pattern took too long on a text: nothing is stored unchecked."""


def _apply_patterns(text: str, raws: tuple[str, ...]) -> tuple[str, int]:
    """Runs in the sandbox process. ``re`` caches the compiled patterns there."""
    total = 0
    for raw in raws:
        text, n = re.subn(raw, "[redacted]", text)
        total += n
    return text, total


def _probe_pattern(raw: str, samples: tuple[str, ...]) -> tuple[str, str] | None:
    """Runs in the sandbox process: the first (kind, text) a new pattern must not match."""
    pattern = re.compile(raw)
    if any(m.end() == m.start() for text in ("", *ORDINARY_TEXT) for m in pattern.finditer(text)):
        return ("empty", "")
    if any(pattern.fullmatch(ch) for ch in _SINGLES):
        return ("single", "")
    for sentence in ORDINARY_TEXT:
        found = pattern.search(sentence)
        if found is not None:
            return ("ordinary", f"“{found.group(0)}” in “{sentence}”")
    for sample in samples:  # text that nearly matches, where a backtracking pattern blows up
        pattern.search(sample)
    return None


def _noop() -> None:
    return None


class Sandbox:
    """Runs workspace patterns in a separate process with a time limit.

    Python's ``re`` cannot be interrupted and holds the interpreter while it backtracks, so a
    pattern such as ``(a|aa)+b`` on a long run of a's would freeze every thread of the bot. In a
    worker process it is simply stopped: the workers are killed and started afresh, and the text
    is not stored (the person is told). Legitimate patterns take microseconds; the cost is one
    round trip to the worker, and only for workspaces that added patterns."""

    def __init__(self, seconds: float = PATTERN_SECONDS) -> None:
        self.seconds = seconds
        self._pool: Any = None
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._pool is None:
                self._pool = multiprocessing.get_context("spawn").Pool(processes=2)
                self._pool.apply(_noop)  # started and ready before the clock runs
                atexit.register(self._pool.terminate)
            pool = self._pool
        pending = pool.apply_async(fn, args)
        try:
            return cast(T, pending.get(self.seconds))
        except multiprocessing.TimeoutError:
            with self._lock:
                if self._pool is pool:
                    pool.terminate()
                    self._pool = None
            raise PatternTimeout(words.PATTERN_TIMED_OUT) from None


SANDBOX = Sandbox()


MAX_PATTERN_CHARS = 200
# Text with no personal data in it: a workspace's own pattern that finds anything here would
# redact ordinary retellings, not a customer's details.
ORDINARY_TEXT = (
    "the customer waited at the gate for twenty minutes",
    "The guest thanked Sam and the crew at check-in: quick, friendly and kind!",
    "Flight 42 boarded at 9:30 on 16 Nov 2026 from gate 7; 3 bags came late, row 23 had no water.",
    "Maria found two seats together for a family (with a pram) in the lounge.",
)
_SINGLES = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,"
# Long runs that nearly match common shapes: a pattern that backtracks badly shows it here.
STRESS_TEXT = tuple(run * 3000 + "!" for run in ("a", "1", " ", "a ", "a1", "-", "A", "_", "a-1 "))


def check_pattern(raw: str) -> re.Pattern[str]:
    """A workspace's own redaction pattern, compiled; ValueError says why it can't be one."""
    example = words.MAKE_PATTERN_SPECIFIC.format(example=code(EXAMPLE_PATTERN))
    if len(raw) > MAX_PATTERN_CHARS:
        raise ValueError(words.PATTERN_TOO_LONG.format(length=len(raw), limit=MAX_PATTERN_CHARS))
    if "`" in raw or "\n" in raw or "\r" in raw:
        raise ValueError(words.PATTERN_BACKTICK)
    try:
        pattern = re.compile(raw)
    except re.error as err:
        raise ValueError(words.PATTERN_INVALID.format(pattern=code(raw), error=err,
                                                 example=code(EXAMPLE_PATTERN))) from None
    if nests_repeats(raw):  # before trying it on anything
        raise ValueError(words.PATTERN_NESTED_REPEAT.format(pattern=code(raw)))
    try:  # tried in the sandbox: a pattern may hang on the very sentences it is tried on
        bad = SANDBOX.call(_probe_pattern, raw, STRESS_TEXT)
    except PatternTimeout:
        raise ValueError(words.PATTERN_SLOW.format(pattern=code(raw), advice=example)) from None
    if bad is not None and bad[0] == "empty":
        raise ValueError(words.PATTERN_MATCHES_EMPTY.format(pattern=code(raw), advice=example))
    if bad is not None and bad[0] == "single":
        raise ValueError(words.PATTERN_MATCHES_SINGLE.format(pattern=code(raw), advice=example))
    if bad is not None:
        raise ValueError(words.PATTERN_MATCHES_ORDINARY.format(pattern=code(raw), sample=bad[1],
                                                          advice=example))
    return pattern


def nests_repeats(raw: str) -> bool:
    """True for a group with an open-ended repeat inside that is itself repeated, e.g. ``(a+)+``:
    the shape that makes a regular expression take exponential time on text that nearly matches.
    """
    unbounded = re.compile(r"[*+]|\{\d*,\}")
    stack: list[bool] = []  # per open group: does it contain an open-ended repeat?
    i, closed_repeats = 0, False
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            i += 2
            closed_repeats = False
            continue
        if ch == "[":  # a character class: skip to its end
            j = i + 1
            if j < len(raw) and raw[j] == "^":
                j += 1
            if j < len(raw) and raw[j] == "]":
                j += 1
            while j < len(raw) and raw[j] != "]":
                j += 2 if raw[j] == "\\" else 1
            i, closed_repeats = j + 1, False
            continue
        repeat = unbounded.match(raw, i)
        if repeat is not None:
            if closed_repeats:
                return True
            if stack:
                stack[-1] = True
            i, closed_repeats = repeat.end(), False
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            inner = stack.pop()
            closed_repeats = inner
            if stack and inner:
                stack[-1] = True
            i += 1
            continue
        closed_repeats = False
        i += 1
    return False


def compile_patterns(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """A workspace's own patterns; a broken one is reported, not ignored."""
    compiled = []
    for raw in patterns:
        try:
            compiled.append(re.compile(raw))
        except re.error as err:
            raise ValueError(f"The redaction pattern {raw!r} is not a valid expression: {err}") from None
    return compiled
