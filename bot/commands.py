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

from bot import org_commands
from bot import subcommands as sub
from bot import words as say
from bot.chat import ChatContext as ChatContext  # the doors import it from here
from bot.chat import team_of
from bot.domain import MomentKind, Team
from bot.errors import OOPS as OOPS  # the doors and tests import it from here
from bot.errors import UserError, friendly_call, never
from bot.markup import code
from bot.services import Services
from bot.services.base import NO_TEAM as NO_TEAM  # the doors import it from here
from bot.subcommands import Handler
from bot.views import (
    ADOPT,
    CHOOSE_TEAM,
    FILE_MOMENT,
    FORGET_ME,
    PROPOSE,
    RETRACT,
    SET_UP,
    VOTE,
    Action,
    Reply,
)

log = logging.getLogger(__name__)

STALE = say.STALE_BUTTON


class Who(enum.Enum):
    """Who may run a command. Shown in the help; the services enforce it."""

    ANYONE = ""
    LEADS = say.FOR_LEADS
    ADMINS = say.FOR_ADMINS


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


_HELP = say.COMMAND_HELP  # usage and help line of each command, by name

COMMANDS: tuple[Command, ...] = (
    Command("/wow", sub.report(MomentKind.WOW), *_HELP["/wow"]),
    Command("/ow", sub.report(MomentKind.OW), *_HELP["/ow"]),
    Command("mine", sub.mine, *_HELP["mine"]),
    Command("edit", sub.edit, *_HELP["edit"]),
    Command("retract", sub.retract, *_HELP["retract"],
            aliases=("undo",), action=RETRACT, words=lambda a: a.arg("moment")),
    Command("file", sub.file, *_HELP["file"], action=FILE_MOMENT, words=_file_words),
    Command("priorities", sub.priorities, *_HELP["priorities"]),
    Command("prompt", sub.prompt, *_HELP["prompt"]),
    Command("propose", sub.propose, *_HELP["propose"], action=PROPOSE),
    Command("vote", sub.vote, *_HELP["vote"], action=VOTE, words=lambda a: a.arg("proposal")),
    Command("results", sub.results, *_HELP["results"]),
    Command("close", sub.close, *_HELP["close"], Who.LEADS),
    Command("adopt", sub.adopt, *_HELP["adopt"], Who.LEADS, action=ADOPT,
            words=lambda a: a.arg("proposal")),
    Command("standards", sub.standards, *_HELP["standards"]),
    Command("stats", sub.stats, *_HELP["stats"]),
    Command("digest", sub.digest, *_HELP["digest"]),
    Command("week", sub.week, *_HELP["week"], Who.LEADS),
    Command("export", sub.export, *_HELP["export"], Who.LEADS),
    Command("setup", sub.setup, *_HELP["setup"], action=SET_UP),
    Command("team", sub.team, *_HELP["team"], action=CHOOSE_TEAM, words=lambda a: a.arg("team")),
    Command("touchpoints", sub.touchpoints, *_HELP["touchpoints"]),
    Command("leads", sub.leads, *_HELP["leads"]),
    Command("forget-me", sub.forget_me, *_HELP["forget-me"], action=FORGET_ME,
            words=lambda a: "confirm"),
    Command("org", org_commands.org, *_HELP["org"], Who.ADMINS),
    Command("privacy", sub.privacy, *_HELP["privacy"], Who.ADMINS),
    Command("redact", sub.redaction, *_HELP["redact"]),
)

BY_NAME: dict[str, Command] = {n: c for c in COMMANDS for n in (c.name, *c.aliases)}
BY_ACTION: dict[str, Command] = {c.action: c for c in COMMANDS if c.action}

HELP = "\n".join([say.HELP_TITLE,
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
                raise UserError(say.NO_SUCH_COMMAND.format(command=command))
            return entry.run(self.services, ctx, text)
        name, _, rest = text.strip().partition(" ")
        name, rest = name.lower(), rest.strip()
        if name in ("", "help"):
            return Reply(HELP)
        entry = BY_NAME.get(name)
        if entry is None or entry.name.startswith("/"):
            raise UserError(say.NO_SUCH_SUBCOMMAND.format(typed=code(f'/moments {name}')))
        return entry.run(self.services, ctx, rest)

    def _act(self, ctx: ChatContext, action: Action) -> Reply:
        entry = BY_ACTION.get(action.name)
        if entry is None:
            raise UserError(STALE)
        try:
            return entry.run(self.services, ctx, entry.words(action))
        except (KeyError, ValueError) as err:  # a button of an older shape
            raise UserError(STALE) from err
