"""A local chat in the terminal: the same commands as Slack, with numbered choices.

Reads a terminal or a pipe (``moments console < demo.txt`` replays a script, echoing each line
so the transcript reads like a conversation). Console-only commands: ``/as NAME`` switches user,
``/wait N days|weeks`` winds the clock forward, ``/channel NAME`` moves to another channel (a second
site's team, the organisation channel, one with no team yet), ``/quit`` leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot import parsing
from bot import words as say
from bot.commands import ChatContext, CommandRouter
from bot.domain import Source
from bot.markup import plain
from bot.services import Actor
from bot.text import EXPORT_WRITTEN
from bot.views import Choice, MomentsExport, Reply

WAIT = re.compile(r"^(\d{1,3})\s*(day|days|d|week|weeks|w)$", re.IGNORECASE)
# the console's own commands, as people type them here
AS_NAME, AS_ADMIN = "`/as NAME`", "`/as NAME admin`"
WAIT_DAYS, WAIT_WEEKS = "`/wait 3 days`", "`/wait 13 weeks`"
CONSOLE_HELP = say.CONSOLE_HELP.format(as_name=AS_NAME, as_admin=AS_ADMIN, wait_days=WAIT_DAYS,
                                       wait_weeks=WAIT_WEEKS,
                                       channel="`/channel NAME`", quit="`/quit`", wow="`WOW:`", ow="`OW:`")


class ConsoleChat:
    def __init__(
        self,
        router: CommandRouter,
        *,
        workspace_id: int,
        channel: str,
        out: TextIO,
        advance_clock: Callable[[timedelta], None],
        user: str = "you",
        admin: bool = True,
        echo: bool = False,
        color: bool = False,
    ) -> None:
        self.router = router
        self.workspace_id = workspace_id
        self.channel = channel
        self.out = out
        self.advance_clock = advance_clock
        self.actor = Actor(user.lower(), user, is_admin=admin)
        self.echo = echo
        self.color = color
        self.choices: tuple[Choice, ...] = ()

    def run(self, lines: TextIO) -> int:
        """Chat until /quit or end of input. Returns how many lines were handled."""
        count = 0
        self._say(say.CONSOLE_WELCOME.format(name=self.actor.name))
        while True:
            if not self.echo:
                self.out.write(f"{self.actor.name}> ")
                self.out.flush()
            line = lines.readline()
            if not line:
                break
            count += 1
            if not self.handle_line(line.rstrip("\n")):
                break
        return count

    def handle_line(self, line: str) -> bool:
        """Handle one typed line. False when the person asked to leave."""
        stripped = line.strip()
        if not stripped:
            return True
        if stripped.startswith("#"):  # script narration
            if self.echo:
                self.out.write(self._dim(stripped) + "\n")
            return True
        if self.echo:
            self.out.write(f"{self.actor.name}> {stripped}\n")
        command, _, rest = stripped.partition(" ")
        command = command.lower()
        if command in ("/quit", "/exit") or stripped.lower() in ("quit", "exit", "bye"):
            return False  # (a newcomer types "quit"; as a message it could only be an error)
        if command == "/help":
            self._say(CONSOLE_HELP)
        elif command == "/as":
            self._switch(rest)
        elif command == "/wait":
            self._wait(rest)
        elif command == "/channel":
            self._move(rest)
        elif re.fullmatch(r"[0-9]{1,4}", stripped):
            self._pick(int(stripped))
        elif command.startswith("/"):
            self._show(self.router.handle(self._ctx(Source.CONSOLE), command, rest))
        elif moment := parsing.moment_prefix(stripped):
            kind, what = moment
            reply = self.router.handle(self._ctx(Source.MESSAGE), f"/{kind.value}", what)
            self._show(reply)
        else:
            self._say(say.CONSOLE_NOT_A_MOMENT)
        return True

    def _ctx(self, source: Source) -> ChatContext:
        return ChatContext(self.workspace_id, self.channel, self.actor, source,
                           channel_name=self.channel)

    def _move(self, rest: str) -> None:
        name = rest.strip().lstrip("#").lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", name):
            self._say(say.FIRST_CONSOLE_WHICH_CHANNEL.format(example="`/channel lounge`"))
            return
        self.channel, self.choices = name, ()
        self._say(say.FIRST_CONSOLE_MOVED.format(name=name))

    def _switch(self, rest: str) -> None:
        words = rest.split()
        if not words:
            self._say(say.CONSOLE_WHO_ARE_YOU.format(as_name="`/as maria`", as_admin="`/as maria admin`"))
            return
        name = words[0].lstrip("@")
        self.actor = Actor(name.lower(), name, is_admin="admin" in words[1:])
        self.choices = ()
        admin = say.CONSOLE_ADMIN if self.actor.is_admin else ''
        self._say(say.CONSOLE_YOU_ARE_NOW.format(name=name, admin=admin))

    def _wait(self, rest: str) -> None:
        match = WAIT.match(rest.strip())
        if not match:
            self._say(say.CONSOLE_HOW_LONG.format(wait_days=WAIT_DAYS, wait_weeks=WAIT_WEEKS))
            return
        amount = int(match.group(1))
        weeks = match.group(2).lower().startswith("w")
        self.advance_clock(timedelta(weeks=amount) if weeks else timedelta(days=amount))
        unit = ((say.CONSOLE_WEEK if amount == 1 else say.CONSOLE_WEEKS) if weeks
                else (say.CONSOLE_DAY if amount == 1 else say.CONSOLE_DAYS))
        self._say(say.CONSOLE_LATER.format(amount=amount, unit=unit))

    def _pick(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            if self.choices:
                self._say(say.CONSOLE_PICK_A_NUMBER.format(count=len(self.choices)))
            else:
                self._say(say.CONSOLE_NOTHING_TO_CHOOSE)
            return
        choice = self.choices[number - 1]
        self._show(self.router.act(self._ctx(Source.CONSOLE), choice.action))

    def _show(self, reply: Reply) -> None:
        text = plain(reply.text)
        if isinstance(reply.view, MomentsExport) and not reply.error:
            path = Path(reply.view.filename).resolve()
            path.write_text(reply.view.csv(), encoding="utf-8")
            text = f"{text}\n{EXPORT_WRITTEN}{path}"
        if reply.public:
            text = f"{say.CONSOLE_TO_CHANNEL.format(channel=self.channel)}\n{text}"
        self._say(text, error=reply.error)
        if reply.choices or not reply.error:
            self.choices = reply.choices
        for n, choice in enumerate(reply.choices, start=1):
            self.out.write(f"    [{n}] {choice.label}\n")

    def _say(self, text: str, *, error: bool = False) -> None:
        prefix = "⚠️  " if error else ""
        lines = text.splitlines() or [""]
        self.out.write(f"moments: {prefix}{self._bold(lines[0])}\n")
        for line in lines[1:]:
            self.out.write(f"         {self._bold(line)}\n")
        self.out.flush()

    def _bold(self, line: str) -> str:
        if not self.color:
            return line
        return re.sub(r"\*([^*\n]+)\*", "\033[1m\\1\033[0m", line)

    def _dim(self, line: str) -> str:
        return f"\033[2m{line}\033[0m" if self.color else line
