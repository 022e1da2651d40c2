"""Real-world spellings of customers' details, and the ordinary figures around them.

Each ``GONE`` row is a sentence with one or more customer details in it (the ``{}``); the
details must be replaced by their label and every other character of the sentence kept. Each
``KEPT`` row is a sentence with no customer detail in it: it must come back exactly as written.
"""

from __future__ import annotations

import pytest

from bot.redact import redact

# (sentence with {} for each detail, the details as a customer or colleague would write them,
#  the label each becomes)
GONE: list[tuple[str, tuple[str, ...], str | tuple[str, ...]]] = [
    # phones: Sweden
    ("call her back on {} today", ("+46 70 123 45 67",), "phone"),
    ("call her back on {} today", ("070-123 45 67",), "phone"),
    ("call her back on {} today", ("0701234567",), "phone"),
    ("call her back on {} today", ("+46701234567",), "phone"),
    ("call her back on {} today", ("0046 70 123 45 67",), "phone"),
    ("call her back on {} today", ("070.123.45.67",), "phone"),
    ("call her back on {} today", ("+46 (0)70 123 45 67",), "phone"),
    ("the office number {} rang out", ("08-123 456 78",), "phone"),
    # United Kingdom
    ("guest's number is {}, call after 6", ("+44 20 7946 0958",), "phone"),
    ("guest's number is {}, call after 6", ("020 7946 0958",), "phone"),
    ("guest's number is {}, call after 6", ("(020) 7946 0958",), "phone"),
    ("guest's number is {}, call after 6", ("07911 123456",), "phone"),
    ("guest's number is {}, call after 6", ("+44 7911 123456",), "phone"),
    ("guest's number is {}, call after 6", ("0044 20 7946 0958",), "phone"),
    # United States
    ("ring {} about the bag", ("(415) 555-2671",), "phone"),
    ("ring {} about the bag", ("415-555-2671",), "phone"),
    ("ring {} about the bag", ("415.555.2671",), "phone"),
    ("ring {} about the bag", ("+1 415 555 2671",), "phone"),
    ("ring {} about the bag", ("+1 (212) 555-0123",), "phone"),
    ("ring {} about the bag", ("1-800-555-0199",), "phone"),
    # Germany
    ("Rückruf unter {} erbeten", ("+49 30 901820",), "phone"),
    ("Rückruf unter {} erbeten", ("030 901820",), "phone"),
    ("Rückruf unter {} erbeten", ("0151 23456789",), "phone"),
    ("Rückruf unter {} erbeten", ("+49 151 23456789",), "phone"),
    ("Rückruf unter {} erbeten", ("0049 89 1234567",), "phone"),
    # France
    ("rappeler le {} svp", ("+33 1 42 68 53 00",), "phone"),
    ("rappeler le {} svp", ("01 42 68 53 00",), "phone"),
    ("rappeler le {} svp", ("06 12 34 56 78",), "phone"),
    ("rappeler le {} svp", ("06.12.34.56.78",), "phone"),
    ("rappeler le {} svp", ("0033 6 12 34 56 78",), "phone"),
    # Netherlands
    ("bel de gast op {} terug", ("+31 20 794 0000",), "phone"),
    ("bel de gast op {} terug", ("020-794 0000",), "phone"),
    ("bel de gast op {} terug", ("06-12345678",), "phone"),
    ("bel de gast op {} terug", ("+31 6 12345678",), "phone"),
    # India
    ("customer on {} waited an hour", ("+91 98765 43210",), "phone"),
    ("customer on {} waited an hour", ("098765 43210",), "phone"),
    ("customer on {} waited an hour", ("+91-22-2345-6789",), "phone"),
    # Australia
    ("text the guest at {} when ready", ("+61 2 9374 4000",), "phone"),
    ("text the guest at {} when ready", ("(02) 9374 4000",), "phone"),
    ("text the guest at {} when ready", ("0412 345 678",), "phone"),
    ("text the guest at {} when ready", ("+61 412 345 678",), "phone"),
    # Japan
    ("the guest's phone {} was wrong in the system", ("+81 3-1234-5678",), "phone"),
    ("the guest's phone {} was wrong in the system", ("03-1234-5678",), "phone"),
    ("the guest's phone {} was wrong in the system", ("090-1234-5678",), "phone"),
    ("the guest's phone {} was wrong in the system", ("+81 90 1234 5678",), "phone"),
    # Brazil
    ("ligar para {} amanhã", ("+55 11 91234-5678",), "phone"),
    ("ligar para {} amanhã", ("(11) 91234-5678",), "phone"),
    ("ligar para {} amanhã", ("+55 (21) 2345-6789",), "phone"),
    # two numbers side by side, or a number beside a card
    ("phones {} {}", ("0701234567", "0707654321"), "phone"),
    ("phones {} / {}", ("070-123 45 67", "08-123 456 78"), "phone"),
    ("try {} or {}", ("+44 20 7946 0958", "+44 7911 123456"), "phone"),
    # cards: Visa, Mastercard, Amex (15 digits), Discover; spaces, dashes, dots, none
    ("paid with {} and it failed", ("4111 1111 1111 1111",), "card"),
    ("paid with {} and it failed", ("4111-1111-1111-1111",), "card"),
    ("paid with {} and it failed", ("4111.1111.1111.1111",), "card"),
    ("paid with {} and it failed", ("4111111111111111",), "card"),
    ("paid with {} and it failed", ("5555 5555 5555 4444",), "card"),
    ("paid with {} and it failed", ("5105-1051-0510-5100",), "card"),
    ("paid with {} and it failed", ("2223 0031 2200 3222",), "card"),
    ("paid with {} and it failed", ("3782 822463 10005",), "card"),
    ("paid with {} and it failed", ("3714-496353-98431",), "card"),
    ("paid with {} and it failed", ("378282246310005",), "card"),
    ("paid with {} and it failed", ("6011 1111 1111 1117",), "card"),
    ("seat 12 {}", ("4111 1111 1111 1111",), "card"),
    ("card {}, expiry next year", ("5555555555554444",), "card"),
    # IBANs of several countries, grouped and not, upper and lower case
    ("refund to {} please", ("SE45 5000 0000 0583 9825 7466",), "bank-account"),
    ("refund to {} please", ("SE4550000000058398257466",), "bank-account"),
    ("refund to {} please", ("GB82 WEST 1234 5698 7654 32",), "bank-account"),
    ("refund to {} please", ("GB82WEST12345698765432",), "bank-account"),
    ("refund to {} please", ("gb82 west 1234 5698 7654 32",), "bank-account"),
    ("refund to {} please", ("DE89 3704 0044 0532 0130 00",), "bank-account"),
    ("refund to {} please", ("DE89370400440532013000",), "bank-account"),
    ("refund to {} please", ("FR14 2004 1010 0505 0001 3M02 606",), "bank-account"),
    ("refund to {} please", ("NL91 ABNA 0417 1643 00",), "bank-account"),
    ("refund to {} please", ("NL91ABNA0417164300",), "bank-account"),
    ("refund to {} please", ("ES91 2100 0418 4502 0005 1332",), "bank-account"),
    ("refund to {} please", ("IT60 X054 2811 1010 0000 0123 456",), "bank-account"),
    ("refund to {} please", ("NO93 8601 1117 947",), "bank-account"),
    ("refund to {} please", ("DK50 0040 0440 1162 43",), "bank-account"),
    ("refund to {} please", ("FI21 1234 5600 0007 85",), "bank-account"),
    ("refund to {} please", ("CH93 0076 2011 6238 5295 7",), "bank-account"),
    ("refund to {} please", ("BE68 5390 0754 7034",), "bank-account"),
    ("IBAN: {}.", ("SE45 5000 0000 0583 9825 7466",), "bank-account"),
    # emails, plain and spelled out
    ("guest {} wrote twice", ("anna@example.com",), "email"),
    ("guest {} wrote twice", ("anna.berg+sas@example.co.uk",), "email"),
    ("guest {} wrote twice", ("ANNA.BERG@EXAMPLE.SE",), "email"),
    ("guest {} wrote twice", ("anna(at)example.com",), "email"),
    ("guest {} wrote twice", ("anna [at] example [dot] com",), "email"),
    ("guest {} wrote twice", ("anna(at)example(dot)com",), "email"),
    ("guest {} wrote twice", ("anna {at} example {dot} se",), "email"),
    ("guest {} wrote twice", ("anna at example dot com",), "email"),
    ("guest {} wrote twice", ("anna @ example.com",), "email"),
    ("guest {} wrote twice", ("anna_berg@mail.example.org",), "email"),
    # booking references after a cue word, any case, and bare upper-case ones
    ("PNR {} could not be found", ("ABC123",), "booking-ref"),
    ("pnr {} could not be found", ("abc123",), "booking-ref"),
    ("booking ref {} was lost", ("k7xq2p",), "booking-ref"),
    ("Booking reference: {} was lost", ("X7K9QP",), "booking-ref"),
    ("confirmation number {} sent twice", ("9Q8W7E",), "booking-ref"),
    ("record locator {} sent twice", ("qwe12r",), "booking-ref"),
    ("reservation #{} for two", ("HB4711ZZ",), "booking-ref"),
    ("e-ticket number {} was void", ("1172345678901",), "booking-ref"),
    ("rebooked {} onto the later flight", ("X7K9QP",), "booking-ref"),
    # Swedish personal identity numbers (personnummer), the forms people type
    ("personnummer {} i journalen", ("811228-9874",), "id-number"),
    ("personnummer {} i journalen", ("19811228-9874",), "id-number"),
    ("personnummer {} i journalen", ("198112289874",), "id-number"),
    ("personnummer {} i journalen", ("8112289874",), "id-number"),
    ("pnr {} i journalen", ("670919-9530",), "id-number"),
    # details beside ordinary figures
    ("call {} {}", ("+46 70 123 45 67", "4111 1111 1111 1111"), ("phone", "card")),
    ("flight SK 1415 at 10:30, guest on {}", ("070-123 45 67",), "phone"),
    ("room 1204, card {} declined", ("5555 5555 5555 4444",), "card"),
    ("at 10:30 on 2026-11-16 {} wrote", ("anna@example.com",), "email"),
    ("IP 192.168.1.20 and phone {}", ("020 7946 0958",), "phone"),
    ("paid 1 299 kr with {} on 16.11.2026", ("4111 1111 1111 1111",), "card"),
    ("seat 12C, {}, pnr {}", ("+46701234567", "k7xq2p"), ("phone", "booking-ref")),
]

