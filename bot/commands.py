"""The chat commands every door speaks: `/wow`, `/ow` and `/moments ...`, and button actions.

A door turns what arrives into ``handle(ctx, command, text)`` or ``act(ctx, action)`` and
renders the Reply. Errors a person can fix come back as friendly replies; anything else is
logged and answered with "nothing was saved", never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot import text as render
from bot.domain import MomentKind, Source, Team
from bot.errors import UserError
from bot.services import Actor, Services
from bot.services.base import NO_TEAM as NO_TEAM  # the doors import it from here
from bot.subcommands import SUBCOMMANDS as _SUBCOMMANDS
from bot.subcommands import parse_id
from bot.views import ADOPT, FILE_MOMENT, FORGET_ME, PROPOSE, RETRACT, VOTE, Action, Reply

log = logging.getLogger(__name__)

HELP = """*Moments: turn customer moments into better service*
`/wow what delighted a customer` — credit a colleague with @name, tag a touchpoint with #slug
`/ow what let a customer down` — blameless: it belongs to a touchpoint, never to a person
`/moments mine` · `edit ID text` · `retract [ID]` · `file ID touchpoint` — your moments
`/moments priorities` — step 1: where it hurts most now
`/moments prompt` — step 2: this week's question; `propose [#touchpoint] [anon] text`
`/moments vote ID` — step 3: "this would delight"; `results`; leads: `close`
`/moments adopt ID` — step 4 (leads): make a proposal the service standard
`/moments standards` — what we do; step 5 turns old ones basic and asks for fresh ideas
`/moments stats` · `digest [2026-W47]` · `touchpoints` · `week` (leads: run the weekly cycle now)
`/moments setup name=… template=airline tz=Europe/Stockholm basic-after=12 focus=2`
`/moments touchpoints add|rename|retire|move …` · `leads add|remove @name` (leads)
In Slack, `/moments setup` and `/moments touchpoints edit` on their own open a form.
`/moments forget-me` — erase what Moments keeps about you · admins: `privacy export|delete @name`
`/moments redact list` — your workspace's own personal-data patterns · admins: `redact add|remove …`"""

OOPS = "Sorry, something went wrong on my side and nothing was saved. Please try again."


@dataclass(frozen=True, slots=True)
class ChatContext:
    workspace_id: int
    channel: str
    actor: Actor
    source: Source = Source.COMMAND
    message_ref: str | None = None
    # the platform's id for this request (Slack's event_id or trigger_id): the same request
    # handled twice (replayed after a crash) finds the moment it made instead of making another
    request_key: str | None = None
    # the people the message names, as the door knows them (with their aliases, where a
    # person has more than one key): `privacy delete @x` reaches all of x's keys
    people: tuple[Actor, ...] = ()

    def person(self, name: str) -> Actor:
        """The person ``@name`` stands for: as the door named them, else just that key."""
        key = name.strip().lstrip("@")
        return next((p for p in self.people if p.user_id == key), Actor(key))


