"""The bot removed from a team (or the app uninstalled) stops the weekly posts; added back, they
resume."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount  # type: ignore[import-untyped]

from bot.domain import Team
from bot.schedule import due_posts
from tests.handlers.teams.conftest import (
    BOT,
    CHANNEL,
    OMAR,
    SAM,
    TENANT,
    World,
    channel_conversation,
    message,
    personal_conversation,
)

TEAMS_TEAM = "19:general-of-the-airport-team@thread.tacv2"


def team(world: World) -> Team:
    with world.store.transaction(world.ws) as repo:
        found = repo.team(world.team.id)
    assert found is not None
    return found


def in_team(activity: Activity, teams_team: str = TEAMS_TEAM) -> Activity:
    activity.channel_data = {"tenant": {"id": TENANT}, "team": {"id": teams_team},
                             "channel": {"id": activity.conversation.id.split(";")[0]}}
    return activity


def members_removed(*who: ChannelAccount, conversation: ConversationAccount | None = None) -> Activity:
    activity = Activity(type="conversationUpdate", members_removed=list(who), from_property=SAM,
                        conversation=conversation or channel_conversation())
    return in_team(activity)


def installation(action: str, conversation: ConversationAccount) -> Activity:
    activity = Activity(type="installationUpdate", action=action, from_property=SAM,
                        conversation=conversation)
    return activity if conversation.conversation_type == "personal" else in_team(activity)


def monday_prompt_due(world: World) -> list[Any]:
    """What the scheduler would post at the prompt's time (Monday 09:00 Stockholm)."""
    at = world.clock.now().replace(hour=8, minute=5)  # 09:05 in Stockholm, in November
    return due_posts(team(world), at, grace=timedelta(hours=6))


def test_removing_the_bot_from_the_team_pauses_the_weekly_posts(world: World,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    assert monday_prompt_due(world)  # before: the Monday prompt is due
    with caplog.at_level(logging.WARNING):
        world.turn(members_removed(BOT))
    assert team(world).paused and monday_prompt_due(world) == []
    assert "removed" in caplog.text and CHANNEL in caplog.text


def test_a_colleague_leaving_pauses_nothing(world: World) -> None:
    world.turn(members_removed(OMAR))
    assert not team(world).paused


def test_uninstalling_from_another_channel_of_the_same_team_pauses_it_and_adding_back_resumes(
        world: World) -> None:
    world.turn(in_team(message("moments stats")))  # the team's channel, seen inside the Teams team
    general = ConversationAccount(id=TEAMS_TEAM, conversation_type="channel", tenant_id=TENANT)
    world.turn(installation("remove", general))
    assert team(world).paused
    world.turn(installation("add", general))
    assert not team(world).paused


def test_a_channel_of_another_teams_team_is_not_paused(world: World) -> None:
    world.turn(in_team(message("moments stats")))
    elsewhere = ConversationAccount(id="19:other-team@thread.tacv2", conversation_type="channel",
                                    tenant_id=TENANT)
    world.turn(in_team(Activity(type="installationUpdate", action="remove", from_property=SAM,
                                conversation=elsewhere), "19:other-team@thread.tacv2"))
    assert not team(world).paused


def test_removing_the_app_from_a_personal_chat_pauses_no_team(world: World) -> None:
    world.turn(message("wow thank you", SAM, conversation=personal_conversation(SAM)))
    world.turn(installation("remove", personal_conversation(SAM)))
    assert not team(world).paused
