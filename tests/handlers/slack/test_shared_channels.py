"""Slack Connect: a channel shared with a partner organisation, over signed HTTP.

Events from the shared channel reach the workspace Moments is installed in (``authorizations``),
whatever the outer ``team_id`` says. A person from the partner organisation may log, react,
say "me too", propose and vote, and may be credited (shown as "(external)"); they never lead
or administer: no setup, no adopting, no settings, no privacy actions on others."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.domain import MomentKind, Platform, Source
from bot.services import Actor, Services
from handlers.slack.app import BOT_SCOPES, build_slack_door
from handlers.slack.settings import SlackSettings
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.handlers.slack.conftest import MONDAY, SECRET, Slack, settle, wait_for
from tests.handlers.slack.fakes import InMemoryMessageCache, InMemoryRequestInbox
from tests.handlers.slack.stand_in import SlackApi
from tests.handlers.slack.test_http import serve
from tests.handlers.slack.wire import corpus, send

PARTNER = "T0PARTNER"


@pytest.fixture
def url(slack: Slack) -> Iterator[str]:
    # UEXT1 is at home in the partner organisation; Lena leads the team; Uma is an admin here
    slack.api.users.update({"UEXT1": {"name": "Sam", "team_id": PARTNER, "is_admin": True},
                            "ULEAD": {"name": "Lena", "team_id": "T1"}})
    yield from serve(slack.services, slack.built)


def command(slack: Slack, text: str, cmd: str = "/moments", user: str = "UEXT1") -> dict[str, Any]:
    body = corpus("command_moments_help", slack)
    return {**body, "command": cmd, "text": text, "user_id": user, "user_name": user.lower()}


def open_prompt(slack: Slack) -> int:
    slack.services.moments.report(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor("U1"),
                                  kind=MomentKind.OW, text="the check-in queue reached the door",
                                  source=Source.COMMAND)
    return slack.services.weekly.open_prompt(workspace_id=slack.ws, team_id=slack.team_id)[0].id


def said(slack: Slack) -> str:
    return " ".join(r["text"] + json.dumps(r.get("blocks") or [], ensure_ascii=False)
                    for r in slack.responses())


def only_t1(slack: Slack) -> bool:
    return [w.external_id for w in slack.store.workspaces()] == ["T1"]


def test_a_partner_may_log_react_say_me_too_propose_and_vote(slack: Slack, url: str) -> None:
    assert send(slack, url, command(slack, "the boarding queue was chaos", "/ow"))[0] == 200
    [ow] = wait_for(slack.moments)
    assert ow.reporter_id == "UEXT1" and ow.kind is MomentKind.OW
    # a reaction in the shared channel (outer team_id the partner's): a moment in T1's team
    slack.api.history["1700000060.000100"] = {"type": "message", "ts": "1700000060.000100", "user": "U2",
                                              "text": "I walked the family to boarding myself"}
    assert send(slack, url, corpus("event_reaction_added_shared_channel", slack))[0] == 200
    wow = wait_for(lambda: [m for m in slack.moments() if m.kind is MomentKind.WOW and m.text])[0]
    assert (wow.reporter_id, wow.credited) == ("UEXT1", ("U2",))
    # a colleague in T1 reacts the same way, then the partner's colleague: "me too"
    other = corpus("event_reaction_added_shared_channel", slack)
    other["event"] = {**other["event"], "user": "UEXT2"}
    other["event_id"] = "Ev09SHARED2"
    slack.api.users["UEXT2"] = {"name": "Kim", "team_id": PARTNER}
    assert send(slack, url, other)[0] == 200
    wait_for(lambda: [m for m in slack.moments() if m.id == wow.id][0].also_reported_by == ("UEXT2",))
    # propose and vote on the weekly prompt
    prompt = open_prompt(slack)
    assert send(slack, url, command(slack, "propose Open a second lane when the queue passes ten"))[0] == 200
    wait_for(lambda: "Proposal" in said(slack) and "Sam (external)" in said(slack))
    with slack.store.transaction(slack.ws) as repo:
        [proposal] = repo.proposals(prompt)
    assert proposal.author_id == "UEXT1"
    vote = corpus("block_actions_vote", slack, proposal=proposal.id, prompt=prompt)
    vote["user"] = {**vote["user"], "id": "UEXT2", "team_id": PARTNER}
    assert send(slack, url, vote)[0] == 200
    wait_for(lambda: "counts (1 vote now)" in said(slack))
    assert only_t1(slack)


def test_a_partner_credited_in_a_wow_is_shown_as_external(slack: Slack, url: str) -> None:
    send(slack, url, command(slack, "the boarding queue was chaos", "/ow"))
    wait_for(slack.moments)
    send(slack, url, command(slack, "<@UEXT1|sam> carried the pram up the stairs #boarding", "/wow", "U1"))
    wow = wait_for(lambda: [m for m in slack.moments() if m.kind is MomentKind.WOW])[0]
    assert wow.credited == ("UEXT1",)
    send(slack, url, command(slack, "digest", user="ULEAD"))
    wait_for(lambda: "Sam (external)" in said(slack))


@pytest.mark.parametrize("text, refused", [
    ('setup name="Ramp crew" template=airline', "partner organisation"),
    ("privacy export @U1", "Only workspace admins"),
    ("privacy delete @U1", "Only workspace admins"),
    ("leads add @UEXT1", "Only the team's leads"),
    ("touchpoints add lounge Lounge", "Only the team's leads"),
])
def test_a_partner_never_leads_or_administers(slack: Slack, url: str, text: str, refused: str) -> None:
    """Even an admin of their own organisation, even named a lead of the team."""
    if text.startswith("setup"):
        body = command(slack, text)
        body["channel_id"] = "C0SHARED2"
    else:
        body = command(slack, text)
    assert send(slack, url, body)[0] == 200
    wait_for(lambda: refused in said(slack))
    assert slack.services.journey.team_for_channel(workspace_id=slack.ws, channel="C0SHARED2") is None
    assert "UEXT1" not in slack.services.journey.team_for_channel(workspace_id=slack.ws, channel="C1").leads


def test_a_partner_named_a_lead_still_cannot_adopt_or_open_the_lead_tools(slack: Slack, url: str) -> None:
    slack.services.journey.set_leads(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor("ULEAD"),
                                     add=("UEXT1",))
    assert send(slack, url, command(slack, "setup"))[0] == 200  # the setup modal
    wait_for(lambda: "Only the team's leads" in said(slack) or "partner organisation" in said(slack))
    assert slack.api.named("views.open") == []
    prompt = open_prompt(slack)
    proposal = slack.services.weekly.propose(workspace_id=slack.ws, prompt_id=prompt, actor=Actor("U1"),
                                             text="Open a second lane at ten", touchpoint=None,
                                             anonymous=False)
    adopt = corpus("block_actions_vote", slack, proposal=proposal.id, prompt=prompt)
    [button] = adopt["actions"]
    adopt["actions"] = [{**button, "action_id": f"moments:act:a{proposal.id}",
                         "value": json.dumps({"n": "adopt", "a": {"proposal": str(proposal.id)},
                                              "prompt": str(prompt)})}]
    adopt["user"] = {**adopt["user"], "id": "UEXT1", "team_id": PARTNER}
    assert send(slack, url, adopt)[0] == 200
    wait_for(lambda: said(slack).count("Only the team's leads") >= 2)
    assert slack.services.weekly.standards(workspace_id=slack.ws, team_id=slack.team_id) == []


def test_the_partner_is_told_by_the_payload_when_users_info_fails(slack: Slack, url: str) -> None:
    """users.info can fail (a missing scope); the payload's user.team_id still says who they are."""
    slack.api.fail_next(500)
    slack.api.fail_next(500)
    slack.api.fail_next(500)
    prompt = open_prompt(slack)
    proposal = slack.services.weekly.propose(workspace_id=slack.ws, prompt_id=prompt, actor=Actor("U1"),
                                             text="Open a second lane at ten", touchpoint=None,
                                             anonymous=False)
    slack.services.journey.set_leads(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor("ULEAD"),
                                     add=("UEXT9",))
    adopt = corpus("block_actions_vote", slack, proposal=proposal.id, prompt=prompt)
    [button] = adopt["actions"]
    adopt["actions"] = [{**button, "action_id": f"moments:act:a{proposal.id}",
                         "value": json.dumps({"n": "adopt", "a": {"proposal": str(proposal.id)}})}]
    adopt["user"] = {**adopt["user"], "id": "UEXT9", "team_id": PARTNER}
    assert send(slack, url, adopt)[0] == 200
    wait_for(lambda: "Only the team's leads" in said(slack), timeout=10)
    assert slack.services.weekly.standards(workspace_id=slack.ws, team_id=slack.team_id) == []


