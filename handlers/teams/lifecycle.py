"""The conversations the bot is in: each turn refreshes the conversation's stored reference
(so the weekly posts can reach it later), and the bot removed from a team or chat pauses the
weekly posts of the Moments teams there (added back, they resume)."""

from __future__ import annotations

import json
import logging
from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from bot.services import Services
from handlers.teams.ports import ConversationStore
from handlers.teams.reading import conversation_key, is_personal, teams_team_of, tenant_of

log = logging.getLogger(__name__)
REFERENCE_PREFIX = "teams:"
TEAMS_TEAM = "teamsTeamId"  # stored beside a reference: the Teams team the channel belongs to
VERIFIED = "momentsServiceUrlVerified"  # beside a reference an authenticated activity brought
ANONYMOUS = "anonymous"  # botbuilder's authentication type without an app id (the emulator mode)


def reference_key(channel: str) -> str:
    """The key of a conversation's stored reference (``Post.channel`` is the channel)."""
    return REFERENCE_PREFIX + channel


def is_authenticated(identity: Any) -> bool:
    """A claims identity from a checked token, not the anonymous one of the emulator mode."""
    return identity is not None and bool(getattr(identity, "is_authenticated", False)) and \
        getattr(identity, "authentication_type", None) != ANONYMOUS


def save_reference(services: Services, conversations: ConversationStore, workspace_id: int,
                   activity: Any, verified: bool = False) -> None:
    if not activity.conversation or not activity.conversation.id:
        return
    reference = TurnContext.get_conversation_reference(activity)
    reference.conversation.id = conversation_key(activity.conversation.id)
    reference.activity_id = None  # posts start a new thread, not a reply to this message
    stored = reference.serialize()
    teams_team = teams_team_of(activity)
    if teams_team:  # botbuilder ignores the extra keys when it reads the reference back
        stored[TEAMS_TEAM] = teams_team
    if verified:  # its serviceUrl came with a checked token: proactive posts may use it
        stored[VERIFIED] = True
    conversations.save_conversation(workspace_id, reference_key(reference.conversation.id),
                                    json.dumps(stored), services.clock.now())


def set_paused(services: Services, conversations: ConversationStore, workspace_id: int,
               activity: Any, paused: bool, tenant: str = "") -> None:
    """Pause (or resume) the weekly posts of every Moments team in that Teams team or chat.

    A team's channels share nothing in their ids, so each stored reference carries the Teams
    team it was seen in; a personal install touches no team."""
    if is_personal(activity) or not activity.conversation:
        return
    ws = workspace_id
    where = {conversation_key(activity.conversation.id)}
    teams_team = teams_team_of(activity)
    if teams_team:
        where.add(teams_team)
    for team in services.journey.teams(workspace_id=ws):
        if team.channel not in where:
            stored = json.loads(conversations.conversation(ws, reference_key(team.channel)) or "{}")
            if not teams_team or stored.get(TEAMS_TEAM) != teams_team:
                continue
        changed = services.journey.set_paused(workspace_id=ws, team_id=team.id, paused=paused)
        if changed is not None and changed.paused == paused:
            if paused:
                log.warning("Moments was removed from Teams conversation %s (tenant %s): weekly "
                            "posts of team %s are paused", team.channel,
                            tenant or tenant_of(activity), team.name)
            else:
                log.info("Moments is back in Teams conversation %s: weekly posts of team %s "
                         "resume", team.channel, team.name)
