"""Reading Teams activities into the core's neutral terms: who, where, and what they typed.

A person's key for the core is ``user_key``, the one function every Teams person goes through
(reporter, credited colleague, voter, lead, forget-me): their Azure AD object id, so the same
person has the same key however they reached the bot. Senders carry it; a mention entity often
carries only the Teams account id (``29:1AbC...``), so the bot resolves that first (from people it
has seen, or by asking Teams) and passes the answer to ``read_text``. Only when nothing knows the
AAD id is the account id the key, with ``:`` (and anything else but letters, digits and ``._-``)
written as ``.``, because the core's ``@name`` syntax stops there. Mentions of colleagues become
``@<key>``; the bot's own mention is dropped.

The tenant an activity comes from is its workspace. An activity whose tenant cannot be told (or
whose ``channelData.tenant.id`` and ``conversation.tenantId`` disagree) has none: the bot refuses
it rather than guess, since a wrong guess would show one organisation another's moments.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from bot import markup, parsing

_TAGS = re.compile(r"</?at[^>]*>", re.IGNORECASE)
_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9._-]")  # what the core's @key syntax cannot hold
_MENTION_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_REPEATED = re.compile(r"(@[A-Za-z0-9][A-Za-z0-9._-]*)(?:\s+\1)+(?![A-Za-z0-9._-])")
_SLASH = re.compile(r"(?<![\w/`])`?/(wow|ow|moments)\b")


ALIAS_PREFIX = "teams-account:"  # a remembered account id -> AAD id (never a person's key)


def user_key(account_id: str, aad_object_id: str | None = None) -> str:
    """A Teams person's key in the core: the AAD object id, else the account id made key-safe."""
    return aad_object_id or _NOT_IN_KEY.sub(".", account_id)


_PERSON_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def is_person_key(key: str) -> bool:
    """Whether ``key`` can be a person's key as ``user_key`` makes them: key-safe characters
    only, so never an alias key (``teams-account:...``) nor a raw account id (``29:...``)."""
    return bool(_PERSON_KEY.fullmatch(key)) and not key.startswith(ALIAS_PREFIX)


def alias_key(account_id: str) -> str:
    """Where the name memory keeps an account id's AAD object id (``:`` keeps it off real keys)."""
    return ALIAS_PREFIX + account_id


def people_seen(activity: Any) -> list[tuple[str, str, str]]:
    """(account id, AAD object id, name) of everyone an activity shows with both ids: the sender,
    mentioned colleagues, members added."""
    found: list[Any] = [activity.from_property, *(activity.members_added or [])]
    out = [(p.id, p.aad_object_id, p.name or "") for p in found
           if p is not None and p.id and getattr(p, "aad_object_id", None)]
    bot_id = getattr(activity.recipient, "id", None)
    out += [(account, aad, name) for account, name, _shown, aad in mentions(activity)
            if aad and account != bot_id]
    return list(dict.fromkeys(out))


def unresolved_mentions(activity: Any) -> list[str]:
    """Account ids of mentioned people (not the bot) whose entity carries no AAD object id."""
    bot_id = getattr(activity.recipient, "id", None)
    return list(dict.fromkeys(account for account, _name, _shown, aad in mentions(activity)
                              if not aad and account != bot_id))


def mentioned_accounts(activity: Any) -> list[str]:
    """Account ids of the people (not the bot) a message mentions, in order, once each."""
    bot_id = getattr(activity.recipient, "id", None)
    return list(dict.fromkeys(account for account, _name, _shown, _aad in mentions(activity)
                              if account != bot_id))


def conversation_key(conversation_id: str) -> str:
    """A channel's id without the ``;messageid=...`` Teams adds for replies in a thread."""
    return conversation_id.split(";", 1)[0]


def tenant_of(activity: Any, fallback: str = "") -> str:
    """The activity's tenant id, lower case (Azure tenant ids are GUIDs: one tenant whatever the
    case); ``fallback`` when it names none; "" when its places for it disagree (or none says and
    there is no fallback): no workspace for it.

    Teams writes ``conversation.tenantId``; botbuilder's model reads ``tenantID`` (and keeps
    Teams' spelling among the extra properties); ``channelData.tenant.id`` is the third place."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    named = [str(data["tenant"].get("id") or "") if isinstance(data.get("tenant"), dict) else ""]
    conversation = activity.conversation
    if conversation is not None:
        extra = getattr(conversation, "additional_properties", None) or {}
        named += [str(getattr(conversation, "tenant_id", None) or ""), str(extra.get("tenantId") or "")]
    tenants = {t.strip().lower() for t in named if t.strip()}
    if len(tenants) > 1:
        return ""
    return tenants.pop() if tenants else fallback.strip().lower()


def teams_team_of(activity: Any) -> str:
    """The Teams team a channel activity comes from (channelData.team.id); "" outside teams."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    return str(team.get("id") or "") if isinstance(team, dict) else ""


def is_personal(activity: Any) -> bool:
    kind = getattr(activity.conversation, "conversation_type", None)
    return kind in (None, "", "personal")


