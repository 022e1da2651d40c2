"""The weekly loop as Adaptive Cards: the prompt's proposal form, vote buttons, Adopt for leads."""

from __future__ import annotations

from typing import Any

from bot.views import ADOPT, PROPOSE, VOTE
from handlers.teams import ids
from tests.handlers.teams.conftest import LENA, OMAR, SAM, World, buttons, card_of, message, submit, texts


def open_prompt(world: World) -> dict[str, Any]:
    for text in ("ow the boarding queue was chaotic", "ow boarding gate changed without a word"):
        world.turn(message(text, OMAR))
    [reply] = world.turn(message("moments prompt", LENA, mention_bot=True))
    return card_of(reply)


def button(card: dict[str, Any], action: str) -> dict[str, Any]:
    return next(b["data"] for b in buttons(card) if b["data"][ids.ACTION] == action)


def proposal_ids(world: World) -> list[int]:
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    view = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id)
    return [p.id for p in view.proposals]


def propose(world: World, card: dict[str, Any], text: str, *, anonymous: bool = False) -> str:
    data = dict(button(card, PROPOSE), **{ids.PROPOSAL_TEXT: text,
                                           ids.PROPOSAL_ANONYMOUS: "true" if anonymous else "false"})
    [reply] = world.turn(submit(data, SAM))
    return str(reply.text)


def test_the_prompt_card_has_a_proposal_form_and_a_propose_submit(world: World) -> None:
    card = open_prompt(world)
    inputs = {e["id"]: e["type"] for e in card["body"] if "id" in e}
    assert inputs[ids.PROPOSAL_TEXT] == "Input.Text" and inputs[ids.PROPOSAL_ANONYMOUS] == "Input.Toggle"
    assert "Boarding" in texts(card)
    said = propose(world, card, "Announce gate changes on the PA and by SMS", anonymous=True)
    assert "anonymously" in said
    [pid] = proposal_ids(world)
    view = world.services.reports.prompt(
        workspace_id=world.ws,
        prompt_id=world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id).id)  # type: ignore[union-attr]
    assert view.proposals[0].author is None and view.proposals[0].id == pid


def test_vote_buttons_count_once_and_redraw_the_card_with_live_counts(world: World) -> None:
    propose(world, open_prompt(world), "Greet every family at the gate by name")
    [reply] = world.turn(message("moments results", OMAR))
    card = card_of(reply)
    vote = button(card, VOTE)
    assert not any(b["data"][ids.ACTION] == ADOPT for b in buttons(card))  # Omar is no lead
    [counted] = world.turn(submit(vote, OMAR))
    assert "counts (1 vote now)" in counted.text
    [again] = world.turn(submit(vote, OMAR))
    assert "already voted" in again.text
    redrawn = world.adapter.updated_activities[-1]
    assert redrawn.id == "card-1" and "Would delight (1)" in str(card_of(redrawn))


def test_a_lead_adopts_from_the_card_and_a_colleague_is_refused(world: World) -> None:
    propose(world, open_prompt(world), "Greet every family at the gate by name")
    [lead_reply] = world.turn(message("moments results", LENA))
    adopt = button(card_of(lead_reply), ADOPT)
    [refused] = world.turn(submit(adopt, SAM))
    assert "Only the team's leads" in refused.text and not refused.attachments
    with world.store.transaction(world.ws) as repo:
        assert repo.standards(world.team.id) == []
    [adopted] = world.turn(submit(adopt, LENA))
    shown = texts(card_of(adopted))
    assert "New service standard" in shown and "Greet every family at the gate by name" in shown
    with world.store.transaction(world.ws) as repo:
        assert len(repo.standards(world.team.id)) == 1
