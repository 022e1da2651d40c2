"""Slack's message markup in and out: what people type becomes the core's neutral text, and what
the bot shows is escaped so nobody can make it ping @channel, @here or an arbitrary person."""

from __future__ import annotations

import re
from collections.abc import Iterable

SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
SLACK_SPECIAL = re.compile(r"<!(\w+)(?:\^[^|>]*)?(?:\|([^>]*))?>")  # <!here>, <!subteam^S1|@crew>
SLACK_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
CORE_MENTION = re.compile(r"(?<![\w.@])@([UW][A-Z0-9]{2,20})\b")


def plain(text: str) -> str:
    """Slack markup to neutral text: <@U1|ana> -> @U1, <!channel> -> [channel] (quoted, never
    re-sent as a broadcast nor read as a colleague's name), <#C1|gate> -> #gate, <https://x|x> -> x;
    entities decoded."""
    text = SLACK_USER.sub(r"@\1", text)
    text = SLACK_SPECIAL.sub(lambda m: f"[{(m.group(2) or '').lstrip('@') or m.group(1)}]", text)
    text = SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "#channel", text)
    text = SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Slack's three control characters. Afterwards no text can form <!channel> or <@U1>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, mention: Iterable[str] = ()) -> str:
    """Neutral text, safe to show: escaped, and only the listed people (a WOW's credited
    colleagues) turned back into real mentions."""
    allowed = set(mention)
    safe = escape(text)
    if not allowed:
        return safe
    return CORE_MENTION.sub(lambda m: f"<@{m.group(1)}>" if m.group(1) in allowed else m.group(0), safe)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int) -> str:
    return clip(" ".join(text.split()), limit)
