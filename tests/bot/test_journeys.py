from __future__ import annotations

import re

import pytest

from bot.journeys import (
    TemplateError,
    UnknownTemplateError,
    load_template,
    parse_template,
    template_names,
)
from bot.textnorm import normalize, tokenize

EXPECTED_SLUGS = {
    "airline": [
        "information", "reservation", "check-in", "boarding", "flight", "disruption", "baggage",
        "customer-service",
    ],
    "hotel": [
        "booking", "arrival", "room", "housekeeping", "dining", "facilities", "staff",
        "location", "billing",
    ],
    "restaurant": [
        "reservation", "arrival", "service", "food", "drinks", "ambience", "bill", "location",
    ],
}  # fmt: skip


def test_the_five_templates_ship() -> None:
    assert template_names() == ["airline", "clinic", "hotel", "restaurant", "retail"]


@pytest.mark.parametrize("name", sorted(EXPECTED_SLUGS))
def test_journey_slugs_are_exact_and_in_order(name: str) -> None:
    journey = load_template(name)
    assert journey.name == name
    assert [tp.slug for tp in journey.touchpoints] == EXPECTED_SLUGS[name]


@pytest.mark.parametrize("name", ["retail", "clinic"])
def test_designed_journeys_have_six_to_nine_touchpoints(name: str) -> None:
    assert 6 <= len(load_template(name).touchpoints) <= 9


@pytest.mark.parametrize("name", template_names())
def test_every_touchpoint_is_complete(name: str) -> None:
    journey = load_template(name)
    assert journey.title
    for tp in journey.touchpoints:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tp.slug)
        assert tp.name and tp.description and "\n" not in tp.description
        assert tokenize(tp.emoji) == [normalize(tp.emoji)], (tp.slug, tp.emoji)  # one emoji
        assert len(tp.keywords) >= 15, tp.slug
        assert len(set(tp.keywords)) == len(tp.keywords), f"{name}/{tp.slug} repeats a keyword"


def test_names_are_case_insensitive_and_cached() -> None:
    assert load_template(" Airline ") is load_template("airline")


def test_unknown_template_names_the_choices() -> None:
    with pytest.raises(UnknownTemplateError) as info:
        load_template("spaceship")
    message = str(info.value)
    assert "spaceship" in message
    for name in template_names():
        assert name in message
    assert isinstance(info.value, ValueError)


def _doc(*touchpoints: dict[str, object]) -> dict[str, object]:
    return {"name": "t", "title": "T", "touchpoints": list(touchpoints)}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        (_doc({"slug": "Check In", "name": "Check-in"}), "slug"),
        (_doc({"slug": "a", "name": "A"}, {"slug": "a", "name": "B"}), "twice"),
        (_doc({"slug": "a", "name": ""}), "name"),
        (_doc({"slug": "a", "name": "A", "keywords": "bag"}), "keywords"),
        (_doc(), "touchpoints"),
        ({"title": "T", "touchpoints": [{"slug": "a", "name": "A"}]}, "name"),
    ],
)
def test_malformed_templates_are_rejected(doc: dict[str, object], problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        parse_template(doc)
