"""The Slack door: a Bolt app whose listeners ack at once and make one call on the core each.

Built by ``build_slack_app(settings, services)``; no module-level app. Slow work (the core call,
users.info, views.publish, conversations.history) runs in Bolt's lazy listeners after the ack.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.commands import ChatContext, CommandRouter
from bot.config import Settings
from bot.domain import Moment, MomentKind, Platform, Source
from bot.services import Actor, Services
from bot.text import filed as render_filed
from bot.text import prompt as render_prompt
from bot.views import PROPOSE, VOTE, Reply
from handlers.observability import METRICS, count_reply_moment
from handlers.slackapp import blocks as kit

log = logging.getLogger(__name__)

BOT_SCOPES = [
    "commands", "chat:write", "reactions:read", "channels:history", "groups:history", "im:history",
    "users:read", "app_mentions:read", "files:write",
]
LISTENER_THREADS = 4
MESSAGE = re.compile(r"^\s*(wow|ow)\s*[:!-]\s*(.+)$", re.IGNORECASE | re.DOTALL)
SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
SLACK_SPECIAL = re.compile(r"<!(\w+)(?:\^[^|>]*)?(?:\|[^>]*)?>")
SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


def plain(text: str) -> str:
    """Slack's markup to the core's neutral text: <@U1> -> @U1, <!channel> -> [channel]."""
    text = SLACK_USER.sub(r"@\1", text)
    text = SLACK_SPECIAL.sub(r"[\1]", text)  # a broadcast is quoted, never re-sent
    text = SLACK_CHANNEL.sub(r"\1", text)
    text = SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class _AdminCache:
    """users.info answers for a few minutes: admins and owners may act as leads."""

    def __init__(self, ttl: float = 600.0) -> None:
        self.ttl = ttl
        self._seen: dict[tuple[str, str], tuple[float, bool, str]] = {}
        self._lock = threading.Lock()

    def actor(self, client: WebClient, team_id: str, user_id: str) -> Actor:
        key = (team_id, user_id)
        with self._lock:
            hit = self._seen.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return Actor(user_id, hit[2], hit[1])
        is_admin, name = False, ""
        try:
            user = client.users_info(user=user_id)["user"]
            is_admin = bool(user.get("is_admin") or user.get("is_owner"))
            name = str(user.get("profile", {}).get("display_name") or user.get("real_name")
                       or user.get("name") or "")
        except Exception:  # a missing scope or a hiccup must not stop the person's command
            log.warning("users.info failed for %s; treating as non-admin", user_id, exc_info=True)
        with self._lock:
            self._seen[key] = (time.monotonic(), is_admin, name)
        return Actor(user_id, name, is_admin)


class _HistoryGate:
    """conversations.history is limited to about one call a minute for apps outside the Slack
    Marketplace: at most one call per workspace per interval from this process."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def try_acquire(self, team_id: str) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last.get(team_id, -1e9) < self.interval:
                return False
            self._last[team_id] = now
            return True


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    client = WebClient(token=token, base_url=settings.slack_api_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client


def build_slack_app(
    settings: Settings,
    services: Services,
    *,
    installation_store: InstallationStore | None = None,
    state_store: Any = None,
) -> App:
    return build_slack_door(settings, services, installation_store=installation_store,
                            state_store=state_store).app


def build_slack_door(
    settings: Settings,
    services: Services,
    *,
    installation_store: InstallationStore | None = None,
    state_store: Any = None,
) -> SlackDoor:
    oauth = bool(settings.slack_client_id and settings.slack_client_secret and installation_store)
    # process_before_response: the ack runs inline in the request's thread instead of on Bolt's
    # pool, which the dispatcher then polls every 10 ms; lazy listeners still run on the pool.
    # A small pool keeps lazy work from starving acks of the GIL (bench/load.py: 4 threads gave
    # p99 ack 424 ms at 50 concurrent requests where 48 threads gave 1,971 ms).
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack")
    if oauth:
        app = App(
            signing_secret=settings.slack_signing_secret,
            listener_executor=executor,
            process_before_response=True,
            client=make_client(settings),
            installation_store=installation_store,
            oauth_settings=OAuthSettings(
                client_id=settings.slack_client_id, client_secret=settings.slack_client_secret,
                scopes=BOT_SCOPES, installation_store=installation_store, state_store=state_store,
                install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect",
            ),
        )
    else:
        app = App(signing_secret=settings.slack_signing_secret, listener_executor=executor,
                  process_before_response=True,
                  client=make_client(settings, settings.slack_bot_token))
    door = SlackDoor(app, settings, services, installation_store if oauth else None)
    door.register()
    return door


class SlackDoor:
    def __init__(self, app: App, settings: Settings, services: Services,
                 installation_store: InstallationStore | None) -> None:
        self.app = app
        self.settings = settings
        self.services = services
        self.router = CommandRouter(services)
        self.installations = installation_store
        self.admins = _AdminCache()
        self.history = _HistoryGate(settings.slack_history_interval_seconds)

    def register(self) -> None:
        app = self.app
        app.middleware(self.dedupe)
        command = re.compile(r"^/(wow|ow|moments)$")
        app.command(command)(ack=_ack, lazy=[self.on_command])
        app.action(re.compile(f"^{re.escape(kit.ACTION_PREFIX)}"))(ack=_ack, lazy=[self.on_button])
        app.shortcut(kit.SHORTCUT)(ack=_ack, lazy=[self.on_shortcut])
        app.view(kit.LOG_MODAL)(ack=_ack, lazy=[self.on_log_modal])
        app.view(kit.PROPOSE_MODAL)(ack=self.ack_proposal, lazy=[self.on_propose_modal])
        app.event("message")(ack=_ack, lazy=[self.on_message])
        app.event("reaction_added")(ack=_ack, lazy=[self.on_reaction_added])
        app.event("reaction_removed")(ack=_ack, lazy=[self.on_reaction_removed])
        app.event("app_home_opened")(ack=_ack, lazy=[self.on_home])
        app.event("app_mention")(ack=_ack, lazy=[self.on_mention])
        app.event("app_uninstalled")(ack=_ack, lazy=[self.on_uninstalled])
        app.event("tokens_revoked")(ack=_ack, lazy=[self.on_uninstalled])

    # middleware

    def dedupe(self, body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        """Slack redelivers events it thinks failed; the envelope's event_id is claimed once."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and body.get("type") == "event_callback" and not self.services.store.claim_event(
            str(event_id), self.services.clock.now()
        ):
            log.info("duplicate delivery of %s ignored", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    # helpers

    def _workspace(self, team_id: str) -> int:
        return self.services.store.workspace(platform=Platform.SLACK, external_id=team_id).id

    def _ctx(self, client: WebClient, team_id: str, user_id: str, channel: str,
             source: Source, ref: str | None = None, dm: bool = False) -> ChatContext:
        ws = self._workspace(team_id)
        actor = self.admins.actor(client, team_id, user_id)
        if dm or channel.startswith("D"):
            team = self.services.journey.team_for_user(workspace_id=ws, user_id=user_id)
            channel = team.channel if team else channel
        return ChatContext(ws, channel, actor, source, ref)

    @staticmethod
    def _team_id(body: dict[str, Any]) -> str:
        return str(body.get("team_id") or (body.get("team") or {}).get("id")
                   or (body.get("user") or {}).get("team_id") or "")

    def _respond(self, respond: Any, reply: Reply, *, replace: bool = False, workspace_id: int = 0) -> None:
        respond(text=kit.fallback_text(reply), blocks=self._blocks(reply, workspace_id),
                response_type="in_channel" if reply.public and not replace else "ephemeral",
                replace_original=replace)

    def _blocks(self, reply: Reply, workspace_id: int) -> list[dict[str, Any]]:
        """A filed moment gets a "Change touchpoint" select; an unsure one already has buttons."""
        blocks = kit.reply_blocks(reply, limit=kit.MAX_MESSAGE_BLOCKS - 1)
        moment = reply.view
        if isinstance(moment, Moment) and moment.touchpoint_id is not None and not reply.choices:
            touchpoints = self.services.journey.touchpoints(workspace_id=workspace_id, team_id=moment.team_id)
            options = [(f"{t.emoji} {t.name}".strip(), t.slug) for t in touchpoints
                       if t.id != moment.touchpoint_id]
            if options:
                blocks.append(kit.change_touchpoint(moment.id, options))
        return blocks

    def _tell(self, client: WebClient, channel: str, user: str, reply: Reply) -> None:
        """An ephemeral note to one person in a channel (or a DM post)."""
        if reply.public:
            client.chat_postMessage(channel=channel, text=kit.fallback_text(reply),
                                    blocks=kit.reply_blocks(reply))
        else:
            client.chat_postEphemeral(channel=channel, user=user, text=kit.fallback_text(reply),
                                      blocks=kit.reply_blocks(reply))

    # listeners

    def on_command(self, body: dict[str, Any], respond: Any, client: WebClient) -> None:
        ctx = self._ctx(client, self._team_id(body), body["user_id"], body.get("channel_id", ""),
                        Source.COMMAND, dm=str(body.get("channel_name")) == "directmessage")
        reply = self.router.handle(ctx, body["command"], plain(body.get("text") or ""))
        count_reply_moment(reply.view, "command")
        self._respond(respond, reply, workspace_id=ctx.workspace_id)

    def on_button(self, body: dict[str, Any], respond: Any, client: WebClient) -> None:
        action = body["actions"][0]
        channel = (body.get("channel") or {}).get("id") or ""
        ctx = self._ctx(client, self._team_id(body), body["user"]["id"], channel, Source.COMMAND)
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        try:
            parsed = kit.decode(value)
        except (ValueError, KeyError, TypeError):
            self._respond(respond, Reply("That button is out of date.", error=True))
            return
        if parsed.name == PROPOSE and body.get("trigger_id"):
            self._open_propose(client, ctx, parsed, body["trigger_id"])
            return
        reply = self.router.act(ctx, parsed)
        self._respond(respond, reply)
        if parsed.name == VOTE and not reply.error and body.get("container", {}).get("is_ephemeral") is False:
            self._refresh_prompt(ctx, parsed, respond)

    def _open_propose(self, client: WebClient, ctx: ChatContext, action: Any, trigger_id: str) -> None:
        prompt_id = int(action.arg("prompt"))
        view = self.services.reports.prompt(workspace_id=ctx.workspace_id, prompt_id=prompt_id)
        focus = [(f.touchpoint.label, f.touchpoint.slug) for f in view.focus]
        client.views_open(trigger_id=trigger_id, view=kit.propose_modal(view.id, focus))

    @staticmethod
    def ack_proposal(ack: Any, body: dict[str, Any]) -> None:
        """Empty or too long: say so in the form, before the modal closes."""
        text = body["view"]["state"]["values"][kit.TEXT_INPUT][kit.TEXT_INPUT].get("value") or ""
        if not text.strip():
            ack(response_action="errors", errors={kit.TEXT_INPUT: "Write the idea first."})
        else:
            ack()

    def on_propose_modal(self, body: dict[str, Any], client: WebClient) -> None:
        values = body["view"]["state"]["values"]
        text = values[kit.TEXT_INPUT][kit.TEXT_INPUT].get("value") or ""
        slug = values[kit.TOUCHPOINT_INPUT][kit.TOUCHPOINT_INPUT]["selected_option"]["value"]
        anonymous = bool(values.get(kit.ANON_INPUT, {}).get(kit.ANON_INPUT, {}).get("selected_options"))
        user = body["user"]["id"]
        ws = self._workspace(self._team_id(body))
        actor = self.admins.actor(client, self._team_id(body), user)
        from bot.errors import UserError

        try:
            proposal = self.services.weekly.propose(
                workspace_id=ws, prompt_id=int(body["view"]["private_metadata"]), actor=actor,
                text=plain(text), touchpoint=slug, anonymous=anonymous)
            note = f"💡 Proposal {proposal.id} added{' anonymously' if anonymous else ''}. Thank you!"
        except UserError as err:
            note = err.message
        client.chat_postMessage(channel=user, text=kit.escape(note))

    def _refresh_prompt(self, ctx: ChatContext, action: Any, respond: Any) -> None:
        """Live vote counts on the channel's prompt message."""
        proposal = self.services.store
        with proposal.transaction(ctx.workspace_id) as repo:
            found = repo.proposal(int(action.arg("proposal")))
        if found is None:
            return
        view = self.services.reports.prompt(workspace_id=ctx.workspace_id, prompt_id=found.prompt_id)
        self._respond(respond, render_prompt(view, lead=False), replace=True)

    def on_shortcut(self, body: dict[str, Any], client: WebClient) -> None:
        message = body.get("message") or {}
        text = plain(message.get("text") or "")
        meta = json.dumps({"c": (body.get("channel") or {}).get("id", ""), "ts": message.get("ts", ""),
                           "a": message.get("user", "")})
        guess = "wow"
        ws = self._workspace(self._team_id(body))
        team = self.services.journey.team_for_channel(workspace_id=ws,
                                                      channel=(body.get("channel") or {}).get("id", ""))
        if team and text:
            with self.services.store.transaction(ws) as repo:
                tps = repo.touchpoints(team.id)
                kind = self.services.deps.filer(repo).guess(text, tps).kind
            guess = kind.value if kind else "ow"
        client.views_open(trigger_id=body["trigger_id"], view=kit.log_modal(text, guess, meta))

    def on_log_modal(self, body: dict[str, Any], client: WebClient) -> None:
        values = body["view"]["state"]["values"]
        kind = MomentKind(values[kit.KIND_INPUT][kit.KIND_INPUT]["selected_option"]["value"])
        text = values[kit.TEXT_INPUT][kit.TEXT_INPUT].get("value") or ""
        meta = json.loads(body["view"].get("private_metadata") or "{}")
        user = body["user"]["id"]
        channel, ts, author = meta.get("c", ""), meta.get("ts", ""), meta.get("a", "")
        ctx = self._ctx(client, self._team_id(body), user, channel, Source.SHORTCUT,
                        f"{channel}/{ts}" if ts else None)
        team = self.router.team(ctx) if channel else None
        if team is None:
            return
        credit = (author,) if kind is MomentKind.WOW and author and author != user else ()
        try:
            result = self.services.moments.report(
                workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor, kind=kind,
                text=plain(text), source=Source.SHORTCUT, message_ref=ctx.message_ref,
                credited=credit, strict_tags=False)
            reply = render_filed(result)
            count_reply_moment(result.moment, "shortcut")
        except Exception as err:  # noqa: BLE001 - the person gets words, the log gets the trace
            from bot.errors import UserError

            if not isinstance(err, UserError):
                log.exception("shortcut failed")
            reply = Reply(err.message if isinstance(err, UserError) else
                          "Sorry, that moment was not saved. Please try again.", error=True)
        self._tell(client, channel, user, reply)

    def on_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("subtype") not in (None, "thread_broadcast", "file_share") or event.get("bot_id"):
            return
        team_id, channel, user = self._team_id(body), event.get("channel", ""), event.get("user", "")
        text = event.get("text") or ""
        ws = self._workspace(team_id)
        if channel and event.get("ts") and not channel.startswith("D"):
            self.services.capture.remember_message(workspace_id=ws, channel=channel, ts=event["ts"],
                                                   author_id=user, text=plain(text))
        match = MESSAGE.match(plain(text))
        if not match or not user:
            return
        ctx = self._ctx(client, team_id, user, channel, Source.MESSAGE, f"{channel}/{event.get('ts')}",
                        dm=event.get("channel_type") == "im")
        reply = self.router.handle(ctx, f"/{match.group(1).lower()}", match.group(2))
        count_reply_moment(reply.view, "message")
        self._tell(client, channel, user, Reply(reply.text, reply.choices, reply.view, reply.error))

    def _reaction_kind(self, name: str) -> MomentKind | None:
        base = name.split("::", 1)[0]
        if base in self.settings.slack_wow_emoji:
            return MomentKind.WOW
        if base in self.settings.slack_ow_emoji:
            return MomentKind.OW
        return None

    def on_reaction_added(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        kind = self._reaction_kind(event.get("reaction", ""))
        item = event.get("item") or {}
        if kind is None or item.get("type") != "message":
            return
        team_id, channel, ts, user = self._team_id(body), item["channel"], item["ts"], event["user"]
        ctx = self._ctx(client, team_id, user, channel, Source.REACTION, f"{channel}/{ts}")
        team = self.services.journey.team_for_channel(workspace_id=ctx.workspace_id, channel=channel)
        if team is None:
            return
        cached = self.services.capture.cached_message(workspace_id=ctx.workspace_id, channel=channel, ts=ts)
        reacted = self.services.capture.react(
            workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor, kind=kind,
            message_ref=f"{channel}/{ts}", author_id=event.get("item_user", ""),
            text=cached.text if cached else None)
        if reacted.created:
            METRICS.inc("moments_logged_total", source="reaction", kind=kind.value)
        if reacted.created and reacted.filed is None:
            self.fetch_text(client, team_id, ctx.workspace_id, reacted.moment.id, channel, ts)
        elif reacted.filed is not None:
            self._tell(client, channel, user, render_filed(reacted.filed))

    def fetch_text(self, client: WebClient, team_id: str, workspace_id: int, moment_id: int,
                   channel: str, ts: str) -> bool:
        """Read one reacted message, if the per-workspace gate allows a call now."""
        if not self.history.try_acquire(team_id):
            return False  # stays waiting; fetch_pending picks it up later
        try:
            found = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        except Exception:
            log.warning("conversations.history failed for %s/%s", channel, ts, exc_info=True)
            return False
        messages = found.get("messages") or []
        text = plain(messages[0].get("text") or "") if messages else ""
        self.services.capture.fill_text(workspace_id=workspace_id, moment_id=moment_id,
                                        text=text or "(message not readable)")
        return True

    def on_reaction_removed(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        kind = self._reaction_kind(event.get("reaction", ""))
        item = event.get("item") or {}
        if kind is None or item.get("type") != "message":
            return
        ws = self._workspace(self._team_id(body))
        self.services.capture.unreact(workspace_id=ws, actor=Actor(event["user"]), kind=kind,
                                      message_ref=f"{item['channel']}/{item['ts']}")

    def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        text = re.sub(r"^\s*<@[A-Z0-9]+>\s*", "", event.get("text") or "")
        match = MESSAGE.match(plain(text))
        if match:
            return  # the message listener logs it
        client.chat_postEphemeral(channel=event["channel"], user=event.get("user", ""),
                                  text="Log a moment with `/wow` or `/ow`, or start a message with "
                                       "`WOW:` or `OW:`. `/moments help` shows the rest.")

    def on_home(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        from handlers.slackapp.home import home_sections

        team_id, user = self._team_id(body), event["user"]
        ws = self._workspace(team_id)
        actor = self.admins.actor(client, team_id, user)
        team = self.services.journey.team_for_user(workspace_id=ws, user_id=user)
        view = self.services.reports.home(workspace_id=ws, team_id=team.id if team else None,
                                          user_id=user, is_admin=actor.is_admin)
        sections, choices = home_sections(view)
        client.views_publish(user_id=user, view=kit.home_view(sections, choices))

    def on_uninstalled(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        team_id = self._team_id(body)
        log.warning("Slack workspace %s uninstalled the app or revoked its tokens", team_id)
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=body.get("enterprise_id"), team_id=team_id)


def _ack(ack: Any) -> None:
    ack()
