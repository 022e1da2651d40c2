"""The whole organisation through the real Slack door (signed HTTP into Bolt, a stand-in Web
API): a standard adopted at one site reaches a sibling team's prompt and is adopted there with
the Adopt button, keeping its origin; an admin picks the organisation channel; the
organisation digest goes out once a week with its chart, from however many replicas."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.services import Actor, Services
from handlers.notify import SlackNotifier
from handlers.scheduled import tick
from handlers.slack.chart_links import ChartLinks
from tests.fakes import FakeFiler
from tests.handlers.schemas.platform import MESSAGE_BLOCKS, block_kit_problems
from tests.handlers.slack.conftest import Slack, wait_for
from tests.handlers.slack.fakes import InMemoryChartImages
from tests.handlers.slack.test_chart_links import chart_server
from tests.handlers.slack.test_interactivity import buttons

SECRET = "zebra-secret the queue at check-in took forty minutes"
FRIDAY_EVENING = datetime(2026, 11, 20, 17, 5, tzinfo=UTC)  # the org digest's slot, UTC teams


def arlanda(slack: Slack) -> int:
    team = slack.services.journey.setup_team(workspace_id=slack.ws, actor=Actor("UARN", "Alex"),
                                             channel="C2", name="Arlanda gate crew",
                                             template="airline")
    return team.id


def said(slack: Slack, text: str) -> dict[str, Any]:
    return wait_for(lambda: [r for r in slack.responses() if text in json.dumps(r, ensure_ascii=False)])[-1]


def click(slack: Slack, button: dict[str, Any], user: str, channel: str) -> None:
    slack.interact({"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
                    "container": {"type": "message", "message_ts": "1700000010.000100",
                                  "channel_id": channel, "is_ephemeral": False},
                    "message": {}, "trigger_id": "13345.tr", "response_url": slack.api.response_url,
                    "actions": [{"action_id": button["action_id"], "value": button["value"],
                                 "type": "button"}]})


def adopt_at_arlanda(slack: Slack, team_id: int) -> int:
    slack.command("/ow", f"#check-in {SECRET}", user="U5", channel="C2")
    said(slack, "logged")
    slack.command("/moments", "prompt", user="UARN", channel="C2")
    said(slack, "Arlanda gate crew, week")
    slack.command("/moments", "propose #check-in Open the spare desk at ten people", user="U6",
                  channel="C2")
    said(slack, "Proposal")
    with slack.store.transaction(slack.ws) as repo:
        [proposal] = repo.proposals(repo.prompts(team_id)[0].id)
    slack.command("/moments", f"adopt {proposal.id}", user="UARN", channel="C2")
    said(slack, "New service standard")
    [standard] = slack.services.weekly.standards(workspace_id=slack.ws, team_id=team_id)
    return standard.id


def test_a_sibling_sees_the_standard_in_its_prompt_and_adopts_it_with_the_button(slack: Slack) -> None:
    origin = adopt_at_arlanda(slack, arlanda(slack))
    slack.clock.advance(timedelta(weeks=1))
    slack.command("/ow", "#check-in an hour in the queue", user="U1", channel="C1")
    said(slack, "an hour in the queue")
    slack.command("/moments", "prompt", user="ULEAD", channel="C1")
    posted = said(slack, "Gate crew, week 2026-W48")
    shown = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Open the spare desk at ten people" in shown and "Arlanda gate crew adopted this" in shown
    assert SECRET not in shown and "U5" not in shown and "U6" not in shown  # figures, not moments
    assert block_kit_problems({"blocks": posted["blocks"]}) == []
    [adopt] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("📏")]
    click(slack, adopt, "ULEAD", "C1")
    announced = said(slack, "First adopted by Arlanda gate crew.")
    assert announced["response_type"] == "in_channel"
    [standard] = slack.services.weekly.standards(workspace_id=slack.ws, team_id=slack.team_id)
    assert standard.origin_id == origin and standard.text == "Open the spare desk at ten people"


def test_only_an_admin_picks_the_organisation_channel(slack: Slack) -> None:
    slack.api.users["UADMIN"] = {"name": "Ada", "is_admin": True}
    slack.command("/moments", "org setup <#C9ORG|all-sites>", user="U7", channel="C1")
    refused = said(slack, "Only workspace admins")
    assert refused["response_type"] == "ephemeral"
    assert slack.services.org.org(workspace_id=slack.ws) is None
    slack.command("/moments", "org setup <#C9ORG|all-sites> at=\"fri 17:00\"", user="UADMIN",
                  channel="C1")
    said(slack, "The organisation digest goes to #all-sites")
    org = slack.services.org.org(workspace_id=slack.ws)
    assert org is not None and org.channel == "C9ORG" and org.digest_at == "fri 17:00"
    slack.command("/moments", "org setup <#C1|gate>", user="UADMIN", channel="C1")
    said(slack, "is the channel of the team Gate crew")


def test_the_organisation_digest_goes_out_once_a_week_with_its_chart(slack: Slack) -> None:
    slack.api.users["UADMIN"] = {"name": "Ada", "is_admin": True}
    adopt_at_arlanda(slack, arlanda(slack))
    slack.command("/wow", "#boarding zebra-secret @U2 found a family seats together", user="U1")
    slack.command("/moments", "org setup <#C9ORG|all-sites>", user="UADMIN", channel="C1")
    said(slack, "The organisation digest goes to #all-sites")
    settings = replace(Settings(), slack_bot_token="xoxb-test", slack_api_url=slack.api.url)
    notifier = SlackNotifier(settings, spacing=0)
    slack.clock.set(FRIDAY_EVENING)
    other_replica = Services(store=slack.store, clock=slack.clock, make_filer=FakeFiler)
    for services in (slack.services, slack.services, other_replica):
        tick(services, notifier, workers=1)  # the in-memory store is not thread-safe
    slack.clock.advance(timedelta(hours=3))
    tick(other_replica, notifier, workers=1)
    [posted] = [c for c in slack.api.named("chat.postMessage") if c.args["channel"] == "C9ORG"]
    blocks = posted.args["blocks"]
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "organisation digest, 2026-W47" in shown and "Teams side by side" in shown
    assert "first adopted by Arlanda gate crew; followed by 1 of 2 teams" in shown
    assert len(blocks) <= MESSAGE_BLOCKS and block_kit_problems({"blocks": blocks}) == []
    for secret in ("zebra-secret", "U5", "U6", "U1", "UARN", "Alex"):
        assert secret not in shown
    [chart] = [b for b in blocks if b["type"] == "image"]  # the chart is in the post itself
    assert chart["alt_text"] == "Bar charts, one per team: WOW and OW per touchpoint, 2026-W47"
    [done] = [c for c in slack.api.named("files.completeUploadExternal")
              if json.loads(c.args["files"])[0]["id"] == chart["slack_file"]["id"]]
    assert "channel_id" not in done.args  # unshared until the digest shows it
    # next week's goes out next week, once
    slack.clock.set(FRIDAY_EVENING + timedelta(weeks=1))
    tick(other_replica, notifier, workers=1)
    tick(slack.services, notifier, workers=1)
    assert len([c for c in slack.api.named("chat.postMessage") if c.args["channel"] == "C9ORG"]) == 2


def test_with_a_public_url_the_organisation_digest_shows_its_charts_by_url(slack: Slack) -> None:
    slack.api.users["UADMIN"] = {"name": "Ada", "is_admin": True}
    arlanda(slack)
    slack.command("/wow", "#boarding found a family seats together", user="U1")
    slack.command("/moments", "org setup <#C9ORG|all-sites>", user="UADMIN", channel="C1")
    said(slack, "The organisation digest goes to #all-sites")
    settings = replace(Settings(), slack_bot_token="xoxb-test", slack_api_url=slack.api.url)
    images = InMemoryChartImages()
    with chart_server(images) as url:
        notifier = SlackNotifier(settings, spacing=0, links=ChartLinks(images, url))
        slack.clock.set(FRIDAY_EVENING)
        tick(slack.services, notifier, workers=1)
    [posted] = [c for c in slack.api.named("chat.postMessage") if c.args["channel"] == "C9ORG"]
    charts = [b["image_url"] for b in posted.args["blocks"] if b["type"] == "image"]
    assert charts and all(c.startswith(f"{url}/charts/") for c in charts)
    downloaded = {u for u, png in slack.api.fetched if png is not None}
    assert set(charts) <= downloaded  # Slack took each from the server while taking the post
    assert slack.api.named("files.getUploadURLExternal") == []
