"""Slack's message markup in and out: what people type becomes the core's neutral text, and what
the bot shows is escaped so nobody can make it ping @channel, @here or an arbitrary person."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot import markup

SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
SLACK_SPECIAL = re.compile(r"<!(\w+)(?:\^[^|>]*)?(?:\|([^>]*))?>")  # <!here>, <!subteam^S1|@crew>
SLACK_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
CORE_MENTION = re.compile(r"(?<![\w.@])@([UW][A-Z0-9]{2,20})\b")


def plain(text: str) -> str:
    """Slack markup to neutral text: <@U1|ana> -> @U1, <!channel> -> [channel] (quoted, never
    re-sent as a broadcast nor read as a colleague's name), <#C1|gate> -> #gate, <https://x|x> -> x;
    entities decoded."""
    text = SLACK_USER.sub(r"@\1", text)
    text = SLACK_SPECIAL.sub(lambda m: f"[{(m.group(2) or '').lstrip('@') or m.group(1)}]", text)
    text = SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "#channel", text)
    text = SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return markup.literal(text)  # never the core's own marks


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


# Slack has no escape for its formatting characters; a date token whose format is invalid shows its
# fallback as plain text (the way jsx-slack's <Escape> keeps user text literal).
_FORMATTING = re.compile(r"[*_~`]")


def literal(text: str) -> str:
    """Text shown exactly as written: escaped, and ``*`` ``_`` ``~`` ``` ` ``` never formatting."""
    return _FORMATTING.sub(lambda m: f"<!date^00000000^{{_}}|{m.group(0)}>", escape(text))


def from_core(marked: str, mention: Iterable[str] = ()) -> str:
    """The core's markup (``bot/markup.py``) as mrkdwn. Only the listed people (a WOW's credited
    colleagues) become real mentions; anyone else shows as ``@key``."""
    allowed = set(mention)
    style = markup.Style(
        text=literal,
        bold=lambda s: f"*{s}*",
        italic=lambda s: f"_{s}_",
        code=lambda s: f"`{escape(s).replace('`', 'ˋ')}`",
        mention=lambda key: f"<@{key}>" if key in allowed and SLACK_ID.fullmatch(key)
        else literal(f"@{key}"),
        link=_link,
    )
    return markup.render(marked, style)


def _link(url: str, label: str) -> str:
    target = escape(url).replace("|", "%7C")
    return f"<{target}|{escape(label).replace('|', '¦')}>" if label else f"<{target}>"


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, never cutting a ``<...>`` token or an ``&...;`` entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    opened, entity = cut.rfind("<"), cut.rfind("&")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    if entity > cut.rfind(";") and entity < len(cut):
        cut = cut[:entity]
    return cut + "…"


def one_line(text: str, limit: int) -> str:
    return clip(" ".join(text.split()), limit)
