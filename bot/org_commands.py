"""`/moments org ...`: the organisation channel and its digest (``OrgService``)."""

from __future__ import annotations

import shlex

from bot import org_text, words
from bot.chat import ChatContext
from bot.errors import UserError
from bot.services import Services
from bot.views import Reply
from bot.weeks import parse_week

OPTIONS = {"tz": "timezone", "timezone": "timezone", "at": "digest_at", "digest": "digest_at"}


def org(s: Services, ctx: ChatContext, rest: str) -> Reply:
    try:
        parts = shlex.split(rest)
    except ValueError:
        parts = rest.split()
    verb, args = (parts[0].lower(), parts[1:]) if parts else ("status", [])
    ws = ctx.workspace_id
    if verb in ("status", "show") and not args:
        return org_text.channel_shown(s.org.channel(workspace_id=ws))
    if verb == "setup":
        return _setup(s, ctx, args)
    if verb == "digest" and len(args) <= 1:
        week = args[0].upper() if args else None
        if week:
            parse_week(week)
        reply = org_text.digest(s.org.digest(workspace_id=ws, week=week))
        return Reply(reply.text, view=reply.view)  # a preview, only for the asker
    if verb in ("off", "remove") and not args:
        removed = s.org.remove(workspace_id=ws, actor=ctx.actor)
        return Reply(words.ORG_REMOVED if removed else words.ORG_NOTHING_TO_REMOVE)
    raise UserError(org_text.usage())


def _setup(s: Services, ctx: ChatContext, args: list[str]) -> Reply:
    channel = ""
    options: dict[str, str] = {}
    for word in args:
        key, sep, value = word.partition("=")
        if sep:
            if key.lower() not in OPTIONS or not value:
                raise UserError(words.ORG_UNKNOWN_OPTION.format(option=key))
            options[OPTIONS[key.lower()]] = value
        elif word.startswith("#") and not channel:
            channel = word
        else:
            raise UserError(org_text.usage())
    view = s.org.setup(workspace_id=ctx.workspace_id, actor=ctx.actor,
                       channel=channel or ctx.channel, timezone=options.get("timezone"),
                       digest_at=options.get("digest_at"))
    return org_text.channel_set(view)
