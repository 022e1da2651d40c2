"""The core's replies as Teams messages: an Adaptive Card when a reply has buttons or a rich
view, else markdown text; people's ``@key`` shown as their names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.core import CardFactory, MessageFactory  # type: ignore[import-untyped]
from botbuilder.schema import Activity  # type: ignore[import-untyped]
from botbuilder.schema.teams import (  # type: ignore[import-untyped]
    MessagingExtensionActionResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleTaskInfo,
)

from bot.domain import Touchpoint
from bot.markup import plain
from bot.org_views import OrgDigestView
from bot.views import Reply, SetupOffer
from handlers.teams import cards
from handlers.teams.org_cards import org_digest_card
from handlers.teams.reading import people_in, with_names
from handlers.teams.setup_form import setup_card


def render_activity(reply: Reply, *, touchpoints: list[Touchpoint] | None = None) -> Activity:
    """A reply as a Teams message: an Adaptive Card when it has buttons or a rich view, else text."""
    if isinstance(reply.view, OrgDigestView) and not reply.error:  # handlers/teams/org_cards.py
        return _card_activity(reply, org_digest_card(reply, reply.view))
    if not cards.wants_card(reply):
        return MessageFactory.text(cards.markdown(reply.text))
    if isinstance(reply.view, SetupOffer) and not reply.error:  # the form under its words
        return _card_activity(reply, setup_card(reply, reply.view))
    return _card_activity(reply, cards.reply_card(reply, touchpoints=touchpoints or []))


def _card_activity(reply: Reply, card: cards.Card) -> Activity:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = plain(reply.text.split("\n", 1)[0])[:200]  # the notification preview
    return activity


def people_of(activity: Activity) -> list[str]:
    """The user keys (``@key``) a rendered message shows, to look their names up."""
    found: list[str] = []

    def collect(text: str) -> str:
        found.extend(people_in(text))
        return text

    _walk_texts(activity, collect)
    return list(dict.fromkeys(found))


def name_people(activity: Activity, names: dict[str, str]) -> Activity:
    """The rendered message with ``@key`` as people's names, where known."""
    if names:
        safe = {k: cards.safe(v) for k, v in names.items() if v}
        _walk_texts(activity, lambda text: with_names(text, safe))
    return activity


def _walk_texts(activity: Activity, fix: Callable[[str], str]) -> None:
    """Apply ``fix`` to every text people read in a message (not to submit data or input ids)."""
    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return fix(node)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {k: v if k in ("data", "id", "type") else walk(v) for k, v in node.items()}
        return node

    for attr in ("text", "summary"):
        if isinstance(getattr(activity, attr, None), str):
            setattr(activity, attr, fix(getattr(activity, attr)))
    for attachment in activity.attachments or []:
        if isinstance(attachment.content, dict):
            attachment.content = walk(attachment.content)


def task_card(title: str, card: cards.Card) -> MessagingExtensionActionResponse:
    """A dialog (task module) showing ``card``."""
    info = TaskModuleTaskInfo(title=title, card=CardFactory.adaptive_card(card), height="medium",
                              width="medium")
    return MessagingExtensionActionResponse(task=TaskModuleContinueResponse(value=info))


def task_message(text: str) -> MessagingExtensionActionResponse:
    """A dialog that only says ``text``."""
    return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))
