"""A moment sent twice is made once: a form submitted twice (a double click, a network retry),
a command the person sends again because the first answer never came, a request replayed after
a replica died. The second answer says the moment is logged already, and names it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.domain import Moment, MomentKind, Source
from handlers.teams import ids as teams_ids
from tests.conftest import OTHER, STAFF, World
from tests.handlers.slack import conftest as slack_harness
from tests.handlers.slack.conftest import Slack, wait_for
from tests.handlers.teams.conftest import World as TeamsWorld
from tests.handlers.teams.conftest import channel_conversation, make_teams_world, message

api = slack_harness.api  # the Slack harness's fixtures, for the Slack tests here
slack = slack_harness.slack


def live(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id)


# the core's rule, for every door


def test_the_same_text_from_the_same_person_within_two_minutes_is_one_moment(world: World) -> None:
    text = "the queue at check-in was out the door"
    first = world.router.handle(world.ctx(STAFF), "/ow", text)
    world.clock.advance(timedelta(seconds=90))
    again = world.router.handle(world.ctx(STAFF), "/ow", text)
    [m] = live(world)
    assert f"#{m.id} logged" in first.text
    assert f"#{m.id} is already logged" in again.text and not again.error
    # but a colleague, other words, the other kind or later is a moment of its own
    world.router.handle(world.ctx(OTHER), "/ow", text)
    world.router.handle(world.ctx(STAFF), "/ow", text + " again")
    world.router.handle(world.ctx(STAFF), "/wow", text)
    world.clock.advance(timedelta(minutes=3))
    later = world.router.handle(world.ctx(STAFF), "/ow", text)  # the next queue, say
    assert "already" not in later.text
    assert len(live(world)) == 5
    # and so is one sent again after it was retracted
    world.router.handle(world.ctx(STAFF), "/moments", "retract")
    redo = world.router.handle(world.ctx(STAFF), "/ow", text)
    assert "already" not in redo.text and len(live(world)) == 5


# Slack: the log modal (the message shortcut's) submitted twice


def submit_log_modal(slack: Slack, view_id: str, view_hash: str, text: str, user: str = "U1") -> None:
    state = {"kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": "wow"}}},
             "text": {"text": {"type": "plain_text_input", "value": text}}}
    metadata = json.dumps({"c": "C1", "ts": "1700000000.000400", "a": "U2"})
    slack.interact({"type": "view_submission", "user": {"id": user, "team_id": "T1"},
                    "view": {"id": view_id, "hash": view_hash, "type": "modal",
                             "callback_id": "log_moment_modal", "team_id": "T1",
                             "state": {"values": state}, "private_metadata": metadata}})


def told(slack: Slack, n: int) -> list[str]:
    """The texts of the first ``n`` private answers, once there are that many."""
    wait_for(lambda: len(slack.api.named("chat.postEphemeral")) >= n)
    return [c.args["text"] for c in slack.api.named("chat.postEphemeral")][:n]


def test_a_log_modal_submitted_twice_makes_one_moment_and_says_so(slack: Slack) -> None:
    submit_log_modal(slack, "V0123", "1700000000.Ab1", "thank you for carrying my bags to boarding")
    told(slack, 1)
    # the same submission again, as a double click or a retry would send it, after the two
    # minutes of the same-text rule: the form's own id recognises it
    slack.clock.advance(timedelta(minutes=5))
    submit_log_modal(slack, "V0123", "1700000000.Ab1", "thank you for carrying my bags to boarding")
    first, second = told(slack, 2)
    [m] = slack.moments()
    assert f"#{m.id} logged" in first and f"#{m.id} is already logged" in second
    # a new form (another view) is another moment
    submit_log_modal(slack, "V0456", "1700000100.Cd2", "thank you for carrying my bags to boarding")
    told(slack, 3)
    assert len(slack.moments()) == 2


def test_a_slash_command_sent_again_after_a_lost_answer_is_one_moment(slack: Slack) -> None:
    slack.command("/wow", "Ana found a seat for a family at the gate")
    wait_for(lambda: slack.responses())
    slack.clock.advance(timedelta(seconds=40))
    slack.command("/wow", "Ana found a seat for a family at the gate")  # a new trigger id
    first, second = (r["text"] for r in wait_for(lambda: slack.responses()[1:] and slack.responses()))
    [m] = slack.moments()
    assert f"#{m.id} logged" in first and f"#{m.id} is already logged" in second


# Teams: the "Log as a moment" dialog (composeExtension/submitAction) submitted twice. (Through
# botbuilder's TestAdapter: the production CloudAdapter of botbuilder 4.17.1 answers every invoke
# with a body with a 500, serialising the already serialised body a second time.)


def submit_action(world: TeamsWorld) -> Any:
    """A submitAction invoke as Teams sends it for a message action's dialog."""
    payload = {"id": "1700000005", "body": {"contentType": "html", "content": "<p>Found my bag!</p>"},
               "from": {"user": {"id": "aad-omar", "displayName": "Omar"}}}
    data = {teams_ids.LOG_TEXT: "Omar found the lost bag at the belt", teams_ids.LOG_KIND: "wow",
            teams_ids.LOG_REF: "1700000005", teams_ids.TOUCHPOINT: "baggage"}
    activity = message("", conversation=channel_conversation())
    activity.type, activity.name, activity.value = "invoke", "composeExtension/submitAction", {
        "commandId": teams_ids.LOG_COMMAND, "commandContext": "message", "data": data,
        "messagePayload": payload}
    [answer] = world.turn(activity)
    assert answer.value.status == 200
    return answer.value.body["task"]["value"]


def test_a_teams_log_dialog_submitted_twice_makes_one_moment_and_says_so() -> None:
    world = make_teams_world()
    first = submit_action(world)
    world.clock.advance(timedelta(minutes=5))  # a slow retry: the dialog's message recognises it
    second = submit_action(world)
    with world.store.transaction(world.ws) as repo:
        [m] = repo.moments(world.team.id)
    assert m.source is Source.SHORTCUT and m.kind is MomentKind.WOW
    assert f"#{m.id} logged" in first and f"#{m.id} is already logged" in second
