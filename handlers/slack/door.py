"""What every listener group shares: the services, the command router, who is acting, where to
answer, and the queue that reads reacted messages. Listeners stay short and call into this."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, NamedTuple

from slack_bolt.context.respond.internals import _build_message
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot import parsing
from bot import text as render
from bot import words as say
from bot.commands import ChatContext, CommandRouter
from bot.domain import Moment, MomentKind, Platform, Source, Touchpoint
from bot.errors import friendly
from bot.services import Actor, Services
from bot.views import MomentsExport, Reply
from handlers.slack import blocks as kit
from handlers.slack.export import upload_export
from handlers.slack.history import Fetch, HistoryQueue
from handlers.slack.inbox import TAKEN_ON, postpone, request_key
from handlers.slack.markup import plain
from handlers.slack.people import FAILED_FOR, AdminCache, actor_team, bot_user_of, installing_team
from handlers.slack.ports import MessageCache
from handlers.slack.recent import RecentMessages
from handlers.slack.sender import REPLIES, TRIGGER_PATIENCE, Api, Replies, Sender
from handlers.slack.settings import SlackSettings

log = logging.getLogger(__name__)
# conversations.replies errors that will not go away by asking again
FOR_GOOD = {"thread_not_found", "channel_not_found", "not_in_channel", "missing_scope",
            "not_allowed_token_type"}
Respond = Callable[..., Any]
UNREADABLE = say.UNREADABLE
KNOWING_WHO = "moments_knowing_who"  # on a lazy listener: see ``knowing_who``


def ack_only(ack: Any, context: Any) -> None:
    """For clicks and forms: Slack wants an answer within 3 seconds; the work runs after, in a
    lazy listener (events and commands use ``inbox.after_ack``)."""
    ack()
    context[TAKEN_ON] = True


def text_of(data: Any, key: str) -> str:
    """A string field of a payload, or "" when it is missing or not a string (a payload of an
    unexpected shape is ignored by the listener, not an error for the person)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