class CommandRouter:
    def __init__(self, services: Services, *,
                 passes: Callable[[Exception], bool] = lambda err: False) -> None:
        """``passes``: failures the door handles itself, raised rather than answered (the
        Slack door replays a request the database was away for, instead of telling the
        person that nothing was saved)."""
        self.services = services
        self._passes = passes

    def handle(self, ctx: ChatContext, command: str, text: str) -> Reply:
        try:
            return self._handle(ctx, command.strip().lower(), text)
        except UserError as err:
            return Reply(err.message, error=True)
        except Exception as err:
            if self._passes(err):
                raise
            log.exception("command %s failed", command)
            return Reply(OOPS, error=True)

    def act(self, ctx: ChatContext, action: Action) -> Reply:
        try:
            return self._act(ctx, action)
        except UserError as err:
            return Reply(err.message, error=True)
        except (KeyError, ValueError):
            return Reply("That button is out of date. Run the command again.", error=True)
        except Exception as err:
            if self._passes(err):
                raise
            log.exception("action %s failed", action.name)
            return Reply(OOPS, error=True)

    def team(self, ctx: ChatContext) -> Team:
        team = self.services.journey.team_for_channel(
            workspace_id=ctx.workspace_id, channel=ctx.channel
        )
        if team is None:
            raise UserError(NO_TEAM)
        return team

    # dispatch

    def _handle(self, ctx: ChatContext, command: str, text: str) -> Reply:
        if command in ("/wow", "/ow"):
            return self.report(ctx, MomentKind(command[1:]), text)
        if command != "/moments":
            raise UserError(f"I don't know the command {command}. Try `/moments help`.")
        sub, _, rest = text.strip().partition(" ")
        sub, rest = sub.lower(), rest.strip()
        if sub in ("", "help"):
            return Reply(HELP)
        handler = _SUBCOMMANDS.get(sub)
        if handler is None:
            raise UserError(f"I don't know `/moments {sub}`. `/moments help` lists what I can do.")
        return handler(self, ctx, rest)

    def _act(self, ctx: ChatContext, action: Action) -> Reply:
        s, ws = self.services, ctx.workspace_id
        if action.name == FILE_MOMENT:
            result = s.moments.refile(workspace_id=ws, moment_id=int(action.arg("moment")),
                                      actor=ctx.actor, touchpoint=action.arg("touchpoint"))
            return render.refiled(result)
        if action.name == VOTE:
            return self.vote(ctx, action.arg("proposal"))
        if action.name == ADOPT:
            return self.adopt(ctx, action.arg("proposal"))
        if action.name == PROPOSE:
            return Reply("Type your idea: `/moments propose [#touchpoint] [anon] what we could do`.")
        if action.name == FORGET_ME:
            from bot.subcommands import forgotten

            counts = s.privacy.forget_me(workspace_id=ws, actor=ctx.actor)
            return forgotten(counts, "Done: I have forgotten you.")
        if action.name == RETRACT:
            return self.retract(ctx, action.arg("moment"))
        raise UserError("That button is out of date. Run the command again.")

    # moments

    def report(self, ctx: ChatContext, kind: MomentKind | None, text: str) -> Reply:
        # the team is found by its channel inside the report's own transaction: one round of
        # reads for the commonest request instead of two
        result = self.services.moments.report(
            workspace_id=ctx.workspace_id, channel=ctx.channel, actor=ctx.actor, kind=kind,
            text=text, source=ctx.source, message_ref=ctx.message_ref, request_key=ctx.request_key,
        )
        return render.filed(result)

    def retract(self, ctx: ChatContext, rest: str) -> Reply:
        moment_id = parse_id(rest, "moment", "/moments retract 12") if rest else None
        m = self.services.moments.retract(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                          actor=ctx.actor)
        return Reply(f"Moment #{m.id} retracted. It no longer counts anywhere.")

    def vote(self, ctx: ChatContext, rest: str) -> Reply:
        proposal_id = parse_id(rest, "proposal", "/moments vote 3")
        counted, total = self.services.weekly.vote(
            workspace_id=ctx.workspace_id, proposal_id=proposal_id, actor=ctx.actor
        )
        votes = f"{total} vote{'' if total == 1 else 's'} now"
        if not counted:
            return Reply(f"You already voted for proposal {proposal_id} ({votes}). One vote each.")
        return Reply(f"👍 Your “would delight” vote for proposal {proposal_id} counts ({votes}).")

    def adopt(self, ctx: ChatContext, rest: str) -> Reply:
        raw, _, wording = rest.partition(" ")
        proposal_id = parse_id(raw, "proposal", "/moments adopt 3")
        standard = self.services.weekly.adopt(
            workspace_id=ctx.workspace_id, proposal_id=proposal_id, actor=ctx.actor,
            text=wording.strip() or None,
        )
        views = self.services.reports.standards(
            workspace_id=ctx.workspace_id, team_id=standard.team_id
        )
        return render.adopted(next(v for v in views if v.id == standard.id))

