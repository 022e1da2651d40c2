"""A Teams world: the core on an in-memory store, the bot on botbuilder's TestAdapter.

Activities carry what Teams sends (tenant in channelData, a channel conversation, mention
entities); ``World.turn`` runs one through the bot and returns what the bot sent back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter  # type: ignore[import-untyped]
from botbuilder.schema import (  # type: ignore[import-untyped]
    Activity,
    ChannelAccount,
    ConversationAccount,
    Mention,
)

from bot.domain import Platform, Team
from bot.services import Actor, Services
from handlers.teams.bot import MomentsTeamsBot
from handlers.teams.reading import user_key
from tests.conftest import MONDAY
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.handlers.teams.fakes import InMemoryConversationStore

TENANT = "tenant-1"
CHANNEL = "19:gate-crew@thread.tacv2"
BOT = ChannelAccount(id="28:moments-bot", name="Moments")
LENA = ChannelAccount(id="29:lena", name="Lena", aad_object_id="aad-lena")  # the team's lead
SAM = ChannelAccount(id="29:sam", name="Sam", aad_object_id="aad-sam")
OMAR = ChannelAccount(id="29:omar", name="Omar", aad_object_id="aad-omar")


def key(account: ChannelAccount) -> str:
    return user_key(account.id, account.aad_object_id)


def channel_conversation(thread: str = "") -> ConversationAccount:
    suffix = f";messageid={thread}" if thread else ""
    return ConversationAccount(id=CHANNEL + suffix, conversation_type="channel", tenant_id=TENANT)


def personal_conversation(who: ChannelAccount) -> ConversationAccount:
    return ConversationAccount(id=f"a:personal-{who.id}", conversation_type="personal", tenant_id=TENANT)


def message(text: str, who: ChannelAccount = SAM, *, mention_bot: bool = False,
            mentions: tuple[ChannelAccount, ...] = (), conversation: ConversationAccount | None = None,
            value: dict[str, Any] | None = None, reply_to_id: str | None = None) -> Activity:
    entities = []
    if mention_bot:
        text = f"<at>{BOT.name}</at> {text}"
        entities.append(Mention(mentioned=BOT, text=f"<at>{BOT.name}</at>", type="mention"))
    for person in mentions:
        entities.append(Mention(mentioned=person, text=f"<at>{person.name}</at>", type="mention"))
    return Activity(type="message", text=text, from_property=who, entities=entities or None,
                    conversation=conversation or channel_conversation(), value=value,
                    reply_to_id=reply_to_id)


def submit(data: dict[str, Any], who: ChannelAccount = SAM, *, reply_to_id: str | None = "card-1",
           conversation: ConversationAccount | None = None) -> Activity:
    """What Teams sends when an Action.Submit button is pressed: a message with ``value``."""
    return message("", who, value=data, reply_to_id=reply_to_id, conversation=conversation)


@dataclass
class World:
    services: Services
    store: InMemoryStore
    clock: FixedClock
    ws: int
    team: Team
    bot: MomentsTeamsBot
    adapter: Any
    conversations: InMemoryConversationStore

    def turn(self, activity: Activity) -> list[Activity]:
        self.adapter.activity_buffer.clear()
        asyncio.run(self.adapter.receive_activity(activity))
        sent = list(self.adapter.activity_buffer)
        self.adapter.activity_buffer.clear()
        return sent

    def reference(self, conversation_id: str = CHANNEL) -> str | None:
        return self.conversations.conversation(self.ws, "teams:" + conversation_id)


def make_teams_world() -> World:
    store = InMemoryStore()
    clock = FixedClock(MONDAY)
    services = Services(store=store, clock=clock, make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.TEAMS, external_id=TENANT).id
    team = services.journey.setup_team(workspace_id=ws, actor=Actor(key(LENA), "Lena"), channel=CHANNEL,
                                       name="Gate crew", template="airline", timezone="Europe/Stockholm")
    conversations = InMemoryConversationStore()
    bot = MomentsTeamsBot(services, conversations=conversations)
    template = Activity(channel_id="msteams", service_url="https://smba.example.test/emea/",
                        recipient=BOT, from_property=SAM, conversation=channel_conversation(),
                        channel_data={"tenant": {"id": TENANT}})
    adapter = TestAdapter(bot.on_turn, template)
    return World(services, store, clock, ws, team, bot, adapter, conversations)


@pytest.fixture
def world() -> World:
    return make_teams_world()


def card_of(activity: Activity) -> dict[str, Any]:
    assert activity.attachments, f"expected an Adaptive Card, got text {activity.text!r}"
    attachment = activity.attachments[0]
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment.content
    return content


def texts(card: dict[str, Any]) -> str:
    """Every TextBlock's text in a card, in order."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(out)


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
