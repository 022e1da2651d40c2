"""The figures behind tests/schemas: `python -m tests.handlers.schemas.report` prints, for every card and
Slack payload at its caps, its size, its buttons and how many schema or limit problems it has."""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from typing import Any

from bot import text as render
from bot.domain import Team
from bot.views import ADOPT
from handlers.slack import blocks as slack
from handlers.slack import home, modals
from handlers.teams import cards, ids, journey_card
from handlers.teams import home as teams_home
from tests.handlers.schemas import caps
from tests.handlers.schemas.platform import (
    block_kit_problems,
    card_actions,
    card_schema,
    card_size,
    schema_errors,
)

TASK_MODULE = "log as a moment (task module)"
# the Teams door's own forms (handlers/teams/home.py, journey_card.py), at their caps
SETUP_FORM = "setup form (welcome)"
TEAMS_FORMS = ("home (lead)", "home (member)", "home (no team yet)", "journey editor",
               "journey editor (long names, typed draft)", "journey editor (last page)",
               "touchpoints list (lead)")


def teams_card_names() -> list[str]:
    return [*caps.replies(), TASK_MODULE, SETUP_FORM, *TEAMS_FORMS]


def teams_form(name: str) -> dict[str, Any]:
    if name.startswith("home"):
        view = caps.home_view(lead=name == "home (lead)")
        return teams_home.home_card(view if "no team" not in name else replace(view, team=None))
    team = caps.team()
    if name == "touchpoints list (lead)":
        described = tuple(replace(t, description=caps.filler(300)) for t in caps.JOURNEY)
        return journey_card.listed_card(team, render.touchpoints(described, team).text)
    if "long names" in name:
        journey = tuple(replace(t, name=caps.filler(400, f"n{t.id} ")) for t in caps.JOURNEY)
        draft = {ids.TP_NAME + t.slug: caps.filler(400, f"d{t.id} ") for t in journey}
        draft |= {ids.TP_ADD_SLUG: "x" * 200, ids.TP_ADD_NAME: caps.filler(400)}
        return journey_card.journey_card(team, journey, draft=draft)
    start = len(caps.JOURNEY) - 1 if "last page" in name else 0
    return journey_card.journey_card(team, caps.JOURNEY, start=start)


@functools.cache
def teams_card(name: str) -> dict[str, Any]:
    """One card at its caps, built when first asked for (the digest's draw its chart)."""
    if name in TEAMS_FORMS:
        return teams_form(name)
    if name == SETUP_FORM:  # the welcome at its longest: a long channel name, every template
        from bot import welcome
        from bot.journeys import template_names
        from bot.views import SetupOffer
        from handlers.teams.setup_form import setup_card

        offer = SetupOffer("19:" + "c" * 200, caps.filler(80), "airline", "America/Argentina/ComodRivadavia",
                           tuple(template_names()))
        return setup_card(welcome.welcome(offer), offer)
    if name == TASK_MODULE:
        return cards.log_card(caps.filler(5000), ref="1" * 200, author="29:" + "a" * 100,
                              author_name=caps.NAME, touchpoints=caps.JOURNEY)
    return cards.reply_card(caps.replies()[name], touchpoints=caps.JOURNEY)


def teams_cards() -> dict[str, dict[str, Any]]:
    return {name: teams_card(name) for name in teams_card_names()}


def slack_payloads() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        name: {"blocks": slack.reply_blocks(reply, touchpoints=caps.JOURNEY)}
        for name, reply in caps.replies().items()}
    origin = modals.Origin("C" * 11, "1700000000.000100", "U" * 11, 7, "https://hooks.slack.com/" + "x" * 200)
    out["home (lead)"] = home.home_view(caps.home_view(lead=True), notice=caps.filler(3000))
    out["home (member)"] = home.home_view(caps.home_view(lead=False))
    out["log modal"] = modals.log_modal(caps.filler(5000), caps.MomentKind.WOW, caps.JOURNEY * 3, origin)
    out["propose modal"] = modals.propose_modal(caps.prompt_view(), origin)
    guess = Team(0, caps.filler(80), "C" * 11, "America/Argentina/ComodRivadavia", "hotel")
    out["setup modal (new, guessed)"] = modals.setup_modal(None, "C" * 11, origin, guess=guess)
    # the digest's chart, as handlers/notify.py puts it in: by uploaded file, or by our URL
    chart = {"alt_text": caps.filler(3000), "title": caps.filler(3000)}
    out["chart (uploaded file)"] = {"blocks": [slack.chart_image(**chart, file_id="F" + "0" * 10)]}
    out["chart (by URL)"] = {"blocks": [slack.chart_image(
        **chart, url="https://moments.example.com/charts/" + "A" * 32 + ".png")]}
    return out


def adopt_buttons_slack(payload: dict[str, Any]) -> int:
    return sum(1 for b in payload["blocks"] for e in [*b.get("elements", []), b.get("accessory") or {}]
               if e.get("type") == "button" and f'"n":"{ADOPT}"' in e.get("value", ""))


def adoptable_slack(payload: dict[str, Any]) -> set[str]:
    """The proposals a lead can adopt from the payload: by button or by menu option."""
    values = [e.get("value", "") for b in payload["blocks"] for e in [*b.get("elements", []),
                                                                       b.get("accessory") or {}]]
    values += [o["value"] for b in payload["blocks"] for e in b.get("elements", [])
               for o in e.get("options", [])]
    return {json.loads(v)["a"]["proposal"] for v in values if f'"n":"{ADOPT}"' in v}


def adopt_buttons_teams(card: dict[str, Any]) -> int:
    return sum(1 for a in card_actions(card) if a.get("data", {}).get("moments_action") == ADOPT)


def main() -> None:
    print("Teams cards: KB, actions, Adopt buttons, schema errors")
    for name, card in teams_cards().items():
        print(f"  {name:34} {card_size(card) / 1024:6.1f} KB  {len(card_actions(card)):3} actions  "
              f"{adopt_buttons_teams(card):3} adopt  {len(schema_errors(card, card_schema(card))):3} errors")
    print("Slack payloads: blocks, Adopt buttons, limit problems")
    for name, payload in slack_payloads().items():
        print(f"  {name:34} {len(payload['blocks']):4} blocks  "
              f"{adopt_buttons_slack(payload):3} adopt buttons, "
              f"{len(adoptable_slack(payload)):3} adoptable  "
              f"{len(block_kit_problems(payload)):3} problems")


if __name__ == "__main__":
    main()
