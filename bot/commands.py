"""The chat commands every door speaks: `/wow`, `/ow` and `/moments ...`, and the buttons.

One table, ``COMMANDS``: each entry is what a person types, the handler that answers it, its help
line and who may run it. ``HELP`` is made from the table, and a button (a Slack block action, a
Teams card submit, a console number) names an entry's action, so it runs the same handler as the
typed command. Who may run what is checked once, in the services; ``who`` here only tells people.

A door turns what arrives into ``handle(ctx, command, text)`` or ``act(ctx, action)`` and
renders the Reply. Errors a person can fix come back as friendly replies; anything else is
logged and answered with "nothing was saved", never a stack trace.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot import org_commands, words
from bot import subcommands as sub
from bot.chat import ChatContext as ChatContext  # the doors import it from here
from bot.chat import team_of
from bot.domain import MomentKind, Team
from bot.errors import OOPS as OOPS  # the doors and tests import it from here
from bot.errors import UserError, friendly_call, never
from bot.markup import bold, code
from bot.services import Services
from bot.services.base import NO_TEAM as NO_TEAM  # the doors import it from here
from bot.subcommands import Handler
from bot.views import ADOPT, FILE_MOMENT, FORGET_ME, PROPOSE, RETRACT, VOTE, Action, Reply

log = logging.getLogger(__name__)

STALE = "That button is out of date. Run the command again."


class Who(enum.Enum):
    """Who may run a command. Shown in the help; the services enforce it."""

    ANYONE = ""
    LEADS = " (leads)"
    ADMINS = " (admins)"


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "/wow", or the word after /moments
    run: Handler
    usage: str  # what follows the name in the help
    help: str
    who: Who = Who.ANYONE
    aliases: tuple[str, ...] = ()
    action: str | None = None  # the button that runs this command
    # the button's arguments as the words a person would type after the name
    words: Callable[[Action], str] = lambda action: ""

    @property
    def line(self) -> str:
        typed = self.name if self.name.startswith("/") else f"/moments {self.name}"
        return code(typed + (' ' + self.usage if self.usage else '')) + f" — {self.help}{self.who.value}"


def _file_words(action: Action) -> str:
    return f"{action.arg('moment')} {action.arg('touchpoint') or 'none'}"


COMMANDS: tuple[Command, ...] = (
    Command("/wow", sub.report(MomentKind.WOW), "what delighted a customer",
            "credit a colleague with @name, tag a touchpoint with #slug"),
    Command("/ow", sub.report(MomentKind.OW), "what let a customer down",
            "blameless: it belongs to a touchpoint, never to a person"),
    Command("mine", sub.mine, "", "your recent moments"),
    Command("edit", sub.edit, "ID text", "reword one of your moments"),
    Command("retract", sub.retract, "[ID]", "take back one of your moments (your last one)",
            aliases=("undo",), action=RETRACT, words=lambda a: a.arg("moment")),
    Command("file", sub.file, "ID touchpoint", f"move a moment to another touchpoint (or {code('none')})",
            action=FILE_MOMENT, words=_file_words),
    Command("priorities", sub.priorities, "", "step 1: where it hurts most now"),
    Command("prompt", sub.prompt, "", "step 2: this week's question (leads open it early)"),
    Command("propose", sub.propose, "[#touchpoint] [anon] text", "answer this week's question",
            action=PROPOSE),
    Command("vote", sub.vote, "ID", "step 3: “this would delight”", action=VOTE,
            words=lambda a: a.arg("proposal")),
    Command("results", sub.results, "", "the votes so far"),
    Command("close", sub.close, "", "close this week's vote", Who.LEADS),
    Command("adopt", sub.adopt, "ID [wording]", "step 4: make a proposal the service standard",
            Who.LEADS, action=ADOPT, words=lambda a: a.arg("proposal")),
    Command("standards", sub.standards, "",
            "what we do; step 5 turns old ones basic and asks for fresh ideas"),
    Command("stats", sub.stats, "", "this week's WOWs and OWs, only for you"),
    Command("digest", sub.digest, "[2026-W47]", "the weekly digest"),
    Command("week", sub.week, "", "run the weekly cycle now", Who.LEADS),
    Command("export", sub.export, "", "the team's moments as a CSV file, sent only to you",
            Who.LEADS),
    Command("setup", sub.setup, "name=… template=airline tz=Europe/Stockholm basic-after=12 focus=2",
            "set up this channel's team (in Slack, on its own it opens a form)"),
    Command("touchpoints", sub.touchpoints, "[add|rename|retire|move …]",
            f"the customer journey; leads change it (in Slack, {code('edit')} opens a form)"),
    Command("leads", sub.leads, "[add|remove @name]", "who leads the team; leads change it"),
    Command("forget-me", sub.forget_me, "", "erase what Moments keeps about you",
            action=FORGET_ME, words=lambda a: "confirm"),
    Command("org", org_commands.org, words.ORG_HELP_USAGE, words.ORG_HELP, Who.ADMINS),
    Command("privacy", sub.privacy, "export|delete @name", "a person's data", Who.ADMINS),
    Command("redact", sub.redaction, "list|add|remove …",
            "your workspace's own personal-data patterns; admins change them"),
)

BY_NAME: dict[str, Command] = {n: c for c in COMMANDS for n in (c.name, *c.aliases)}
BY_ACTION: dict[str, Command] = {c.action: c for c in COMMANDS if c.action}

HELP = "\n".join([bold("Moments: turn customer moments into better service"),
                  *(c.line for c in COMMANDS)])


class CommandRouter:
    def __init__(self, services: Services, *,
                 passes: Callable[[Exception], bool] = never) -> None:
        """``passes``: failures the door handles itself, raised rather than answered (the
        Slack door replays a request the database was away for, instead of telling the
        person that nothing was saved)."""
        self.services = services
        self._passes = passes

    def handle(self, ctx: ChatContext, command: str, text: str) -> Reply:
        return friendly_call(self._handle, ctx, command.strip().lower(), text,
                             what=f"command {command}", passes=self._passes, logger=log)

    def act(self, ctx: ChatContext, action: Action) -> Reply:
        """A button: the same handler as the command it stands for."""
        return friendly_call(self._act, ctx, action, what=f"action {action.name}",
                             passes=self._passes, logger=log)

    def team(self, ctx: ChatContext) -> Team:
        return team_of(self.services, ctx)

    def _handle(self, ctx: ChatContext, command: str, text: str) -> Reply:
        if command != "/moments":
            entry = BY_NAME.get(command) if command.startswith("/") else None
            if entry is None:
                raise UserError(f"I don't know the command {command}. Try {code('/moments help')}.")
            return entry.run(self.services, ctx, text)
        name, _, rest = text.strip().partition(" ")
        name, rest = name.lower(), rest.strip()
        if name in ("", "help"):
            return Reply(HELP)
        entry = BY_NAME.get(name)
        if entry is None or entry.name.startswith("/"):
            raise UserError(f"I don't know {code(f'/moments {name}')}. "
                            f"{code('/moments help')} lists what I can do.")
        return entry.run(self.services, ctx, rest)

    def _act(self, ctx: ChatContext, action: Action) -> Reply:
        entry = BY_ACTION.get(action.name)
        if entry is None:
            raise UserError(STALE)
        try:
            return entry.run(self.services, ctx, entry.words(action))
        except (KeyError, ValueError) as err:  # a button of an older shape
            raise UserError(STALE) from err