# Sentences with no customer detail: each comes back exactly as written.
KEPT: list[str] = [
    "the router at 192.168.1.20 was down all morning",
    "wifi gateway 10.0.0.1 and printer 172.16.254.1",
    "boarded at 10:30 and left at 11.45",
    "the delay ran from 10:00-12:00",
    "on 2026-11-16 the lounge was full",
    "on 16.11.2026 the lounge was full",
    "on 16/11/2026 and 11/16/2026 at 9:05",
    "2026-11-16 10:30 the gate changed",
    "flight SK 1415 from gate 12 left late",
    "flight SK1415 and SK1416 were merged",
    "BA 0287 to San Francisco and DY 4371 to Oslo",
    "paid 1 299 kr for the upgrade",
    "refunded €1,299.00 and $45.50",
    "SEK 12 500 in vouchers, 2 450 SEK in cash",
    "seat 12C had no screen",
    "seats 12C and 12D were swapped",
    "room 1204 had no hot water",
    "rooms 1204 and 1206 were not cleaned",
    "20% off the weekend, 99.5 % on time",
    "order quantity 250 units, 3 x 12 bottles",
    "in 2025 and again in 2026",
    "order 123456789 arrived late",
    "order 12345678 is missing a pizza",
    "row 23, gate 7, terminal 5",
    "Flight 42 boarded at 9:30 on 16 Nov 2026 from gate 7; 3 bags came late",
    "waited 45 minutes with 3 kids",
    "the ticket number was wrong on the pass",
    "the booking reference changed twice",
    "the phone number was missing from the booking",
    "version 2.3.1 of the app crashed at check-in",
    "we met at Arlanda.Then we drove",
    "ISO 9001 audit, COVID-19 rules",
    "bag tag 0117 and gate B12",
    "12/24 hours, 0.5 l water per person",
    "temperature 21.5 in the lobby, 1,000 points awarded",
    "week 47, year 2026",
    "the guest at the desk was calm",
    "table 14 ordered 6 coffees at 14:05",
    "postcode SW1A 1AA, zip 94103",
    "between 10 and 12 guests, 4 to 6 staff",
    "she used 3 of 5 vouchers, 2 of 4 cards",
    "the 737-800 was swapped for an A320",
]


def _expected(template: str, kinds: str | tuple[str, ...], n: int) -> str:
    labels = (kinds,) * n if isinstance(kinds, str) else kinds
    return template.format(*(f"[{k}]" for k in labels))


@pytest.mark.parametrize(
    ("template", "details", "kinds"), GONE, ids=[" ".join(r[1]) for r in GONE]
)
def test_a_customers_detail_is_gone_and_the_sentence_stays(
    template: str, details: tuple[str, ...], kinds: str | tuple[str, ...]
) -> None:
    result = redact(template.format(*details))
    assert result.text == _expected(template, kinds, len(details))


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_figures_stay(text: str) -> None:
    result = redact(text)
    assert (result.text, result.found) == (text, ())


def test_the_table_is_large() -> None:
    assert len(GONE) + len(KEPT) >= 150