# OAuth mode (#20): the installation, token and workspace alike, comes from authorizations


@pytest.fixture
def both_installed(api: SlackApi, tmp_path: Path) -> Iterator[tuple[Slack, str]]:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'oauth.db'}")
    installations = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    installations.create_tables()
    now = datetime.now(UTC).timestamp()
    for team, token in (("T1", "xoxb-t1"), (PARTNER, "xoxb-partner")):
        installations.save(Installation(app_id="A1", team_id=team, bot_token=token, bot_id=f"B{team}",
                                        bot_user_id="UBOT", bot_scopes=list(BOT_SCOPES), user_id="UADMIN",
                                        installed_at=now))
    store = InMemoryStore()
    services = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    teams = {}
    for team in ("T1", PARTNER):  # both organisations run a team in the shared channel
        ws = store.workspace(platform=Platform.SLACK, external_id=team).id
        teams[team] = (ws, services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD"), channel="C1",
                                                       name=f"Crew {team}", template="airline").id)
    settings = SlackSettings(signing_secret=SECRET, api_url=api.url, client_id="111.222",
                             client_secret="shh", history_interval_seconds=0.0)
    built = build_slack_door(settings, services, requests=InMemoryRequestInbox(),
                             messages=InMemoryMessageCache(),
                             installation_store=installations)
    slack = Slack(built, api, services, store, FixedClock(MONDAY), *teams["T1"])
    for url in serve(services, built):
        yield slack, url
    built.door.history.stop()


def test_oauth_an_event_from_the_partners_side_is_answered_and_stored_by_the_installation(
    both_installed: tuple[Slack, str],
) -> None:
    slack, url = both_installed
    assert send(slack, url, corpus("event_message_shared_channel", slack))[0] == 200
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert told.headers["Authorization"] == "Bearer xoxb-t1"  # the installation in authorizations
    [moment] = wait_for(slack.moments)  # ... and stored in that workspace, not the partner's
    assert moment.reporter_id == "UEXT1"
    partner = next(w for w in slack.store.workspaces() if w.external_id == PARTNER)
    with slack.store.transaction(partner.id) as repo:
        assert [m for t in repo.teams() for m in repo.moments(t.id, include_retracted=True)] == []
    settle(slack)
