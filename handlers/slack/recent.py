"""Slack's recent channel messages: a reaction event names a message, not its text, so the door
keeps a short-lived copy of each message it sees (``MessageCache``) and hands the core the text
with the reaction. The copy is redacted by the core before it is kept, follows the message's
edits, goes when the message is deleted, and is purged on schedule (handlers/server.py)."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import CachedMessage, MomentKind
from bot.services import Actor, Services
from bot.services.capture import Reacted, SourceChanged
from handlers.slack.ports import MessageCache


class RecentMessages:
    def __init__(self, cache: MessageCache, services: Services) -> None:
        self.cache = cache
        self._services = services

    def seen(self, workspace_id: int, channel: str, ts: str, author_id: str, text: str) -> None:
        """A message in a team's channel: kept briefly, redacted (not at all when it can't be)."""
        kept = self._services.capture.keepable(workspace_id=workspace_id, text=text)
        if kept is not None:
            self.cache.remember_message(workspace_id, CachedMessage(
                channel, ts, author_id, kept, self._services.clock.now()))

    def react(self, *, workspace_id: int, team_id: int, channel: str, ts: str, actor: Actor,
              kind: MomentKind, author_id: str = "") -> Reacted:
        """A WOW or OW reaction on message ``ts``, with the message's text and author when the
        door has a copy of it."""
        cached = self.cache.cached_message(workspace_id, channel, ts)
        return self._services.capture.react_in_channel(
            workspace_id=workspace_id, team_id=team_id, channel=channel, ts=ts, actor=actor,
            kind=kind, author_id=author_id or (cached.author_id if cached else ""),
            text=cached.text if cached else None)

    def edited(self, workspace_id: int, channel: str, ts: str, text: str) -> SourceChanged:
        """The message's words changed: the moments quoting it follow (the core), and so does
        the copy, redacted as the first (dropped when the edit left no text, or can't be
        checked)."""
        changed = self._services.capture.source_edited(workspace_id=workspace_id, channel=channel,
                                                       ts=ts, text=text)
        cached = self.cache.cached_message(workspace_id, channel, ts)
        if cached is not None:
            kept = None if changed.gone else \
                self._services.capture.keepable(workspace_id=workspace_id, text=text)
            if kept is None:
                self.cache.forget_message(workspace_id, channel, ts)
            else:
                self.cache.remember_message(workspace_id, replace(cached, text=kept))
        return changed

    def deleted(self, workspace_id: int, channel: str, ts: str) -> SourceChanged:
        """The message was deleted: its copy goes first, then the moments quoting it lose the
        text (the core)."""
        self.cache.forget_message(workspace_id, channel, ts)
        return self._services.capture.source_deleted(workspace_id=workspace_id, channel=channel,
                                                     ts=ts)
