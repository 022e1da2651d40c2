"""Who is asking, from where: what every command handler is given besides the services."""

from __future__ import annotations

from dataclasses import dataclass

from bot import words
from bot.domain import Source, Team
from bot.markup import code
from bot.services import Actor, Services
from bot.services.base import NO_TEAM, NoTeam


@dataclass(frozen=True, slots=True)
class ChatContext:
    workspace_id: int
    channel: str
    actor: Actor
    source: Source = Source.COMMAND
    message_ref: str | None = None
    # the platform's id for this request (Slack's event_id or trigger_id): the same request
    # handled twice (replayed after a crash) finds the moment it made instead of making another
    request_key: str | None = None
    # the people the message names, as the door knows them (with their aliases, where a
    # person has more than one key): `privacy delete @x` reaches all of x's keys
    people: tuple[Actor, ...] = ()
    # a private conversation with the bot (a Slack DM, a Teams personal chat): what is reported
    # there goes to the person's own team, or waits for them to pick one
    private: bool = False
    # hints for guessing a new team's settings, where the door knows them cheaply
    channel_name: str = ""
    timezone: str = ""

    def person(self, name: str) -> Actor:
        """The person ``@name`` stands for: as the door named them, else just that key."""
        key = name.strip().lstrip("@")
        return next((p for p in self.people if p.user_id == key), Actor(key))


def team_of(services: Services, ctx: ChatContext) -> Team:
    """The team whose channel this is; a friendly refusal elsewhere."""
    team = services.journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)
    if team is None:
        if ctx.private:  # in several teams, none picked yet: no channel to name
            raise NoTeam(words.FIRST_PICK_TEAM_PRIVATE.format(command=code("/moments team")))
        raise NoTeam(NO_TEAM)
    return team
