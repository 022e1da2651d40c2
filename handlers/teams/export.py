"""`/moments export` in Teams: a card with a short-lived download link for the CSV."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory, MessageFactory  # type: ignore[import-untyped]

from bot import text
from bot.chat import ChatContext
from bot.markup import plain
from bot.views import MomentsExport, Reply
from handlers.export_links import TTL_SECONDS, ExportLinks
from handlers.teams import cards
from handlers.teams.markup import markdown


def export_activity(reply: Reply, ctx: ChatContext, links: ExportLinks | None, *,
                    personal: bool) -> Any:
    """Only in a personal chat: anyone who sees a link can download with it until it expires."""
    assert isinstance(reply.view, MomentsExport)
    if not personal:
        return MessageFactory.text(markdown(text.EXPORT_PERSONAL_ONLY))
    if links is None or not links.available:
        return MessageFactory.text(markdown(text.EXPORT_NO_LINK))
    url = links.link(workspace_id=ctx.workspace_id, team_id=reply.view.team_id, actor=ctx.actor)
    card = cards.card(cards.lines(markdown(reply.text))
                      + [cards.block(markdown(text.export_expires(TTL_SECONDS // 60)),
                                     isSubtle=True)],
                      [{"type": "Action.OpenUrl", "title": text.EXPORT_DOWNLOAD, "url": url}])
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = plain(reply.text.split("\n", 1)[0])[:200]
    return activity