def object_of(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def knowing_who(lazy: Callable[..., None]) -> Callable[..., None]:
    """Marks a click's or a form's work (a Bolt lazy listener) that asks who is acting: Bolt
    starts it only once users.info answered for a person not known yet (``prefetch_clicker``,
    ``app.WhoFirst``), so the listener thread never waits on Slack for it."""
    setattr(lazy, KNOWING_WHO, True)
    return lazy


class MomentReaction(NamedTuple):
    kind: MomentKind
    channel: str
    ts: str
    user: str  # who reacted


def moment_reaction(settings: SlackSettings, event: dict[str, Any]) -> MomentReaction | None:
    """A reaction event that makes (or, removed, withdraws) a moment: a WOW or OW emoji
    (``SLACK_WOW_EMOJI``, ``SLACK_OW_EMOJI``, any skin tone) on a message; None for any other."""
    base = text_of(event, "reaction").split("::", 1)[0]  # skin tones: clap::skin-tone-3
    kind = MomentKind.WOW if base in settings.wow_emoji else MomentKind.OW if base in settings.ow_emoji \
        else None
    item = object_of(event, "item")
    channel, ts, user = text_of(item, "channel"), text_of(item, "ts"), text_of(event, "user")
    if kind is None or item.get("type") != "message" or not (channel and ts and user):
        return None
    return MomentReaction(kind, channel, ts, user)


def person_of(body: dict[str, Any]) -> str:
    """Who asks, when the work behind ``body`` will look them up (users.info): a slash command's
    person, a WOW:/OW: message's writer, a mention's, whoever opens the home tab (admins see
    more); "" for other events (most channel messages never need it; a WOW or OW reaction's
    person depends on the emoji the workspace counts: ``SlackDoor._reactor``)."""
    if "command" in body:
        return text_of(body, "user_id")
    event = object_of(body, "event")
    kind = event.get("type")
    if kind == "member_joined_channel":  # the welcome's timezone: its inviter's profile
        return text_of(event, "inviter") if joined_by_moments(body) else ""
    if kind == "app_mention" or (kind == "message" and event.get("subtype") in (None, "thread_broadcast",
                                                                                "file_share")
                                 and parsing.moment_prefix(plain(text_of(event, "text")))) \
            or (kind == "app_home_opened" and event.get("tab", "home") == "home"):
        return text_of(event, "user")
    return ""


def joined_by_moments(body: dict[str, Any]) -> str:
    """The channel of a ``member_joined_channel`` event in which the member is Moments itself
    (its entry in the event's ``authorizations``), whose welcome will need the channel's name;
    "" for anything else (people joining channels Moments is in are no work)."""
    event = object_of(body, "event")
    if event.get("type") != "member_joined_channel":
        return ""
    bot = bot_user_of(body, None)
    return text_of(event, "channel") if bot and text_of(event, "user") == bot else ""


def team_id_of(body: dict[str, Any]) -> str:
    """The installing workspace of any payload, found as Bolt finds its token (events,
    commands, interactivity, views): in a Slack Connect channel an event's outer ``team_id`` can
    be the partner organisation's, and the installation is in ``authorizations``."""
    return installing_team(body)


def _all_answered(asks: Sequence[Callable[[Callable[[], None]], bool]], then: Callable[[], None]) -> bool:
    """Each of ``asks`` started with a callback it calls once answered (or returns False: nothing
    asked); ``then`` once every one that asked has answered. False when none asked."""
    lock = threading.Lock()
    left = len(asks) + 1  # one more for this function, so ``then`` waits until all are asked

    def answered() -> bool:
        nonlocal left
        with lock:
            left -= 1
            return left == 0

    def one() -> None:
        if answered():
            then()

    asked = False
    for ask in asks:
        if ask(one):
            asked = True
        else:
            answered()  # (never the last: this function's own count is still held)
    if not asked:
        return False
    one()
    return True


class ChannelNames:
    """Channel names Slack gave (conversations.info) ahead of the work that needs them, for a
    few minutes: the work reads them here instead of asking Slack on a listener thread."""

    def __init__(self, ttl: float = 300.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._seen: dict[tuple[str, str], tuple[float, str]] = {}  # -> (kept until, name)
        self._lock = threading.Lock()

    def learn(self, team: str, channel: str, name: str, *, for_seconds: float | None = None) -> None:
        """Keep ``name`` for ``ttl`` seconds (or ``for_seconds``: a failed call's "", briefly)."""
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()
            self._seen[(team, channel)] = (time.monotonic() + (self.ttl if for_seconds is None
                                                                else for_seconds), name)

    def name(self, team: str, channel: str) -> str | None:
        """The name given ("" if Slack would not say); None if not asked lately."""
        with self._lock:
            hit = self._seen.get((team, channel))
        return hit[1] if hit is not None and time.monotonic() < hit[0] else None

    def knows(self, team: str, channel: str) -> bool:
        return self.name(team, channel) is not None


class SlackDoor:
    def __init__(self, settings: SlackSettings, services: Services, installation_store: Any = None,
                 *, messages: MessageCache) -> None:
        self.settings = settings
        self.services = services
        self.recent = RecentMessages(messages, services)  # so a reaction can quote its message
        self.router = CommandRouter(services, passes=postpone)
        self.installations = installation_store
        self.sender = Sender()  # the Web API calls, many in flight (a request's work does not wait)
        self.people = AdminCache(settings.admin_cache_seconds, ask=self.sender.ask)
        self.history = HistoryQueue(self._read_message, settings.history_interval_seconds)
        self._asking: dict[tuple[str, str], list[Callable[[], None]]] = {}  # users.info in flight
        self._asking_lock = threading.Lock()
        self.channel_names = ChannelNames()  # conversations.info, asked ahead of a welcome
        # where a form that could not open is told (``open_form``): off the sender's loop, and off
        # that loop's default pool, which also resolves the sender's hostnames
        self._telling = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slack-told")

    # who and where

    def workspace(self, team_id: str) -> int:
        return self.services.store.workspace(platform=Platform.SLACK, external_id=team_id).id

    def actor(self, client: Any, team_id: str, user_id: str, their_team: str = "") -> Actor:
        return self.people.actor(client, team_id, user_id, their_team)

    def context(self, client: Any, body: dict[str, Any], user_id: str, channel: str, source: Source,
                message_ref: str | None = None) -> ChatContext:
        """A ChatContext for the core. In a DM the person's team stands in for the channel."""
        team_id = team_id_of(body)
        ws = self.workspace(team_id)
        private = channel.startswith("D") or not channel
        channel = self.services.journey.channel_here(workspace_id=ws, channel=channel, user_id=user_id,
                                                     private=private)
        return ChatContext(ws, channel, self.actor(client, team_id, user_id, actor_team(body)), source,
                           message_ref, request_key(body), private=private,
                           channel_name=str(body.get("channel_name") or ""))

    def prefetch(self, body: dict[str, Any], token: str, base_url: str, then: Callable[[], None]) -> bool:
        """Ask users.info, on the sender's loop, for the person whose command, moment message or
        mention ``body`` is, when the work will need it and it is not known yet; ``then`` once
        it answered (or failed: the work goes on as if its own call had failed, a non-admin,
        without asking again at once: ``AdminCache.failed``). False when nothing is asked: the work can
        start at once. So a listener thread does not wait on Slack for who is acting. A person
        asked about already waits for that answer (their requests start in the order they came).
        For Moments' own arrival in a channel, the channel's name (conversations.info) is asked
        beside its inviter's profile, and ``then`` follows both answers."""
        team, channel = team_id_of(body), joined_by_moments(body)
        person = person_of(body) or self._reactor(body)
        if not channel:  # (the ack path's usual case: one ask at most)
            return self._prefetch(person, team, actor_team(body), token, base_url, then)
        return _all_answered([
            lambda done: self._prefetch(person, team, actor_team(body), token, base_url, done),
            lambda done: self._prefetch_channel(team, channel, token, base_url, done)], then)

    def _reactor(self, body: dict[str, Any]) -> str:
        """Who added a WOW or OW reaction to a message: its work files the moment as theirs (or
        their "me too"), so it asks who they are. Other reactions are no work."""
        event = object_of(body, "event")
        found = moment_reaction(self.settings, event) if event.get("type") == "reaction_added" else None
        return found.user if found is not None else ""

    def _prefetch_channel(self, team: str, channel: str, token: str, base_url: str,
                          then: Callable[[], None]) -> bool:
        """conversations.info for ``channel``'s name, kept in ``channel_names`` for the work."""
        if not (team and token) or self.channel_names.knows(team, channel):
            return False

        def learnt(answer: Any) -> None:
            channel_info = answer.get("channel") if answer is not None else None
            name = channel_info.get("name") if isinstance(channel_info, dict) else None
            self.channel_names.learn(team, channel, str(name or ""))  # "": Slack would not say
            then()

        def failed(_: Exception) -> None:  # as if the work's own call had failed, for a while
            self.channel_names.learn(team, channel, "", for_seconds=FAILED_FOR)
            then()

        return self.sender.fetch(token, base_url, "conversations_info", {"channel": channel}, learnt,
                                 failed)

    def prefetch_clicker(self, body: dict[str, Any], token: str, base_url: str,
                         then: Callable[[], None]) -> bool:
        """``prefetch`` for the person who clicked, submitted a form or used a shortcut (the
        payload's ``user``), for work marked ``knowing_who``."""
        return self._prefetch(text_of(object_of(body, "user"), "id"), team_id_of(body), actor_team(body),
                              token, base_url, then)

    def _prefetch(self, user: str, team: str, their_team: str, token: str, base_url: str,
                  then: Callable[[], None]) -> bool:
        if not (user and team and token) or self.people.knows(team, user):
            return False
        key = (team, user)
        with self._asking_lock:
            waiting = self._asking.get(key)
            if waiting is not None:
                waiting.append(then)
                return True
            self._asking[key] = [then]

        def learnt(answer: Any) -> None:
            if answer is None:  # failed: the work goes on as if its own call had
                self.people.failed(team, user)
            else:
                try:
                    self.people.learn(team, user, their_team, answer)
                except Exception:  # (an answer of another shape: the work asks again)
                    log.warning("users.info for %s answered without a user", user)
            with self._asking_lock:
                waiting = self._asking.pop(key, [])
            for each in waiting:
                each()

        if self.sender.fetch(token, base_url, "users_info", {"user": user}, learnt):
            return True
        with self._asking_lock:  # no room: whoever waits on this key now goes at once
            waiting = self._asking.pop(key, [])
        for each in waiting[1:]:
            each()
        return False

    def touchpoints_for(self, workspace_id: int, reply: Reply) -> list[Touchpoint]:
        """The team's journey, for the "Change touchpoint" select under a confirmation."""
        if not isinstance(reply.view, Moment) or reply.error:
            return []
        if reply.journey:  # read in the same transaction that filed the moment
            return list(reply.journey)
        try:
            return self.services.journey.touchpoints(workspace_id=workspace_id,
                                                     team_id=reply.view.team_id)
        except Exception:  # the moment is saved: say so, just without the select
            log.warning("could not read the journey for the Change touchpoint select", exc_info=True)
            return []

    # answering

    def send(self, client: Any, *, channel: str, user: str, reply: Reply, respond: Respond | None = None,
             workspace_id: int | None = None, extra: Sequence[Block] = ()) -> None:
        """Public replies go to the channel; the rest only to the person (in a DM, as a message).
        ``extra``: blocks the door adds under the core's reply (a lead's "Edit touchpoints").
        In a request's work after the ack (or a click's) the reply is handed to the sender, and
        this returns at once; elsewhere it returns once the reply is answered. An export's file
        goes first, and the reply only once it is uploaded (else the person is told it failed)."""
        tps = self.touchpoints_for(workspace_id, reply) if workspace_id is not None else []
        blocks = kit.reply_blocks(reply, touchpoints=tps, limit=kit.MAX_MESSAGE_BLOCKS - len(extra))
        blocks += [b.to_dict() for b in extra]
        answer = self._answer(respond, channel=channel, user=user, public=reply.public,
                              text=kit.fallback_text(reply), blocks=blocks)
        if answer is None:
            log.info("no place to answer %s", user)  # (never the text: it is what a person wrote)
            return
        if isinstance(reply.view, MomentsExport) and not reply.error:
            oops = Reply(say.OOPS_TRY_AGAIN, error=True)
            failed = self._answer(respond, channel=channel, user=user, public=False,
                                  text=kit.fallback_text(oops), blocks=kit.reply_blocks(oops))
            upload = upload_export(user=user, export=reply.view)

            async def export_then_answer(api: Api) -> Any:
                await upload(api)
                return await answer(api)

            self.sender.work(client, export_then_answer, otherwise=failed)
        elif respond is not None and not isinstance(getattr(respond, "response_url", None), str):
            self.sender.respond(client, respond, text=kit.fallback_text(reply), blocks=blocks,
                                replace_original=False,
                                response_type="in_channel" if reply.public else "ephemeral")
        else:
            self.sender.work(client, answer)

    def open_form(self, client: Any, trigger_id: str, view: Any, tell: Callable[[Reply], None], *,
                  then: Callable[[Api], Awaitable[Any]] | None = None) -> None:
        """views.open for a click's, a shortcut's or a command's trigger, handed to the sender as
        any reply is, so no listener thread waits on Slack for it; ``then``, what to send once
        the form is open. If Slack refuses, or would have it wait past the trigger's life (a long
        429), the person is told to try again (``tell``, on a thread of its own: it hands over
        a reply itself), and nothing after it is sent."""

        async def open_it(api: Api) -> Any:
            opened = await api.call("views_open", patience=TRIGGER_PATIENCE, trigger_id=trigger_id,
                                    view=view)
            if then is not None:
                try:
                    await then(api)
                except Exception as err:  # the form is open: nothing to tell the person
                    log.warning("a note after an opened form could not be sent: %s", type(err).__name__)
            return opened

        async def told(api: Api) -> Any:
            oops = Reply(say.OOPS, error=True)  # (a pool of its own: ``tell`` waits for its send)
            return await asyncio.get_running_loop().run_in_executor(self._telling, tell, oops)

        self.sender.work(client, open_it, otherwise=told)

    @staticmethod
    def _answer(respond: Respond | None, *, channel: str, user: str, public: bool, text: str,
                blocks: list[dict[str, Any]]) -> Callable[[Api], Awaitable[Any]] | None:
        """Where a reply goes (``send``), as a step for the sender; None: nowhere."""
        url = getattr(respond, "response_url", None) if respond is not None else None
        if respond is not None:
            message = _build_message(text=text, blocks=blocks, replace_original=False,
                                     response_type="in_channel" if public else "ephemeral")
            return lambda api: api.post(str(url), message)
        if public or channel.startswith("D"):
            return lambda api: api.call("chat_postMessage", channel=channel, text=text, blocks=blocks)
        if channel:
            return lambda api: api.call("chat_postEphemeral", channel=channel, user=user, text=text,
                                        blocks=blocks)
        return None

    def friendly(self, tell: Callable[[Reply], None]) -> AbstractContextManager[None]:
        """Errors become words for the person (and a trace in the log), never a stack trace
        (``bot.errors.friendly``). The database being away is no error to tell when the
        request's copy is kept: it is raised for ``inbox.after_ack``, which leaves the request
        to be replayed."""
        return friendly(tell, what="Slack listener", passes=postpone, logger=log)

    # reacted messages the bot never saw

    def fetch_text(self, client: Any, team_id: str, workspace_id: int, moment_id: int, channel: str,
                   ts: str, user: str = "") -> bool:
        """Queue a read of one message; the queue keeps to the per-workspace rate. False when the
        workspace's queue is full: the moment waits in the database for a later round."""
        return self.history.put(Fetch(client, team_id, workspace_id, moment_id, channel, ts, user))

    def _read_message(self, job: Fetch) -> None:
        """One Web API call per turn of the queue, made on the sender's loop (the queue's thread
        goes on): conversations.history first; a message it does not return may be a thread
        reply, asked of conversations.replies on the next turn. What the answer asks of the
        database runs back on the queue's thread (``_file_read``)."""
        if job.thread:
            # ts may be a reply's own ts. Replies come oldest first and may lead with the thread's
            # parent, so the range is pinned to the one message on both ends (oldest = latest = ts,
            # inclusive) with room for the parent, and the reply is picked out by its ts.
            method, kwargs = "conversations_replies", {"channel": job.channel, "ts": job.ts, "oldest": job.ts,
                                                       "latest": job.ts, "inclusive": True, "limit": 2}
        else:
            method, kwargs = "conversations_history", {"channel": job.channel, "latest": job.ts,
                                                       "inclusive": True, "limit": 1}
        token, base = str(getattr(job.client, "token", None) or ""), str(job.client.base_url)
        if not self.sender.fetch(token, base, method, kwargs,
                                 lambda found: self.history.later(lambda: self._file_read(job, found)),
                                 failed=lambda err: self.history.later(lambda: self._read_failed(job, err))):
            log.warning("no room to read message %s/%s now; it is asked again later", job.channel, job.ts)

    def _read_failed(self, job: Fetch, err: Exception) -> None:
        error = err.response.get("error") if isinstance(err, SlackApiError) else None
        if job.thread and error in FOR_GOOD:
            # thread_not_found: deleted before we could read it. Slack's reference also says
            # classic bot tokens may not read channel threads; either way the moment keeps
            # what it had before replies were asked: an "unreadable" text. Anything passing
            # (rate limited, Slack's own errors) is left: housekeeping asks again later.
            log.warning("conversations.replies %s/%s: %s", job.channel, job.ts, error)
            self._file_read(job, {})
        else:
            log.warning("reading message %s/%s failed (%s); it is asked again later", job.channel, job.ts,
                        error or type(err).__name__)

    def _file_read(self, job: Fetch, found: Any) -> None:
        messages = [m for m in found.get("messages") or [] if m.get("ts") == job.ts]
        if not messages and not job.thread:
            self.history.put(replace(job, thread=True), first=True)
            return
        text = plain(messages[0].get("text") or "") if messages else ""
        filed = self.services.capture.fill_text(workspace_id=job.workspace_id, moment_id=job.moment_id,
                                                text=text or UNREADABLE)
        if filed is not None and job.user:
            handing = REPLIES.set(Replies())  # not waited for: the queue goes on
            try:
                self.send(job.client, channel=job.channel, user=job.user, reply=render.filed(filed),
                          workspace_id=job.workspace_id)
            finally:
                REPLIES.reset(handing)
