"""Delivering the bot's own posts: routed by platform; Slack paced per channel."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot import words
from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.ports import DeliveryError, Notifier, SentChecker
from bot.views import Post
from handlers.slack.chart_links import ChartLinks
from handlers.slack.org import org_charts
from handlers.slack.tiers import TRIES, TierBuckets, retry_after
from handlers.uploads import Chart, ChartUploads, Draining, Upload

log = logging.getLogger(__name__)
T = TypeVar("T")


def post_key(post: Post) -> str:
    return f"{post.team_id}:{post.kind}:{post.week}"
POST = "chat.postMessage"
POST_EVENT = "moments_weekly_post"  # message metadata on every weekly post, to find it again
HISTORY_PAGES = 5
CHART_AT = 2  # a digest's chart goes under its header and counts
LINKS_OFF_FOR = 600.0  # seconds charts are uploaded after Slack could not download ours
CHART_WAITS = (1.0, 2.0, 4.0)  # seconds between tries while Slack cannot take a chart in yet
PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive",
             "token_revoked", "invalid_auth", "missing_scope"}


class SlackNotifier:
    """chat.postMessage with Block Kit; about one message a second per channel, as Slack asks.
    A digest's chart goes in the digest itself, shown by an image block in the one post that the
    weekly cycle sends exactly once: with ``links`` (the server has a public URL) by URL, the PNG
    kept in the database first (``handlers/slack/chart_links.py``); without, uploaded unshared
    first (``uploads``, on one event loop, many at once). The organisation digest carries its
    charts the same way. The uploads, and the reads that look for a post, keep to Slack's tiers
    per workspace by ``tiers`` (the door sender's buckets, so both count a workspace's calls
    once), and so do the posts' slots, a message a second a channel, shared with the door's
    replies (chat.postMessage has no tier of its own)."""

    def __init__(self, settings: Settings, installation_store: Any = None, spacing: float = 1.0,
                 uploads: ChartUploads | None = None, tiers: TierBuckets | None = None,
                 links: ChartLinks | None = None) -> None:
        self._settings = settings
        self._uploads = uploads or ChartUploads(tiers=tiers)
        self._links = links
        self._links_off_until = 0.0  # (monotonic) Slack could not download our charts: upload
        self._installations = installation_store
        self._spacing = spacing

    def _client(self, workspace: Workspace) -> Any:
        from handlers.slack.app import make_client

        if self._installations is not None:
            bot = self._installations.find_bot(enterprise_id=None, team_id=workspace.external_id)
            if bot is None:
                raise DeliveryError("no Slack installation for this workspace", permanent=True)
            return make_client(self._settings, bot.bot_token, patience=0.0)
        # patience 0: a 429 is not waited out inside the client, where nobody else would hear
        # of it, but held here for the whole workspace at once (tiers.hold), then tried again
        return make_client(self._settings, self._settings.slack_bot_token, patience=0.0)

    def send(self, workspace: Workspace, post: Post) -> None:
        try:
            client = self._client(workspace)
            charts = post_charts(post)
            images = self._images(client, workspace, charts) if charts else []
            by_url = bool(images) and "image_url" in images[0]
            # the channel's next slot, shared with the door's replies (tiers.post_slot), taken
            # once the post is ready to go: a reply's slot after it is counted from the post
            wait = self._uploads.tiers.post_slot(client.token or "", post.channel, self._spacing)
            if wait > 0:
                time.sleep(wait)
            self._post(client, post, images,
                       upload_instead=(lambda: self._uploaded(client, charts)) if by_url else None)
        except SlackApiError as err:
            code = str(err.response.get("error", ""))
            retry = err.response.headers.get("Retry-After") if err.response.status_code == 429 else None
            raise DeliveryError(f"Slack said {code or err.response.status_code}",
                                retry_after=float(retry) if retry else None,
                                permanent=code in PERMANENT) from None

    def _images(self, client: Any, workspace: Workspace, charts: list[Chart]) -> list[dict[str, Any]]:
        """The charts' image blocks, by URL or by uploaded file; a chart that could not be stored
        or uploaded is left out (the post's text carries the same counts)."""
        from handlers.slack import blocks as kit

        if self._links is not None and time.monotonic() >= self._links_off_until:
            images = []
            for c in charts:
                try:
                    url = self._links.publish(workspace.id, c.png)
                except Exception:  # noqa: BLE001 - the post goes without this chart
                    log.warning("chart %s not stored; posting without it", c.filename, exc_info=True)
                    continue
                images.append(kit.chart_image(c.alt_text, c.title, url=url))
            return images
        return self._uploaded(client, charts)

    def _uploaded(self, client: Any, charts: list[Chart]) -> list[dict[str, Any]]:
        from handlers.slack import blocks as kit

        ids = self._uploads.upload_all([Upload(
            token=client.token, base_url=client.base_url, content=c.png, filename=c.filename,
            title=c.title, alt_text=c.alt_text, headers=dict(client.headers or {}))
            for c in charts])
        return [kit.chart_image(c.alt_text, c.title, file_id=file_id)
                for c, file_id in zip(charts, ids, strict=True) if file_id]

    def _post(self, client: Any, post: Post, images: list[dict[str, Any]],
              upload_instead: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        """The post, its charts in it. Slack may not take a chart in yet: a file only just
        uploaded is not ready to show ("invalid slack file"), or its download from our URL failed
        ("downloading image failed", which Slack also says now and then of images that are
        there). The post was not posted then: it waits a moment and goes again. Past
        ``CHART_WAITS``, charts Slack would not download are uploaded instead (``upload_instead``),
        and for the next ``LINKS_OFF_FOR`` seconds every chart is (MOMENTS_PUBLIC_URL may be
        wrong, or out of Slack's reach); else the post goes without its charts rather than not
        at all."""
        from handlers.slack import blocks as kit

        metadata = {"event_type": POST_EVENT, "event_payload": {"post": post_key(post)}}
        waits = list(CHART_WAITS)
        while True:
            blocks = kit.reply_blocks(post.reply, limit=kit.MAX_MESSAGE_BLOCKS - len(images))
            at = CHART_AT if post.kind == "digest" else len(blocks)
            try:
                within_hold(self._uploads.tiers, client.token or "", POST, functools.partial(
                    client.chat_postMessage, channel=post.channel, text=kit.fallback_text(post.reply),
                    blocks=blocks[:at] + images + blocks[at:], metadata=metadata))
                return
            except SlackApiError as err:
                if not images or not _chart_refused(err):
                    raise
                if waits:
                    time.sleep(waits.pop(0))
                elif upload_instead is not None:
                    log.warning("Slack could not download the charts of %s from MOMENTS_PUBLIC_URL; "
                                "uploading charts instead for %.0f minutes", post_key(post),
                                LINKS_OFF_FOR / 60)
                    self._links_off_until = time.monotonic() + LINKS_OFF_FOR
                    images, upload_instead, waits = upload_instead(), None, list(CHART_WAITS)
                else:
                    log.warning("charts of %s not accepted by Slack; posting without them",
                                post_key(post))
                    images = []

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        """Look in the channel for this weekly post, by the metadata it was sent with: after a
        crash mid-send, it is sent again only if it is surely not there. One conversations.history
        call or a few, which is within even the strictest rate tier for something this rare."""
        key, cursor, unlabelled = post_key(post), None, False
        try:
            client = self._client(workspace)
            tiers, token = self._uploads.tiers, client.token or ""
            for _page in range(HISTORY_PAGES):
                time.sleep(tiers.reserve(token, "conversations.history"))
                page = within_hold(tiers, token, "conversations.history", functools.partial(
                    client.conversations_history, channel=post.channel,
                    oldest=f"{since.timestamp() - 60:.6f}", limit=200, include_all_metadata=True,
                    cursor=cursor))
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
        """Wait for uploads still under way (only one abandoned at its timeout can be)."""
        return self._uploads.drain(timeout)


def within_hold(tiers: TierBuckets, token: str, method: str, call: Callable[[], T]) -> T:
    """``call``, a call of ``method`` for the workspace of ``token``, once that method is not held
    there (``tiers.held``: a 429 any caller had). A 429 holds it for everyone at once, for its
    Retry-After (``tiers.hold``), and the call goes again once the hold is over, up to ``TRIES``
    times; then, and on any other error, it raises as the client does."""
    for refused in range(1, TRIES + 1):
        while (held := tiers.held(token, method)) > 0:
            time.sleep(held)
        try:
            return call()
        except SlackApiError as err:
            if err.response.status_code != 429 or refused == TRIES:
                raise
            tiers.hold(token, method, retry_after(err.response.headers))
    raise AssertionError("unreachable")  # (the last try returns or raises)


def post_charts(post: Post) -> list[Chart]:
    """The charts a post carries: a team digest's one, or the organisation digest's one a journey.
    Drawn here (a few ms each)."""
    from bot.org_views import OrgDigestView
    from bot.views import DigestView
    from handlers.charts import digest_chart

    view = post.reply.view
    if post.kind == "digest" and isinstance(view, DigestView):
        png = digest_chart(view)
        return [] if png is None else [Chart(
            png, f"moments-{view.week}.png", f"{view.team}: WOW and OW by touchpoint, {view.week}",
            words.CHART_ALT.format(week=view.week))]
    if isinstance(view, OrgDigestView):
        return org_charts(view)  # handlers/slack/org.py
    return []


def _chart_refused(err: SlackApiError) -> bool:
    """Slack refused the post for an image block's picture: "invalid slack file
    [json-pointer:/blocks/2/slack_file]", "downloading image failed [json-pointer:/blocks/2/image_url]"."""
    said = " ".join(str(e) for e in err.response.get("errors") or [])
    return err.response.get("error") == "invalid_blocks" and any(
        part in said for part in ("slack_file", "slack file", "image_url", "downloading image"))

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
