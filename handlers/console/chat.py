"""A local chat in the terminal: the same commands as Slack, with numbered choices.

Reads a terminal or a pipe (``moments console < demo.txt`` replays a script, echoing each line
so the transcript reads like a conversation). Console-only commands: ``/as NAME`` switches user,
``/wait N days|weeks`` winds the clock forward, ``/in CHANNEL`` moves to another channel (a second
site's team, the organisation channel), ``/quit`` leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot import parsing
from bot.commands import ChatContext, CommandRouter
from bot.domain import Source
from bot.markup import plain
from bot.services import Actor
from bot.text import EXPORT_WRITTEN
from bot.views import Choice, MomentsExport, Reply

WAIT = re.compile(r"^(\d{1,3})\s*(day|days|d|week|weeks|w)$", re.IGNORECASE)
CONSOLE_HELP = """Console extras: `/as NAME` switch person (`/as NAME admin` for an admin) ·
`/wait 3 days` or `/wait 13 weeks` wind the clock · `/in arlanda` move to another channel ·
a number picks a choice · `/quit` leaves.
Plain messages starting `WOW:` or `OW:` are logged too, as in a Slack channel."""


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
        self._say(f"Moments console — you are {self.actor.name}. Type /moments help for commands, "
                  "/help for console extras.")
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
        elif command == "/in":
            self._go(rest)
        elif re.fullmatch(r"[0-9]{1,4}", stripped):
            self._pick(int(stripped))
        elif command.startswith("/"):
            self._show(self.router.handle(self._ctx(Source.CONSOLE), command, rest))
        elif moment := parsing.moment_prefix(stripped):
            kind, what = moment
            reply = self.router.handle(self._ctx(Source.MESSAGE), f"/{kind.value}", what)
            self._show(reply)
        else:
            self._say("I log messages that start with WOW: or OW:. Type /moments help for the "
                      "commands.")
        return True

    def _ctx(self, source: Source) -> ChatContext:
        return ChatContext(self.workspace_id, self.channel, self.actor, source)

    def _switch(self, rest: str) -> None:
        words = rest.split()
        if not words:
            self._say("Who are you? `/as maria` (or `/as maria admin`).")
            return
        name = words[0].lstrip("@")
        self.actor = Actor(name.lower(), name, is_admin="admin" in words[1:])
        self.choices = ()
        self._say(f"You are now {name}{' (admin)' if self.actor.is_admin else ''}.")

    def _go(self, rest: str) -> None:
        """Another channel: a second site's team, or the organisation channel."""
        channel = rest.strip().lstrip("#")
        if not channel or " " in channel:
            self._say("Which channel? `/in arlanda` (`/in console` is where you started).")
            return
        self.channel = channel
        self.choices = ()
        self._say(f"You are now in #{channel}.")

    def _wait(self, rest: str) -> None:
        match = WAIT.match(rest.strip())
        if not match:
            self._say("How long? `/wait 3 days` or `/wait 13 weeks` (up to 999).")
            return
        amount = int(match.group(1))
        weeks = match.group(2).lower().startswith("w")
        self.advance_clock(timedelta(weeks=amount) if weeks else timedelta(days=amount))
        self._say(f"⏩ {amount} {'week' if weeks else 'day'}{'' if amount == 1 else 's'} later…")

    def _pick(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            if self.choices:
                self._say(f"Pick a number from 1 to {len(self.choices)}.")
            else:
                self._say("There is nothing to choose right now.")
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
            text = f"(to #{self.channel})\n{text}"
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
