"""Delivering the bot's own posts: routed by platform; Slack paced per channel."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.ports import DeliveryError, Notifier, SentChecker
from bot.views import Post
from handlers.slack.org import attach_org_charts
from handlers.uploads import ChartUploads, Draining, Upload

log = logging.getLogger(__name__)


def post_key(post: Post) -> str:
    return f"{post.team_id}:{post.kind}:{post.week}"
POST_EVENT = "moments_weekly_post"  # message metadata on every weekly post, to find it again
HISTORY_PAGES = 5
PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive",
             "token_revoked", "invalid_auth", "missing_scope"}


class SlackNotifier:
    """chat.postMessage with Block Kit; about one message a second per channel, as Slack asks.
    A digest's chart follows it from ``uploads``, many at once (``drain`` waits for them)."""

    def __init__(self, settings: Settings, installation_store: Any = None, spacing: float = 1.0,
                 uploads: ChartUploads | None = None) -> None:
        self._settings = settings
        self._uploads = uploads or ChartUploads()
        self._installations = installation_store
        self._spacing = spacing
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def _client(self, workspace: Workspace) -> Any:
        from handlers.slack.app import make_client

        if self._installations is not None:
            bot = self._installations.find_bot(enterprise_id=None, team_id=workspace.external_id)
            if bot is None:
                raise DeliveryError("no Slack installation for this workspace", permanent=True)
            return make_client(self._settings, bot.bot_token)
        return make_client(self._settings, self._settings.slack_bot_token)

    def send(self, workspace: Workspace, post: Post) -> None:
        from handlers.slack import blocks as kit

        with self._lock:
            wait = self._last.get(post.channel, 0.0) + self._spacing - time.monotonic()
            self._last[post.channel] = time.monotonic() + max(wait, 0.0)
        if wait > 0:
            time.sleep(wait)
        try:
            client = self._client(workspace)
            client.chat_postMessage(
                channel=post.channel, text=kit.fallback_text(post.reply), blocks=kit.reply_blocks(post.reply),
                metadata={"event_type": POST_EVENT, "event_payload": {"post": post_key(post)}})
        except SlackApiError as err:
            code = str(err.response.get("error", ""))
            retry = err.response.headers.get("Retry-After") if err.response.status_code == 429 else None
            raise DeliveryError(f"Slack said {code or err.response.status_code}",
                                retry_after=float(retry) if retry else None,
                                permanent=code in PERMANENT) from None
        self._attach_chart(client, post)
        attach_org_charts(client, post)  # handlers/slack/org.py

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        """Look in the channel for this weekly post, by the metadata it was sent with: after a
        crash mid-send, it is sent again only if it is surely not there. One conversations.history
        call or a few, which is within even the strictest rate tier for something this rare."""
        key, cursor, unlabelled = post_key(post), None, False
        try:
            client = self._client(workspace)
            for _page in range(HISTORY_PAGES):
                page = client.conversations_history(
                    channel=post.channel, oldest=f"{since.timestamp() - 60:.6f}", limit=200,
                    include_all_metadata=True, cursor=cursor)
                for message in page.get("messages") or []:
                    meta = message.get("metadata") or {}
                    if (meta.get("event_type") == POST_EVENT
                            and (meta.get("event_payload") or {}).get("post") == key):
                        return True
                    # A bot's message that came back without metadata: if Slack withheld it,
                    # absence of the label proves nothing.
                    unlabelled = unlabelled or (bool(message.get("bot_id")) and not meta)
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None if unlabelled else False
        except (SlackApiError, DeliveryError) as err:
            log.warning("could not read %s to look for %s: %s", post.channel, key, err)
        return None  # too much traffic to be sure, or unreadable: a person checks

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for the charts of the digests sent so far; False if some still wait at the timeout."""
        return self._uploads.drain(timeout)

    def _attach_chart(self, client: Any, post: Post) -> None:
        """The digest's WOW/OW chart as a PNG in the channel; the digest itself is already there.
        Drawn here (a few ms), uploaded by ``self._uploads`` while this thread moves on."""
        from bot.views import DigestView
        from handlers.charts import digest_chart

        view = post.reply.view
        if post.kind != "digest" or not isinstance(view, DigestView):
            return
        png = digest_chart(view)
        if png is None:
            return
        self._uploads.submit(Upload(
            token=client.token, base_url=client.base_url, channel=post.channel, content=png,
            filename=f"moments-{view.week}.png",
            title=f"{view.team}: WOW and OW by touchpoint, {view.week}",
            headers=dict(client.headers or {})))


class RoutingNotifier:
    def __init__(self, by_platform: dict[Platform, Notifier]) -> None:
        self._by_platform = by_platform

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        notifier = self._by_platform.get(workspace.platform)
        if isinstance(notifier, SentChecker):
            return notifier.was_sent(workspace, post, since)
        return None

    def drain(self, timeout: float | None = None) -> bool:
        return all(n.drain(timeout) for n in self._by_platform.values() if isinstance(n, Draining))

    def send(self, workspace: Workspace, post: Post) -> None:
        notifier = self._by_platform.get(workspace.platform)
        if notifier is None:
            raise DeliveryError(f"no way to post to {workspace.platform.value} from this server")
        notifier.send(workspace, post)
