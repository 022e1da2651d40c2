"""The organisation channel in Teams: `moments org setup` in the channel itself, or naming
another channel of the same Teams team with a channel mention (``<at>All sites</at>``, whose
mention entity carries the channel's ``19:…@thread…`` id). A named channel gets a conversation
reference made from this one (same service URL, tenant and Teams team, that channel's id), so
the weekly organisation digest can be posted there before anyone talks to the bot in it."""

from __future__ import annotations

import json
import re
from typing import Any

from handlers.teams.lifecycle import reference_key
from handlers.teams.ports import ConversationStore
from handlers.teams.reading import conversation_key, mentions

CHANNEL_ID = re.compile(r"^19:[^;\s]+@thread\.[a-z0-9]+$")
SETUP = re.compile(r"^\s*org\s+setup\b", re.IGNORECASE)
MENTIONED = re.compile(r"(?<!\S)@\S+")
CHANNEL_KEY = re.compile(r"^19\.[^\s]+\.thread\.[a-z0-9]+$")  # a channel id made key-safe


def named_channel(activity: Any) -> tuple[str, str] | None:
    """(channel id, name) of the first channel the message mentions."""
    for account, name, _shown, _aad in mentions(activity):
        if CHANNEL_ID.match(account):
            return account, name
    return None


def without_channels(names: dict[str, str]) -> dict[str, str]:
    """The people a message names, without the channels it mentions (never a person's key)."""
    return {key: name for key, name in names.items() if not CHANNEL_KEY.match(key)}


def org_setup_words(activity: Any, command: str, rest: str) -> str:
    """`org setup <at>All sites</at> at=…` as the core reads it: `org setup #19:…|All sites at=…`."""
    named = named_channel(activity) if command == "/moments" and SETUP.match(rest) else None
    if named is None:
        return rest
    options = " ".join(MENTIONED.sub(" ", SETUP.sub("", rest)).split())  # the mention goes
    label = named[1].replace('"', "'").replace("|", "/")
    return f'org setup "#{named[0]}|{label}" {options}'.strip()


def share_reference(conversations: ConversationStore, workspace_id: int, activity: Any,
                    channel: str, now: Any) -> None:
    """A reference for a channel of the Teams team this activity comes from, unless one exists."""
    here = conversation_key(activity.conversation.id)
    if channel == here or conversations.conversation(workspace_id, reference_key(channel)):
        return
    stored = conversations.conversation(workspace_id, reference_key(here))
    if not stored:
        return
    reference: dict[str, Any] = json.loads(stored)
    reference["conversation"] = {**(reference.get("conversation") or {}), "id": channel}
    conversations.save_conversation(workspace_id, reference_key(channel), json.dumps(reference), now)
