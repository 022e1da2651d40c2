"""Every event, command, shortcut, action and view Moments declares, as Slack sends it.

Each file in tests/handlers/slack/corpus/ is one request body shaped as Slack's Events API and
interactivity references document them (the event_callback envelope with authorizations and
event_context; slash commands and interactive payloads form-encoded). Each goes, signed, over
HTTP into the aiohttp app `moments serve` runs, and the test checks what a person would notice:
the answer, the reply, the moment stored, and that nothing went wrong in the log.

``{{response_url}}``, ``{{trigger_id}}``, ``{{moment}}``, ``{{prompt}}`` and ``{{proposal}}`` in a
file are filled in with the stand-in's address and this test's own records.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.domain import MomentKind, Platform, Source
from bot.services import Actor
from tests.handlers.slack.conftest import Slack, settle, wait_for
from tests.handlers.slack.test_http import request, serve
from tests.handlers.slack.wire import CORPUS, corpus, send

FILES = sorted(p.stem for p in CORPUS.glob("*.json"))
TS = "1700000000.000100"


@dataclass
class Run:
    """One corpus request against a prepared workspace: a moment, an open prompt, a proposal."""

    slack: Slack
    url: str
    moment: int = 0
    prompt: int = 0
    proposal: int = 0
    answers: list[tuple[int, str]] = field(default_factory=list)

    def send(self, name: str) -> tuple[int, str]:
        answer = send(self.slack, self.url, corpus(name, self.slack, moment=self.moment, prompt=self.prompt,
                                                   proposal=self.proposal))
        self.answers.append(answer)
        return answer

    # what a person notices

    def said(self) -> str:
        """Everything the bot said or showed, as one text."""
        return self.slack.api.recorded()

    def moments(self) -> list[Any]:
        return [m for m in self.slack.moments() if m.id != self.moment]

    def named(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.slack.api.named(method)]


@pytest.fixture
def run(slack: Slack) -> Iterator[Run]:
    services = slack.services
    filed = services.moments.report(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor("U1"),
                                    kind=MomentKind.OW, text="the check-in queue reached the street",
                                    source=Source.COMMAND)
    prompt, _ = services.weekly.open_prompt(workspace_id=slack.ws, team_id=slack.team_id)
    proposal = services.weekly.propose(workspace_id=slack.ws, prompt_id=prompt.id, actor=Actor("U1"),
                                       text="Open the spare desk when the queue passes ten", touchpoint=None,
                                       anonymous=False)
    # the weekly prompt, as the bot posted it (conversations.history reads it back)
    slack.api.history["1700000050.000100"] = {
        "type": "message", "subtype": "bot_message", "ts": "1700000050.000100", "bot_id": "BBOT",
        "user": "UBOT", "text": "This week's question: how do we shorten the check-in queue?"}
    # a colleague's message in the shared channel, posted before Moments was there to see it
    slack.api.history["1700000060.000100"] = {
        "type": "message", "ts": "1700000060.000100", "user": "U2",
        "text": "I walked the family to boarding myself"}
    for url in serve(services, slack.built):
        yield Run(slack, url, filed.moment.id, prompt.id, proposal.id)


def shown(message: dict[str, Any]) -> str:
    return str(message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def see_message(run: Run, text: str = "Ana walked the family to boarding herself") -> None:
    """A colleague's message in the team's channel, which the bot keeps for reactions."""
    body = json.dumps({"token": "t", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": "Ev00SEEN", "event_time": 1700000000,
                       "authorizations": [{"enterprise_id": None, "team_id": "T1", "user_id": "UBOT",
                                           "is_bot": True, "is_enterprise_install": False}],
                       "event": {"type": "message", "channel": "C1", "user": "U2", "ts": TS, "text": text,
                                 "channel_type": "channel", "event_ts": TS}})
    assert request(f"{run.url}/slack/events", body,
                   {"Content-Type": "application/json", **run.slack.sign(body)})[0] == 200
    wait_for(lambda: run.slack.messages.cached_message(run.slack.ws, "C1", TS))


# what each request should do, once it was answered


def message_channels(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert (moment.kind, moment.reporter_id, moment.source) == (MomentKind.WOW, "U2", Source.MESSAGE)
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert told["user"] == "U2" and "logged" in shown(told)


def message_groups(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert moment.kind is MomentKind.OW and "queue reached the door" in moment.text
    wait_for(lambda: run.named("chat.postEphemeral"))


def message_im(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert moment.kind is MomentKind.OW and moment.reporter_id == "ULEAD"
    [told] = wait_for(lambda: run.named("chat.postMessage"))
    assert told["channel"] == "D0BOTDM" and "logged" in shown(told)


def app_mention(run: Run) -> None:
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert told["user"] == "U1" and "/wow" in shown(told)


def app_home_opened(run: Run) -> None:
    [published] = wait_for(lambda: run.named("views.publish"))
    assert published["user_id"] == "U1" and published["view"]["type"] == "home"


def reaction_added(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert (moment.kind, moment.reporter_id, moment.credited) == (MomentKind.WOW, "U1", ("U2",))
    assert moment.text == "Ana walked the family to boarding herself"
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert told["user"] == "U1"


def reaction_removed(run: Run) -> None:
    wait_for(lambda: run.moments() and run.moments()[0].retracted)


def reaction_on_bot_post(run: Run) -> None:
    settle(run.slack, 0.5)
    assert run.moments() == []
    assert "UBOT" not in json.dumps([m.credited for m in run.slack.moments()])
    assert run.named("conversations.history") == [] and run.named("chat.postEphemeral") == []


def reaction_in_shared_channel(run: Run) -> None:
    [moment] = wait_for(lambda: [m for m in run.moments() if m.text])
    assert (moment.reporter_id, moment.credited) == ("UEXT1", ("U2",))
    assert moment.text == "I walked the family to boarding myself"
    assert not [w for w in run.slack.store.workspaces() if w.external_id == "T0PARTNER"]


def message_in_shared_channel(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert moment.reporter_id == "UEXT1" and moment.kind is MomentKind.WOW
    assert not [w for w in run.slack.store.workspaces() if w.external_id == "T0PARTNER"]


def welcomed(run: Run) -> None:
    [posted] = wait_for(lambda: run.named("chat.postMessage"))
    assert posted["channel"] == "C0NEWCREW" and "Set up this channel" in shown(posted)
    assert "Europe/Amsterdam" in shown(posted)  # the inviter's timezone, guessed for the form


def nothing_said(run: Run) -> None:
    settle(run.slack)
    assert run.moments() == []
    assert not [c for c in run.slack.api.calls if c.method not in ("auth.test", "users.info")]


def command_wow(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert moment.kind is MomentKind.WOW and moment.credited == ("U02ANA7",)
    [reply] = wait_for(run.slack.responses)
    assert "Boarding" in reply["text"] + json.dumps(reply["blocks"], ensure_ascii=False)


def command_ow(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert moment.kind is MomentKind.OW
    wait_for(run.slack.responses)


def command_help(run: Run) -> None:
    [reply] = wait_for(run.slack.responses)
    assert reply["response_type"] == "ephemeral" and "/wow" in shown(reply)


def opens(callback_id: str) -> Callable[[Run], None]:
    def check(run: Run) -> None:
        [opened] = wait_for(lambda: run.named("views.open"))
        assert opened["view"]["callback_id"] == callback_id
    return check


def log_modal_opened(run: Run) -> None:
    [opened] = wait_for(lambda: run.named("views.open"))
    view = opened["view"]
    assert view["callback_id"] == "log_moment_modal"
    [text] = [b["element"] for b in view["blocks"] if b["block_id"] == "text"]
    assert text["initial_value"] == "Ana walked the family to boarding herself"


def shortcut_on_bot_post(run: Run) -> None:
    [reply] = wait_for(run.slack.responses)
    assert reply["response_type"] == "ephemeral" and "own post" in shown(reply)
    assert run.named("views.open") == []


def vote(run: Run) -> None:
    wait_for(lambda: any("counts (1 vote now)" in r["text"] for r in run.slack.responses()))
    wait_for(lambda: any(r.get("replace_original") for r in run.slack.responses()))


def file_select(run: Run) -> None:
    wait_for(lambda: run.slack.responses())
    with run.slack.store.transaction(run.slack.ws) as repo:
        moment = repo.moment(run.moment)
        touchpoint = next(t for t in repo.touchpoints(run.slack.team_id) if t.id == moment.touchpoint_id)
    assert touchpoint.slug == "check-in"


def log_submitted(run: Run) -> None:
    [moment] = wait_for(run.moments)
    assert (moment.source, moment.credited, moment.message_ref) == (Source.SHORTCUT, ("U2",), f"C1/{TS}")
    wait_for(lambda: run.named("chat.postEphemeral"))


def propose_submitted(run: Run) -> None:
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert told["user"] == "U3" and "proposal" in shown(told)


def setup_submitted(run: Run) -> None:
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert told["user"] == "ULEAD"
    team = run.slack.services.journey.team_for_channel(workspace_id=run.slack.ws, channel="C1")
    assert team is not None and team.timezone == "Europe/Oslo"


def touchpoints_submitted(run: Run) -> None:
    [told] = wait_for(lambda: run.named("chat.postEphemeral"))
    assert "Lounge" in shown(told)


def view_closed(run: Run) -> None:
    nothing_said(run)


EXPECTED: dict[str, Callable[[Run], None]] = {
    "event_message_channels": message_channels,
    "event_message_groups": message_groups,
    "event_message_im": message_im,
    "event_app_mention": app_mention,
    "event_app_home_opened": app_home_opened,
    "event_reaction_added": reaction_added,
    "event_reaction_removed": reaction_removed,
    "event_reaction_added_bot_post": reaction_on_bot_post,
    "event_reaction_added_shared_channel": reaction_in_shared_channel,
    "event_message_shared_channel": message_in_shared_channel,
    "event_app_uninstalled": nothing_said,
    "event_tokens_revoked": nothing_said,
    "event_member_joined_channel": welcomed,
    "command_wow": command_wow,
    "command_ow": command_ow,
    "command_moments_help": command_help,
    "command_moments_setup": opens("setup_modal"),
    "command_moments_touchpoints_edit": opens("touchpoints_modal"),
    "message_action_log_moment": log_modal_opened,
    "message_action_log_moment_bot_post": shortcut_on_bot_post,
    "block_actions_vote": vote,
    "block_actions_file_select": file_select,
    "block_actions_propose": opens("propose_modal"),
    "block_actions_touchpoints": opens("touchpoints_modal"),
    "view_submission_log_moment": log_submitted,
    "view_submission_propose": propose_submitted,
    "view_submission_setup": setup_submitted,
    "view_submission_touchpoints": touchpoints_submitted,
    "view_closed_log_moment": view_closed,
}
BEFORE: dict[str, Callable[[Run], None]] = {  # what must have happened before the request
    "event_reaction_added": see_message,
    "event_reaction_removed": lambda run: (see_message(run), run.send("event_reaction_added"),
                                           wait_for(run.moments)),
}


def test_the_corpus_covers_every_declared_event_command_shortcut_action_and_view() -> None:
    manifest = (Path(__file__).parents[3] / "manifest.yml").read_text()
    events = manifest.split("bot_events:")[1].split("interactivity:")[0].split()
    declared = {e.strip("- ").replace(".", "_") for e in events if e.startswith("- ") or e.isidentifier()}
    declared.discard("-")
    for event in declared:
        assert any(name.startswith(f"event_{event}") for name in FILES), event
    for command in ("wow", "ow", "moments"):
        assert any(name.startswith(f"command_{command}") for name in FILES), command
    from handlers.slack import ids
    payloads = "".join((CORPUS / f"{name}.json").read_text() for name in FILES)
    for widget in (ids.LOG_SHORTCUT, ids.LOG_MODAL, ids.PROPOSE_MODAL, ids.SETUP_MODAL, ids.TOUCHPOINTS_MODAL,
                   ids.ACT_PREFIX, ids.FILE_SELECT, ids.OPEN_PROPOSE, ids.OPEN_TOUCHPOINTS):
        assert f'"{widget}' in payloads, widget
    assert set(EXPECTED) == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_corpus_request(name: str, run: Run, caplog: pytest.LogCaptureFixture) -> None:
    run.slack.api.users["ULEAD"] = {"name": "Lena"}
    with caplog.at_level(logging.WARNING):
        prepare = BEFORE.get(name)
        if prepare is not None:
            prepare(run)
        status, text = run.send(name)
        assert status == 200, (status, text)
        EXPECTED[name](run)
        settle(run.slack, 0.1)
    assert "Traceback" not in run.said() and "went wrong" not in run.said()
    troubles = [r.getMessage() for r in caplog.records
                if r.levelno >= logging.ERROR or "nhandled" in r.getMessage()]
    assert troubles == []
    assert not [w for w in run.slack.store.workspaces() if w.platform is Platform.SLACK
                and w.external_id not in ("T1",)]
