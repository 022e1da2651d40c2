"""The Teams door: activities in, one core call, Adaptive Cards out.

Messages (``wow ...``, ``ow ...``, ``moments <sub>``, ``help``) and card submits go through the
same ``CommandRouter`` as Slack. Every turn refreshes the conversation's stored reference, so the
weekly posts can reach the channel later, and remembers whose Teams account id is which AAD object
id, so a colleague credited through a mention has the key they have when they report (reading.py).
A turn whose tenant cannot be told is refused: the tenant is the workspace. Teams has no
ephemeral messages: a reply goes to the conversation (the thread in a channel), and the message
action answers inside its own dialog.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from botbuilder.core import (  # type: ignore[import-untyped]
    BotAdapter,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo  # type: ignore[import-untyped]
from botbuilder.schema import Activity, ActivityTypes  # type: ignore[import-untyped]
from botbuilder.schema.teams import (  # type: ignore[import-untyped]
    MessagingExtensionActionResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleTaskInfo,
    TeamsChannelAccount,
)

from bot import text as render
from bot.commands import NO_TEAM, OOPS, ChatContext, CommandRouter
from bot.domain import Moment, MomentKind, Platform, Source, Team, Touchpoint
from bot.errors import UserError
from bot.services import Actor, Services
from bot.shorten import shorten_message
from bot.subcommands import exported, forgotten
from bot.views import FORGET_ME, PROPOSE, MomentsExport, Reply
from handlers.export_links import ExportLinks
from handlers.teams import cards, ids
from handlers.teams.export import export_activity
from handlers.teams.reading import (
    alias_key,
    conversation_key,
    is_person_key,
    is_personal,
    mentioned_accounts,
    parse_command,
    people_in,
    people_seen,
    plain_from_html,
    read_text,
    teams_syntax,
    teams_team_of,
    tenant_of,
    unresolved_mentions,
    user_key,
    with_names,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
REFERENCE_PREFIX = "teams:"
TEAMS_TEAM = "teamsTeamId"  # stored beside a reference: the Teams team the channel belongs to
VERIFIED = "momentsServiceUrlVerified"  # beside a reference an authenticated activity brought
ANONYMOUS = "anonymous"  # botbuilder's authentication type without an app id (the emulator mode)
NOTHING_TO_LOG = ("There's no text in that message (only an image or a file), so there's nothing "
                  "to log. Type what happened instead: `wow …` or `ow …`.")
NOT_PEOPLE = ("19:", "28:")  # mentioned channels, teams and chats; bots: no AAD user to ask for
MEMBER_LOOKUP_SECONDS = 5.0  # all of a turn's roster look-ups together: the reply can't wait long
MEMBER_LOOKUPS_AT_ONCE = 4  # the default thread pool has at least 5 threads (min(32, cpus + 4))
LOOKUP_FAILURE_SECONDS = 600.0  # an account Teams would not tell about is not asked again for this
LOOKUP_FAILURES_KEPT = 10_000  # at most this many remembered failures (oldest dropped first)
NO_TENANT = ("I can't tell which organisation this message comes from, so I can't act on it. "
             "Please try again from Teams.")
GREETING = ("Hi! Tell me about a moment of truth: `wow …` when a customer was delighted (credit a "
            "colleague with @name), `ow …` when one was let down. `help` lists everything.")


def _message_author(message: Any) -> tuple[str, str] | None:
    """(key, name) of the author of the message a message action was used on, from the
    ``messagePayload`` Teams sends with it; None when the activity carries no payload."""
    if message is None:
        return None
    sender = getattr(message, "from_property", None)
    user = getattr(sender, "user", None) if sender is not None else None
    if user is None or not getattr(user, "id", None):
        return ("", "")  # an app's or a bot's message: nobody to credit
    return user_key(str(user.id)), str(getattr(user, "display_name", None) or "")


def reference_key(channel: str) -> str:
    """The repository key of a conversation's stored reference (``Post.channel`` is the channel)."""
    return REFERENCE_PREFIX + channel


class MomentsTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, services: Services, *, tenant_fallback: str = "") -> None:
        super().__init__()
        self.services = services
        self.router = CommandRouter(services)
        self._tenant_fallback = tenant_fallback
        self.export_links: ExportLinks | None = None  # set by the web wiring
        # (workspace, account id) -> when Teams last would not say who it is (time.monotonic)
        self._lookup_failed: dict[tuple[int, str], float] = {}

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not tenant_of(activity, self._tenant_fallback):
            # No workspace is safe to guess: a wrong one would mix two organisations' moments.
            log.warning("Teams %s activity %s refused: it names no tenant, or two different ones",
                        activity.type, activity.id)
            if activity.type == ActivityTypes.message:
                await turn_context.send_activity(NO_TENANT)
            elif activity.type == ActivityTypes.invoke:  # answered in the dialog, or refused
                dialog = str(activity.name or "").startswith(("composeExtension/", "task/"))
                await turn_context.send_activity(Activity(
                    type=ActivityTypes.invoke_response, value=InvokeResponse(
                        status=200 if dialog else 400,
                        body={"task": {"type": "message", "value": NO_TENANT}} if dialog else
                        {"error": NO_TENANT})))
            return
        await self._identify_sender(turn_context)
        await self._run(self._save_reference, activity,
                        is_authenticated(turn_context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)))
        await super().on_turn(turn_context)

    # one key per person: AAD object ids for Teams account ids

    async def _identify_sender(self, turn_context: TurnContext) -> None:
        """Remember whose account id is which AAD id; give a sender without one theirs."""
        activity = turn_context.activity
        ws = await self._run(self._workspace, activity)
        sender = activity.from_property
        if sender is not None and sender.id and not getattr(sender, "aad_object_id", None) and \
                sender.id != getattr(activity.recipient, "id", None):
            sender.aad_object_id = (await self._aad_ids(turn_context, ws, [sender.id])).get(sender.id)
        seen = people_seen(activity)
        if seen:
            await self._run(self._remember_ids, ws, seen)

    async def _aad_ids(self, turn_context: TurnContext, workspace_id: int,
                       account_ids: list[str]) -> dict[str, str]:
        """account id -> AAD object id: remembered from earlier turns, else asked of Teams.

        An account Teams will not tell about stays unresolved (keyed by its account id)."""
        if not account_ids:
            return {}
        remembered = await self._run(self.services.capture.names, workspace_id=workspace_id,
                                     user_ids=[alias_key(a) for a in account_ids])
        found = {a: remembered[alias_key(a)] for a in account_ids if alias_key(a) in remembered}
        asking = [a for a in account_ids if a not in found and not a.startswith(NOT_PEOPLE)
                  and not self._failed_recently(workspace_id, a)]
        if not asking:
            return found
        # All at once, under one budget: Bot Framework gives up on a turn after ~15 s. A few at
        # a time, so the look-ups never take every thread of the default pool the turn also needs.
        slots = asyncio.Semaphore(MEMBER_LOOKUPS_AT_ONCE)
        deadline = asyncio.get_running_loop().time() + MEMBER_LOOKUP_SECONDS
        members = await asyncio.gather(*(self._member(turn_context, a, slots, deadline)
                                         for a in asking))
        learned: list[tuple[str, str, str]] = []
        for account, member in zip(asking, members, strict=True):
            aad = str(getattr(member, "aad_object_id", None) or "")
            if aad:
                found[account] = aad
                learned.append((account, aad, str(getattr(member, "name", None) or "")))
            else:  # re-inserted, so the oldest failures are the first pruned
                self._lookup_failed.pop((workspace_id, account), None)
                self._lookup_failed[(workspace_id, account)] = time.monotonic()
        self._prune_failures()
        if learned:
            await self._run(self._remember_ids, workspace_id, learned)
        return found

    async def _member(self, turn_context: TurnContext, account: str, slots: asyncio.Semaphore,
                      deadline: float) -> Any:
        """What Teams says about an account, or None when it will not say by ``deadline``.

        As ``TeamsInfo.get_member``, but the HTTP call itself is given the time left as its
        timeout: the connector client sends with requests from the default thread pool, where a
        call the bot stopped waiting for keeps its thread (msrest's default timeout is 100 s).
        urllib3 still retries a timed-out GET up to 3 times (with backoff) in that thread, so a
        hung roster can keep up to MEMBER_LOOKUPS_AT_ONCE threads busy a while after the turn."""
        loop = asyncio.get_running_loop()
        try:
            async with slots:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError("no time left in this turn's look-up budget")
                client = await TeamsInfo._get_connector_client(turn_context)
                conversation = turn_context.activity.conversation.id
                member = await asyncio.wait_for(
                    client.conversations.get_conversation_member(conversation, account, timeout=left),
                    left)
            return TeamsChannelAccount().deserialize(dict(member.serialize(),
                                                          **member.additional_properties))
        except Exception:  # noqa: BLE001 - no roster (emulator, a 403, a guest), or too slow
            log.debug("Teams would not say who %s is; keyed by the account id", account,
                      exc_info=True)
            return None

    def _failed_recently(self, workspace_id: int, account: str) -> bool:
        failed = self._lookup_failed.get((workspace_id, account))
        return failed is not None and time.monotonic() - failed < LOOKUP_FAILURE_SECONDS

    def _prune_failures(self) -> None:
        now = time.monotonic()
        for k in [k for k, at in self._lookup_failed.items() if now - at >= LOOKUP_FAILURE_SECONDS]:
            del self._lookup_failed[k]
        while len(self._lookup_failed) > LOOKUP_FAILURES_KEPT:  # dicts keep insertion order
            del self._lookup_failed[next(iter(self._lookup_failed))]

    def _remember_ids(self, workspace_id: int, people: list[tuple[str, str, str]]) -> None:
        """(account id, AAD id, name) into the name memory: the AAD id under the account's alias
        key, the name under the person's key."""
        self.services.capture.remember_people(
            workspace_id=workspace_id,
            people=[Actor(alias_key(account), aad) for account, aad, _ in people] +
                   [Actor(user_key(account, aad), name) for account, aad, name in people])

    def _forget(self, ctx: ChatContext, sender: Any) -> Reply:
        """forget-me, for every key the person may be stored under: their AAD id, their account
        id (credits from before mentions were resolved) and the remembered account -> AAD id."""
        account = str(getattr(sender, "id", None) or "")
        keys = [ctx.actor.user_id] + ([user_key(account), alias_key(account)] if account else [])
        counts: dict[str, int] = {}
        for user_id in dict.fromkeys(keys):
            erased = self.services.privacy.forget_me(workspace_id=ctx.workspace_id,
                                                     actor=Actor(user_id))
            for kind, n in erased.items():
                counts[kind] = counts.get(kind, 0) + n
        return forgotten(counts, "Done: I have forgotten you.")

    def _delete_person(self, ctx: ChatContext, key: str, account: str) -> Reply:
        """An admin's `privacy delete @name`, for every key the person may be stored under, as
        forget-me does: the resolved key, the account id (a look-up that failed) and the
        remembered account -> AAD id link."""
        counts: dict[str, int] = {}
        for user_id in dict.fromkeys([key, user_key(account), alias_key(account)]):
            erased = self.services.privacy.delete_user(workspace_id=ctx.workspace_id, actor=ctx.actor,
                                                       user_id=user_id)
            for kind, n in erased.items():
                counts[kind] = counts.get(kind, 0) + n
        return forgotten(counts, f"Done: {key.lstrip('@')}'s data is erased.")

    def _export_person(self, ctx: ChatContext, key: str, account: str) -> Reply:
        """An admin's `privacy export @name`, over every key the person may be stored under
        (their AAD id and the account id of credits from before mentions were resolved)."""
        merged: dict[str, Any] = {}
        for user_id in dict.fromkeys([key, user_key(account)]):
            data = self.services.privacy.export_user(workspace_id=ctx.workspace_id, actor=ctx.actor,
                                                     user_id=user_id)
            if not merged:
                merged = {**data, "also_stored_as": []}
                continue
            merged["also_stored_as"].append(data["user_id"])
            for field, value in data.items():
                if isinstance(value, list):
                    merged[field] = merged[field] + [v for v in value if v not in merged[field]]
            merged["votes"] += data["votes"]
        return exported(merged)

    # messages and card submits

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and ids.ACTION in activity.value:
            await self._on_submit(turn_context, activity.value)
            return
        text, names = read_text(activity)
        if parse_command(text) is None:
            await self._send(turn_context, Reply(GREETING))
            return
        ctx = await self._run(self._context, activity, Source.TEAMS)
        unresolved = unresolved_mentions(activity)
        if unresolved:  # mentions carry account ids: credit people by the key they report with
            text, names = read_text(activity, await self._aad_ids(turn_context, ctx.workspace_id,
                                                                  unresolved))
        command, rest = parse_command(text) or ("", "")
        if names:  # so the digest, and later cards, show the colleagues' names
            await self._run(self.services.capture.remember_people, workspace_id=ctx.workspace_id,
                            people=[Actor(k, n) for k, n in names.items()])
        if command == "/moments" and rest.lower().split() in (["forget-me", "confirm"],
                                                               ["forget-me", "yes"]):
            reply = await self._run(self._friendly, self._forget, ctx, activity.from_property)
        elif command == "/moments" and rest.lower().split()[:1] == ["privacy"] and \
                rest.lower().split()[1:2] in (["delete"], ["export"]) and \
                len(rest.split()) == 3 and len(accounts := mentioned_accounts(activity)) == 1:
            act = self._delete_person if rest.lower().split()[1] == "delete" else self._export_person
            reply = await self._run(self._friendly, act, ctx, rest.split()[2], accounts[0])
        else:
            reply = await self._run(self.router.handle, ctx, command, rest)
        await self._send(turn_context, reply, ctx=ctx, names=names)

    async def _on_submit(self, turn_context: TurnContext, data: dict[str, Any]) -> None:
        action = cards.decode(data)
        if action is None:
            return
        ctx = await self._run(self._context, turn_context.activity, Source.TEAMS)
        if action.name == PROPOSE and str(data.get(ids.PROPOSAL_TEXT) or "").strip():
            reply = await self._run(self._friendly, self._propose, ctx, data)
        elif action.name == FORGET_ME:
            reply = await self._run(self._friendly, self._forget, ctx,
                                    turn_context.activity.from_property)
        else:
            reply = await self._run(self.router.act, ctx, action)
        if ids.PROMPT in data and not reply.error:
            await self._redraw_prompt(turn_context, ctx, data)
        await self._send(turn_context, reply, ctx=ctx)

    def _propose(self, ctx: ChatContext, data: dict[str, Any]) -> Reply:
        proposal = self.services.weekly.propose(
            workspace_id=ctx.workspace_id, prompt_id=int(data[ids.PROMPT]), actor=ctx.actor,
            text=str(data.get(ids.PROPOSAL_TEXT) or ""),
            touchpoint=str(data.get(ids.PROPOSAL_TOUCHPOINT) or "") or None,
            anonymous=str(data.get(ids.PROPOSAL_ANONYMOUS)).lower() == "true")
        how = " anonymously" if proposal.anonymous else ""
        return Reply(f"✍️ Thanks! Your proposal [{proposal.id}] is in{how}; the team can vote on it "
                     "until the vote closes.")

    async def _redraw_prompt(self, turn_context: TurnContext, ctx: ChatContext,
                             data: dict[str, Any]) -> None:
        """The prompt card the button was on, drawn again with live counts."""
        card_id = turn_context.activity.reply_to_id
        if not card_id:
            return
        try:
            view = await self._run(self.services.reports.prompt, workspace_id=ctx.workspace_id,
                                   prompt_id=int(data[ids.PROMPT]))
            reply = render.prompt(view, lead=data.get(ids.LEAD_CARD) == "1")
            updated = MessageFactory.attachment(CardFactory.adaptive_card(cards.reply_card(reply)))
            updated.id = card_id
            await turn_context.update_activity(updated)
        except Exception:  # noqa: BLE001 - the vote counts; a stale card is only cosmetic
            log.warning("could not redraw prompt card %s", card_id, exc_info=True)

    # "Log as a moment" (message action)

    async def on_teams_messaging_extension_fetch_task(
        self, turn_context: TurnContext, action: Any
    ) -> MessagingExtensionActionResponse:
        message = action.message_payload
        text = plain_from_html(message.body.content or "") if message and message.body else ""
        user = message.from_property.user if message and message.from_property else None
        author = user_key(user.id) if user and user.id else ""
        if not text:  # only an image, a file or a sticker: nothing Moments can read
            return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=NOTHING_TO_LOG))
        ctx = await self._run(self._context, turn_context.activity, Source.SHORTCUT)
        team = await self._run(self._team, ctx)
        touchpoints = await self._run(self._touchpoints, ctx.workspace_id, team.id) if team else []
        short = shorten_message(text)  # the one rule for a message longer than a moment
        card = cards.log_card(short.text, ref=(message.id or "") if message else "", author=author,
                              author_name=(user.display_name or "") if user else "",
                              touchpoints=touchpoints, note=short.note)
        return _task_card("Log as a moment", card)

    async def on_teams_messaging_extension_submit_action(
        self, turn_context: TurnContext, action: Any
    ) -> MessagingExtensionActionResponse:
        data = action.data if isinstance(action.data, dict) else {}
        ctx = await self._run(self._context, turn_context.activity, Source.SHORTCUT)
        follow_up = cards.decode(data)
        if follow_up is not None:  # a button on the confirmation shown in this dialog
            reply = await self._run(self.router.act, ctx, follow_up)
        else:
            reply = await self._run(self._friendly, self._log_moment, ctx, data,
                                    _message_author(getattr(action, "message_payload", None)))
        reply = replace(reply, text=teams_syntax(reply.text))
        if reply.choices:
            return _task_card("Which touchpoint?", cards.reply_card(reply))
        return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=reply.text))

    def _log_moment(self, ctx: ChatContext, data: dict[str, Any],
                    payload_author: tuple[str, str] | None = None) -> Reply:
        """File the dialog's moment. The author it credits is the message's, as Teams sends it
        again with the submit (``payload_author``: key, name); only when Teams does not is the
        card's own ``LOG_AUTHOR`` used, and only if it can be a person's key. Only the payload's
        name is remembered, never ``LOG_AUTHOR_NAME``: the card's data is the client's to forge,
        and a "name" stored under an alias key would re-point a colleague's mentions to another
        person's AAD id (their credits and their lead role)."""
        team = self._team(ctx)
        if team is None:
            raise UserError(NO_TEAM)
        kind = MomentKind(str(data.get(ids.LOG_KIND) or "wow").lower())
        text = str(data.get(ids.LOG_TEXT) or "")
        slug = str(data.get(ids.TOUCHPOINT) or "")
        if slug:
            text = f"{text} #{slug}"  # an explicit tag: filed where the person chose
        if payload_author is not None:
            author, name = payload_author
        else:
            author, name = str(data.get(ids.LOG_AUTHOR) or ""), ""
        if not is_person_key(author):
            if author:
                log.warning("Teams log-as-a-moment submit with an unusable author %r: not credited",
                            author[:80])
            author = ""
        credit = (author,) if kind is MomentKind.WOW and author not in ("", ctx.actor.user_id) else ()
        ref = str(data.get(ids.LOG_REF) or "")
        filed = self.services.moments.report(
            workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor, kind=kind, text=text,
            source=Source.SHORTCUT, message_ref=f"{ctx.channel}/{ref}" if ref else None,
            credited=credit, strict_tags=False,
            request_key=f"teams-log:{ctx.channel}/{ref}:{ctx.actor.user_id}" if ref else None)
        reply = render.filed(filed)
        if credit and name:  # Teams' own word on the author (the payload), checked as a key above
            self.services.capture.remember_people(workspace_id=ctx.workspace_id,
                                                  people=[Actor(author, name)])
        names = self.services.capture.names(workspace_id=ctx.workspace_id,
                                            user_ids=[author]) if credit else {}
        return replace(reply, text=teams_syntax(reply.text, names))

    # reactions on the bot's own messages (Teams delivers no others)
    #
    # The rule: a like on the bot's confirmation of a moment is a "me too" on that moment (and
    # taking it back withdraws it). A reaction on any other post of the bot's (the weekly prompt,
    # a digest, a greeting, help) logs nothing and credits no one: the bot wrote it, so it is
    # nobody's moment of truth.

    async def on_reactions_added(self, message_reactions: list[Any], turn_context: TurnContext) -> None:
        if not any((r.type or "").lower() in ids.WOW_REACTIONS for r in message_reactions):
            return
        reply = await self._run(self._react, turn_context.activity)
        if reply is not None and is_personal(turn_context.activity):
            await self._send(turn_context, reply)

    def _linked_moment(self, activity: Any) -> tuple[ChatContext, Moment] | None:
        """The moment whose confirmation the reaction is on, or None for any other bot post."""
        if not activity.reply_to_id:
            return None
        ctx = self._context(activity, Source.REACTION)
        linked = self.services.capture.moment_for_message(
            workspace_id=ctx.workspace_id, message_ref=bot_message_ref(activity, str(activity.reply_to_id)))
        if linked is None:
            log.info("Teams reaction on bot message %s: not a moment's confirmation, nothing logged",
                     activity.reply_to_id)
            return None
        return ctx, linked

    def _react(self, activity: Any) -> Reply | None:
        found = self._linked_moment(activity)
        if found is None:
            return None
        ctx, linked = found
        moment = self.services.capture.me_too(workspace_id=ctx.workspace_id, moment_id=linked.id,
                                              actor=ctx.actor)
        if moment is None or ctx.actor.user_id not in moment.also_reported_by:
            return None  # their own moment, or a thank-you from the colleague it credits
        log.info("Teams reaction on %s: me too on moment %s", activity.reply_to_id, moment.id)
        return Reply(f"➕ Your “me too” is on moment #{moment.id}.")

    async def on_reactions_removed(self, message_reactions: list[Any], turn_context: TurnContext) -> None:
        if not any((r.type or "").lower() in ids.WOW_REACTIONS for r in message_reactions):
            return
        await self._run(self._unreact, turn_context.activity)

    def _unreact(self, activity: Any) -> None:
        found = self._linked_moment(activity)
        if found is not None:
            ctx, linked = found
            self.services.capture.withdraw(workspace_id=ctx.workspace_id, moment_id=linked.id,
                                           actor=ctx.actor)

    # the bot removed from a team or chat, or added back

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._run(self._set_paused, turn_context.activity, False)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._run(self._set_paused, turn_context.activity, True)

    async def on_members_added_activity(self, members_added: list[Any], turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if any(m.id == getattr(activity.recipient, "id", None) for m in members_added or []):
            await self._run(self._set_paused, activity, False)

    async def on_members_removed_activity(self, members_removed: list[Any],
                                          turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if any(m.id == getattr(activity.recipient, "id", None) for m in members_removed or []):
            await self._run(self._set_paused, activity, True)

    def _set_paused(self, activity: Any, paused: bool) -> None:
        """Pause (or resume) the weekly posts of every Moments team in that Teams team or chat.

        A team's channels share nothing in their ids, so each stored reference carries the Teams
        team it was seen in; a personal install touches no team."""
        if is_personal(activity) or not activity.conversation:
            return
        ws = self._workspace(activity)
        where = {conversation_key(activity.conversation.id)}
        teams_team = teams_team_of(activity)
        if teams_team:
            where.add(teams_team)
        for team in self.services.journey.teams(workspace_id=ws):
            if team.channel not in where:
                with self.services.store.transaction(ws) as repo:
                    stored = json.loads(repo.conversation(reference_key(team.channel)) or "{}")
                if not teams_team or stored.get(TEAMS_TEAM) != teams_team:
                    continue
            changed = self.services.journey.set_paused(workspace_id=ws, team_id=team.id, paused=paused)
            if changed is not None and changed.paused == paused:
                if paused:
                    log.warning("Moments was removed from Teams conversation %s (tenant %s): weekly "
                                "posts of team %s are paused", team.channel,
                                tenant_of(activity, self._tenant_fallback), team.name)
                else:
                    log.info("Moments is back in Teams conversation %s: weekly posts of team %s "
                             "resume", team.channel, team.name)

    # who, where, and answering

    def _context(self, activity: Any, source: Source) -> ChatContext:
        ws = self._workspace(activity)
        sender = activity.from_property
        actor = Actor(user_key(sender.id, getattr(sender, "aad_object_id", None)), sender.name or "")
        channel = conversation_key(activity.conversation.id)
        if is_personal(activity) and \
                self.services.journey.team_for_channel(workspace_id=ws, channel=channel) is None:
            team = self.services.journey.team_for_user(workspace_id=ws, user_id=actor.user_id)
            channel = team.channel if team else channel
        return ChatContext(ws, channel, actor, source)

    def _workspace(self, activity: Any) -> int:
        tenant = tenant_of(activity, self._tenant_fallback)
        if not tenant:  # on_turn refuses these; never file them under a guessed workspace
            raise ValueError("a Teams activity with no tenant (or two) has no workspace")
        return self.services.store.workspace(platform=Platform.TEAMS, external_id=tenant).id

    def _team(self, ctx: ChatContext) -> Team | None:
        return self.services.journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)

    def _touchpoints(self, workspace_id: int, team_id: int) -> list[Touchpoint]:
        return self.services.journey.touchpoints(workspace_id=workspace_id, team_id=team_id)

    def _save_reference(self, activity: Any, verified: bool = False) -> None:
        if not activity.conversation or not activity.conversation.id:
            return
        reference = TurnContext.get_conversation_reference(activity)
        reference.conversation.id = conversation_key(activity.conversation.id)
        reference.activity_id = None  # posts start a new thread, not a reply to this message
        stored = reference.serialize()
        teams_team = teams_team_of(activity)
        if teams_team:  # botbuilder ignores the extra keys when it reads the reference back
            stored[TEAMS_TEAM] = teams_team
        if verified:  # its serviceUrl came with a checked token: proactive posts may use it
            stored[VERIFIED] = True
        with self.services.store.transaction(self._workspace(activity)) as repo:
            repo.save_conversation(reference_key(reference.conversation.id), json.dumps(stored),
                                   self.services.clock.now())

    def _friendly(self, fn: Callable[..., Reply], *args: Any) -> Reply:
        """Errors a person can fix as words; anything else logged, never a stack trace."""
        try:
            return fn(*args)
        except UserError as err:
            return Reply(err.message, error=True)
        except Exception:
            log.exception("Teams door call failed")
            return Reply(OOPS, error=True)

    async def _send(self, turn_context: TurnContext, reply: Reply, *, ctx: ChatContext | None = None,
                    names: dict[str, str] | None = None) -> None:
        reply = replace(reply, text=teams_syntax(reply.text))
        touchpoints: list[Touchpoint] = []
        moment = reply.view if isinstance(reply.view, Moment) and not reply.error else None
        if reply.journey and moment is not None:  # read in the transaction that filed it
            touchpoints = list(reply.journey)
        elif ctx is not None and moment is not None:
            touchpoints = await self._run(self._touchpoints, ctx.workspace_id, moment.team_id)
        if isinstance(reply.view, MomentsExport) and ctx is not None and not reply.error:
            kind = getattr(turn_context.activity.conversation, "conversation_type", None)
            activity = export_activity(reply, ctx, self.export_links, personal=kind == "personal")
        else:
            activity = render_activity(reply, touchpoints=touchpoints)
        names = dict(names or {})
        unnamed = [k for k in people_of(activity) if k not in names]
        if ctx is not None and unnamed:  # people this turn did not mention, known from earlier
            names.update(await self._run(self.services.capture.names, workspace_id=ctx.workspace_id,
                                         user_ids=unnamed))
        sent = await turn_context.send_activity(name_people(activity, names))
        if ctx is not None and moment is not None and sent is not None and sent.id:
            # Teams delivers likes on the bot's own messages: on this one they mean "me too"
            await self._run(self.services.capture.link_message, workspace_id=ctx.workspace_id,
                            moment_id=moment.id,
                            message_ref=bot_message_ref(turn_context.activity, str(sent.id)))

    @staticmethod
    async def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The core is synchronous (database work): off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    # a message edited or deleted (Teams tells the bot about the messages it was sent): the
    # moments the message action made from it follow it (the core's source_edited/_deleted)

    async def on_teams_message_edit(self, turn_context: TurnContext) -> None:
        await self._run(self._source_changed, turn_context.activity, True)

    async def on_teams_message_soft_delete(self, turn_context: TurnContext) -> None:
        await self._run(self._source_changed, turn_context.activity, False)

    def _source_changed(self, activity: Any, edited: bool) -> None:
        """No one asked for anything: nothing is said in chat, an error is only logged."""
        if not activity.id or not activity.conversation or activity.from_property is None:
            return
        try:
            ctx = self._context(activity, Source.SHORTCUT)  # the channel the message action saw
            capture = self.services.capture
            if edited:
                capture.source_edited(workspace_id=ctx.workspace_id, channel=ctx.channel,
                                      ts=str(activity.id), text=self._edited_text(activity))
            else:
                capture.source_deleted(workspace_id=ctx.workspace_id, channel=ctx.channel,
                                       ts=str(activity.id))
        except Exception:
            log.exception("Teams %s of message %s not applied", activity.type, activity.id)

    @staticmethod
    def _edited_text(activity: Any) -> str:
        """An edited message's new words, read as the message action reads a message: from its
        HTML body (Teams sends it as a text/html attachment), else its text."""
        html_body = next((a.content for a in activity.attachments or []
                          if a.content_type == "text/html" and isinstance(a.content, str)), None)
        return plain_from_html(html_body if html_body is not None else activity.text or "")


def is_authenticated(identity: Any) -> bool:
    """A claims identity from a checked token, not the anonymous one of the emulator mode."""
    return identity is not None and bool(getattr(identity, "is_authenticated", False)) and \
        getattr(identity, "authentication_type", None) != ANONYMOUS


def bot_message_ref(activity: Any, message_id: str) -> str:
    """A message of the bot's in this conversation, as a moment's ``message_ref``."""
    return f"{conversation_key(activity.conversation.id)}/{message_id}"


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


def render_activity(reply: Reply, *, touchpoints: list[Touchpoint] | None = None) -> Activity:
    """A reply as a Teams message: an Adaptive Card when it has buttons or a rich view, else text."""
    if not cards.wants_card(reply):
        return MessageFactory.text(cards.markdown(reply.text))
    activity = MessageFactory.attachment(
        CardFactory.adaptive_card(cards.reply_card(reply, touchpoints=touchpoints or [])))
    activity.summary = reply.text.split("\n", 1)[0][:200]  # the notification preview
    return activity


def _task_card(title: str, card: cards.Card) -> MessagingExtensionActionResponse:
    info = TaskModuleTaskInfo(title=title, card=CardFactory.adaptive_card(card), height="medium",
                              width="medium")
    return MessagingExtensionActionResponse(task=TaskModuleContinueResponse(value=info))

