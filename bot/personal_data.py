"""Where a customer's details sit in a text: emails, bank accounts, id numbers, cards, phones.

Each finder returns the spans to replace and leaves everything else alone. Numbers are read
the way people write them: grouped with spaces, dashes, dots or brackets, and often side by
side ("0701234567 0707654321", "+46 70 123 45 67 4111 1111 1111 1111"). A run of digit groups
is therefore split into the parts that are each a valid card or phone number, and a part that
is neither (a seat, a year, a date, an IP address, an order number) stays as written.

Phone numbers are checked against Google's numbering plans (the ``phonenumbers`` package):
the one piece of data here too large to keep by hand. Its import is deferred to the first
text with a phone-shaped run in it, so the pattern sandbox's workers never load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Span = tuple[int, int, str]  # start, end, kind

# Regions whose national numbers are tried when no country code is written. Numbers written
# with + or 00 are checked against every country's plan.
NATIONAL_REGIONS = ("SE", "GB", "DE", "FR", "NL", "NO", "DK", "FI", "IN", "AU", "JP", "BR",
                    "IE", "BE", "AT", "CH", "NZ", "ZA")
# Numbers written without a leading 0 count only in these shapes: North America's
# (415) 555-2671 / 415-555-2671 / 1-800-555-0199, and Brazil's (11) 91234-5678.
NORTH_AMERICAN = re.compile(r"(?:1[-. ]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}")
BRAZILIAN = re.compile(r"\(\d{2}\) ?\d{4,5}[- ]?\d{4}")

# Emails -----------------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@| @ )[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_AT = r"(?P<at>\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}"
    r"(?P<tld>[A-Za-z]{2,24})\b", re.IGNORECASE)
# With a bare word "at" the last part must be a familiar ending: "we met at Arlanda.Then" stays.
COMMON_TLDS = frozenset({
    "com", "org", "net", "edu", "gov", "io", "co", "uk", "se", "de", "fr", "nl", "no", "dk",
    "fi", "es", "it", "ch", "at", "be", "ie", "pl", "pt", "eu", "us", "ca", "au", "nz", "in",
    "jp", "br", "info", "biz", "me", "app"})


def emails(text: str) -> list[Span]:
    spans = [(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    for m in SPELLED_EMAIL.finditer(text):
        bracketed = any(ch in m.group("at") for ch in "([{<")
        if bracketed or m.group("tld").lower() in COMMON_TLDS:
            spans.append((m.start(), m.end(), "email"))
    return spans


# Bank accounts (IBAN) ---------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}
IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")


def iban_ok(compact: str) -> bool:
    """The ISO 13616 check: the country's length, and the number mod 97 is 1."""
    compact = compact.upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def ibans(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in IBAN_START.finditer(text):
        want = IBAN_LENGTHS.get(m.group(0)[:2].upper())
        if want is None:
            continue
        i, taken = m.start(), 0
        chars: list[str] = []
        while i < len(text) and taken < want:
            ch = text[i]
            if ch.isascii() and ch.isalnum():
                chars.append(ch)
                taken += 1
            elif not (ch == " " and i + 1 < len(text) and text[i + 1].isalnum() and chars):
                break
            i += 1
        ends_clean = i >= len(text) or not text[i].isalnum()
        if taken == want and ends_clean and iban_ok("".join(chars)):
            spans.append((m.start(), i, "bank-account"))
    return spans


# National id numbers: the Swedish personnummer and samordningsnummer ---------------------

PERSONNUMMER = re.compile(
    r"(?<![\w+-])(?P<century>19|20)?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<sep>[-+]?)"
    r"(?P<last>\d{4})(?![\w-])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def id_numbers(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in PERSONNUMMER.finditer(text):
        month, day = int(m.group("mm")), int(m.group("dd"))
        day = day - 60 if day > 60 else day  # samordningsnummer: the day plus 60
        ten = m.group("yy") + m.group("mm") + m.group("dd") + m.group("last")
        if not (1 <= month <= 12 and 1 <= day <= 31 and luhn_ok(ten)):
            continue
        if not m.group("sep") and not m.group("century") and phone_ok(m.group(0)):
            continue  # ten bare digits that also make a phone number: the phone reading wins
        spans.append((m.start(), m.end(), "id-number"))
    return spans


# Cards and phones: runs of digit groups ----------------------------------------------------

# A run starts at a digit, "+" or "(" that does not continue a word, a decimal or a time.
RUN = re.compile(
    r"(?<![\w.,:/+\-])(?:\+|\(\+?)?\d+\)?"
    r"(?:(?:[ \u00a0]?[-./][ \u00a0]?|[ \u00a0]?\([ \u00a0]?|(?<=\))[ \u00a0]?|[ \u00a0])\d+\)?)*")
GROUP = re.compile(r"\d+")
MAX_GROUPS = 8  # a card or phone is written in at most this many groups ("+46 (0)70 123 45 67")
IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")
NOT_A_NUMBER = (
    IPV4,
    re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}"),  # 2026-11-16
    re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"),  # 16.11.2026, 11/16/2026
    re.compile(r"\d{1,2}[.:]\d{2} ?[-–] ?\d{1,2}[.:]\d{2}"),  # 09.30-11.45
)


@dataclass(frozen=True, slots=True)
class _Group:
    start: int  # of the text that belongs to this group, a leading "+" or "(" included
    end: int  # a closing ")" included
    digits: str


def card_ok(raw: str) -> bool:
    """13-19 digits from a card network (2-6), one kind of separator, and the Luhn check."""
    if any(ch in raw for ch in "+()"):
        return False
    digits = re.sub(r"\D", "", raw)
    separators = set(re.findall(r"\D", raw))
    return (13 <= len(digits) <= 19 and digits[0] in "23456" and len(separators) <= 1
            and luhn_ok(digits))


@lru_cache(maxsize=1)
def _phonenumbers() -> Any:
    import phonenumbers  # deferred: a large library, only needed once a number turns up

    return phonenumbers


@lru_cache(maxsize=4096)
def phone_ok(raw: str) -> bool:
    """A number valid in some country's plan, written as people write phone numbers."""
    raw = raw.strip()
    if any(p.fullmatch(raw) for p in NOT_A_NUMBER):
        return False
    digits = re.sub(r"\D", "", raw)
    if not 7 <= len(digits) <= 17:
        return False
    if raw.startswith("00"):
        return _valid("+" + raw[2:], (None,))
    if raw.startswith(("+", "(+")):
        return _valid(raw, (None,))
    if raw.startswith(("0", "(0")):
        return _valid(raw, NATIONAL_REGIONS)
    if NORTH_AMERICAN.fullmatch(raw):  # possible is enough: 555 numbers are real to a guest
        return bool(_phonenumbers().is_possible_number_string(raw, "US"))
    return bool(BRAZILIAN.fullmatch(raw)) and _valid(raw, ("BR",))


def _valid(raw: str, regions: tuple[str | None, ...]) -> bool:
    pn = _phonenumbers()
    for region in regions:
        try:
            number = pn.parse(raw, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number):
            return True
    return False


def _groups(run: re.Match[str]) -> list[_Group]:
    text, groups = run.group(0), []
    for g in GROUP.finditer(text):
        start, end = g.start(), g.end()
        while start > 0 and text[start - 1] in "+(":
            start -= 1
        if end < len(text) and text[end] == ")":
            end += 1
        groups.append(_Group(run.start() + start, run.start() + end, g.group(0)))
    return groups


def _best_split(text: str, groups: list[_Group], check: Callable[[str], str | None]
                ) -> list[Span]:
    """The parts of a run that are cards or phones, covering as many of its digits as can be."""
    n = len(groups)
    best: list[tuple[int, int, list[Span]]] = [(0, 0, [])] * (n + 1)  # (digits, -parts, spans)
    for j in range(1, n + 1):
        best[j] = best[j - 1]
        for i in range(max(0, j - MAX_GROUPS), j):
            raw = text[groups[i].start:groups[j - 1].end]
            kind = check(raw)
            if kind is None:
                continue
            covered, parts, spans = best[i]
            candidate = (covered + sum(len(g.digits) for g in groups[i:j]), parts - 1,
                         [*spans, (groups[i].start, groups[j - 1].end, kind)])
            if candidate[:2] > best[j][:2]:
                best[j] = candidate
    return best[n][2]


def _kind(raw: str) -> str | None:
    if card_ok(raw):
        return "card"
    if phone_ok(raw):
        return "phone"
    return None


def cards_and_phones(text: str) -> list[Span]:
    spans: list[Span] = []
    for run in RUN.finditer(text):
        if sum(ch.isdigit() for ch in run.group(0)) < 7:
            continue  # a seat, a room, a year, a price: too short to be either
        spans.extend(_best_split(text, _groups(run), _kind))
    return spans


def replace(text: str, spans: list[Span], mark: Callable[[str], str]) -> str:
    """``text`` with each span (non-overlapping, as found) replaced by its label."""
    out, at = [], 0
    for start, end, kind in sorted(spans):
        if start < at:
            continue  # overlaps one already replaced
        out += [text[at:start], mark(kind)]
        at = end
    out.append(text[at:])
    return "".join(out)