def mentions(activity: Any) -> list[tuple[str, str, str, str | None]]:
    """(account id, name, text as it appears, AAD object id if the entity has it) per mention."""
    out = []
    for entity in activity.entities or []:
        if (getattr(entity, "type", "") or "").lower() != "mention":
            continue
        mentioned = getattr(entity, "mentioned", None)
        if mentioned is not None:
            account, name = mentioned.id or "", mentioned.name or ""
            aad, shown = getattr(mentioned, "aad_object_id", None), getattr(entity, "text", "") or ""
        else:
            props = getattr(entity, "additional_properties", None) or {}
            who = props.get("mentioned") or {}
            account, name = str(who.get("id") or ""), str(who.get("name") or "")
            aad, shown = who.get("aadObjectId"), str(props.get("text") or "")
        if account:
            out.append((account, name, shown, str(aad) if aad else None))
    return out


def read_text(activity: Any, aad_ids: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """The typed text with the bot's mention dropped and colleagues as ``@key``; and key -> name.

    ``aad_ids`` (account id -> AAD object id) resolves mentions whose entity lacks the AAD id.
    Each ``<at>...</at>`` tag is matched to its mention entity by what it shows, compared
    unescaped, so names with ``&``, ``:`` or ``(`` in them still match; a tag with no entity
    keeps the name as typed. A name Teams splits into a tag a word is one mention."""
    bot_id = getattr(activity.recipient, "id", None)
    found = mentions(activity)
    names: dict[str, str] = {}

    def replace_tag(tag: re.Match[str]) -> str:
        shown = _squash(tag.group(0))
        for i, (account, name, entity_text, aad) in enumerate(found):
            if _squash(entity_text) == shown:
                del found[i]  # each entity stands for one tag
                if account == bot_id:
                    return ""
                key = user_key(account, aad or (aad_ids or {}).get(account))
                names[key] = name
                return "@" + key
        return html.unescape(tag.group(1))

    text = _MENTION_TAG.sub(replace_tag, activity.text or "")
    text = _REPEATED.sub(r"\1", text)  # "@key @key": one person's split name
    text = html.unescape(_TAGS.sub("", text))
    return markup.literal(" ".join(text.split(" ")).strip()), names  # never the core's own marks


def _squash(shown: str) -> str:
    """A mention's text as compared: without its ``<at>`` tags and leading ``@``, unescaped, with
    single spaces, in one case. Teams' entity text is ``<at>Name</at>``; other clients (and the
    Emulator) send ``Name`` or ``@Name``, which stand for the same ``<at>Name</at>`` tag."""
    plain = html.unescape(_TAGS.sub("", shown)).strip()
    return " ".join(plain.lstrip("@").split()).casefold()


def parse_command(text: str) -> tuple[str, str] | None:
    """What a person typed to the bot, read by the core's one rule (``parsing.addressed_command``):
    everything sent to a Teams bot is addressed to it."""
    return parsing.addressed_command(text)


def teams_syntax(text: str, names: dict[str, str] | None = None) -> str:
    """The core's command hints as people type them in Teams (``moments stats``, not
    ``/moments stats``), and ``@key`` shown as the person's name where this turn knows it."""
    text = _SLASH.sub(lambda m: m.group(0).replace("/", ""), text)
    return with_names(text, names or {})


def people_in(text: str) -> list[str]:
    """The user keys ``@key`` names in a text, in order, once each."""
    return list(dict.fromkeys(m.group(1).rstrip(".") for m in parsing.MENTION.finditer(text)))


def with_names(text: str, names: Mapping[str, str]) -> str:
    """``@key`` as the person's name where it is known; unknown keys stay as they are."""
    if not names:
        return text

    def name(match: re.Match[str]) -> str:
        key = match.group(1).rstrip(".")  # a mention at the end of a sentence
        known = names.get(key)
        return known + match.group(1)[len(key):] if known else match.group(0)

    return parsing.MENTION.sub(name, text)


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_from_html(content: str) -> str:
    """A Teams message body (HTML) as plain text, for the "Log as a moment" form."""
    parser = _Plain()
    parser.feed(content)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line).strip()


def place_name(activity: Any) -> str:
    """What the conversation is called, to name a new team after it: the channel's name, else
    the Teams team's (a team's General channel has no name of its own), else a group chat's."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    for key in ("channel", "team"):
        found = data.get(key)
        if isinstance(found, dict) and found.get("name"):
            return str(found["name"])
    return str(getattr(activity.conversation, "name", None) or "")


def timezone_of(activity: Any) -> str:
    """The sender's timezone as their Teams client says: ``localTimezone``, else the
    ``clientInfo`` entity's ``timezone``; "" when neither does."""
    local = getattr(activity, "local_timezone", None)
    if local:
        return str(local)
    for entity in activity.entities or []:
        props = entity if isinstance(entity, dict) else {
            "type": getattr(entity, "type", None), **(getattr(entity, "additional_properties", None) or {})}
        if props.get("type") == "clientInfo" and props.get("timezone"):
            return str(props["timezone"])
    return ""
