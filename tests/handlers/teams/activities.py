"""Bot Framework activities as Teams posts them to /api/messages, in the three places a bot lives:
a personal chat, a group chat and a channel thread (conversation id with ``;messageid=``).

Shapes follow Microsoft's Teams bot and message-extension references: ``conversation.tenantId``
(Teams' spelling), ``channelData.tenant.id``, mention entities ``{"type": "mention", "text":
"<at>Name</at>", "mentioned": {...}}``, and for the message action ``value.commandId``,
``value.commandContext == "message"`` and ``value.messagePayload`` (the message acted on).
"""

from __future__ import annotations

from typing import Any

from tests.handlers.teams.conftest import CHANNEL, TENANT

BOT = {"id": "28:moments-bot", "name": "Moments"}
SAM = {"id": "29:sam", "name": "Sam", "aadObjectId": "aad-sam"}
OMAR = {"id": "29:omar", "name": "Omar", "aadObjectId": "aad-omar"}
GROUP_CHAT = "19:shift-chat@thread.v2"
THREAD = "1700000000001"


def conversation(where: str, who: dict[str, str] = SAM) -> dict[str, Any]:
    if where == "personal":
        return {"conversationType": "personal", "tenantId": TENANT, "id": f"a:1-personal-{who['id']}"}
    if where == "group":
        return {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": GROUP_CHAT}
    return {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
            "id": f"{CHANNEL};messageid={THREAD}"}


def channel_data(where: str) -> dict[str, Any]:
    data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if where == "channel":
        data.update(teamsChannelId=CHANNEL, teamsTeamId=CHANNEL, channel={"id": CHANNEL},
                    team={"id": CHANNEL})
    return data


def activity(service_url: str, where: str, kind: str, *, who: dict[str, str] = SAM,
             n: int = 2, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind, "id": f"17000000000{n:02d}", "timestamp": "2026-11-16T09:00:00.000Z",
        "localTimestamp": "2026-11-16T10:00:00.000+01:00", "serviceUrl": service_url,
        "channelId": "msteams", "from": who, "conversation": conversation(where, who),
        "recipient": BOT, "channelData": channel_data(where), "locale": "en-GB",
    }
    body.update(fields)
    return body


def message(service_url: str, where: str, text: str, *, who: dict[str, str] = SAM,
            mentioned: tuple[tuple[dict[str, str], str], ...] = (), n: int = 2) -> dict[str, Any]:
    """``text`` as typed; in a channel or group chat it starts with the bot's mention (Teams
    only delivers messages there that @mention the bot). ``mentioned``: (person, entity text)."""
    entities: list[dict[str, Any]] = []
    if where != "personal":
        text = f"<at>Moments</at> {text}"
        entities.append({"type": "mention", "text": "<at>Moments</at>", "mentioned": BOT})
    entities += [{"type": "mention", "text": shown, "mentioned": {"id": p["id"], "name": p["name"]}}
                 for p, shown in mentioned]
    entities.append({"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web"})
    return activity(service_url, where, "message", who=who, n=n, text=text, textFormat="plain",
                    entities=entities)


def message_payload(content: str = "<p>Omar found a wheelchair for the late passenger</p>",
                    author: dict[str, str] = OMAR) -> dict[str, Any]:
    """``value.messagePayload``: the message a message action was used on."""
    return {"id": "1700000000777", "replyToId": None, "messageType": "message",
            "createdDateTime": "2026-11-16T08:55:00.000Z", "importance": "normal", "locale": "en-gb",
            "body": {"contentType": "html", "content": content},
            "from": {"user": {"id": author["aadObjectId"], "displayName": author["name"],
                              "userIdentityType": "aadUser"}},
            "attachments": [], "mentions": [], "reactions": []}


def fetch_task(service_url: str, where: str, *, n: int = 3, **payload: Any) -> dict[str, Any]:
    return activity(service_url, where, "invoke", n=n, name="composeExtension/fetchTask", value={
        "commandId": "logMoment", "commandContext": "message", "context": {"theme": "default"},
        "messagePayload": message_payload(**payload)})


def submit_action(service_url: str, where: str, data: dict[str, Any], *, n: int = 4,
                  **payload: Any) -> dict[str, Any]:
    return activity(service_url, where, "invoke", n=n, name="composeExtension/submitAction", value={
        "commandId": "logMoment", "commandContext": "message", "context": {"theme": "default"},
        "data": data, "messagePayload": message_payload(**payload)})


def card_submit(service_url: str, where: str, data: dict[str, Any], *, reply_to: str,
                n: int = 5) -> dict[str, Any]:
    """An Action.Submit pressed on a card in the conversation: a message with ``value``."""
    return activity(service_url, where, "message", n=n, replyToId=reply_to, value=data)


def reaction(service_url: str, where: str, reply_to: str, *, added: str = "", removed: str = "",
             who: dict[str, str] = OMAR, n: int = 6) -> dict[str, Any]:
    fields: dict[str, Any] = {"replyToId": reply_to}
    if added:
        fields["reactionsAdded"] = [{"type": added}]
    if removed:
        fields["reactionsRemoved"] = [{"type": removed}]
    return activity(service_url, where, "messageReaction", who=who, n=n, **fields)


def members_added(service_url: str, where: str, n: int = 7) -> dict[str, Any]:
    extra = {"eventType": "teamMemberAdded"} if where == "channel" else {}
    body = activity(service_url, where, "conversationUpdate", n=n, membersAdded=[BOT])
    body["channelData"].update(extra)
    return body


def installation(service_url: str, where: str, action: str = "add", n: int = 8) -> dict[str, Any]:
    return activity(service_url, where, "installationUpdate", n=n, action=action)
